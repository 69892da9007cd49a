/* stampede-report.c — summaries and exports of a finished run
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

/*
 * The rate a run was asked for.  A plain run asks for its rate; with a
 * ramp it is the mean over the sending window.  A staged profile has no
 * single rate, so it is the mean of what the stages ask for over the
 * sending window, worked out from the profile rather than from the
 * engine's counters; that is the figure the achieved rate is to be
 * compared with.  A closed model asks for no rate.
 */
/* The mean rate of a linear ramp from 0 to the rate over ramp_s seconds,
 * then the rate, over the first @window seconds: what a flag-made ramp
 * asks for on average. */
static double
ramp_mean_rate (const StampedeRunConfig *config,
                double                   window)
{
  double ramp = config->ramp_s;
  double count;

  if (ramp <= 0 || window <= 0)
    return config->rate;

  if (window <= ramp)
    count = config->rate * window * window / (2 * ramp);
  else
    count = config->rate * ramp / 2 + config->rate * (window - ramp);

  return count / window;
}

/* Whether the asked rate is a mean over the run rather than one rate. */
static gboolean
asks_on_average (const StampedeRunConfig *config)
{
  return config->n_stages > 0 || config->ramp_s > 0;
}

static double
target_rate (const StampedeRunConfig *config,
             const StampedeSnapshot  *final)
{
  g_autoptr(StampedeLoadShape) shape = NULL;
  double window = sending_window_s (final);

  if (config->connections > 0)
    return 0;
  if (config->n_stages == 0)
    return ramp_mean_rate (config, window);

  shape = stampede_load_shape_new (config->stages, config->n_stages, NULL);
  if (shape == NULL || window <= 0)
    return 0;

  return stampede_load_shape_count_until (shape, window) / window;
}

/* Answers per second over the whole run, the wait for the last answers
 * included: the throughput the target sustained. */
static double
answered_rate (const StampedeSnapshot *final)
{
  return per_second (stampede_snapshot_answered (final), final->elapsed_s);
}

static void
add_outcomes (JsonBuilder            *builder,
              const StampedeSnapshot *final)
{
  json_builder_set_member_name (builder, "outcomes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    stampede_json_add_count (builder, stampede_outcome_to_string (i),
                             final->outcomes[i]);
  json_builder_end_object (builder);
}

static void
add_accuracy (JsonBuilder            *builder,
              const StampedeSnapshot *final)
{
  json_builder_set_member_name (builder, "accuracy");
  json_builder_begin_object (builder);
  stampede_json_add_double (builder, "accuracy",
                            stampede_snapshot_accuracy (final));
  stampede_json_add_double (builder, "precision",
                            stampede_snapshot_precision (final));
  stampede_json_add_double (builder, "recall",
                            stampede_snapshot_recall (final));
  stampede_json_add_count (builder, "tp", final->true_pos);
  stampede_json_add_count (builder, "fp", final->false_pos);
  stampede_json_add_count (builder, "tn", final->true_neg);
  stampede_json_add_count (builder, "fn", final->false_neg);
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
    stampede_json_add_double (builder, "mean_ms", final->agent_mean_ms[i]);
    stampede_json_add_count (builder, "count", final->agent_count[i]);
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
 * "config"; whether the engine aborted the run ("aborted"); the asked
 * rate (the mean over the sending window for a ramp or a staged profile,
 * 0 for a closed model) and the achieved rate (arrivals sent per second of
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

  json_builder_set_member_name (builder, "aborted");
  json_builder_add_boolean_value (builder, final->aborted);

  stampede_json_add_double (builder, "target_rate",
                            target_rate (config, final));
  stampede_json_add_double (builder, "achieved_rate", achieved_rate (final));
  stampede_json_add_double (builder, "answered_rate", answered_rate (final));
  stampede_json_add_double (builder, "duration_s", final->duration_s);
  stampede_json_add_double (builder, "elapsed_s", final->elapsed_s);

  stampede_json_add_count (builder, "arrivals", final->arrivals);
  stampede_json_add_count (builder, "retries", final->retries);
  stampede_json_add_count (builder, "sent", sent_count (final));
  stampede_json_add_count (builder, "in_flight", final->in_flight);
  stampede_json_add_count (builder, "answered",
                           stampede_snapshot_answered (final));
  stampede_json_add_count (builder, "errors", stampede_snapshot_errors (final));
  add_outcomes (builder, final);

  stampede_latency_to_json (&final->run, "latency_ms", builder);
  stampede_latency_to_json (&final->service, "service_latency_ms", builder);

  add_accuracy (builder, final);
  stampede_json_add_double (builder, "fraud_value_blocked_usd",
                            final->fraud_value_blocked);
  add_agents (builder, final);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * stampede_report_add_criteria:
 * @summary: a summary from stampede_report_build_summary()
 * @criteria: (nullable): the verdicts of the run's success criteria, or
 *   %NULL when it had none
 *
 * Adds the members "criteria" (one object per criterion: metric, op,
 * threshold, actual, passed and, when not computable, reason) and
 * "passed" to @summary.  A run without criteria gets an empty array and
 * passes.
 */
void
stampede_report_add_criteria (JsonNode                     *summary,
                              const StampedeCriteriaResult *criteria)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) verdicts = NULL;
  JsonObject *from, *to;

  g_return_if_fail (summary != NULL && JSON_NODE_HOLDS_OBJECT (summary));

  json_builder_begin_object (builder);
  if (criteria != NULL) {
    stampede_criteria_result_to_json (criteria, builder);
  } else {
    json_builder_set_member_name (builder, "criteria");
    json_builder_begin_array (builder);
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "passed");
    json_builder_add_boolean_value (builder, TRUE);
  }
  json_builder_end_object (builder);

  verdicts = json_builder_get_root (builder);
  from = json_node_get_object (verdicts);
  to = json_node_get_object (summary);
  json_object_set_member (to, "criteria",
                          json_object_dup_member (from, "criteria"));
  json_object_set_member (to, "passed",
                          json_object_dup_member (from, "passed"));
}

