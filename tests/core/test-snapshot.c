/* test-snapshot.c — snapshot JSON round trip and derived figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>

#include "stampede-snapshot.h"

static void
fill_latency (StampedeLatency *latency,
              double           base)
{
  latency->count = (guint64) (base * 1000) + 1;
  latency->mean = base + 0.1;
  latency->p50 = base + 0.2;
  latency->p95 = base * 3 + 1.0 / 3.0;
  latency->p99 = base * 7 + 0.123456789012345;
  latency->max = base * 100 + 1e-7;
}

/* A snapshot in which every field is non-zero and different, with values
 * that need all 17 digits of a double. */
static StampedeSnapshot *
make_full (void)
{
  StampedeSnapshot *s = stampede_snapshot_new ();

  s->state = STAMPEDE_RUN_STOPPING;
  s->elapsed_s = 12.345678901234567;
  s->duration_s = 60;
  s->target_rate = 5000.5;
  s->achieved_rate = 4999.25;
  s->completed_rate = 4987.0 / 3.0;
  s->arrivals = 61234;
  s->in_flight = 17;
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    s->outcomes[i] = 1000 * (i + 1) + i;
  fill_latency (&s->interval, 1.5);
  fill_latency (&s->run, 2.25);
  fill_latency (&s->service, 0.75);
  s->true_pos = 410;
  s->false_pos = 37;
  s->true_neg = 5012;
  s->false_neg = 93;
  s->fraud_value_blocked = 123456.789;
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    s->agent_mean_ms[i] = 0.1 * (i + 1) + 1e-9;
    s->agent_count[i] = 900 + i;
  }

  s->baseline_tp = 31;
  s->baseline_fp = 32;
  s->baseline_tn = 33;
  s->baseline_fn = 34;
  s->baseline_mean_us = 0.75;
  s->sample_represents = 12.5;
  s->n_samples = 3;
  for (guint i = 0; i < s->n_samples; i++) {
    s->samples[i].outcome = STAMPEDE_OUTCOME_DECLINED + i;
    s->samples[i].is_fraud = i % 2;
    s->samples[i].latency_ms = 1.5f * (i + 1);
    for (guint j = 0; j < 4; j++)
      s->samples[i].agent_ms[j] = 0.25f * (j + 1);
  }

  return s;
}

static char *
to_text (const StampedeSnapshot *s)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  stampede_snapshot_to_json (s, builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static void
assert_latency_equal (const StampedeLatency *a,
                      const StampedeLatency *b)
{
  g_assert_cmpuint (a->count, ==, b->count);
  g_assert_cmpfloat (a->mean, ==, b->mean);
  g_assert_cmpfloat (a->p50, ==, b->p50);
  g_assert_cmpfloat (a->p95, ==, b->p95);
  g_assert_cmpfloat (a->p99, ==, b->p99);
  g_assert_cmpfloat (a->max, ==, b->max);
}

static void
test_round_trip (void)
{
  g_autoptr(StampedeSnapshot) a = make_full ();
  g_autoptr(StampedeSnapshot) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = to_text (a);
  g_autofree char *again = NULL;

  /* Through text, as the snapshot travels over the control API. */
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  b = stampede_snapshot_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);

  g_assert_cmpint (b->state, ==, a->state);
  g_assert_cmpfloat (b->elapsed_s, ==, a->elapsed_s);
  g_assert_cmpfloat (b->duration_s, ==, a->duration_s);
  g_assert_cmpfloat (b->target_rate, ==, a->target_rate);
  g_assert_cmpfloat (b->achieved_rate, ==, a->achieved_rate);
  g_assert_cmpfloat (b->completed_rate, ==, a->completed_rate);
  g_assert_cmpuint (b->arrivals, ==, a->arrivals);
  g_assert_cmpuint (b->in_flight, ==, a->in_flight);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    g_assert_cmpuint (b->outcomes[i], ==, a->outcomes[i]);
  assert_latency_equal (&b->interval, &a->interval);
  assert_latency_equal (&b->run, &a->run);
  assert_latency_equal (&b->service, &a->service);
  g_assert_cmpuint (b->true_pos, ==, a->true_pos);
  g_assert_cmpuint (b->false_pos, ==, a->false_pos);
  g_assert_cmpuint (b->true_neg, ==, a->true_neg);
  g_assert_cmpuint (b->false_neg, ==, a->false_neg);
  g_assert_cmpfloat (b->fraud_value_blocked, ==, a->fraud_value_blocked);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_assert_cmpfloat (b->agent_mean_ms[i], ==, a->agent_mean_ms[i]);
    g_assert_cmpuint (b->agent_count[i], ==, a->agent_count[i]);
  }
  g_assert_cmpuint (b->baseline_tp, ==, 31);
  g_assert_cmpuint (b->baseline_fn, ==, 34);
  g_assert_cmpfloat (b->baseline_mean_us, ==, 0.75);
  g_assert_cmpfloat (b->sample_represents, ==, 12.5);
  g_assert_cmpuint (b->n_samples, ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpuint (b->samples[i].outcome, ==, a->samples[i].outcome);
    g_assert_cmpuint (b->samples[i].is_fraud, ==, a->samples[i].is_fraud);
    g_assert_cmpfloat (b->samples[i].latency_ms, ==, a->samples[i].latency_ms);
    g_assert_cmpfloat (b->samples[i].agent_ms[3], ==, 1.0f);
  }

  again = to_text (b);
  g_assert_cmpstr (again, ==, text);
}

