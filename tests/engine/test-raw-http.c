/* test-raw-http.c — the raw HTTP/1.1 transport, alone and under the engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "stampede-engine.h"
#include "stampede-raw-http.h"
#include "stampede-tx-factory.h"

/* A scripted server: it answers every request on a connection with the
 * next of its canned answers, written in pieces of @piece bytes (all at
 * once when 0), and closes the connection after an answer when
 * @close_after; with @reset it answers nothing and resets the connection
 * once a request has come. */

typedef struct {
  int          listen_fd;
  guint        port;
  GThread     *thread;
  const char **answers;
  guint        n_answers;
  gsize        piece;
  gboolean     close_after;
  gboolean     reset;
  int          stop;
  guint        n_requests;
  guint        n_connections;
} Script;

/* Reads one request, head and Content-Length body; FALSE at the end of
 * the connection. */
static gboolean
read_request (int      fd,
              GString *buffer)
{
  char chunk[4096];

  g_string_truncate (buffer, 0);

  for (;;) {
    const char *end = strstr (buffer->str, "\r\n\r\n");
    ssize_t n;

    if (end != NULL) {
      const char *length = strstr (buffer->str, "Content-Length: ");
      gsize head = (gsize) (end + 4 - buffer->str);

      g_assert_nonnull (length);
      if (buffer->len >= head + g_ascii_strtoull (length + 16, NULL, 10))
        return TRUE;
    }

    n = recv (fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return FALSE;
    g_string_append_len (buffer, chunk, n);
  }
}

static void
write_answer (Script     *script,
              int         fd,
              const char *answer)
{
  gsize len = strlen (answer);
  gsize piece = script->piece > 0 ? script->piece : len;

  for (gsize done = 0; done < len; done += piece) {
    g_assert_cmpint (send (fd, answer + done, MIN (piece, len - done),
                           MSG_NOSIGNAL), >, 0);
    if (script->piece > 0)
      g_usleep (200);
  }
}

static void
serve_connection (Script *script,
                  int     fd)
{
  g_autoptr(GString) request = g_string_new (NULL);

  while (read_request (fd, request)) {
    guint n = g_atomic_int_add (&script->n_requests, 1);

    g_assert_true (g_str_has_prefix (request->str, "POST /v1/score "
                                     "HTTP/1.1\r\n"));
    if (script->reset) {
      struct linger linger = { 1, 0 };

      setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      break;
    }

    write_answer (script, fd, script->answers[n % script->n_answers]);
    if (script->close_after)
      break;
  }

  close (fd);
}

static gpointer
script_thread (gpointer data)
{
  Script *script = data;

  while (!g_atomic_int_get (&script->stop)) {
    int fd = accept (script->listen_fd, NULL, NULL);

    if (fd < 0)
      break;
    if (g_atomic_int_get (&script->stop)) {
      close (fd);
      break;
    }
    script->n_connections++;
    serve_connection (script, fd);
  }

  return NULL;
}

static Script *
script_start (const char **answers,
              guint        n_answers)
{
  Script *script = g_new0 (Script, 1);
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;

  script->answers = answers;
  script->n_answers = n_answers;
  script->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (script->listen_fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (script->listen_fd, (struct sockaddr *) &addr,
                         sizeof addr), ==, 0);
  g_assert_cmpint (listen (script->listen_fd, 16), ==, 0);
  g_assert_cmpint (getsockname (script->listen_fd, (struct sockaddr *) &addr,
                                &len), ==, 0);
  script->port = ntohs (addr.sin_port);

  return script;
}

static void
script_run (Script *script)
{
  script->thread = g_thread_new ("test-script", script_thread, script);
}

/* Wakes the accepting thread with a last connection and ends it. */
static void
script_stop (Script *script)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_atomic_int_set (&script->stop, TRUE);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (script->port);
  connect (fd, (struct sockaddr *) &addr, sizeof addr);
  close (fd);

  g_thread_join (script->thread);
  close (script->listen_fd);
  g_free (script);
}

