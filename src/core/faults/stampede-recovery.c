/* stampede-recovery.c — how a target degraded and recovered around faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-recovery.h"

#include <math.h>
#include <stdlib.h>

#define DEFAULT_ERROR_RATE  0.01
#define DEFAULT_P99_FACTOR  3.0
#define DEFAULT_RECOVERY_S  3
#define DEFAULT_GRACE_S     5.0

typedef enum {
  SECOND_SILENT,
  SECOND_UNHEALTHY,
  SECOND_HEALTHY,
} SecondHealth;

/* The thresholds in force, once the p99 one has been worked out. */
typedef struct {
  const StampedeRecoveryThresholds *given;
  double                            p99_ms;
} Limits;

/**
 * stampede_fault_window_clear:
 * @window: a window
 *
 * Frees what @window holds, for g_array_set_clear_func().
 */
void
stampede_fault_window_clear (StampedeFaultWindow *window)
{
  g_return_if_fail (window != NULL);

  g_clear_pointer (&window->error, g_free);
}

/**
 * stampede_fault_windows_new:
 *
 * Returns: (transfer full) (element-type StampedeFaultWindow): an empty
 *   array of windows that frees its elements' strings
 */
GArray *
stampede_fault_windows_new (void)
{
  GArray *windows = g_array_new (FALSE, TRUE, sizeof (StampedeFaultWindow));

  g_array_set_clear_func (windows,
                          (GDestroyNotify) stampede_fault_window_clear);

  return windows;
}

/**
 * stampede_recovery_thresholds_init:
 * @self: thresholds to fill in
 *
 * Sets the defaults: a second is healthy when at most 1 % of its
 * transactions failed and its p99 is at most 3 × the median p99 of the
 * seconds before the first fault; three healthy seconds in a row make a
 * recovery.
 */
void
stampede_recovery_thresholds_init (StampedeRecoveryThresholds *self)
{
  g_return_if_fail (self != NULL);

  *self = (StampedeRecoveryThresholds) {
    .error_rate = DEFAULT_ERROR_RATE,
    .error_rate_op = STAMPEDE_OP_LE,
    .p99_ms = 0,
    .p99_op = STAMPEDE_OP_LE,
    .p99_factor = DEFAULT_P99_FACTOR,
    .recovery_s = DEFAULT_RECOVERY_S,
    .grace_s = DEFAULT_GRACE_S,
  };
}

/**
 * stampede_recovery_thresholds_set_criteria:
 * @self: thresholds
 * @criteria: (array length=n): a scenario's success criteria
 * @n: how many there are
 *
 * Takes the error-rate and p99 thresholds from the criteria that bound
 * them from above (`error_rate < 0.001`, `p99_ms <= 2000`), so that a run
 * judges recovery by the same measure as success.  Others are ignored.
 */
void
stampede_recovery_thresholds_set_criteria (StampedeRecoveryThresholds *self,
                                           const StampedeCriterion    *criteria,
                                           guint                       n)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (criteria != NULL || n == 0);

  for (guint i = 0; i < n; i++) {
    const StampedeCriterion *c = &criteria[i];
    gboolean upper = c->op == STAMPEDE_OP_LT || c->op == STAMPEDE_OP_LE;

    if (c->metric == STAMPEDE_METRIC_ERROR_RATE
        && (upper || c->op == STAMPEDE_OP_EQ)) {
      self->error_rate = c->value;
      self->error_rate_op = c->op;
    } else if (c->metric == STAMPEDE_METRIC_P99_MS && upper) {
      self->p99_ms = c->value;
      self->p99_op = c->op;
    }
  }
}

static guint64
outcome_total (const StampedeSecond *second)
{
  guint64 total = 0;

  for (guint k = 0; k < STAMPEDE_N_OUTCOMES; k++)
    total += second->outcomes[k];

  return total;
}

/* A dropped arrival counts as failed here although the error_rate metric
 * leaves it out: the engine drops only when answers are so slow that its
 * in-flight cap is reached, which is the target degrading. */
