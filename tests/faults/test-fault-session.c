/* test-fault-session.c — a scenario's faults applied to traffic through
 * the session's proxy, with a fake platform on loopback inside the test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "stampede-fault-session.h"

#define TOKEN        "sekrit"
#define DRIVE_S      5.0
#define MAX_DRIVE_S  9.0
#define MAX_REQUESTS 2000
#define PACE_MS      10
#define WAIT_S       15

/* The proxy fault is on from 0.5 s for 1 s and answers every request
 * itself; the platform fault only reaches the fake admin API.  The
 * error-rate criterion makes a single error make a second unhealthy. */
static const char faults_json[] =
  "{\"name\": \"session-test\", \"seed\": 5,"
  " \"stages\": [{\"kind\": \"sustained\", \"rate\": 10,"
  "               \"duration_s\": 6}],"
  " \"faults\": ["
  "   {\"at_s\": 0.5, \"kind\": \"proxy_http_status\", \"duration_s\": 1,"
  "    \"magnitude\": 1.0, \"status\": 503},"
  "   {\"at_s\": 1.0, \"kind\": \"agent_crash\", \"duration_s\": 1,"
  "    \"magnitude\": 1.0, \"agent\": \"geo_risk\"}],"
  " \"criteria\": ["
  "   {\"metric\": \"error_rate\", \"op\": \"<\", \"value\": 0.001},"
  "   {\"metric\": \"p99_ms\", \"op\": \"<=\", \"value\": 1000}]}";

static const char no_faults_json[] =
  "{\"name\": \"quiet\","
  " \"stages\": [{\"kind\": \"sustained\", \"rate\": 10,"
  "               \"duration_s\": 2}]}";

static const char platform_only_json[] =
  "{\"name\": \"no-admin\","
  " \"stages\": [{\"kind\": \"sustained\", \"rate\": 10,"
  "               \"duration_s\": 2}],"
  " \"faults\": [{\"at_s\": 0.1, \"kind\": \"agent_crash\","
  "              \"duration_s\": 1, \"agent\": \"geo_risk\"}]}";

/* What the fake admin API received. */
typedef struct {
  char       *method;
  char       *authorization;
  JsonObject *body;
  double      at_s;
} Received;

/* One request as the client saw it; status 0 is a transport error. */
typedef struct {
  double sent_s;
  double done_s;
  guint  status;
  double latency_ms;
} Seen;

typedef struct {
  SoupServer   *server;
  char         *base;
  GPtrArray    *received;
  gint64        start_us;

  SoupSession  *client;
  char         *url;
  GArray       *seen;
  gboolean      busy;
  gint64        sent_us;
  GAsyncResult *stopped;
  guint         failed;
} Fixture;

static void
received_free (Received *r)
{
  g_free (r->method);
  g_free (r->authorization);
  g_clear_pointer (&r->body, json_object_unref);
  g_free (r);
}

static double
elapsed_s (Fixture *fx)
{
  return (double) (g_get_monotonic_time () - fx->start_us) / G_USEC_PER_SEC;
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

static void
score_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  answer (msg, 200, "{\"decision\":\"approve\"}");
}

static void
admin_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  Fixture *fx = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  Received *r = g_new0 (Received, 1);

  r->method = g_strdup (soup_server_message_get_method (msg));
  r->authorization = g_strdup (soup_message_headers_get_one (headers,
                                                             "Authorization"));
  r->at_s = elapsed_s (fx);
  if (body->length > 0
      && json_parser_load_from_data (parser, body->data, body->length, NULL))
    r->body = json_node_dup_object (json_parser_get_root (parser));
  g_ptr_array_add (fx->received, r);

  if (g_strcmp0 (r->authorization, "Bearer " TOKEN) != 0)
    answer (msg, 401, "{\"error\":\"bad token\"}");
  else if (strcmp (r->method, "DELETE") == 0)
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
  fx->seen = g_array_new (FALSE, TRUE, sizeof (Seen));
  fx->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fx->server, "/v1/score", score_cb, fx, NULL);
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
  if (fx->client != NULL)
    g_assert_finalize_object (fx->client);
  g_clear_object (&fx->stopped);
  soup_server_disconnect (fx->server);
  g_assert_finalize_object (fx->server);
  g_ptr_array_unref (fx->received);
  g_array_unref (fx->seen);
  g_free (fx->base);
  g_free (fx->url);
}

