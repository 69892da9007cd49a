/* stampede-criteria.c — success criteria of a run and their verdicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-criteria.h"

static const char * const metric_names[] = {
  "avg_ms",
  "p50_ms",
  "p95_ms",
  "p99_ms",
  "service_p99_ms",
  "error_rate",
  "availability",
  "data_loss",
  "dropped_share",
  "accuracy",
  "precision",
  "recall",
  "cost_per_tx_usd",
  "achieved_ratio",
};

G_STATIC_ASSERT (G_N_ELEMENTS (metric_names) == STAMPEDE_N_METRICS);

static const char * const op_names[] = { "<", "<=", ">", ">=", "==" };

G_STATIC_ASSERT (G_N_ELEMENTS (op_names) == STAMPEDE_N_OPS);

static const char * const outcome_keys[] = {
  "ok", "declined", "http_error", "transport_error", "timeout", "dropped",
};

enum {
  OK,
  DECLINED,
  HTTP_ERROR,
  TRANSPORT_ERROR,
  TIMEOUT,
  DROPPED,
  N_OUTCOME_KEYS,
};

G_STATIC_ASSERT (G_N_ELEMENTS (outcome_keys) == N_OUTCOME_KEYS);

/**
 * stampede_metric_to_string:
 * @metric: a metric
 *
 * Returns: (transfer none): the metric's name in scenario files
 */
const char *
stampede_metric_to_string (StampedeMetric metric)
{
  g_return_val_if_fail (metric < STAMPEDE_N_METRICS, NULL);

  return metric_names[metric];
}

/**
 * stampede_metric_from_string:
 * @name: a metric's name
 * @metric: (out): where to store the metric
 *
 * Returns: %TRUE when @name names a metric
 */
