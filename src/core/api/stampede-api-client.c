/* stampede-api-client.c — a client of an engine's control API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "stampede-api-client.h"

#define REQUEST_TIMEOUT_S 30

struct _StampedeApiClient {
  GObject                  parent_instance;

  char                    *base_url;
  char                    *authorization;
  SoupSession             *session;
  SoupSession             *stream_session;

  /* At most one of these is set: a stream being opened or an open one. */
  GCancellable            *stream_cancellable;
  SoupWebsocketConnection *stream;
  GError                  *stream_error;
};

G_DEFINE_FINAL_TYPE (StampedeApiClient, stampede_api_client, G_TYPE_OBJECT)

enum {
  SIGNAL_SNAPSHOT,
  SIGNAL_RUN_FINISHED,
  SIGNAL_STREAM_CLOSED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (stampede-api-client-error-quark, stampede_api_client_error)

/* Turns a JSON reply into the task's result, or fails with @error. */
typedef gpointer (*ReplyParser) (JsonObject  *reply,
                                 GError     **error);

typedef struct {
  SoupMessage    *msg;
  ReplyParser     parse;
  GDestroyNotify  free_result;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->msg);
  g_free (request);
}

static SoupMessage *
new_message (StampedeApiClient  *self,
             const char         *method,
             const char         *path,
             GError            **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  g_autoptr(GUri) uri = NULL;
  SoupMessage *msg;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, error);
  if (uri == NULL) {
    g_prefix_error (error, "“%s” is not a usable engine URL: ",
                    self->base_url);
    return NULL;
  }

  msg = soup_message_new_from_uri (method, uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", self->authorization);

  return msg;
}

static char *
builder_to_data (JsonBuilder *builder,
                 gsize       *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, length);
}

/* A reply that is not a JSON object, or NULL with @error set. */
static JsonObject *
parse_reply (GBytes  *bytes,
             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, length, &local_error)) {
    g_set_error (error, STAMPEDE_API_CLIENT_ERROR,
                 STAMPEDE_API_CLIENT_ERROR_PROTOCOL,
                 "the engine's answer is not JSON: %s", local_error->message);
    return NULL;
  }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, STAMPEDE_API_CLIENT_ERROR,
                 STAMPEDE_API_CLIENT_ERROR_PROTOCOL,
                 "the engine's answer is not a JSON object");
    return NULL;
  }

  return json_object_ref (json_node_get_object (root));
}

/* Builds the error for a status other than 2xx, using the server's own
 * {"error": …} message when there is one. */
static GError *
status_error (SoupMessage *msg,
              GBytes      *bytes)
{
  guint status = soup_message_get_status (msg);
  g_autoptr(JsonObject) reply = NULL;
  const char *message = NULL;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    return g_error_new (STAMPEDE_API_CLIENT_ERROR,
                        STAMPEDE_API_CLIENT_ERROR_UNAUTHORIZED,
                        "the engine did not accept the token (HTTP 401)");

  reply = parse_reply (bytes, NULL);
  if (reply != NULL)
    message = json_object_get_string_member_with_default (reply, "error",
                                                          NULL);
  if (message == NULL)
    message = soup_message_get_reason_phrase (msg);
  if (message == NULL || *message == '\0')
    message = soup_status_get_phrase (status);

  return g_error_new (STAMPEDE_API_CLIENT_ERROR,
                      STAMPEDE_API_CLIENT_ERROR_REJECTED,
                      "%s (HTTP %u)", message, status);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(GError) error = NULL;
  gpointer value;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                             &error);
  if (bytes == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
    g_task_return_new_error (task, STAMPEDE_API_CLIENT_ERROR,
                             STAMPEDE_API_CLIENT_ERROR_REFUSED,
                             "could not reach the engine: %s",
                             error->message);
    return;
  }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (request->msg))) {
    g_task_return_error (task, status_error (request->msg, bytes));
    return;
  }

  reply = parse_reply (bytes, &error);
  if (reply == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  if (request->parse == NULL) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  value = request->parse (reply, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, request->free_result);
}