static StampedeScenarioSpec *
parse_spec (const char *json)
{
  g_autoptr(GError) error = NULL;
  StampedeScenarioSpec *spec;

  spec = stampede_scenario_spec_new_from_data (json, -1, "test", &error);
  g_assert_no_error (error);

  return spec;
}

static void
stopped_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  Fixture *fx = data;

  fx->stopped = g_object_ref (result);
}

static void
stop_and_wait (Fixture              *fx,
               StampedeFaultSession *session)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  stampede_fault_session_stop_async (session, NULL, stopped_cb, fx);
  while (fx->stopped == NULL) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, TRUE);
  }

  g_assert_true (stampede_fault_session_stop_finish (session, fx->stopped,
                                                     &error));
  g_assert_no_error (error);

  /* The result holds the session. */
  g_clear_object (&fx->stopped);
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Fixture *fx = data;
  SoupMessage *msg = soup_session_get_async_result_message (
    SOUP_SESSION (object), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  Seen seen = { 0 };

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                            &error);
  seen.sent_s = (double) (fx->sent_us - fx->start_us) / G_USEC_PER_SEC;
  seen.done_s = elapsed_s (fx);
  seen.status = body != NULL ? soup_message_get_status (msg) : 0;
  seen.latency_ms = (double) (g_get_monotonic_time () - fx->sent_us) / 1000.0;
  g_array_append_val (fx->seen, seen);
  fx->busy = FALSE;
}

static void
send_next (Fixture *fx)
{
  static const char json[] = "{\"id\":\"tx\"}";
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", fx->url);
  g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  fx->busy = TRUE;
  fx->sent_us = g_get_monotonic_time ();
  soup_session_send_and_read_async (fx->client, msg, G_PRIORITY_DEFAULT,
                                    NULL, answered_cb, fx);
}

static gboolean
pace_cb (gpointer data)
{
  gboolean *due = data;

  *due = TRUE;

  return G_SOURCE_REMOVE;
}

/* Whether the client has seen enough: DRIVE_S, and on a slow machine
 * more, so that four whole seconds follow the proxy fault's end (the
 * last one with its errors and three healthy ones). */
static gboolean
driven_enough (Fixture              *fx,
               StampedeFaultSession *session)
{
  g_autoptr(GArray) windows = stampede_fault_session_dup_windows (session);
  const StampedeFaultWindow *w;

  if (elapsed_s (fx) < DRIVE_S)
    return FALSE;
  if (elapsed_s (fx) >= MAX_DRIVE_S || windows->len == 0)
    return TRUE;

  w = &g_array_index (windows, StampedeFaultWindow, 0);

  return !isnan (w->ended_s) && elapsed_s (fx) >= ceil (w->ended_s) + 4;
}

/* One request at a time, PACE_MS apart; the fault schedule runs in the
 * same context meanwhile. */
static void
drive (Fixture              *fx,
       StampedeFaultSession *session)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;

  fx->client = soup_session_new ();
  while (!driven_enough (fx, session) && fx->seen->len < MAX_REQUESTS) {
    gboolean due = FALSE;

    send_next (fx);
    while (fx->busy) {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }

    g_timeout_add (PACE_MS, pace_cb, &due);
    while (!due)
      g_main_context_iteration (NULL, TRUE);
  }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static guint
bucket_of (double t_s)
{
  return (guint) MAX (1.0, ceil (t_s));
}

/* The run's series as the client saw it: second n covers (n − 1, n];
 * a request counts as sent in the second it was sent and reaches its
 * outcome in the second it was answered.  Every 200 is an approval of a
 * legitimate transaction, so a true negative. */
static GArray *
series_from_seen (GArray *seen)
{
  GArray *series = g_array_new (FALSE, TRUE, sizeof (StampedeSecond));
  guint n = 0;

  for (guint i = 0; i < seen->len; i++)
    n = MAX (n, bucket_of (g_array_index (seen, Seen, i).done_s));
  g_array_set_size (series, n);

  for (guint b = 1; b <= n; b++) {
    StampedeSecond *s = &g_array_index (series, StampedeSecond, b - 1);
    g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));

    s->t_s = b;
    s->target_rate = 1000.0 / PACE_MS;
    for (guint i = 0; i < seen->len; i++) {
      const Seen *r = &g_array_index (seen, Seen, i);

      if (bucket_of (r->sent_s) == b)
        s->sent++;
      if (bucket_of (r->done_s) != b)
        continue;
      if (r->status == 200) {
        s->outcomes[STAMPEDE_OUTCOME_OK]++;
        s->tn++;
      } else if (r->status != 0) {
        s->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]++;
      } else {
        s->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR]++;
      }
      if (r->status != 0)
        g_array_append_val (latencies, r->latency_ms);
    }

    if (latencies->len > 0) {
      guint rank = (guint) ceil (0.99 * latencies->len);

      g_array_sort (latencies, compare_doubles);
      s->p99_ms = g_array_index (latencies, double, MAX (rank, 1) - 1);
    }
  }

  return series;
}

