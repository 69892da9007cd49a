/* test-fault-proxy.c — the TCP fault proxy against a SoupServer upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "stampede-fault-proxy.h"

#define BIG_SIZE (100 * 1024)

/* An upstream HTTP server running in a thread of its own. */
typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint16       port;
  int           hits;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
} Upstream;

typedef struct {
  Upstream            upstream;
  StampedeFaultProxy *proxy;
  SoupSession        *session;
  char               *base;
} Fixture;

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (
    soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "{\"path\":", 8);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "\"/slow\"}", 8);
  soup_message_body_complete (body);
  soup_server_message_unpause (msg);

  return G_SOURCE_REMOVE;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  Upstream *up = data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autofree char *text = NULL;

  g_atomic_int_inc (&up->hits);

  if (g_str_equal (path, "/big")) {
    guint8 *big = g_malloc (BIG_SIZE);

    for (guint i = 0; i < BIG_SIZE; i++)
      big[i] = (guint8) (i * 7 + 3);
    soup_server_message_set_status (msg, 200, NULL);
    soup_server_message_set_response (msg, "application/octet-stream",
                                      SOUP_MEMORY_TAKE, (char *) big,
                                      BIG_SIZE);
    return;
  }

  if (g_str_equal (path, "/slow")) {
    GSource *source = g_timeout_source_new (200);

    soup_server_message_pause (msg);
    g_source_set_callback (source, unpause_cb, msg, NULL);
    g_source_attach (source, up->context);
    g_source_unref (source);
    return;
  }

  text = g_strdup_printf ("{\"path\":\"%s\",\"got\":%" G_GINT64_FORMAT "}",
                          path, (gint64) request->length);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

static gpointer
upstream_thread (gpointer data)
{
  Upstream *up = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (up->context);

  up->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (up->server, NULL, handler_cb, up, NULL);
  soup_server_listen_local (up->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (up->server);
  up->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&up->lock);
  up->ready = TRUE;
  g_cond_signal (&up->cond);
  g_mutex_unlock (&up->lock);

  g_main_loop_run (up->loop);

  soup_server_disconnect (up->server);
  g_clear_object (&up->server);
  g_main_context_pop_thread_default (up->context);

  return NULL;
}

static void
upstream_start (Upstream *up)
{
  g_mutex_init (&up->lock);
  g_cond_init (&up->cond);
  up->context = g_main_context_new ();
  up->loop = g_main_loop_new (up->context, FALSE);
  up->thread = g_thread_new ("upstream", upstream_thread, up);

  g_mutex_lock (&up->lock);
  while (!up->ready)
    g_cond_wait (&up->cond, &up->lock);
  g_mutex_unlock (&up->lock);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);

  return G_SOURCE_REMOVE;
}

static void
upstream_stop (Upstream *up)
{
  g_main_context_invoke (up->context, quit_cb, up->loop);
  g_thread_join (up->thread);
  g_main_loop_unref (up->loop);
  g_main_context_unref (up->context);
  g_mutex_clear (&up->lock);
  g_cond_clear (&up->cond);
}

static SoupSession *
new_session (guint timeout_s)
{
  return soup_session_new_with_options ("timeout", timeout_s, NULL);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  upstream_start (&fx->upstream);
  fx->proxy = stampede_fault_proxy_new ("127.0.0.1", fx->upstream.port);
  stampede_fault_proxy_start (fx->proxy, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stampede_fault_proxy_get_port (fx->proxy), !=, 0);

  fx->session = new_session (5);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u",
                              stampede_fault_proxy_get_port (fx->proxy));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->session);
  stampede_fault_proxy_stop (fx->proxy);
  g_assert_finalize_object (fx->proxy);
  upstream_stop (&fx->upstream);
  g_free (fx->base);
}

