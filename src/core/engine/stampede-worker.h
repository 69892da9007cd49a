/* stampede-worker.h — one load-generating thread (engine private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-profile.h"
#include "stampede-run-config.h"
#include "stampede-histogram.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

/*
 * A worker is one thread with its own libcurl multi handle, its own pool
 * of easy handles and its own transaction factory.
 *
 * Open model: of a run's arrivals it owns those whose index k satisfies
 * k % n_workers == index, and sends each when the profile says it is
 * due, whether or not earlier ones have been answered.  An arrival that
 * finds every handle busy waits in a backlog and goes out, in order, as
 * soon as one is free; it is dropped only when it could not be sent
 * within the timeout of its intended time.
 *
 * With a retry policy, a 429 or 503 answer, a transport error or a
 * timeout sends the same transaction again after a wait, on the same
 * handle and with the same intended time.
 *
 * Closed model (a configuration with connections): it drives its share
 * of the connections, each sending the next transaction as soon as the
 * previous one is answered, until the profile's duration; every send is
 * an arrival whose intended time is its actual one.
 *
 * It records into a shard of its own; the engine's aggregator harvests
 * the shard ten times a second.
 */
typedef struct _StampedeWorker StampedeWorker;

/* Running totals of one worker since its run started.  An arrival counts
 * once it has been sent or dropped; one waiting in the backlog does not
 * yet.  @retries are the attempts sent again, which are not arrivals. */
typedef struct {
  guint64 arrivals;
  guint64 outcomes[STAMPEDE_N_OUTCOMES];
  guint64 retries;
  guint64 true_pos;
  guint64 false_pos;
  guint64 true_neg;
  guint64 false_neg;
  double  fraud_value_blocked;
  double  agent_ms_sum[STAMPEDE_N_AGENTS];
  guint64 agent_count[STAMPEDE_N_AGENTS];

  /* The rules-only baseline on the same answered transactions, and the
   * nanoseconds it took over all of them. */
  guint64 baseline_tp;
  guint64 baseline_fp;
  guint64 baseline_tn;
  guint64 baseline_fn;
  guint64 baseline_ns;
} StampedeWorkerTotals;

/* A uniform sample (a reservoir) of the transactions a worker finished
 * since the last harvest: @n of the @seen. */
typedef struct {
  guint64          seen;
  guint            n;
  StampedeTxSample items[STAMPEDE_SNAPSHOT_MAX_SAMPLES];
} StampedeWorkerSamples;

typedef enum {
  STAMPEDE_DECISION_APPROVE,
  STAMPEDE_DECISION_REVIEW,
  STAMPEDE_DECISION_DECLINE,
} StampedeDecision;

/* What the engine reads from a score answer. */
typedef struct {
  StampedeDecision decision;
  gboolean         agent_seen[STAMPEDE_N_AGENTS];
  double           agent_ms[STAMPEDE_N_AGENTS];
  gboolean         has_score;
  double           score;
} StampedeAnswer;

gboolean        stampede_answer_parse      (const char                 *body,
                                            gsize                       len,
                                            StampedeAnswer             *answer);

StampedeWorker *stampede_worker_new        (guint                       index,
                                            guint                       n_workers,
                                            const StampedeRunConfig    *config,
                                            StampedeProfile            *profile,
                                            GError                    **error);
void            stampede_worker_free       (StampedeWorker             *self);
void            stampede_worker_start      (StampedeWorker             *self,
                                            gint64                      start_us);
void            stampede_worker_stop       (StampedeWorker             *self);
void            stampede_worker_wake       (StampedeWorker             *self);
void            stampede_worker_abort      (StampedeWorker             *self);
gboolean        stampede_worker_is_done    (StampedeWorker             *self);
void            stampede_worker_join       (StampedeWorker             *self);
void            stampede_worker_harvest    (StampedeWorker             *self,
                                            StampedeWorkerTotals       *totals,
                                            StampedeHistogram         **corrected,
                                            StampedeHistogram         **service,
                                            StampedeWorkerSamples     **samples);

void            stampede_worker_totals_add (StampedeWorkerTotals       *sum,
                                            const StampedeWorkerTotals *totals);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeWorker, stampede_worker_free)

G_END_DECLS
