/* stampede-flow-scene.c — what GTK draws of the flow canvas: the backdrop
 * and edges, the nodes, and the software view of the particles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-flow-scene.h"

typedef struct {
  float r;
  float g;
  float b;
} Rgb;

static const Rgb ingestion_rgb = { 0.35f, 0.66f, 1.00f };
static const Rgb agent_rgb = { 0.29f, 0.78f, 1.00f };
static const Rgb reasoning_rgb = { 0.56f, 0.64f, 1.00f };
static const Rgb decision_rgb = { 0.91f, 0.93f, 0.97f };
static const Rgb sink_rgb = { 0.55f, 0.59f, 0.69f };

static void
append_background (GtkSnapshot              *snapshot,
                   const StampedeFlowLayout *layout)
{
  graphene_rect_t bounds;
  graphene_point_t top, bottom, centre;
  const GskColorStop linear[] = {
    { 0.0f, { 0.047f, 0.078f, 0.150f, 1.0f } },
    { 1.0f, { 0.020f, 0.035f, 0.075f, 1.0f } },
  };
  const GskColorStop radial[] = {
    { 0.0f, { 0.090f, 0.160f, 0.300f, 0.55f } },
    { 1.0f, { 0.090f, 0.160f, 0.300f, 0.0f } },
  };

  graphene_rect_init (&bounds, 0, 0, layout->width, layout->height);
  graphene_point_init (&top, 0, 0);
  graphene_point_init (&bottom, 0, layout->height);
  graphene_point_init (&centre, 0.5f * layout->width, 0.45f * layout->height);

  gtk_snapshot_append_linear_gradient (snapshot, &bounds, &top, &bottom,
                                       linear, G_N_ELEMENTS (linear));
  gtk_snapshot_append_radial_gradient (snapshot, &bounds, &centre,
                                       0.62f * layout->width,
                                       0.75f * layout->height,
                                       0.0f, 1.0f,
                                       radial, G_N_ELEMENTS (radial));
}

static void
stroke_edge (cairo_t                  *cr,
             const StampedeFlowLayout *layout,
             StampedeFlowNode          from,
             StampedeFlowNode          to)
{
  StampedeFlowPoint c[4];

  stampede_flow_layout_edge (layout, from, to, c);
  cairo_move_to (cr, c[0].x, c[0].y);
  cairo_curve_to (cr, c[1].x, c[1].y, c[2].x, c[2].y, c[3].x, c[3].y);

  /* A wide faint tube under a thin line reads as a channel. */
  cairo_set_source_rgba (cr, 0.35, 0.50, 0.85, 0.07);
  cairo_set_line_width (cr, 2.0f * layout->spread);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgba (cr, 0.45, 0.60, 0.90, 0.28);
  cairo_set_line_width (cr, 1.5f * layout->unit);
  cairo_stroke (cr);
}

static void
draw_edges (cairo_t                  *cr,
            const StampedeFlowLayout *layout)
{
  guint i;

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (i = 0; i < STAMPEDE_FLOW_N_ROUTE_AGENTS; i++) {
    stroke_edge (cr, layout, STAMPEDE_FLOW_NODE_INGESTION,
                 STAMPEDE_FLOW_NODE_ANALYZER + i);
    stroke_edge (cr, layout, STAMPEDE_FLOW_NODE_ANALYZER + i,
                 STAMPEDE_FLOW_NODE_REASONING);
  }

  stroke_edge (cr, layout, STAMPEDE_FLOW_NODE_REASONING,
               STAMPEDE_FLOW_NODE_DECISION);

  for (i = 0; i < STAMPEDE_FLOW_N_SINKS; i++)
    stroke_edge (cr, layout, STAMPEDE_FLOW_NODE_DECISION,
                 STAMPEDE_FLOW_NODE_SINK_APPROVED + i);
}

/* Two chevrons: transactions streaming in. */
static void
icon_ingestion (cairo_t *cr,
                float    s)
{
  cairo_move_to (cr, -0.55 * s, -0.45 * s);
  cairo_line_to (cr, -0.10 * s, 0);
  cairo_line_to (cr, -0.55 * s, 0.45 * s);
  cairo_move_to (cr, 0.05 * s, -0.45 * s);
  cairo_line_to (cr, 0.50 * s, 0);
  cairo_line_to (cr, 0.05 * s, 0.45 * s);
  cairo_stroke (cr);
}

/* Bars: the amount against the card's usual spend. */
static void
icon_analyzer (cairo_t *cr,
               float    s)
{
  static const double heights[] = { 0.45, 0.95, 0.70 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (heights); i++) {
    double x = (-0.45 + 0.45 * i) * s;

    cairo_move_to (cr, x, 0.5 * s);
    cairo_line_to (cr, x, (0.5 - heights[i]) * s);
  }
  cairo_stroke (cr);
}

