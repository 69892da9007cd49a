/* stampede-flow-layout.c — where the flow canvas puts its nodes and paths
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The path functions here are the CPU twin of shaders/flow-particles.vert:
 * the software view and the tests use them, the GPU runs the shader.  A
 * change to one must be made to the other.
 */

#include <math.h>

#include "stampede-flow-canvas.h"
#include "stampede-flow-layout.h"

/* Columns of the flow, as fractions of the width. */
#define COLUMN_INGESTION 0.10f
#define COLUMN_AGENTS    0.34f
#define COLUMN_REASONING 0.56f
#define COLUMN_DECISION  0.73f
#define COLUMN_SINKS     0.86f

/* The reference size: all lengths below are logical pixels at 1280x720 and
 * grow with the canvas. */
#define BASE_WIDTH  1280.0f
#define BASE_HEIGHT 720.0f

/* How strongly particles slow down as they pass a node, 0 to 1. */
#define NODE_EASE 0.4f

/* The smallest label sizes, in logical pixels.  The canvas is often much
 * shorter than the window (hero cards above, the narrative below), and
 * text scaled with it would shrink past reading. */
#define MIN_FONT_PX  13.0f
#define MIN_SMALL_PX 11.0f

/* The height of a line of text, as a multiple of its size: what Pango
 * gives for the UI fonts, with a little to spare. */
#define LINE_HEIGHT 1.3f

/* Fits the three side-by-side agents, @spacing apart around @cy: when
 * the names and times under the lowest one would reach past @bottom, or
 * the highest one past @top, the agents move closer together and the
 * whole flow moves to the middle of the room there is. */
static void
fit_agents (const StampedeFlowLayout *layout,
            float                    *cy,
            float                    *spacing,
            float                     top,
            float                     bottom)
{
  float r = layout->radius[STAMPEDE_FLOW_NODE_ANALYZER];
  float below = r + 8.0f * layout->unit
                + LINE_HEIGHT * (layout->font_px + layout->small_px);
  float lowest = bottom - below;
  float highest = top + r;

  if (*cy + *spacing <= lowest && *cy - *spacing >= highest)
    return;

  *spacing = MAX (0.5f * (lowest - highest), 0.0f);
  *cy = 0.5f * (lowest + highest);
}

void
stampede_flow_layout_compute (StampedeFlowLayout *layout,
                              float               width,
                              float               height)
{
  float top, bottom, cy, half, spacing, r;
  guint i;

  g_return_if_fail (layout != NULL);

  width = MAX (width, 1.0f);
  height = MAX (height, 1.0f);

  layout->width = width;
  layout->height = height;
  layout->unit = MAX (MIN (width / BASE_WIDTH, height / BASE_HEIGHT), 0.35f);
  layout->font_px = MAX (15.0f * layout->unit, MIN_FONT_PX);
  layout->small_px = MAX (12.75f * layout->unit, MIN_SMALL_PX);
  layout->legend_y = height - MAX (30.0f * layout->unit,
                                   1.9f * layout->font_px);

  /* The flow fills the space above the legend row. */
  top = 0.06f * height;
  bottom = layout->legend_y - MAX (44.0f * layout->unit,
                                   2.4f * layout->font_px);
  cy = 0.5f * (top + bottom);
  half = 0.5f * (bottom - top);
  r = 38.0f * layout->unit;

  for (i = 0; i < STAMPEDE_FLOW_N_NODES; i++)
    layout->radius[i] = i >= STAMPEDE_FLOW_NODE_SINK_APPROVED ? 0.42f * r : r;

  /* The agents' labels end above the legend's text, which is centred on
   * its row, with a little room between them. */
  spacing = 0.62f * half;
  fit_agents (layout, &cy, &spacing, 0.03f * height,
              layout->legend_y - 1.1f * layout->font_px);

  layout->node[STAMPEDE_FLOW_NODE_INGESTION] =
    (StampedeFlowPoint) { COLUMN_INGESTION * width, cy };
  layout->node[STAMPEDE_FLOW_NODE_REASONING] =
    (StampedeFlowPoint) { COLUMN_REASONING * width, cy };
  layout->node[STAMPEDE_FLOW_NODE_DECISION] =
    (StampedeFlowPoint) { COLUMN_DECISION * width, cy };

  for (i = 0; i < STAMPEDE_FLOW_N_ROUTE_AGENTS; i++)
    layout->node[STAMPEDE_FLOW_NODE_ANALYZER + i] = (StampedeFlowPoint) {
      COLUMN_AGENTS * width, cy + ((float) i - 1.0f) * spacing
    };

  for (i = 0; i < STAMPEDE_FLOW_N_SINKS; i++)
    layout->node[STAMPEDE_FLOW_NODE_SINK_APPROVED + i] = (StampedeFlowPoint) {
      COLUMN_SINKS * width, cy + ((float) i - 1.5f) * 0.58f * spacing
    };

  layout->particle_radius = 9.0f * layout->unit;
  layout->spread = 0.45f * r;
}

