/* stampede-presentation-page.c — the hero figures, for an audience
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-format.h"
#include "stampede-presentation-page.h"

struct _StampedePresentationPage {
  AdwBin    parent_instance;

  GtkLabel *status_label;
  GtkLabel *tps_label;
  GtkLabel *processed_label;
  GtkLabel *fraud_blocked_label;
  GtkLabel *fraud_value_label;
};

G_DEFINE_FINAL_TYPE (StampedePresentationPage, stampede_presentation_page,
                     ADW_TYPE_BIN)

static void
take_text (GtkLabel *label,
           char     *text)
{
  gtk_label_set_label (label, text);
  g_free (text);
}

static char *
describe_run (const StampedeSnapshot *snapshot)
{
  g_autofree char *elapsed = stampede_format_clock (snapshot->elapsed_s);
  g_autofree char *duration = stampede_format_clock (snapshot->duration_s);

  switch (snapshot->state) {
  case STAMPEDE_RUN_RUNNING:
    /* Translators: the run state, then elapsed and planned time. */
    return g_strdup_printf (_("Running · %s of %s"), elapsed, duration);

  case STAMPEDE_RUN_STOPPING:
    return g_strdup_printf (_("Stopping · %s of %s"), elapsed, duration);

  case STAMPEDE_RUN_FINISHED:
    return g_strdup_printf (_("Finished · ran %s"), elapsed);

  case STAMPEDE_RUN_IDLE:
  default:
    return g_strdup (_("Ready · start a run from the Admin page"));
  }
}

static void
show_none (StampedePresentationPage *self)
{
  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  gtk_label_set_label (self->tps_label, STAMPEDE_FORMAT_NONE);
  gtk_label_set_label (self->processed_label, STAMPEDE_FORMAT_NONE);
  gtk_label_set_label (self->fraud_blocked_label, STAMPEDE_FORMAT_NONE);
  gtk_label_set_label (self->fraud_value_label, STAMPEDE_FORMAT_NONE);
}

static void
stampede_presentation_page_class_init (StampedePresentationPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-presentation-page.ui");
  gtk_widget_class_bind_template_child (widget_class,
                                        StampedePresentationPage,
                                        status_label);
  gtk_widget_class_bind_template_child (widget_class,
                                        StampedePresentationPage,
                                        tps_label);
  gtk_widget_class_bind_template_child (widget_class,
                                        StampedePresentationPage,
                                        processed_label);
  gtk_widget_class_bind_template_child (widget_class,
                                        StampedePresentationPage,
                                        fraud_blocked_label);
  gtk_widget_class_bind_template_child (widget_class,
                                        StampedePresentationPage,
                                        fraud_value_label);
}

static void
stampede_presentation_page_init (StampedePresentationPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_none (self);
}

/**
 * stampede_presentation_page_update:
 * @self: a #StampedePresentationPage
 * @snapshot: the latest snapshot from the engine's stream
 *
 * Shows the figures of @snapshot.  An engine that is idle and has never
 * run leaves the figures showing that nothing is measured yet.
 */
void
stampede_presentation_page_update (StampedePresentationPage *self,
                                   const StampedeSnapshot   *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  take_text (self->status_label, describe_run (snapshot));

  if (snapshot->state == STAMPEDE_RUN_IDLE && snapshot->arrivals == 0) {
    show_none (self);
    return;
  }

  take_text (self->tps_label,
             stampede_format_rate (snapshot->completed_rate));
  take_text (self->processed_label,
             stampede_format_count (stampede_snapshot_answered (snapshot)));
  take_text (self->fraud_blocked_label,
             stampede_format_count (snapshot->true_pos));
  take_text (self->fraud_value_label,
             stampede_format_usd (snapshot->fraud_value_blocked));
}

/**
 * stampede_presentation_page_set_message:
 * @self: a #StampedePresentationPage
 * @message: what to say in the status line
 *
 * Replaces the status line, for the time before the stream has anything
 * to say (connecting, or a failure to connect).
 */
void
stampede_presentation_page_set_message (StampedePresentationPage *self,
                                        const char               *message)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (message != NULL);

  gtk_label_set_label (self->status_label, message);
}
