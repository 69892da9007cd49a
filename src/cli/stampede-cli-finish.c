/* stampede-cli-finish.c — what `stampede-cli run` reports once a run ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-cli.h"
#include "stampede-report.h"

/* Why a run failed as a whole, or NULL when it completed: the engine
 * aborted it, it was interrupted, or the target never answered.  The last
 * is judged from the outcomes: a run in which nothing was answered and
 * every failure to send was a connection failure never reached its
 * target. */
static char *
dup_run_failure (StampedeEngine         *engine,
                 const StampedeSnapshot *final,
                 gboolean                interrupted)
{
  guint64 unreachable = final->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR];

  if (interrupted)
    return g_strdup_printf ("the run was interrupted after %.1f s of "
                            "%.1f s", final->elapsed_s, final->duration_s);

  if (final->aborted) {
    g_autofree char *reason = stampede_engine_dup_abort_reason (engine);

    return g_strdup_printf ("the run was aborted: %s",
                            reason != NULL ? reason : "no reason given");
  }

  if (stampede_snapshot_answered (final) == 0 && unreachable > 0)
    return g_strdup_printf ("the target was unreachable: none of the %"
                            G_GUINT64_FORMAT " transactions sent was "
                            "answered and %" G_GUINT64_FORMAT " ended in "
                            "transport_error", final->arrivals, unreachable);

  return NULL;
}

/* Each injected fault, measured: when it started and ended, when the
 * target left and met its criteria again, and what was lost. */
static void
add_faults (JsonObject           *summary,
            StampedeFaultSession *faults,
            const GArray         *series)
{
  JsonNode *array;
  gboolean accounted = TRUE;

  if (faults != NULL) {
    array = stampede_fault_session_build_report (faults, series, &accounted);
  } else {
    array = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (array, json_array_new ());
  }

  json_object_set_member (summary, "faults", array);
  json_object_set_boolean_member (summary, "accounted", accounted);
}

static JsonNode *
build_summary (StampedeEngine               *engine,
               const StampedeRunConfig      *config,
               const StampedeScenarioSpec   *spec,
               StampedeFaultSession         *faults,
               const StampedeSnapshot       *final,
               const GArray                 *series,
               StampedeCriteriaResult      **criteria_out)
{
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *reason = NULL;
  JsonObject *object;

  summary = stampede_report_build_summary (config, final);
  object = json_node_get_object (summary);
  add_faults (object, faults, series);

  if (spec != NULL)
    json_object_set_string_member (object, "scenario", spec->name);
  else
    json_object_set_null_member (object, "scenario");

  if (final->aborted) {
    reason = stampede_engine_dup_abort_reason (engine);
    json_object_set_string_member (object, "abort_reason",
                                   reason != NULL ? reason : "");
  }

  *criteria_out = spec != NULL ?
                  stampede_scenario_spec_evaluate (spec, summary) : NULL;
  stampede_report_add_criteria (summary, *criteria_out);

  return g_steal_pointer (&summary);
}

/* Reports a file that could not be written, naming the user's path. */
static gboolean
report_write (gboolean     written,
              const char  *what,
              const char  *path,
              GError      *error)
{
  if (written)
    g_print ("%s written to %s\n", what, path);
  else
    g_printerr ("stampede-cli run: could not write %s\n", error->message);

  return written;
}

/* Writes each file asked for, each on its own: one that cannot be
 * written does not keep the others from being written.  Returns whether
 * all were. */
