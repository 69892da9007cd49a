/* test-flow-layout.c — the flow canvas's geometry, timing and ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-flow-canvas.h"
#include "stampede-flow-layout.h"
#include "stampede-flow-particles.h"

static const float sizes[][2] = {
  { 1280, 720 }, { 1920, 1080 }, { 3840, 2160 }, { 1280, 1024 },
  { 2560, 720 }, { 320, 180 },
};

static float
distance (StampedeFlowPoint a,
          StampedeFlowPoint b)
{
  return hypotf (a.x - b.x, a.y - b.y);
}

static void
test_layout_fits (void)
{
  guint s, i, j;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    StampedeFlowLayout l;

    stampede_flow_layout_compute (&l, sizes[s][0], sizes[s][1]);

    for (i = 0; i < STAMPEDE_FLOW_N_NODES; i++) {
      g_assert_cmpfloat (l.node[i].x - l.radius[i], >, 0);
      g_assert_cmpfloat (l.node[i].x + l.radius[i], <, sizes[s][0]);
      g_assert_cmpfloat (l.node[i].y - l.radius[i], >, 0);
      g_assert_cmpfloat (l.node[i].y + l.radius[i], <, l.legend_y);

      for (j = i + 1; j < STAMPEDE_FLOW_N_NODES; j++)
        g_assert_cmpfloat (distance (l.node[i], l.node[j]), >,
                           l.radius[i] + l.radius[j]);
    }

    g_assert_cmpfloat (l.legend_y, <, sizes[s][1]);
  }
}

/* The whole layout grows in proportion from 1280x720 to 4K. */
static void
test_layout_scales (void)
{
  StampedeFlowLayout small, large;
  guint i;

  stampede_flow_layout_compute (&small, 1280, 720);
  stampede_flow_layout_compute (&large, 3840, 2160);

  g_assert_cmpfloat_with_epsilon (large.unit, 3 * small.unit, 1e-5);
  g_assert_cmpfloat_with_epsilon (large.font_px, 3 * small.font_px, 1e-4);
  for (i = 0; i < STAMPEDE_FLOW_N_NODES; i++) {
    g_assert_cmpfloat_with_epsilon (large.node[i].x, 3 * small.node[i].x, 1e-2);
    g_assert_cmpfloat_with_epsilon (large.node[i].y, 3 * small.node[i].y, 1e-2);
  }
}

/* A path starts at ingestion, passes its agent, the reasoning agent and
 * the decision at the times their leg lengths say, and ends at its sink. */
static void
test_layout_path (void)
{
  StampedeFlowLayout l;
  guint agent, sink;

  stampede_flow_layout_compute (&l, 1920, 1080);

  for (agent = 0; agent < 3; agent++)
    for (sink = 0; sink < 4; sink++) {
      StampedeFlowPoint p[5] = {
        l.node[STAMPEDE_FLOW_NODE_INGESTION],
        l.node[STAMPEDE_FLOW_NODE_ANALYZER + agent],
        l.node[STAMPEDE_FLOW_NODE_REASONING],
        l.node[STAMPEDE_FLOW_NODE_DECISION],
        l.node[STAMPEDE_FLOW_NODE_SINK_APPROVED + sink],
      };
      float total = 0, along = 0, last_x = -1;
      guint i;

      for (i = 0; i < 4; i++)
        total += distance (p[i], p[i + 1]);

      for (i = 0; i < 5; i++) {
        StampedeFlowPoint q = stampede_flow_layout_point (&l, agent, sink,
                                                          along / total);

        g_assert_cmpfloat (distance (q, p[i]), <, 0.5f);
        if (i < 4)
          along += distance (p[i], p[i + 1]);
      }

      /* Particles never move backwards. */
      for (i = 0; i <= 100; i++) {
        StampedeFlowPoint q = stampede_flow_layout_point (&l, agent, sink,
                                                          i / 100.0f);

        g_assert_cmpfloat (q.x, >=, last_x - 1e-3f);
        last_x = q.x;
      }
    }
}

static void
test_duration (void)
{
  g_assert_cmpfloat_with_epsilon (stampede_flow_duration_s (0), 1.6, 1e-5);
  g_assert_cmpfloat_with_epsilon (stampede_flow_duration_s (1),
                                  1.6 + 1.1 * log10 (2), 1e-5);
  g_assert_cmpfloat_with_epsilon (stampede_flow_duration_s (1000),
                                  1.6 + 1.1 * log10 (1001), 1e-5);
  g_assert_cmpfloat_with_epsilon (stampede_flow_duration_s (1e9),
                                  1.6 + 1.1 * log10 (60001), 1e-4);
  g_assert_cmpfloat (stampede_flow_duration_s (NAN), ==, 1.6f);
  g_assert_cmpfloat (stampede_flow_duration_s (-5), ==, 1.6f);
  g_assert_cmpfloat (stampede_flow_duration_s (10), <,
                     stampede_flow_duration_s (11));
}