/* One request; returns the status, or 0 with @error set. */
static guint
request (SoupSession *session,
         const char  *base,
         const char  *method,
         const char  *path,
         const char  *body,
         GBytes     **answer,
         SoupMessage **out_msg,
         GError     **error)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) bytes = NULL;
  guint status;

  if (body != NULL) {
    g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              request_body);
  }
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);

  bytes = soup_session_send_and_read (session, msg, NULL, error);
  if (bytes == NULL)
    return 0;

  status = soup_message_get_status (msg);
  if (answer != NULL)
    *answer = g_steal_pointer (&bytes);
  if (out_msg != NULL)
    *out_msg = g_steal_pointer (&msg);

  return status;
}

static guint
post_score (Fixture  *fx,
            guint     i,
            GBytes  **answer)
{
  g_autofree char *body = g_strdup_printf ("{\"id\":\"tx-%08u\"}", i);
  g_autoptr(GError) error = NULL;
  guint status = request (fx->session, fx->base, "POST", "/v1/score", body,
                          answer, NULL, &error);

  g_assert_no_error (error);

  return status;
}

static void
assert_bytes_text (GBytes     *bytes,
                   const char *expected)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
test_pass_through (Fixture       *fx,
                   gconstpointer  data)
{
  StampedeFaultProxyStats stats;
  guint64 body_bytes = 0;

  for (guint i = 0; i < 200; i++) {
    g_autoptr(GBytes) answer = NULL;
    g_autofree char *body = g_strdup_printf ("{\"id\":\"tx-%08u\"}", i);
    g_autofree char *expected = g_strdup_printf (
      "{\"path\":\"/v1/score\",\"got\":%zu}", strlen (body));

    g_assert_cmpuint (post_score (fx, i, &answer), ==, 200);
    assert_bytes_text (answer, expected);
    body_bytes += g_bytes_get_size (answer);
  }

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (stats.requests, ==, 200);
  g_assert_cmpuint (stats.requests_failed, ==, 0);
  g_assert_cmpuint (stats.resets, ==, 0);
  g_assert_cmpuint (stats.upstream_errors, ==, 0);
  g_assert_cmpuint (stats.delayed_chunks, ==, 0);
  /* Keep-alive: a couple of connections at most, not one per request. */
  g_assert_cmpuint (stats.connections, >=, 1);
  g_assert_cmpuint (stats.connections, <=, 2);
  g_assert_cmpuint (stats.bytes_down, >, body_bytes);
  g_assert_cmpuint (stats.bytes_up, >,
                    200 * strlen ("{\"id\":\"tx-00000000\"}"));
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 200);
}

static gint64
timed_post (Fixture *fx,
            guint    i)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpuint (post_score (fx, i, NULL), ==, 200);

  return g_get_monotonic_time () - start;
}

static void
test_latency (Fixture       *fx,
              gconstpointer  data)
{
  StampedeProxyFault fault;
  StampedeFaultProxyStats stats;
  gint64 since = 0;
  guint64 delayed;

  stampede_fault_proxy_set_latency (fx->proxy, 100, 0,
                                    STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, 1500);
  g_assert_true (stampede_fault_proxy_get_fault (fx->proxy,
                                                 STAMPEDE_PROXY_FAULT_LATENCY,
                                                 &fault, &since));
  g_assert_cmpfloat (fault.latency_ms, ==, 100.0);
  g_assert_cmpint (since, >, 0);
  g_assert_cmpint (since, <=, g_get_monotonic_time ());

  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (timed_post (fx, i), >=, 100 * 1000);

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (stats.delayed_chunks, >=, 5);

  /* The fault ends by itself after its duration. */
  while (g_get_monotonic_time () < since + 1500 * 1000 + 20 * 1000)
    g_usleep (20 * 1000);
  g_assert_false (stampede_fault_proxy_get_fault (fx->proxy,
                                                  STAMPEDE_PROXY_FAULT_LATENCY,
                                                  NULL, NULL));

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  delayed = stats.delayed_chunks;
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (post_score (fx, i, NULL), ==, 200);
  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (stats.delayed_chunks, ==, delayed);

  /* With jitter both ways a request waits at least twice mean − jitter. */
  stampede_fault_proxy_set_latency (fx->proxy, 60, 20,
                                    STAMPEDE_FAULT_DIRECTION_BOTH, 0);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (timed_post (fx, i), >=, 80 * 1000);
  stampede_fault_proxy_clear (fx->proxy, STAMPEDE_PROXY_FAULT_LATENCY);
  g_assert_false (stampede_fault_proxy_get_fault (fx->proxy,
                                                  STAMPEDE_PROXY_FAULT_LATENCY,
                                                  NULL, NULL));
}

