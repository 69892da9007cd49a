/* test-platform-faults.c — the platform under faults, admission control
 * and degradation, over HTTP on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "stampede-platform.h"
#include "stampede-platform-private.h"

/* 2024-12-04 08:00:00 UTC, a fixed start for the transactions' clocks. */
#define T0 G_GINT64_CONSTANT (1733299200000)
#define TOKEN "test-admin-token"

typedef struct {
  StampedePlatform *platform;
  SoupSession      *session;
  char             *base;
  guint             serial;
} Fixture;

typedef struct {
  guint       status;
  JsonParser *parser;
  JsonObject *object;
  char       *text;
  char       *retry_after;
  double      elapsed_ms;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_object (&reply->parser);
  g_clear_pointer (&reply->text, g_free);
  g_clear_pointer (&reply->retry_after, g_free);
  reply->object = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

/* No modelled latency unless a test asks for it, so that every delay a
 * test measures is the one it caused. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->platform = stampede_platform_new ();
  g_assert_true (stampede_platform_set_agent_latency (fixture->platform, NULL,
                                                      "none", &error));
  stampede_platform_set_admin_token (fixture->platform, TOKEN);
  g_assert_true (stampede_platform_start (fixture->platform, "127.0.0.1", 0,
                                          &error));
  g_assert_no_error (error);
  fixture->base = stampede_platform_dup_url (fixture->platform);
  fixture->session = soup_session_new_with_options ("timeout", 20, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->base, g_free);
  stampede_platform_stop (fixture->platform);
  g_assert_finalize_object (fixture->platform);
}

static void
request (Fixture    *fixture,
         const char *method,
         const char *path,
         const char *body,
         const char *token,
         Reply      *reply)
{
  g_autofree char *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  const char *data;
  gsize len;

  if (body != NULL) {
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              bytes);
  }
  if (token != NULL) {
    g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", value);
  }

  answer = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);

  reply->elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;
  reply->status = soup_message_get_status (msg);
  reply->retry_after = g_strdup (soup_message_headers_get_one (
    soup_message_get_response_headers (msg), "Retry-After"));
  data = g_bytes_get_data (answer, &len);
  reply->text = g_strndup (data, len);
  reply->parser = json_parser_new ();
  if (len > 0
      && json_parser_load_from_data (reply->parser, reply->text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (reply->parser)))
    reply->object = json_node_get_object (json_parser_get_root (reply->parser));
  g_test_message ("%s %s → %u %s", method, path, reply->status, reply->text);
}

static char *
transaction (Fixture    *fixture,
             const char *card,
             const char *amount,
             const char *mcc)
{
  guint serial = ++fixture->serial;

  return g_strdup_printf (
    "{\"id\":\"tx-%u\",\"card_id\":\"%s\",\"merchant_id\":\"m-000001\","
    "\"mcc\":\"%s\",\"country\":\"FR\",\"card_country\":\"FR\","
    "\"amount\":\"%s\",\"currency\":\"EUR\",\"lat\":48.85,\"lon\":2.35,"
    "\"timestamp_ms\":%" G_GINT64_FORMAT "}",
    serial, card, mcc, amount, T0 + (gint64) serial * 60000);
}

static void
score (Fixture    *fixture,
       const char *amount,
       const char *mcc,
       Reply      *reply)
{
  g_autofree char *body = transaction (fixture, "card-000001", amount, mcc);

  request (fixture, "POST", "/v1/score", body, NULL, reply);
}

static guint
inject (Fixture    *fixture,
        const char *json)
{
  g_auto(Reply) reply = { 0 };

  request (fixture, "POST", "/v1/admin/faults", json, TOKEN, &reply);
  g_assert_cmpuint (reply.status, ==, 201);
  g_assert_nonnull (reply.object);

  return json_object_get_int_member (reply.object, "id");
}

static void
clear_faults (Fixture *fixture)
{
  g_auto(Reply) reply = { 0 };

  request (fixture, "DELETE", "/v1/admin/faults", NULL, TOKEN, &reply);
  g_assert_cmpuint (reply.status, ==, 200);
}

/* The agent object of that name in a score answer. */
static JsonObject *
agent (Reply      *reply,
       const char *name)
{
  JsonArray *agents = json_object_get_array_member (reply->object, "agents");

  for (guint i = 0; i < json_array_get_length (agents); i++) {
    JsonObject *object = json_array_get_object_element (agents, i);

    if (g_strcmp0 (json_object_get_string_member (object, "name"), name) == 0)
      return object;
  }

  return NULL;
}

static const char * const agent_names[] = {
  "transaction_analyzer", "pattern_detector", "geo_risk", "reasoning",
};

/* A normal answer: 200, every agent scored, at the normal level. */
static void
assert_normal_answer (Fixture *fixture)
{
  g_auto(Reply) reply = { 0 };

  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply.object,
                                                  "degradation"), ==,
                   "normal");
  for (guint i = 0; i < G_N_ELEMENTS (agent_names); i++)
    g_assert_true (json_object_has_member (agent (&reply, agent_names[i]),
                                           "score"));
}

