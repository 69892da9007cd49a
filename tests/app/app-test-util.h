/* app-test-util.h — finding, reading and capturing widgets in app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget  *app_test_find_named      (GtkWidget  *root,
                                      const char *name);
GtkWidget  *app_test_get_named       (GtkWidget  *root,
                                      const char *name);
const char *app_test_label_text      (GtkWidget  *root,
                                      const char *name);
gboolean    app_test_parse_count     (const char *text,
                                      guint64    *value);
void        app_test_save_screenshot (GtkWidget  *widget,
                                      const char *file_name);

G_END_DECLS
