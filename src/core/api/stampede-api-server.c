/* stampede-api-server.c — the engine's control API (REST + WebSocket)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "stampede-api-server.h"

/* A run config is a few hundred bytes; anything near this cap is abuse. */
#define MAX_BODY_SIZE (64 * 1024)

#define TOKEN_BYTES 16

/* The ceiling stampede_run_config_validate() puts on rate as well. */
#define MAX_RATE 1e6

struct _StampedeApiServer {
  GObject         parent_instance;

  char           *token;
  char           *address;
  gboolean        allow_remote;
  guint           port;

  /* Owned by the server thread while it runs. */
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  SoupServer     *soup;
  StampedeEngine *engine;
  GPtrArray      *sockets;
  gboolean        shutting_down;

  /* Start-up hand-shake between start() and the server thread. */
  GMutex          lock;
  GCond           cond;
  gboolean        ready;
  GError         *start_error;
  guint           requested_port;
};

G_DEFINE_FINAL_TYPE (StampedeApiServer, stampede_api_server, G_TYPE_OBJECT)

/**
 * stampede_api_generate_token:
 * @error: return location for a #GError
 *
 * Makes a bearer token of 32 hexadecimal characters from 16 bytes of the
 * kernel's random source.  GLib's g_random functions are not meant for
 * secrets, so they are not used here.
 *
 * Returns: (transfer full) (nullable): the token, or %NULL with @error set
 */
char *
stampede_api_generate_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  GString *hex;
  gsize filled = 0;
  int fd;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = g_open ("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "Could not open /dev/urandom for a token: %s",
                 g_strerror (saved));
    return NULL;
  }

  while (filled < sizeof bytes) {
    gssize n = read (fd, bytes + filled, sizeof bytes - filled);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = n < 0 ? errno : EIO;

      g_close (fd, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not read /dev/urandom for a token: %s",
                   g_strerror (saved));
      return NULL;
    }
    filled += n;
  }
  g_close (fd, NULL);

  hex = g_string_sized_new (2 * TOKEN_BYTES);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);

  return g_string_free (hex, FALSE);
}

/* Compares the token a client sent with ours in time that does not depend
 * on where they first differ, so the token cannot be guessed byte by byte
 * from response times.  Only the length leaks, and it is not secret. */
static gboolean
token_equal (const char *expected,
             const char *given)
{
  gsize expected_len = strlen (expected);
  gsize given_len = strlen (given);
  guint8 diff = expected_len != given_len;

  for (gsize i = 0; i < expected_len; i++) {
    guint8 g = i < given_len ? (guint8) given[i] : 0;

    diff |= (guint8) expected[i] ^ g;
  }

  return diff == 0;
}

/* @query is the request's query when a token may come in it, else NULL. */
static gboolean
is_authorized (StampedeApiServer *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  SoupMessageHeaders *headers;
  const char *value;

  headers = soup_server_message_get_request_headers (msg);
  value = soup_message_headers_get_one (headers, "Authorization");
  if (value != NULL) {
    if (g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
      return FALSE;
    return token_equal (self->token, value + 7);
  }

  if (query != NULL) {
    value = g_hash_table_lookup (query, "token");
    if (value != NULL)
      return token_equal (self->token, value);
  }

  return FALSE;
}


static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *body;
  gsize length;

  json_generator_set_root (generator, root);
  body = json_generator_to_data (generator, &length);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE, body, length);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);

  respond_json (msg, status, builder);
}

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *allowed)
{
  SoupMessageHeaders *headers;
  g_autofree char *message = NULL;

  message = g_strdup_printf ("%s takes only %s",
                             g_uri_get_path (soup_server_message_get_uri (msg)),
                             allowed);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, message);

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Allow", allowed);
}

static void
respond_unauthorized (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers;

  respond_error (msg, SOUP_STATUS_UNAUTHORIZED,
                 "missing or wrong bearer token in the Authorization "
                 "header");

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "WWW-Authenticate",
                                "Bearer realm=\"stampede\"");
}

/* Runs before the body is read: a client without the token, or with a
 * body over the cap, is answered without reading what it sends. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  StampedeApiServer *self = user_data;
  SoupMessageHeaders *headers;

  if (!is_authorized (self, msg, NULL)) {
    respond_unauthorized (msg);
    return;
  }

  headers = soup_server_message_get_request_headers (msg);
  if (soup_message_headers_get_content_length (headers) > MAX_BODY_SIZE)
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                   "request body is larger than 64 KiB");
}

/* A status set here also refuses the WebSocket upgrade.  Browsers cannot
 * put headers on a WebSocket handshake, so the stream (and only the
 * stream) also takes the token in the query. */