static void
null_if_undefined (JsonObject *accuracy,
                   const char *key,
                   guint64     denominator)
{
  if (denominator == 0)
    json_object_set_null_member (accuracy, key);
}

/**
 * stampede_report_null_undefined:
 * @summary: a summary from stampede_report_build_summary()
 *
 * Replaces accuracy, precision and recall under "accuracy" with null
 * where they are undefined (nothing answered, no declines, no fraud
 * answered), for a reader who would otherwise take the 0 for a figure.
 * Criteria are to be evaluated before, since they explain why such a
 * figure could not be computed.
 */
void
stampede_report_null_undefined (JsonNode *summary)
{
  JsonObject *object;
  guint64 tp, fp, tn, fn;

  g_return_if_fail (summary != NULL && JSON_NODE_HOLDS_OBJECT (summary));

  object = json_node_get_object (summary);
  if (!json_object_has_member (object, "accuracy"))
    return;
  object = json_object_get_object_member (object, "accuracy");
  if (object == NULL)
    return;

  tp = json_object_get_int_member_with_default (object, "tp", 0);
  fp = json_object_get_int_member_with_default (object, "fp", 0);
  tn = json_object_get_int_member_with_default (object, "tn", 0);
  fn = json_object_get_int_member_with_default (object, "fn", 0);
  null_if_undefined (object, "accuracy", tp + fp + tn + fn);
  null_if_undefined (object, "precision", tp + fp);
  null_if_undefined (object, "recall", tp + fn);
}

/* Writes @length bytes of @text to @path atomically; an error names
 * @path. */
static gboolean
write_file (const char  *path,
            const char  *text,
            gsize        length,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  const char *reason;

  if (g_file_set_contents (path, text, length, &local_error))
    return TRUE;

  /* GLib's message names the temporary file it wrote, which the user
   * never asked for; its reason is what follows the last quoted name. */
  display = g_filename_display_name (path);
  reason = g_strrstr (local_error->message, "”: ");
  reason = reason != NULL ? reason + strlen ("”: ") : local_error->message;
  g_set_error (error, local_error->domain, local_error->code, "%s: %s",
               display, reason);

  return FALSE;
}

/**
 * stampede_report_write_summary:
 * @summary: a summary, as stampede_report_build_summary() makes it
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes @summary to @path as pretty-printed JSON ending with a newline,
 * replacing the file atomically.
 *
 * Returns: %TRUE on success; on failure @error names @path
 */
gboolean
stampede_report_write_summary (JsonNode    *summary,
                               const char  *path,
                               GError     **error)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (summary != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, summary);
  text = json_generator_to_data (generator, &length);

  text = g_realloc (text, length + 2);
  text[length++] = '\n';
  text[length] = '\0';

  return write_file (path, text, length, error);
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

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (final != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  summary = stampede_report_build_summary (config, final);

  return stampede_report_write_summary (summary, path, error);
}