static char *
fetch_metrics (Fixture *fixture)
{
  g_auto(Reply) reply = { 0 };

  request (fixture, "GET", "/metrics", NULL, NULL, &reply);
  g_assert_cmpuint (reply.status, ==, 200);

  return g_steal_pointer (&reply.text);
}

/* The value of one sample, `name` or `name{labels}` exactly. */
static double
metric (Fixture    *fixture,
        const char *series)
{
  g_autofree char *text = fetch_metrics (fixture);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gsize len = strlen (series);

  for (guint i = 0; lines[i] != NULL; i++) {
    if (strncmp (lines[i], series, len) == 0 && lines[i][len] == ' ')
      return g_ascii_strtod (lines[i] + len + 1, NULL);
  }

  g_error ("no sample %s in /metrics", series);
}

static void
test_auth (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(Reply) none = { 0 };
  g_auto(Reply) wrong = { 0 };
  g_auto(Reply) right = { 0 };

  request (fixture, "GET", "/v1/admin/faults", NULL, NULL, &none);
  g_assert_cmpuint (none.status, ==, 401);
  g_assert_nonnull (strstr (json_object_get_string_member (none.object,
                                                           "error"),
                            "Authorization"));

  request (fixture, "GET", "/v1/admin/faults", NULL, "guess", &wrong);
  g_assert_cmpuint (wrong.status, ==, 401);
  g_assert_nonnull (strstr (json_object_get_string_member (wrong.object,
                                                           "error"),
                            "token"));

  request (fixture, "GET", "/v1/admin/faults", NULL, TOKEN, &right);
  g_assert_cmpuint (right.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
    right.object, "faults")), ==, 0);
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct {
    const char *method;
    const char *path;
    const char *body;
    guint       status;
    const char *says;
  } bad[] = {
    { "POST", "/v1/admin/faults", "not json", 400, "not JSON" },
    { "POST", "/v1/admin/faults", "[1]", 400, "object" },
    { "POST", "/v1/admin/faults", "{\"duration_s\":1}", 400, "kind" },
    { "POST", "/v1/admin/faults", "{\"kind\":\"meteor\",\"duration_s\":1}",
      400, "unknown fault kind “meteor”" },
    { "POST", "/v1/admin/faults",
      "{\"kind\":\"partition\",\"duration_s\":-4}", 400,
      "duration_s: -4 is negative" },
    { "POST", "/v1/admin/faults",
      "{\"kind\":\"agent_crash\",\"duration_s\":5,\"agent\":\"oracle\"}",
      400, "agent: unknown agent “oracle”" },
    { "POST", "/v1/admin/faults",
      "{\"kind\":\"rate_limit\",\"duration_s\":5,\"magnitude\":2}", 400,
      "magnitude" },
    { "POST", "/v1/admin/faults",
      "{\"kind\":\"ingestion_lag\",\"duration_s\":5,\"lag\":3}", 400,
      "unknown key “lag”" },
    { "DELETE", "/v1/admin/faults/99", NULL, 404, "99" },
    { "DELETE", "/v1/admin/faults/abc", NULL, 400, "abc" },
    { "PATCH", "/v1/admin/faults", "{}", 405, "PATCH" },
    { "GET", "/v1/admin/nothing", NULL, 404, "nothing" },
    { "PUT", "/v1/admin/degradation", "{\"level\":\"panic\"}", 400,
      "level" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto(Reply) reply = { 0 };

    request (fixture, bad[i].method, bad[i].path, bad[i].body, TOKEN,
             &reply);
    g_assert_cmpuint (reply.status, ==, bad[i].status);
    g_assert_nonnull (reply.object);
    g_assert_nonnull (strstr (json_object_get_string_member (reply.object,
                                                             "error"),
                              bad[i].says));
  }

  /* Nothing was injected by any of them. */
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_fault_active"
                             "{kind=\"partition\"}"), ==, 0);
}