static char *
script_url (Script *script)
{
  return g_strdup_printf ("http://127.0.0.1:%u/v1/score", script->port);
}

/* The transport alone. */

typedef struct {
  GString *body;
} Sink;

static void
sink_cb (const char *data,
         gsize       len,
         gpointer    user_data)
{
  Sink *sink = user_data;

  g_string_append_len (sink->body, data, len);
}

/* Sends @n requests one after the other on one connection and checks
 * that each answer gives @status and @body. */
static void
exchange (const char         *url,
          guint               n,
          guint               timeout_ms,
          StampedeRawOutcome *outcome,
          GString            *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StampedeRawHttp) http = NULL;
  StampedeRawConn *conn;
  Sink sink = { body };
  const char request[] = "{\"id\":\"tx-1\"}";

  http = stampede_raw_http_new (url, timeout_ms, sink_cb, &error);
  g_assert_no_error (error);
  conn = stampede_raw_http_conn_new (http, &sink);

  for (guint i = 0; i < n; i++) {
    gint64 give_up_us = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    gpointer done = NULL;

    g_string_truncate (body, 0);
    stampede_raw_conn_send (conn, request, strlen (request),
                            g_get_monotonic_time ());
    while (done == NULL && g_get_monotonic_time () < give_up_us) {
      stampede_raw_http_poll (http, 5, NULL);
      done = stampede_raw_http_next_done (http, outcome);
    }
    g_assert_true (done == &sink);
  }
}

#define JSON_ANSWER "{\"decision\":\"approve\"}"

static void
test_framing (void)
{
  static const char *answers[] = {
    /* Content-Length. */
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    "Content-Length: 22\r\n\r\n" JSON_ANSWER,
    /* Chunked, with an extension and a trailer, after an interim
     * answer. */
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
    "5;x=y\r\n{\"dec\r\n11\r\nision\":\"approve\"}\r\n0\r\n"
    "X-Trailer: 1\r\n\r\n",
    /* A status with no body. */
    "HTTP/1.1 204 No Content\r\n\r\n",
    /* An error status with Retry-After. */
    "HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy",
  };
  static const char *expected_bodies[] = {
    JSON_ANSWER, JSON_ANSWER, "", "busy",
  };
  static const guint statuses[] = { 200, 200, 204, 503 };
  g_autoptr(GString) body = g_string_new (NULL);
  StampedeRawOutcome outcome;

  /* Whole answers, then answers trickling in a few bytes at a time; each
   * round of four on one kept-alive connection. */
  for (guint piece = 0; piece <= 3; piece += 3) {
    Script *script = script_start (answers, G_N_ELEMENTS (answers));
    g_autofree char *url = script_url (script);
    g_autoptr(GError) error = NULL;
    g_autoptr(StampedeRawHttp) http = NULL;
    StampedeRawConn *conn;
    Sink sink = { body };
    const char request[] = "{}";

    script->piece = piece;
    script_run (script);
    http = stampede_raw_http_new (url, 5000, sink_cb, &error);
    g_assert_no_error (error);
    conn = stampede_raw_http_conn_new (http, &sink);

    for (guint i = 0; i < G_N_ELEMENTS (answers); i++) {
      gpointer done = NULL;

      g_string_truncate (body, 0);
      stampede_raw_conn_send (conn, request, 2, g_get_monotonic_time ());
      while (done == NULL) {
        stampede_raw_http_poll (http, 5, NULL);
        done = stampede_raw_http_next_done (http, &outcome);
      }
      g_assert_cmpint (outcome.result, ==, STAMPEDE_RAW_RESULT_OK);
      g_assert_cmpuint (outcome.status, ==, statuses[i]);
      g_assert_cmpstr (body->str, ==, expected_bodies[i]);
      g_assert_cmpint (outcome.retry_after_s, ==, i == 3 ? 7 : 0);
    }

    g_clear_pointer (&http, stampede_raw_http_free);
    g_assert_cmpuint (script->n_connections, ==, 1);
    g_assert_cmpuint (script->n_requests, ==, 4);
    script_stop (script);
  }
}

