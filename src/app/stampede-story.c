/* stampede-story.c — the figures the Presentation page tells, from a snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "stampede-story.h"

/* Decimals of the shares a hero figure shows. */
#define AVAILABILITY_DECIMALS 2
#define ACCURACY_DECIMALS     1
#define ERROR_RATE_DECIMALS   2

/* The narrative says availability with fewer decimals than its figure. */
#define NARRATIVE_DECIMALS    1

static double
share (guint64 part,
       guint64 whole)
{
  return whole > 0 ? (double) part / (double) whole : NAN;
}

static guint64
finished (const StampedeSnapshot *snapshot)
{
  guint64 sum = 0;

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    sum += snapshot->outcomes[i];

  return sum;
}

static guint64
failures (const StampedeSnapshot *snapshot)
{
  return snapshot->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]
         + snapshot->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
         + snapshot->outcomes[STAMPEDE_OUTCOME_TIMEOUT];
}

/**
 * stampede_story_availability:
 * @snapshot: a snapshot
 *
 * The availability of the target during the run: of the transactions
 * sent whose fate is known, the share that got an answer, i.e. answered ÷
 * (finished − dropped).  Those still in flight are left out while the run
 * goes; once it is over nothing is in flight and this is the success
 * criteria's answered ÷ (arrivals − dropped).
 *
 * Returns: the share, or NAN when nothing sent has finished
 */
double
stampede_story_availability (const StampedeSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NAN);

  return share (stampede_snapshot_answered (snapshot),
                finished (snapshot)
                - snapshot->outcomes[STAMPEDE_OUTCOME_DROPPED]);
}

/**
 * stampede_story_error_rate:
 * @snapshot: a snapshot
 *
 * HTTP errors, transport errors and timeouts over the transactions whose
 * fate is known, the success criteria's error rate without those still in
 * flight.
 *
 * Returns: the share, or NAN when nothing has finished
 */
double
stampede_story_error_rate (const StampedeSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NAN);

  return share (failures (snapshot), finished (snapshot));
}

/**
 * stampede_story_hero_value:
 * @snapshot: a snapshot
 * @hero: a hero figure
 *
 * Returns: the figure's value in @snapshot, or NAN when nothing measured
 *   it yet
 */
double
stampede_story_hero_value (const StampedeSnapshot *snapshot,
                           StampedeHero            hero)
{
  guint64 judged;

  g_return_val_if_fail (snapshot != NULL, NAN);

  judged = snapshot->true_pos + snapshot->false_pos
           + snapshot->true_neg + snapshot->false_neg;

  switch (hero) {
  case STAMPEDE_HERO_PROCESSED:
    return stampede_snapshot_answered (snapshot);
  case STAMPEDE_HERO_FRAUD_BLOCKED:
    return snapshot->true_pos;
  case STAMPEDE_HERO_FRAUD_VALUE:
    return snapshot->fraud_value_blocked;
  case STAMPEDE_HERO_AVAILABILITY:
    return stampede_story_availability (snapshot);
  case STAMPEDE_HERO_TPS:
    return snapshot->completed_rate;
  case STAMPEDE_HERO_ACCURACY:
    return judged > 0 ? stampede_snapshot_accuracy (snapshot) : NAN;
  case STAMPEDE_HERO_P99:
    return snapshot->run.count > 0 ? snapshot->run.p99 : NAN;
  case STAMPEDE_HERO_ERROR_RATE:
    return stampede_story_error_rate (snapshot);
  case STAMPEDE_N_HEROES:
  default:
    g_return_val_if_reached (NAN);
  }
}