/* Sends one request; @body, when not NULL, is JSON and is taken. */
static void
send_request (StampedeApiClient   *self,
              const char          *method,
              const char          *path,
              char                *body,
              gsize                body_length,
              ReplyParser          parse,
              GDestroyNotify       free_result,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owned_body = body;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  request = g_new0 (Request, 1);
  request->parse = parse;
  request->free_result = free_result;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request->msg = new_message (self, method, path, &error);
  if (request->msg == NULL) {
    g_task_return_new_error (task, STAMPEDE_API_CLIENT_ERROR,
                             STAMPEDE_API_CLIENT_ERROR_REFUSED,
                             "%s", error->message);
    return;
  }

  if (owned_body != NULL) {
    g_autoptr(GBytes) bytes = NULL;

    bytes = g_bytes_new_take (g_steal_pointer (&owned_body), body_length);
    soup_message_set_request_body_from_bytes (request->msg,
                                              "application/json", bytes);
  }

  soup_session_send_and_read_async (self->session, request->msg,
                                    G_PRIORITY_DEFAULT, cancellable,
                                    send_cb, g_steal_pointer (&task));
}

static gboolean
finish_boolean (StampedeApiClient  *self,
                GAsyncResult       *result,
                gpointer            source_tag,
                GError            **error)
{
  g_return_val_if_fail (STAMPEDE_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
parse_status_reply (JsonObject  *reply,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (reply, "snapshot");
  g_autoptr(GError) local_error = NULL;
  StampedeSnapshot *snapshot;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, STAMPEDE_API_CLIENT_ERROR,
                 STAMPEDE_API_CLIENT_ERROR_PROTOCOL,
                 "the engine's status has no “snapshot” object");
    return NULL;
  }

  snapshot = stampede_snapshot_new_from_json (node, &local_error);
  if (snapshot == NULL)
    g_set_error (error, STAMPEDE_API_CLIENT_ERROR,
                 STAMPEDE_API_CLIENT_ERROR_PROTOCOL,
                 "the engine's snapshot is malformed: %s",
                 local_error->message);

  return snapshot;
}

/* Streams: one "stream-closed" follows every connect_stream() that opened
 * or tried to open a stream, whichever way it ended. */

static void
emit_stream_closed (StampedeApiClient *self,
                    const GError      *error)
{
  g_signal_emit (self, signals[SIGNAL_STREAM_CLOSED], 0, error);
}

static void
handle_stream_text (StampedeApiClient *self,
                    GBytes            *message)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(StampedeSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const char *type;
  JsonNode *node;

  object = parse_reply (message, &error);
  if (object == NULL) {
    g_debug ("ignoring a stream message: %s", error->message);
    return;
  }

  type = json_object_get_string_member_with_default (object, "type", NULL);
  node = json_object_get_member (object, "snapshot");
  if (type == NULL || node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
    g_debug ("ignoring a stream message without type or snapshot");
    return;
  }

  snapshot = stampede_snapshot_new_from_json (node, &error);
  if (snapshot == NULL) {
    g_debug ("ignoring a stream message: %s", error->message);
    return;
  }

  if (g_str_equal (type, "snapshot"))
    g_signal_emit (self, signals[SIGNAL_SNAPSHOT], 0, snapshot);
  else if (g_str_equal (type, "finished"))
    g_signal_emit (self, signals[SIGNAL_RUN_FINISHED], 0, snapshot);
  else
    g_debug ("ignoring a stream message of type “%s”", type);
}

static void
stream_message_cb (SoupWebsocketConnection *conn,
                   int                      type,
                   GBytes                  *message,
                   StampedeApiClient       *self)
{
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_debug ("ignoring a binary stream message");
    return;
  }

  handle_stream_text (self, message);
}

static void
stream_error_cb (SoupWebsocketConnection *conn,
                 GError                  *error,
                 StampedeApiClient       *self)
{
  if (self->stream_error == NULL)
    self->stream_error = g_error_copy (error);
}

/* The engine (or the network) ended the stream; a close that the client
 * asked for never gets here (see release_stream()). */