static gboolean
bucket_has_error (GArray *seen,
                  guint   b)
{
  for (guint i = 0; i < seen->len; i++) {
    const Seen *r = &g_array_index (seen, Seen, i);

    if (r->status != 200 && bucket_of (r->done_s) == b)
      return TRUE;
  }

  return FALSE;
}

static JsonObject *
report_item (JsonNode *report,
             guint     i)
{
  return json_array_get_object_element (json_node_get_array (report), i);
}

static void
assert_keys (JsonObject *item,
             gboolean    with_error)
{
  static const char *keys[] = {
    "kind", "started_s", "ended_s", "recovered_s", "errors", "lost",
    "degraded_s", "recovery_time_s", "timeouts", "accuracy",
  };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    g_assert_true (json_object_has_member (item, keys[k]));
  g_assert_cmpint (json_object_has_member (item, "error"), ==, with_error);
  g_assert_cmpuint (json_object_get_size (item), ==,
                    G_N_ELEMENTS (keys) + (with_error ? 1 : 0));
}

/* The first second ending after from_s that saw an error, or NAN. */
static double
first_error_after (GArray *seen,
                   guint   n,
                   double  from_s)
{
  for (guint b = 1; b <= n; b++)
    if (b > from_s && bucket_has_error (seen, b))
      return b;

  return NAN;
}

static void
check_proxy_fault (Fixture    *fx,
                   JsonObject *item,
                   guint       n_seconds,
                   guint64     n_errors,
                   guint64     n_transport)
{
  double started = json_object_get_double_member (item, "started_s");
  double ended = json_object_get_double_member (item, "ended_s");
  guint last_error = 0;

  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==,
                   "proxy_http_status");
  g_assert_cmpfloat (started, >=, 0.5);
  g_assert_cmpfloat (ended, >=, started + 1.0);

  for (guint b = 1; b <= n_seconds; b++)
    if (bucket_has_error (fx->seen, b))
      last_error = b;

  /* Recovery needs three healthy seconds after the last error; the drive
   * lasts long enough for that unless the machine is very slow. */
  g_assert_cmpuint (last_error + 3, <=, n_seconds);
  g_assert_cmpfloat (json_object_get_double_member (item, "degraded_s"), ==,
                     first_error_after (fx->seen, n_seconds, started));
  g_assert_cmpfloat (json_object_get_double_member (item, "recovered_s"), ==,
                     last_error + 1);
  g_assert_cmpfloat_with_epsilon (
    json_object_get_double_member (item, "recovery_time_s"),
    last_error + 1 - ended, 1e-9);

  g_assert_cmpint (json_object_get_int_member (item, "errors"), ==,
                   n_errors);
  g_assert_cmpint (json_object_get_int_member (item, "lost"), ==,
                   n_transport);
  g_assert_cmpint (json_object_get_int_member (item, "timeouts"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (item, "accuracy"), ==,
                     1.0);
  assert_keys (item, FALSE);
}

static void
check_platform_fault (Fixture    *fx,
                      JsonObject *item,
                      guint       n_seconds)
{
  double started = json_object_get_double_member (item, "started_s");
  double ended = json_object_get_double_member (item, "ended_s");

  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==,
                   "agent_crash");
  g_assert_cmpfloat (started, >=, 1.0);
  g_assert_cmpfloat (ended, >=, started + 1.0);

  /* The analysis cannot tell faults apart: any unhealthy second in this
   * fault's span counts for it, here the proxy fault's last errors. */
  if (isnan (first_error_after (fx->seen, n_seconds, started)))
    g_assert_true (json_object_get_null_member (item, "degraded_s"));
  else
    g_assert_cmpfloat (json_object_get_double_member (item, "degraded_s"),
                       ==, first_error_after (fx->seen, n_seconds, started));
  assert_keys (item, FALSE);
}

