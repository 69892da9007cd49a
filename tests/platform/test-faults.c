/* test-faults.c — the platform's fault table: validation, combination and
 * expiry, on a synthetic clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "stampede-faults.h"

#define S(x) ((gint64) ((x) * (double) G_USEC_PER_SEC))

static JsonObject *
object_from (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_object_ref (json_node_get_object (node));
}

static guint
add (StampedeFaults  *faults,
     gint64           now_us,
     const char      *kind,
     const char      *json,
     GError         **error)
{
  g_autoptr(JsonObject) params = object_from (json);

  return stampede_faults_add (faults, now_us, kind, params, error);
}

/* Each bad request is refused with a message naming the key at fault. */
static void
test_validation (void)
{
  static const struct {
    const char *kind;
    const char *json;
    const char *says;
  } bad[] = {
    { "meteor", "{\"duration_s\":1}", "unknown fault kind" },
    { "partition", "{\"duration_s\":-5}", "duration_s: -5 is negative" },
    { "partition", "{}", "duration_s: required" },
    { "partition", "{\"duration_s\":\"10\"}", "duration_s: a number" },
    { "partition", "{\"duration_s\":1e9}", "duration_s" },
    { "agent_crash", "{\"duration_s\":1}", "agent: required" },
    { "agent_crash", "{\"duration_s\":1,\"agent\":\"oracle\"}",
      "agent: unknown agent “oracle”" },
    { "agent_crash", "{\"duration_s\":1,\"agent\":7}", "agent: a string" },
    { "store_throttle", "{\"duration_s\":1,\"magnitude\":1.5}",
      "magnitude: 1.5 is out of range" },
    { "store_throttle", "{\"duration_s\":1,\"magnitude\":-0.1}",
      "magnitude" },
    { "ingestion_lag", "{\"duration_s\":1}", "magnitude: required" },
    { "latency_spike", "{\"duration_s\":1,\"magnitude\":-3}", "magnitude" },
    { "latency_spike", "{\"duration_s\":1,\"magnitude\":100,"
      "\"agent\":\"nobody\"}", "agent" },
    { "rate_limit", "{\"duration_s\":1,\"retry_after_s\":-1}",
      "retry_after_s" },
    { "partition", "{\"duration_s\":1,\"mode\":\"explode\"}", "mode" },
    { "partition", "{\"duration_s\":1,\"agent\":\"geo_risk\"}",
      "unknown key “agent” for a partition fault" },
    { "store_throttle", "{\"duration_s\":1,\"at_s\":3}", "unknown key" },
    { "rate_limit", "{\"duration_s\":1,\"kind\":\"partition\"}", "kind" },
  };
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  StampedeFaultEffects effects;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (add (faults, 0, bad[i].kind, bad[i].json, &error), ==,
                      0);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_test_message ("%s %s → %s", bad[i].kind, bad[i].json, error->message);
    g_assert_nonnull (strstr (error->message, bad[i].says));
  }

  stampede_faults_get_effects (faults, 0, &effects);
  for (guint i = 0; i < STAMPEDE_FAULT_N_KINDS; i++)
    g_assert_false (effects.active[i]);
}

/* Shares default to 1 and Retry-After to 1 s, as docs/scenarios.md says;
 * the "hang" spelling of a silent partition is accepted. */
static void
test_defaults (void)
{
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  StampedeFaultEffects effects;
  g_autoptr(GError) error = NULL;

  add (faults, 0, "agent_crash", "{\"duration_s\":10,\"agent\":\"geo_risk\"}",
       &error);
  add (faults, 0, "rate_limit", "{\"duration_s\":10}", &error);
  add (faults, 0, "partition", "{\"duration_s\":10,\"mode\":\"hang\"}",
       &error);
  add (faults, 0, "store_throttle", "{\"duration_s\":10}", &error);
  g_assert_no_error (error);

  stampede_faults_get_effects (faults, S (1), &effects);
  g_assert_cmpfloat (effects.crash[STAMPEDE_PLATFORM_GEO], ==, 1);
  g_assert_cmpfloat (effects.crash[STAMPEDE_PLATFORM_ANALYZER], ==, 0);
  g_assert_cmpfloat (effects.rate_limit, ==, 1);
  g_assert_cmpfloat (effects.retry_after_s, ==, 1);
  g_assert_cmpfloat (effects.silent, ==, 1);
  g_assert_cmpfloat (effects.reset, ==, 0);
  g_assert_cmpfloat (effects.throttle, ==, 1);
  g_assert_true (effects.active[STAMPEDE_FAULT_PARTITION]);
  g_assert_false (effects.active[STAMPEDE_FAULT_INGESTION_LAG]);
}

/* Delays add up, shares take the largest; a spike on one agent touches
 * only that agent. */
