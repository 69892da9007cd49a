/* test-flow-canvas.c — the flow canvas on GL, read back pixel by pixel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Needs an X display with OpenGL (the suite runs under Xvfb and Mesa).
 * The canvas is paused and driven by stampede_flow_canvas_advance(), so
 * each particle is exactly where the layout says it should be.
 */

#include <math.h>
#include <string.h>

#include "flow-test-util.h"

#define LATENCY_MS 100.0f
#define BATCH      30

static const guint outcomes[] = {
  STAMPEDE_FLOW_APPROVED, STAMPEDE_FLOW_FRAUD_STOPPED,
  STAMPEDE_FLOW_LEGIT_DECLINED, STAMPEDE_FLOW_ERROR,
  STAMPEDE_FLOW_FRAUD_MISSED,
};

typedef struct {
  GtkWidget          *window;
  StampedeFlowCanvas *canvas;
  StampedeFlowLayout  layout;
  FlowImage          *backdrop;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = flow_test_window_new (1280, 720, &f->canvas);
  g_object_ref (f->canvas);
  stampede_flow_canvas_set_paused (f->canvas, TRUE);
  stampede_flow_layout_compute (&f->layout, 1280, 720);
  f->backdrop = flow_test_capture (GTK_WIDGET (f->canvas), NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->canvas);
  flow_test_image_free (f->backdrop);
}

/* Captures the canvas and returns the light its particles add. */
static FlowImage *
capture_light (Fixture *f)
{
  g_autoptr(FlowImage) image = flow_test_capture (GTK_WIDGET (f->canvas),
                                                  NULL);

  return flow_test_light (image, f->backdrop);
}

/* Moves the clock and lets the window draw what it now shows. */
static void
advance (Fixture *f,
         double   seconds)
{
  stampede_flow_canvas_advance (f->canvas, seconds);
  flow_test_run_frames (f->window, 2);
}

/* With no samples, no outcome colour shows anywhere along any path or in
 * any sink: the raw pixels, not the light, are checked here. */
static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(FlowImage) image = NULL;
  guint agent, i, step;

  g_assert_false (stampede_flow_canvas_get_software (f->canvas));
  advance (f, 0.1);
  image = flow_test_capture (GTK_WIDGET (f->canvas), NULL);

  for (agent = 0; agent < 3; agent++)
    for (i = 0; i < G_N_ELEMENTS (outcomes); i++)
      for (step = 1; step < 10; step++) {
        FlowBox box = flow_test_particle_box (&f->layout, agent, outcomes[i],
                                              step / 10.0f);

        g_assert_cmpuint (flow_test_count_any (image, &box), ==, 0);
      }

  for (i = 0; i < G_N_ELEMENTS (outcomes); i++) {
    FlowBox box = flow_test_sink_box (&f->layout, outcomes[i]);

    g_assert_cmpuint (flow_test_count_any (image, &box), ==, 0);
  }
}

/* Checks that a batch of @outcome through @agent shows its colour, and
 * only its colour, where the layout puts it at @u. */
static void
assert_batch_at (Fixture         *f,
                 const FlowImage *image,
                 guint            outcome,
                 guint            agent,
                 float            u)
{
  FlowBox box = flow_test_particle_box (&f->layout, agent, outcome, u);
  guint i;

  g_assert_cmpuint (flow_test_count (image, &box, outcome), >=, 20);
  for (i = 0; i < G_N_ELEMENTS (outcomes); i++)
    if (outcomes[i] != outcome)
      g_assert_cmpuint (flow_test_count (image, &box, outcomes[i]), ==, 0);
}

/* Each outcome travels with its colour: between its agent and the
 * reasoning agent first, then glowing in its own sink and not in the
 * others. */