static void
test_http_status (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GRand) rand = NULL;
  StampedeFaultProxyStats stats;
  guint expected = 0;
  guint seen = 0;

  stampede_fault_proxy_set_seed (fx->proxy, 42);
  stampede_fault_proxy_set_http_status (fx->proxy, 503, 0.5, 0);

  /* The proxy draws once per request from a GRand seeded with
   * seed + kind; replay the same draws here. */
  rand = g_rand_new_with_seed (42 + STAMPEDE_PROXY_FAULT_HTTP_STATUS);
  for (guint i = 0; i < 200; i++) {
    g_autoptr(GBytes) answer = NULL;
    gboolean fail = g_rand_double (rand) < 0.5;
    guint status = post_score (fx, i, &answer);

    expected += fail;
    seen += status == 503;
    g_assert_cmpuint (status, ==, fail ? 503 : 200);
    if (fail)
      assert_bytes_text (answer, "{\"error\":\"503 Service Unavailable, "
                                 "injected by the Stampede fault proxy\"}");
  }

  g_assert_cmpuint (seen, ==, expected);
  g_assert_cmpuint (expected, >, 60);
  g_assert_cmpuint (expected, <, 140);

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (stats.requests, ==, 200);
  g_assert_cmpuint (stats.requests_failed, ==, expected);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 200 - expected);
  /* Made-up answers keep the connection alive. */
  g_assert_cmpuint (stats.connections, <=, 2);
}

static void
test_http_429 (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  SoupMessageHeaders *headers;
  guint status;

  stampede_fault_proxy_set_http_status (fx->proxy, 429, 1.0, 0);
  status = request (fx->session, fx->base, "POST", "/v1/score", "{}", NULL,
                    &msg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 429);

  headers = soup_message_get_response_headers (msg);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Retry-After"),
                   ==, "1");
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL),
                   ==, "application/json");

  stampede_fault_proxy_clear_all (fx->proxy);
  g_assert_cmpuint (post_score (fx, 1, NULL), ==, 200);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 1);
}

static void
test_fail_first (Fixture       *fx,
                 gconstpointer  data)
{
  StampedeFaultProxyStats stats;

  stampede_fault_proxy_set_fail_first (fx->proxy, 500, 5, 0);
  for (guint i = 0; i < 12; i++)
    g_assert_cmpuint (post_score (fx, i, NULL), ==, i < 5 ? 500 : 200);

  /* Setting it again counts afresh. */
  stampede_fault_proxy_set_fail_first (fx->proxy, 502, 2, 0);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (post_score (fx, i, NULL), ==, i < 2 ? 502 : 200);

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (stats.requests, ==, 16);
  g_assert_cmpuint (stats.requests_failed, ==, 7);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 9);
}

static void
test_reset (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7 + STAMPEDE_PROXY_FAULT_RESET);
  StampedeFaultProxyStats stats;
  guint expected = 0;

  stampede_fault_proxy_set_seed (fx->proxy, 7);
  stampede_fault_proxy_set_reset (fx->proxy, 0.3, 0);

  /* A session per request: libsoup may resend an idempotent request that
   * failed on a reused connection, which would add draws. */
  for (guint i = 0; i < 40; i++) {
    g_autoptr(SoupSession) session = new_session (5);
    g_autoptr(GError) error = NULL;
    gboolean reset = g_rand_double (rand) < 0.3;
    guint status = request (session, fx->base, "POST", "/v1/score", "{}",
                            NULL, NULL, &error);

    expected += reset;
    if (reset) {
      g_assert_cmpuint (status, ==, 0);
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_IO_ERROR);
    } else {
      g_assert_no_error (error);
      g_assert_cmpuint (status, ==, 200);
    }
  }

  stampede_fault_proxy_get_stats (fx->proxy, &stats);
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (stats.resets, ==, expected);
  g_assert_cmpuint (stats.requests, ==, 40);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 40 - expected);
}

