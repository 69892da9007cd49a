/* stampede-report.c — summaries of a finished run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-report.h"

#include <math.h>
#include <string.h>

/* Arrivals the engine put on the wire: all but those it had to drop. */
static guint64
sent_count (const StampedeSnapshot *final)
{
  return final->arrivals - MIN (final->arrivals,
                                final->outcomes[STAMPEDE_OUTCOME_DROPPED]);
}

/*
 * The time during which arrivals were being sent.  A run lasts its
 * duration and then waits for the answers still in flight; that wait sends
 * nothing, so it does not count against the achieved rate.  A run stopped
 * early sent for its elapsed time only.
 */
static double
sending_window_s (const StampedeSnapshot *final)
{
  if (final->duration_s > 0)
    return MIN (final->elapsed_s, final->duration_s);

  return final->elapsed_s;
}

static double
per_second (guint64 count,
            double  seconds)
{
  return seconds > 0 ? (double) count / seconds : 0;
}

static double
achieved_rate (const StampedeSnapshot *final)
{
  return per_second (sent_count (final), sending_window_s (final));
}

/* Answers per second over the whole run, the wait for the last answers
 * included: the throughput the target sustained. */
static double
answered_rate (const StampedeSnapshot *final)
{
  return per_second (stampede_snapshot_answered (final), final->elapsed_s);
}

static void
add_int (JsonBuilder *builder,
         const char  *key,
         guint64      value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, (gint64) MIN (value, G_MAXINT64));
}

static void
add_double (JsonBuilder *builder,
            const char  *key,
            double       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_double_value (builder, isfinite (value) ? value : 0);
}

static void
add_latency (JsonBuilder           *builder,
             const char            *key,
             const StampedeLatency *latency)
{
  json_builder_set_member_name (builder, key);
  json_builder_begin_object (builder);
  add_int (builder, "count", latency->count);
  add_double (builder, "mean", latency->mean);
  add_double (builder, "p50", latency->p50);
  add_double (builder, "p95", latency->p95);
  add_double (builder, "p99", latency->p99);
  add_double (builder, "max", latency->max);
  json_builder_end_object (builder);
}

static void
add_outcomes (JsonBuilder            *builder,
              const StampedeSnapshot *final)
{
  json_builder_set_member_name (builder, "outcomes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    add_int (builder, stampede_outcome_to_string (i), final->outcomes[i]);
  json_builder_end_object (builder);
}

static void
add_accuracy (JsonBuilder            *builder,
              const StampedeSnapshot *final)
{
  json_builder_set_member_name (builder, "accuracy");
  json_builder_begin_object (builder);
  add_double (builder, "accuracy", stampede_snapshot_accuracy (final));
  add_double (builder, "precision", stampede_snapshot_precision (final));
  add_double (builder, "recall", stampede_snapshot_recall (final));
  add_int (builder, "tp", final->true_pos);
  add_int (builder, "fp", final->false_pos);
  add_int (builder, "tn", final->true_neg);
  add_int (builder, "fn", final->false_neg);
  json_builder_end_object (builder);
}

static void
add_agents (JsonBuilder            *builder,
            const StampedeSnapshot *final)
{
  json_builder_set_member_name (builder, "agents");
  json_builder_begin_object (builder);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    json_builder_set_member_name (builder, stampede_agent_to_string (i));
    json_builder_begin_object (builder);
    add_double (builder, "mean_ms", final->agent_mean_ms[i]);
    add_int (builder, "count", final->agent_count[i]);
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
}

/**
 * stampede_report_build_summary:
 * @config: what the run was asked to do
 * @final: the run's final snapshot
 *
 * Builds the summary of a run as one JSON object: the configuration under
 * "config"; the asked and achieved rates (arrivals sent per second of
 * sending, dropped ones excluded); counts by outcome; latency from the
 * intended send time ("latency_ms") and from the actual send
 * ("service_latency_ms"); accuracy against the ground truth; fraud value
 * blocked; and the target's per-agent timings.
 *
 * Returns: (transfer full): the summary
 */
JsonNode *
stampede_report_build_summary (const StampedeRunConfig *config,
                               const StampedeSnapshot  *final)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (final != NULL, NULL);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 stampede_run_state_to_string (final->state));
  json_builder_set_member_name (builder, "config");
  stampede_run_config_to_json (config, builder);

  add_double (builder, "target_rate", config->rate);
  add_double (builder, "achieved_rate", achieved_rate (final));
  add_double (builder, "answered_rate", answered_rate (final));
  add_double (builder, "duration_s", final->duration_s);
  add_double (builder, "elapsed_s", final->elapsed_s);

  add_int (builder, "arrivals", final->arrivals);
  add_int (builder, "sent", sent_count (final));
  add_int (builder, "in_flight", final->in_flight);
  add_int (builder, "answered", stampede_snapshot_answered (final));
  add_int (builder, "errors", stampede_snapshot_errors (final));
  add_outcomes (builder, final);

  add_latency (builder, "latency_ms", &final->run);
  add_latency (builder, "service_latency_ms", &final->service);

  add_accuracy (builder, final);
  add_double (builder, "fraud_value_blocked_usd", final->fraud_value_blocked);
  add_agents (builder, final);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * stampede_report_write_json:
 * @config: what the run was asked to do
 * @final: the run's final snapshot
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes the summary of stampede_report_build_summary() to @path, pretty
 * printed, replacing the file atomically.
 *
 * Returns: %TRUE on success; on failure @error names @path
 */
