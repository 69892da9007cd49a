/* test-api.c — the engine's control API, server and client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "stampede-api-client.h"
#include "stampede-api-server.h"

/* Longest any wait in these tests may take before it counts as a hang. */
#define WAIT_LIMIT_MS 20000

/* ---- a target that scores transactions, in a thread of its own ---- */

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint         port;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  int           n_requests;
  int           n_declined;
} Target;

/* Declines a transaction whose id ends in 0-3 (a quarter of them), so the
 * engine's declined count can be checked against the target's own. */
static void
score_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  Target *target = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *answer = NULL;
  const char *id;
  gboolean decline;
  gsize length;

  if (!json_parser_load_from_data (parser, body->data, body->length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    soup_server_message_set_status (msg, 400, NULL);
    return;
  }

  id = json_object_get_string_member_with_default (
    json_node_get_object (json_parser_get_root (parser)), "id", "");
  decline = *id != '\0' && strchr ("0123", id[strlen (id) - 1]) != NULL;

  g_atomic_int_inc (&target->n_requests);
  if (decline)
    g_atomic_int_inc (&target->n_declined);

  answer = g_strdup_printf (
    "{\"transaction_id\":\"%s\",\"decision\":\"%s\",\"risk_score\":%s,"
    "\"agents\":[{\"name\":\"transaction_analyzer\",\"score\":0.5,\"ms\":1.5},"
    "{\"name\":\"pattern_detector\",\"score\":0.4,\"ms\":0.5},"
    "{\"name\":\"geo_risk\",\"score\":0.3,\"ms\":0.25},"
    "{\"name\":\"reasoning\",\"score\":0.5,\"ms\":0.125}],"
    "\"explanation\":\"test\"}",
    id, decline ? "decline" : "approve", decline ? "0.9" : "0.1");

  length = strlen (answer);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&answer), length);
}

static gpointer
target_thread (gpointer data)
{
  Target *target = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  g_main_context_push_thread_default (target->context);

  target->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (target->server, "/v1/score", score_cb, target,
                           NULL);
  soup_server_listen_local (target->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (target->server);
  target->port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&target->lock);
  target->ready = TRUE;
  g_cond_signal (&target->cond);
  g_mutex_unlock (&target->lock);

  g_main_loop_run (target->loop);

  soup_server_disconnect (target->server);
  g_clear_object (&target->server);
  g_main_context_pop_thread_default (target->context);

  return NULL;
}

static Target *
target_start (void)
{
  Target *target = g_new0 (Target, 1);

  g_mutex_init (&target->lock);
  g_cond_init (&target->cond);
  target->context = g_main_context_new ();
  target->loop = g_main_loop_new (target->context, FALSE);
  target->thread = g_thread_new ("test-target", target_thread, target);

  g_mutex_lock (&target->lock);
  while (!target->ready)
    g_cond_wait (&target->cond, &target->lock);
  g_mutex_unlock (&target->lock);

  return target;
}

static gboolean
target_quit_cb (gpointer data)
{
  Target *target = data;

  g_main_loop_quit (target->loop);

  return G_SOURCE_REMOVE;
}

static void
target_stop (Target *target)
{
  g_main_context_invoke (target->context, target_quit_cb, target);
  g_thread_join (target->thread);
  g_main_loop_unref (target->loop);
  g_main_context_unref (target->context);
  g_mutex_clear (&target->lock);
  g_cond_clear (&target->cond);
  g_free (target);
}

static char *
target_url (Target *target)
{
  return g_strdup_printf ("http://127.0.0.1:%u/v1/score", target->port);
}

/* ---- waiting in the test's main context, bounded ---- */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gint64
deadline_from_now (void)
{
  return g_get_monotonic_time () + WAIT_LIMIT_MS * G_TIME_SPAN_MILLISECOND;
}

/* Runs one iteration of the default main context, failing the test once
 * @deadline (monotonic time) has passed: a wait here never hangs. */
