/* test-fault-runner.c — a fault schedule against a fake platform admin API
 * and a real fault proxy, all on loopback inside the test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "stampede-fault-runner.h"

#define TOKEN "sekrit"
#define WAIT_S 10

/* What the fake admin API received. */
typedef struct {
  char       *method;
  char       *path;
  char       *authorization;
  JsonObject *body;
  double      at_s;
} Received;

typedef struct {
  SoupServer *server;
  char       *base;
  GPtrArray  *received;
  gint64      start_us;
  guint       started;
  guint       ended;
  guint       failed;
} Fixture;

static void
received_free (Received *r)
{
  g_free (r->method);
  g_free (r->path);
  g_free (r->authorization);
  g_clear_pointer (&r->body, json_object_unref);
  g_free (r);
}

static void
answer (SoupServerMessage *msg,
        guint              status,
        const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_COPY, json, strlen (json));
}

/* Accepts any fault but a crash of the reasoning agent, which it refuses
 * with a reason, as the platform refuses a bad request. */
static void
admin_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  Fixture *fx = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Received *r = g_new0 (Received, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();

  r->method = g_strdup (soup_server_message_get_method (msg));
  r->path = g_strdup (path);
  r->authorization = g_strdup (soup_message_headers_get_one (headers,
                                                             "Authorization"));
  r->at_s = (double) (g_get_monotonic_time () - fx->start_us)
            / G_USEC_PER_SEC;
  if (body->length > 0
      && json_parser_load_from_data (parser, body->data, body->length, NULL))
    r->body = json_node_dup_object (json_parser_get_root (parser));
  g_ptr_array_add (fx->received, r);

  if (r->body != NULL
      && g_strcmp0 (json_object_get_string_member_with_default (
                      r->body, "agent", NULL), "reasoning") == 0) {
    answer (msg, 400, "{\"error\":\"the reasoning agent cannot crash\"}");
    return;
  }

  if (strcmp (r->method, "DELETE") == 0)
    answer (msg, 200, "{\"cleared\":true}");
  else
    answer (msg, 201, "{\"state\":\"on\"}");
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fx->received = g_ptr_array_new_with_free_func (
    (GDestroyNotify) received_free);
  fx->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fx->server, "/v1/admin/faults", admin_cb, fx,
                           NULL);
  soup_server_listen_local (fx->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                            &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fx->server);
  fx->base = g_strdup_printf ("http://127.0.0.1:%d",
                              g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  soup_server_disconnect (fx->server);
  g_assert_finalize_object (fx->server);
  g_ptr_array_unref (fx->received);
  g_free (fx->base);
}

static void
started_cb (StampedeFaultRunner *runner,
            const char          *kind,
            double               t_s,
            Fixture             *fx)
{
  StampedeFaultKind parsed;

  g_assert_true (stampede_fault_kind_from_string (kind, &parsed));
  g_assert_cmpfloat (t_s, >=, 0);
  fx->started++;
}

static void
ended_cb (StampedeFaultRunner *runner,
          const char          *kind,
          double               t_s,
          Fixture             *fx)
{
  fx->ended++;
}

static void
failed_cb (StampedeFaultRunner *runner,
           const char          *kind,
           const char          *message,
           Fixture             *fx)
{
  g_assert_nonnull (message);
  fx->failed++;
}

static StampedeFaultRunner *
new_runner (Fixture                 *fx,
            const StampedeFaultSpec *faults,
            guint                    n_faults)
{
  StampedeFaultRunner *runner = stampede_fault_runner_new (faults, n_faults);

  g_signal_connect (runner, "fault-started", G_CALLBACK (started_cb), fx);
  g_signal_connect (runner, "fault-ended", G_CALLBACK (ended_cb), fx);
  g_signal_connect (runner, "fault-failed", G_CALLBACK (failed_cb), fx);

  return runner;
}

/* Runs the default main context until *counter reaches want. */
static void
wait_for (guint *counter,
          guint  want)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  while (*counter < want) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, TRUE);
  }
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
}

/* Stops the runner and waits for it; returns whether every fault was
 * cleared, with the reason in error when not. */
static gboolean
stop_and_wait (StampedeFaultRunner  *runner,
               GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  stampede_fault_runner_stop_async (runner, NULL, stopped_cb, &result);
  while (result == NULL) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, TRUE);
  }

  return stampede_fault_runner_stop_finish (runner, result, error);
}

