/* test-platform.c — the reference platform over HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "stampede-card-store.h"
#include "stampede-platform.h"
#include "stampede-platform-private.h"

/* 2024-12-04 08:00:00 UTC, a fixed start for the transactions' clocks. */
#define T0 G_GINT64_CONSTANT (1733299200000)

typedef struct {
  StampedePlatform *platform;
  SoupSession      *session;
  char             *base;
} Fixture;

typedef struct {
  guint       status;
  JsonParser *parser;
  JsonObject *object;
  char       *text;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_object (&reply->parser);
  g_clear_pointer (&reply->text, g_free);
  reply->object = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->platform = stampede_platform_new ();
  g_assert_true (stampede_platform_start (fixture->platform, "127.0.0.1", 0,
                                          &error));
  g_assert_no_error (error);
  fixture->base = stampede_platform_dup_url (fixture->platform);
  fixture->session = soup_session_new ();
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
         gsize       len,
         Reply      *reply)
{
  g_autofree char *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize answer_len;

  if (body != NULL) {
    g_autoptr(GBytes) bytes = g_bytes_new (body, len);

    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              bytes);
  }

  answer = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);

  reply->status = soup_message_get_status (msg);
  data = g_bytes_get_data (answer, &answer_len);
  reply->text = g_strndup (data, answer_len);
  reply->parser = json_parser_new ();
  if (answer_len > 0
      && json_parser_load_from_data (reply->parser, reply->text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (reply->parser)))
    reply->object = json_node_get_object (json_parser_get_root (reply->parser));
}

static char *
transaction (const char *id,
             const char *card,
             const char *amount,
             const char *currency,
             const char *country,
             double      lat,
             double      lon,
             gint64      timestamp_ms)
{
  char la[G_ASCII_DTOSTR_BUF_SIZE], lo[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf (
    "{\"id\":\"%s\",\"card_id\":\"%s\",\"merchant_id\":\"m-000001\","
    "\"merchant_name\":\"Café Nord\",\"mcc\":\"5411\",\"country\":\"%s\","
    "\"card_country\":\"FR\",\"amount\":\"%s\",\"currency\":\"%s\","
    "\"lat\":%s,\"lon\":%s,\"channel\":\"pos\",\"timestamp_ms\":%"
    G_GINT64_FORMAT "}",
    id, card, country, amount, currency,
    g_ascii_dtostr (la, sizeof la, lat), g_ascii_dtostr (lo, sizeof lo, lon),
    timestamp_ms);
}

static void
score (Fixture    *fixture,
       const char *body,
       Reply      *reply)
{
  request (fixture, "POST", "/v1/score", body, strlen (body), reply);
  g_test_message ("%u %s", reply->status, reply->text);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_nonnull (reply->object);
}

static const char *
decision (Reply *reply)
{
  return json_object_get_string_member (reply->object, "decision");
}

static double
agent_field (Reply      *reply,
             const char *name,
             const char *field)
{
  JsonArray *agents = json_object_get_array_member (reply->object, "agents");

  for (guint i = 0; i < json_array_get_length (agents); i++) {
    JsonObject *agent = json_array_get_object_element (agents, i);

    if (g_strcmp0 (json_object_get_string_member (agent, "name"), name) == 0)
      return json_object_get_double_member (agent, field);
  }

  g_assert_not_reached ();
}

/* Checks the shape every answer has, whatever the decision. */
static void
assert_well_formed (Reply      *reply,
                    const char *id)
{
  const char *names[] = { "transaction_analyzer", "pattern_detector",
                          "geo_risk", "reasoning" };
  double risk = json_object_get_double_member (reply->object, "risk_score");

  g_assert_cmpstr (json_object_get_string_member (reply->object,
                                                  "transaction_id"), ==, id);
  g_assert_cmpfloat (risk, >=, 0);
  g_assert_cmpfloat (risk, <=, 1);
  g_assert_true (g_strv_contains ((const char *[]) { "approve", "review",
                                                     "decline", NULL },
                                  decision (reply)));
  g_assert_cmpuint (json_array_get_length (
    json_object_get_array_member (reply->object, "agents")), ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    double s = agent_field (reply, names[i], "score");

    g_assert_cmpfloat (s, >=, 0);
    g_assert_cmpfloat (s, <=, 1);
    g_assert_cmpfloat (agent_field (reply, names[i], "ms"), >=, 0);
  }

  g_assert_cmpfloat_with_epsilon (agent_field (reply, "reasoning", "score"),
                                  risk, 1e-9);
  g_assert_cmpuint (strlen (json_object_get_string_member (reply->object,
                                                           "explanation")),
                    >, 0);
}

static void
test_healthz (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(Reply) reply = { 0 };
  g_auto(Reply) post = { 0 };

  request (fixture, "GET", "/healthz", NULL, 0, &reply);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply.object, "status"),
                   ==, "ok");

  request (fixture, "POST", "/healthz", "{}", 2, &post);
  g_assert_cmpuint (post.status, ==, 405);
}