static void
test_lifecycle (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Reply) created = { 0 };
  g_auto(Reply) listed = { 0 };
  g_auto(Reply) deleted = { 0 };
  g_auto(Reply) empty = { 0 };
  g_auto(Reply) cleared = { 0 };
  g_autofree char *path = NULL;
  JsonArray *faults;
  gint64 id;

  request (fixture, "POST", "/v1/admin/faults",
           "{\"kind\":\"latency_spike\",\"duration_s\":30,\"magnitude\":5}",
           TOKEN, &created);
  g_assert_cmpuint (created.status, ==, 201);
  id = json_object_get_int_member (created.object, "id");
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (json_object_get_int_member (created.object, "ends_at_ms")
                   - json_object_get_int_member (created.object,
                                                 "started_at_ms"),
                   ==, 30000);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_fault_active"
                                      "{kind=\"latency_spike\"}"), ==, 1);

  request (fixture, "GET", "/v1/admin/faults", NULL, TOKEN, &listed);
  faults = json_object_get_array_member (listed.object, "faults");
  g_assert_cmpuint (json_array_get_length (faults), ==, 1);
  g_assert_cmpint (json_object_get_int_member (
    json_array_get_object_element (faults, 0), "id"), ==, id);

  path = g_strdup_printf ("/v1/admin/faults/%" G_GINT64_FORMAT, id);
  request (fixture, "DELETE", path, NULL, TOKEN, &deleted);
  g_assert_cmpuint (deleted.status, ==, 200);
  request (fixture, "GET", path, NULL, TOKEN, &empty);
  g_assert_cmpuint (empty.status, ==, 404);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_fault_active"
                                      "{kind=\"latency_spike\"}"), ==, 0);

  inject (fixture, "{\"kind\":\"partition\",\"duration_s\":30}");
  inject (fixture, "{\"kind\":\"store_throttle\",\"duration_s\":30}");
  request (fixture, "DELETE", "/v1/admin/faults", NULL, TOKEN, &cleared);
  g_assert_cmpint (json_object_get_int_member (cleared.object, "cleared"),
                   ==, 2);
}

