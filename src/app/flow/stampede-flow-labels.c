/* stampede-flow-labels.c — the words on the flow canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Node names, the agents' recent mean times, the sinks' names in their
 * outcome colours, and the legend row: drawn by GTK with Pango over the
 * particles, sized from the layout so they grow with the canvas.
 */

#include <math.h>

#include <glib/gi18n.h>

#include "stampede-flow-canvas.h"
#include "stampede-flow-labels.h"

typedef struct {
  GtkWidget                *widget;
  GtkSnapshot              *snapshot;
  const StampedeFlowLayout *layout;
  GArray                   *boxes;
} Labels;

static PangoLayout *
make_layout (GtkWidget   *widget,
             const char  *text,
             float        size_px,
             PangoWeight  weight)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoContext *context = pango_layout_get_context (layout);
  g_autoptr(PangoFontDescription) font = NULL;

  font = pango_font_description_copy (
      pango_context_get_font_description (context));
  pango_font_description_set_absolute_size (font, size_px * PANGO_SCALE);
  pango_font_description_set_weight (font, weight);
  pango_layout_set_font_description (layout, font);

  return layout;
}

/* Draws @text with its top edge at @y; @align_x is 0 for left aligned at
 * @x, 0.5 for centred on it, 1 for right aligned.  Returns the height. */
static float
append_text (Labels        *labels,
             const char    *text,
             float          size_px,
             PangoWeight    weight,
             const GdkRGBA *color,
             float          x,
             float          y,
             float          align_x)
{
  g_autoptr(PangoLayout) layout = NULL;
  int width, height;

  layout = make_layout (labels->widget, text, size_px, weight);
  pango_layout_get_pixel_size (layout, &width, &height);

  if (labels->boxes != NULL) {
    graphene_rect_t box;

    graphene_rect_init (&box, x - align_x * width, y, width, height);
    g_array_append_val (labels->boxes, box);
  }

  gtk_snapshot_save (labels->snapshot);
  gtk_snapshot_translate (labels->snapshot,
                          &GRAPHENE_POINT_INIT (x - align_x * width, y));
  gtk_snapshot_append_layout (labels->snapshot, layout, color);
  gtk_snapshot_restore (labels->snapshot);

  return height;
}

static char *
format_ms (float ms)
{
  if (ms < 1.0f)
    return g_strdup_printf (_("%.2f ms"), ms);
  if (ms < 100.0f)
    return g_strdup_printf (_("%.1f ms"), ms);

  return g_strdup_printf (_("%.0f ms"), ms);
}

static char *
format_represented (double represented)
{
  g_autofree char *number = NULL;

  if (fabs (represented - round (represented)) < 0.05)
    number = g_strdup_printf ("%.0f", round (represented));
  else
    number = g_strdup_printf ("%.1f", represented);

  return g_strdup_printf (ngettext ("1 particle = %s transaction",
                                    "1 particle = %s transactions",
                                    represented < 1.05 ? 1 : 2),
                          number);
}

/* Names under ingestion, the agents and the decision; under each agent
 * its recent mean time when the target reports one. */
static void
append_node_labels (Labels      *labels,
                    const float  agent_ms[4])
{
  const char *names[] = {
    [STAMPEDE_FLOW_NODE_INGESTION] = _("Ingestion"),
    [STAMPEDE_FLOW_NODE_ANALYZER] = _("Transaction analyzer"),
    [STAMPEDE_FLOW_NODE_PATTERN] = _("Pattern detector"),
    [STAMPEDE_FLOW_NODE_GEO] = _("Geo / risk"),
    [STAMPEDE_FLOW_NODE_REASONING] = _("Reasoning"),
    [STAMPEDE_FLOW_NODE_DECISION] = _("Decision"),
  };
  const GdkRGBA name_color = { 0.86f, 0.90f, 0.97f, 0.95f };
  const GdkRGBA figure_color = { 0.58f, 0.66f, 0.80f, 0.95f };
  const StampedeFlowLayout *l = labels->layout;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    float x = l->node[i].x;
    float y = l->node[i].y + l->radius[i] + 8.0f * l->unit;
    int agent = (int) i - STAMPEDE_FLOW_NODE_ANALYZER;

    if (i == STAMPEDE_FLOW_NODE_REASONING)
      agent = 3;

    y += append_text (labels, names[i], l->font_px, PANGO_WEIGHT_SEMIBOLD,
                      &name_color, x, y, 0.5f);

    if (agent >= 0 && agent < 4 && agent_ms[agent] != 0.0f) {
      g_autofree char *ms = agent_ms[agent] > 0.0f
                            ? format_ms (agent_ms[agent])
                            : g_strdup (_("not reporting"));

      append_text (labels, ms, l->small_px, PANGO_WEIGHT_NORMAL,
                   &figure_color, x, y, 0.5f);
    }
  }
}

