/* stampede-frame-log.h — a record of each frame a window draws
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean stampede_frame_log_attach (GtkWidget   *widget,
                                    const char  *path,
                                    GError     **error);

G_END_DECLS