static void
test_combine (void)
{
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  StampedeFaultEffects effects;
  g_autoptr(GError) error = NULL;

  add (faults, 0, "latency_spike", "{\"duration_s\":10,\"magnitude\":100}",
       &error);
  add (faults, 0, "latency_spike",
       "{\"duration_s\":10,\"magnitude\":50,\"agent\":\"reasoning\"}", &error);
  add (faults, 0, "ingestion_lag", "{\"duration_s\":10,\"magnitude\":20}",
       &error);
  add (faults, 0, "ingestion_lag", "{\"duration_s\":10,\"magnitude\":30}",
       &error);
  add (faults, 0, "store_throttle", "{\"duration_s\":10,\"magnitude\":0.2}",
       &error);
  add (faults, 0, "store_throttle", "{\"duration_s\":10,\"magnitude\":0.7}",
       &error);
  add (faults, 0, "partition",
       "{\"duration_s\":10,\"magnitude\":0.25,\"mode\":\"reset\"}", &error);
  g_assert_no_error (error);

  stampede_faults_get_effects (faults, S (1), &effects);
  g_assert_cmpfloat (effects.spike_ms[STAMPEDE_PLATFORM_ANALYZER], ==, 100);
  g_assert_cmpfloat (effects.spike_ms[STAMPEDE_PLATFORM_REASONING], ==, 150);
  g_assert_cmpfloat (effects.lag_ms, ==, 50);
  g_assert_cmpfloat (effects.throttle, ==, 0.7);
  g_assert_cmpfloat (effects.reset, ==, 0.25);
  g_assert_cmpfloat (effects.silent, ==, 0);
}

/* A fault ends at its start plus its duration; 0 lasts until cleared. */
static void
test_expiry (void)
{
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  StampedeFaultEffects effects;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  guint timed, lasting;

  timed = add (faults, S (10), "rate_limit",
               "{\"duration_s\":2.5,\"magnitude\":0.5}", &error);
  lasting = add (faults, S (10), "ingestion_lag",
                 "{\"duration_s\":0,\"magnitude\":5}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (timed, >, 0);
  g_assert_cmpuint (lasting, >, timed);

  stampede_faults_get_effects (faults, S (12.49), &effects);
  g_assert_true (effects.active[STAMPEDE_FAULT_RATE_LIMIT]);

  g_assert_cmpuint (stampede_faults_expire (faults, S (12.5)), ==, 1);
  stampede_faults_get_effects (faults, S (12.5), &effects);
  g_assert_false (effects.active[STAMPEDE_FAULT_RATE_LIMIT]);
  g_assert_true (effects.active[STAMPEDE_FAULT_INGESTION_LAG]);

  stampede_faults_get_effects (faults, S (100000), &effects);
  g_assert_true (effects.active[STAMPEDE_FAULT_INGESTION_LAG]);

  list = stampede_faults_to_json (faults, S (100000), 0);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==,
                    1);
}

static void
test_remove_and_clear (void)
{
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  g_autoptr(GError) error = NULL;
  guint a, b;

  a = add (faults, 0, "partition", "{\"duration_s\":5}", &error);
  b = add (faults, 0, "partition", "{\"duration_s\":5}", &error);
  add (faults, 0, "partition", "{\"duration_s\":5}", &error);
  g_assert_no_error (error);

  g_assert_true (stampede_faults_remove (faults, a));
  g_assert_false (stampede_faults_remove (faults, a));
  g_assert_null (stampede_faults_to_json (faults, 0, a));
  g_assert_nonnull (stampede_faults_to_json (faults, 0, b));
  g_assert_cmpuint (stampede_faults_clear (faults), ==, 2);
  g_assert_cmpuint (stampede_faults_clear (faults), ==, 0);
}

/* The description carries what was asked and when it ends. */
static void
test_to_json (void)
{
  g_autoptr(StampedeFaults) faults = stampede_faults_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  guint id;

  id = add (faults, S (1), "latency_spike",
            "{\"duration_s\":20,\"magnitude\":250,\"agent\":\"geo_risk\"}",
            &error);
  g_assert_no_error (error);

  node = stampede_faults_to_json (faults, S (6), id);
  object = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==,
                   "latency_spike");
  g_assert_cmpfloat (json_object_get_double_member (object, "magnitude"), ==,
                     250);
  g_assert_cmpstr (json_object_get_string_member (object, "agent"), ==,
                   "geo_risk");
  g_assert_cmpint (json_object_get_int_member (object, "ends_at_ms")
                   - json_object_get_int_member (object, "started_at_ms"),
                   ==, 20000);
  g_assert_cmpfloat_with_epsilon (
    json_object_get_double_member (object, "remaining_s"), 15, 1e-9);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/faults/validation", test_validation);
  g_test_add_func ("/stampede/faults/defaults", test_defaults);
  g_test_add_func ("/stampede/faults/combine", test_combine);
  g_test_add_func ("/stampede/faults/expiry", test_expiry);
  g_test_add_func ("/stampede/faults/remove-and-clear",
                   test_remove_and_clear);
  g_test_add_func ("/stampede/faults/to-json", test_to_json);

  return g_test_run ();
}
