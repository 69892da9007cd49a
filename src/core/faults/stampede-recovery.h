/* stampede-recovery.h — how a target degraded and recovered around faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "stampede-criteria.h"
#include "stampede-scenario-spec.h"
#include "stampede-series.h"

G_BEGIN_DECLS

/**
 * StampedeFaultWindow:
 * @kind: the fault's kind
 * @started_s: when the fault took effect, in seconds from the run's start
 *   (monotonic clock); NAN when it never did
 * @ended_s: when it was cleared; NAN when it was still on at the end
 * @error: (nullable): why it could not be injected, for example the
 *   platform's answer to the request
 *
 * When one fault of a schedule was actually in effect.
 */
typedef struct {
  StampedeFaultKind  kind;
  double             started_s;
  double             ended_s;
  char              *error;
} StampedeFaultWindow;

/**
 * StampedeRecoveryThresholds:
 * @error_rate: the highest share of failed transactions a healthy second
 *   may have (default 0.01)
 * @error_rate_op: how a second's share compares with @error_rate to be
 *   healthy, %STAMPEDE_OP_LE by default
 * @p99_ms: the highest p99 a healthy second may have, ms; 0 (the default)
 *   derives it as @p99_factor × the median p99 of the seconds before the
 *   first fault
 * @p99_op: how a second's p99 compares with the threshold
 * @p99_factor: see @p99_ms (default 3)
 * @recovery_s: how many healthy seconds in a row make a recovery
 *   (default 3)
 * @grace_s: how long after a fault ended a degradation may still begin
 *   and be counted as the fault's (default 5 s: answers to requests sent
 *   during the fault go on arriving until they time out)
 *
 * What makes a second of the series healthy.
 */
typedef struct {
  double     error_rate;
  StampedeOp error_rate_op;
  double     p99_ms;
  StampedeOp p99_op;
  double     p99_factor;
  guint      recovery_s;
  double     grace_s;
} StampedeRecoveryThresholds;

/**
 * StampedeFaultImpact:
 * @kind: the fault's kind
 * @started_s: as in #StampedeFaultWindow
 * @ended_s: as in #StampedeFaultWindow
 * @error: (nullable): as in #StampedeFaultWindow
 * @degraded_s: the end of the first unhealthy second after the start;
 *   NAN when there was none
 * @recovered_s: the end of the first second of the first run of healthy
 *   seconds after @degraded_s long enough to count; NAN when there was none
 * @recovery_time_s: @recovered_s − @ended_s; may be ≤ 0; NAN when either
 *   is unknown
 * @errors: HTTP errors + transport errors + timeouts in the fault's
 *   window
 * @timeouts: timeouts in that window
 * @lost: transactions that got no answer, counted in that window:
 *   transport errors + timeouts + dropped (HTTP errors are answers and
 *   are not lost)
 * @answered: answers in that window that can be scored
 * @accuracy: share of those answers that matched the ground truth; NAN
 *   when there were none
 *
 * What one fault did.  The counts cover the fault's measurement window,
 * which starts at @started_s and ends at the earlier of two times: the
 * later of @ended_s and @recovered_s (the end of the series when @ended_s
 * is unknown), and the start of the next fault (the next later start; of
 * faults that start together, the first in the schedule has the window).
 * A second of the series counts for a fault when it overlaps that
 * window, except that the second in which the next fault started, and
 * every later one, count for the next fault only.  Windows therefore
 * never share a second, and the counts of all faults add up to at most
 * the series' own.  @degraded_s and @recovered_s are looked for without
 * that limit: a fault may recover after the next one began.
 */
typedef struct {
  StampedeFaultKind  kind;
  double             started_s;
  double             ended_s;
  char              *error;
  double             degraded_s;
  double             recovered_s;
  double             recovery_time_s;
  guint64            errors;
  guint64            timeouts;
  guint64            lost;
  guint64            answered;
  double             accuracy;
} StampedeFaultImpact;

/**
 * StampedeRecovery:
 * @impacts: (array length=n_impacts): one per fault window, in order
 * @n_impacts: how many there are
 * @error_rate: the error-rate threshold used
 * @p99_ms: the p99 threshold used, ms; NAN when there was no baseline to
 *   derive it from, in which case p99 was not judged
 * @arrivals: arrivals in the series: sent plus dropped
 * @outcomes: outcomes in the series, all kinds
 * @accounted: whether @arrivals == @outcomes: every transaction reached
 *   an outcome
 *
 * The measured recovery of a run.
 */
typedef struct {
  StampedeFaultImpact *impacts;
  guint                n_impacts;
  double               error_rate;
  double               p99_ms;
  guint64              arrivals;
  guint64              outcomes;
  gboolean             accounted;
} StampedeRecovery;

void
stampede_fault_window_clear (StampedeFaultWindow *window);

GArray *
stampede_fault_windows_new (void);

void
stampede_recovery_thresholds_init (StampedeRecoveryThresholds *self);

void
stampede_recovery_thresholds_set_criteria (StampedeRecoveryThresholds *self,
                                           const StampedeCriterion    *criteria,
                                           guint                       n);

StampedeRecovery *
stampede_recovery_analyse (const GArray                     *series,
                           const GArray                     *windows,
                           const StampedeRecoveryThresholds *thresholds);

void
stampede_recovery_to_json (const StampedeRecovery *self,
                           JsonBuilder            *builder);

void
stampede_fault_impact_to_json (const StampedeFaultImpact *impact,
                               JsonBuilder               *builder);

void
stampede_recovery_free (StampedeRecovery *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeRecovery, stampede_recovery_free)

G_END_DECLS