/* An HTTP/1.0 answer with no length ends with the connection; one that
 * says "Connection: close" is not used again. */
static void
test_close (void)
{
  static const char *answers[] = {
    "HTTP/1.0 200 OK\r\n\r\n" JSON_ANSWER,
    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 22\r\n\r\n"
    JSON_ANSWER,
  };
  g_autoptr(GString) body = g_string_new (NULL);
  StampedeRawOutcome outcome;

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++) {
    Script *script = script_start (&answers[i], 1);
    g_autofree char *url = script_url (script);

    script->close_after = TRUE;
    script_run (script);
    exchange (url, 3, 5000, &outcome, body);
    g_assert_cmpint (outcome.result, ==, STAMPEDE_RAW_RESULT_OK);
    g_assert_cmpuint (outcome.status, ==, 200);
    g_assert_cmpstr (body->str, ==, JSON_ANSWER);
    g_assert_cmpuint (script->n_connections, ==, 3);
    script_stop (script);
  }
}

/* Garbage is a failure, a reset is a failure, silence is a timeout. */
static void
test_failures (void)
{
  static const char *garbage[] = { "SMTP ready\r\n\r\n" };
  g_autoptr(GString) body = g_string_new (NULL);
  StampedeRawOutcome outcome;
  Script *script;
  g_autofree char *url = NULL;
  gint64 start_us;

  script = script_start (garbage, 1);
  url = script_url (script);
  script_run (script);
  exchange (url, 1, 5000, &outcome, body);
  g_assert_cmpint (outcome.result, ==, STAMPEDE_RAW_RESULT_FAILED);
  script_stop (script);
  g_clear_pointer (&url, g_free);

  script = script_start (garbage, 1);
  url = script_url (script);
  script->reset = TRUE;
  script_run (script);
  exchange (url, 2, 5000, &outcome, body);
  g_assert_cmpint (outcome.result, ==, STAMPEDE_RAW_RESULT_FAILED);
  g_assert_cmpuint (script->n_requests, ==, 2);
  script_stop (script);
  g_clear_pointer (&url, g_free);

  /* Listening, never accepting: the connection completes in the kernel
   * and no answer ever comes. */
  script = script_start (garbage, 1);
  url = script_url (script);
  start_us = g_get_monotonic_time ();
  exchange (url, 1, 150, &outcome, body);
  g_assert_cmpint (outcome.result, ==, STAMPEDE_RAW_RESULT_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start_us, >=, 150000);
  close (script->listen_fd);
  g_free (script);
}