static void
test_agent_crash (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };
  g_auto(Reply) no_reasoning = { 0 };
  JsonObject *geo;

  inject (fixture, "{\"kind\":\"agent_crash\",\"duration_s\":30,"
                   "\"agent\":\"geo_risk\"}");
  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  geo = agent (&reply, "geo_risk");
  g_assert_nonnull (geo);
  g_assert_false (json_object_has_member (geo, "score"));
  g_assert_cmpstr (json_object_get_string_member (geo, "status"), ==,
                   "unavailable");
  g_assert_true (json_object_has_member (agent (&reply, "reasoning"),
                                         "score"));
  g_assert_nonnull (strstr (json_object_get_string_member (reply.object,
                                                           "explanation"),
                            "without geo_risk"));
  g_assert_cmpfloat (metric (fixture, "stampede_platform_agent_failures_total"
                                      "{agent=\"geo_risk\"}"), ==, 1);

  inject (fixture, "{\"kind\":\"agent_crash\",\"duration_s\":30,"
                   "\"agent\":\"reasoning\"}");
  score (fixture, "12.00", "5411", &no_reasoning);
  g_assert_cmpuint (no_reasoning.status, ==, 503);
  g_assert_nonnull (strstr (json_object_get_string_member (
    no_reasoning.object, "error"), "reasoning"));
  g_assert_cmpstr (json_object_get_string_member (no_reasoning.object,
                                                  "degradation"), ==,
                   "normal");
}

/* A fault of 0.4 s is gone 0.6 s later, without anyone clearing it. */
static void
test_auto_clear (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Reply) during = { 0 };
  g_auto(Reply) listed = { 0 };

  inject (fixture, "{\"kind\":\"agent_crash\",\"duration_s\":0.4,"
                   "\"agent\":\"geo_risk\"}");
  score (fixture, "12.00", "5411", &during);
  g_assert_false (json_object_has_member (agent (&during, "geo_risk"),
                                          "score"));

  g_usleep (600000);
  request (fixture, "GET", "/v1/admin/faults", NULL, TOKEN, &listed);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
    listed.object, "faults")), ==, 0);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_fault_active"
                                      "{kind=\"agent_crash\"}"), ==, 0);
  assert_normal_answer (fixture);
}

/* Every store operation throttled: five back-offs of 1, 2, 4, 8 and 16 ms
 * before the sixth attempt fails too, so at least 31 ms, and the answer
 * comes without history. */
static void
test_store_throttle (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };

  inject (fixture, "{\"kind\":\"store_throttle\",\"duration_s\":30}");
  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpfloat (reply.elapsed_ms, >=, 31);
  g_assert_cmpstr (json_object_get_string_member (reply.object, "history"),
                   ==, "unavailable");
  g_assert_cmpfloat (metric (fixture, "stampede_platform_store_retries_total"),
                     ==, 5);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_store_throttled_total"),
                     ==, 6);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_store_gave_up_total"),
                     ==, 1);

  clear_faults (fixture);
  assert_normal_answer (fixture);
}

static void
test_ingestion_lag (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };

  inject (fixture, "{\"kind\":\"ingestion_lag\",\"duration_s\":30,"
                   "\"magnitude\":150}");
  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpfloat (reply.elapsed_ms, >=, 150);

  clear_faults (fixture);
  assert_normal_answer (fixture);
}

static void
test_rate_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };

  inject (fixture, "{\"kind\":\"rate_limit\",\"duration_s\":30,"
                   "\"retry_after_s\":2}");
  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpuint (reply.status, ==, 429);
  g_assert_cmpstr (reply.retry_after, ==, "2");
  g_assert_nonnull (strstr (json_object_get_string_member (reply.object,
                                                           "error"),
                            "rate limit"));
  g_assert_cmpstr (json_object_get_string_member (reply.object,
                                                  "degradation"), ==,
                   "normal");
  g_assert_cmpfloat (metric (fixture, "stampede_platform_score_requests_total"
                                      "{status=\"429\"}"), ==, 1);

  clear_faults (fixture);
  assert_normal_answer (fixture);
}

/* 80 ms on every agent: the scoring agents run side by side and the
 * reasoning agent after them, so the answer takes at least 160 ms.  On
 * one agent only, only that one is slower. */
