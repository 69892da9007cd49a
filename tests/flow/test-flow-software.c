/* test-flow-software.c — the flow canvas on a machine without GL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GL is turned off with GDK_DEBUG=gl-disable before GTK starts, as on a
 * machine without a usable driver: the GtkGLArea fails to realize and the
 * canvas must draw its nodes and particles itself.
 */

#include "flow-test-util.h"

#define LATENCY_MS 30.0f
#define BATCH      10

static const guint outcomes[] = {
  STAMPEDE_FLOW_APPROVED, STAMPEDE_FLOW_FRAUD_STOPPED,
  STAMPEDE_FLOW_LEGIT_DECLINED, STAMPEDE_FLOW_ERROR,
};

static void
test_fallback (void)
{
  StampedeFlowCanvas *canvas;
  GtkWidget *window = flow_test_window_new (1280, 720, &canvas);
  float duration = stampede_flow_duration_s (LATENCY_MS);
  g_autoptr(FlowImage) empty = NULL;
  StampedeFlowLayout layout;
  guint i;

  g_object_ref (canvas);
  stampede_flow_layout_compute (&layout, 1280, 720);
  g_assert_true (stampede_flow_canvas_get_software (canvas));
  stampede_flow_canvas_set_paused (canvas, TRUE);

  /* Every node is drawn: its ring and glyph are brighter than any
   * backdrop pixel, and no outcome colour shows yet. */
  empty = flow_test_capture (GTK_WIDGET (canvas), NULL);
  for (i = 0; i < STAMPEDE_FLOW_N_NODES; i++) {
    FlowBox node = { layout.node[i].x, layout.node[i].y,
                     layout.radius[i], layout.radius[i] };

    g_assert_cmpuint (flow_test_count_bright (empty, &node, 0.45f), >, 10);
    g_assert_cmpuint (flow_test_count_any (empty, &node), ==, 0);
  }

  for (i = 0; i < G_N_ELEMENTS (outcomes); i++) {
    guint agent = i % 3;
    g_autoptr(FlowImage) mid = NULL;
    g_autoptr(FlowImage) end = NULL;
    g_autoptr(FlowImage) mid_light = NULL;
    g_autoptr(FlowImage) end_light = NULL;
    float u = flow_test_leg_middle (&layout, agent, outcomes[i], 1);
    FlowBox path = flow_test_particle_box (&layout, agent, outcomes[i], u);
    FlowBox sink = flow_test_sink_box (&layout, outcomes[i]);

    stampede_flow_canvas_clear (canvas);
    g_assert_cmpuint (flow_test_count_any (empty, &path), ==, 0);

    flow_test_add_batch (canvas, outcomes[i], agent, LATENCY_MS, BATCH);
    stampede_flow_canvas_advance (canvas, u * duration);
    flow_test_run_frames (window, 2);
    mid = flow_test_capture (GTK_WIDGET (canvas),
                             i == 0 ? "flow-canvas-software-1280x720.png"
                                    : NULL);
    mid_light = flow_test_light (mid, empty);
    g_assert_cmpuint (flow_test_count (mid_light, &path, outcomes[i]), >=, 15);

    stampede_flow_canvas_advance (canvas, (1 - u) * duration + 0.1);
    flow_test_run_frames (window, 2);
    end = flow_test_capture (GTK_WIDGET (canvas), NULL);
    end_light = flow_test_light (end, empty);
    g_assert_cmpuint (flow_test_count (end_light, &sink, outcomes[i]), >=, 15);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (canvas);
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
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ()) {
    g_test_add_func ("/stampede/flow-software/no-display", test_no_display);
    return g_test_run ();
  }

  g_test_add_func ("/stampede/flow-software/fallback", test_fallback);

  return g_test_run ();
}
