/* stampede-analytics-page.c — rates, latency, outcomes and accuracy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-analytics-page.h"
#include "stampede-format.h"

/* The four percentile columns of the latency table, left to right. */
enum {
  COLUMN_P50,
  COLUMN_P95,
  COLUMN_P99,
  COLUMN_MAX,
  N_COLUMNS,
};

struct _StampedeAnalyticsPage {
  AdwBin    parent_instance;

  GtkLabel *target_rate_label;
  GtkLabel *achieved_rate_label;
  GtkLabel *completed_rate_label;
  GtkLabel *in_flight_label;
  GtkLabel *arrivals_label;

  GtkLabel *outcome_labels[STAMPEDE_N_OUTCOMES];
  GtkLabel *interval_labels[N_COLUMNS];
  GtkLabel *run_labels[N_COLUMNS];

  GtkLabel *accuracy_label;
  GtkLabel *precision_label;
  GtkLabel *recall_label;
};

G_DEFINE_FINAL_TYPE (StampedeAnalyticsPage, stampede_analytics_page,
                     ADW_TYPE_BIN)

#define LABEL(field, name) \
  { name, G_STRUCT_OFFSET (StampedeAnalyticsPage, field) }

/* Template ids, and where each label is kept in the instance. */
static const struct {
  const char *id;
  goffset     offset;
} template_labels[] = {
  LABEL (target_rate_label, "target_rate_label"),
  LABEL (achieved_rate_label, "achieved_rate_label"),
  LABEL (completed_rate_label, "completed_rate_label"),
  LABEL (in_flight_label, "in_flight_label"),
  LABEL (arrivals_label, "arrivals_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_OK], "ok_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_DECLINED], "declined_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_HTTP_ERROR], "http_error_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_TRANSPORT_ERROR],
         "transport_error_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_TIMEOUT], "timeout_label"),
  LABEL (outcome_labels[STAMPEDE_OUTCOME_DROPPED], "dropped_label"),
  LABEL (interval_labels[COLUMN_P50], "interval_p50_label"),
  LABEL (interval_labels[COLUMN_P95], "interval_p95_label"),
  LABEL (interval_labels[COLUMN_P99], "interval_p99_label"),
  LABEL (interval_labels[COLUMN_MAX], "interval_max_label"),
  LABEL (run_labels[COLUMN_P50], "run_p50_label"),
  LABEL (run_labels[COLUMN_P95], "run_p95_label"),
  LABEL (run_labels[COLUMN_P99], "run_p99_label"),
  LABEL (run_labels[COLUMN_MAX], "run_max_label"),
  LABEL (accuracy_label, "accuracy_label"),
  LABEL (precision_label, "precision_label"),
  LABEL (recall_label, "recall_label"),
};

#undef LABEL

static void
take_text (GtkLabel *label,
           char     *text)
{
  gtk_label_set_label (label, text);
  g_free (text);
}

static void
show_latency (GtkLabel              **labels,
              const StampedeLatency  *latency)
{
  /* A window with no answers has no percentiles to show, only zeros. */
  if (latency->count == 0) {
    for (guint i = 0; i < N_COLUMNS; i++)
      gtk_label_set_label (labels[i], STAMPEDE_FORMAT_NONE);
    return;
  }

  take_text (labels[COLUMN_P50], stampede_format_ms (latency->p50));
  take_text (labels[COLUMN_P95], stampede_format_ms (latency->p95));
  take_text (labels[COLUMN_P99], stampede_format_ms (latency->p99));
  take_text (labels[COLUMN_MAX], stampede_format_ms (latency->max));
}

static void
show_accuracy (StampedeAnalyticsPage  *self,
               const StampedeSnapshot *snapshot)
{
  g_assert (STAMPEDE_IS_ANALYTICS_PAGE (self));

  if (stampede_snapshot_answered (snapshot) == 0) {
    gtk_label_set_label (self->accuracy_label, STAMPEDE_FORMAT_NONE);
    gtk_label_set_label (self->precision_label, STAMPEDE_FORMAT_NONE);
    gtk_label_set_label (self->recall_label, STAMPEDE_FORMAT_NONE);
    return;
  }

  take_text (self->accuracy_label,
             stampede_format_percent (stampede_snapshot_accuracy (snapshot)));
  take_text (self->precision_label,
             stampede_format_percent (stampede_snapshot_precision (snapshot)));
  take_text (self->recall_label,
             stampede_format_percent (stampede_snapshot_recall (snapshot)));
}

static void
show_none (StampedeAnalyticsPage *self)
{
  g_assert (STAMPEDE_IS_ANALYTICS_PAGE (self));

  for (guint i = 0; i < G_N_ELEMENTS (template_labels); i++) {
    GtkLabel **label = G_STRUCT_MEMBER_P (self, template_labels[i].offset);

    gtk_label_set_label (*label, STAMPEDE_FORMAT_NONE);
  }
}

static void
stampede_analytics_page_class_init (StampedeAnalyticsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-analytics-page.ui");

  for (guint i = 0; i < G_N_ELEMENTS (template_labels); i++)
    gtk_widget_class_bind_template_child_full (widget_class,
                                               template_labels[i].id,
                                               FALSE,
                                               template_labels[i].offset);
}

static void
stampede_analytics_page_init (StampedeAnalyticsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_none (self);
}

/**
 * stampede_analytics_page_update:
 * @self: a #StampedeAnalyticsPage
 * @snapshot: the latest snapshot from the engine's stream
 *
 * Shows the figures of @snapshot.
 */
void
stampede_analytics_page_update (StampedeAnalyticsPage  *self,
                                const StampedeSnapshot *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_ANALYTICS_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  if (snapshot->state == STAMPEDE_RUN_IDLE && snapshot->arrivals == 0) {
    show_none (self);
    return;
  }

  take_text (self->target_rate_label,
             stampede_format_rate (snapshot->target_rate));
  take_text (self->achieved_rate_label,
             stampede_format_rate (snapshot->achieved_rate));
  take_text (self->completed_rate_label,
             stampede_format_rate (snapshot->completed_rate));
  take_text (self->in_flight_label,
             stampede_format_count (snapshot->in_flight));
  take_text (self->arrivals_label,
             stampede_format_count (snapshot->arrivals));

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    take_text (self->outcome_labels[i],
               stampede_format_count (snapshot->outcomes[i]));

  show_latency (self->interval_labels, &snapshot->interval);
  show_latency (self->run_labels, &snapshot->run);
  show_accuracy (self, snapshot);
}