static void
test_latency_spike (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Reply) all = { 0 };
  g_auto(Reply) one = { 0 };

  inject (fixture, "{\"kind\":\"latency_spike\",\"duration_s\":30,"
                   "\"magnitude\":80}");
  score (fixture, "12.00", "5411", &all);
  g_assert_cmpuint (all.status, ==, 200);
  g_assert_cmpfloat (all.elapsed_ms, >=, 160);
  for (guint i = 0; i < G_N_ELEMENTS (agent_names); i++)
    g_assert_cmpfloat (json_object_get_double_member (
      agent (&all, agent_names[i]), "ms"), >=, 80);

  clear_faults (fixture);
  inject (fixture, "{\"kind\":\"latency_spike\",\"duration_s\":30,"
                   "\"magnitude\":80,\"agent\":\"geo_risk\"}");
  score (fixture, "12.00", "5411", &one);
  g_assert_cmpfloat (one.elapsed_ms, >=, 80);
  g_assert_cmpfloat (json_object_get_double_member (
    agent (&one, "geo_risk"), "ms"), >=, 80);
  g_assert_cmpfloat (json_object_get_double_member (
    agent (&one, "transaction_analyzer"), "ms"), <, 80);

  clear_faults (fixture);
  assert_normal_answer (fixture);
}

/* Opens a connection and sends one score request on it. */
static GSocketConnection *
send_raw (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = transaction (fixture, "card-raw", "12.00", "5411");
  g_autofree char *head = g_strdup_printf (
    "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: %zu\r\n\r\n", strlen (body));
  GOutputStream *out;

  connection = g_socket_client_connect_to_host (
    client, "127.0.0.1", stampede_platform_get_port (fixture->platform),
    NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_output_stream_write_all (out, body, strlen (body), NULL, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&connection);
}

/* Waits up to timeout_ms for the answer's first bytes; returns the status
 * line's code, 0 if the connection ended without an answer, or −1 if
 * nothing came in time. */
static int
read_status (GSocketConnection *connection,
             guint              timeout_ms)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  char buf[64] = { 0 };
  gssize n;

  if (!g_socket_condition_timed_wait (socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                      (gint64) timeout_ms * 1000, NULL, NULL))
    return -1;

  n = g_socket_receive (socket, buf, sizeof buf - 1, NULL, NULL);
  if (n <= 0)
    return 0;

  g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 "));

  return atoi (buf + 9);
}

static void
test_partition_reset (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;

  inject (fixture, "{\"kind\":\"partition\",\"duration_s\":30,"
                   "\"mode\":\"reset\"}");
  connection = send_raw (fixture);
  g_assert_cmpint (read_status (connection, 5000), ==, 0);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_partition_dropped_total"
                             "{mode=\"reset\"}"), ==, 1);

  clear_faults (fixture);
  assert_normal_answer (fixture);
}

/* A silent partition holds the request with no answer; once the fault is
 * cleared the request goes through and is answered. */
static void
test_partition_silent (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;

  inject (fixture, "{\"kind\":\"partition\",\"duration_s\":30,"
                   "\"mode\":\"silent\"}");
  connection = send_raw (fixture);
  g_assert_cmpint (read_status (connection, 400), ==, -1);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_partition_held"),
                     ==, 1);

  clear_faults (fixture);
  g_assert_cmpint (read_status (connection, 5000), ==, 200);
  assert_normal_answer (fixture);
}

/* One scoring slot held 400 ms and a queue of two: of six requests sent
 * at once, three are answered 200 and three refused 503. */
static void
test_queue_full (Fixture       *fixture,
                 gconstpointer  data)
{
  GSocketConnection *connections[6];
  guint ok = 0, refused = 0;

  stampede_platform_set_admission (fixture->platform, 2, 1);
  g_assert_true (stampede_platform_set_agent_latency (fixture->platform, NULL,
                                                      "fixed:200", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (connections); i++)
    connections[i] = send_raw (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (connections); i++) {
    int status = read_status (connections[i], 10000);

    ok += status == 200;
    refused += status == 503;
    g_object_unref (connections[i]);
  }

  g_assert_cmpuint (ok, ==, 3);
  g_assert_cmpuint (refused, ==, 3);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_score_requests_total"
                                      "{status=\"503\"}"), ==, 3);
}