static void
test_blackhole (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(SoupSession) session = new_session (1);
  g_autoptr(GError) error = NULL;
  guint status;

  g_assert_cmpuint (request (session, fx->base, "GET", "/before", NULL, NULL,
                             NULL, &error), ==, 200);
  g_assert_no_error (error);

  /* The connection already open and any new one both fall silent. */
  stampede_fault_proxy_set_blackhole (fx->proxy, 0);
  status = request (session, fx->base, "GET", "/during", NULL, NULL, NULL,
                    &error);
  g_assert_cmpuint (status, ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 1);

  stampede_fault_proxy_clear (fx->proxy, STAMPEDE_PROXY_FAULT_BLACKHOLE);
  g_assert_cmpuint (request (session, fx->base, "GET", "/after", NULL, NULL,
                             NULL, &error), ==, 200);
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&fx->upstream.hits), ==, 2);
}

static void
test_bandwidth (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *bytes;
  gsize len;
  gint64 start, elapsed;

  stampede_fault_proxy_set_bandwidth (fx->proxy, 50 * 1024,
                                      STAMPEDE_FAULT_DIRECTION_DOWNSTREAM, 0);

  start = g_get_monotonic_time ();
  g_assert_cmpuint (request (fx->session, fx->base, "GET", "/big", NULL,
                             &answer, NULL, &error), ==, 200);
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);

  bytes = g_bytes_get_data (answer, &len);
  g_assert_cmpuint (len, ==, BIG_SIZE);
  for (guint i = 0; i < BIG_SIZE; i++)
    g_assert_cmpuint (bytes[i], ==, (guint8) (i * 7 + 3));

  /* 100 KiB at 50 KiB/s with a 50 ms bucket cannot take less than 1.9 s. */
  g_assert_cmpint (elapsed, >=, 1500 * 1000);
}

static void
test_pipelined (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) got = g_string_new (NULL);
  const char *requests = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                         "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  char buf[4096];
  guint32 seed;
  const char *first, *second, *third;

  /* Pick a seed whose draws forward, fail, forward: the made-up answer
   * must wait for the slow, chunked answer ahead of it. */
  for (seed = 1;; seed++) {
    g_autoptr(GRand) rand =
      g_rand_new_with_seed (seed + STAMPEDE_PROXY_FAULT_HTTP_STATUS);
    double a = g_rand_double (rand);
    double b = g_rand_double (rand);
    double c = g_rand_double (rand);

    if (a >= 0.5 && b < 0.5 && c >= 0.5)
      break;
  }

  stampede_fault_proxy_set_seed (fx->proxy, seed);
  stampede_fault_proxy_set_http_status (fx->proxy, 503, 0.5, 0);

  conn = g_socket_client_connect_to_host (client, fx->base + 7, 0, NULL,
                                          &error);
  g_assert_no_error (error);
  g_output_stream_write_all (
    g_io_stream_get_output_stream (G_IO_STREAM (conn)), requests,
    strlen (requests), NULL, NULL, &error);
  g_assert_no_error (error);

  g_socket_set_timeout (g_socket_connection_get_socket (conn), 5);
  while (g_strstr_len (got->str, -1, "\"path\":\"/b\"") == NULL) {
    gssize n = g_input_stream_read (
      g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf,
      NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    g_string_append_len (got, buf, n);
  }

  first = strstr (got->str, "HTTP/1.1 200");
  second = strstr (got->str, "HTTP/1.1 503");
  third = g_strrstr (got->str, "HTTP/1.1 200");
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_true (first < second && second < third);
  g_assert_true (strstr (got->str, "\"/slow\"") < second);
  g_assert_null (strstr (got->str, "\"path\":\"/a\""));
}

