/* app-test-util.c — finding, reading and capturing widgets in app tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "app-test-util.h"

/* The widget under @root, @root included, whose name is @name; NULL for
 * none. */
GtkWidget *
app_test_find_named (GtkWidget  *root,
                     const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = app_test_find_named (child, name);

    if (found != NULL)
      return found;
  }

  return NULL;
}

/* As app_test_find_named(), but a missing widget ends the test. */
GtkWidget *
app_test_get_named (GtkWidget  *root,
                    const char *name)
{
  GtkWidget *widget = app_test_find_named (root, name);

  if (widget == NULL)
    g_error ("No widget named “%s” under %s", name,
             G_OBJECT_TYPE_NAME (root));

  return widget;
}

const char *
app_test_label_text (GtkWidget  *root,
                     const char *name)
{
  return gtk_label_get_label (GTK_LABEL (app_test_get_named (root, name)));
}

/* Reads a grouped count such as "12,345"; FALSE for anything else. */
gboolean
app_test_parse_count (const char *text,
                      guint64    *value)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++) {
    if (*p != ',')
      g_string_append_c (digits, *p);
  }

  return g_ascii_string_to_unsigned (digits->str, 10, 0, G_MAXUINT64,
                                     value, NULL);
}

static void
invalidated_cb (GdkPaintable *paintable,
                gboolean     *drawn)
{
  *drawn = TRUE;
}

/* Saves what @widget shows in a frame drawn from now on as @file_name
 * in the build directory. */
void
app_test_save_screenshot (GtkWidget  *widget,
                          const char *file_name)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean drawn = FALSE;
  GskRenderer *renderer;

  /* The paintable holds the widget's image from its last frame; wait for
   * a frame drawn after it was made. */
  g_signal_connect (paintable, "invalidate-contents",
                    G_CALLBACK (invalidated_cb), &drawn);
  gtk_widget_queue_draw (widget);
  while (!drawn && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (paintable, invalidated_cb, &drawn);
  g_assert_true (drawn);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width,
                                                              height));

  path = g_test_build_filename (G_TEST_BUILT, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}
