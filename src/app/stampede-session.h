/* stampede-session.h — the engine the app talks to, local or remote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "stampede-api-client.h"

G_BEGIN_DECLS

typedef enum {
  STAMPEDE_SESSION_NEW,
  STAMPEDE_SESSION_CONNECTING,
  STAMPEDE_SESSION_READY,
  STAMPEDE_SESSION_FAILED,
} StampedeSessionState;

/*
 * A session owns the way to one engine.  A local session starts, in this
 * process, the reference platform and an engine behind its control API,
 * each serving from a thread of its own; a remote session reaches an engine
 * that runs elsewhere.  Either way the app speaks to the engine only
 * through the session's StampedeApiClient.
 *
 * Property "state" (StampedeSessionState as guint) notifies on change; once
 * it is %STAMPEDE_SESSION_READY the client exists and streams snapshots.
 */

#define STAMPEDE_TYPE_SESSION (stampede_session_get_type ())

G_DECLARE_FINAL_TYPE (StampedeSession, stampede_session,
                      STAMPEDE, SESSION, GObject)

StampedeSession     *stampede_session_new_local      (const char      *target_url);
StampedeSession     *stampede_session_new_remote     (const char      *engine_url,
                                                      const char      *token,
                                                      const char      *target_url);
void                 stampede_session_start          (StampedeSession *self);
void                 stampede_session_restart        (StampedeSession *self);
StampedeSessionState stampede_session_get_state      (StampedeSession *self);
gboolean             stampede_session_is_local       (StampedeSession *self);
const char          *stampede_session_get_error      (StampedeSession *self);
StampedeApiClient   *stampede_session_get_client     (StampedeSession *self);
const char          *stampede_session_get_engine_url (StampedeSession *self);
const char          *stampede_session_get_target_url (StampedeSession *self);
gboolean             stampede_session_dup_platform_admin (StampedeSession  *self,
                                                          char            **url,
                                                          char            **token);

G_END_DECLS