/* A cubic curve that leaves and enters its nodes horizontally. */
static StampedeFlowPoint
curve_point (StampedeFlowPoint a,
             StampedeFlowPoint b,
             float             s)
{
  float dx = 0.5f * (b.x - a.x);
  float r = 1.0f - s;
  float w0 = r * r * r;
  float w1 = 3.0f * r * r * s;
  float w2 = 3.0f * r * s * s;
  float w3 = s * s * s;

  return (StampedeFlowPoint) {
    w0 * a.x + w1 * (a.x + dx) + w2 * (b.x - dx) + w3 * b.x,
    w0 * a.y + w1 * a.y + w2 * b.y + w3 * b.y,
  };
}

static float
distance (StampedeFlowPoint a,
          StampedeFlowPoint b)
{
  return hypotf (b.x - a.x, b.y - a.y);
}

/* The centre of the stream at @u in [0, 1] along the route through @agent
 * (0..2) to @sink (0..3).  Each leg takes a share of the time in proportion
 * to its length, and particles slow down a little at every node. */
StampedeFlowPoint
stampede_flow_layout_point (const StampedeFlowLayout *layout,
                            guint                     agent,
                            guint                     sink,
                            float                     u)
{
  const StampedeFlowPoint origin = { 0.0f, 0.0f };
  StampedeFlowPoint p[5];
  float length[4];
  float total = 0.0f;
  float at, s;
  guint i;

  g_return_val_if_fail (layout != NULL, origin);

  agent = MIN (agent, STAMPEDE_FLOW_N_ROUTE_AGENTS - 1);
  sink = MIN (sink, STAMPEDE_FLOW_N_SINKS - 1);
  p[0] = layout->node[STAMPEDE_FLOW_NODE_INGESTION];
  p[1] = layout->node[STAMPEDE_FLOW_NODE_ANALYZER + agent];
  p[2] = layout->node[STAMPEDE_FLOW_NODE_REASONING];
  p[3] = layout->node[STAMPEDE_FLOW_NODE_DECISION];
  p[4] = layout->node[STAMPEDE_FLOW_NODE_SINK_APPROVED + sink];

  for (i = 0; i < 4; i++) {
    length[i] = MAX (distance (p[i], p[i + 1]), 1e-3f);
    total += length[i];
  }

  at = CLAMP (u, 0.0f, 1.0f) * total;
  for (i = 0; i < 3 && at > length[i]; i++)
    at -= length[i];

  s = CLAMP (at / length[i], 0.0f, 1.0f);
  s += NODE_EASE * (s * s * (3.0f - 2.0f * s) - s);

  return curve_point (p[i], p[i + 1], s);
}

/* The Bézier control points of the edge from @from to @to, the same curve
 * the particles follow. */
