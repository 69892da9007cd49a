/* stampede-faults.h — the platform's active faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "stampede-agents.h"

G_BEGIN_DECLS

typedef enum {
  STAMPEDE_FAULT_AGENT_CRASH,
  STAMPEDE_FAULT_STORE_THROTTLE,
  STAMPEDE_FAULT_INGESTION_LAG,
  STAMPEDE_FAULT_RATE_LIMIT,
  STAMPEDE_FAULT_LATENCY_SPIKE,
  STAMPEDE_FAULT_PARTITION,
  STAMPEDE_FAULT_N_KINDS,
} StampedeFaultKind;

/* The longest a fault may last, and the largest added delay, so that a
 * typing slip cannot wedge the platform for days. */
#define STAMPEDE_FAULT_MAX_DURATION_S 86400.0
#define STAMPEDE_FAULT_MAX_DELAY_MS   600000.0
#define STAMPEDE_FAULT_MAX_RETRY_S    3600.0

/**
 * StampedeFaultEffects:
 * @active: whether a fault of each kind is active
 * @crash: the share of each agent's calls that fail
 * @throttle: the share of card-store operations throttled
 * @lag_ms: the delay every transaction spends in the ingestion queue
 * @rate_limit: the share of model calls answered 429
 * @retry_after_s: what a 429 tells the client to wait
 * @spike_ms: the latency added to each agent
 * @silent: the share of requests held unanswered
 * @reset: the share of requests whose connection is reset
 *
 * What all the active faults together do to a request.  Faults of one
 * kind combine: shares and Retry-After by their maximum, delays by their
 * sum.
 */
typedef struct {
  gboolean active[STAMPEDE_FAULT_N_KINDS];
  double   crash[STAMPEDE_PLATFORM_N_AGENTS];
  double   throttle;
  double   lag_ms;
  double   rate_limit;
  double   retry_after_s;
  double   spike_ms[STAMPEDE_PLATFORM_N_AGENTS];
  double   silent;
  double   reset;
} StampedeFaultEffects;

typedef struct _StampedeFaults StampedeFaults;

StampedeFaults *stampede_faults_new         (void);
void            stampede_faults_free        (StampedeFaults        *self);
guint           stampede_faults_add         (StampedeFaults        *self,
                                             gint64                 now_us,
                                             const char            *kind,
                                             JsonObject            *params,
                                             GError               **error);
gboolean        stampede_faults_remove      (StampedeFaults        *self,
                                             guint                  id);
guint           stampede_faults_clear       (StampedeFaults        *self);
guint           stampede_faults_expire      (StampedeFaults        *self,
                                             gint64                 now_us);
void            stampede_faults_get_effects (StampedeFaults        *self,
                                             gint64                 now_us,
                                             StampedeFaultEffects  *out);
JsonNode       *stampede_faults_to_json     (StampedeFaults        *self,
                                             gint64                 now_us,
                                             guint                  id);
const char     *stampede_fault_kind_name    (StampedeFaultKind      kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeFaults, stampede_faults_free)

G_END_DECLS