/**
 * stampede_story_format_hero:
 * @profile: the presentation profile
 * @hero: a hero figure
 * @value: its value, NAN for nothing measured
 *
 * Writes a hero figure as @profile says.  Shares are rounded towards the
 * modest side: availability and accuracy down, the error rate up.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_story_format_hero (const StampedePresentationProfile *profile,
                            StampedeHero                       hero,
                            double                             value)
{
  g_return_val_if_fail (profile != NULL, NULL);

  if (!isfinite (value))
    return g_strdup (STAMPEDE_FORMAT_NONE);

  switch (hero) {
  case STAMPEDE_HERO_PROCESSED:
  case STAMPEDE_HERO_FRAUD_BLOCKED:
  case STAMPEDE_HERO_TPS:
    return stampede_format_figure (value, &profile->style);
  case STAMPEDE_HERO_FRAUD_VALUE:
    return stampede_format_money (value, profile->currency,
                                  &profile->style);
  case STAMPEDE_HERO_AVAILABILITY:
    return stampede_format_percent_down (value, AVAILABILITY_DECIMALS);
  case STAMPEDE_HERO_ACCURACY:
    return stampede_format_percent_down (value, ACCURACY_DECIMALS);
  case STAMPEDE_HERO_P99:
    return stampede_format_ms (value);
  case STAMPEDE_HERO_ERROR_RATE:
    return stampede_format_percent_up (value, ERROR_RATE_DECIMALS);
  case STAMPEDE_N_HEROES:
  default:
    g_return_val_if_reached (NULL);
  }
}

/**
 * stampede_story_business_value:
 * @snapshot: a snapshot
 * @cost: the cost model
 * @value: (out caller-allocates): where to store the figures
 *
 * Prices the run's measured counts with @cost: blocked fraud (by its
 * measured amount or the modelled loss per block), legitimate
 * transactions declined (each one an analyst's review) and answered
 * transactions (each one scored).
 */
void
stampede_story_business_value (const StampedeSnapshot  *snapshot,
                               const StampedeCostModel *cost,
                               StampedeBusinessValue   *value)
{
  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (cost != NULL);
  g_return_if_fail (value != NULL);

  if (cost->measured_fraud_loss)
    value->fraud_avoided_usd = snapshot->fraud_value_blocked;
  else
    value->fraud_avoided_usd = snapshot->true_pos
                               * cost->fraud_loss_per_block_usd;

  value->review_cost_usd = snapshot->false_pos * cost->review_cost_usd;
  value->processing_cost_usd = stampede_snapshot_answered (snapshot)
                               * cost->cost_per_tx_usd;
  value->net_usd = value->fraud_avoided_usd - value->review_cost_usd
                   - value->processing_cost_usd;
}

static void
confusion_figures (guint64                  tp,
                   guint64                  fp,
                   guint64                  tn,
                   guint64                  fn,
                   StampedeDetectorFigures *figures)
{
  figures->accuracy = share (tp + tn, tp + fp + tn + fn);
  figures->recall = share (tp, tp + fn);
  figures->false_positive_rate = share (fp, fp + tn);
}

/**
 * stampede_story_platform_figures:
 * @snapshot: a snapshot
 * @figures: (out caller-allocates): where to store the figures
 *
 * The target's detection figures against the ground truth, and its median
 * latency over the run, measured end to end from the intended send time.
 */
void
stampede_story_platform_figures (const StampedeSnapshot  *snapshot,
                                 StampedeDetectorFigures *figures)
{
  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (figures != NULL);

  confusion_figures (snapshot->true_pos, snapshot->false_pos,
                     snapshot->true_neg, snapshot->false_neg, figures);
  figures->latency_ms = snapshot->run.count > 0 ? snapshot->run.p50 : NAN;
}

/**
 * stampede_story_baseline_figures:
 * @snapshot: a snapshot
 * @figures: (out caller-allocates): where to store the figures
 *
 * The engine's rules-only baseline, judged on the same answered
 * transactions, and its mean time to decide (in the engine, without a
 * network in between).
 */
void
stampede_story_baseline_figures (const StampedeSnapshot  *snapshot,
                                 StampedeDetectorFigures *figures)
{
  guint64 judged;

  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (figures != NULL);

  confusion_figures (snapshot->baseline_tp, snapshot->baseline_fp,
                     snapshot->baseline_tn, snapshot->baseline_fn, figures);

  judged = snapshot->baseline_tp + snapshot->baseline_fp
           + snapshot->baseline_tn + snapshot->baseline_fn;
  figures->latency_ms = judged > 0 ? snapshot->baseline_mean_us / 1000.0
                                   : NAN;
}

/**
 * stampede_story_narrative:
 * @snapshot: a snapshot
 * @profile: the presentation profile
 *
 * Tells in one sentence what the run has shown so far; every number in it
 * comes from @snapshot.
 *
 * Returns: (transfer full) (nullable): the sentence, or %NULL before
 *   anything was answered
 */
char *
stampede_story_narrative (const StampedeSnapshot            *snapshot,
                          const StampedePresentationProfile *profile)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  return stampede_story_narrate (snapshot, profile, snapshot->true_pos,
                                 snapshot->fraud_value_blocked,
                                 stampede_story_availability (snapshot));
}