static SecondHealth
judge (const StampedeSecond *second,
       const Limits         *limits)
{
  guint64 total = outcome_total (second);
  guint64 failed = second->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]
                   + second->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
                   + second->outcomes[STAMPEDE_OUTCOME_TIMEOUT]
                   + second->outcomes[STAMPEDE_OUTCOME_DROPPED];

  if (total == 0)
    return SECOND_SILENT;

  if (!stampede_op_holds (limits->given->error_rate_op,
                          (double) failed / (double) total,
                          limits->given->error_rate))
    return SECOND_UNHEALTHY;
  if (!isnan (limits->p99_ms)
      && !stampede_op_holds (limits->given->p99_op, second->p99_ms,
                             limits->p99_ms))
    return SECOND_UNHEALTHY;

  return SECOND_HEALTHY;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
first_start (const GArray *windows)
{
  double first = INFINITY;

  for (guint i = 0; i < windows->len; i++) {
    const StampedeFaultWindow *w =
      &g_array_index (windows, StampedeFaultWindow, i);

    if (!isnan (w->started_s))
      first = MIN (first, w->started_s);
  }

  return first;
}

/* The median p99 of the seconds that ended before any fault began and
 * had answers, or NAN when there were none. */
static double
baseline_p99 (const GArray *series,
              double        before_s)
{
  g_autoptr(GArray) p99s = g_array_new (FALSE, FALSE, sizeof (double));
  guint n;

  for (guint i = 0; i < series->len; i++) {
    const StampedeSecond *s = &g_array_index (series, StampedeSecond, i);
    const guint64 *o = s->outcomes;

    if (s->t_s > before_s)
      break;
    if (o[STAMPEDE_OUTCOME_OK] + o[STAMPEDE_OUTCOME_DECLINED] > 0)
      g_array_append_val (p99s, s->p99_ms);
  }

  n = p99s->len;
  if (n == 0)
    return NAN;

  qsort (p99s->data, n, sizeof (double), compare_doubles);
  if (n % 2 == 1)
    return g_array_index (p99s, double, n / 2);

  return (g_array_index (p99s, double, n / 2 - 1)
          + g_array_index (p99s, double, n / 2)) / 2.0;
}

/* Row i of the series covers (its start, t_s]: from the previous row's
 * end, or one second before its own end for the first row. */
static double
row_start (const GArray *series,
           guint         i)
{
  if (i == 0)
    return MAX (0.0, g_array_index (series, StampedeSecond, 0).t_s - 1.0);

  return g_array_index (series, StampedeSecond, i - 1).t_s;
}

static gboolean
row_overlaps (const GArray *series,
              guint         i,
              double        from_s,
              double        to_s)
{
  const StampedeSecond *s = &g_array_index (series, StampedeSecond, i);

  return s->t_s > from_s && row_start (series, i) < to_s;
}

/* The first unhealthy second from the fault's start until grace_s after
 * its end, or -1. */
static int
find_degraded (const GArray *series,
               const Limits *limits,
               double        started_s,
               double        ended_s)
{
  double until = ended_s + limits->given->grace_s;

  for (guint i = 0; i < series->len; i++) {
    const StampedeSecond *s = &g_array_index (series, StampedeSecond, i);

    if (row_start (series, i) >= until)
      break;
    if (row_overlaps (series, i, started_s, until)
        && judge (s, limits) == SECOND_UNHEALTHY)
      return (int) i;
  }

  return -1;
}

/* The first second of the first run of recovery_s healthy seconds after
 * the degraded one, or -1.  Silent seconds prove nothing either way, so
 * they neither extend nor break a run. */
static int
find_recovered (const GArray *series,
                const Limits *limits,
                guint         degraded)
{
  guint streak = 0;
  int first = -1;

  for (guint i = degraded + 1; i < series->len; i++) {
    switch (judge (&g_array_index (series, StampedeSecond, i), limits)) {
    case SECOND_HEALTHY:
      if (streak++ == 0)
        first = (int) i;
      if (streak >= MAX (limits->given->recovery_s, 1))
        return first;
      break;
    case SECOND_UNHEALTHY:
      streak = 0;
      break;
    case SECOND_SILENT:
    default:
      break;
    }
  }

  return -1;
}