static void
test_fresh_card (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *body = transaction ("tx-1", "card-fresh", "42.50", "EUR",
                                       "FR", 48.85, 2.35, T0);
  g_auto(Reply) reply = { 0 };

  score (fixture, body, &reply);
  assert_well_formed (&reply, "tx-1");
  g_assert_cmpstr (decision (&reply), ==, "approve");
  g_assert_cmpfloat (json_object_get_double_member (reply.object,
                                                    "risk_score"), <, 0.5);
}

/* Eight one-dollar charges within 28 seconds. */
static void
test_card_testing (Fixture       *fixture,
                   gconstpointer  data)
{
  for (guint i = 1; i <= 8; i++) {
    g_autofree char *id = g_strdup_printf ("tx-ct-%u", i);
    g_autofree char *body = transaction (id, "card-probe", "1.00", "USD",
                                         "US", 40.71, -74.0,
                                         T0 + (i - 1) * 4000);
    g_auto(Reply) reply = { 0 };

    score (fixture, body, &reply);
    assert_well_formed (&reply, id);

    if (i == 1) {
      g_assert_cmpstr (decision (&reply), ==, "approve");
      g_assert_cmpfloat (agent_field (&reply, "pattern_detector", "score"),
                         ==, 0);
    }
    if (i >= 6)
      g_assert_cmpstr (decision (&reply), ==, "decline");
    if (i == 8) {
      g_assert_cmpfloat (agent_field (&reply, "pattern_detector", "score"),
                         >=, 0.9);
      g_assert_nonnull (strstr (json_object_get_string_member (
        reply.object, "explanation"), "card testing"));
    }
  }
}

/* Paris, then Tokyo (about 9,700 km) ten minutes later. */
static void
test_impossible_travel (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *paris = transaction ("tx-paris", "card-travel", "30.00",
                                        "EUR", "FR", 48.8566, 2.3522, T0);
  g_autofree char *tokyo = transaction ("tx-tokyo", "card-travel", "30.00",
                                        "EUR", "JP", 35.6762, 139.6503,
                                        T0 + 10 * 60000);
  g_auto(Reply) first = { 0 };
  g_auto(Reply) second = { 0 };

  score (fixture, paris, &first);
  g_assert_cmpstr (decision (&first), ==, "approve");
  g_assert_cmpfloat (agent_field (&first, "geo_risk", "score"), ==, 0);

  score (fixture, tokyo, &second);
  assert_well_formed (&second, "tx-tokyo");
  g_assert_cmpfloat (agent_field (&second, "geo_risk", "score"), >=, 0.9);
  g_assert_cmpstr (decision (&second), ==, "decline");
  g_assert_nonnull (strstr (json_object_get_string_member (second.object,
                                                           "explanation"),
                            "impossible travel"));
}

/* Ten purchases of 20–38 EUR an hour apart, then 4,000 EUR; the same
 * 4,000 EUR on a card with no history is only its absolute band. */
