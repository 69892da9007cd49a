/* stampede-platform.h — the reference fraud-detection service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "stampede-degradation.h"

G_BEGIN_DECLS

/*
 * The system under test: an HTTP service with an orchestrator and four
 * agents.  It serves from a thread of its own with its own GMainContext,
 * so it can be embedded in the app or the CLI without sharing their loop.
 *
 *   POST /v1/score   a transaction (JSON) → 200
 *                    {"transaction_id",
 *                     "decision": "approve"|"review"|"decline",
 *                     "risk_score": 0..1, "explanation",
 *                     "agents": [{"name", "score", "ms"}, …],
 *                     "degradation": "normal"|"moderate"|"severe"|
 *                                    "critical"}
 *                    malformed input → 400 {"error": "…"}
 *                    queue full → 503, model rate limit → 429 with
 *                    Retry-After, both {"error", "degradation"}
 *   GET  /healthz    → 200 {"status": "ok"}
 *   GET  /metrics    → Prometheus text exposition
 *   /v1/admin/faults and /v1/admin/degradation, with
 *                    "Authorization: Bearer TOKEN": see
 *                    stampede-platform-admin.c
 */

#define STAMPEDE_TYPE_PLATFORM (stampede_platform_get_type ())

G_DECLARE_FINAL_TYPE (StampedePlatform, stampede_platform, STAMPEDE, PLATFORM, GObject)

StampedePlatform *stampede_platform_new        (void);
gboolean          stampede_platform_start      (StampedePlatform  *self,
                                                const char        *address,
                                                guint              port,
                                                GError           **error);
void              stampede_platform_stop       (StampedePlatform  *self);
guint             stampede_platform_get_port   (StampedePlatform  *self);
char             *stampede_platform_dup_url    (StampedePlatform  *self);

void     stampede_platform_set_agent_latency_ms
                                      (StampedePlatform  *self,
                                       double             mean_ms);
gboolean stampede_platform_set_agent_latency
                                      (StampedePlatform  *self,
                                       const char        *agent,
                                       const char        *model,
                                       GError           **error);
void     stampede_platform_set_admission
                                      (StampedePlatform  *self,
                                       guint              queue_depth,
                                       guint              max_scoring);
void     stampede_platform_set_admin_token
                                      (StampedePlatform  *self,
                                       const char        *token);
char    *stampede_platform_dup_admin_token
                                      (StampedePlatform  *self);

guint    stampede_platform_inject_fault
                                      (StampedePlatform  *self,
                                       const char        *kind,
                                       JsonObject        *params,
                                       GError           **error);
void     stampede_platform_clear_faults
                                      (StampedePlatform  *self);

StampedeDegradationLevel
         stampede_platform_get_degradation_level
                                      (StampedePlatform         *self);
void     stampede_platform_set_degradation_override
                                      (StampedePlatform         *self,
                                       StampedeDegradationLevel  level);

G_END_DECLS