/* When the next fault after window @index started: the earliest start
 * later than its own, or equal to it for a window earlier in the
 * schedule (of faults that start together the first counts), so that
 * measurement windows never overlap; INFINITY when there is none. */
static double
next_start (const GArray *windows,
            guint         index)
{
  double own = g_array_index (windows, StampedeFaultWindow, index).started_s;
  double next = INFINITY;

  for (guint j = 0; j < windows->len; j++) {
    double other = g_array_index (windows, StampedeFaultWindow, j).started_s;

    if (j == index || isnan (other))
      continue;
    if (other > own || (other == own && j < index))
      next = MIN (next, other);
  }

  return next;
}

/* A row counts for a fault when it overlaps the fault's span, unless it
 * ended after the next fault started: such a row, the one in which the
 * next fault began included, counts for that next fault alone.  Spans
 * that meet or overlap then never share a row, so back-to-back faults
 * never count the same transaction twice. */
static void
count_span (const GArray        *series,
            double               from_s,
            double               to_s,
            double               next_start_s,
            StampedeFaultImpact *impact)
{
  guint64 right = 0;

  for (guint i = 0; i < series->len; i++) {
    const StampedeSecond *s = &g_array_index (series, StampedeSecond, i);
    const guint64 *o = s->outcomes;

    if (!row_overlaps (series, i, from_s, to_s) || s->t_s > next_start_s)
      continue;

    impact->errors += o[STAMPEDE_OUTCOME_HTTP_ERROR]
                      + o[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
                      + o[STAMPEDE_OUTCOME_TIMEOUT];
    impact->timeouts += o[STAMPEDE_OUTCOME_TIMEOUT];
    impact->lost += o[STAMPEDE_OUTCOME_DROPPED]
                    + o[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
                    + o[STAMPEDE_OUTCOME_TIMEOUT];
    impact->answered += s->tp + s->fp + s->tn + s->fn;
    right += s->tp + s->tn;
  }

  impact->accuracy = impact->answered > 0
                     ? (double) right / (double) impact->answered : NAN;
}

static void
analyse_window (const GArray              *series,
                const Limits              *limits,
                const StampedeFaultWindow *window,
                double                     next_start_s,
                StampedeFaultImpact       *impact)
{
  double end_of_series = series->len > 0
    ? g_array_index (series, StampedeSecond, series->len - 1).t_s : 0.0;
  double ended_s;
  double span_end;
  int degraded;
  int recovered = -1;

  *impact = (StampedeFaultImpact) {
    .kind = window->kind,
    .started_s = window->started_s,
    .ended_s = window->ended_s,
    .error = g_strdup (window->error),
    .degraded_s = NAN,
    .recovered_s = NAN,
    .recovery_time_s = NAN,
    .accuracy = NAN,
  };

  if (isnan (window->started_s))
    return;

  ended_s = isnan (window->ended_s) ? end_of_series : window->ended_s;
  degraded = find_degraded (series, limits, window->started_s, ended_s);
  if (degraded >= 0) {
    impact->degraded_s = g_array_index (series, StampedeSecond, degraded).t_s;
    recovered = find_recovered (series, limits, (guint) degraded);
  }
  if (recovered >= 0) {
    impact->recovered_s =
      g_array_index (series, StampedeSecond, recovered).t_s;
    if (!isnan (window->ended_s))
      impact->recovery_time_s = impact->recovered_s - window->ended_s;
  }

  span_end = isnan (impact->recovered_s)
             ? ended_s : MAX (ended_s, impact->recovered_s);
  count_span (series, window->started_s, span_end, next_start_s, impact);
}

static void
check_accounting (const GArray     *series,
                  StampedeRecovery *self)
{
  for (guint i = 0; i < series->len; i++) {
    const StampedeSecond *s = &g_array_index (series, StampedeSecond, i);

    self->arrivals += s->sent + s->outcomes[STAMPEDE_OUTCOME_DROPPED];
    self->outcomes += outcome_total (s);
  }

  self->accounted = self->arrivals == self->outcomes;
}

/**
 * stampede_recovery_analyse:
 * @series: (element-type StampedeSecond): a run's per-second series, in
 *   time order
 * @windows: (element-type StampedeFaultWindow): when each fault was on
 * @thresholds: (nullable): what makes a second healthy; %NULL for the
 *   defaults of stampede_recovery_thresholds_init()
 *
 * Measures, for each fault, when the target left its thresholds, when it
 * met them again for long enough, and what was lost meanwhile; and checks
 * that every arrival in @series reached an outcome.  Times are the ends
 * of the seconds of @series, so they are as fine as one second.
 *
 * Returns: (transfer full): the analysis
 */
StampedeRecovery *
stampede_recovery_analyse (const GArray                     *series,
                           const GArray                     *windows,
                           const StampedeRecoveryThresholds *thresholds)
{
  StampedeRecoveryThresholds defaults;
  StampedeRecovery *self;
  Limits limits;

  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (windows != NULL, NULL);

  if (thresholds == NULL) {
    stampede_recovery_thresholds_init (&defaults);
    thresholds = &defaults;
  }

  limits.given = thresholds;
  limits.p99_ms = thresholds->p99_ms > 0
                  ? thresholds->p99_ms
                  : thresholds->p99_factor
                    * baseline_p99 (series, first_start (windows));

  self = g_new0 (StampedeRecovery, 1);
  self->error_rate = thresholds->error_rate;
  self->p99_ms = limits.p99_ms;
  self->n_impacts = windows->len;
  self->impacts = g_new0 (StampedeFaultImpact, MAX (windows->len, 1));

  for (guint i = 0; i < windows->len; i++)
    analyse_window (series, &limits,
                    &g_array_index (windows, StampedeFaultWindow, i),
                    next_start (windows, i), &self->impacts[i]);
  check_accounting (series, self);

  return self;
}

static void
add_double_or_null (JsonBuilder *builder,
                    const char  *name,
                    double       value)
{
  json_builder_set_member_name (builder, name);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * stampede_fault_impact_to_json:
 * @impact: what one fault did
 * @builder: a builder where a value is expected
 *
 * Writes @impact as one item of a run summary's `faults` array: `kind`,
 * `started_s`, `ended_s`, `recovered_s`, `errors`, `lost`, `degraded_s`,
 * `recovery_time_s`, `timeouts` and `accuracy`, times and accuracy %NULL
 * when unknown; and `error` when the fault could not be injected.
 */
void
stampede_fault_impact_to_json (const StampedeFaultImpact *impact,
                               JsonBuilder               *builder)
{
  g_return_if_fail (impact != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder,
                                 stampede_fault_kind_to_string (impact->kind));
  add_double_or_null (builder, "started_s", impact->started_s);
  add_double_or_null (builder, "ended_s", impact->ended_s);
  add_double_or_null (builder, "recovered_s", impact->recovered_s);
  stampede_json_add_count (builder, "errors", impact->errors);
  stampede_json_add_count (builder, "lost", impact->lost);
  add_double_or_null (builder, "degraded_s", impact->degraded_s);
  add_double_or_null (builder, "recovery_time_s", impact->recovery_time_s);
  stampede_json_add_count (builder, "timeouts", impact->timeouts);
  add_double_or_null (builder, "accuracy", impact->accuracy);
  if (impact->error != NULL) {
    json_builder_set_member_name (builder, "error");
    json_builder_add_string_value (builder, impact->error);
  }
  json_builder_end_object (builder);
}

/**
 * stampede_recovery_to_json:
 * @self: an analysis
 * @builder: a builder where a value is expected
 *
 * Writes the `faults` array of a run summary, one object per fault as
 * stampede_fault_impact_to_json() writes it.
 */
void
stampede_recovery_to_json (const StampedeRecovery *self,
                           JsonBuilder            *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_impacts; i++)
    stampede_fault_impact_to_json (&self->impacts[i], builder);
  json_builder_end_array (builder);
}

/**
 * stampede_recovery_free:
 * @self: (nullable): an analysis
 */
void
stampede_recovery_free (StampedeRecovery *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_impacts; i++)
    g_free (self->impacts[i].error);
  g_free (self->impacts);
  g_free (self);
}