/* A grid of dots with a path through it: a pattern over time. */
static void
icon_pattern (cairo_t *cr,
              float    s)
{
  int i, j;

  for (i = -1; i <= 1; i++)
    for (j = -1; j <= 1; j++) {
      cairo_new_sub_path (cr);
      cairo_arc (cr, 0.45 * s * i, 0.45 * s * j, 0.07 * s, 0, 2 * G_PI);
    }
  cairo_fill (cr);

  cairo_move_to (cr, -0.45 * s, 0.45 * s);
  cairo_line_to (cr, 0, -0.45 * s);
  cairo_line_to (cr, 0.45 * s, 0);
  cairo_stroke (cr);
}

/* A globe. */
static void
icon_geo (cairo_t *cr,
          float    s)
{
  cairo_arc (cr, 0, 0, 0.55 * s, 0, 2 * G_PI);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_scale (cr, 0.45, 1.0);
  cairo_arc (cr, 0, 0, 0.55 * s, 0, 2 * G_PI);
  cairo_restore (cr);
  cairo_stroke (cr);

  cairo_move_to (cr, -0.55 * s, 0);
  cairo_line_to (cr, 0.55 * s, 0);
  cairo_stroke (cr);
}

/* Three findings joined into one judgement. */
static void
icon_reasoning (cairo_t *cr,
                float    s)
{
  static const double corners[3][2] = {
    { 0.0, -0.5 }, { -0.48, 0.35 }, { 0.48, 0.35 },
  };
  guint i;

  for (i = 0; i < 3; i++) {
    cairo_move_to (cr, corners[i][0] * s, corners[i][1] * s);
    cairo_line_to (cr, 0, 0);
  }
  cairo_stroke (cr);

  for (i = 0; i < 3; i++) {
    cairo_new_sub_path (cr);
    cairo_arc (cr, corners[i][0] * s, corners[i][1] * s, 0.13 * s,
               0, 2 * G_PI);
  }
  cairo_new_sub_path (cr);
  cairo_arc (cr, 0, 0, 0.16 * s, 0, 2 * G_PI);
  cairo_fill (cr);
}

/* The flowchart's decision diamond with a tick. */
static void
icon_decision (cairo_t *cr,
               float    s)
{
  cairo_move_to (cr, 0, -0.62 * s);
  cairo_line_to (cr, 0.62 * s, 0);
  cairo_line_to (cr, 0, 0.62 * s);
  cairo_line_to (cr, -0.62 * s, 0);
  cairo_close_path (cr);
  cairo_stroke (cr);

  cairo_move_to (cr, -0.24 * s, 0.0);
  cairo_line_to (cr, -0.06 * s, 0.18 * s);
  cairo_line_to (cr, 0.26 * s, -0.16 * s);
  cairo_stroke (cr);
}