static char *
body_keys (JsonObject *body)
{
  g_autoptr(GList) names = json_object_get_members (body);
  g_autoptr(GString) joined = g_string_new (NULL);

  names = g_list_sort (names, (GCompareFunc) strcmp);
  for (const GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (joined, "%s%s", joined->len > 0 ? "," : "",
                            (const char *) l->data);

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static void
assert_post (Fixture    *fx,
             guint       i,
             const char *kind,
             double      at_s,
             const char *keys)
{
  Received *r = g_ptr_array_index (fx->received, i);
  g_autofree char *got = NULL;

  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/v1/admin/faults");
  g_assert_cmpstr (r->authorization, ==, "Bearer " TOKEN);
  g_assert_nonnull (r->body);
  g_assert_cmpstr (json_object_get_string_member (r->body, "kind"), ==,
                   kind);
  got = body_keys (r->body);
  g_assert_cmpstr (got, ==, keys);
  /* Timing bounds are lower bounds only: a loaded machine may be late. */
  g_assert_cmpfloat (r->at_s, >=, at_s);
}

static void
test_platform_schedule (Fixture       *fx,
                        gconstpointer  data)
{
  StampedeFaultSpec faults[] = {
    { .kind = STAMPEDE_FAULT_PARTITION, .at_s = 0.30, .duration_s = 0.2,
      .magnitude = 0.5, .reset = TRUE },
    { .kind = STAMPEDE_FAULT_AGENT_CRASH, .at_s = 0.10, .duration_s = 0.2,
      .magnitude = 1, .agent = (char *) "geo_risk" },
    { .kind = STAMPEDE_FAULT_RATE_LIMIT, .at_s = 0.20, .duration_s = 0,
      .magnitude = 0.5, .retry_after_s = 2 },
  };
  g_autoptr(StampedeFaultRunner) runner = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  const StampedeFaultWindow *w;
  Received *r;

  runner = new_runner (fx, faults, G_N_ELEMENTS (faults));
  stampede_fault_runner_set_platform (runner, fx->base, TOKEN);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_runner_start (runner, fx->start_us);

  /* The crash and the partition end by themselves; the rate limit lasts
   * until the run ends. */
  wait_for (&fx->ended, 2);
  g_assert_cmpuint (fx->started, ==, 3);
  g_assert_cmpuint (stampede_fault_runner_get_n_active (runner), ==, 1);
  g_assert_cmpuint (fx->received->len, ==, 3);

  assert_post (fx, 0, "agent_crash", 0.10,
               "agent,duration_s,kind,magnitude");
  assert_post (fx, 1, "rate_limit", 0.20,
               "duration_s,kind,magnitude,retry_after_s");
  assert_post (fx, 2, "partition", 0.30, "duration_s,kind,magnitude,mode");

  r = g_ptr_array_index (fx->received, 0);
  g_assert_cmpstr (json_object_get_string_member (r->body, "agent"), ==,
                   "geo_risk");
  g_assert_cmpfloat (json_object_get_double_member (r->body, "duration_s"),
                     ==, 0.2);
  r = g_ptr_array_index (fx->received, 1);
  g_assert_cmpfloat (json_object_get_double_member (r->body,
                                                    "retry_after_s"),
                     ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (r->body, "magnitude"),
                     ==, 0.5);
  r = g_ptr_array_index (fx->received, 2);
  g_assert_cmpstr (json_object_get_string_member (r->body, "mode"), ==,
                   "reset");

  g_assert_true (stop_and_wait (runner, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fx->ended, ==, 3);
  g_assert_cmpuint (fx->failed, ==, 0);
  g_assert_cmpuint (stampede_fault_runner_get_n_active (runner), ==, 0);

  /* Stopping cleared the platform's faults. */
  g_assert_cmpuint (fx->received->len, ==, 4);
  r = g_ptr_array_index (fx->received, 3);
  g_assert_cmpstr (r->method, ==, "DELETE");
  g_assert_cmpstr (r->path, ==, "/v1/admin/faults");
  g_assert_cmpstr (r->authorization, ==, "Bearer " TOKEN);

  windows = stampede_fault_runner_dup_windows (runner);
  g_assert_cmpuint (windows->len, ==, 3);
  for (guint i = 0; i < windows->len; i++) {
    w = &g_array_index (windows, StampedeFaultWindow, i);
    g_assert_cmpint (w->kind, ==, faults[i].kind);
    g_assert_null (w->error);
    g_assert_cmpfloat (w->started_s, >=, faults[i].at_s);
    g_assert_cmpfloat (w->ended_s, >=, w->started_s + faults[i].duration_s);
  }

  g_assert_finalize_object (g_steal_pointer (&runner));
}

static gboolean
proxy_fault_on (StampedeFaultProxy     *proxy,
                StampedeProxyFaultKind  kind,
                StampedeProxyFault     *fault)
{
  StampedeProxyFault ignored;

  return stampede_fault_proxy_get_fault (proxy, kind,
                                         fault != NULL ? fault : &ignored,
                                         NULL);
}

/* Checks the proxy's state at the moment each fault starts and ends. */
static void
proxy_started_cb (StampedeFaultRunner *runner,
                  const char          *kind,
                  double               t_s,
                  StampedeFaultProxy  *proxy)
{
  StampedeProxyFault f;

  if (strcmp (kind, "proxy_latency") == 0) {
    g_assert_true (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_LATENCY, &f));
    g_assert_cmpfloat (f.latency_ms, ==, 40);
    g_assert_cmpfloat (f.jitter_ms, ==, 5);
    g_assert_cmpint (f.direction, ==, STAMPEDE_FAULT_DIRECTION_BOTH);
  } else {
    g_assert_cmpstr (kind, ==, "proxy_http_status");
    g_assert_true (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_HTTP_STATUS,
                                   &f));
    g_assert_cmpuint (f.status, ==, 503);
    g_assert_cmpfloat (f.share, ==, 0.25);
    g_assert_true (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_FAIL_FIRST,
                                   &f));
    g_assert_cmpuint (f.count, ==, 2);
  }
}