static void
check_admin_requests (Fixture *fx)
{
  Received *post;
  Received *del;

  g_assert_cmpuint (fx->received->len, ==, 2);
  post = g_ptr_array_index (fx->received, 0);
  del = g_ptr_array_index (fx->received, 1);

  g_assert_cmpstr (post->method, ==, "POST");
  g_assert_cmpstr (post->authorization, ==, "Bearer " TOKEN);
  g_assert_cmpfloat (post->at_s, >=, 1.0);
  g_assert_nonnull (post->body);
  g_assert_cmpstr (json_object_get_string_member (post->body, "kind"), ==,
                   "agent_crash");
  g_assert_cmpstr (json_object_get_string_member (post->body, "agent"), ==,
                   "geo_risk");
  g_assert_cmpfloat (json_object_get_double_member (post->body,
                                                    "duration_s"), ==, 1.0);
  g_assert_cmpstr (del->method, ==, "DELETE");
  g_assert_cmpstr (del->authorization, ==, "Bearer " TOKEN);
}

static void
check_text (const char *text,
            guint64     arrivals)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *accounting = g_strdup_printf (
    "accounting: %" G_GUINT64_FORMAT " arrivals, %" G_GUINT64_FORMAT
    " outcomes: every transaction accounted for", arrivals, arrivals);

  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_true (g_str_has_prefix (lines[0], "fault proxy_http_status "));
  g_assert_nonnull (strstr (lines[0], "degraded at "));
  g_assert_nonnull (strstr (lines[0], "s after it ended), "));
  g_assert_nonnull (strstr (lines[0], "accuracy 100.0 %"));
  g_assert_true (g_str_has_prefix (lines[1], "fault agent_crash "));
  g_assert_cmpstr (lines[2], ==, accounting);
  g_assert_cmpstr (lines[3], ==, "");
}

static void
test_session_faults (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(StampedeScenarioSpec) spec = parse_spec (faults_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) series = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *target = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  StampedeFaultSession *session;
  StampedeFaultProxyStats stats;
  gboolean accounted = FALSE;
  guint64 n_errors = 0;
  guint64 n_transport = 0;
  guint64 window_errors = 0;
  guint64 window_transport = 0;
  double next_start, proxy_started;

  target = g_strdup_printf ("%s/v1/score?x=1", fx->base);
  session = stampede_fault_session_new (spec, target, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stampede_fault_session_get_proxy (session));

  /* Same path and query, through the proxy's port on loopback. */
  expected = g_strdup_printf (
    "http://127.0.0.1:%u/v1/score?x=1",
    stampede_fault_proxy_get_port (stampede_fault_session_get_proxy (
                                     session)));
  fx->url = g_strdup (stampede_fault_session_get_target_url (session));
  g_assert_cmpstr (fx->url, ==, expected);
  g_assert_cmpstr (fx->url, !=, target);

  stampede_fault_session_set_platform_admin (session, fx->base, TOKEN);
  fx->start_us = g_get_monotonic_time ();
  stampede_fault_session_start (session, fx->start_us);
  drive (fx, session);
  stop_and_wait (fx, session);

  for (guint i = 0; i < fx->seen->len; i++) {
    const Seen *r = &g_array_index (fx->seen, Seen, i);

    n_errors += r->status != 200 ? 1 : 0;
    n_transport += r->status == 0 ? 1 : 0;
  }
  g_assert_cmpuint (n_errors, >, 0);
  stampede_fault_proxy_get_stats (stampede_fault_session_get_proxy (session),
                                  &stats);
  g_assert_cmpuint (stats.requests_failed, ==, n_errors - n_transport);

  series = series_from_seen (fx->seen);
  report = stampede_fault_session_build_report (session, series, &accounted);
  g_assert_true (accounted);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (report));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (report)), ==,
                    2);

  /* Fault windows never share a second: the proxy fault's figures stop at
   * the last second that ended no later than the agent crash's start, and
   * the seconds after it belong to the crash. */
  next_start = json_object_get_double_member (report_item (report, 1),
                                              "started_s");
  proxy_started = json_object_get_double_member (report_item (report, 0),
                                                 "started_s");
  for (guint i = 0; i < fx->seen->len; i++) {
    const Seen *r = &g_array_index (fx->seen, Seen, i);
    guint b = bucket_of (r->done_s);

    if (b > proxy_started && b <= next_start) {
      window_errors += r->status != 200 ? 1 : 0;
      window_transport += r->status == 0 ? 1 : 0;
    }
  }
  check_proxy_fault (fx, report_item (report, 0), series->len, window_errors,
                     window_transport);
  check_platform_fault (fx, report_item (report, 1), series->len);
  check_admin_requests (fx);

  text = stampede_fault_session_format_text (session, series);
  json = json_to_string (report, TRUE);
  g_test_message ("%s%s", json, text);
  check_text (text, fx->seen->len);

  g_assert_finalize_object (session);
}