static void
draw_node_glow (cairo_t                  *cr,
                const StampedeFlowLayout *layout,
                StampedeFlowNode          node,
                const Rgb                *rgb)
{
  StampedeFlowPoint c = layout->node[node];
  float r = layout->radius[node];
  cairo_pattern_t *glow;

  glow = cairo_pattern_create_radial (c.x, c.y, 0.7 * r, c.x, c.y, 2.1 * r);
  cairo_pattern_add_color_stop_rgba (glow, 0, rgb->r, rgb->g, rgb->b, 0.26);
  cairo_pattern_add_color_stop_rgba (glow, 1, rgb->r, rgb->g, rgb->b, 0);
  cairo_set_source (cr, glow);
  cairo_arc (cr, c.x, c.y, 2.1 * r, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (glow);
}

static void
draw_node_face (cairo_t                  *cr,
                const StampedeFlowLayout *layout,
                StampedeFlowNode          node,
                const Rgb                *rgb,
                double                    opacity)
{
  StampedeFlowPoint c = layout->node[node];
  float r = layout->radius[node];
  cairo_pattern_t *face;

  /* A face lit from the top left. */
  face = cairo_pattern_create_radial (c.x - 0.35 * r, c.y - 0.45 * r, 0,
                                      c.x, c.y, r);
  cairo_pattern_add_color_stop_rgba (face, 0, 0.11, 0.17, 0.30, opacity);
  cairo_pattern_add_color_stop_rgba (face, 1, 0.05, 0.08, 0.16, opacity);
  cairo_set_source (cr, face);
  cairo_arc (cr, c.x, c.y, r, 0, 2 * G_PI);
  cairo_fill_preserve (cr);
  cairo_pattern_destroy (face);

  cairo_set_source_rgba (cr, rgb->r, rgb->g, rgb->b, 0.9);
  cairo_set_line_width (cr, MAX (1.0f, 2.0f * layout->unit));
  cairo_stroke (cr);
}

static void
draw_icon (cairo_t                  *cr,
           const StampedeFlowLayout *layout,
           StampedeFlowNode          node,
           const Rgb                *rgb)
{
  StampedeFlowPoint c = layout->node[node];
  float s = 0.5f * layout->radius[node];

  cairo_save (cr);
  cairo_translate (cr, c.x, c.y);
  cairo_set_source_rgba (cr, rgb->r, rgb->g, rgb->b, 1.0);
  cairo_set_line_width (cr, MAX (1.2f, 2.4f * layout->unit));
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  switch (node) {
    case STAMPEDE_FLOW_NODE_INGESTION:
      icon_ingestion (cr, s);
      break;
    case STAMPEDE_FLOW_NODE_ANALYZER:
      icon_analyzer (cr, s);
      break;
    case STAMPEDE_FLOW_NODE_PATTERN:
      icon_pattern (cr, s);
      break;
    case STAMPEDE_FLOW_NODE_GEO:
      icon_geo (cr, s);
      break;
    case STAMPEDE_FLOW_NODE_REASONING:
      icon_reasoning (cr, s);
      break;
    case STAMPEDE_FLOW_NODE_DECISION:
      icon_decision (cr, s);
      break;
    default:
      break;
  }

  cairo_restore (cr);
}

typedef struct {
  StampedeFlowNode node;
  const Rgb       *rgb;
} NodeStyle;

static const NodeStyle main_nodes[] = {
  { STAMPEDE_FLOW_NODE_INGESTION, &ingestion_rgb },
  { STAMPEDE_FLOW_NODE_ANALYZER, &agent_rgb },
  { STAMPEDE_FLOW_NODE_PATTERN, &agent_rgb },
  { STAMPEDE_FLOW_NODE_GEO, &agent_rgb },
  { STAMPEDE_FLOW_NODE_REASONING, &reasoning_rgb },
  { STAMPEDE_FLOW_NODE_DECISION, &decision_rgb },
};

/* Under the particles: every glow, and the sinks whole, so that arriving
 * particles light them up. */
static void
draw_nodes_under (cairo_t                  *cr,
                  const StampedeFlowLayout *layout)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (main_nodes); i++)
    draw_node_glow (cr, layout, main_nodes[i].node, main_nodes[i].rgb);

  for (i = 0; i < STAMPEDE_FLOW_N_SINKS; i++) {
    StampedeFlowNode node = STAMPEDE_FLOW_NODE_SINK_APPROVED + i;

    draw_node_glow (cr, layout, node, &sink_rgb);
    draw_node_face (cr, layout, node, &sink_rgb, 0.96);
  }
}

/**
 * stampede_flow_scene_backdrop:
 * @layout: where the nodes are
 *
 * Draws what does not move and lies under the particles: the background,
 * the edges, the nodes' glow and the sinks.  Sinks are a neutral grey so
 * that only particles give them colour.  The canvas keeps the node until
 * the size changes.
 *
 * Returns: (transfer full): the backdrop
 */
GskRenderNode *
stampede_flow_scene_backdrop (const StampedeFlowLayout *layout)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  graphene_rect_t bounds;
  cairo_t *cr;

  g_return_val_if_fail (layout != NULL, NULL);

  snapshot = gtk_snapshot_new ();
  append_background (snapshot, layout);

  graphene_rect_init (&bounds, 0, 0, layout->width, layout->height);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  draw_edges (cr, layout);
  draw_nodes_under (cr, layout);
  cairo_destroy (cr);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/**
 * stampede_flow_scene_nodes:
 * @layout: where the nodes are
 *
 * Draws the faces and glyphs of ingestion, the agents and the decision
 * over the particles: a particle passes through a node as through a
 * frosted window, so a busy node takes on the colours it handles while
 * its glyph stays sharp.
 *
 * Returns: (transfer full): the node faces
 */