static void
test_huge_amount (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *huge = NULL;
  g_autofree char *fresh = NULL;
  g_auto(Reply) reply = { 0 };
  g_auto(Reply) fresh_reply = { 0 };

  for (guint i = 0; i < 10; i++) {
    g_autofree char *amount = g_strdup_printf ("%u.00", 20 + 2 * i);
    g_autofree char *body = transaction ("tx-h", "card-habit", amount, "EUR",
                                         "FR", 48.85, 2.35,
                                         T0 + i * 3600000);
    g_auto(Reply) usual = { 0 };

    score (fixture, body, &usual);
    g_assert_cmpstr (decision (&usual), ==, "approve");
  }

  huge = transaction ("tx-huge", "card-habit", "4000.00", "EUR", "FR", 48.85,
                      2.35, T0 + 10 * 3600000);
  score (fixture, huge, &reply);
  assert_well_formed (&reply, "tx-huge");
  g_assert_cmpfloat (agent_field (&reply, "transaction_analyzer", "score"),
                     >=, 0.9);
  g_assert_cmpstr (decision (&reply), ==, "decline");

  fresh = transaction ("tx-fresh", "card-new", "4000.00", "EUR", "FR", 48.85,
                       2.35, T0);
  score (fixture, fresh, &fresh_reply);
  g_assert_cmpfloat (agent_field (&fresh_reply, "transaction_analyzer",
                                  "score"), <, 0.7);
  g_assert_cmpstr (decision (&fresh_reply), !=, "decline");
}

static const struct {
  const char *body;
  const char *field;
} malformed[] = {
  { "not json", "JSON" },
  { "[1,2,3]", "object" },
  { "", "empty" },
  { "{\"id\":\"a\",\"merchant_id\":\"m\",\"mcc\":\"5411\",\"country\":\"FR\","
    "\"card_country\":\"FR\",\"amount\":\"1.00\",\"currency\":\"EUR\","
    "\"timestamp_ms\":1}", "card_id" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"abc\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "amount" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":12.34,"
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "amount" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"-5.00\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "negative" },
  { "{\"id\":\"a\",\"card_id\":7,\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "card_id" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"lat\":48.0,\"timestamp_ms\":1}", "lon" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"timestamp_ms\":\"now\"}", "timestamp_ms" },
};

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_auto(Reply) reply = { 0 };
    const char *message;

    request (fixture, "POST", "/v1/score", malformed[i].body,
             strlen (malformed[i].body), &reply);
    g_test_message ("%s → %u %s", malformed[i].body, reply.status,
                    reply.text);
    g_assert_cmpuint (reply.status, ==, 400);
    g_assert_nonnull (reply.object);
    message = json_object_get_string_member (reply.object, "error");
    g_assert_nonnull (strstr (message, malformed[i].field));
  }
}

static void
test_too_large (Fixture       *fixture,
                gconstpointer  data)
{
  gsize len = 70 * 1024;
  g_autofree char *body = g_malloc (len);
  g_auto(Reply) reply = { 0 };
  g_auto(Reply) health = { 0 };

  memset (body, ' ', len);
  body[0] = '{';
  body[len - 1] = '}';
  request (fixture, "POST", "/v1/score", body, len, &reply);
  g_assert_cmpuint (reply.status, ==, 413);
  g_assert_nonnull (reply.object);

  request (fixture, "GET", "/healthz", NULL, 0, &health);
  g_assert_cmpuint (health.status, ==, 200);
}

/* A body sent in chunks has no length up front: it is refused once it
 * grows past the limit. */