static void
test_check_url (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stampede_raw_http_check_url ("http://127.0.0.1:8080/x",
                                              &error));
  g_assert_no_error (error);
  g_assert_false (stampede_raw_http_check_url ("https://127.0.0.1/x",
                                               &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

/* The engine on the raw transport against a SoupServer: the same
 * figures as libcurl for the same seed. */

typedef enum {
  SHAPE_PLAIN,
  SHAPE_CHUNKED,
  SHAPE_CLOSE,
} Shape;

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  Shape         shape;
  guint         port;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
} Target;

/* Declines a sequence divisible by 5, approves the rest, with agent
 * timings; a sequence % 40 == 13 gets a 500. */
static void
score_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  Target *target = user_data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  const char *text = g_bytes_get_data (bytes, NULL);
  const char *id = strstr (text, "\"id\":\"tx-");
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *response = soup_server_message_get_response_body (msg);
  guint64 sequence;
  g_autofree char *body = NULL;

  g_assert_nonnull (id);
  sequence = g_ascii_strtoull (id + 9, NULL, 16)
             & ((G_GUINT64_CONSTANT (1) << 40) - 1);

  if (target->shape == SHAPE_CLOSE)
    soup_message_headers_append (headers, "Connection", "close");
  if (sequence % 40 == 13) {
    soup_server_message_set_status (msg, 500, NULL);
    return;
  }

  body = g_strdup_printf ("{\"decision\":\"%s\",\"agents\":["
                          "{\"name\":\"geo_risk\",\"ms\":1.5},"
                          "{\"name\":\"reasoning\",\"ms\":0.5}]}",
                          sequence % 5 == 0 ? "decline" : "approve");
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);

  if (target->shape != SHAPE_CHUNKED) {
    soup_message_body_append (response, SOUP_MEMORY_COPY, body,
                              strlen (body));
    return;
  }

  /* Three chunks, split inside the JSON. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_append (response, SOUP_MEMORY_COPY, body, 5);
  soup_message_body_append (response, SOUP_MEMORY_COPY, body + 5, 10);
  soup_message_body_append (response, SOUP_MEMORY_COPY, body + 15,
                            strlen (body) - 15);
  soup_message_body_complete (response);
}

static gpointer
target_thread (gpointer data)
{
  Target *target = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  g_main_context_push_thread_default (target->context);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/v1/score", score_cb, target, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);

  g_mutex_lock (&target->lock);
  target->port = g_uri_get_port (uris->data);
  target->ready = TRUE;
  g_cond_signal (&target->cond);
  g_mutex_unlock (&target->lock);

  g_main_loop_run (target->loop);

  soup_server_disconnect (server);
  g_main_context_pop_thread_default (target->context);

  return NULL;
}

static Target *
target_start (Shape shape)
{
  Target *target = g_new0 (Target, 1);

  g_mutex_init (&target->lock);
  g_cond_init (&target->cond);
  target->shape = shape;
  target->context = g_main_context_new ();
  target->loop = g_main_loop_new (target->context, FALSE);
  target->thread = g_thread_new ("test-target", target_thread, target);

  g_mutex_lock (&target->lock);
  while (!target->ready)
    g_cond_wait (&target->cond, &target->lock);
  g_mutex_unlock (&target->lock);

  return target;
}

static void
target_stop (Target *target)
{
  g_main_loop_quit (target->loop);
  g_thread_join (target->thread);
  g_main_loop_unref (target->loop);
  g_main_context_unref (target->context);
  g_mutex_clear (&target->lock);
  g_cond_clear (&target->cond);
  g_free (target);
}

static void
finished_cb (StampedeEngine    *engine,
             StampedeSnapshot  *final,
             StampedeSnapshot **out)
{
  *out = stampede_snapshot_ref (final);
}

static StampedeSnapshot *
run (const char        *url,
     StampedeTransport  transport,
     guint              connections)
{
  g_autoptr(StampedeEngine) engine = stampede_engine_new ();
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(GError) error = NULL;
  StampedeSnapshot *final = NULL;
  gint64 give_up_us = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  config->target_url = g_strdup (url);
  config->rate = 400;
  config->duration_s = 1;
  config->n_workers = 2;
  config->seed = 11;
  config->connections = connections;
  config->transport = transport;
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);

  g_signal_connect (engine, "finished", G_CALLBACK (finished_cb), &final);
  g_assert_true (stampede_engine_start (engine, config, &error));
  g_assert_no_error (error);
  while (final == NULL && g_get_monotonic_time () < give_up_us)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (final);

  return final;
}

static guint64
sum_outcomes (const StampedeSnapshot *snapshot)
{
  guint64 sum = 0;

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    sum += snapshot->outcomes[i];

  return sum;
}

/* The outcomes a run of @n arrivals must give, worked out from the
 * transactions themselves. */