static void
set_level (Fixture    *fixture,
           const char *level)
{
  g_autofree char *body = g_strdup_printf ("{\"level\":\"%s\"}", level);
  g_auto(Reply) reply = { 0 };

  request (fixture, "PUT", "/v1/admin/degradation", body, TOKEN, &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply.object, "override"),
                   ==, level);
}

static const char *
decision (Reply *reply)
{
  return json_object_get_string_member (reply->object, "decision");
}

/* Each forced level shows in the answers, with its strategy. */
static void
test_degradation_strategies (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(Reply) moderate = { 0 };
  g_auto(Reply) severe = { 0 };
  g_auto(Reply) small = { 0 };
  g_auto(Reply) large = { 0 };
  g_auto(Reply) gambling = { 0 };

  set_level (fixture, "moderate");
  score (fixture, "12.00", "5411", &moderate);
  g_assert_cmpstr (json_object_get_string_member (moderate.object,
                                                  "degradation"), ==,
                   "moderate");
  g_assert_nonnull (strstr (json_object_get_string_member (moderate.object,
                                                           "explanation"),
                            "skipped under load"));

  set_level (fixture, "severe");
  score (fixture, "12.00", "5411", &severe);
  g_assert_cmpstr (json_object_get_string_member (
    agent (&severe, "pattern_detector"), "status"), ==, "skipped");
  g_assert_true (json_object_has_member (agent (&severe, "geo_risk"),
                                         "score"));
  g_assert_true (json_object_has_member (agent (&severe, "reasoning"),
                                         "score"));
  g_assert_cmpfloat (metric (fixture, "stampede_platform_degradation_level"),
                     ==, 2);

  set_level (fixture, "critical");
  score (fixture, "20.00", "5411", &small);
  score (fixture, "500.00", "5411", &large);
  score (fixture, "20.00", "7995", &gambling);
  g_assert_cmpstr (decision (&small), ==, "approve");
  g_assert_cmpstr (decision (&large), ==, "review");
  g_assert_cmpstr (decision (&gambling), ==, "decline");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
    small.object, "agents")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (small.object,
                                                  "degradation"), ==,
                   "critical");
  g_assert_cmpfloat (metric (fixture, "stampede_platform_degradation_info"
                                      "{level=\"critical\"}"), ==, 1);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_scored_total"
                                      "{level=\"critical\"}"), ==, 3);

  set_level (fixture, "auto");
  assert_normal_answer (fixture);
}

static void
wait_for_level (Fixture                  *fixture,
                StampedeDegradationLevel  level)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (stampede_platform_get_degradation_level (fixture->platform) != level
         && g_get_monotonic_time () < deadline)
    g_usleep (10000);

  g_assert_cmpint (stampede_platform_get_degradation_level (fixture->platform),
                   ==, level);
}

/* The measured level, fed synthetic errors through the window: critical
 * within a tick, then back to normal by itself once the errors have left
 * a two-second window and the 300 ms hold has passed. */
static void
test_degradation_measured (Fixture       *fixture,
                           gconstpointer  data)
{
  StampedeDegradation *window =
    stampede_platform_get_degradation (fixture->platform);
  gint64 now_us = g_get_monotonic_time ();
  g_auto(Reply) reply = { 0 };

  stampede_degradation_set_timing (window, 2, 300000);
  for (guint i = 0; i < 100; i++)
    stampede_degradation_observe (window, now_us, 5, i < 20);

  wait_for_level (fixture, STAMPEDE_DEGRADATION_CRITICAL);

  score (fixture, "12.00", "5411", &reply);
  g_assert_cmpstr (json_object_get_string_member (reply.object,
                                                  "degradation"), ==,
                   "critical");

  wait_for_level (fixture, STAMPEDE_DEGRADATION_NORMAL);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_degradation_changes_total"),
                     ==, 2);
  assert_normal_answer (fixture);
}

