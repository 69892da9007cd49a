/* stampede-session.c — the engine the app talks to, local or remote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-api-server.h"
#include "stampede-platform.h"
#include "stampede-session.h"

#define LOOPBACK "127.0.0.1"

struct _StampedeSession {
  GObject               parent_instance;

  StampedePlatform     *platform;
  StampedeApiServer    *server;
  StampedeApiClient    *client;
  GCancellable         *cancellable;

  char                 *engine_url;
  char                 *token;
  char                 *target_url;
  char                 *error;

  /* Services of a local session being restarted, until a thread of the
   * GTask pool stops them. */
  gpointer              retiring;

  StampedeSessionState  state;
  gboolean              local;
  gboolean              target_from_platform;
};

G_DEFINE_FINAL_TYPE (StampedeSession, stampede_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The services of a local session while they are being started. */
typedef struct {
  StampedePlatform  *platform;
  StampedeApiServer *server;
} LocalServices;

static void
local_services_free (LocalServices *services)
{
  if (services == NULL)
    return;

  if (services->server != NULL)
    stampede_api_server_stop (services->server);
  if (services->platform != NULL)
    stampede_platform_stop (services->platform);

  g_clear_object (&services->server);
  g_clear_object (&services->platform);
  g_free (services);
}

static void
set_state (StampedeSession      *self,
           StampedeSessionState  state)
{
  g_assert (STAMPEDE_IS_SESSION (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
fail (StampedeSession *self,
      const char      *message)
{
  g_assert (STAMPEDE_IS_SESSION (self));

  g_debug ("Session failed: %s", message);

  g_free (self->error);
  self->error = g_strdup (message);
  g_clear_object (&self->client);
  set_state (self, STAMPEDE_SESSION_FAILED);
}

static void
become_ready (StampedeSession *self)
{
  g_assert (STAMPEDE_IS_SESSION (self));
  g_assert (self->client != NULL);

  g_clear_pointer (&self->error, g_free);
  stampede_api_client_connect_stream (self->client);
  set_state (self, STAMPEDE_SESSION_READY);
}

/*
 * Binding a port and starting the two service threads is quick, but it
 * is still work the GTK main thread must not wait for, so it runs in a
 * thread of the GTask pool.
 */
static void
start_local_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  LocalServices *retiring = task_data;
  LocalServices *services;

  /* A restart stops the old services here: stopping joins their threads,
   * which the GTK main thread must not wait for either. */
  if (retiring != NULL) {
    if (retiring->server != NULL)
      stampede_api_server_stop (retiring->server);
    if (retiring->platform != NULL)
      stampede_platform_stop (retiring->platform);
    g_clear_object (&retiring->server);
    g_clear_object (&retiring->platform);
  }

  services = g_new0 (LocalServices, 1);

  /* The embedded platform keeps its own default latency model, the same
   * one that `stampede-cli platform` serves, so the app and a headless
   * demo measure the same platform. */
  services->platform = stampede_platform_new ();
  if (!stampede_platform_start (services->platform, LOOPBACK, 0, &error)) {
    g_clear_object (&services->platform);
    local_services_free (services);
    g_task_return_new_error (task, error->domain, error->code,
                             _("Could not start the reference platform: %s"),
                             error->message);
    return;
  }

  services->server = stampede_api_server_new (NULL);
  if (!stampede_api_server_start (services->server, LOOPBACK, 0, &error)) {
    g_clear_object (&services->server);
    local_services_free (services);
    g_task_return_new_error (task, error->domain, error->code,
                             _("Could not start the load engine: %s"),
                             error->message);
    return;
  }

  g_task_return_pointer (task, services,
                         (GDestroyNotify) local_services_free);
}

static void
local_started_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  StampedeSession *self = STAMPEDE_SESSION (source);
  g_autoptr(GError) error = NULL;
  LocalServices *services;

  services = g_task_propagate_pointer (G_TASK (result), &error);
  if (services == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      fail (self, error->message);
    return;
  }

  self->platform = g_steal_pointer (&services->platform);
  self->server = g_steal_pointer (&services->server);
  local_services_free (services);

  g_free (self->engine_url);
  self->engine_url = stampede_api_server_dup_url (self->server);
  g_free (self->token);
  self->token = g_strdup (stampede_api_server_get_token (self->server));

  if (self->target_url == NULL || self->target_from_platform) {
    g_autofree char *platform_url = stampede_platform_dup_url (self->platform);

    g_free (self->target_url);
    self->target_url = g_strconcat (platform_url, "/v1/score", NULL);
    self->target_from_platform = TRUE;
  }

  self->client = stampede_api_client_new (self->engine_url, self->token);
  become_ready (self);
}

static void
remote_status_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(StampedeSession) self = user_data;
  g_autoptr(StampedeSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  snapshot = stampede_api_client_get_status_finish (
    STAMPEDE_API_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* A reply from a client the session has since let go is stale. */
  if (source != G_OBJECT (self->client))
    return;

  if (snapshot == NULL) {
    message = g_strdup_printf (_("Engine at %s: %s"),
                               self->engine_url, error->message);
    fail (self, message);
    return;
  }

  become_ready (self);
}

static void
stampede_session_dispose (GObject *object)
{
  StampedeSession *self = STAMPEDE_SESSION (object);

  g_cancellable_cancel (self->cancellable);

  if (self->client != NULL)
    stampede_api_client_disconnect_stream (self->client);
  g_clear_object (&self->client);

  /* The engine goes first, so that no run keeps aiming at a platform that
   * has already stopped answering. */
  if (self->server != NULL)
    stampede_api_server_stop (self->server);
  g_clear_object (&self->server);
  if (self->platform != NULL)
    stampede_platform_stop (self->platform);
  g_clear_object (&self->platform);

  G_OBJECT_CLASS (stampede_session_parent_class)->dispose (object);
}

static void
stampede_session_finalize (GObject *object)
{
  StampedeSession *self = STAMPEDE_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer ((LocalServices **) &self->retiring, local_services_free);
  g_clear_pointer (&self->engine_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->target_url, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (stampede_session_parent_class)->finalize (object);
}

static void
stampede_session_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StampedeSession *self = STAMPEDE_SESSION (object);

  switch (prop_id) {
  case PROP_STATE:
    g_value_set_uint (value, self->state);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
stampede_session_class_init (StampedeSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_session_dispose;
  object_class->finalize = stampede_session_finalize;
  object_class->get_property = stampede_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       STAMPEDE_SESSION_NEW, STAMPEDE_SESSION_FAILED,
                       STAMPEDE_SESSION_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stampede_session_init (StampedeSession *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * stampede_session_new_local:
 * @target_url: (nullable): where runs aim, or %NULL for the embedded
 *   platform
 *
 * Makes a session that will run the platform and the engine in this
 * process once started.
 *
 * Returns: (transfer full): the session
 */
StampedeSession *
stampede_session_new_local (const char *target_url)
{
  StampedeSession *self = g_object_new (STAMPEDE_TYPE_SESSION, NULL);

  self->local = TRUE;
  self->target_url = g_strdup (target_url);

  return self;
}

/**
 * stampede_session_new_remote:
 * @engine_url: the base URL of an engine's control API
 * @token: the engine's bearer token
 * @target_url: (nullable): where runs aim, or %NULL for the engine's own
 *   default
 *
 * Makes a session with an engine that runs elsewhere.
 *
 * Returns: (transfer full): the session
 */
StampedeSession *
stampede_session_new_remote (const char *engine_url,
                             const char *token,
                             const char *target_url)
{
  StampedeSession *self;

  g_return_val_if_fail (engine_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (STAMPEDE_TYPE_SESSION, NULL);
  self->engine_url = g_strdup (engine_url);
  self->token = g_strdup (token);
  self->target_url = g_strdup (target_url);

  return self;
}

/**
 * stampede_session_start:
 * @self: a #StampedeSession
 *
 * Starts the local services, or checks that the remote engine answers,
 * without blocking; the outcome shows in #StampedeSession:state.  A session
 * that failed may be started again.
 */
void
stampede_session_start (StampedeSession *self)
{
  g_return_if_fail (STAMPEDE_IS_SESSION (self));

  if (self->state == STAMPEDE_SESSION_CONNECTING ||
      self->state == STAMPEDE_SESSION_READY)
    return;

  set_state (self, STAMPEDE_SESSION_CONNECTING);

  if (self->local) {
    g_autoptr(GTask) task = NULL;

    task = g_task_new (self, self->cancellable, local_started_cb, NULL);
    g_task_set_source_tag (task, stampede_session_start);
    g_task_set_task_data (task, g_steal_pointer (&self->retiring),
                          (GDestroyNotify) local_services_free);
    g_task_run_in_thread (task, start_local_thread);
  } else {
    self->client = stampede_api_client_new (self->engine_url, self->token);
    stampede_api_client_get_status_async (self->client, self->cancellable,
                                          remote_status_cb,
                                          g_object_ref (self));
  }
}

StampedeSessionState
stampede_session_get_state (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), STAMPEDE_SESSION_NEW);

  return self->state;
}

gboolean
stampede_session_is_local (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), FALSE);

  return self->local;
}

/**
 * stampede_session_get_error:
 * @self: a #StampedeSession
 *
 * Returns: (nullable): why the session failed, or %NULL
 */
const char *
stampede_session_get_error (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), NULL);

  return self->error;
}

/**
 * stampede_session_get_client:
 * @self: a #StampedeSession
 *
 * Returns: (transfer none) (nullable): the client, once the session is
 *   ready
 */
StampedeApiClient *
stampede_session_get_client (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), NULL);

  if (self->state != STAMPEDE_SESSION_READY)
    return NULL;

  return self->client;
}