static void
stream_early_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  StampedeApiServer *self = user_data;

  if (!is_authorized (self, msg, query))
    respond_unauthorized (msg);
}

static void
add_snapshot_member (JsonBuilder      *builder,
                     const char       *name,
                     StampedeSnapshot *snapshot)
{
  json_builder_set_member_name (builder, name);
  stampede_snapshot_to_json (snapshot, builder);
}

static void
add_config_member (JsonBuilder             *builder,
                   const StampedeRunConfig *config)
{
  json_builder_set_member_name (builder, "config");
  if (config == NULL) {
    json_builder_add_null_value (builder);
    return;
  }

  stampede_run_config_to_json (config, builder);
}

/* The engine has no snapshot before its first run; an empty one says
 * "idle, nothing yet" in the same shape. */
static StampedeSnapshot *
dup_current_snapshot (StampedeApiServer *self)
{
  StampedeSnapshot *snapshot;

  g_assert (STAMPEDE_IS_API_SERVER (self));

  snapshot = stampede_engine_dup_snapshot (self->engine);
  if (snapshot == NULL)
    snapshot = stampede_snapshot_new ();

  return snapshot;
}

static gboolean
run_is_active (StampedeApiServer *self)
{
  StampedeRunState state = stampede_engine_get_state (self->engine);

  return state == STAMPEDE_RUN_RUNNING || state == STAMPEDE_RUN_STOPPING;
}

static void
handle_status (StampedeApiServer *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(StampedeSnapshot) snapshot = dup_current_snapshot (self);
  g_autoptr(StampedeRunConfig) config = NULL;

  config = stampede_engine_dup_config (self->engine);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
    stampede_run_state_to_string (stampede_engine_get_state (self->engine)));
  add_snapshot_member (builder, "snapshot", snapshot);
  add_config_member (builder, config);
  json_builder_end_object (builder);

  respond_json (msg, SOUP_STATUS_OK, builder);
}

/* Parses the request body as JSON; answers 400 and returns NULL when it is
 * not a JSON object. */
static JsonNode *
parse_body_object (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  JsonNode *root;

  if (body->length > MAX_BODY_SIZE) {
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                   "request body is larger than 64 KiB");
    return NULL;
  }

  if (body->length == 0) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                   "request body is empty; a JSON object was expected");
    return NULL;
  }

  if (!json_parser_load_from_data (parser, body->data, body->length,
                                   &error)) {
    message = g_strdup_printf ("request body is not valid JSON: %s",
                               error->message);
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, message);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                   "request body must be a JSON object");
    return NULL;
  }

  return json_node_copy (root);
}

static void
handle_start_run (StampedeApiServer *self,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  node = parse_body_object (msg);
  if (node == NULL)
    return;

  if (!stampede_run_config_update_from_json (config, node, &error) ||
      !stampede_run_config_validate (config, &error)) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
    return;
  }

  if (run_is_active (self)) {
    respond_error (msg, SOUP_STATUS_CONFLICT,
                   "a run is already going; stop it first");
    return;
  }

  if (!stampede_engine_start (self->engine, config, &error)) {
    gboolean busy = g_error_matches (error, STAMPEDE_ENGINE_ERROR,
                                     STAMPEDE_ENGINE_ERROR_BUSY);

    respond_error (msg,
                   busy ? SOUP_STATUS_CONFLICT : SOUP_STATUS_BAD_REQUEST,
                   error->message);
    return;
  }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, "running");
  add_config_member (builder, config);
  json_builder_end_object (builder);

  respond_json (msg, SOUP_STATUS_CREATED, builder);
}

static void
handle_stop_run (StampedeApiServer *self,
                 SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean active = run_is_active (self);

  if (active)
    stampede_engine_stop (self->engine);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, active ? "stopping" : "idle");
  json_builder_end_object (builder);

  respond_json (msg, SOUP_STATUS_OK, builder);
}