gboolean
stampede_report_write_json (const StampedeRunConfig *config,
                            const StampedeSnapshot  *final,
                            const char              *path,
                            GError                 **error)
{
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (final != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  summary = stampede_report_build_summary (config, final);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, summary);
  text = json_generator_to_data (generator, &length);

  /* A file ends with a newline. */
  text = g_realloc (text, length + 2);
  text[length++] = '\n';
  text[length] = '\0';

  if (!g_file_set_contents (path, text, length, error)) {
    g_autofree char *display = g_filename_display_name (path);

    /* GLib's message may name only the temporary file it wrote. */
    if (error != NULL && strstr ((*error)->message, display) == NULL)
      g_prefix_error (error, "%s: ", display);
    return FALSE;
  }

  return TRUE;
}

static void
append_latency (GString               *out,
                const char            *label,
                const char            *origin,
                const StampedeLatency *latency)
{
  g_string_append_printf (out,
                          "%-12s mean %.2f  p50 %.2f  p95 %.2f  p99 %.2f  "
                          "max %.2f ms\n%-12s from the %s, %"
                          G_GUINT64_FORMAT " transactions\n",
                          label, latency->mean, latency->p50, latency->p95,
                          latency->p99, latency->max, "", origin,
                          latency->count);
}

static void
append_agents (GString                *out,
               const StampedeSnapshot *final)
{
  gboolean any = FALSE;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    any = any || final->agent_count[i] > 0;

  if (!any) {
    g_string_append_printf (out, "%-12s the target reported no timings\n",
                            "Agents");
    return;
  }

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_string_append_printf (out, "%-12s %-20s mean %.3f ms over %"
                            G_GUINT64_FORMAT "\n",
                            i == 0 ? "Agents" : "",
                            stampede_agent_to_string (i),
                            final->agent_mean_ms[i], final->agent_count[i]);
  }
}

/**
 * stampede_report_format_text:
 * @config: what the run was asked to do
 * @final: the run's final snapshot
 *
 * Formats the figures of the summary for a person to read, one topic per
 * line, in the current locale.
 *
 * Returns: (transfer full): the text, ending with a newline
 */
char *
stampede_report_format_text (const StampedeRunConfig *config,
                             const StampedeSnapshot  *final)
{
  GString *out;
  const guint64 *o;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (final != NULL, NULL);

  out = g_string_new (NULL);
  o = final->outcomes;

  g_string_append_printf (out, "%-12s %s after %.1f s of %.1f s\n", "Run",
                          stampede_run_state_to_string (final->state),
                          final->elapsed_s, final->duration_s);
  g_string_append_printf (out, "%-12s %s\n", "Target",
                          config->target_url != NULL ? config->target_url
                                                     : "(none)");
  g_string_append_printf (out, "%-12s asked %.1f/s, sent %.1f/s, "
                          "answered %.1f/s\n", "Rate", config->rate,
                          achieved_rate (final), answered_rate (final));

  g_string_append_printf (out, "%-12s %" G_GUINT64_FORMAT " (%"
                          G_GUINT64_FORMAT " in flight)\n", "Arrivals",
                          final->arrivals, final->in_flight);
  g_string_append_printf (out, "%-12s ok %" G_GUINT64_FORMAT
                          ", declined %" G_GUINT64_FORMAT
                          ", HTTP errors %" G_GUINT64_FORMAT
                          ", transport errors %" G_GUINT64_FORMAT
                          ", timeouts %" G_GUINT64_FORMAT
                          ", dropped %" G_GUINT64_FORMAT "\n", "Outcomes",
                          o[STAMPEDE_OUTCOME_OK], o[STAMPEDE_OUTCOME_DECLINED],
                          o[STAMPEDE_OUTCOME_HTTP_ERROR],
                          o[STAMPEDE_OUTCOME_TRANSPORT_ERROR],
                          o[STAMPEDE_OUTCOME_TIMEOUT],
                          o[STAMPEDE_OUTCOME_DROPPED]);

  append_latency (out, "Latency", "intended send time", &final->run);
  append_latency (out, "Service", "actual send time", &final->service);

  g_string_append_printf (out, "%-12s %.1f %%  precision %.1f %%  "
                          "recall %.1f %%  (tp %" G_GUINT64_FORMAT
                          ", fp %" G_GUINT64_FORMAT ", tn %" G_GUINT64_FORMAT
                          ", fn %" G_GUINT64_FORMAT ")\n", "Accuracy",
                          100 * stampede_snapshot_accuracy (final),
                          100 * stampede_snapshot_precision (final),
                          100 * stampede_snapshot_recall (final),
                          final->true_pos, final->false_pos,
                          final->true_neg, final->false_neg);
  g_string_append_printf (out, "%-12s %.2f USD of fraud declined\n",
                          "Blocked", final->fraud_value_blocked);
  append_agents (out, final);

  return g_string_free (out, FALSE);
}