static void
iterate_before (gint64 deadline)
{
  gint64 left = deadline - g_get_monotonic_time ();
  guint id;

  g_assert_cmpint (left, >, 0);

  id = g_timeout_add (left / G_TIME_SPAN_MILLISECOND + 1, wake_cb, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
wait_until (const gboolean *done)
{
  gint64 deadline = deadline_from_now ();

  while (!*done)
    iterate_before (deadline);
}

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Pending;

static void
pending_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;

  pending->result = g_object_ref (result);
  pending->done = TRUE;
}

static void
pending_clear (Pending *pending)
{
  g_clear_object (&pending->result);
  pending->done = FALSE;
}

/* ---- plain HTTP requests, independent of the client under test ---- */

typedef struct {
  guint       status;
  JsonObject *body;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
raw_request (Reply             *reply,
             StampedeApiServer *server,
             const char        *method,
             const char        *path,
             const char        *authorization,
             const char        *body)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = stampede_api_server_dup_url (server);
  g_autofree char *url = g_strconcat (base, path, NULL);
  gsize length;
  const char *data;

  msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", authorization);
  if (body != NULL) {
    g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              request);
  }

  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  reply->status = soup_message_get_status (msg);
  data = g_bytes_get_data (bytes, &length);
  if (length > 0 && json_parser_load_from_data (parser, data, length, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    reply->body = json_object_ref (
      json_node_get_object (json_parser_get_root (parser)));
}

static const char *
reply_error (const Reply *reply)
{
  g_assert_nonnull (reply->body);

  return json_object_get_string_member_with_default (reply->body, "error",
                                                     NULL);
}

/* Asserts @status and an {"error"} message that contains @needle. */
static void
assert_error_reply (StampedeApiServer *server,
                    const char        *method,
                    const char        *path,
                    const char        *authorization,
                    const char        *body,
                    guint              status,
                    const char        *needle)
{
  g_auto(Reply) reply = { 0 };
  const char *message;

  raw_request (&reply, server, method, path, authorization, body);
  g_assert_cmpuint (reply.status, ==, status);

  message = reply_error (&reply);
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  if (needle != NULL && strstr (message, needle) == NULL)
    g_error ("%s %s: “%s” does not mention “%s”", method, path, message,
             needle);
}

#define TOKEN "test-token-0123456789abcdef"
#define AUTH "Bearer " TOKEN

static StampedeApiServer *
start_server (const char *token)
{
  StampedeApiServer *server = stampede_api_server_new (token);
  g_autoptr(GError) error = NULL;

  stampede_api_server_start (server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stampede_api_server_get_port (server), >, 0);

  return server;
}

/* ---- the tests ---- */

static void
assert_token_shape (const char *token)
{
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), ==, 32);
  for (const char *p = token; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
}

static void
test_api_token (void)
{
  g_autoptr(StampedeApiServer) a = stampede_api_server_new (NULL);
  g_autoptr(StampedeApiServer) b = stampede_api_server_new (NULL);
  g_autoptr(StampedeApiServer) given = stampede_api_server_new (TOKEN);
  g_autoptr(GError) error = NULL;
  g_autofree char *generated = stampede_api_generate_token (&error);

  g_assert_no_error (error);
  assert_token_shape (generated);
  assert_token_shape (stampede_api_server_get_token (a));
  assert_token_shape (stampede_api_server_get_token (b));
  g_assert_cmpstr (stampede_api_server_get_token (a), !=,
                   stampede_api_server_get_token (b));
  g_assert_cmpstr (stampede_api_server_get_token (given), ==, TOKEN);

  /* Not listening yet: no port, no URL. */
  g_assert_cmpuint (stampede_api_server_get_port (a), ==, 0);
  g_assert_null (stampede_api_server_dup_url (a));
}

static void
test_api_loopback_only (void)
{
  g_autoptr(StampedeApiServer) server = stampede_api_server_new (TOKEN);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;

  g_assert_false (stampede_api_server_start (server, "0.0.0.0", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  g_assert_false (stampede_api_server_start (server, "not an address", 0,
                                             &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (stampede_api_server_start (server, "localhost", 0, &error));
  g_assert_no_error (error);

  url = stampede_api_server_dup_url (server);
  expected = g_strdup_printf ("http://127.0.0.1:%u",
                              stampede_api_server_get_port (server));
  g_assert_cmpstr (url, ==, expected);

  stampede_api_server_stop (server);
  g_assert_cmpuint (stampede_api_server_get_port (server), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&server));
}

typedef struct {
  gboolean  done;
  guint     status;
  gboolean  connected;
} WsAttempt;

static void
ws_attempt_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  WsAttempt *attempt = user_data;
  g_autoptr(SoupWebsocketConnection) conn = NULL;
  SoupMessage *msg;

  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  attempt->status = soup_message_get_status (msg);
  conn = soup_session_websocket_connect_finish (SOUP_SESSION (object),
                                                result, NULL);
  attempt->connected = conn != NULL;
  if (conn != NULL)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  attempt->done = TRUE;
}

static WsAttempt
try_websocket (StampedeApiServer *server,
               const char        *query,
               const char        *authorization)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *base = stampede_api_server_dup_url (server);
  g_autofree char *url = g_strconcat (base, "/v1/stream", query, NULL);
  WsAttempt attempt = { 0 };

  msg = soup_message_new ("GET", url);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", authorization);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL,
                                        ws_attempt_cb, &attempt);
  wait_until (&attempt.done);

  return attempt;
}

static void
test_api_unauthorized (void)
{
  g_autoptr(StampedeApiServer) server = start_server (TOKEN);
  static const struct {
    const char *method;
    const char *path;
  } routes[] = {
    { "GET", "/v1/status" },
    { "POST", "/v1/runs" },
    { "POST", "/v1/runs/stop" },
    { "POST", "/v1/runs/rate" },
    { "GET", "/v1/stream" },
    { "GET", "/v1/no-such-route" },
  };
  static const char *bad[] = {
    NULL,
    "Bearer wrong",
    "Bearer test-token-0123456789abcdeF",   /* same length, one byte off */
    "Bearer " TOKEN "0",
    "Bearer ",
    "Basic dGVzdDp0ZXN0",
    TOKEN,
  };
  WsAttempt attempt;

  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
      assert_error_reply (server, routes[r].method, routes[r].path, bad[b],
                          "{\"rate\": 10}", 401, "token");

  /* The query token is only for the WebSocket stream. */
  assert_error_reply (server, "GET", "/v1/status?token=" TOKEN, NULL, NULL,
                      401, "token");

  /* A WebSocket handshake without the token is refused, not upgraded. */
  attempt = try_websocket (server, "", NULL);
  g_assert_false (attempt.connected);
  g_assert_cmpuint (attempt.status, ==, 401);

  attempt = try_websocket (server, "?token=wrong", NULL);
  g_assert_false (attempt.connected);
  g_assert_cmpuint (attempt.status, ==, 401);

  attempt = try_websocket (server, "", "Bearer wrong");
  g_assert_false (attempt.connected);
  g_assert_cmpuint (attempt.status, ==, 401);

  /* And the right token, either way, is let in. */
  attempt = try_websocket (server, "", AUTH);
  g_assert_true (attempt.connected);

  attempt = try_websocket (server, "?token=" TOKEN, NULL);
  g_assert_true (attempt.connected);

  stampede_api_server_stop (server);
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_api_validation (void)
{
  g_autoptr(StampedeApiServer) server = start_server (TOKEN);
  g_auto(Reply) status = { 0 };
  g_auto(Reply) stop = { 0 };
  g_autofree char *huge = NULL;
  const char *target = "\"target_url\": \"http://127.0.0.1:9/v1/score\"";
  g_autofree char *negative_rate = NULL;
  g_autofree char *unknown_key = NULL;
  g_autofree char *string_rate = NULL;
  JsonNode *config;

  assert_error_reply (server, "POST", "/v1/runs", AUTH, "{\"rate\": ", 400,
                      "JSON");
  assert_error_reply (server, "POST", "/v1/runs", AUTH, "[1, 2]", 400,
                      "object");
  assert_error_reply (server, "POST", "/v1/runs", AUTH, "", 400, NULL);

  negative_rate = g_strdup_printf ("{%s, \"rate\": -1}", target);
  assert_error_reply (server, "POST", "/v1/runs", AUTH, negative_rate, 400,
                      "rate");
  string_rate = g_strdup_printf ("{%s, \"rate\": \"fast\"}", target);
  assert_error_reply (server, "POST", "/v1/runs", AUTH, string_rate, 400,
                      "rate");
  unknown_key = g_strdup_printf ("{%s, \"bogus_key\": 1}", target);
  assert_error_reply (server, "POST", "/v1/runs", AUTH, unknown_key, 400,
                      "bogus_key");

  /* 64 KiB and a little more: refused before it is parsed. */
  huge = g_strnfill (64 * 1024 + 16, ' ');
  huge[0] = '{';
  huge[strlen (huge) - 1] = '}';
  assert_error_reply (server, "POST", "/v1/runs", AUTH, huge, 413, "64");

  assert_error_reply (server, "GET", "/v1/runs", AUTH, NULL, 405, "POST");
  assert_error_reply (server, "POST", "/v1/status", AUTH, "{}", 405, "GET");
  assert_error_reply (server, "GET", "/v1/nothing", AUTH, NULL, 404, NULL);

  assert_error_reply (server, "POST", "/v1/runs/rate", AUTH,
                      "{\"rate\": 0}", 400, "rate");
  assert_error_reply (server, "POST", "/v1/runs/rate", AUTH,
                      "{\"rate\": -5}", 400, "rate");
  assert_error_reply (server, "POST", "/v1/runs/rate", AUTH,
                      "{\"rate\": \"x\"}", 400, "rate");
  assert_error_reply (server, "POST", "/v1/runs/rate", AUTH, "{}", 400,
                      "rate");
  assert_error_reply (server, "POST", "/v1/runs/rate", AUTH,
                      "{\"rate\": 50}", 409, "run");

  raw_request (&stop, server, "POST", "/v1/runs/stop", AUTH, "{}");
  g_assert_cmpuint (stop.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (stop.body, "state"), ==,
                   "idle");

  /* Before any run: an idle snapshot and no config. */
  raw_request (&status, server, "GET", "/v1/status", AUTH, NULL);
  g_assert_cmpuint (status.status, ==, 200);
  g_assert_true (json_object_has_member (status.body, "snapshot"));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (
    json_object_get_member (status.body, "snapshot")));
  config = json_object_get_member (status.body, "config");
  g_assert_nonnull (config);
  g_assert_true (JSON_NODE_HOLDS_NULL (config));

  stampede_api_server_stop (server);
  g_assert_finalize_object (g_steal_pointer (&server));
}

/* ---- the client ---- */

typedef struct {
  guint             n_snapshots;
  guint64           last_arrivals;
  StampedeSnapshot *finished;
  gboolean          closed;
  GError           *close_error;
} StreamLog;

static void
stream_log_clear (StreamLog *log)
{
  g_clear_pointer (&log->finished, stampede_snapshot_unref);
  g_clear_error (&log->close_error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StreamLog, stream_log_clear)

static void
snapshot_cb (StampedeApiClient *client,
             StampedeSnapshot  *snapshot,
             StreamLog         *log)
{
  log->n_snapshots++;
  log->last_arrivals = snapshot->arrivals;
}

static void
run_finished_cb (StampedeApiClient *client,
                 StampedeSnapshot  *snapshot,
                 StreamLog         *log)
{
  g_assert_null (log->finished);
  log->finished = stampede_snapshot_ref (snapshot);
}

static void
stream_closed_cb (StampedeApiClient *client,
                  const GError      *error,
                  StreamLog         *log)
{
  g_assert_false (log->closed);
  log->closed = TRUE;
  log->close_error = error != NULL ? g_error_copy (error) : NULL;
}

static void
watch_stream (StampedeApiClient *client,
              StreamLog         *log)
{
  g_signal_connect (client, "snapshot", G_CALLBACK (snapshot_cb), log);
  g_signal_connect (client, "run-finished", G_CALLBACK (run_finished_cb),
                    log);
  g_signal_connect (client, "stream-closed", G_CALLBACK (stream_closed_cb),
                    log);
}

static StampedeApiClient *
new_client (StampedeApiServer *server,
            const char        *token)
{
  g_autofree char *url = stampede_api_server_dup_url (server);

  return stampede_api_client_new (url, token);
}

static guint64
outcome_sum (const StampedeSnapshot *snapshot)
{
  guint64 sum = 0;

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    sum += snapshot->outcomes[i];

  return sum;
}

static void
start_run (StampedeApiClient        *client,
           const StampedeRunConfig  *config,
           GError                  **error)
{
  Pending pending = { 0 };

  stampede_api_client_start_run_async (client, config, NULL, pending_cb,
                                       &pending);
  wait_until (&pending.done);
  stampede_api_client_start_run_finish (client, pending.result, error);
  pending_clear (&pending);
}

static void
set_rate (StampedeApiClient  *client,
          double              rate,
          GError            **error)
{
  Pending pending = { 0 };

  stampede_api_client_set_rate_async (client, rate, NULL, pending_cb,
                                      &pending);
  wait_until (&pending.done);
  stampede_api_client_set_rate_finish (client, pending.result, error);
  pending_clear (&pending);
}

static void
stop_run (StampedeApiClient *client)
{
  g_autoptr(GError) error = NULL;
  Pending pending = { 0 };

  stampede_api_client_stop_run_async (client, NULL, pending_cb, &pending);
  wait_until (&pending.done);
  g_assert_true (stampede_api_client_stop_run_finish (client, pending.result,
                                                      &error));
  g_assert_no_error (error);
  pending_clear (&pending);
}

static StampedeSnapshot *
get_status (StampedeApiClient  *client,
            GError            **error)
{
  StampedeSnapshot *snapshot;
  Pending pending = { 0 };

  stampede_api_client_get_status_async (client, NULL, pending_cb, &pending);
  wait_until (&pending.done);
  snapshot = stampede_api_client_get_status_finish (client, pending.result,
                                                    error);
  pending_clear (&pending);

  return snapshot;
}

static void
assert_error_mentions (const GError *error,
                       int           code,
                       const char   *needle)
{
  g_assert_error (error, STAMPEDE_API_CLIENT_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, needle);
}

static void
test_api_client_errors (void)
{
  g_autoptr(StampedeApiServer) server = start_server (TOKEN);
  g_autoptr(StampedeApiClient) wrong = new_client (server, "not-the-token");
  g_autoptr(StampedeApiClient) right = new_client (server, TOKEN);
  g_autoptr(StampedeApiClient) nowhere = NULL;
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(StampedeSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(StreamLog) log = { 0 };
  g_autofree char *url = NULL;

  snapshot = get_status (wrong, &error);
  g_assert_null (snapshot);
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_UNAUTHORIZED,
                         "401");
  g_clear_error (&error);

  watch_stream (wrong, &log);
  stampede_api_client_connect_stream (wrong);
  wait_until (&log.closed);
  g_assert_cmpuint (log.n_snapshots, ==, 0);
  assert_error_mentions (log.close_error,
                         STAMPEDE_API_CLIENT_ERROR_UNAUTHORIZED, "401");

  /* A config the engine refuses: the server's message and status. */
  config->target_url = g_strdup ("http://127.0.0.1:9/v1/score");
  config->rate = -1;
  start_run (right, config, &error);
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_REJECTED, "rate");
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_REJECTED, "400");
  g_clear_error (&error);

  set_rate (right, 100, &error);
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_REJECTED, "409");
  g_clear_error (&error);

  /* The status of an idle engine parses. */
  snapshot = get_status (right, &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  g_assert_cmpuint (snapshot->arrivals, ==, 0);

  /* Nothing listens on the port of a stopped server. */
  url = stampede_api_server_dup_url (server);
  stampede_api_server_stop (server);
  nowhere = stampede_api_client_new (url, TOKEN);
  g_clear_pointer (&snapshot, stampede_snapshot_unref);
  snapshot = get_status (nowhere, &error);
  g_assert_null (snapshot);
  g_assert_error (error, STAMPEDE_API_CLIENT_ERROR,
                  STAMPEDE_API_CLIENT_ERROR_REFUSED);

  g_assert_finalize_object (g_steal_pointer (&wrong));
  g_assert_finalize_object (g_steal_pointer (&right));
  g_assert_finalize_object (g_steal_pointer (&nowhere));
  g_assert_finalize_object (g_steal_pointer (&server));
}