static void
handle_set_rate (StampedeApiServer *self,
                 SoupServerMessage *msg)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *message = NULL;
  JsonObject *object;
  JsonNode *member;
  double rate;

  node = parse_body_object (msg);
  if (node == NULL)
    return;

  object = json_node_get_object (node);
  member = json_object_get_member (object, "rate");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      (json_node_get_value_type (member) != G_TYPE_DOUBLE &&
       json_node_get_value_type (member) != G_TYPE_INT64)) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                   "rate: a positive number is required");
    return;
  }

  rate = json_node_get_double (member);
  if (!isfinite (rate) || rate <= 0 || rate > MAX_RATE) {
    message = g_strdup_printf ("rate: %g is out of range; it must be above "
                               "0 and at most %g", rate, MAX_RATE);
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, message);
    return;
  }

  if (stampede_engine_get_state (self->engine) != STAMPEDE_RUN_RUNNING) {
    respond_error (msg, SOUP_STATUS_CONFLICT,
                   "no run is going; start one first");
    return;
  }

  stampede_engine_set_rate (self->engine, rate);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, rate);
  json_builder_end_object (builder);

  respond_json (msg, SOUP_STATUS_OK, builder);
}

typedef void (*RouteHandler) (StampedeApiServer *self,
                              SoupServerMessage *msg);

typedef struct {
  const char   *path;
  const char   *method;
  RouteHandler  handler;
} Route;

static const Route routes[] = {
  { "/v1/status", "GET", handle_status },
  { "/v1/runs", "POST", handle_start_run },
  { "/v1/runs/stop", "POST", handle_stop_run },
  { "/v1/runs/rate", "POST", handle_set_rate },
};

static void
request_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  StampedeApiServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++) {
    if (strcmp (path, routes[i].path) != 0)
      continue;

    if (strcmp (method, routes[i].method) != 0)
      respond_method_not_allowed (msg, routes[i].method);
    else
      routes[i].handler (self, msg);
    return;
  }

  message = g_strdup_printf ("no such route: %s", path);
  respond_error (msg, SOUP_STATUS_NOT_FOUND, message);
}

/* The stream's plain handler runs before the upgrade; leaving the status
 * unset lets libsoup go on with the WebSocket handshake. */
static void
stream_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  if (strcmp (path, "/v1/stream") != 0) {
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such route");
    return;
  }

  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    respond_method_not_allowed (msg, "GET");
}

static char *
stream_message (const char       *type,
                StampedeSnapshot *snapshot)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  add_snapshot_member (builder, "snapshot", snapshot);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static void
broadcast (StampedeApiServer *self,
           const char        *type,
           StampedeSnapshot  *snapshot)
{
  g_autofree char *text = NULL;

  if (self->sockets->len == 0)
    return;

  text = stream_message (type, snapshot);
  for (guint i = 0; i < self->sockets->len; i++) {
    SoupWebsocketConnection *conn = g_ptr_array_index (self->sockets, i);

    if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_send_text (conn, text);
  }
}

static void
engine_snapshot_cb (StampedeEngine    *engine,
                    StampedeSnapshot  *snapshot,
                    StampedeApiServer *self)
{
  broadcast (self, "snapshot", snapshot);
}

static void
engine_finished_cb (StampedeEngine    *engine,
                    StampedeSnapshot  *snapshot,
                    StampedeApiServer *self)
{
  broadcast (self, "finished", snapshot);
}

static void
socket_closed_cb (SoupWebsocketConnection *conn,
                  StampedeApiServer       *self)
{
  g_debug ("stream client left (close code %u)",
           soup_websocket_connection_get_close_code (conn));
  g_signal_handlers_disconnect_by_data (conn, self);
  g_ptr_array_remove_fast (self->sockets, conn);

  if (self->shutting_down && self->sockets->len == 0)
    g_main_loop_quit (self->loop);
}

static void
socket_error_cb (SoupWebsocketConnection *conn,
                 GError                  *error,
                 StampedeApiServer       *self)
{
  g_debug ("stream client error: %s", error->message);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  StampedeApiServer *self = user_data;
  g_autoptr(StampedeSnapshot) snapshot = dup_current_snapshot (self);
  g_autofree char *text = NULL;

  g_ptr_array_add (self->sockets, g_object_ref (conn));
  g_signal_connect (conn, "closed", G_CALLBACK (socket_closed_cb), self);
  g_signal_connect (conn, "error", G_CALLBACK (socket_error_cb), self);

  text = stream_message ("snapshot", snapshot);
  soup_websocket_connection_send_text (conn, text);
}

/* Starts the closing hand-shake of every stream; each leaves the array in
 * socket_closed_cb once its client has answered. */