static void
append_latency (GString               *out,
                const char            *label,
                const char            *origin,
                const StampedeLatency *latency)
{
  /* Over no transaction the figures are not zeros but undefined. */
  if (latency->count == 0) {
    g_string_append_printf (out, "%-12s n/a: no transaction was timed "
                            "from the %s\n", label, origin);
    return;
  }

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

static void
append_rate (GString                 *out,
             const StampedeRunConfig *config,
             const StampedeSnapshot  *final)
{
  if (config->connections > 0)
    g_string_append_printf (out, "%-12s closed model, %u connections, "
                            "sent %.1f/s, answered %.1f/s\n", "Rate",
                            config->connections, achieved_rate (final),
                            answered_rate (final));
  else
    g_string_append_printf (out, "%-12s asked %.1f/s%s, sent %.1f/s, "
                            "answered %.1f/s\n", "Rate",
                            target_rate (config, final),
                            asks_on_average (config) ? " on average" : "",
                            achieved_rate (final), answered_rate (final));
}

/* A share as a percentage, or "n/a" when there is nothing to share:
 * precision with no declines is undefined, not 0. */
static char *
format_share (guint64 part,
              guint64 whole)
{
  if (whole == 0)
    return g_strdup ("n/a");

  return g_strdup_printf ("%.1f %%", 100.0 * (double) part / (double) whole);
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
  g_autofree char *accuracy = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *recall = NULL;
  GString *out;
  const guint64 *o;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (final != NULL, NULL);

  out = g_string_new (NULL);
  o = final->outcomes;

  g_string_append_printf (out, "%-12s %s after %.1f s of %.1f s\n", "Run",
                          final->aborted ? "aborted" :
                          stampede_run_state_to_string (final->state),
                          final->elapsed_s, final->duration_s);
  g_string_append_printf (out, "%-12s %s\n", "Target",
                          config->target_url != NULL ? config->target_url
                                                     : "(none)");
  append_rate (out, config, final);

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
  if (final->retries > 0)
    g_string_append_printf (out, "%-12s %" G_GUINT64_FORMAT " attempts sent "
                            "again (not counted as arrivals)\n", "Retries",
                            final->retries);

  append_latency (out, "Latency", "intended send time", &final->run);
  append_latency (out, "Service", "actual send time", &final->service);

  accuracy = format_share (final->true_pos + final->true_neg,
                           final->true_pos + final->true_neg
                           + final->false_pos + final->false_neg);
  precision = format_share (final->true_pos,
                            final->true_pos + final->false_pos);
  recall = format_share (final->true_pos,
                         final->true_pos + final->false_neg);
  g_string_append_printf (out, "%-12s %s  precision %s  recall %s  (tp %"
                          G_GUINT64_FORMAT ", fp %" G_GUINT64_FORMAT
                          ", tn %" G_GUINT64_FORMAT ", fn %"
                          G_GUINT64_FORMAT ")\n", "Accuracy",
                          accuracy, precision, recall,
                          final->true_pos, final->false_pos,
                          final->true_neg, final->false_neg);
  g_string_append_printf (out, "%-12s %.2f USD of fraud declined\n",
                          "Blocked", final->fraud_value_blocked);
  append_agents (out, final);

  return g_string_free (out, FALSE);
}

/* Numbers in files that programs read always use a dot, whatever the
 * locale. */
static void
append_ascii (GString    *out,
              const char *format,
              double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, format,
                                         isfinite (value) ? value : 0));
}

static const char *
metric_unit (StampedeMetric metric)
{
  switch (metric) {
  case STAMPEDE_METRIC_AVG_MS:
  case STAMPEDE_METRIC_P50_MS:
  case STAMPEDE_METRIC_P95_MS:
  case STAMPEDE_METRIC_P99_MS:
  case STAMPEDE_METRIC_SERVICE_P99_MS:
    return " ms";
  case STAMPEDE_METRIC_COST_PER_TX_USD:
    return " USD";
  default:
    return "";
  }
}

static guint
count_failed (const StampedeCriteriaResult *criteria)
{
  guint failed = 0;

  for (guint i = 0; criteria != NULL && i < criteria->n_results; i++)
    failed += criteria->results[i].passed ? 0 : 1;

  return failed;
}

/**
 * stampede_report_format_criteria:
 * @criteria: (nullable): the verdicts, or %NULL when the run had no
 *   criteria
 *
 * Formats one line per criterion, PASS or FAIL with the measured value
 * next to the threshold (or why it could not be measured), and a verdict
 * line, in the current locale.
 *
 * Returns: (transfer full): the text, ending with a newline
 */
