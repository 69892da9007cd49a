/* stampede-api-server.h — the engine's control API (REST + WebSocket)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "stampede-engine.h"

G_BEGIN_DECLS

/*
 * Serves one engine over HTTP on a loopback address (another address only
 * after stampede_api_server_set_allow_remote()), guarded by a bearer token
 * (`Authorization: Bearer TOKEN`; a request without it gets 401; the
 * stream also takes `?token=TOKEN` for clients that cannot set headers).
 * The server and the engine it drives live in a thread of their own with
 * their own GMainContext, so a client on a GTK main thread never waits for
 * them.  Routes (JSON bodies):
 *
 *   GET  /v1/status       {"state", "config", "snapshot"}
 *   POST /v1/runs         a run config (any subset of its keys) → 201
 *   POST /v1/runs/stop    → 200
 *   POST /v1/runs/rate    {"rate": N} → 200, changes the rate of the run
 *   GET  /v1/stream       WebSocket; one text message per snapshot:
 *                         {"type":"snapshot","snapshot":{…}} and, when a
 *                         run ends, {"type":"finished","snapshot":{…}}
 * A new token comes from stampede_api_generate_token().
 */

#define STAMPEDE_TYPE_API_SERVER (stampede_api_server_get_type ())

G_DECLARE_FINAL_TYPE (StampedeApiServer, stampede_api_server, STAMPEDE, API_SERVER, GObject)

StampedeApiServer *stampede_api_server_new          (const char         *token);
gboolean           stampede_api_server_start        (StampedeApiServer  *self,
                                                     const char         *address,
                                                     guint               port,
                                                     GError            **error);
void               stampede_api_server_stop         (StampedeApiServer  *self);
guint              stampede_api_server_get_port     (StampedeApiServer  *self);
const char        *stampede_api_server_get_token    (StampedeApiServer  *self);
char              *stampede_api_server_dup_url      (StampedeApiServer  *self);
void               stampede_api_server_set_allow_remote
                                                    (StampedeApiServer  *self,
                                                     gboolean            allow_remote);

char              *stampede_api_generate_token      (GError            **error);

G_END_DECLS