static void
close_sockets (StampedeApiServer *self)
{
  g_autoptr(GPtrArray) sockets = NULL;

  /* Closing may emit "closed", which edits the array; walk a copy. */
  sockets = g_ptr_array_new_full (self->sockets->len, g_object_unref);
  for (guint i = 0; i < self->sockets->len; i++)
    g_ptr_array_add (sockets, g_object_ref (g_ptr_array_index (self->sockets,
                                                               i)));

  for (guint i = 0; i < sockets->len; i++) {
    SoupWebsocketConnection *conn = g_ptr_array_index (sockets, i);

    if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                       "engine shutting down");
  }
}

static void
drop_sockets (StampedeApiServer *self)
{
  for (guint i = 0; i < self->sockets->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->sockets, i),
                                          self);
  g_ptr_array_set_size (self->sockets, 0);
}

static gboolean
setup_in_thread (StampedeApiServer  *self,
                 GError            **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSList *listeners;

  self->engine = stampede_engine_new ();
  g_signal_connect (self->engine, "snapshot",
                    G_CALLBACK (engine_snapshot_cb), self);
  g_signal_connect (self->engine, "finished",
                    G_CALLBACK (engine_finished_cb), self);

  self->soup = soup_server_new ("server-header", "stampede-engine ", NULL);
  soup_server_add_early_handler (self->soup, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, request_cb, self, NULL);
  soup_server_add_early_handler (self->soup, "/v1/stream", stream_early_cb,
                                 self, NULL);
  soup_server_add_handler (self->soup, "/v1/stream", stream_request_cb,
                           self, NULL);
  soup_server_add_websocket_handler (self->soup, "/v1/stream", NULL, NULL,
                                     websocket_cb, self, NULL);

  inet = g_inet_address_new_from_string (self->address);
  address = g_inet_socket_address_new (inet, self->requested_port);
  if (!soup_server_listen (self->soup, address, 0, error))
    return FALSE;

  listeners = soup_server_get_listeners (self->soup);
  local = g_socket_get_local_address (listeners->data, error);
  g_slist_free (listeners);
  if (local == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  return TRUE;
}

static void
teardown_in_thread (StampedeApiServer *self)
{
  drop_sockets (self);

  if (self->engine != NULL) {
    g_signal_handlers_disconnect_by_data (self->engine, self);
    if (run_is_active (self))
      stampede_engine_stop (self->engine);
  }

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->engine);

  /* Let sources that the teardown queued (socket closes) run once. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
}

static gpointer
server_thread (gpointer data)
{
  StampedeApiServer *self = data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->context);

  ok = setup_in_thread (self, &error);

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  if (!ok)
    self->start_error = g_steal_pointer (&error);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_main_loop_run (self->loop);

  teardown_in_thread (self);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  StampedeApiServer *self = data;

  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

/* Runs in the server thread.  Stream clients get a moment to answer the
 * closing hand-shake, so they see a clean "going away" rather than a cut
 * connection; one that does not answer is cut after a second. */
static gboolean
shutdown_cb (gpointer data)
{
  StampedeApiServer *self = data;
  g_autoptr(GSource) grace = NULL;

  self->shutting_down = TRUE;
  if (run_is_active (self))
    stampede_engine_stop (self->engine);

  close_sockets (self);
  if (self->sockets->len == 0) {
    g_main_loop_quit (self->loop);
    return G_SOURCE_REMOVE;
  }

  grace = g_timeout_source_new (1000);
  g_source_set_callback (grace, quit_cb, self, NULL);
  g_source_attach (grace, self->context);

  return G_SOURCE_REMOVE;
}

static void
stampede_api_server_finalize (GObject *object)
{
  StampedeApiServer *self = STAMPEDE_API_SERVER (object);

  stampede_api_server_stop (self);

  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (stampede_api_server_parent_class)->finalize (object);
}

static void
stampede_api_server_class_init (StampedeApiServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stampede_api_server_finalize;
}

static void
stampede_api_server_init (StampedeApiServer *self)
{
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

/**
 * stampede_api_server_new:
 * @token: (nullable): the bearer token clients must send, or %NULL for a
 *   random one (see stampede_api_server_get_token())
 *
 * Creates a server for a new engine.  Nothing listens until
 * stampede_api_server_start().
 *
 * Returns: (transfer full): a new #StampedeApiServer
 */
StampedeApiServer *
stampede_api_server_new (const char *token)
{
  StampedeApiServer *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (token == NULL || *token != '\0', NULL);

  self = g_object_new (STAMPEDE_TYPE_API_SERVER, NULL);
  if (token != NULL)
    self->token = g_strdup (token);
  else
    self->token = stampede_api_generate_token (&error);

  /* Without a token start() refuses to serve, and says why. */
  if (self->token == NULL)
    g_warning ("%s", error->message);

  return self;
}

/**
 * stampede_api_server_set_allow_remote:
 * @self: a #StampedeApiServer
 * @allow_remote: whether addresses other than loopback may be served on
 *
 * The control API starts and stops load; by default it only listens on a
 * loopback address.  A caller that has put the engine on a private network
 * on purpose (a cluster of engines) lifts that limit here, before
 * stampede_api_server_start().
 */
void
stampede_api_server_set_allow_remote (StampedeApiServer *self,
                                      gboolean           allow_remote)
{
  g_return_if_fail (STAMPEDE_IS_API_SERVER (self));
  g_return_if_fail (self->thread == NULL);

  self->allow_remote = !!allow_remote;
}

static gboolean
check_address (StampedeApiServer  *self,
               const char         *address,
               GError            **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  if (inet == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "“%s” is not an IP address", address);
    return FALSE;
  }

  if (!self->allow_remote && !g_inet_address_get_is_loopback (inet)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "refusing to serve the control API on %s: it is not a "
                 "loopback address", address);
    return FALSE;
  }

  return TRUE;
}