static void
test_colours_travel (Fixture       *f,
                     gconstpointer  data)
{
  float duration = stampede_flow_duration_s (LATENCY_MS);
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (outcomes); i++) {
    guint agent = i % 3;
    float u = flow_test_leg_middle (&f->layout, agent, outcomes[i], 1);
    g_autoptr(FlowImage) mid = NULL;
    g_autoptr(FlowImage) end = NULL;
    FlowBox own;

    stampede_flow_canvas_clear (f->canvas);
    flow_test_add_batch (f->canvas, outcomes[i], agent, LATENCY_MS, BATCH);
    g_assert_cmpuint (stampede_flow_canvas_get_n_live (f->canvas), ==, BATCH);

    advance (f, u * duration);
    mid = capture_light (f);
    assert_batch_at (f, mid, outcomes[i], agent, u);

    /* Not yet at the sink. */
    own = flow_test_sink_box (&f->layout, outcomes[i]);
    g_assert_cmpuint (flow_test_count (mid, &own, outcomes[i]), ==, 0);

    advance (f, (1 - u) * duration + 0.1);
    end = capture_light (f);
    g_assert_cmpuint (flow_test_count (end, &own, outcomes[i]), >=, 20);

    for (j = 0; j < G_N_ELEMENTS (outcomes); j++) {
      FlowBox other = flow_test_sink_box (&f->layout, outcomes[j]);

      if (stampede_flow_sink_for_outcome (outcomes[j])
          != stampede_flow_sink_for_outcome (outcomes[i]))
        g_assert_cmpuint (flow_test_count_any (end, &other), ==, 0);
    }
  }
}

/* Speed follows latency: sent together, a 1 ms batch is on its last leg
 * when a batch of the latency worked out here is only past its agent. */
static void
test_speed_follows_latency (Fixture       *f,
                            gconstpointer  data)
{
  float fast = stampede_flow_duration_s (1);
  float u_fast = flow_test_leg_middle (&f->layout, 0,
                                       STAMPEDE_FLOW_APPROVED, 3);
  float u_slow = flow_test_leg_middle (&f->layout, 2,
                                       STAMPEDE_FLOW_FRAUD_STOPPED, 1);
  double t = u_fast * fast;
  double slow = t / u_slow;
  float slow_ms = (float) (pow (10, (slow - 1.6) / 1.1) - 1);
  g_autoptr(FlowImage) image = NULL;

  g_assert_cmpfloat (slow_ms, >, 10);
  g_assert_cmpfloat_with_epsilon (stampede_flow_duration_s (slow_ms), slow,
                                  1e-3);

  flow_test_add_batch (f->canvas, STAMPEDE_FLOW_APPROVED, 0, 1, BATCH);
  flow_test_add_batch (f->canvas, STAMPEDE_FLOW_FRAUD_STOPPED, 2, slow_ms,
                       BATCH);

  advance (f, t);
  image = capture_light (f);
  assert_batch_at (f, image, STAMPEDE_FLOW_APPROVED, 0, u_fast);
  assert_batch_at (f, image, STAMPEDE_FLOW_FRAUD_STOPPED, 2, u_slow);
}

/* The canvas draws the same particles without GL when forced to, and
 * uploads them all again when GL comes back. */
static void
test_force_software (Fixture       *f,
                     gconstpointer  data)
{
  float duration = stampede_flow_duration_s (LATENCY_MS);
  guint outcome = STAMPEDE_FLOW_LEGIT_DECLINED;
  float u0 = flow_test_leg_middle (&f->layout, 1, outcome, 0);
  float u1 = flow_test_leg_middle (&f->layout, 1, outcome, 1);
  g_autoptr(FlowImage) soft = NULL;
  g_autoptr(FlowImage) gl = NULL;

  stampede_flow_canvas_set_force_software (f->canvas, TRUE);
  g_assert_true (stampede_flow_canvas_get_software (f->canvas));

  flow_test_add_batch (f->canvas, outcome, 1, LATENCY_MS, BATCH);
  advance (f, u0 * duration);
  soft = capture_light (f);
  assert_batch_at (f, soft, outcome, 1, u0);

  stampede_flow_canvas_set_force_software (f->canvas, FALSE);
  g_assert_false (stampede_flow_canvas_get_software (f->canvas));
  advance (f, (u1 - u0) * duration);
  gl = capture_light (f);
  assert_batch_at (f, gl, outcome, 1, u1);
}

/* Taking the canvas out of its window drops its GL context; put back, it
 * makes new GL resources and still shows its particles. */
static void
test_realize_again (Fixture       *f,
                    gconstpointer  data)
{
  float duration = stampede_flow_duration_s (LATENCY_MS);
  guint outcome = STAMPEDE_FLOW_FRAUD_STOPPED;
  float u0 = flow_test_leg_middle (&f->layout, 0, outcome, 0);
  float u1 = flow_test_leg_middle (&f->layout, 0, outcome, 1);
  g_autoptr(FlowImage) image = NULL;

  flow_test_add_batch (f->canvas, outcome, 0, LATENCY_MS, BATCH);
  advance (f, u0 * duration);

  gtk_window_set_child (GTK_WINDOW (f->window), NULL);
  g_assert_false (gtk_widget_get_realized (GTK_WIDGET (f->canvas)));
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->canvas));
  advance (f, (u1 - u0) * duration);

  g_assert_false (stampede_flow_canvas_get_software (f->canvas));
  image = capture_light (f);
  assert_batch_at (f, image, outcome, 0, u1);
}

