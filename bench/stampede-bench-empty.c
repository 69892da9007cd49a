/* stampede-bench-empty.c — the empty window bench/present compares with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window of the Presentation page's size whose only content is a
 * GtkGLArea cleared to the page's background colour and drawn again at
 * every frame: the least a GL-drawn, always-animating window costs GTK on
 * this machine.  Its frames are logged to STAMPEDE_FRAME_LOG exactly as
 * the app's are, and it quits by itself.
 *
 *   stampede-bench-empty WIDTH HEIGHT SECONDS
 */

#include <stdlib.h>

#include <epoxy/gl.h>
#include <gtk/gtk.h>

#include "stampede-frame-log.h"

static gboolean
render_cb (GtkGLArea    *area,
           GdkGLContext *context,
           gpointer      user_data)
{
  glClearColor (0.047f, 0.078f, 0.149f, 1.0f);
  glClear (GL_COLOR_BUFFER_BIT);

  return TRUE;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  gtk_gl_area_queue_render (GTK_GL_AREA (widget));

  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  const char *frame_log = g_getenv ("STAMPEDE_FRAME_LOG");
  GtkWidget *window;
  GtkWidget *area;
  int width, height, seconds;

  if (argc != 4) {
    g_printerr ("Usage: %s WIDTH HEIGHT SECONDS\n", argv[0]);
    return 2;
  }
  width = atoi (argv[1]);
  height = atoi (argv[2]);
  seconds = atoi (argv[3]);
  if (width <= 0 || height <= 0 || seconds <= 0) {
    g_printerr ("%s: WIDTH, HEIGHT and SECONDS must be above 0\n", argv[0]);
    return 2;
  }

  gtk_init ();
  loop = g_main_loop_new (NULL, FALSE);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "Stampede empty window");
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);

  area = gtk_gl_area_new ();
  g_signal_connect (area, "render", G_CALLBACK (render_cb), NULL);
  gtk_widget_add_tick_callback (area, tick_cb, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), area);

  if (frame_log != NULL && *frame_log != '\0'
      && !stampede_frame_log_attach (window, frame_log, &error)) {
    g_printerr ("%s: %s\n", argv[0], error->message);
    return 1;
  }

  /* High priority: with frames painting back to back, a source at the
   * default priority may wait a long time. */
  g_timeout_add_full (G_PRIORITY_HIGH, seconds * 1000, quit_cb,
                      g_main_loop_ref (loop),
                      (GDestroyNotify) g_main_loop_unref);
  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}