/**
 * stampede_story_narrate:
 * @snapshot: a snapshot
 * @profile: the presentation profile
 * @blocked: the count of fraudulent transactions blocked to tell
 * @value: the fraud value blocked to tell
 * @availability: the availability to tell, a share
 *
 * Tells the sentence of stampede_story_narrative() with the figures that
 * the hero counters show, which ease towards those of @snapshot: the
 * sentence under the counters never reads other numbers than they do.
 *
 * Returns: (transfer full) (nullable): the sentence, or %NULL before
 *   anything was answered
 */
char *
stampede_story_narrate (const StampedeSnapshot            *snapshot,
                        const StampedePresentationProfile *profile,
                        double                             blocked,
                        double                             value,
                        double                             availability)
{
  g_autofree char *blocked_text = NULL;
  g_autofree char *value_text = NULL;
  g_autofree char *availability_text = NULL;
  g_autofree char *median = NULL;
  guint64 count;

  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  if (stampede_snapshot_answered (snapshot) == 0 || snapshot->run.count == 0)
    return NULL;

  availability_text = stampede_format_percent_down (availability,
                                                    NARRATIVE_DECIMALS);
  median = stampede_format_ms (snapshot->run.p50);

  count = isfinite (blocked) && blocked > 0 ? (guint64) round (blocked) : 0;
  if (count == 0)
    /* Translators: the first %s is a share of requests such as
     * "99.9 %", the second a latency such as "38 ms". */
    return g_strdup_printf (_("Answered %s of requests in %s at the "
                              "median; no fraud stopped yet."),
                            availability_text, median);

  blocked_text = stampede_format_figure (count, &profile->style);
  value_text = stampede_format_money (value, profile->currency,
                                      &profile->style);

  /* Translators: a count of transactions such as "1,234", an amount
   * such as "$1.2M", a share such as "99.9 %", a latency such as
   * "38 ms". */
  return g_strdup_printf (ngettext ("Stopped %s fraudulent transaction "
                                    "worth %s while answering %s of "
                                    "requests in %s at the median.",
                                    "Stopped %s fraudulent transactions "
                                    "worth %s while answering %s of "
                                    "requests in %s at the median.",
                                    (unsigned long) MIN (count, G_MAXULONG)),
                          blocked_text, value_text, availability_text,
                          median);
}

/**
 * stampede_story_flow_outcome:
 * @outcome: how a transaction ended
 * @is_fraud: whether it was fraud
 *
 * Returns: the #StampedeFlowOutcome the flow canvas colours it with
 */
guint8
stampede_story_flow_outcome (StampedeOutcome outcome,
                             gboolean        is_fraud)
{
  switch (outcome) {
  case STAMPEDE_OUTCOME_OK:
    return is_fraud ? STAMPEDE_FLOW_FRAUD_MISSED : STAMPEDE_FLOW_APPROVED;
  case STAMPEDE_OUTCOME_DECLINED:
    return is_fraud ? STAMPEDE_FLOW_FRAUD_STOPPED
                    : STAMPEDE_FLOW_LEGIT_DECLINED;
  case STAMPEDE_OUTCOME_HTTP_ERROR:
  case STAMPEDE_OUTCOME_TRANSPORT_ERROR:
  case STAMPEDE_OUTCOME_TIMEOUT:
  case STAMPEDE_OUTCOME_DROPPED:
  case STAMPEDE_N_OUTCOMES:
  default:
    return STAMPEDE_FLOW_ERROR;
  }
}

/**
 * stampede_story_flow_samples:
 * @snapshot: a snapshot
 * @samples: (out caller-allocates) (array fixed-size=256): where to store
 *   the samples, room for %STAMPEDE_SNAPSHOT_MAX_SAMPLES
 *
 * Turns the finished transactions sampled in @snapshot into the flow
 * canvas's samples.
 *
 * Returns: how many samples were stored
 */
guint
stampede_story_flow_samples (const StampedeSnapshot *snapshot,
                             StampedeFlowSample     *samples)
{
  guint n;

  g_return_val_if_fail (snapshot != NULL, 0);
  g_return_val_if_fail (samples != NULL, 0);

  n = MIN (snapshot->n_samples, STAMPEDE_SNAPSHOT_MAX_SAMPLES);
  for (guint i = 0; i < n; i++) {
    const StampedeTxSample *tx = &snapshot->samples[i];

    samples[i].outcome = stampede_story_flow_outcome (tx->outcome,
                                                      tx->is_fraud);
    samples[i].latency_ms = tx->latency_ms;
    memcpy (samples[i].agent_ms, tx->agent_ms, sizeof samples[i].agent_ms);
  }

  return n;
}