static void
test_session_no_faults (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(StampedeScenarioSpec) spec = parse_spec (no_faults_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) series = g_array_new (FALSE, TRUE,
                                          sizeof (StampedeSecond));
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *target = g_strdup_printf ("%s/v1/score", fx->base);
  g_autofree char *text = NULL;
  StampedeFaultSession *session;
  StampedeSecond second = { .t_s = 1, .sent = 10 };
  gboolean accounted = FALSE;

  session = stampede_fault_session_new (spec, target, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stampede_fault_session_get_target_url (session), ==,
                   target);
  g_assert_null (stampede_fault_session_get_proxy (session));

  stampede_fault_session_start (session, g_get_monotonic_time ());
  stop_and_wait (fx, session);
  g_assert_cmpuint (fx->received->len, ==, 0);

  second.outcomes[STAMPEDE_OUTCOME_OK] = 10;
  g_array_append_val (series, second);
  second.t_s = 2;
  second.outcomes[STAMPEDE_OUTCOME_OK] = 9;
  g_array_append_val (series, second);

  report = stampede_fault_session_build_report (session, series, &accounted);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (report));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (report)), ==,
                    0);
  g_assert_false (accounted);

  text = stampede_fault_session_format_text (session, series);
  g_assert_cmpstr (text, ==, "accounting: 20 arrivals, 19 outcomes: some "
                             "transactions are unaccounted for\n");

  g_assert_finalize_object (session);
}

static void
failed_cb (StampedeFaultRunner *runner,
           const char          *kind,
           const char          *message,
           Fixture             *fx)
{
  fx->failed++;
}

static void
test_session_no_admin (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(StampedeScenarioSpec) spec = parse_spec (platform_only_json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) series = g_array_new (FALSE, TRUE,
                                          sizeof (StampedeSecond));
  g_autoptr(JsonNode) report = NULL;
  g_autofree char *target = g_strdup_printf ("%s/v1/score", fx->base);
  g_autofree char *text = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  StampedeFaultSession *session;
  JsonObject *item;

  session = stampede_fault_session_new (spec, target, &error);
  g_assert_no_error (error);
  g_assert_null (stampede_fault_session_get_proxy (session));
  g_signal_connect (stampede_fault_session_get_runner (session),
                    "fault-failed", G_CALLBACK (failed_cb), fx);

  stampede_fault_session_start (session, g_get_monotonic_time ());
  while (fx->failed == 0) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_main_context_iteration (NULL, TRUE);
  }
  stop_and_wait (fx, session);
  g_assert_cmpuint (fx->received->len, ==, 0);

  report = stampede_fault_session_build_report (session, series, NULL);
  item = report_item (report, 0);
  assert_keys (item, TRUE);
  g_assert_true (json_object_get_null_member (item, "started_s"));
  g_assert_true (json_object_get_null_member (item, "degraded_s"));
  g_assert_cmpint (json_object_get_int_member (item, "errors"), ==, 0);
  g_assert_true (g_str_has_prefix (
    json_object_get_string_member (item, "error"), "no platform admin API"));

  text = stampede_fault_session_format_text (session, series);
  g_assert_true (g_str_has_prefix (text, "fault agent_crash at 0.1 s: not "
                                         "injected: no platform admin "
                                         "API"));

  g_assert_finalize_object (session);
}

static void
test_session_https (void)
{
  g_autoptr(StampedeScenarioSpec) spec = parse_spec (faults_json);
  g_autoptr(GError) error = NULL;
  StampedeFaultSession *session;

  session = stampede_fault_session_new (spec, "https://127.0.0.1:1/v1/score",
                                        &error);
  g_assert_null (session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/stampede/fault-session/faults", Fixture, NULL,
              fixture_set_up, test_session_faults, fixture_tear_down);
  g_test_add ("/stampede/fault-session/no-faults", Fixture, NULL,
              fixture_set_up, test_session_no_faults, fixture_tear_down);
  g_test_add ("/stampede/fault-session/no-admin", Fixture, NULL,
              fixture_set_up, test_session_no_admin, fixture_tear_down);
  g_test_add_func ("/stampede/fault-session/https", test_session_https);

  return g_test_run ();
}
