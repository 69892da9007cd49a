/* stampede-criteria.h — success criteria of a run and their verdicts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * StampedeMetric:
 * @STAMPEDE_METRIC_AVG_MS: mean latency from intended send time, ms
 * @STAMPEDE_METRIC_P50_MS: median of that latency, ms
 * @STAMPEDE_METRIC_P95_MS: its 95th percentile, ms
 * @STAMPEDE_METRIC_P99_MS: its 99th percentile, ms
 * @STAMPEDE_METRIC_SERVICE_P99_MS: 99th percentile from actual send, ms
 * @STAMPEDE_METRIC_ERROR_RATE: (HTTP errors + transport errors +
 *   timeouts) / arrivals
 * @STAMPEDE_METRIC_AVAILABILITY: answered / (arrivals − dropped)
 * @STAMPEDE_METRIC_DATA_LOSS: arrivals − the sum of all outcomes
 * @STAMPEDE_METRIC_DROPPED_SHARE: dropped / arrivals
 * @STAMPEDE_METRIC_ACCURACY: share of answers that match the ground truth
 * @STAMPEDE_METRIC_PRECISION: share of declines that were fraud
 * @STAMPEDE_METRIC_RECALL: share of fraud that was declined
 * @STAMPEDE_METRIC_COST_PER_TX_USD: usd_per_hour × hours / answered
 * @STAMPEDE_METRIC_ACHIEVED_RATIO: achieved rate / target rate
 *
 * What a criterion measures; docs/scenarios.md says more.  The latency
 * metrics are not computable when their latency object's "count" is 0 or
 * missing; the achieved ratio is not when there were no arrivals or the
 * target rate is 0.
 */
typedef enum {
  STAMPEDE_METRIC_AVG_MS,
  STAMPEDE_METRIC_P50_MS,
  STAMPEDE_METRIC_P95_MS,
  STAMPEDE_METRIC_P99_MS,
  STAMPEDE_METRIC_SERVICE_P99_MS,
  STAMPEDE_METRIC_ERROR_RATE,
  STAMPEDE_METRIC_AVAILABILITY,
  STAMPEDE_METRIC_DATA_LOSS,
  STAMPEDE_METRIC_DROPPED_SHARE,
  STAMPEDE_METRIC_ACCURACY,
  STAMPEDE_METRIC_PRECISION,
  STAMPEDE_METRIC_RECALL,
  STAMPEDE_METRIC_COST_PER_TX_USD,
  STAMPEDE_METRIC_ACHIEVED_RATIO,
  STAMPEDE_N_METRICS,
} StampedeMetric;

typedef enum {
  STAMPEDE_OP_LT,
  STAMPEDE_OP_LE,
  STAMPEDE_OP_GT,
  STAMPEDE_OP_GE,
  STAMPEDE_OP_EQ,
  STAMPEDE_N_OPS,
} StampedeOp;

/**
 * StampedeCriterion:
 * @metric: what is measured
 * @op: how the measured value is compared
 * @value: the threshold it is compared with
 *
 * One success criterion: "metric op value" must hold.
 */
typedef struct {
  StampedeMetric metric;
  StampedeOp     op;
  double         value;
} StampedeCriterion;

/**
 * StampedeCriterionResult:
 * @criterion: the criterion
 * @computable: whether the metric could be computed from the summary
 * @actual: the measured value; meaningless when not @computable
 * @passed: whether the criterion holds; %FALSE when not @computable
 * @reason: (nullable): why the metric could not be computed
 */
typedef struct {
  StampedeCriterion criterion;
  gboolean          computable;
  double            actual;
  gboolean          passed;
  char             *reason;
} StampedeCriterionResult;

/**
 * StampedeCriteriaResult:
 * @results: (array length=n_results): one result per criterion, in order
 * @n_results: how many there are
 * @passed: whether every criterion passed (%TRUE when there are none)
 */
typedef struct {
  StampedeCriterionResult *results;
  guint                    n_results;
  gboolean                 passed;
} StampedeCriteriaResult;

const char *
stampede_metric_to_string (StampedeMetric metric);

gboolean
stampede_metric_from_string (const char     *name,
                             StampedeMetric *metric);

char *
stampede_metric_list_names (void);

const char *
stampede_op_to_string (StampedeOp op);

gboolean
stampede_op_from_string (const char *name,
                         StampedeOp *op);

gboolean
stampede_op_holds (StampedeOp op,
                   double     actual,
                   double     threshold);

StampedeCriteriaResult *
stampede_criteria_evaluate (const StampedeCriterion *criteria,
                            guint                    n_criteria,
                            JsonNode                *summary,
                            double                   usd_per_hour);

void
stampede_criteria_result_to_json (const StampedeCriteriaResult *self,
                                  JsonBuilder                  *builder);

void
stampede_criteria_result_free (StampedeCriteriaResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeCriteriaResult, stampede_criteria_result_free)

G_END_DECLS