/* No more than the cap live at once, and the sampling rate is kept. */
static void
test_cap_and_sampling (Fixture       *f,
                       gconstpointer  data)
{
  guint n = STAMPEDE_FLOW_MAX_PARTICLES + 5000;
  g_autofree StampedeFlowSample *samples = g_new0 (StampedeFlowSample, n);
  guint i;

  for (i = 0; i < n; i++) {
    samples[i].outcome = i % STAMPEDE_FLOW_N_OUTCOMES;
    samples[i].latency_ms = 10;
  }

  stampede_flow_canvas_add_samples (f->canvas, samples, n, 40.0);
  g_assert_cmpuint (stampede_flow_canvas_get_n_live (f->canvas), ==,
                    STAMPEDE_FLOW_MAX_PARTICLES);
  g_assert_cmpfloat (stampede_flow_canvas_get_represented (f->canvas), ==, 40);
  advance (f, 0.5);
}

/* An agent that stops reporting (a crash) is shown as such, not with the
 * mean it had before; it is shown with a time again once it reports. */
static void
test_silent_agent (Fixture       *f,
                   gconstpointer  data)
{
  StampedeFlowSample samples[10] = { 0 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (samples); i++) {
    samples[i].outcome = STAMPEDE_FLOW_APPROVED;
    samples[i].latency_ms = 5;
    for (guint a = 0; a < 4; a++)
      samples[i].agent_ms[a] = 2.0f;
  }
  stampede_flow_canvas_add_samples (f->canvas, samples, 10, 1.0);
  g_assert_cmpfloat (stampede_flow_canvas_get_agent_ms (f->canvas, 2), ==,
                     2.0f);

  for (i = 0; i < G_N_ELEMENTS (samples); i++)
    samples[i].agent_ms[2] = 0.0f;
  stampede_flow_canvas_add_samples (f->canvas, samples, 10, 1.0);
  g_assert_cmpfloat (stampede_flow_canvas_get_agent_ms (f->canvas, 2), ==,
                     STAMPEDE_FLOW_AGENT_SILENT);
  g_assert_cmpfloat (stampede_flow_canvas_get_agent_ms (f->canvas, 0), ==,
                     2.0f);

  /* Errors alone say nothing about the agents. */
  for (i = 0; i < G_N_ELEMENTS (samples); i++) {
    samples[i].outcome = STAMPEDE_FLOW_ERROR;
    samples[i].agent_ms[0] = 0.0f;
  }
  stampede_flow_canvas_add_samples (f->canvas, samples, 10, 1.0);
  g_assert_cmpfloat (stampede_flow_canvas_get_agent_ms (f->canvas, 0), ==,
                     2.0f);

  for (i = 0; i < G_N_ELEMENTS (samples); i++) {
    samples[i].outcome = STAMPEDE_FLOW_APPROVED;
    samples[i].agent_ms[2] = 3.0f;
  }
  stampede_flow_canvas_add_samples (f->canvas, samples, 1, 1.0);
  g_assert_cmpfloat (stampede_flow_canvas_get_agent_ms (f->canvas, 2), ==,
                     3.0f);
  advance (f, 0.2);
}

/* Running, the frame clock moves particles along until they are gone;
 * paused, the same number of frames leaves them where they arrived. */
static void
test_frame_clock (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GTimer) timer = g_timer_new ();

  flow_test_add_batch (f->canvas, STAMPEDE_FLOW_APPROVED, 0, 0, BATCH);
  flow_test_run_frames (f->window, 30);
  g_assert_cmpuint (stampede_flow_canvas_get_n_live (f->canvas), ==, BATCH);

  stampede_flow_canvas_set_paused (f->canvas, FALSE);
  while (stampede_flow_canvas_get_n_live (f->canvas) > 0) {
    g_assert_cmpfloat (g_timer_elapsed (timer, NULL), <, 20);
    flow_test_run_frames (f->window, 1);
  }
}