static void
test_keys (void)
{
  g_autoptr(StampedeSnapshot) s = make_full ();
  g_autofree char *text = to_text (s);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *root = json_node_get_object (node);
  JsonObject *outcomes = json_object_get_object_member (root, "outcomes");
  JsonObject *agents = json_object_get_object_member (root, "agents");

  g_assert_cmpstr (json_object_get_string_member (root, "state"), ==,
                   "stopping");
  g_assert_cmpint (json_object_get_int_member (outcomes, "transport_error"),
                   ==, 4003);
  g_assert_cmpint (json_object_get_int_member (outcomes, "dropped"), ==, 6005);
  g_assert_true (json_object_has_member (agents, "transaction_analyzer"));
  g_assert_true (json_object_has_member (agents, "pattern_detector"));
  g_assert_true (json_object_has_member (agents, "geo_risk"));
  g_assert_true (json_object_has_member (agents, "reasoning"));
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (root, "confusion"), "fn"),
                   ==, 93);
}

/* Parses the full snapshot's JSON, lets @edit break it, and expects an
 * error whose message names @key. */
static void
assert_rejected (void (*edit) (JsonObject *root),
                 const char *key)
{
  g_autoptr(StampedeSnapshot) s = make_full ();
  g_autofree char *text = to_text (s);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  g_autoptr(StampedeSnapshot) read = NULL;
  g_autoptr(GError) error = NULL;

  edit (json_node_get_object (node));
  read = stampede_snapshot_new_from_json (node, &error);

  g_assert_null (read);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, key));
}

static void
arrivals_as_string (JsonObject *root)
{
  json_object_set_string_member (root, "arrivals", "61234");
}

static void
p99_as_string (JsonObject *root)
{
  JsonObject *latency = json_object_get_object_member (root, "latency_ms");

  json_object_set_string_member (json_object_get_object_member (latency,
                                                                "run"),
                                 "p99", "fast");
}

static void
negative_count (JsonObject *root)
{
  JsonObject *outcomes = json_object_get_object_member (root, "outcomes");

  json_object_set_int_member (outcomes, "timeout", -1);
}

static void
count_as_double (JsonObject *root)
{
  json_object_set_double_member (root, "in_flight", 1.5);
}

static void
outcomes_as_array (JsonObject *root)
{
  json_object_set_array_member (root, "outcomes", json_array_new ());
}

static void
unknown_state (JsonObject *root)
{
  json_object_set_string_member (root, "state", "exploded");
}

static void
no_confusion (JsonObject *root)
{
  json_object_remove_member (root, "confusion");
}