static void
stream_closed_cb (SoupWebsocketConnection *conn,
                  StampedeApiClient       *self)
{
  g_autoptr(SoupWebsocketConnection) stream = NULL;
  g_autoptr(GError) error = NULL;
  const char *data = soup_websocket_connection_get_close_data (conn);
  gushort code = soup_websocket_connection_get_close_code (conn);

  stream = g_steal_pointer (&self->stream);
  g_signal_handlers_disconnect_by_data (stream, self);

  if (self->stream_error != NULL)
    error = g_error_new (STAMPEDE_API_CLIENT_ERROR,
                         STAMPEDE_API_CLIENT_ERROR_REFUSED,
                         "the stream broke: %s", self->stream_error->message);
  else
    error = g_error_new (STAMPEDE_API_CLIENT_ERROR,
                         STAMPEDE_API_CLIENT_ERROR_REFUSED,
                         "the engine closed the stream: %s (code %u)",
                         data != NULL && *data != '\0' ? data : "no reason",
                         code);
  g_clear_error (&self->stream_error);

  emit_stream_closed (self, error);
}

static void
release_closed_cb (SoupWebsocketConnection *conn,
                   gpointer                 user_data)
{
  g_object_unref (conn);
}

/* Closes @conn politely and lets go of it: the client's reference passes
 * to the "closed" handler, so the connection lives until the engine has
 * answered the close, and no signal of it reaches the client any more. */
static void
release_stream (StampedeApiClient       *self,
                SoupWebsocketConnection *conn)
{
  SoupWebsocketState state = soup_websocket_connection_get_state (conn);

  g_signal_handlers_disconnect_by_data (conn, self);

  if (state == SOUP_WEBSOCKET_STATE_CLOSED) {
    g_object_unref (conn);
    return;
  }

  /* A stream in CLOSING has sent its close already. */
  g_signal_connect (conn, "closed", G_CALLBACK (release_closed_cb), NULL);
  if (state == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

typedef struct {
  StampedeApiClient *self;
  GCancellable      *cancellable;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->cancellable);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConnectData, connect_data_free)

static void
stream_connect_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ConnectData) data = user_data;
  StampedeApiClient *self = data->self;
  SoupSession *session = SOUP_SESSION (object);
  g_autoptr(SoupWebsocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reported = NULL;
  SoupMessage *msg;
  guint status;

  msg = soup_session_get_async_result_message (session, result);
  status = msg != NULL ? soup_message_get_status (msg) : 0;
  conn = soup_session_websocket_connect_finish (session, result, &error);

  /* When this attempt was given up, disconnect_stream() has reported its
   * end already, and a newer attempt may be under way. */
  if (data->cancellable != self->stream_cancellable ||
      g_cancellable_is_cancelled (data->cancellable)) {
    if (conn != NULL)
      release_stream (self, g_steal_pointer (&conn));
    return;
  }
  g_clear_object (&self->stream_cancellable);

  if (conn == NULL) {
    if (status == SOUP_STATUS_UNAUTHORIZED)
      reported = g_error_new (STAMPEDE_API_CLIENT_ERROR,
                              STAMPEDE_API_CLIENT_ERROR_UNAUTHORIZED,
                              "the engine did not accept the token "
                              "(HTTP 401)");
    else
      reported = g_error_new (STAMPEDE_API_CLIENT_ERROR,
                              STAMPEDE_API_CLIENT_ERROR_REFUSED,
                              "could not open the engine's stream: %s",
                              error->message);
    emit_stream_closed (self, reported);
    return;
  }

  self->stream = g_steal_pointer (&conn);
  g_signal_connect (self->stream, "message",
                    G_CALLBACK (stream_message_cb), self);
  g_signal_connect (self->stream, "error",
                    G_CALLBACK (stream_error_cb), self);
  g_signal_connect (self->stream, "closed",
                    G_CALLBACK (stream_closed_cb), self);
}

static void
stampede_api_client_dispose (GObject *object)
{
  StampedeApiClient *self = STAMPEDE_API_CLIENT (object);

  if (self->stream_cancellable != NULL)
    g_cancellable_cancel (self->stream_cancellable);
  g_clear_object (&self->stream_cancellable);

  if (self->stream != NULL)
    release_stream (self, g_steal_pointer (&self->stream));
  g_clear_error (&self->stream_error);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->stream_session);

  G_OBJECT_CLASS (stampede_api_client_parent_class)->dispose (object);
}

