/* stampede-frame-log.c — a record of each frame a window draws
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench/present measures how smoothly the Presentation page draws by
 * the timings of the window's GdkFrameClock.  The app writes them when
 * STAMPEDE_FRAME_LOG names a file (see stampede-application.c), and the
 * benchmark's empty window writes them the same way, so that the two are
 * measured alike.
 *
 * One line per painted frame: the frame counter, the frame time (when
 * the frame began, in monotonic microseconds) and the monotonic time when
 * the frame's painting was done.  The gap between two frame times is the
 * frame time an audience sees; the second figure less the first is the
 * work of one frame.  The log listens to the frame clock's signals rather
 * than adding a tick callback, which would make an idle window draw.
 */

#include <errno.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include "stampede-frame-log.h"

typedef struct {
  FILE          *file;
  GdkFrameClock *clock;
  gulong         paint_id;
  gulong         after_paint_id;
  gboolean       painted;
} FrameLog;

static void
paint_cb (GdkFrameClock *clock,
          FrameLog      *log)
{
  log->painted = TRUE;
}

/* Frames that only ran animations or layout, without painting, show
 * nothing new on screen and are left out. */
static void
after_paint_cb (GdkFrameClock *clock,
                FrameLog      *log)
{
  if (!log->painted)
    return;

  log->painted = FALSE;
  fprintf (log->file, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT
           " %" G_GINT64_FORMAT "\n",
           gdk_frame_clock_get_frame_counter (clock),
           gdk_frame_clock_get_frame_time (clock),
           g_get_monotonic_time ());

  /* A line at a time, so that a benchmark that has to stop the program
   * still has every frame up to then. */
  fflush (log->file);
}

static void
unwatch (FrameLog *log)
{
  if (log->clock == NULL)
    return;

  g_clear_signal_handler (&log->paint_id, log->clock);
  g_clear_signal_handler (&log->after_paint_id, log->clock);
  g_clear_object (&log->clock);
}

static void
watch (GtkWidget *widget,
       FrameLog  *log)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  unwatch (log);
  if (clock == NULL)
    return;

  log->clock = g_object_ref (clock);
  log->paint_id = g_signal_connect (clock, "paint", G_CALLBACK (paint_cb),
                                    log);
  log->after_paint_id = g_signal_connect (clock, "after-paint",
                                          G_CALLBACK (after_paint_cb), log);
}

static void
realize_cb (GtkWidget *widget,
            FrameLog  *log)
{
  watch (widget, log);
}

static void
unrealize_cb (GtkWidget *widget,
              FrameLog  *log)
{
  unwatch (log);
}

static void
frame_log_free (FrameLog *log)
{
  unwatch (log);
  fclose (log->file);
  g_free (log);
}

/**
 * stampede_frame_log_attach:
 * @widget: a window, or any widget in one
 * @path: the file to write, replaced if it exists
 * @error: return location for an error
 *
 * Writes a line to @path for every frame that @widget's frame clock
 * paints, for as long as @widget lives.  A widget has at most one log.
 *
 * Returns: %FALSE if @path cannot be written
 */
gboolean
stampede_frame_log_attach (GtkWidget   *widget,
                           const char  *path,
                           GError     **error)
{
  FrameLog *log;
  FILE *file;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (g_object_get_data (G_OBJECT (widget),
                                           "stampede-frame-log") == NULL,
                        FALSE);

  file = g_fopen (path, "w");
  if (file == NULL) {
    int saved_errno = errno;

    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 "Cannot write the frame log %s: %s", path,
                 g_strerror (saved_errno));
    return FALSE;
  }

  log = g_new0 (FrameLog, 1);
  log->file = file;
  fprintf (file, "# frame_counter frame_time_us painted_us\n");

  g_object_set_data_full (G_OBJECT (widget), "stampede-frame-log", log,
                          (GDestroyNotify) frame_log_free);
  g_signal_connect (widget, "realize", G_CALLBACK (realize_cb), log);
  g_signal_connect (widget, "unrealize", G_CALLBACK (unrealize_cb), log);
  if (gtk_widget_get_realized (widget))
    watch (widget, log);

  return TRUE;
}