static void
expect (guint64  n,
        guint64 *outcomes,
        guint64 *true_pos)
{
  memset (outcomes, 0, sizeof (guint64) * STAMPEDE_N_OUTCOMES);
  *true_pos = 0;

  for (guint w = 0; w < 2; w++) {
    g_autoptr(StampedeTxFactory) factory = stampede_tx_factory_new (11, w);

    for (guint64 k = w; k < n; k += 2) {
      StampedeTransaction tx;
      guint64 sequence;

      stampede_tx_factory_next (factory, 0, &tx);
      sequence = tx.id & ((G_GUINT64_CONSTANT (1) << 40) - 1);
      if (sequence % 40 == 13) {
        outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]++;
      } else if (sequence % 5 == 0) {
        outcomes[STAMPEDE_OUTCOME_DECLINED]++;
        if (tx.kind == STAMPEDE_TX_FRAUD)
          (*true_pos)++;
      } else {
        outcomes[STAMPEDE_OUTCOME_OK]++;
      }
    }
  }
}

static void
assert_same (const StampedeSnapshot *curl,
             const StampedeSnapshot *raw)
{
  g_assert_cmpuint (raw->arrivals, ==, curl->arrivals);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    g_assert_cmpuint (raw->outcomes[i], ==, curl->outcomes[i]);
  g_assert_cmpuint (raw->true_pos, ==, curl->true_pos);
  g_assert_cmpuint (raw->false_pos, ==, curl->false_pos);
  g_assert_cmpuint (raw->true_neg, ==, curl->true_neg);
  g_assert_cmpuint (raw->false_neg, ==, curl->false_neg);
  g_assert_cmpuint (raw->baseline_tp, ==, curl->baseline_tp);
  g_assert_cmpuint (raw->baseline_fp, ==, curl->baseline_fp);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    g_assert_cmpuint (raw->agent_count[i], ==, curl->agent_count[i]);
  g_assert_cmpuint (raw->run.count, ==, curl->run.count);
}

static void
check_shape (Shape shape)
{
  Target *target = target_start (shape);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1/score",
                                          target->port);
  g_autoptr(StampedeSnapshot) curl = run (url, STAMPEDE_TRANSPORT_CURL, 0);
  g_autoptr(StampedeSnapshot) raw = run (url, STAMPEDE_TRANSPORT_RAW, 0);
  guint64 outcomes[STAMPEDE_N_OUTCOMES];
  guint64 true_pos;

  expect (400, outcomes, &true_pos);
  g_assert_cmpuint (outcomes[STAMPEDE_OUTCOME_HTTP_ERROR], >, 0);
  g_assert_cmpuint (true_pos, >, 0);

  assert_same (curl, raw);
  g_assert_cmpuint (raw->arrivals, ==, 400);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    g_assert_cmpuint (raw->outcomes[i], ==, outcomes[i]);
  g_assert_cmpuint (raw->true_pos, ==, true_pos);
  g_assert_cmpuint (raw->agent_count[STAMPEDE_AGENT_GEO], ==,
                    400 - outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]);
  g_assert_cmpuint (raw->agent_count[STAMPEDE_AGENT_ANALYZER], ==, 0);
  g_assert_cmpfloat_with_epsilon (raw->agent_mean_ms[STAMPEDE_AGENT_GEO],
                                  1.5, 1e-9);

  target_stop (target);
}

static void
test_same_as_curl (void)
{
  check_shape (SHAPE_PLAIN);
}

static void
test_chunked (void)
{
  check_shape (SHAPE_CHUNKED);
}

static void
test_connection_close (void)
{
  check_shape (SHAPE_CLOSE);
}

/* A target that resets every connection once a request has come: every
 * transaction is a transport error, and none goes missing. */