char *
stampede_report_format_criteria (const StampedeCriteriaResult *criteria)
{
  return stampede_report_format_verdict (criteria, NULL);
}

/**
 * stampede_report_format_verdict:
 * @criteria: (nullable): the verdicts, or %NULL when the run had no
 *   criteria
 * @run_failure: (nullable): why the run itself failed (aborted,
 *   interrupted, target unreachable), or %NULL when it completed
 *
 * Formats the criteria as stampede_report_format_criteria() does, but a
 * run that failed as a whole never passes, whatever its criteria say:
 * its verdict line says FAILED and why.
 *
 * Returns: (transfer full): the text, ending with a newline
 */
char *
stampede_report_format_verdict (const StampedeCriteriaResult *criteria,
                                const char                   *run_failure)
{
  GString *out = g_string_new (NULL);
  guint failed = count_failed (criteria);

  if (criteria == NULL || criteria->n_results == 0) {
    g_string_append_printf (out, "%-12s none\n", "Criteria");
    if (run_failure != NULL)
      g_string_append_printf (out, "%-12s FAILED: %s\n", "Verdict",
                              run_failure);
    return g_string_free (out, FALSE);
  }

  for (guint i = 0; i < criteria->n_results; i++) {
    const StampedeCriterionResult *r = &criteria->results[i];
    const char *unit = metric_unit (r->criterion.metric);
    g_autofree char *rule = NULL;

    rule = g_strdup_printf ("%s %s %g%s",
                            stampede_metric_to_string (r->criterion.metric),
                            stampede_op_to_string (r->criterion.op),
                            r->criterion.value, unit);
    g_string_append_printf (out, "%-12s %s  %-28s ", i == 0 ? "Criteria" : "",
                            r->passed ? "PASS" : "FAIL", rule);
    if (r->computable)
      g_string_append_printf (out, "actual %g%s\n", r->actual, unit);
    else
      g_string_append_printf (out, "not computable: %s\n",
                              r->reason != NULL ? r->reason : "unknown");
  }

  if (run_failure != NULL)
    g_string_append_printf (out, "%-12s FAILED: %s\n", "Verdict",
                            run_failure);
  else if (failed == 0)
    g_string_append_printf (out, "%-12s PASSED: all %u criteria hold\n",
                            "Verdict", criteria->n_results);
  else
    g_string_append_printf (out, "%-12s FAILED: %u of %u criteria do not "
                            "hold\n", "Verdict", failed,
                            criteria->n_results);

  return g_string_free (out, FALSE);
}

static const char csv_header[] =
  "t_s,target_rate,sent,ok,declined,http_error,transport_error,timeout,"
  "dropped,p50_ms,p95_ms,p99_ms,max_ms,service_p99_ms,tp,fp,tn,fn\n";

static void
append_count (GString *out,
              guint64  value)
{
  g_string_append_printf (out, ",%" G_GUINT64_FORMAT, value);
}

static void
append_second (GString              *out,
               const StampedeSecond *row)
{
  append_ascii (out, "%.10g", row->t_s);
  g_string_append_c (out, ',');
  append_ascii (out, "%.10g", row->target_rate);
  append_count (out, row->sent);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    append_count (out, row->outcomes[i]);

  g_string_append_c (out, ',');
  append_ascii (out, "%.3f", row->p50_ms);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f", row->p95_ms);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f", row->p99_ms);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f", row->max_ms);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f", row->service_p99_ms);

  append_count (out, row->tp);
  append_count (out, row->fp);
  append_count (out, row->tn);
  append_count (out, row->fn);
  g_string_append_c (out, '\n');
}

/* A second in which nothing was asked for, sent or answered.  The
 * series may end with one begun after the run's last second (while the
 * last answers were awaited, say); it says nothing and is left out. */
static gboolean
second_is_empty (const StampedeSecond *row)
{
  guint64 any = row->sent + row->tp + row->fp + row->tn + row->fn;

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    any += row->outcomes[i];

  return any == 0 && row->target_rate == 0;
}

