/* stampede-platform.h — the reference fraud-detection service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

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
 *                     "agents": [{"name", "score", "ms"}, … four …]}
 *                    malformed input → 400 {"error": "…"}
 *   GET  /healthz    → 200 {"status": "ok"}
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
void              stampede_platform_set_agent_latency_ms (StampedePlatform *self,
                                                double             mean_ms);

G_END_DECLS