/* Every line is a comment (# HELP, # TYPE) or `name{labels} value`. */
static void
assert_exposition (const char *text)
{
  g_autoptr(GRegex) sample = g_regex_new (
    "^[a-zA-Z_:][a-zA-Z0-9_:]*"
    "(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})?"
    " (-?[0-9.eE+-]+|\\+Inf|-Inf|NaN)$", 0, 0, NULL);
  g_autoptr(GRegex) comment = g_regex_new (
    "^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* "
    "(counter|gauge|histogram|summary|untyped))$", 0, 0, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >, 50);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++) {
    if (!g_regex_match (sample, lines[i], 0, NULL)
        && !g_regex_match (comment, lines[i], 0, NULL))
      g_error ("line %u is not Prometheus text: %s", i + 1, lines[i]);
  }
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *text = fetch_metrics (fixture);
  double decisions = 0;

  assert_exposition (text);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_score_requests_total"
                                      "{status=\"200\"}"), ==, 0);

  for (guint i = 0; i < 3; i++) {
    g_auto(Reply) reply = { 0 };

    score (fixture, "12.00", "5411", &reply);
    g_assert_cmpuint (reply.status, ==, 200);
  }

  g_assert_cmpfloat (metric (fixture, "stampede_platform_score_requests_total"
                                      "{status=\"200\"}"), ==, 3);
  decisions += metric (fixture, "stampede_platform_decisions_total"
                                "{decision=\"approve\"}");
  decisions += metric (fixture, "stampede_platform_decisions_total"
                                "{decision=\"review\"}");
  decisions += metric (fixture, "stampede_platform_decisions_total"
                                "{decision=\"decline\"}");
  g_assert_cmpfloat (decisions, ==, 3);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_agent_latency_seconds_count"
                             "{agent=\"geo_risk\"}"), ==, 3);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_agent_latency_seconds_bucket"
                             "{agent=\"geo_risk\",le=\"+Inf\"}"), ==, 3);
  g_assert_cmpfloat (metric (fixture,
                             "stampede_platform_request_duration_seconds_count"),
                     ==, 3);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_card_store_size"),
                     ==, 1);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_queue_depth"), ==, 0);
  g_assert_cmpfloat (metric (fixture, "stampede_platform_degradation_level"),
                     ==, 0);

  g_clear_pointer (&text, g_free);
  text = fetch_metrics (fixture);
  assert_exposition (text);
}

/* A burst of requests, sent concurrently. */
typedef struct {
  guint n_done;
  guint n_transport_errors;
  guint status[600];
} Burst;

static void
burst_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Burst *burst = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (
    SOUP_SESSION (source), result);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                             &error);
  if (bytes == NULL)
    burst->n_transport_errors++;
  else
    burst->status[MIN (soup_message_get_status (msg), 599)]++;
  burst->n_done++;
}

#define BURST_N 120

static void
run_burst (Fixture *fixture,
           Burst   *burst,
           gboolean clear_after_a_while)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options (
    "max-conns", 64, "max-conns-per-host", 64, "timeout", 20, NULL);
  g_autofree char *url = g_strconcat (fixture->base, "/v1/score", NULL);
  gint64 start = g_get_monotonic_time ();
  gboolean cleared = FALSE;

  memset (burst, 0, sizeof *burst);
  for (guint i = 0; i < BURST_N; i++) {
    g_autofree char *card = g_strdup_printf ("card-b%03u", i % 40);
    g_autofree char *body = transaction (fixture, card, "25.00", "5411");
    g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);

    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              bytes);
    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                      burst_done_cb, burst);
  }

  while (burst->n_done < BURST_N
         && g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC) {
    if (clear_after_a_while && !cleared
        && g_get_monotonic_time () - start > 300000) {
      stampede_platform_clear_faults (fixture->platform);
      cleared = TRUE;
    }
    g_main_context_iteration (NULL, FALSE);
    g_usleep (500);
  }

  g_assert_cmpuint (burst->n_done, ==, BURST_N);
}