/* A stand-in engine, on the test's own main context, that streams junk
 * between two good messages and then closes the stream itself. */
static char *
snapshot_message (const char *type,
                  guint64     arrivals)
{
  g_autoptr(StampedeSnapshot) snapshot = stampede_snapshot_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  snapshot->arrivals = arrivals;
  snapshot->outcomes[STAMPEDE_OUTCOME_OK] = arrivals;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "snapshot");
  stampede_snapshot_to_json (snapshot, builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static void
junk_stream_cb (SoupServer              *server,
                SoupServerMessage       *msg,
                const char              *path,
                SoupWebsocketConnection *conn,
                gpointer                 user_data)
{
  static const char *junk[] = {
    "not json",
    "[1, 2]",
    "{\"type\": \"snapshot\"}",
    "{\"type\": \"snapshot\", \"snapshot\": {\"state\": 1}}",
    "{\"snapshot\": {}}",
  };
  g_autofree char *strange = snapshot_message ("strange", 5);
  g_autofree char *good = snapshot_message ("snapshot", 7);
  g_autofree char *finished = snapshot_message ("finished", 9);

  for (guint i = 0; i < G_N_ELEMENTS (junk); i++)
    soup_websocket_connection_send_text (conn, junk[i]);
  soup_websocket_connection_send_binary (conn, good, strlen (good));
  soup_websocket_connection_send_text (conn, strange);
  soup_websocket_connection_send_text (conn, good);
  soup_websocket_connection_send_text (conn, finished);
  soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, "done");
}