/**
 * stampede_session_get_engine_url:
 * @self: a #StampedeSession
 *
 * Returns: (nullable): the engine's URL; %NULL for a local session that
 *   has not started yet
 */
const char *
stampede_session_get_engine_url (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), NULL);

  return self->engine_url;
}

/**
 * stampede_session_get_target_url:
 * @self: a #StampedeSession
 *
 * Returns: (nullable): where runs aim; %NULL when they aim at the remote
 *   engine's default target, or before a local session has started
 */
const char *
stampede_session_get_target_url (StampedeSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), NULL);

  return self->target_url;
}

/**
 * stampede_session_restart:
 * @self: a #StampedeSession
 *
 * Starts over after a failure: a local session stops its platform and
 * engine and starts new ones, a remote session checks the engine again;
 * either way a new client streams the figures.  The old services are
 * stopped off the main thread.  Does nothing while the session connects.
 */
void
stampede_session_restart (StampedeSession *self)
{
  g_return_if_fail (STAMPEDE_IS_SESSION (self));

  if (self->state == STAMPEDE_SESSION_CONNECTING)
    return;

  if (self->client != NULL)
    stampede_api_client_disconnect_stream (self->client);
  g_clear_object (&self->client);

  if (self->local) {
    LocalServices *services = g_new0 (LocalServices, 1);

    services->server = g_steal_pointer (&self->server);
    services->platform = g_steal_pointer (&self->platform);
    g_clear_pointer ((LocalServices **) &self->retiring, local_services_free);
    self->retiring = services;
  }

  set_state (self, STAMPEDE_SESSION_NEW);
  stampede_session_start (self);
}

/**
 * stampede_session_dup_platform_admin:
 * @self: a #StampedeSession
 * @url: (out) (transfer full): where to store the embedded platform's base
 *   URL
 * @token: (out) (transfer full): where to store its admin token
 *
 * Says where a scenario's platform-side faults can be sent: only the
 * platform that a ready local session runs can take them.
 *
 * Returns: %TRUE when there is such a platform
 */
gboolean
stampede_session_dup_platform_admin (StampedeSession  *self,
                                     char            **url,
                                     char            **token)
{
  g_return_val_if_fail (STAMPEDE_IS_SESSION (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  if (self->platform == NULL || self->state != STAMPEDE_SESSION_READY)
    return FALSE;

  *url = stampede_platform_dup_url (self->platform);
  *token = stampede_platform_dup_admin_token (self->platform);

  return TRUE;
}
