/* stampede-window.h — the main window: four pages over one engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-run-config.h"
#include "stampede-session.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_WINDOW (stampede_window_get_type ())

G_DECLARE_FINAL_TYPE (StampedeWindow, stampede_window,
                      STAMPEDE, WINDOW, AdwApplicationWindow)

StampedeWindow  *stampede_window_new                (GtkApplication          *application,
                                                     StampedeSession         *session);
StampedeSession *stampede_window_get_session        (StampedeWindow          *self);
gboolean         stampede_window_get_presenting     (StampedeWindow          *self);
void             stampede_window_start_presentation (StampedeWindow          *self,
                                                     const char              *scenario);
void             stampede_window_start_run          (StampedeWindow          *self,
                                                     const StampedeRunConfig *config);

G_END_DECLS