/* The sinks' names, in their outcome colours: the legend of the
 * particles. */
static void
append_sink_labels (Labels *labels)
{
  static const guint outcomes[STAMPEDE_FLOW_N_SINKS] = {
    STAMPEDE_FLOW_APPROVED, STAMPEDE_FLOW_FRAUD_STOPPED,
    STAMPEDE_FLOW_LEGIT_DECLINED, STAMPEDE_FLOW_ERROR,
  };
  const char *names[STAMPEDE_FLOW_N_SINKS] = {
    _("Approved"), _("Fraud stopped"), _("Legit declined"), _("Error"),
  };
  const StampedeFlowLayout *l = labels->layout;
  guint i;

  for (i = 0; i < STAMPEDE_FLOW_N_SINKS; i++) {
    guint node = STAMPEDE_FLOW_NODE_SINK_APPROVED + i;
    float x = l->node[node].x + l->radius[node] + 10.0f * l->unit;
    float y = l->node[node].y - 0.68f * l->font_px;
    float rgb[3];
    GdkRGBA color;

    stampede_flow_outcome_rgb (outcomes[i], rgb);
    color = (GdkRGBA) { rgb[0], rgb[1], rgb[2], 1.0f };
    y += append_text (labels, names[i], l->font_px, PANGO_WEIGHT_SEMIBOLD,
                      &color, x, y, 0.0f);

    /* Missed fraud takes the approved path in a colour of its own. */
    if (outcomes[i] == STAMPEDE_FLOW_APPROVED) {
      stampede_flow_outcome_rgb (STAMPEDE_FLOW_FRAUD_MISSED, rgb);
      color = (GdkRGBA) { rgb[0], rgb[1], rgb[2], 1.0f };
      append_text (labels, _("fraud missed"), l->small_px,
                   PANGO_WEIGHT_NORMAL, &color, x, y, 0.0f);
    }
  }
}

/* The sampling on the left, what speed means on the right. */
static void
append_legend (Labels *labels,
               double  represented)
{
  const GdkRGBA color = { 0.62f, 0.69f, 0.82f, 0.95f };
  const StampedeFlowLayout *l = labels->layout;
  g_autofree char *sampling = format_represented (represented);
  float y = l->legend_y - 0.6f * l->font_px;
  float margin = MAX (24.0f * l->unit, 16.0f);

  append_text (labels, sampling, l->font_px, PANGO_WEIGHT_NORMAL, &color,
               margin, y, 0.0f);
  append_text (labels,
               _("Speed follows each transaction's measured latency "
                 "(log scale)"),
               l->small_px, PANGO_WEIGHT_NORMAL, &color,
               l->width - margin, y + 0.1f * l->font_px, 1.0f);
}

static GskRenderNode *
build (GtkWidget                *widget,
       const StampedeFlowLayout *layout,
       const float               agent_ms[4],
       double                    represented,
       GArray                   *boxes)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  Labels labels = { widget, snapshot, layout, boxes };

  append_node_labels (&labels, agent_ms);
  append_sink_labels (&labels);
  append_legend (&labels, represented);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/**
 * stampede_flow_labels_build:
 * @widget: the canvas, for its Pango context and font
 * @layout: where the nodes are
 * @agent_ms: each agent's recent mean time, 0 when unknown
 * @represented: how many transactions one particle stands for
 *
 * Draws every label of the canvas.  The canvas keeps the node until the
 * size or one of the figures changes.
 *
 * Returns: (transfer full) (nullable): the labels
 */
GskRenderNode *
stampede_flow_labels_build (GtkWidget                *widget,
                            const StampedeFlowLayout *layout,
                            const float               agent_ms[4],
                            double                    represented)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (layout != NULL, NULL);
  g_return_val_if_fail (agent_ms != NULL, NULL);

  return build (widget, layout, agent_ms, represented, NULL);
}

/**
 * stampede_flow_labels_measure:
 * @widget: the canvas, for its Pango context and font
 * @layout: where the nodes are
 * @agent_ms: each agent's recent mean time, 0 when unknown
 * @represented: how many transactions one particle stands for
 *
 * Lays out the labels that stampede_flow_labels_build() draws with the
 * same arguments, without drawing them: for checking that they fit.
 *
 * Returns: (transfer full) (element-type graphene_rect_t): the logical
 *   extents of each label, in the canvas's coordinates
 */
GArray *
stampede_flow_labels_measure (GtkWidget                *widget,
                              const StampedeFlowLayout *layout,
                              const float               agent_ms[4],
                              double                    represented)
{
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(GskRenderNode) node = NULL;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (layout != NULL, NULL);
  g_return_val_if_fail (agent_ms != NULL, NULL);

  boxes = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  node = build (widget, layout, agent_ms, represented, boxes);

  return g_steal_pointer (&boxes);
}