GskRenderNode *
stampede_flow_scene_nodes (const StampedeFlowLayout *layout)
{
  g_autoptr(GtkSnapshot) snapshot = NULL;
  graphene_rect_t bounds;
  cairo_t *cr;
  guint i;

  g_return_val_if_fail (layout != NULL, NULL);

  snapshot = gtk_snapshot_new ();
  graphene_rect_init (&bounds, 0, 0, layout->width, layout->height);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  for (i = 0; i < G_N_ELEMENTS (main_nodes); i++) {
    draw_node_face (cr, layout, main_nodes[i].node, main_nodes[i].rgb, 0.8);
    draw_icon (cr, layout, main_nodes[i].node, main_nodes[i].rgb);
  }
  cairo_destroy (cr);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* GLSL's smoothstep(), for the software twin of the vertex shader. */
static float
smoothstep (float edge0,
            float edge1,
            float x)
{
  float t = CLAMP ((x - edge0) / (edge1 - edge0), 0.0f, 1.0f);

  return t * t * (3.0f - 2.0f * t);
}

static void
draw_particle (cairo_t                    *cr,
               const StampedeFlowLayout   *layout,
               const StampedeFlowParticle *p,
               const StampedeFlowClock    *clock)
{
  guint route = (guint) (p->route + 0.5f);
  float age = clock->time_s - p->spawn_s;
  float u = age / p->duration_s;
  float hold = 1.0f - CLAMP ((age - p->duration_s) / clock->hold_s,
                             0.0f, 1.0f);
  float a = smoothstep (0.0f, 0.03f, u) * hold * hold * p->rgba[3] / 255.0f;
  float settle = 1.0f - 0.65f * smoothstep (0.9f, 1.0f, u);
  float offset = (p->seed * 2.0f - 1.0f) * layout->spread * settle;
  float r = layout->particle_radius;
  double red = p->rgba[0] / 255.0;
  double green = p->rgba[1] / 255.0;
  double blue = p->rgba[2] / 255.0;
  StampedeFlowPoint head, tail;
  cairo_pattern_t *glow;

  head = stampede_flow_layout_point (layout, route % 4, route / 4, u);
  head.y += offset;

  if (clock->trail_s > 0.0f) {
    cairo_pattern_t *fadeout;

    tail = stampede_flow_layout_point (layout, route % 4, route / 4,
                                       u - clock->trail_s / p->duration_s);
    tail.y += offset;
    fadeout = cairo_pattern_create_linear (tail.x, tail.y, head.x, head.y);
    cairo_pattern_add_color_stop_rgba (fadeout, 0, red, green, blue, 0);
    cairo_pattern_add_color_stop_rgba (fadeout, 1, red, green, blue, 0.5 * a);
    cairo_set_source (cr, fadeout);
    cairo_set_line_width (cr, 0.5f * r);
    cairo_move_to (cr, tail.x, tail.y);
    cairo_line_to (cr, head.x, head.y);
    cairo_stroke (cr);
    cairo_pattern_destroy (fadeout);
  }

  glow = cairo_pattern_create_radial (head.x, head.y, 0,
                                      head.x, head.y, r);
  cairo_pattern_add_color_stop_rgba (glow, 0, 1, 1, 1, a);
  cairo_pattern_add_color_stop_rgba (glow, 0.18, red, green, blue, a);
  cairo_pattern_add_color_stop_rgba (glow, 0.45, red, green, blue, 0.35 * a);
  cairo_pattern_add_color_stop_rgba (glow, 1, red, green, blue, 0);
  cairo_set_source (cr, glow);
  cairo_arc (cr, head.x, head.y, r, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (glow);
}

/**
 * stampede_flow_scene_particles:
 * @snapshot: where to draw
 * @layout: where the nodes are
 * @ring: the particles
 * @clock: the frame's time
 * @max_drawn: draw at most this many, the newest first
 *
 * The software view of the particles, for when there is no GL: the same
 * paths as the shader, drawn with cairo, and bounded so that a frame stays
 * affordable on the CPU.
 *
 * Returns: how many particles were drawn
 */
guint
stampede_flow_scene_particles (GtkSnapshot              *snapshot,
                               const StampedeFlowLayout *layout,
                               const StampedeFlowRing   *ring,
                               const StampedeFlowClock  *clock,
                               guint                     max_drawn)
{
  graphene_rect_t bounds;
  guint count, drawn = 0;
  cairo_t *cr = NULL;
  guint i;

  g_return_val_if_fail (GTK_IS_SNAPSHOT (snapshot), 0);
  g_return_val_if_fail (layout != NULL && ring != NULL && clock != NULL, 0);

  count = stampede_flow_ring_get_count (ring);
  graphene_rect_init (&bounds, 0, 0, layout->width, layout->height);

  for (i = 0; i < count && drawn < max_drawn; i++) {
    const StampedeFlowParticle *p = stampede_flow_ring_get_newest (ring, i);
    float age = clock->time_s - p->spawn_s;

    if (age < 0.0f || age > p->duration_s + clock->hold_s)
      continue;

    if (cr == NULL) {
      cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      cairo_set_operator (cr, CAIRO_OPERATOR_ADD);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    }

    draw_particle (cr, layout, p, clock);
    drawn++;
  }

  g_clear_pointer (&cr, cairo_destroy);

  return drawn;
}