/* Under each fault, a burst of 120 concurrent requests gets only the
 * answers that fault explains, and the platform answers normally once the
 * fault is cleared. */
static void
test_burst (Fixture       *fixture,
            gconstpointer  data)
{
  static const struct {
    const char *fault;
    guint       other_status;
    gboolean    resets;
    gboolean    held;
  } cases[] = {
    { "{\"kind\":\"agent_crash\",\"duration_s\":30,\"agent\":\"reasoning\","
      "\"magnitude\":0.5}", 503, FALSE, FALSE },
    { "{\"kind\":\"agent_crash\",\"duration_s\":30,\"agent\":\"geo_risk\"}",
      0, FALSE, FALSE },
    { "{\"kind\":\"store_throttle\",\"duration_s\":30,\"magnitude\":0.5}",
      0, FALSE, FALSE },
    { "{\"kind\":\"ingestion_lag\",\"duration_s\":30,\"magnitude\":50}",
      0, FALSE, FALSE },
    { "{\"kind\":\"rate_limit\",\"duration_s\":30,\"magnitude\":0.5}",
      429, FALSE, FALSE },
    { "{\"kind\":\"latency_spike\",\"duration_s\":30,\"magnitude\":20}",
      0, FALSE, FALSE },
    { "{\"kind\":\"partition\",\"duration_s\":30,\"magnitude\":0.3,"
      "\"mode\":\"reset\"}", 0, TRUE, FALSE },
    { "{\"kind\":\"partition\",\"duration_s\":30,\"magnitude\":0.5}",
      0, FALSE, TRUE },
  };

  stampede_degradation_set_timing (
    stampede_platform_get_degradation (fixture->platform), 2, 300000);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Burst burst;
    guint other = cases[i].other_status;

    g_test_message ("burst under %s", cases[i].fault);
    inject (fixture, cases[i].fault);
    run_burst (fixture, &burst, cases[i].held);
    g_test_message ("200: %u, other: %u, transport errors: %u",
                    burst.status[200], other ? burst.status[other] : 0,
                    burst.n_transport_errors);

    g_assert_cmpuint (burst.status[200]
                      + (other != 0 ? burst.status[other] : 0)
                      + burst.n_transport_errors, ==, BURST_N);
    g_assert_cmpuint (burst.status[200], >, 0);
    if (!cases[i].resets)
      g_assert_cmpuint (burst.n_transport_errors, ==, 0);

    /* Half the answers refused is an error rate that makes the platform
     * critical; it comes back by itself. */
    clear_faults (fixture);
    wait_for_level (fixture, STAMPEDE_DEGRADATION_NORMAL);
    assert_normal_answer (fixture);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/stampede/platform-faults/" path, Fixture, NULL, \
              fixture_set_up, func, fixture_tear_down)
  ADD ("auth", test_auth);
  ADD ("bad-requests", test_bad_requests);
  ADD ("lifecycle", test_lifecycle);
  ADD ("agent-crash", test_agent_crash);
  ADD ("auto-clear", test_auto_clear);
  ADD ("store-throttle", test_store_throttle);
  ADD ("ingestion-lag", test_ingestion_lag);
  ADD ("rate-limit", test_rate_limit);
  ADD ("latency-spike", test_latency_spike);
  ADD ("partition-reset", test_partition_reset);
  ADD ("partition-silent", test_partition_silent);
  ADD ("queue-full", test_queue_full);
  ADD ("degradation-strategies", test_degradation_strategies);
  ADD ("degradation-measured", test_degradation_measured);
  ADD ("metrics", test_metrics);
  ADD ("burst", test_burst);
#undef ADD

  return g_test_run ();
}