static void
proxy_ended_cb (StampedeFaultRunner *runner,
                const char          *kind,
                double               t_s,
                StampedeFaultProxy  *proxy)
{
  if (strcmp (kind, "proxy_latency") == 0)
    g_assert_false (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_LATENCY,
                                    NULL));
}

static void
test_proxy_schedule (Fixture       *fx,
                     gconstpointer  data)
{
  StampedeFaultSpec faults[] = {
    { .kind = STAMPEDE_FAULT_PROXY_LATENCY, .at_s = 0.05, .duration_s = 0.2,
      .magnitude = 40, .jitter_ms = 5 },
    { .kind = STAMPEDE_FAULT_PROXY_HTTP_STATUS, .at_s = 0.10,
      .magnitude = 0.25, .status = 503, .fail_first = 2 },
    { .kind = STAMPEDE_FAULT_AGENT_CRASH, .at_s = 0.10, .magnitude = 1,
      .agent = (char *) "geo_risk" },
  };
  g_autoptr(StampedeFaultRunner) runner = NULL;
  g_autoptr(StampedeFaultProxy) proxy = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  const StampedeFaultWindow *w;

  /* The proxy need not reach anything for its settings to be checked. */
  proxy = stampede_fault_proxy_new ("127.0.0.1", 9);
  g_assert_true (stampede_fault_proxy_start (proxy, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  runner = new_runner (fx, faults, G_N_ELEMENTS (faults));
  stampede_fault_runner_set_proxy (runner, proxy);
  g_signal_connect (runner, "fault-started", G_CALLBACK (proxy_started_cb),
                    proxy);
  g_signal_connect (runner, "fault-ended", G_CALLBACK (proxy_ended_cb),
                    proxy);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_runner_start (runner, fx->start_us);

  wait_for (&fx->ended, 1);
  wait_for (&fx->started, 2);
  wait_for (&fx->failed, 1);
  g_assert_true (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_HTTP_STATUS,
                                 NULL));

  g_assert_true (stop_and_wait (runner, &error));
  g_assert_no_error (error);
  g_assert_false (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_HTTP_STATUS,
                                  NULL));
  g_assert_false (proxy_fault_on (proxy, STAMPEDE_PROXY_FAULT_FAIL_FIRST,
                                  NULL));
  g_assert_cmpuint (fx->ended, ==, 2);
  /* No platform was given: nothing was sent anywhere. */
  g_assert_cmpuint (fx->received->len, ==, 0);

  windows = stampede_fault_runner_dup_windows (runner);
  w = &g_array_index (windows, StampedeFaultWindow, 0);
  g_assert_cmpfloat (w->started_s, >=, 0.05);
  g_assert_cmpfloat (w->ended_s, >=, w->started_s + 0.2);
  w = &g_array_index (windows, StampedeFaultWindow, 1);
  g_assert_cmpfloat (w->started_s, >=, 0.10);
  g_assert_false (isnan (w->ended_s));
  w = &g_array_index (windows, StampedeFaultWindow, 2);
  g_assert_true (isnan (w->started_s));
  g_assert_nonnull (strstr (w->error, "no platform admin API"));

  g_assert_finalize_object (g_steal_pointer (&runner));
  stampede_fault_proxy_stop (proxy);
}

