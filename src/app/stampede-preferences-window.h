/* stampede-preferences-window.h — presentation profiles and the cost model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STAMPEDE_TYPE_PREFERENCES_WINDOW (stampede_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (StampedePreferencesWindow, stampede_preferences_window,
                      STAMPEDE, PREFERENCES_WINDOW, AdwPreferencesWindow)

StampedePreferencesWindow *stampede_preferences_window_new (GtkWindow *parent);

G_END_DECLS
