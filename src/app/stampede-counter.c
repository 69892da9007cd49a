/* stampede-counter.c — a label that counts up to its figure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-counter.h"
#include "stampede-flow-canvas.h"

/* How long a counter takes to reach a new figure.  Snapshots come ten
 * times a second, so a running counter mostly chases its figure and lands
 * on it once the figures stop moving. */
#define EASE_US (450 * G_TIME_SPAN_MILLISECOND)

/*
 * A counter drives one label from the frame clock: it eases from the
 * figure shown towards the latest one and, when the time is up, writes
 * the latest figure itself, formatted exactly as it would be without any
 * animation.  With animations off, or on a label that is not on screen,
 * it writes the figure at once.
 *
 * Under a frame budget (stampede_counter_set_frame_interval(), the flow
 * canvas's on a software renderer) a counter on the move writes its label
 * only on the frames the budget allows, the same frames as the canvas;
 * the ease is worked out from the frame time, so it lands when it would
 * have anyway.  A label is only written when its text changes: writing
 * it lays the label out again even with the same text.
 */
struct _StampedeCounter {
  GObject                parent_instance;

  GtkLabel              *label;
  StampedeCounterFormat  format;
  gpointer               user_data;

  double                 target;
  double                 from;
  double                 shown;
  gint64                 start_us;
  gint64                 last_frame_us;
  gint64                 frame_interval_us;
  guint                  tick_id;
};

G_DEFINE_FINAL_TYPE (StampedeCounter, stampede_counter, G_TYPE_OBJECT)

enum {
  SIGNAL_SHOWN,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
show (StampedeCounter *self,
      double           value)
{
  g_autofree char *text = self->format (value, self->user_data);

  self->shown = value;
  if (g_strcmp0 (gtk_label_get_label (self->label), text) == 0)
    return;

  gtk_label_set_label (self->label, text);
  g_signal_emit (self, signals[SIGNAL_SHOWN], 0);
}

static void
stop_ticking (StampedeCounter *self)
{
  if (self->tick_id == 0)
    return;

  gtk_widget_remove_tick_callback (GTK_WIDGET (self->label), self->tick_id);
  self->tick_id = 0;
}

static double
ease_out (double t)
{
  double rest = 1.0 - t;

  return 1.0 - rest * rest * rest;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  StampedeCounter *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double t;

  if (self->start_us == 0)
    self->start_us = now;

  t = (now - self->start_us) / (double) EASE_US;
  if (t < 1.0 && !stampede_flow_frame_is_due (self->last_frame_us, now,
                                              self->frame_interval_us))
    return G_SOURCE_CONTINUE;

  /* The frame that showed a value, for an ease that starts from it. */
  self->last_frame_us = now;
  if (t >= 1.0) {
    self->tick_id = 0;
    show (self, self->target);
    return G_SOURCE_REMOVE;
  }

  show (self, self->from + (self->target - self->from) * ease_out (t));

  return G_SOURCE_CONTINUE;
}

static gboolean
animations_enabled (StampedeCounter *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self->label)),
                "gtk-enable-animations", &enabled,
                NULL);

  return enabled;
}

static void
stampede_counter_dispose (GObject *object)
{
  StampedeCounter *self = STAMPEDE_COUNTER (object);

  if (self->label != NULL) {
    stop_ticking (self);
    g_object_remove_weak_pointer (G_OBJECT (self->label),
                                  (gpointer *) &self->label);
    self->label = NULL;
  }

  G_OBJECT_CLASS (stampede_counter_parent_class)->dispose (object);
}

static void
stampede_counter_class_init (StampedeCounterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_counter_dispose;

  /* Emitted when the label shows another figure, for text elsewhere that
   * must read the same figure at the same moment. */
  signals[SIGNAL_SHOWN] = g_signal_new ("shown",
                                        G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 0);
}

static void
stampede_counter_init (StampedeCounter *self)
{
  self->target = NAN;
  self->shown = NAN;
}

/**
 * stampede_counter_new:
 * @label: the label to drive
 * @format: how to write a value
 * @user_data: data for @format, which must outlive the counter
 *
 * Makes a counter that shows nothing measured until it is given a value.
 *
 * Returns: (transfer full): the counter
 */