void
stampede_flow_layout_edge (const StampedeFlowLayout *layout,
                           StampedeFlowNode          from,
                           StampedeFlowNode          to,
                           StampedeFlowPoint         control[4])
{
  StampedeFlowPoint a, b;
  float dx;

  g_return_if_fail (layout != NULL);
  g_return_if_fail (from < STAMPEDE_FLOW_N_NODES);
  g_return_if_fail (to < STAMPEDE_FLOW_N_NODES);

  a = layout->node[from];
  b = layout->node[to];
  dx = 0.5f * (b.x - a.x);

  control[0] = a;
  control[1] = (StampedeFlowPoint) { a.x + dx, a.y };
  control[2] = (StampedeFlowPoint) { b.x - dx, b.y };
  control[3] = b;
}

/* Seconds a particle takes from ingestion to its sink.  Log-scaled so that
 * 1 ms and 1 s both read at a glance: 1 ms takes about 1.9 s, 1 s about
 * 4.9 s, and a minute (the slowest there is) 6.9 s. */
float
stampede_flow_duration_s (float latency_ms)
{
  if (!isfinite (latency_ms) || latency_ms < 0.0f)
    latency_ms = 0.0f;

  latency_ms = MIN (latency_ms, 60000.0f);

  return 1.6f + 1.1f * log10f (1.0f + latency_ms);
}

/* The side-by-side agent a particle passes through: the slowest of the
 * three, which was on the transaction's critical path.  Without agent
 * timings the particles take turns. */
guint
stampede_flow_route_agent (const float agent_ms[4],
                           guint64     serial)
{
  guint best = 0;
  guint i;

  g_return_val_if_fail (agent_ms != NULL, 0);

  for (i = 1; i < STAMPEDE_FLOW_N_ROUTE_AGENTS; i++)
    if (agent_ms[i] > agent_ms[best])
      best = i;

  if (!(agent_ms[best] > 0.0f))
    return serial % STAMPEDE_FLOW_N_ROUTE_AGENTS;

  return best;
}

guint
stampede_flow_sink_for_outcome (guint outcome)
{
  switch (outcome) {
    case STAMPEDE_FLOW_APPROVED:
    case STAMPEDE_FLOW_FRAUD_MISSED:
      return 0;
    case STAMPEDE_FLOW_FRAUD_STOPPED:
      return 1;
    case STAMPEDE_FLOW_LEGIT_DECLINED:
      return 2;
    default:
      return 3;
  }
}

/* A well-mixed number in [0, 1) for a particle's place across the stream,
 * the same for the same serial (splitmix64). */
float
stampede_flow_seed (guint64 serial)
{
  guint64 z = serial + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  z ^= z >> 31;

  return (float) (z >> 40) / (float) (G_GUINT64_CONSTANT (1) << 24);
}

void
stampede_flow_outcome_rgb (guint outcome,
                           float rgb[3])
{
  static const float palette[STAMPEDE_FLOW_N_OUTCOMES][3] = {
    [STAMPEDE_FLOW_APPROVED] = { 0.18f, 0.90f, 0.77f },
    [STAMPEDE_FLOW_FRAUD_STOPPED] = { 1.00f, 0.67f, 0.18f },
    [STAMPEDE_FLOW_LEGIT_DECLINED] = { 0.93f, 0.33f, 0.88f },
    [STAMPEDE_FLOW_ERROR] = { 0.97f, 0.30f, 0.22f },
    [STAMPEDE_FLOW_FRAUD_MISSED] = { 0.65f, 0.42f, 1.00f },
  };

  g_return_if_fail (rgb != NULL);

  if (outcome >= STAMPEDE_FLOW_N_OUTCOMES)
    outcome = STAMPEDE_FLOW_ERROR;

  rgb[0] = palette[outcome][0];
  rgb[1] = palette[outcome][1];
  rgb[2] = palette[outcome][2];
}