/**
 * stampede_report_format_csv:
 * @series: (element-type StampedeSecond): the run's per-second series
 *
 * Formats @series as CSV: a header row, then one row per second with the
 * columns t_s, target_rate, sent, the six outcome counts, p50_ms, p95_ms,
 * p99_ms, max_ms, service_p99_ms, tp, fp, tn and fn (see #StampedeSecond).
 * Trailing seconds in which nothing was asked for, sent or answered are
 * left out.  Numbers use a dot whatever the locale.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_report_format_csv (GArray *series)
{
  GString *out;
  guint n;

  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (g_array_get_element_size (series)
                        == sizeof (StampedeSecond), NULL);

  n = series->len;
  while (n > 0 && second_is_empty (&g_array_index (series, StampedeSecond,
                                                   n - 1)))
    n--;

  out = g_string_new (csv_header);
  for (guint i = 0; i < n; i++)
    append_second (out, &g_array_index (series, StampedeSecond, i));

  return g_string_free (out, FALSE);
}

/**
 * stampede_report_write_csv:
 * @series: (element-type StampedeSecond): the run's per-second series
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes stampede_report_format_csv() to @path atomically.
 *
 * Returns: %TRUE on success; on failure @error names @path
 */
gboolean
stampede_report_write_csv (GArray      *series,
                           const char  *path,
                           GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (series != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = stampede_report_format_csv (series);

  return write_file (path, text, strlen (text), error);
}

/* The percentile that HdrHistogram's reports stop halving at. */
#define SPECTRUM_LAST_STEP 99.9999

static void
append_spectrum_row (GString                 *out,
                     double                   percentile,
                     const StampedeHistogram *latency,
                     const StampedeHistogram *service)
{
  append_ascii (out, "%.10g", percentile);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f",
                stampede_histogram_percentile (latency, percentile) / 1000.0);
  g_string_append_c (out, ',');
  append_ascii (out, "%.3f",
                stampede_histogram_percentile (service, percentile) / 1000.0);
  g_string_append_c (out, '\n');
}

/**
 * stampede_report_format_spectrum:
 * @latency: the run's histogram of latency from the intended send time,
 *   in microseconds
 * @service: the run's histogram of latency from the actual send, in
 *   microseconds
 *
 * Formats the full percentile spectrum of both latencies as CSV with the
 * columns percentile, latency_ms and service_latency_ms.  The
 * percentiles halve the distance to 100 at each step, as HdrHistogram's
 * reports do (0, 50, 75, 87.5, …), down to a step of 99.9999, then 100;
 * the 0th is the smallest value recorded and the 100th the largest.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_report_format_spectrum (const StampedeHistogram *latency,
                                 const StampedeHistogram *service)
{
  GString *out;
  double remaining = 100;

  g_return_val_if_fail (latency != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);

  out = g_string_new ("percentile,latency_ms,service_latency_ms\n");
  while (100 - remaining <= SPECTRUM_LAST_STEP) {
    append_spectrum_row (out, 100 - remaining, latency, service);
    remaining /= 2;
  }
  append_spectrum_row (out, SPECTRUM_LAST_STEP, latency, service);
  append_spectrum_row (out, 100, latency, service);

  return g_string_free (out, FALSE);
}

/**
 * stampede_report_write_spectrum:
 * @latency: the corrected latency histogram, in microseconds
 * @service: the service latency histogram, in microseconds
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes stampede_report_format_spectrum() to @path atomically.
 *
 * Returns: %TRUE on success; on failure @error names @path
 */
gboolean
stampede_report_write_spectrum (const StampedeHistogram  *latency,
                                const StampedeHistogram  *service,
                                const char               *path,
                                GError                  **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (latency != NULL, FALSE);
  g_return_val_if_fail (service != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = stampede_report_format_spectrum (latency, service);

  return write_file (path, text, strlen (text), error);
}

static char *
format_ascii (const char *format,
              double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, format,
                                    isfinite (value) ? value : 0));
}

/* XML 1.0 allows no control character but tab, newline and carriage
 * return, not even escaped, so the others in a name or message become
 * a space. */