/* With reduced motion there are no trails and particles take longer:
 * when a normal batch has reached its sink, a reduced-motion one sent
 * with it is still on its way, where the slower duration puts it. */
static void
test_reduced_motion (Fixture       *f,
                     gconstpointer  data)
{
  float duration = stampede_flow_duration_s (LATENCY_MS);
  guint outcome = STAMPEDE_FLOW_FRAUD_STOPPED;
  float u = flow_test_leg_middle (&f->layout, 1, outcome, 3);
  double slow = u * duration;
  g_autoptr(FlowImage) image = NULL;
  FlowBox sink = flow_test_sink_box (&f->layout, outcome);

  stampede_flow_canvas_set_reduced_motion (f->canvas, TRUE);
  g_assert_true (stampede_flow_canvas_get_reduced_motion (f->canvas));

  /* Sent with reduced motion, the batch takes 1.5 times as long; this
   * latency makes it exactly that long at normal speed. */
  flow_test_add_batch (f->canvas, outcome, 1, LATENCY_MS, BATCH);
  advance (f, slow * 1.5);
  image = capture_light (f);
  assert_batch_at (f, image, outcome, 1, u);
  g_assert_cmpuint (flow_test_count (image, &sink, outcome), ==, 0);
}

/* A run-like stream: about 80 % approved, the rest split between fraud
 * stopped, legitimate declines, errors and missed fraud; latencies spread
 * over two decades; agent timings as the reference platform reports. */
static void
feed_stream (StampedeFlowCanvas *canvas,
             GtkWidget          *window,
             double              seconds)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  StampedeFlowSample batch[24];
  guint step, i, j;

  for (step = 0; step < seconds * 10; step++) {
    for (i = 0; i < G_N_ELEMENTS (batch); i++) {
      double r = g_rand_double (rand);
      double z = g_rand_double_range (rand, -1.5, 1.5);

      batch[i].outcome = r < 0.78 ? STAMPEDE_FLOW_APPROVED
                         : r < 0.90 ? STAMPEDE_FLOW_FRAUD_STOPPED
                         : r < 0.95 ? STAMPEDE_FLOW_LEGIT_DECLINED
                         : r < 0.98 ? STAMPEDE_FLOW_ERROR
                         : STAMPEDE_FLOW_FRAUD_MISSED;
      batch[i].latency_ms = batch[i].outcome == STAMPEDE_FLOW_ERROR
                            ? 2000.0f : (float) (20.0 * exp (z * 1.5));
      for (j = 0; j < 4; j++)
        batch[i].agent_ms[j] = (float) g_rand_double_range (rand, 0.2, 3.0);
    }

    stampede_flow_canvas_add_samples (canvas, batch, G_N_ELEMENTS (batch),
                                      50.0);
    stampede_flow_canvas_advance (canvas, 0.1);
  }

  flow_test_run_frames (window, 2);
}

/* Screenshots at the two sizes a presenter uses, for a person to look at;
 * they must show the particle colours too. */
static void
test_screenshots (void)
{
  static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
  guint s, i;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    StampedeFlowCanvas *canvas;
    GtkWidget *window = flow_test_window_new (sizes[s][0], sizes[s][1],
                                              &canvas);
    g_autofree char *name = g_strdup_printf ("flow-canvas-%dx%d.png",
                                             sizes[s][0], sizes[s][1]);
    g_autoptr(FlowImage) image = NULL;
    FlowBox all = { sizes[s][0] / 2.0f, sizes[s][1] / 2.0f,
                    sizes[s][0] / 2.0f, sizes[s][1] / 2.0f };

    g_assert_false (stampede_flow_canvas_get_software (canvas));
    stampede_flow_canvas_set_paused (canvas, TRUE);
    feed_stream (canvas, window, 6.0);
    image = flow_test_capture (GTK_WIDGET (canvas), name);

    for (i = 0; i < 3; i++)
      g_assert_cmpuint (flow_test_count (image, &all, outcomes[i]), >, 50);

    gtk_window_destroy (GTK_WINDOW (window));
  }
}

/* GL renderers that draw with the CPU, by their GL_RENDERER strings, and
 * hardware ones that merely mention LLVM. */
