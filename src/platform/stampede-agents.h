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
 * @score: each agent's score in [0, 1]; the reasoning agent's is the risk
 * @compute_us: how long each agent computed, in microseconds
 * @risk: the combined risk score in [0, 1]
 * @decision: the decision for @risk
 * @explanation: one sentence naming the findings that weighed most
 */
typedef struct {
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
const char *stampede_platform_agent_name    (StampedePlatformAgent       agent);
const char *stampede_platform_decision_name (StampedePlatformDecision    decision);
double      stampede_platform_distance_km   (double                      lat1,
                                             double                      lon1,
                                             double                      lat2,
                                             double                      lon2);

G_END_DECLS