static void
test_too_large_chunked (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *head = "POST /v1/score HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n";
  char chunk[4096 + 16];
  char answer[64] = { 0 };
  GOutputStream *out;
  GInputStream *in;
  gsize len;

  connection = g_socket_client_connect_to_host (
    client, "127.0.0.1", stampede_platform_get_port (fixture->platform),
    NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  len = g_snprintf (chunk, sizeof chunk, "1000\r\n");
  memset (chunk + len, ' ', 4096);
  memcpy (chunk + len + 4096, "\r\n", 2);
  for (guint i = 0; i < 20 && error == NULL; i++)
    g_output_stream_write_all (out, chunk, len + 4098, NULL, NULL, &error);
  g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);

  g_input_stream_read_all (in, answer, sizeof answer - 1, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
}

static void
test_routes (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(Reply) get = { 0 };
  g_auto(Reply) missing = { 0 };

  request (fixture, "GET", "/v1/score", NULL, 0, &get);
  g_assert_cmpuint (get.status, ==, 405);
  g_assert_nonnull (get.object);

  request (fixture, "GET", "/v1/nothing", NULL, 0, &missing);
  g_assert_cmpuint (missing.status, ==, 404);
  g_assert_nonnull (missing.object);
}

/* Random bytes, and valid bodies with a few bytes changed: every answer is
 * 200 or 400 with a JSON body, and the server keeps answering. */
static void
test_fuzz (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20241204);
  g_autofree char *valid = transaction ("tx-f", "card-f", "12.34", "EUR",
                                        "FR", 48.85, 2.35, T0);
  gsize valid_len = strlen (valid);
  g_auto(Reply) health = { 0 };

  for (guint i = 0; i < 300; i++) {
    g_autofree char *body = NULL;
    g_auto(Reply) reply = { 0 };
    gsize len;

    if (i % 2 == 0) {
      len = g_rand_int_range (rand, 0, 512);
      body = g_malloc (len + 1);
      for (gsize j = 0; j < len; j++)
        body[j] = (char) g_rand_int_range (rand, 0, 256);
    } else {
      len = valid_len;
      body = g_strdup (valid);
      for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
        body[g_rand_int_range (rand, 0, len)] =
          (char) g_rand_int_range (rand, 0, 256);
    }

    request (fixture, "POST", "/v1/score", body, len, &reply);
    g_assert_true (reply.status == 200 || reply.status == 400);
    g_assert_nonnull (reply.object);
  }

  request (fixture, "GET", "/healthz", NULL, 0, &health);
  g_assert_cmpuint (health.status, ==, 200);
}

/* With a 20 ms mean, the answer is held at least as long as the agents'
 * reported times say (three side by side, then the reasoning agent). */
static void
test_latency (Fixture       *fixture,
              gconstpointer  data)
{
  const char *parallel[] = { "transaction_analyzer", "pattern_detector",
                             "geo_risk" };

  stampede_platform_set_agent_latency_ms (fixture->platform, 20);

  for (guint i = 0; i < 5; i++) {
    g_autofree char *body = transaction ("tx-l", "card-slow", "10.00", "EUR",
                                         "FR", 48.85, 2.35,
                                         T0 + i * 3600000);
    g_auto(Reply) reply = { 0 };
    gint64 start = g_get_monotonic_time ();
    double elapsed_ms, slowest = 0, reasoning;

    score (fixture, body, &reply);
    elapsed_ms = (g_get_monotonic_time () - start) / 1000.0;

    for (guint j = 0; j < G_N_ELEMENTS (parallel); j++) {
      double ms = agent_field (&reply, parallel[j], "ms");

      g_assert_cmpfloat (ms, >, 1);
      g_assert_cmpfloat (ms, <, 1000);
      slowest = MAX (slowest, ms);
    }
    reasoning = agent_field (&reply, "reasoning", "ms");
    g_assert_cmpfloat (reasoning, >, 1);
    g_assert_cmpfloat (elapsed_ms, >=, slowest + reasoning - 0.5);
  }

  stampede_platform_set_agent_latency_ms (fixture->platform, 0);
}

