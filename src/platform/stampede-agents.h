/* stampede-agents.h — the platform's four scoring agents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-card-store.h"
#include "stampede-score-request.h"

G_BEGIN_DECLS

typedef enum {
  STAMPEDE_PLATFORM_ANALYZER,
  STAMPEDE_PLATFORM_PATTERN,
  STAMPEDE_PLATFORM_GEO,
  STAMPEDE_PLATFORM_REASONING,
  STAMPEDE_PLATFORM_N_AGENTS,
} StampedePlatformAgent;

typedef enum {
  STAMPEDE_PLATFORM_APPROVE,
  STAMPEDE_PLATFORM_REVIEW,
  STAMPEDE_PLATFORM_DECLINE,
} StampedePlatformDecision;

/* Risk thresholds of the reasoning agent: below the first approve, below
 * the second review, else decline. */
#define STAMPEDE_PLATFORM_REVIEW_AT  0.5
#define STAMPEDE_PLATFORM_DECLINE_AT 0.75

#define STAMPEDE_PLATFORM_MAX_FINDINGS 8

/* In emergency mode, an amount below this (USD) is approved unscored. */
#define STAMPEDE_PLATFORM_EMERGENCY_APPROVE_USD 100.0

/**
 * StampedeAssessFlags:
 * @STAMPEDE_ASSESS_NO_ANALYZER: the transaction analyzer is unavailable
 * @STAMPEDE_ASSESS_NO_PATTERN: the pattern detector is unavailable or
 *   skipped
 * @STAMPEDE_ASSESS_NO_GEO: the geo/risk assessor is unavailable
 * @STAMPEDE_ASSESS_SHORT_WINDOW: the pattern detector looks at the last
 *   minute only, not the last ten minutes
 * @STAMPEDE_ASSESS_NO_EXPLANATION: the reasoning agent decides but does not
 *   explain
 *
 * What an assessment leaves out, because an agent failed or because the
 * platform sheds work under load.  The first three are bit (1 << agent).
 */
typedef enum {
  STAMPEDE_ASSESS_NO_ANALYZER    = 1 << 0,
  STAMPEDE_ASSESS_NO_PATTERN     = 1 << 1,
  STAMPEDE_ASSESS_NO_GEO         = 1 << 2,
  STAMPEDE_ASSESS_SHORT_WINDOW   = 1 << 4,
  STAMPEDE_ASSESS_NO_EXPLANATION = 1 << 5,
} StampedeAssessFlags;

/**
 * StampedeFinding:
 * @weight: how much the finding raised its agent's score, in [0, 1]
 * @text: a short phrase for the explanation
 *
 * One thing an agent noticed about a transaction.
 */
typedef struct {
  double weight;
  char   text[80];
} StampedeFinding;

/**
 * StampedeAssessment:
 * @ran: whether each agent ran; an agent that did not has a score of 0
 * @score: each agent's score in [0, 1]; the reasoning agent's is the risk
 * @compute_us: how long each agent computed, in microseconds
 * @risk: the combined risk score in [0, 1]
 * @decision: the decision for @risk
 * @explanation: one sentence naming the findings that weighed most
 */
typedef struct {
  gboolean                 ran[STAMPEDE_PLATFORM_N_AGENTS];
  double                   score[STAMPEDE_PLATFORM_N_AGENTS];
  double                   compute_us[STAMPEDE_PLATFORM_N_AGENTS];
  double                   risk;
  StampedePlatformDecision decision;
  guint                    n_findings;
  StampedeFinding          findings[STAMPEDE_PLATFORM_MAX_FINDINGS];
  char                     explanation[256];
} StampedeAssessment;

void        stampede_platform_assess        (const StampedeScoreRequest *request,
                                             const StampedeCardHistory  *prior,
                                             StampedeAssessment         *out);
void        stampede_platform_assess_with   (const StampedeScoreRequest *request,
                                             const StampedeCardHistory  *prior,
                                             StampedeAssessFlags         flags,
                                             StampedeAssessment         *out);
void        stampede_platform_assess_emergency
                                            (const StampedeScoreRequest *request,
                                             StampedeAssessment         *out);
const char *stampede_platform_agent_name    (StampedePlatformAgent       agent);
const char *stampede_platform_decision_name (StampedePlatformDecision    decision);
double      stampede_platform_distance_km   (double                      lat1,
                                             double                      lon1,
                                             double                      lat2,
                                             double                      lon2);

G_END_DECLS