/**
 * stampede_api_server_start:
 * @self: a #StampedeApiServer
 * @address: (nullable): the IP address to listen on; %NULL for 127.0.0.1.
 *   "localhost" means 127.0.0.1.
 * @port: the port, or 0 for any free one
 * @error: return location for a #GError
 *
 * Starts the server thread and its engine and returns once the server
 * listens, or with @error set when it cannot.
 *
 * Returns: %TRUE when the server listens
 */
gboolean
stampede_api_server_start (StampedeApiServer  *self,
                           const char         *address,
                           guint               port,
                           GError            **error)
{
  g_return_val_if_fail (STAMPEDE_IS_API_SERVER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 "the control API is already serving");
    return FALSE;
  }

  if (self->token == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "no bearer token could be made; pass one explicitly");
    return FALSE;
  }

  if (address == NULL || g_ascii_strcasecmp (address, "localhost") == 0)
    address = "127.0.0.1";
  if (!check_address (self, address, error))
    return FALSE;

  g_free (self->address);
  self->address = g_strdup (address);
  self->requested_port = port;
  self->ready = FALSE;
  self->shutting_down = FALSE;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("stampede-api", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->start_error != NULL) {
    g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                "could not listen on %s port %u: ",
                                address, port);
    /* The thread has torn down what it set up and is ending; there is
     * nothing to shut down, only the thread to join. */
    g_thread_join (g_steal_pointer (&self->thread));
    g_clear_pointer (&self->loop, g_main_loop_unref);
    g_clear_pointer (&self->context, g_main_context_unref);
    self->port = 0;
    return FALSE;
  }

  return TRUE;
}

/**
 * stampede_api_server_stop:
 * @self: a #StampedeApiServer
 *
 * Stops any run, closes the streams, stops listening and joins the server
 * thread.  Safe to call when not started.
 */
void
stampede_api_server_stop (StampedeApiServer *self)
{
  g_return_if_fail (STAMPEDE_IS_API_SERVER (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->context, shutdown_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));

  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  self->port = 0;
}

/**
 * stampede_api_server_get_port:
 * @self: a #StampedeApiServer
 *
 * Returns: the port the server listens on, or 0 when it does not
 */
guint
stampede_api_server_get_port (StampedeApiServer *self)
{
  g_return_val_if_fail (STAMPEDE_IS_API_SERVER (self), 0);

  return self->port;
}

/**
 * stampede_api_server_get_token:
 * @self: a #StampedeApiServer
 *
 * Returns: (nullable): the bearer token clients must send
 */
const char *
stampede_api_server_get_token (StampedeApiServer *self)
{
  g_return_val_if_fail (STAMPEDE_IS_API_SERVER (self), NULL);

  return self->token;
}

/**
 * stampede_api_server_dup_url:
 * @self: a #StampedeApiServer
 *
 * Returns: (transfer full) (nullable): the base URL of the API, such as
 *   `http://127.0.0.1:PORT`, or %NULL when the server does not listen
 */
char *
stampede_api_server_dup_url (StampedeApiServer *self)
{
  g_return_val_if_fail (STAMPEDE_IS_API_SERVER (self), NULL);

  if (self->port == 0)
    return NULL;

  if (strchr (self->address, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u", self->address, self->port);

  return g_strdup_printf ("http://%s:%u", self->address, self->port);
}
