/* stampede-snapshot.h — an immutable picture of a run at one instant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * StampedeOutcome:
 *
 * How one transaction ended.  Every arrival ends in exactly one outcome.
 * %STAMPEDE_OUTCOME_OK is an answer of approve or review,
 * %STAMPEDE_OUTCOME_DECLINED an answer of decline; the other four are
 * failures: a non-2xx status or an unreadable answer, a transport failure,
 * no answer within the timeout, and an arrival the engine could not send
 * within the timeout of its intended time (every handle busy while it
 * waited in the engine's backlog, or the run stopped first).
 */
typedef enum {
  STAMPEDE_OUTCOME_OK,
  STAMPEDE_OUTCOME_DECLINED,
  STAMPEDE_OUTCOME_HTTP_ERROR,
  STAMPEDE_OUTCOME_TRANSPORT_ERROR,
  STAMPEDE_OUTCOME_TIMEOUT,
  STAMPEDE_OUTCOME_DROPPED,
  STAMPEDE_N_OUTCOMES,
} StampedeOutcome;

typedef enum {
  STAMPEDE_RUN_IDLE,
  STAMPEDE_RUN_RUNNING,
  STAMPEDE_RUN_STOPPING,
  STAMPEDE_RUN_FINISHED,
} StampedeRunState;

/* The four agents of the reference platform, in pipeline order. */
typedef enum {
  STAMPEDE_AGENT_ANALYZER,
  STAMPEDE_AGENT_PATTERN,
  STAMPEDE_AGENT_GEO,
  STAMPEDE_AGENT_REASONING,
  STAMPEDE_N_AGENTS,
} StampedeAgent;

/* At most this many finished transactions travel with one snapshot, for
 * the flow view; the rest are represented by them. */
#define STAMPEDE_SNAPSHOT_MAX_SAMPLES 256

/* One finished transaction, sampled for the flow view.  @agent_ms are the
 * target's reported timings, 0 when it reported none. */
typedef struct {
  guint8  outcome;                     /* a StampedeOutcome */
  guint8  is_fraud;                    /* ground truth */
  float   latency_ms;                  /* from the intended send time */
  float   agent_ms[4];
} StampedeTxSample;

/* Latency figures in milliseconds, of the transactions @count counts:
 * those the target answered at the HTTP level (error statuses included),
 * those that timed out, and, in latency from the intended send time,
 * those dropped unsent.  Transport errors are left out. */
typedef struct {
  guint64 count;
  double  mean;
  double  p50;
  double  p95;
  double  p99;
  double  max;
} StampedeLatency;

/**
 * StampedeSnapshot:
 *
 * Everything the app, the CLI and the API show about a run.  Made by the
 * engine's aggregator ten times a second and never changed afterwards;
 * shared by reference (stampede_snapshot_ref()).
 *
 * Rates are over the last whole second.  "interval" latency covers the
 * last second, "run" latency the whole run.  Latency is measured from each
 * transaction's intended send time (coordinated-omission corrected) to
 * its end: the answer for one answered at the HTTP level, error statuses
 * included; the moment the engine gave up waiting for one that timed out
 * (so at least the timeout); the moment the engine gave up sending one
 * it dropped.  @service is from the actual send to the answer or the
 * timeout, and so leaves out the dropped ones, which were never sent.
 * Transport errors, refusals that come at once, are in neither.
 *
 * Invariant: @arrivals == sum (@outcomes) + @in_flight, and @in_flight is 0
 * once @state is %STAMPEDE_RUN_FINISHED.
 */
typedef struct {
  StampedeRunState state;
  /* The engine ended the run early because the achieved rate stayed below
   * the share of the target its configuration allows; set only in the
   * final snapshot. */
  gboolean         aborted;
  double           elapsed_s;
  double           duration_s;
  /* Arrivals/s the profile asks for now; in the final snapshot
   * (%STAMPEDE_RUN_FINISHED), where that would be 0, the mean the profile
   * asked for over the run: the arrivals it scheduled divided by the time
   * it scheduled them for (its duration, or until the stop). */
  double           target_rate;
  double           achieved_rate;   /* arrivals sent/s, last second */
  double           completed_rate;  /* answers received/s, last second (TPS) */

  guint64          arrivals;
  guint64          in_flight;
  guint64          outcomes[STAMPEDE_N_OUTCOMES];
  /* Attempts the engine made again under its retry policy; they are not
   * arrivals, and each transaction still has one outcome, its last
   * attempt's. */
  guint64          retries;

  StampedeLatency  interval;
  StampedeLatency  run;
  StampedeLatency  service;

  /* Confusion matrix over answered transactions: positive = fraud in the
   * ground truth, predicted positive = the target declined it. */
  guint64          true_pos;
  guint64          false_pos;
  guint64          true_neg;
  guint64          false_neg;

  /* Sum of amounts of declined fraudulent transactions, in USD. */
  double           fraud_value_blocked;

  /* Per-agent mean milliseconds reported by the target, run so far;
   * 0 when the target reports no agent timings. */
  double           agent_mean_ms[STAMPEDE_N_AGENTS];
  guint64          agent_count[STAMPEDE_N_AGENTS];

  /* The same answered transactions judged by the engine's rules-only
   * baseline (no history, no model): its confusion matrix and the mean
   * microseconds it took per decision. */
  guint64          baseline_tp;
  guint64          baseline_fp;
  guint64          baseline_tn;
  guint64          baseline_fn;
  double           baseline_mean_us;

  /* Transactions finished since the previous snapshot, sampled: each
   * sample stands for @sample_represents of them (1 when none were
   * left out). */
  guint            n_samples;
  double           sample_represents;
  StampedeTxSample samples[STAMPEDE_SNAPSHOT_MAX_SAMPLES];
} StampedeSnapshot;

#define STAMPEDE_TYPE_SNAPSHOT (stampede_snapshot_get_type ())

GType             stampede_snapshot_get_type        (void) G_GNUC_CONST;
StampedeSnapshot *stampede_snapshot_new             (void);
StampedeSnapshot *stampede_snapshot_ref             (StampedeSnapshot       *self);
void              stampede_snapshot_unref           (StampedeSnapshot       *self);
guint64           stampede_snapshot_answered        (const StampedeSnapshot *self);
guint64           stampede_snapshot_errors          (const StampedeSnapshot *self);
double            stampede_snapshot_accuracy        (const StampedeSnapshot *self);
double            stampede_snapshot_precision       (const StampedeSnapshot *self);
double            stampede_snapshot_recall          (const StampedeSnapshot *self);
void              stampede_snapshot_to_json         (const StampedeSnapshot *self,
                                                     JsonBuilder            *builder);
StampedeSnapshot *stampede_snapshot_new_from_json   (JsonNode               *node,
                                                     GError                **error);

void              stampede_json_add_count           (JsonBuilder            *builder,
                                                     const char             *key,
                                                     guint64                 value);
void              stampede_json_add_double          (JsonBuilder            *builder,
                                                     const char             *key,
                                                     double                  value);
void              stampede_latency_to_json          (const StampedeLatency  *latency,
                                                     const char             *key,
                                                     JsonBuilder            *builder);

const char       *stampede_outcome_to_string        (StampedeOutcome         outcome);
const char       *stampede_run_state_to_string      (StampedeRunState        state);
const char       *stampede_agent_to_string          (StampedeAgent           agent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeSnapshot, stampede_snapshot_unref)

G_END_DECLS