StampedeCounter *
stampede_counter_new (GtkLabel              *label,
                      StampedeCounterFormat  format,
                      gpointer               user_data)
{
  StampedeCounter *self;

  g_return_val_if_fail (GTK_IS_LABEL (label), NULL);
  g_return_val_if_fail (format != NULL, NULL);

  self = g_object_new (STAMPEDE_TYPE_COUNTER, NULL);
  self->label = label;
  self->format = format;
  self->user_data = user_data;
  g_object_add_weak_pointer (G_OBJECT (label), (gpointer *) &self->label);

  show (self, NAN);

  return self;
}

/**
 * stampede_counter_set_value:
 * @self: a #StampedeCounter
 * @value: the new figure, NAN for nothing measured
 *
 * Moves the label towards @value.  Nothing measured, and a first figure
 * after nothing, are shown at once: counting up from a dash means
 * nothing.
 */
void
stampede_counter_set_value (StampedeCounter *self,
                            double           value)
{
  g_return_if_fail (STAMPEDE_IS_COUNTER (self));

  if (self->label == NULL)
    return;

  self->target = value;

  if (!isfinite (value) || !isfinite (self->shown)
      || !animations_enabled (self)
      || !gtk_widget_get_mapped (GTK_WIDGET (self->label))) {
    stop_ticking (self);
    show (self, value);
    return;
  }

  if (value == self->shown && self->tick_id == 0)
    return;

  /* A counter on the move eases on from the frame that showed its value,
   * not from the next one: when figures come as often as frames (a
   * software renderer at full HD), an ease that started at the next frame
   * would start again at every frame and the counter would never move. */
  self->from = self->shown;
  self->start_us = self->tick_id != 0 && self->start_us != 0
                   ? self->last_frame_us : 0;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->label),
                                                  tick_cb, self, NULL);
}

/**
 * stampede_counter_get_value:
 * @self: a #StampedeCounter
 *
 * Returns: the figure the counter is heading for
 */
double
stampede_counter_get_value (StampedeCounter *self)
{
  g_return_val_if_fail (STAMPEDE_IS_COUNTER (self), NAN);

  return self->target;
}

/**
 * stampede_counter_get_shown:
 * @self: a #StampedeCounter
 *
 * Returns: the figure the label shows, NAN for nothing measured
 */
double
stampede_counter_get_shown (StampedeCounter *self)
{
  g_return_val_if_fail (STAMPEDE_IS_COUNTER (self), NAN);

  return self->shown;
}

/**
 * stampede_counter_refresh:
 * @self: a #StampedeCounter
 *
 * Writes the figure again at once, after the way it is formatted changed.
 */
void
stampede_counter_refresh (StampedeCounter *self)
{
  g_return_if_fail (STAMPEDE_IS_COUNTER (self));

  if (self->label == NULL)
    return;

  stop_ticking (self);
  show (self, self->target);
}

/**
 * stampede_counter_is_settled:
 * @self: a #StampedeCounter
 *
 * Returns: whether the label shows the latest figure
 */
gboolean
stampede_counter_is_settled (StampedeCounter *self)
{
  g_return_val_if_fail (STAMPEDE_IS_COUNTER (self), TRUE);

  return self->tick_id == 0;
}

/**
 * stampede_counter_set_frame_interval:
 * @self: a #StampedeCounter
 * @interval_us: the frame budget in microseconds, 0 for every frame
 *
 * Keeps the counter to a frame budget, see stampede_flow_frame_is_due().
 */
void
stampede_counter_set_frame_interval (StampedeCounter *self,
                                     gint64           interval_us)
{
  g_return_if_fail (STAMPEDE_IS_COUNTER (self));
  g_return_if_fail (interval_us >= 0);

  self->frame_interval_us = interval_us;
}

/**
 * stampede_counter_get_frame_interval:
 * @self: a #StampedeCounter
 *
 * Returns: the counter's frame budget in microseconds, 0 for every frame
 */
gint64
stampede_counter_get_frame_interval (StampedeCounter *self)
{
  g_return_val_if_fail (STAMPEDE_IS_COUNTER (self), 0);

  return self->frame_interval_us;
}