static void
stampede_api_client_finalize (GObject *object)
{
  StampedeApiClient *self = STAMPEDE_API_CLIENT (object);

  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->authorization, g_free);

  G_OBJECT_CLASS (stampede_api_client_parent_class)->finalize (object);
}

static void
stampede_api_client_class_init (StampedeApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_api_client_dispose;
  object_class->finalize = stampede_api_client_finalize;

  /**
   * StampedeApiClient::snapshot:
   * @snapshot: the engine's latest snapshot
   *
   * Emitted for every snapshot the engine streams.
   */
  signals[SIGNAL_SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  STAMPEDE_TYPE_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * StampedeApiClient::run-finished:
   * @snapshot: the final figures of the run
   *
   * Emitted when a run ends, with every arrival accounted for.
   */
  signals[SIGNAL_RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  STAMPEDE_TYPE_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * StampedeApiClient::stream-closed:
   * @error: (nullable): why the stream ended, or %NULL when
   *   stampede_api_client_disconnect_stream() ended it
   *
   * Emitted once for every stampede_api_client_connect_stream() that was
   * not already connected.  The client does not reconnect by itself.
   */
  signals[SIGNAL_STREAM_CLOSED] =
    g_signal_new ("stream-closed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
stampede_api_client_init (StampedeApiClient *self)
{
}

/**
 * stampede_api_client_new:
 * @base_url: the engine's URL, such as `http://127.0.0.1:PORT`
 * @token: the engine's bearer token
 *
 * Creates a client bound to the calling thread's thread-default
 * #GMainContext: its callbacks and signals arrive there.
 *
 * Returns: (transfer full): a new #StampedeApiClient
 */
StampedeApiClient *
stampede_api_client_new (const char *base_url,
                         const char *token)
{
  StampedeApiClient *self;
  gsize length;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  self = g_object_new (STAMPEDE_TYPE_API_CLIENT, NULL);

  length = strlen (base_url);
  while (length > 0 && base_url[length - 1] == '/')
    length--;
  self->base_url = g_strndup (base_url, length);
  self->authorization = g_strconcat ("Bearer ", token, NULL);

  /* The control API needs no proxy and must not reach one by accident.
   * Requests give up after a while; the stream has its own session,
   * because an I/O timeout would cut it while an idle engine is quiet. */
  self->session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                 "timeout", REQUEST_TIMEOUT_S,
                                                 NULL);
  self->stream_session = soup_session_new_with_options ("proxy-resolver",
                                                        NULL, NULL);

  return self;
}

/**
 * stampede_api_client_start_run_async:
 * @self: a #StampedeApiClient
 * @config: the run to start
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine has answered
 * @user_data: data for @callback
 *
 * Asks the engine to start a run (POST /v1/runs).
 */
void
stampede_api_client_start_run_async (StampedeApiClient       *self,
                                     const StampedeRunConfig *config,
                                     GCancellable            *cancellable,
                                     GAsyncReadyCallback      callback,
                                     gpointer                 user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  char *body;
  gsize length;

  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  builder = json_builder_new ();
  stampede_run_config_to_json (config, builder);
  body = builder_to_data (builder, &length);

  send_request (self, "POST", "/v1/runs", body, length, NULL, NULL,
                stampede_api_client_start_run_async, cancellable, callback,
                user_data);
}

/**
 * stampede_api_client_start_run_finish:
 * @self: a #StampedeApiClient
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the run started
 */
gboolean
stampede_api_client_start_run_finish (StampedeApiClient  *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  return finish_boolean (self, result, stampede_api_client_start_run_async,
                         error);
}

/**
 * stampede_api_client_stop_run_async:
 * @self: a #StampedeApiClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine has answered
 * @user_data: data for @callback
 *
 * Asks the engine to stop its run (POST /v1/runs/stop).  Stopping when no
 * run is going succeeds.
 */
void
stampede_api_client_stop_run_async (StampedeApiClient   *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_request (self, "POST", "/v1/runs/stop", g_strdup ("{}"), 2, NULL,
                NULL, stampede_api_client_stop_run_async, cancellable,
                callback, user_data);
}

/**
 * stampede_api_client_stop_run_finish:
 * @self: a #StampedeApiClient
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the engine took the request
 */
gboolean
stampede_api_client_stop_run_finish (StampedeApiClient  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  return finish_boolean (self, result, stampede_api_client_stop_run_async,
                         error);
}

/**
 * stampede_api_client_set_rate_async:
 * @self: a #StampedeApiClient
 * @rate: the new arrival rate, per second
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine has answered
 * @user_data: data for @callback
 *
 * Changes the rate of the running run from now on (POST /v1/runs/rate).
 * The engine checks @rate and answers an error for a bad one.
 */
void
stampede_api_client_set_rate_async (StampedeApiClient   *self,
                                    double               rate,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  char *body;
  gsize length;

  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, rate);
  json_builder_end_object (builder);
  body = builder_to_data (builder, &length);

  send_request (self, "POST", "/v1/runs/rate", body, length, NULL, NULL,
                stampede_api_client_set_rate_async, cancellable, callback,
                user_data);
}

/**
 * stampede_api_client_set_rate_finish:
 * @self: a #StampedeApiClient
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the rate changed
 */
gboolean
stampede_api_client_set_rate_finish (StampedeApiClient  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  return finish_boolean (self, result, stampede_api_client_set_rate_async,
                         error);
}

/**
 * stampede_api_client_get_status_async:
 * @self: a #StampedeApiClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the engine has answered
 * @user_data: data for @callback
 *
 * Fetches the engine's current snapshot (GET /v1/status).
 */
void
stampede_api_client_get_status_async (StampedeApiClient   *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_request (self, "GET", "/v1/status", NULL, 0, parse_status_reply,
                (GDestroyNotify) stampede_snapshot_unref,
                stampede_api_client_get_status_async, cancellable, callback,
                user_data);
}

/**
 * stampede_api_client_get_status_finish:
 * @self: a #StampedeApiClient
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the engine's snapshot, or %NULL
 *   with @error set
 */
StampedeSnapshot *
stampede_api_client_get_status_finish (StampedeApiClient  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (STAMPEDE_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * stampede_api_client_connect_stream:
 * @self: a #StampedeApiClient
 *
 * Opens the engine's snapshot stream (GET /v1/stream, a WebSocket).  From
 * then on the client emits #StampedeApiClient::snapshot and
 * #StampedeApiClient::run-finished, and #StampedeApiClient::stream-closed
 * once when the stream ends or could not be opened.  Does nothing when a
 * stream is already open or opening.
 */
void
stampede_api_client_connect_stream (StampedeApiClient *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  ConnectData *data;

  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));

  if (self->stream != NULL || self->stream_cancellable != NULL)
    return;

  msg = new_message (self, "GET", "/v1/stream", &error);
  if (msg == NULL) {
    g_autoptr(GError) reported = NULL;

    reported = g_error_new (STAMPEDE_API_CLIENT_ERROR,
                            STAMPEDE_API_CLIENT_ERROR_REFUSED,
                            "%s", error->message);
    emit_stream_closed (self, reported);
    return;
  }

  self->stream_cancellable = g_cancellable_new ();
  data = g_new0 (ConnectData, 1);
  data->self = g_object_ref (self);
  data->cancellable = g_object_ref (self->stream_cancellable);
  soup_session_websocket_connect_async (self->stream_session, msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT,
                                        self->stream_cancellable,
                                        stream_connect_cb, data);
}

/**
 * stampede_api_client_disconnect_stream:
 * @self: a #StampedeApiClient
 *
 * Closes the stream, or gives up opening it.  #StampedeApiClient::stream-closed
 * is emitted with no error before this returns, unless there was no stream.
 */
void
stampede_api_client_disconnect_stream (StampedeApiClient *self)
{
  g_return_if_fail (STAMPEDE_IS_API_CLIENT (self));

  if (self->stream_cancellable != NULL) {
    g_cancellable_cancel (self->stream_cancellable);
    g_clear_object (&self->stream_cancellable);
    emit_stream_closed (self, NULL);
    return;
  }

  if (self->stream != NULL) {
    release_stream (self, g_steal_pointer (&self->stream));
    g_clear_error (&self->stream_error);
    emit_stream_closed (self, NULL);
  }
}