static gboolean
write_outputs (StampedeEngine               *engine,
               const StampedeScenarioSpec   *spec,
               const StampedeSnapshot       *final,
               JsonNode                     *summary,
               const StampedeCriteriaResult *criteria,
               const char                   *run_failure,
               GArray                       *series,
               const StampedeCliOutputs     *outputs)
{
  gboolean all = TRUE;

  if (outputs->json != NULL) {
    g_autoptr(GError) error = NULL;
    gboolean ok;

    ok = stampede_report_write_summary (summary, outputs->json, &error);
    all &= report_write (ok, "Summary", outputs->json, error);
  }

  if (outputs->csv != NULL) {
    g_autoptr(GError) error = NULL;
    gboolean ok;

    ok = stampede_report_write_csv (series, outputs->csv, &error);
    all &= report_write (ok, "Per-second series", outputs->csv, error);
  }

  if (outputs->spectrum != NULL) {
    g_autoptr(StampedeHistogram) latency = NULL;
    g_autoptr(StampedeHistogram) service = NULL;
    g_autoptr(GError) error = NULL;
    gboolean ok;

    latency = stampede_engine_dup_run_histogram (engine, FALSE);
    service = stampede_engine_dup_run_histogram (engine, TRUE);
    ok = stampede_report_write_spectrum (latency, service, outputs->spectrum,
                                         &error);
    all &= report_write (ok, "Percentile spectrum", outputs->spectrum,
                         error);
  }

  if (outputs->junit != NULL) {
    g_autoptr(GError) error = NULL;
    gboolean ok;

    ok = stampede_report_write_junit (spec != NULL ? spec->name : "run",
                                      final->elapsed_s, criteria,
                                      run_failure, outputs->junit, &error);
    all &= report_write (ok, "JUnit report", outputs->junit, error);
  }

  return all;
}

/**
 * stampede_cli_finish_run:
 * @engine: the engine that ran
 * @config: what the run was asked to do
 * @spec: (nullable): the scenario it ran, for its name and criteria
 * @faults: (nullable): the faults injected during the run
 * @final: the run's final snapshot
 * @outputs: the files to write
 * @interrupted: whether the user stopped the run before its end
 *
 * Prints the summary and the criteria's verdicts, writes the files asked
 * for and works out the exit status: 3 when the run was aborted,
 * interrupted or its target unreachable, 1 when a criterion failed, 0
 * otherwise, and 2 when a file could not be written.  An interrupted run
 * did not complete, so it never passes, whatever its criteria say.
 *
 * Returns: the exit status of `run`
 */
int
stampede_cli_finish_run (StampedeEngine             *engine,
                         const StampedeRunConfig    *config,
                         const StampedeScenarioSpec *spec,
                         StampedeFaultSession       *faults,
                         const StampedeSnapshot     *final,
                         const StampedeCliOutputs   *outputs,
                         gboolean                    interrupted)
{
  g_autoptr(StampedeCriteriaResult) criteria = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GArray) series = NULL;
  g_autofree char *run_failure = NULL;
  JsonObject *object;
  g_autofree char *text = NULL;
  g_autofree char *verdicts = NULL;
  g_autofree char *fault_text = NULL;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (engine), STAMPEDE_EXIT_USAGE);
  g_return_val_if_fail (config != NULL, STAMPEDE_EXIT_USAGE);
  g_return_val_if_fail (final != NULL, STAMPEDE_EXIT_USAGE);
  g_return_val_if_fail (outputs != NULL, STAMPEDE_EXIT_USAGE);

  run_failure = dup_run_failure (engine, final, interrupted);
  series = stampede_engine_dup_series (engine);
  summary = build_summary (engine, config, spec, faults, final, series,
                           &criteria);

  /* A run that failed as a whole does not pass, whatever its criteria
   * say; one that was aborted or interrupted did not complete. */
  object = json_node_get_object (summary);
  json_object_set_boolean_member (object, "completed",
                                  !final->aborted && !interrupted);
  if (run_failure != NULL)
    json_object_set_boolean_member (object, "passed", FALSE);
  stampede_report_null_undefined (summary);

  text = stampede_report_format_text (config, final);
  verdicts = stampede_report_format_verdict (criteria, run_failure);
  if (faults != NULL)
    fault_text = stampede_fault_session_format_text (faults, series);
  g_print ("\n%s%s%s", text, verdicts, fault_text != NULL ? fault_text : "");
  if (run_failure != NULL)
    g_printerr ("stampede-cli run: %s\n", run_failure);

  if (!write_outputs (engine, spec, final, summary, criteria, run_failure,
                      series, outputs))
    return STAMPEDE_EXIT_USAGE;

  if (run_failure != NULL)
    return final->aborted || interrupted ? STAMPEDE_EXIT_ABORTED
                                         : STAMPEDE_EXIT_UNREACHABLE;
  if (criteria != NULL && !criteria->passed)
    return STAMPEDE_EXIT_CRITERIA_FAILED;

  return STAMPEDE_EXIT_OK;
}