static void
test_engine_reset (void)
{
  static const char *none[] = { "" };
  Script *script = script_start (none, 1);
  g_autofree char *url = script_url (script);
  g_autoptr(StampedeSnapshot) final = NULL;

  script->reset = TRUE;
  script_run (script);
  final = run (url, STAMPEDE_TRANSPORT_RAW, 0);

  g_assert_cmpuint (final->arrivals, ==, 400);
  g_assert_cmpuint (sum_outcomes (final), ==, final->arrivals);
  g_assert_cmpuint (final->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR], ==,
                    400);
  g_assert_cmpuint (final->run.count, ==, 0);
  g_assert_cmpuint (final->in_flight, ==, 0);
  script_stop (script);
}

/* The closed model on the raw transport: every send is an arrival that
 * ends in an outcome, and the mix is the rule's for that many arrivals
 * give or take the last few in flight when each worker stopped. */
static void
test_engine_closed (void)
{
  Target *target = target_start (SHAPE_CHUNKED);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1/score",
                                          target->port);
  g_autoptr(StampedeSnapshot) final = run (url, STAMPEDE_TRANSPORT_RAW, 4);

  g_test_message ("closed raw: %" G_GUINT64_FORMAT " arrivals",
                  final->arrivals);
  g_assert_cmpuint (final->arrivals, >, 100);
  g_assert_cmpuint (sum_outcomes (final), ==, final->arrivals);
  g_assert_cmpuint (final->in_flight, ==, 0);
  g_assert_cmpuint (final->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
                    + final->outcomes[STAMPEDE_OUTCOME_TIMEOUT]
                    + final->outcomes[STAMPEDE_OUTCOME_DROPPED], ==, 0);
  g_assert_cmpuint (final->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR], >, 0);
  g_assert_cmpuint (final->outcomes[STAMPEDE_OUTCOME_DECLINED], >, 0);
  g_assert_cmpuint (final->true_pos + final->false_pos, ==,
                    final->outcomes[STAMPEDE_OUTCOME_DECLINED]);
  target_stop (target);
}

/* Validation: the raw transport needs a plain http:// target. */
static void
test_config (void)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(StampedeRunConfig) copy = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  config->target_url = g_strdup ("https://127.0.0.1/v1/score");
  config->transport = STAMPEDE_TRANSPORT_RAW;
  g_assert_false (stampede_run_config_validate (config, &error));
  g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                  STAMPEDE_RUN_CONFIG_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "transport:"));
  g_clear_error (&error);

  g_free (config->target_url);
  config->target_url = g_strdup ("http://127.0.0.1/v1/score");
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);

  /* It goes through JSON and back. */
  stampede_run_config_to_json (config, builder);
  node = json_builder_get_root (builder);
  copy = stampede_run_config_new ();
  g_assert_cmpint (copy->transport, ==, STAMPEDE_TRANSPORT_CURL);
  g_assert_true (stampede_run_config_update_from_json (copy, node, &error));
  g_assert_no_error (error);
  g_assert_cmpint (copy->transport, ==, STAMPEDE_TRANSPORT_RAW);

  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"transport\":\"quic\"}", -1,
                                             NULL));
  g_assert_false (stampede_run_config_update_from_json (
                    copy, json_parser_get_root (parser), &error));
  g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                  STAMPEDE_RUN_CONFIG_ERROR_INVALID);
  g_assert_cmpint (copy->transport, ==, STAMPEDE_TRANSPORT_RAW);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/raw-http/check-url", test_check_url);
  g_test_add_func ("/stampede/raw-http/framing", test_framing);
  g_test_add_func ("/stampede/raw-http/close", test_close);
  g_test_add_func ("/stampede/raw-http/failures", test_failures);
  g_test_add_func ("/stampede/raw-http/config", test_config);
  g_test_add_func ("/stampede/raw-http/same-as-curl", test_same_as_curl);
  g_test_add_func ("/stampede/raw-http/chunked", test_chunked);
  g_test_add_func ("/stampede/raw-http/connection-close",
                   test_connection_close);
  g_test_add_func ("/stampede/raw-http/engine-reset", test_engine_reset);
  g_test_add_func ("/stampede/raw-http/engine-closed", test_engine_closed);

  return g_test_run ();
}