static char *
dup_xml_text (const char *text)
{
  char *copy = g_strdup (text != NULL ? text : "");

  for (char *c = copy; *c != '\0'; c++) {
    if ((guchar) *c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r')
      *c = ' ';
  }

  return copy;
}

static void
append_criterion_case (GString                       *out,
                       const char                    *classname,
                       const StampedeCriterionResult *r)
{
  const char *metric = stampede_metric_to_string (r->criterion.metric);
  const char *op = stampede_op_to_string (r->criterion.op);
  const char *unit = metric_unit (r->criterion.metric);
  g_autofree char *threshold = format_ascii ("%.10g", r->criterion.value);
  g_autofree char *actual = format_ascii ("%.10g", r->actual);
  g_autofree char *name = g_strdup_printf ("%s %s %s", metric, op, threshold);
  g_autofree char *reason = dup_xml_text (r->reason);
  g_autofree char *open = NULL;
  g_autofree char *failure = NULL;

  open = g_markup_printf_escaped ("    <testcase classname=\"%s\" "
                                  "name=\"%s\"", classname, name);
  g_string_append (out, open);
  if (r->passed) {
    g_string_append (out, "/>\n");
    return;
  }

  if (r->computable)
    failure = g_markup_printf_escaped ("      <failure type=\"criterion\" "
                                       "message=\"%s was %s%s, needed %s "
                                       "%s%s\"/>\n", metric, actual, unit,
                                       op, threshold, unit);
  else
    failure = g_markup_printf_escaped ("      <failure type=\"criterion\" "
                                       "message=\"%s could not be "
                                       "computed: %s\"/>\n", metric,
                                       reason);
  g_string_append (out, ">\n");
  g_string_append (out, failure);
  g_string_append (out, "    </testcase>\n");
}

/**
 * stampede_report_format_junit:
 * @suite: the test suite's name, such as the scenario's
 * @elapsed_s: how long the run took
 * @criteria: (nullable): the verdicts, or %NULL when there were none
 * @run_failure: (nullable): why the run itself failed (aborted, target
 *   unreachable), or %NULL when it completed
 *
 * Formats a JUnit XML report for CI: one testsuite with a testcase "run"
 * that fails with @run_failure, and one testcase per criterion, named
 * "metric op threshold", that fails with the measured value.
 *
 * Returns: (transfer full): the XML document
 */
char *
stampede_report_format_junit (const char                   *suite,
                              double                        elapsed_s,
                              const StampedeCriteriaResult *criteria,
                              const char                   *run_failure)
{
  g_autofree char *name = NULL;
  g_autofree char *failure_text = NULL;
  g_autofree char *classname = NULL;
  g_autofree char *time = format_ascii ("%.3f", elapsed_s);
  g_autofree char *head = NULL;
  g_autofree char *run = NULL;
  guint n = criteria != NULL ? criteria->n_results : 0;
  guint failures = count_failed (criteria) + (run_failure != NULL ? 1 : 0);
  GString *out;

  g_return_val_if_fail (suite != NULL, NULL);

  name = dup_xml_text (suite);
  suite = name;
  if (run_failure != NULL) {
    failure_text = dup_xml_text (run_failure);
    run_failure = failure_text;
  }
  classname = g_strdup_printf ("stampede.%s", suite);
  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<testsuites>\n");
  head = g_markup_printf_escaped ("  <testsuite name=\"%s\" tests=\"%u\" "
                                  "failures=\"%u\" errors=\"0\" "
                                  "time=\"%s\">\n", suite, n + 1, failures,
                                  time);
  g_string_append (out, head);

  run = g_markup_printf_escaped ("    <testcase classname=\"%s\" "
                                 "name=\"run\" time=\"%s\"", classname,
                                 time);
  g_string_append (out, run);
  if (run_failure != NULL) {
    g_autofree char *failure = NULL;

    failure = g_markup_printf_escaped ("      <failure type=\"run\" "
                                       "message=\"%s\"/>\n", run_failure);
    g_string_append_printf (out, ">\n%s    </testcase>\n", failure);
  } else {
    g_string_append (out, "/>\n");
  }

  for (guint i = 0; i < n; i++)
    append_criterion_case (out, classname, &criteria->results[i]);

  g_string_append (out, "  </testsuite>\n</testsuites>\n");

  return g_string_free (out, FALSE);
}

/**
 * stampede_report_write_junit:
 * @suite: the test suite's name
 * @elapsed_s: how long the run took
 * @criteria: (nullable): the verdicts
 * @run_failure: (nullable): why the run itself failed
 * @path: the file to write
 * @error: return location for a #GError
 *
 * Writes stampede_report_format_junit() to @path atomically.
 *
 * Returns: %TRUE on success; on failure @error names @path
 */
gboolean
stampede_report_write_junit (const char                    *suite,
                             double                         elapsed_s,
                             const StampedeCriteriaResult  *criteria,
                             const char                    *run_failure,
                             const char                    *path,
                             GError                       **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (suite != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  text = stampede_report_format_junit (suite, elapsed_s, criteria,
                                       run_failure);

  return write_file (path, text, strlen (text), error);
}