static void
test_refused (Fixture       *fx,
              gconstpointer  data)
{
  StampedeFaultSpec faults[] = {
    { .kind = STAMPEDE_FAULT_AGENT_CRASH, .at_s = 0, .magnitude = 1,
      .agent = (char *) "reasoning" },
  };
  g_autoptr(StampedeFaultRunner) runner = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  const StampedeFaultWindow *w;

  runner = new_runner (fx, faults, G_N_ELEMENTS (faults));
  stampede_fault_runner_set_platform (runner, fx->base, TOKEN);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_runner_start (runner, fx->start_us);
  wait_for (&fx->failed, 1);

  windows = stampede_fault_runner_dup_windows (runner);
  w = &g_array_index (windows, StampedeFaultWindow, 0);
  g_assert_true (isnan (w->started_s));
  g_assert_true (isnan (w->ended_s));
  g_assert_cmpstr (w->error, ==,
                   "the platform answered 400: the reasoning agent cannot "
                   "crash");
  g_assert_cmpuint (fx->started, ==, 0);

  g_assert_true (stop_and_wait (runner, &error));
  g_assert_finalize_object (g_steal_pointer (&runner));
}

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  /* Closed without listening: a connection to it is refused. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_unreachable (Fixture       *fx,
                  gconstpointer  data)
{
  StampedeFaultSpec faults[] = {
    { .kind = STAMPEDE_FAULT_STORE_THROTTLE, .at_s = 0.05,
      .duration_s = 1, .magnitude = 0.5 },
  };
  g_autoptr(StampedeFaultRunner) runner = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u",
                                          closed_port ());
  const StampedeFaultWindow *w;

  runner = new_runner (fx, faults, G_N_ELEMENTS (faults));
  stampede_fault_runner_set_platform (runner, url, TOKEN);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_runner_start (runner, fx->start_us);
  wait_for (&fx->failed, 1);

  windows = stampede_fault_runner_dup_windows (runner);
  w = &g_array_index (windows, StampedeFaultWindow, 0);
  g_assert_true (isnan (w->started_s));
  g_assert_true (g_str_has_prefix (w->error,
                                   "could not reach the platform admin API"));
  g_assert_nonnull (strstr (w->error, url));

  /* Clearing cannot reach it either, and says so. */
  g_assert_false (stop_and_wait (runner, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_finalize_object (g_steal_pointer (&runner));
}

static void
test_stop_early (Fixture       *fx,
                 gconstpointer  data)
{
  StampedeFaultSpec faults[] = {
    { .kind = STAMPEDE_FAULT_INGESTION_LAG, .at_s = 30, .duration_s = 5,
      .magnitude = 200 },
  };
  g_autoptr(StampedeFaultRunner) runner = NULL;
  g_autoptr(GArray) windows = NULL;
  g_autoptr(GError) error = NULL;
  const StampedeFaultWindow *w;

  runner = new_runner (fx, faults, G_N_ELEMENTS (faults));
  stampede_fault_runner_set_platform (runner, fx->base, TOKEN);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_runner_start (runner, fx->start_us);

  g_assert_true (stop_and_wait (runner, &error));
  g_assert_no_error (error);
  /* Nothing was sent, so there was nothing to clear. */
  g_assert_cmpuint (fx->received->len, ==, 0);
  g_assert_cmpuint (fx->started + fx->ended, ==, 0);

  windows = stampede_fault_runner_dup_windows (runner);
  w = &g_array_index (windows, StampedeFaultWindow, 0);
  g_assert_true (isnan (w->started_s));
  g_assert_cmpstr (w->error, ==, "not injected: the run ended first");
  g_assert_finalize_object (g_steal_pointer (&runner));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/stampede/fault-runner/platform-schedule", Fixture, NULL,
              fixture_set_up, test_platform_schedule, fixture_tear_down);
  g_test_add ("/stampede/fault-runner/proxy-schedule", Fixture, NULL,
              fixture_set_up, test_proxy_schedule, fixture_tear_down);
  g_test_add ("/stampede/fault-runner/refused", Fixture, NULL,
              fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/stampede/fault-runner/unreachable", Fixture, NULL,
              fixture_set_up, test_unreachable, fixture_tear_down);
  g_test_add ("/stampede/fault-runner/stop-early", Fixture, NULL,
              fixture_set_up, test_stop_early, fixture_tear_down);

  return g_test_run ();
}