static void
test_software_names (void)
{
  g_assert_true (stampede_flow_renderer_name_is_software (
    "llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (stampede_flow_renderer_name_is_software ("softpipe"));
  g_assert_true (stampede_flow_renderer_name_is_software (
    "Google SwiftShader"));
  g_assert_false (stampede_flow_renderer_name_is_software (
    "Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (stampede_flow_renderer_name_is_software (
    "AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49, 6.1.0)"));
  g_assert_false (stampede_flow_renderer_name_is_software (NULL));
}

/* Counts the frames a budget lets through out of @n_frames frames
 * @gap_us apart, starting at a time that begins a slot. */
static guint
count_due (gint64 gap_us,
           guint  n_frames,
           gint64 interval_us)
{
  gint64 last = 0;
  guint due = 0;

  for (guint k = 0; k < n_frames; k++) {
    gint64 now = G_GINT64_CONSTANT (1000000000) + k * gap_us;

    if (stampede_flow_frame_is_due (last, now, interval_us)) {
      last = now;
      due++;
    }
  }

  return due;
}

/* A second of frames: 60 Hz or 144 Hz frames under a 50 ms budget give
 * one frame in each of the second's 20 slots; frames slower than the
 * budget are all drawn, and without a budget every frame is. */
static void
test_frame_due (void)
{
  gint64 budget = STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US;

  g_assert_cmpint (budget, ==, 50000);
  g_assert_cmpuint (count_due (16667, 60, budget), ==, 20);
  g_assert_cmpuint (count_due (6944, 144, budget), ==, 20);
  g_assert_cmpuint (count_due (100000, 10, budget), ==, 10);
  g_assert_cmpuint (count_due (16667, 60, 0), ==, 60);

  /* A first frame is always drawn; a frame in the same slot is not. */
  g_assert_true (stampede_flow_frame_is_due (0, 1000010000, budget));
  g_assert_false (stampede_flow_frame_is_due (1000000000, 1000049999,
                                              budget));
  g_assert_true (stampede_flow_frame_is_due (1000049999, 1000050000,
                                             budget));
}

/* Twice the median frame cost, rounded up to 10 ms, within 50 and
 * 200 ms on the CPU; 0 on the GPU whatever the costs. */
static void
test_interval_for_costs (void)
{
  const gint64 ms = G_TIME_SPAN_MILLISECOND;
  const gint64 ten[] = { 10 * ms };
  const gint64 typical[] = { 60 * ms, 55 * ms, 20 * ms, 55 * ms, 300 * ms };
  const gint64 slow[] = { 150 * ms, 150 * ms, 150 * ms };
  const gint64 even[] = { 40 * ms, 70 * ms, 30 * ms, 90 * ms };
  const gint64 jitter[] = { 60 * ms + 1 };
  gint64 many[STAMPEDE_FLOW_FRAME_COST_WINDOW + 5];

  g_assert_cmpint (stampede_flow_frame_interval_for_costs (TRUE, ten, 1),
                   ==, 50 * ms);
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (
                     TRUE, typical, G_N_ELEMENTS (typical)), ==, 110 * ms);
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (
                     TRUE, slow, G_N_ELEMENTS (slow)), ==, 200 * ms);
  /* The middle two of 30, 40, 70, 90 ms average 55 ms. */
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (
                     TRUE, even, G_N_ELEMENTS (even)), ==, 110 * ms);
  /* 120 ms and 2 us round up to the next 10 ms. */
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (TRUE, jitter, 1),
                   ==, 130 * ms);
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (TRUE, NULL, 0),
                   ==, STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US);

  g_assert_cmpint (stampede_flow_frame_interval_for_costs (FALSE, NULL, 0),
                   ==, 0);
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (
                     FALSE, slow, G_N_ELEMENTS (slow)), ==, 0);

  /* Only the first window of costs counts: 15 of 70 ms, then 5 of 1 s. */
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    many[i] = i < STAMPEDE_FLOW_FRAME_COST_WINDOW ? 70 * ms : 1000 * ms;
  g_assert_cmpint (stampede_flow_frame_interval_for_costs (
                     TRUE, many, G_N_ELEMENTS (many)), ==, 140 * ms);
}

typedef struct {
  StampedeFlowCanvas *canvas;
  GArray             *painted;
  GArray             *intervals;
} PaintLog;

static void
paint_cb (GdkFrameClock *clock,
          PaintLog      *log)
{
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  gint64 interval = stampede_flow_canvas_get_frame_interval (log->canvas);

  g_array_append_val (log->painted, now);
  g_array_append_val (log->intervals, interval);
}