/* A client that gives up while its answer is held back. */
static void
test_client_gone (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = transaction ("tx-g", "card-gone", "10.00", "EUR",
                                       "FR", 48.85, 2.35, T0);
  g_autofree char *head = g_strdup_printf (
    "POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
    strlen (body));
  GOutputStream *out;
  g_auto(Reply) health = { 0 };

  stampede_platform_set_agent_latency_ms (fixture->platform, 200);

  connection = g_socket_client_connect_to_host (
    client, "127.0.0.1", stampede_platform_get_port (fixture->platform),
    NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_output_stream_write_all (out, body, strlen (body), NULL, NULL, &error);
  g_assert_no_error (error);
  g_usleep (50000);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_usleep (300000);

  stampede_platform_set_agent_latency_ms (fixture->platform, 0);
  request (fixture, "GET", "/healthz", NULL, 0, &health);
  g_assert_cmpuint (health.status, ==, 200);
}

/* 200 cards through a store of 32: it stays bounded and counts what it
 * dropped. */
static void
test_eviction (void)
{
  g_autoptr(StampedePlatform) platform = stampede_platform_new ();
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };
  StampedeCardStore *store;

  stampede_platform_set_card_capacity (platform, 32);
  g_assert_true (stampede_platform_start (platform, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fixture.platform = platform;
  fixture.base = stampede_platform_dup_url (platform);
  fixture.session = soup_session_new ();

  for (guint i = 0; i < 200; i++) {
    g_autofree char *card = g_strdup_printf ("card-%06u", i);
    g_autofree char *body = transaction ("tx-e", card, "5.00", "EUR", "FR",
                                         48.85, 2.35, T0 + i);
    g_auto(Reply) reply = { 0 };

    score (&fixture, body, &reply);
  }

  store = stampede_platform_get_card_store (platform);
  g_assert_cmpuint (stampede_card_store_get_size (store), <=, 32);
  g_assert_cmpuint (stampede_card_store_get_evictions (store), ==,
                    200 - stampede_card_store_get_size (store));

  g_clear_object (&fixture.session);
  g_free (fixture.base);
  stampede_platform_stop (platform);
  g_assert_finalize_object (g_steal_pointer (&platform));
}

static void
test_start_errors (void)
{
  g_autoptr(StampedePlatform) first = stampede_platform_new ();
  g_autoptr(StampedePlatform) second = stampede_platform_new ();
  g_autoptr(StampedePlatform) bad = stampede_platform_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  guint port;

  g_assert_null (stampede_platform_dup_url (first));
  g_assert_true (stampede_platform_start (first, "127.0.0.1", 0, &error));
  port = stampede_platform_get_port (first);
  g_assert_cmpuint (port, >, 0);
  url = stampede_platform_dup_url (first);
  expected = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_assert_cmpstr (url, ==, expected);

  g_assert_false (stampede_platform_start (second, "127.0.0.1", port,
                                           &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (stampede_platform_get_port (second), ==, 0);

  g_assert_false (stampede_platform_start (bad, "not-an-address", 0,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A stopped platform starts again. */
  stampede_platform_stop (first);
  g_assert_cmpuint (stampede_platform_get_port (first), ==, 0);
  g_assert_true (stampede_platform_start (first, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&bad));
}

static void
test_ipv6_url (void)
{
  g_autoptr(StampedePlatform) platform = stampede_platform_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;

  if (!stampede_platform_start (platform, "::1", 0, &error)) {
    g_autofree char *why = g_strdup_printf ("no IPv6 loopback here: %s",
                                            error->message);

    g_test_skip (why);
    return;
  }

  url = stampede_platform_dup_url (platform);
  expected = g_strdup_printf ("http://[::1]:%u",
                              stampede_platform_get_port (platform));
  g_assert_cmpstr (url, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/stampede/platform/" path, Fixture, NULL, fixture_set_up, \
              func, fixture_tear_down)
  ADD ("healthz", test_healthz);
  ADD ("fresh-card", test_fresh_card);
  ADD ("card-testing", test_card_testing);
  ADD ("impossible-travel", test_impossible_travel);
  ADD ("huge-amount", test_huge_amount);
  ADD ("malformed", test_malformed);
  ADD ("too-large", test_too_large);
  ADD ("too-large-chunked", test_too_large_chunked);
  ADD ("routes", test_routes);
  ADD ("fuzz", test_fuzz);
  ADD ("latency", test_latency);
  ADD ("client-gone", test_client_gone);
#undef ADD
  g_test_add_func ("/stampede/platform/eviction", test_eviction);
  g_test_add_func ("/stampede/platform/start-errors", test_start_errors);
  g_test_add_func ("/stampede/platform/ipv6-url", test_ipv6_url);

  return g_test_run ();
}
