/* stampede-series.h — a run, second by second
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-snapshot.h"

G_BEGIN_DECLS

/**
 * StampedeSecond:
 * @t_s: the end of this second, counted from the run's start (the last,
 *   partial second ends at the run's elapsed time rounded up)
 * @target_rate: the mean rate the profile asked for over this second
 * @sent: arrivals sent during this second (dropped ones not included)
 * @outcomes: transactions that reached their outcome during this second,
 *   by outcome (a dropped arrival reaches it when the engine gives up
 *   sending it)
 * @p50_ms: corrected latency (from the intended send time) of the
 *   transactions that ended during this second: answered at the HTTP
 *   level (error statuses included), timed out (at the moment the engine
 *   gave up, so at least the timeout) or dropped (at the moment the
 *   engine gave up sending them), but not those that ended in a transport
 *   error; likewise @p95_ms, @p99_ms, @max_ms; 0 when there were none
 * @service_p99_ms: the same from the actual send time, of the answered
 *   and timed out ones (a dropped arrival was never sent)
 * @tp: confusion matrix of the answers of this second (@fp, @tn, @fn)
 *
 * One row of the per-second series the engine keeps of a run, for CSV
 * export and for measuring how a target degrades and recovers around an
 * injected fault.
 */
typedef struct {
  double  t_s;
  double  target_rate;
  guint64 sent;
  guint64 outcomes[STAMPEDE_N_OUTCOMES];
  double  p50_ms;
  double  p95_ms;
  double  p99_ms;
  double  max_ms;
  double  service_p99_ms;
  guint64 tp;
  guint64 fp;
  guint64 tn;
  guint64 fn;
} StampedeSecond;

G_END_DECLS
