/* stampede-agents-page.c — what each agent of the target costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-agents-page.h"
#include "stampede-format.h"

struct _StampedeAgentsPage {
  AdwBin    parent_instance;

  GtkLabel *mean_labels[STAMPEDE_N_AGENTS];
  GtkLabel *count_labels[STAMPEDE_N_AGENTS];
};

G_DEFINE_FINAL_TYPE (StampedeAgentsPage, stampede_agents_page, ADW_TYPE_BIN)

/* The template's id prefix of each agent, in StampedeAgent order. */
static const char * const agent_ids[STAMPEDE_N_AGENTS] = {
  "analyzer",
  "pattern",
  "geo",
  "reasoning",
};

static void
show_none (StampedeAgentsPage *self)
{
  g_assert (STAMPEDE_IS_AGENTS_PAGE (self));

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    gtk_label_set_label (self->mean_labels[i], STAMPEDE_FORMAT_NONE);
    gtk_label_set_label (self->count_labels[i], "");
  }
}

static void
stampede_agents_page_class_init (StampedeAgentsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-agents-page.ui");

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_autofree char *mean_id = g_strconcat (agent_ids[i], "_mean_label",
                                            NULL);
    g_autofree char *count_id = g_strconcat (agent_ids[i], "_count_label",
                                             NULL);

    /* The builder keeps the names, so they must outlive this call. */
    gtk_widget_class_bind_template_child_full (
      widget_class, g_intern_string (mean_id), FALSE,
      G_STRUCT_OFFSET (StampedeAgentsPage, mean_labels)
      + i * sizeof (GtkLabel *));
    gtk_widget_class_bind_template_child_full (
      widget_class, g_intern_string (count_id), FALSE,
      G_STRUCT_OFFSET (StampedeAgentsPage, count_labels)
      + i * sizeof (GtkLabel *));
  }
}

static void
stampede_agents_page_init (StampedeAgentsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  show_none (self);
}

/**
 * stampede_agents_page_update:
 * @self: a #StampedeAgentsPage
 * @snapshot: the latest snapshot from the engine's stream
 *
 * Shows each agent's mean time and call count; an agent the target has
 * not reported on shows that nothing is measured.
 */
void
stampede_agents_page_update (StampedeAgentsPage     *self,
                             const StampedeSnapshot *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_AGENTS_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_autofree char *count = NULL;
    g_autofree char *calls = NULL;
    g_autofree char *mean = NULL;

    if (snapshot->agent_count[i] == 0) {
      gtk_label_set_label (self->mean_labels[i], STAMPEDE_FORMAT_NONE);
      gtk_label_set_label (self->count_labels[i], "");
      continue;
    }

    count = stampede_format_count (snapshot->agent_count[i]);
    /* Translators: %s is a grouped count such as 12,345. */
    calls = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s call",
                                          "%s calls",
                                          snapshot->agent_count[i]),
                             count);
    mean = stampede_format_ms (snapshot->agent_mean_ms[i]);

    gtk_label_set_label (self->count_labels[i], calls);
    gtk_label_set_label (self->mean_labels[i], mean);
  }
}