static void
test_upstream_down (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StampedeFaultProxy) proxy = NULL;
  g_autofree char *base = NULL;
  StampedeFaultProxyStats stats;
  guint16 port;

  /* A port that was free a moment ago and has nothing listening now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  proxy = stampede_fault_proxy_new ("127.0.0.1", port);
  stampede_fault_proxy_start (proxy, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          stampede_fault_proxy_get_port (proxy));

  for (guint i = 0; i < 10; i++) {
    g_autoptr(SoupSession) session = new_session (5);

    g_assert_cmpuint (request (session, base, "POST", "/v1/score", "{}",
                               NULL, NULL, &error), ==, 0);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  stampede_fault_proxy_get_stats (proxy, &stats);
  g_assert_cmpuint (stats.connections, ==, 10);
  g_assert_cmpuint (stats.upstream_errors, ==, 10);
  g_assert_cmpuint (stats.active_connections, ==, 0);
  g_assert_cmpuint (stats.bytes_up, ==, 0);

  stampede_fault_proxy_stop (proxy);
  g_assert_finalize_object (g_steal_pointer (&proxy));
}

static void
test_loopback_only (void)
{
  g_autoptr(StampedeFaultProxy) proxy = stampede_fault_proxy_new ("127.0.0.1",
                                                                  80);
  g_autoptr(GError) error = NULL;

  g_assert_false (stampede_fault_proxy_start (proxy, "0.0.0.0", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (stampede_fault_proxy_get_port (proxy), ==, 0);
}

static void
test_plan (void)
{
  StampedeProxyFault fault = { .kind = STAMPEDE_PROXY_FAULT_HTTP_STATUS,
                          .status = 503, .share = 0.25,
                          .duration_ms = 5000 };
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  StampedeProxyFaultKind kind;

  for (guint k = 0; k < STAMPEDE_N_PROXY_FAULTS; k++) {
    g_assert_true (stampede_proxy_fault_kind_from_string (
      stampede_proxy_fault_kind_to_string (k), &kind));
    g_assert_cmpint (kind, ==, k);
  }
  g_assert_false (stampede_proxy_fault_kind_from_string ("partition", &kind));

  g_assert_true (stampede_proxy_fault_validate (&fault, &error));
  text = stampede_proxy_fault_describe (&fault);
  g_assert_cmpstr (text, ==, "status 503 to 25 % of requests for 5 s");

  fault.share = 1.5;
  g_assert_false (stampede_proxy_fault_validate (&fault, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  fault = (StampedeProxyFault) { .kind = STAMPEDE_PROXY_FAULT_LATENCY,
                            .latency_ms = 10 };
  g_assert_false (stampede_proxy_fault_validate (&fault, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/fault-proxy/plan", test_plan);
  g_test_add_func ("/stampede/fault-proxy/loopback-only", test_loopback_only);
  add ("/stampede/fault-proxy/pass-through", test_pass_through);
  add ("/stampede/fault-proxy/latency", test_latency);
  add ("/stampede/fault-proxy/http-status", test_http_status);
  add ("/stampede/fault-proxy/http-429", test_http_429);
  add ("/stampede/fault-proxy/fail-first", test_fail_first);
  add ("/stampede/fault-proxy/reset", test_reset);
  add ("/stampede/fault-proxy/blackhole", test_blackhole);
  add ("/stampede/fault-proxy/bandwidth", test_bandwidth);
  add ("/stampede/fault-proxy/pipelined", test_pipelined);
  g_test_add_func ("/stampede/fault-proxy/upstream-down", test_upstream_down);

  return g_test_run ();
}