static void
no_agent_count (JsonObject *root)
{
  JsonObject *agents = json_object_get_object_member (root, "agents");

  json_object_remove_member (json_object_get_object_member (agents,
                                                            "geo_risk"),
                             "count");
}

static void
test_rejects (void)
{
  assert_rejected (arrivals_as_string, "arrivals");
  assert_rejected (p99_as_string, "latency_ms.run.p99");
  assert_rejected (negative_count, "outcomes.timeout");
  assert_rejected (count_as_double, "in_flight");
  assert_rejected (outcomes_as_array, "outcomes");
  assert_rejected (unknown_state, "state");
  assert_rejected (no_confusion, "confusion");
  assert_rejected (no_agent_count, "agents.geo_risk.count");
}

static void
test_rejects_non_object (void)
{
  g_autoptr(JsonNode) node = json_from_string ("[1, 2]", NULL);
  g_autoptr(GError) error = NULL;
  StampedeSnapshot *s = stampede_snapshot_new_from_json (node, &error);

  g_assert_null (s);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_derived_figures (void)
{
  g_autoptr(StampedeSnapshot) s = stampede_snapshot_new ();

  /* Nothing answered yet: every ratio is 0, not NaN. */
  g_assert_cmpfloat (stampede_snapshot_accuracy (s), ==, 0);
  g_assert_cmpfloat (stampede_snapshot_precision (s), ==, 0);
  g_assert_cmpfloat (stampede_snapshot_recall (s), ==, 0);

  /* 1000 answers: 60 fraud, of which 40 declined; 10 false alarms. */
  s->true_pos = 40;
  s->false_neg = 20;
  s->false_pos = 10;
  s->true_neg = 930;
  g_assert_cmpfloat_with_epsilon (stampede_snapshot_accuracy (s), 0.97, 1e-12);
  g_assert_cmpfloat_with_epsilon (stampede_snapshot_precision (s), 0.8, 1e-12);
  g_assert_cmpfloat_with_epsilon (stampede_snapshot_recall (s), 2.0 / 3.0,
                                  1e-12);

  s->outcomes[STAMPEDE_OUTCOME_OK] = 950;
  s->outcomes[STAMPEDE_OUTCOME_DECLINED] = 50;
  s->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR] = 3;
  s->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR] = 4;
  s->outcomes[STAMPEDE_OUTCOME_TIMEOUT] = 5;
  s->outcomes[STAMPEDE_OUTCOME_DROPPED] = 100;
  g_assert_cmpuint (stampede_snapshot_answered (s), ==, 1000);
  g_assert_cmpuint (stampede_snapshot_errors (s), ==, 12);
}

static void
test_boxed (void)
{
  StampedeSnapshot *s = stampede_snapshot_new ();
  StampedeSnapshot *copy = g_boxed_copy (STAMPEDE_TYPE_SNAPSHOT, s);

  /* Immutable, so a copy is a new reference to the same snapshot. */
  g_assert_true (copy == s);
  g_boxed_free (STAMPEDE_TYPE_SNAPSHOT, copy);
  stampede_snapshot_unref (s);

  g_assert_cmpstr (stampede_outcome_to_string (STAMPEDE_OUTCOME_HTTP_ERROR),
                   ==, "http_error");
  g_assert_cmpstr (stampede_run_state_to_string (STAMPEDE_RUN_FINISHED), ==,
                   "finished");
  g_assert_cmpstr (stampede_agent_to_string (STAMPEDE_AGENT_GEO), ==,
                   "geo_risk");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/snapshot/round-trip", test_round_trip);
  g_test_add_func ("/stampede/snapshot/keys", test_keys);
  g_test_add_func ("/stampede/snapshot/rejects", test_rejects);
  g_test_add_func ("/stampede/snapshot/rejects-non-object",
                   test_rejects_non_object);
  g_test_add_func ("/stampede/snapshot/derived-figures", test_derived_figures);
  g_test_add_func ("/stampede/snapshot/boxed", test_boxed);

  return g_test_run ();
}