gboolean
stampede_metric_from_string (const char     *name,
                             StampedeMetric *metric)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (metric != NULL, FALSE);

  for (guint i = 0; i < STAMPEDE_N_METRICS; i++) {
    if (strcmp (name, metric_names[i]) == 0) {
      *metric = i;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_metric_list_names:
 *
 * Returns: (transfer full): every metric's name, separated by ", ", for
 *   messages that tell the user what is valid
 */
char *
stampede_metric_list_names (void)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < STAMPEDE_N_METRICS; i++) {
    if (i > 0)
      g_string_append (list, ", ");
    g_string_append (list, metric_names[i]);
  }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

/**
 * stampede_op_to_string:
 * @op: a comparison
 *
 * Returns: (transfer none): the comparison as written in scenario files
 */
const char *
stampede_op_to_string (StampedeOp op)
{
  g_return_val_if_fail (op < STAMPEDE_N_OPS, NULL);

  return op_names[op];
}

/**
 * stampede_op_from_string:
 * @name: a comparison as written: <, <=, >, >= or ==
 * @op: (out): where to store the comparison
 *
 * Returns: %TRUE when @name is a comparison
 */
gboolean
stampede_op_from_string (const char *name,
                         StampedeOp *op)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  for (guint i = 0; i < STAMPEDE_N_OPS; i++) {
    if (strcmp (name, op_names[i]) == 0) {
      *op = i;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_op_holds:
 * @op: a comparison
 * @actual: the measured value
 * @threshold: the criterion's value
 *
 * Compares exactly; "==" is meant for counts such as data_loss.
 *
 * Returns: whether "@actual @op @threshold" holds
 */
gboolean
stampede_op_holds (StampedeOp op,
                   double     actual,
                   double     threshold)
{
  g_return_val_if_fail (op < STAMPEDE_N_OPS, FALSE);

  switch (op) {
  case STAMPEDE_OP_LT:
    return actual < threshold;
  case STAMPEDE_OP_LE:
    return actual <= threshold;
  case STAMPEDE_OP_GT:
    return actual > threshold;
  case STAMPEDE_OP_GE:
    return actual >= threshold;
  case STAMPEDE_OP_EQ:
    return actual == threshold;
  case STAMPEDE_N_OPS:
  default:
    return FALSE;
  }
}

/* The figures of a run summary that the metrics are computed from; a
 * figure missing from the summary stays NAN and makes every metric that
 * needs it not computable, with the member's name as the reason. */
typedef struct {
  JsonObject *summary;
  double      usd_per_hour;
  char       *reason;
} Evaluation;

static double
lookup (Evaluation *ev,
        const char *object_key,
        const char *key)
{
  JsonObject *object = ev->summary;
  JsonNode *node;
  GType type;

  if (object_key != NULL) {
    node = json_object_get_member (object, object_key);
    object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ?
             json_node_get_object (node) : NULL;
  }

  node = object != NULL ? json_object_get_member (object, key) : NULL;
  type = node != NULL ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE))
    return json_node_get_double (node);

  if (ev->reason == NULL && object_key != NULL)
    ev->reason = g_strdup_printf ("the summary has no number “%s.%s”",
                                  object_key, key);
  else if (ev->reason == NULL)
    ev->reason = g_strdup_printf ("the summary has no number “%s”", key);

  return NAN;
}

static double
outcome (Evaluation *ev,
         guint       which)
{
  return lookup (ev, "outcomes", outcome_keys[which]);
}

/* Sets the reason unless an earlier one, such as a missing figure, says
 * more; returns NAN so callers can return it directly. */
static double
not_computable (Evaluation *ev,
                const char *reason)
{
  if (ev->reason == NULL)
    ev->reason = g_strdup (reason);

  return NAN;
}

static double
ratio (Evaluation *ev,
       double      numerator,
       double      denominator,
       const char *reason)
{
  if (isnan (numerator) || isnan (denominator))
    return NAN;
  if (denominator <= 0)
    return not_computable (ev, reason);

  return numerator / denominator;
}

static double
answered (Evaluation *ev)
{
  return outcome (ev, OK) + outcome (ev, DECLINED);
}

/* A latency figure describes the transactions that were timed, which the
 * latency object counts itself; over none of them its percentiles are
 * zeros that would pass any upper bound, so they are not computable. */
static double
latency (Evaluation *ev,
         const char *object_key,
         const char *key)
{
  double value = lookup (ev, object_key, key);
  double count = lookup (ev, object_key, "count");

  if (isnan (count) || isnan (value))
    return NAN;
  if (count <= 0)
    return not_computable (ev, "no transaction was timed, so there is "
                               "no latency");

  return value;
}

/* Accuracy, precision and recall come from the summary; whether they
 * are defined is decided by their denominators, taken from the summary's
 * confusion counts when it has them and from the answered count
 * otherwise. */
static double
quality (Evaluation        *ev,
         const char        *key,
         const char * const counts[],
         const char        *reason)
{
  JsonNode *node = json_object_get_member (ev->summary, "accuracy");
  JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ?
                       json_node_get_object (node) : NULL;
  double value = lookup (ev, "accuracy", key);
  double denominator = 0;

  if (object != NULL && json_object_has_member (object, counts[0])) {
    for (guint i = 0; counts[i] != NULL; i++)
      denominator += lookup (ev, "accuracy", counts[i]);
  } else {
    denominator = answered (ev);
  }

  if (isnan (value) || isnan (denominator))
    return NAN;
  if (denominator <= 0)
    return not_computable (ev, reason);

  return value;
}

static const char * const accuracy_counts[] = { "tp", "fp", "tn", "fn", NULL };
static const char * const precision_counts[] = { "tp", "fp", NULL };
static const char * const recall_counts[] = { "tp", "fn", NULL };

static double
compute (Evaluation     *ev,
         StampedeMetric  metric)
{
  double arrivals;
  double sum = 0;

  switch (metric) {
  case STAMPEDE_METRIC_AVG_MS:
    return latency (ev, "latency_ms", "mean");
  case STAMPEDE_METRIC_P50_MS:
    return latency (ev, "latency_ms", "p50");
  case STAMPEDE_METRIC_P95_MS:
    return latency (ev, "latency_ms", "p95");
  case STAMPEDE_METRIC_P99_MS:
    return latency (ev, "latency_ms", "p99");
  case STAMPEDE_METRIC_SERVICE_P99_MS:
    return latency (ev, "service_latency_ms", "p99");

  case STAMPEDE_METRIC_ERROR_RATE:
    return ratio (ev, outcome (ev, HTTP_ERROR) +
                      outcome (ev, TRANSPORT_ERROR) + outcome (ev, TIMEOUT),
                  lookup (ev, NULL, "arrivals"), "there were no arrivals");

  case STAMPEDE_METRIC_AVAILABILITY:
    return ratio (ev, answered (ev),
                  lookup (ev, NULL, "arrivals") - outcome (ev, DROPPED),
                  "no transaction was sent");

  case STAMPEDE_METRIC_DATA_LOSS:
    arrivals = lookup (ev, NULL, "arrivals");
    for (guint i = 0; i < N_OUTCOME_KEYS; i++)
      sum += outcome (ev, i);
    return arrivals - sum;

  case STAMPEDE_METRIC_DROPPED_SHARE:
    return ratio (ev, outcome (ev, DROPPED), lookup (ev, NULL, "arrivals"),
                  "there were no arrivals");

  case STAMPEDE_METRIC_ACCURACY:
    return quality (ev, "accuracy", accuracy_counts,
                    "no transaction was answered");

  case STAMPEDE_METRIC_PRECISION:
    return quality (ev, "precision", precision_counts,
                    "the target declined no transaction");

  case STAMPEDE_METRIC_RECALL:
    return quality (ev, "recall", recall_counts,
                    "no fraudulent transaction was answered");

  case STAMPEDE_METRIC_COST_PER_TX_USD:
    if (!(ev->usd_per_hour >= 0))
      return not_computable (ev, "the scenario has no cost model");
    return ratio (ev, ev->usd_per_hour * lookup (ev, NULL, "duration_s") /
                      3600.0,
                  answered (ev), "no transaction was answered");

  case STAMPEDE_METRIC_ACHIEVED_RATIO:
    /* A run that offered nothing did not keep up with anything. */
    arrivals = lookup (ev, NULL, "arrivals");
    if (isnan (arrivals))
      return NAN;
    if (arrivals <= 0)
      return not_computable (ev, "there were no arrivals");
    return ratio (ev, lookup (ev, NULL, "achieved_rate"),
                  lookup (ev, NULL, "target_rate"),
                  "the target rate is 0");

  case STAMPEDE_N_METRICS:
  default:
    return not_computable (ev, "unknown metric");
  }
}

/**
 * stampede_criteria_evaluate:
 * @criteria: (array length=n_criteria): the criteria
 * @n_criteria: how many there are
 * @summary: a run summary object, as stampede_report_build_summary()
 *   makes it
 * @usd_per_hour: the cost model's price of running the target for an
 *   hour, or a negative number when there is no cost model
 *
 * Computes each criterion's metric from @summary and compares it with the
 * criterion's value.  A metric that cannot be computed, such as accuracy
 * when nothing was answered, fails the criterion and says why.
 *
 * Returns: (transfer full): the verdicts
 */
StampedeCriteriaResult *
stampede_criteria_evaluate (const StampedeCriterion *criteria,
                            guint                    n_criteria,
                            JsonNode                *summary,
                            double                   usd_per_hour)
{
  g_autoptr(StampedeCriteriaResult) self = NULL;

  g_return_val_if_fail (criteria != NULL || n_criteria == 0, NULL);
  g_return_val_if_fail (summary != NULL, NULL);

  self = g_new0 (StampedeCriteriaResult, 1);
  self->results = g_new0 (StampedeCriterionResult, n_criteria);
  self->n_results = n_criteria;
  self->passed = TRUE;

  for (guint i = 0; i < n_criteria; i++) {
    StampedeCriterionResult *result = &self->results[i];
    Evaluation ev = { NULL, usd_per_hour, NULL };

    result->criterion = criteria[i];

    if (JSON_NODE_HOLDS_OBJECT (summary)) {
      ev.summary = json_node_get_object (summary);
      result->actual = compute (&ev, criteria[i].metric);
    } else {
      result->actual = not_computable (&ev, "the summary is not an object");
    }

    result->computable = !isnan (result->actual);
    if (result->computable) {
      g_clear_pointer (&ev.reason, g_free);
      result->passed = stampede_op_holds (criteria[i].op, result->actual,
                                          criteria[i].value);
    }
    result->reason = g_steal_pointer (&ev.reason);
    self->passed = self->passed && result->passed;
  }

  return g_steal_pointer (&self);
}

/**
 * stampede_criteria_result_to_json:
 * @self: verdicts
 * @builder: a builder inside an object
 *
 * Adds the members "criteria", an array of objects with metric, op,
 * threshold, actual (null when not computable), passed and, when the
 * metric could not be computed, reason; and "passed", the overall verdict.
 */
void
stampede_criteria_result_to_json (const StampedeCriteriaResult *self,
                                  JsonBuilder                  *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "criteria");
  json_builder_begin_array (builder);

  for (guint i = 0; i < self->n_results; i++) {
    const StampedeCriterionResult *result = &self->results[i];

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "metric");
    json_builder_add_string_value (builder,
                                   metric_names[result->criterion.metric]);
    json_builder_set_member_name (builder, "op");
    json_builder_add_string_value (builder, op_names[result->criterion.op]);
    json_builder_set_member_name (builder, "threshold");
    json_builder_add_double_value (builder, result->criterion.value);

    json_builder_set_member_name (builder, "actual");
    if (result->computable)
      json_builder_add_double_value (builder, result->actual);
    else
      json_builder_add_null_value (builder);

    json_builder_set_member_name (builder, "passed");
    json_builder_add_boolean_value (builder, result->passed);
    if (result->reason != NULL) {
      json_builder_set_member_name (builder, "reason");
      json_builder_add_string_value (builder, result->reason);
    }
    json_builder_end_object (builder);
  }

  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "passed");
  json_builder_add_boolean_value (builder, self->passed);
}

/**
 * stampede_criteria_result_free:
 * @self: (transfer full): verdicts
 *
 * Frees @self.
 */
void
stampede_criteria_result_free (StampedeCriteriaResult *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_results; i++)
    g_free (self->results[i].reason);
  g_free (self->results);
  g_free (self);
}