static void
test_api_stream_junk (void)
{
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(StampedeApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_auto(StreamLog) log = { 0 };
  g_autofree char *url = NULL;

  soup_server_add_websocket_handler (fake, "/v1/stream", NULL, NULL,
                                     junk_stream_cb, NULL, NULL);
  soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  client = stampede_api_client_new (url, TOKEN);
  watch_stream (client, &log);
  stampede_api_client_connect_stream (client);
  wait_until (&log.closed);

  /* Only the two good messages came through, in order. */
  g_assert_cmpuint (log.n_snapshots, ==, 1);
  g_assert_cmpuint (log.last_arrivals, ==, 7);
  g_assert_nonnull (log.finished);
  g_assert_cmpuint (log.finished->arrivals, ==, 9);

  /* The engine ended the stream, not us: that is reported. */
  assert_error_mentions (log.close_error, STAMPEDE_API_CLIENT_ERROR_REFUSED,
                         "done");

  soup_server_disconnect (fake);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_api_run (void)
{
  Target *target = target_start ();
  g_autoptr(StampedeApiServer) server = start_server (NULL);
  g_autoptr(StampedeApiClient) client = NULL;
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(StampedeSnapshot) status = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(StreamLog) log = { 0 };
  gint64 deadline = deadline_from_now ();
  guint before;

  client = new_client (server, stampede_api_server_get_token (server));
  watch_stream (client, &log);
  stampede_api_client_connect_stream (client);

  /* The stream greets a new client with the current snapshot. */
  while (log.n_snapshots == 0 && !log.closed)
    iterate_before (deadline);
  g_assert_false (log.closed);
  g_assert_cmpuint (log.last_arrivals, ==, 0);

  config->target_url = target_url (target);
  config->rate = 200;
  config->ramp_s = 0;
  config->duration_s = 2;
  start_run (client, config, &error);
  g_assert_no_error (error);

  start_run (client, config, &error);
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_REJECTED, "409");
  g_clear_error (&error);

  set_rate (client, -1, &error);
  assert_error_mentions (error, STAMPEDE_API_CLIENT_ERROR_REJECTED, "400");
  g_clear_error (&error);

  /* The same rate again changes nothing in the count below. */
  set_rate (client, 200, &error);
  g_assert_no_error (error);

  status = get_status (client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->arrivals, <=, 400);

  while (log.finished == NULL && !log.closed)
    iterate_before (deadline);
  g_assert_false (log.closed);

  /* 200/s for 2 s, every arrival accounted for, as the target saw it. */
  g_assert_cmpuint (log.n_snapshots, >=, 5);
  g_assert_cmpint (log.finished->state, ==, STAMPEDE_RUN_FINISHED);
  g_assert_cmpuint (log.finished->arrivals, ==, 400);
  g_assert_cmpuint (outcome_sum (log.finished), ==, 400);
  g_assert_cmpuint (log.finished->in_flight, ==, 0);
  g_assert_cmpint (g_atomic_int_get (&target->n_requests), ==, 400);
  g_assert_cmpuint (log.finished->outcomes[STAMPEDE_OUTCOME_DECLINED], ==,
                    (guint64) g_atomic_int_get (&target->n_declined));
  g_assert_cmpuint (log.finished->outcomes[STAMPEDE_OUTCOME_OK], ==,
                    400 - (guint64) g_atomic_int_get (&target->n_declined));
  g_clear_pointer (&log.finished, stampede_snapshot_unref);

  /* The engine takes a second run; stopping it early still accounts for
   * every arrival it made. */
  config->duration_s = 30;
  start_run (client, config, &error);
  g_assert_no_error (error);

  before = log.n_snapshots;
  while ((log.n_snapshots < before + 3 || log.last_arrivals == 0) &&
         log.finished == NULL && !log.closed)
    iterate_before (deadline);
  stop_run (client);

  while (log.finished == NULL && !log.closed)
    iterate_before (deadline);
  g_assert_nonnull (log.finished);
  g_assert_cmpuint (log.finished->arrivals, >, 0);
  g_assert_cmpuint (log.finished->arrivals, <, 30 * 200);
  g_assert_cmpuint (outcome_sum (log.finished), ==, log.finished->arrivals);

  /* Closing the stream ourselves reports no error. */
  stampede_api_client_disconnect_stream (client);
  g_assert_true (log.closed);
  g_assert_null (log.close_error);

  /* An engine that shuts down says so on the stream. */
  log.closed = FALSE;
  log.n_snapshots = 0;
  stampede_api_client_connect_stream (client);
  while (log.n_snapshots == 0 && !log.closed)
    iterate_before (deadline);
  stampede_api_server_stop (server);
  wait_until (&log.closed);
  g_assert_nonnull (log.close_error);

  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&server));
  target_stop (target);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/api/token", test_api_token);
  g_test_add_func ("/stampede/api/loopback-only", test_api_loopback_only);
  g_test_add_func ("/stampede/api/unauthorized", test_api_unauthorized);
  g_test_add_func ("/stampede/api/validation", test_api_validation);
  g_test_add_func ("/stampede/api/client-errors", test_api_client_errors);
  g_test_add_func ("/stampede/api/stream-junk", test_api_stream_junk);
  g_test_add_func ("/stampede/api/run", test_api_run);

  return g_test_run ();
}