static void
test_route (void)
{
  const float slow_pattern[4] = { 1, 5, 2, 9 };
  const float none[4] = { 0, 0, 0, 0 };
  const float slow_geo[4] = { 0.1f, 0.2f, 0.3f, 0 };

  g_assert_cmpuint (stampede_flow_route_agent (slow_pattern, 7), ==, 1);
  g_assert_cmpuint (stampede_flow_route_agent (slow_geo, 7), ==, 2);
  g_assert_cmpuint (stampede_flow_route_agent (none, 7), ==, 1);
  g_assert_cmpuint (stampede_flow_route_agent (none, 9), ==, 0);

  g_assert_cmpuint (stampede_flow_sink_for_outcome (STAMPEDE_FLOW_APPROVED),
                    ==, 0);
  g_assert_cmpuint (stampede_flow_sink_for_outcome (STAMPEDE_FLOW_FRAUD_MISSED),
                    ==, 0);
  g_assert_cmpuint (stampede_flow_sink_for_outcome (STAMPEDE_FLOW_FRAUD_STOPPED),
                    ==, 1);
  g_assert_cmpuint (stampede_flow_sink_for_outcome (STAMPEDE_FLOW_LEGIT_DECLINED),
                    ==, 2);
  g_assert_cmpuint (stampede_flow_sink_for_outcome (STAMPEDE_FLOW_ERROR),
                    ==, 3);
  g_assert_cmpuint (stampede_flow_sink_for_outcome (200), ==, 3);
}

static void
test_seed (void)
{
  double sum = 0;
  guint64 i;

  for (i = 0; i < 10000; i++) {
    float s = stampede_flow_seed (i);

    g_assert_cmpfloat (s, >=, 0);
    g_assert_cmpfloat (s, <, 1);
    sum += s;
  }

  g_assert_cmpfloat (stampede_flow_seed (3), ==, stampede_flow_seed (3));
  g_assert_cmpfloat (fabs (sum / 10000 - 0.5), <, 0.02);
}

static void
push_marked (StampedeFlowRing *ring,
             guint             n,
             float            *next)
{
  guint i;

  for (i = 0; i < n; i++)
    stampede_flow_ring_push (ring)->spawn_s = (*next)++;
}

static void
test_ring (void)
{
  StampedeFlowRing ring;
  guint start[2], count[2];
  float next = 0;
  guint n;

  stampede_flow_ring_init (&ring, 8);
  g_assert_cmpuint (stampede_flow_ring_take_dirty (&ring, start, count), ==, 0);

  push_marked (&ring, 5, &next);
  g_assert_cmpuint (stampede_flow_ring_get_count (&ring), ==, 5);
  g_assert_cmpuint (stampede_flow_ring_take_dirty (&ring, start, count), ==, 1);
  g_assert_cmpuint (start[0], ==, 0);
  g_assert_cmpuint (count[0], ==, 5);
  g_assert_cmpuint (stampede_flow_ring_take_dirty (&ring, start, count), ==, 0);

  /* Six more wrap around: slots 5, 6, 7 then 0, 1, 2. */
  push_marked (&ring, 6, &next);
  g_assert_cmpuint (stampede_flow_ring_get_count (&ring), ==, 8);
  g_assert_cmpuint (stampede_flow_ring_take_dirty (&ring, start, count), ==, 2);
  g_assert_cmpuint (start[0], ==, 5);
  g_assert_cmpuint (count[0], ==, 3);
  g_assert_cmpuint (start[1], ==, 0);
  g_assert_cmpuint (count[1], ==, 3);
  g_assert_cmpfloat (stampede_flow_ring_get_newest (&ring, 0)->spawn_s, ==, 10);
  g_assert_cmpfloat (stampede_flow_ring_get_newest (&ring, 7)->spawn_s, ==, 3);
  g_assert_null (stampede_flow_ring_get_newest (&ring, 8));

  /* More than the ring holds: everything is dirty once. */
  push_marked (&ring, 20, &next);
  n = stampede_flow_ring_take_dirty (&ring, start, count);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (count[0] + (n == 2 ? count[1] : 0), ==, 8);

  stampede_flow_ring_mark_all_dirty (&ring);
  g_assert_cmpuint (stampede_flow_ring_take_dirty (&ring, start, count), ==, 1);
  g_assert_cmpuint (start[0], ==, 0);
  g_assert_cmpuint (count[0], ==, 8);

  stampede_flow_ring_reset (&ring);
  g_assert_cmpuint (stampede_flow_ring_get_count (&ring), ==, 0);
  g_assert_null (stampede_flow_ring_get_newest (&ring, 0));
  stampede_flow_ring_clear (&ring);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/flow-layout/fits", test_layout_fits);
  g_test_add_func ("/stampede/flow-layout/scales", test_layout_scales);
  g_test_add_func ("/stampede/flow-layout/path", test_layout_path);
  g_test_add_func ("/stampede/flow-layout/duration", test_duration);
  g_test_add_func ("/stampede/flow-layout/route", test_route);
  g_test_add_func ("/stampede/flow-layout/seed", test_seed);
  g_test_add_func ("/stampede/flow-ring/wrap", test_ring);

  return g_test_run ();
}
