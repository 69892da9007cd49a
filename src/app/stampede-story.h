/* stampede-story.h — the figures the Presentation page tells, from a snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "stampede-flow-canvas.h"
#include "stampede-presentation-profile.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

/**
 * StampedeBusinessValue:
 * @fraud_avoided_usd: the loss avoided by the fraud the target blocked
 * @review_cost_usd: what reviewing the declined legitimate transactions
 *   cost
 * @processing_cost_usd: what scoring the answered transactions cost
 * @net_usd: the first less the other two
 *
 * The business value card's figures: counts measured in the run, priced
 * with the cost model.
 */
typedef struct {
  double fraud_avoided_usd;
  double review_cost_usd;
  double processing_cost_usd;
  double net_usd;
} StampedeBusinessValue;

/**
 * StampedeDetectorFigures:
 * @accuracy: share of decisions that matched the ground truth
 * @recall: share of the fraud that was declined
 * @false_positive_rate: share of the legitimate transactions declined
 * @latency_ms: the platform's median latency end to end, or the
 *   baseline's mean time to decide
 *
 * How well one detector did; each figure is NAN when nothing measured it.
 */
typedef struct {
  double accuracy;
  double recall;
  double false_positive_rate;
  double latency_ms;
} StampedeDetectorFigures;

double  stampede_story_hero_value        (const StampedeSnapshot            *snapshot,
                                          StampedeHero                       hero);
char   *stampede_story_format_hero       (const StampedePresentationProfile *profile,
                                          StampedeHero                       hero,
                                          double                             value);
double  stampede_story_availability      (const StampedeSnapshot            *snapshot);
double  stampede_story_error_rate        (const StampedeSnapshot            *snapshot);
void    stampede_story_business_value    (const StampedeSnapshot            *snapshot,
                                          const StampedeCostModel           *cost,
                                          StampedeBusinessValue             *value);
void    stampede_story_platform_figures  (const StampedeSnapshot            *snapshot,
                                          StampedeDetectorFigures           *figures);
void    stampede_story_baseline_figures  (const StampedeSnapshot            *snapshot,
                                          StampedeDetectorFigures           *figures);
char   *stampede_story_narrative         (const StampedeSnapshot            *snapshot,
                                          const StampedePresentationProfile *profile);
char   *stampede_story_narrate           (const StampedeSnapshot            *snapshot,
                                          const StampedePresentationProfile *profile,
                                          double                             blocked,
                                          double                             value,
                                          double                             availability);
guint8  stampede_story_flow_outcome      (StampedeOutcome                    outcome,
                                          gboolean                           is_fraud);
guint   stampede_story_flow_samples      (const StampedeSnapshot            *snapshot,
                                          StampedeFlowSample                *samples);

G_END_DECLS
