/* test-flow-labels.c — the flow canvas's words fit and can be read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The labels are laid out with Pango and the widget's own font, so the
 * test needs a display.  Each label's box must lie inside the canvas,
 * overlap no other label and no node, and be tall enough to read.
 */

#include <math.h>

#include "stampede-flow-canvas.h"
#include "stampede-flow-labels.h"

/* Canvas sizes to check: the canvas of the Presentation page in a
 * 1280x720 window with the header bar (1270x364, logged by tests/app) and
 * full screen on a 1280x720 display (about 1280x420), the whole of the
 * common screens, and short wide strips. */
static const float sizes[][2] = {
  { 1270, 364 }, { 1260, 355 }, { 1280, 420 }, { 1280, 720 }, { 1920, 700 },
  { 1920, 1080 }, { 2560, 1440 }, { 3840, 1400 }, { 3840, 2160 },
  { 1024, 300 },
};

/* A line of text of the smallest label is taller than this. */
#define MIN_LINE_PX 11.0f

/* Labels may touch; they may not cross. */
#define SLACK_PX 0.5f

/* Agent times short and long, and samplings with and without a fraction,
 * so that the widest figures are measured too. */
static const float agent_ms[][4] = {
  { 2.1f, 2.0f, 2.2f, 2.1f },
  { 850.0f, 1234.0f, 99.9f, 0.25f },
  { STAMPEDE_FLOW_AGENT_SILENT, STAMPEDE_FLOW_AGENT_SILENT,
    STAMPEDE_FLOW_AGENT_SILENT, STAMPEDE_FLOW_AGENT_SILENT },
};
static const double represented[] = { 1.0, 1234.5 };

/* Six names, four agent times, four sinks, "fraud missed", and the two
 * halves of the legend. */
#define N_LABELS 17

static gboolean
boxes_cross (const graphene_rect_t *a,
             const graphene_rect_t *b)
{
  return a->origin.x + a->size.width - SLACK_PX > b->origin.x
         && b->origin.x + b->size.width - SLACK_PX > a->origin.x
         && a->origin.y + a->size.height - SLACK_PX > b->origin.y
         && b->origin.y + b->size.height - SLACK_PX > a->origin.y;
}

/* Whether @box reaches inside the disc around @centre. */
static gboolean
box_hits_disc (const graphene_rect_t   *box,
               const StampedeFlowPoint *centre,
               float                    radius)
{
  float x = CLAMP (centre->x, box->origin.x, box->origin.x + box->size.width);
  float y = CLAMP (centre->y, box->origin.y, box->origin.y + box->size.height);

  return hypotf (x - centre->x, y - centre->y) < radius - SLACK_PX;
}

static void
assert_fits (GtkWidget                *widget,
             const StampedeFlowLayout *layout,
             const float               ms[4],
             double                    sampling)
{
  g_autoptr(GArray) boxes = NULL;
  guint i, j;

  boxes = stampede_flow_labels_measure (widget, layout, ms, sampling);
  g_assert_cmpuint (boxes->len, ==, N_LABELS);

  for (i = 0; i < boxes->len; i++) {
    const graphene_rect_t *a = &g_array_index (boxes, graphene_rect_t, i);

    g_assert_cmpfloat (a->size.height, >=, MIN_LINE_PX);
    g_assert_cmpfloat (a->origin.x, >=, 0);
    g_assert_cmpfloat (a->origin.y, >=, 0);
    g_assert_cmpfloat (a->origin.x + a->size.width, <=, layout->width);
    g_assert_cmpfloat (a->origin.y + a->size.height, <=, layout->height);

    for (j = i + 1; j < boxes->len; j++) {
      const graphene_rect_t *b = &g_array_index (boxes, graphene_rect_t, j);

      if (boxes_cross (a, b))
        g_error ("At %gx%g labels %u (%g,%g %gx%g) and %u (%g,%g %gx%g) "
                 "overlap", layout->width, layout->height,
                 i, a->origin.x, a->origin.y, a->size.width, a->size.height,
                 j, b->origin.x, b->origin.y, b->size.width, b->size.height);
    }

    for (j = 0; j < STAMPEDE_FLOW_N_NODES; j++)
      if (box_hits_disc (a, &layout->node[j], layout->radius[j]))
        g_error ("At %gx%g label %u (%g,%g %gx%g) covers node %u",
                 layout->width, layout->height, i, a->origin.x, a->origin.y,
                 a->size.width, a->size.height, j);
  }
}

static void
test_fit (void)
{
  g_autoptr(GtkWidget) widget = g_object_ref_sink (gtk_label_new (NULL));
  guint s, m, r;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    StampedeFlowLayout layout;

    stampede_flow_layout_compute (&layout, sizes[s][0], sizes[s][1]);
    for (m = 0; m < G_N_ELEMENTS (agent_ms); m++)
      for (r = 0; r < G_N_ELEMENTS (represented); r++)
        assert_fits (widget, &layout, agent_ms[m], represented[r]);
  }
}

/* However short the canvas, no label is drawn smaller than 11 pixels;
 * on a large one the labels grow with it. */
static void
test_minimum_size (void)
{
  StampedeFlowLayout short_strip, full_hd, uhd;

  stampede_flow_layout_compute (&short_strip, 1260, 355);
  stampede_flow_layout_compute (&full_hd, 1920, 1080);
  stampede_flow_layout_compute (&uhd, 3840, 2160);

  g_assert_cmpfloat (short_strip.small_px, >=, 11.0f);
  g_assert_cmpfloat (short_strip.font_px, >, short_strip.small_px);
  g_assert_cmpfloat_with_epsilon (full_hd.font_px, 22.5f, 1e-4);
  g_assert_cmpfloat_with_epsilon (uhd.font_px, 45.0f, 1e-4);
  g_assert_cmpfloat_with_epsilon (uhd.small_px, 38.25f, 1e-4);
}

static void
test_no_display (void)
{
  g_test_skip ("No display to lay text out on");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ()) {
    g_test_add_func ("/stampede/flow-labels/no-display", test_no_display);
    return g_test_run ();
  }

  g_test_add_func ("/stampede/flow-labels/fit", test_fit);
  g_test_add_func ("/stampede/flow-labels/minimum-size", test_minimum_size);

  return g_test_run ();
}