/* Under Xvfb the GL renderer is Mesa's llvmpipe, which draws with the
 * CPU: the canvas keeps to a frame budget of 50 to 200 ms there, the
 * measured frames' cost deciding where, painting at most one frame in
 * each slot of the budget in force while it animates, as it does in its
 * software view. */
static void
test_frame_budget (Fixture       *f,
                   gconstpointer  data)
{
  const char *renderer = stampede_flow_canvas_get_gl_renderer (f->canvas);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (f->window);
  gint64 budget = STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US;
  PaintLog log = {
    f->canvas,
    g_array_new (FALSE, FALSE, sizeof (gint64)),
    g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  gulong paint_id;
  gint64 interval = -1;

  g_assert_nonnull (renderer);
  g_test_message ("GL renderer: %s", renderer);
  if (strstr (renderer, "llvmpipe") == NULL) {
    g_test_skip ("The GL renderer is not llvmpipe");
    g_array_unref (log.painted);
    g_array_unref (log.intervals);
    return;
  }

  g_assert_false (stampede_flow_canvas_get_software (f->canvas));
  interval = stampede_flow_canvas_get_frame_interval (f->canvas);
  g_assert_cmpint (interval, >=, budget);
  g_assert_cmpint (interval, <=, STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US);
  g_assert_cmpint (interval % (10 * G_TIME_SPAN_MILLISECOND), ==, 0);
  g_object_get (f->canvas, "frame-interval", &interval, NULL);
  g_assert_cmpint (interval, ==,
                   stampede_flow_canvas_get_frame_interval (f->canvas));

  /* Slow particles live for seconds, longer than the frames below. */
  flow_test_add_batch (f->canvas, STAMPEDE_FLOW_APPROVED, 0, 10000, BATCH);
  stampede_flow_canvas_set_paused (f->canvas, FALSE);
  paint_id = g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), &log);
  flow_test_run_frames (f->window, 30);
  g_signal_handler_disconnect (clock, paint_id);
  g_assert_cmpuint (stampede_flow_canvas_get_n_live (f->canvas), ==, BATCH);

  g_assert_cmpuint (log.painted->len, >=, 2);
  for (guint i = 1; i < log.painted->len; i++) {
    gint64 a = g_array_index (log.painted, gint64, i - 1);
    gint64 b = g_array_index (log.painted, gint64, i);
    gint64 slot = g_array_index (log.intervals, gint64, i);

    g_assert_cmpint (slot, >=, budget);
    g_assert_cmpint (slot, <=, STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US);
    g_assert_cmpint (a / slot, <, b / slot);
  }
  g_test_message ("Frame budget after %u frames: %" G_GINT64_FORMAT " us",
                  log.painted->len,
                  stampede_flow_canvas_get_frame_interval (f->canvas));
  g_array_unref (log.painted);
  g_array_unref (log.intervals);

  /* The software view keeps to a budget too, within the same bounds. */
  stampede_flow_canvas_set_force_software (f->canvas, TRUE);
  interval = stampede_flow_canvas_get_frame_interval (f->canvas);
  g_assert_cmpint (interval, >=, budget);
  g_assert_cmpint (interval, <=, STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US);
}

static void
test_no_display (void)
{
  g_test_skip ("No display to open a window on");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/flow-canvas/software-names",
                   test_software_names);
  g_test_add_func ("/stampede/flow-canvas/frame-due", test_frame_due);
  g_test_add_func ("/stampede/flow-canvas/interval-for-costs",
                   test_interval_for_costs);

  if (!gtk_init_check ()) {
    g_test_add_func ("/stampede/flow-canvas/no-display", test_no_display);
    return g_test_run ();
  }

#define ADD(path, func) \
  g_test_add ("/stampede/flow-canvas/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)

  ADD ("empty", test_empty);
  ADD ("colours-travel", test_colours_travel);
  ADD ("speed-follows-latency", test_speed_follows_latency);
  ADD ("force-software", test_force_software);
  ADD ("realize-again", test_realize_again);
  ADD ("cap-and-sampling", test_cap_and_sampling);
  ADD ("silent-agent", test_silent_agent);
  ADD ("frame-clock", test_frame_clock);
  ADD ("reduced-motion", test_reduced_motion);
  ADD ("frame-budget", test_frame_budget);
  g_test_add_func ("/stampede/flow-canvas/screenshots", test_screenshots);

#undef ADD

  return g_test_run ();
}
