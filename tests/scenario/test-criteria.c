/* test-criteria.c — success criteria evaluated against run summaries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-criteria.h"

/* A summary with every figure set; the expected metrics below are worked
 * out by hand from these numbers. */
static const char full_summary[] =
  "{\"arrivals\": 1000, \"duration_s\": 10,"
  " \"target_rate\": 100, \"achieved_rate\": 98,"
  " \"outcomes\": {\"ok\": 900, \"declined\": 50, \"http_error\": 20,"
  "  \"transport_error\": 10, \"timeout\": 5, \"dropped\": 15},"
  " \"latency_ms\": {\"count\": 970, \"mean\": 12.5, \"p50\": 10,"
  "  \"p95\": 40, \"p99\": 80, \"max\": 95},"
  " \"service_latency_ms\": {\"count\": 970, \"mean\": 9, \"p50\": 8,"
  "  \"p95\": 30, \"p99\": 60, \"max\": 70},"
  " \"accuracy\": {\"accuracy\": 0.9, \"precision\": 0.8,"
  "  \"recall\": 0.32, \"tp\": 40, \"fp\": 10, \"tn\": 815, \"fn\": 85}}";

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static StampedeCriteriaResult *
evaluate_one (StampedeMetric metric,
              StampedeOp     op,
              double         value,
              const char    *summary,
              double         usd_per_hour)
{
  StampedeCriterion criterion = { metric, op, value };
  g_autoptr(JsonNode) node = parse (summary);

  return stampede_criteria_evaluate (&criterion, 1, node, usd_per_hour);
}

static void
test_names (void)
{
  g_autofree char *list = stampede_metric_list_names ();
  StampedeMetric metric;
  StampedeOp op;

  for (guint i = 0; i < STAMPEDE_N_METRICS; i++) {
    const char *name = stampede_metric_to_string (i);

    g_assert_true (stampede_metric_from_string (name, &metric));
    g_assert_cmpint (metric, ==, i);
    g_assert_nonnull (strstr (list, name));
  }
  g_assert_cmpstr (list, ==,
                   "avg_ms, p50_ms, p95_ms, p99_ms, service_p99_ms, "
                   "error_rate, availability, data_loss, dropped_share, "
                   "accuracy, precision, recall, cost_per_tx_usd, "
                   "achieved_ratio");
  g_assert_false (stampede_metric_from_string ("p42_ms", &metric));

  for (guint i = 0; i < STAMPEDE_N_OPS; i++) {
    g_assert_true (stampede_op_from_string (stampede_op_to_string (i), &op));
    g_assert_cmpint (op, ==, i);
  }
  g_assert_false (stampede_op_from_string ("=", &op));
  g_assert_false (stampede_op_from_string ("=<", &op));
}

static void
test_ops (void)
{
  static const struct {
    StampedeOp op;
    double     value;
    gboolean   passed;
  } cases[] = {
    { STAMPEDE_OP_LT, 81, TRUE },
    { STAMPEDE_OP_LT, 80, FALSE },
    { STAMPEDE_OP_LE, 80, TRUE },
    { STAMPEDE_OP_LE, 79.9, FALSE },
    { STAMPEDE_OP_GT, 79.9, TRUE },
    { STAMPEDE_OP_GT, 80, FALSE },
    { STAMPEDE_OP_GE, 80, TRUE },
    { STAMPEDE_OP_GE, 80.1, FALSE },
    { STAMPEDE_OP_EQ, 80, TRUE },
    { STAMPEDE_OP_EQ, 80.5, FALSE },
  };

  /* p99_ms is 80 in the summary. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeCriteriaResult) result = NULL;

    result = evaluate_one (STAMPEDE_METRIC_P99_MS, cases[i].op,
                           cases[i].value, full_summary, -1);
    g_assert_cmpuint (result->n_results, ==, 1);
    g_assert_true (result->results[0].computable);
    g_assert_cmpfloat (result->results[0].actual, ==, 80);
    g_assert_cmpint (result->results[0].passed, ==, cases[i].passed);
    g_assert_cmpint (result->passed, ==, cases[i].passed);
    g_assert_null (result->results[0].reason);
  }
}

static void
test_metrics (void)
{
  static const struct {
    StampedeMetric metric;
    double         expected;
  } cases[] = {
    { STAMPEDE_METRIC_AVG_MS, 12.5 },
    { STAMPEDE_METRIC_P50_MS, 10 },
    { STAMPEDE_METRIC_P95_MS, 40 },
    { STAMPEDE_METRIC_P99_MS, 80 },
    { STAMPEDE_METRIC_SERVICE_P99_MS, 60 },
    /* (20 + 10 + 5) / 1000 */
    { STAMPEDE_METRIC_ERROR_RATE, 0.035 },
    /* (900 + 50) / (1000 − 15) */
    { STAMPEDE_METRIC_AVAILABILITY, 950.0 / 985.0 },
    /* 1000 − (900 + 50 + 20 + 10 + 5 + 15) */
    { STAMPEDE_METRIC_DATA_LOSS, 0 },
    { STAMPEDE_METRIC_DROPPED_SHARE, 0.015 },
    { STAMPEDE_METRIC_ACCURACY, 0.9 },
    { STAMPEDE_METRIC_PRECISION, 0.8 },
    { STAMPEDE_METRIC_RECALL, 0.32 },
    /* 36 USD/h × 10 s / 3600 s/h / 950 answered */
    { STAMPEDE_METRIC_COST_PER_TX_USD, 0.1 / 950 },
    /* 98 / 100 */
    { STAMPEDE_METRIC_ACHIEVED_RATIO, 0.98 },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (cases) == STAMPEDE_N_METRICS);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeCriteriaResult) pass = NULL;
    g_autoptr(StampedeCriteriaResult) fail = NULL;
    double expected = cases[i].expected;

    pass = evaluate_one (cases[i].metric, STAMPEDE_OP_LE, expected + 1e-12,
                         full_summary, 36);
    g_assert_true (pass->results[0].computable);
    g_assert_cmpfloat_with_epsilon (pass->results[0].actual, expected,
                                    1e-12);
    g_assert_true (pass->passed);

    fail = evaluate_one (cases[i].metric, STAMPEDE_OP_LT, expected - 1e-9,
                         full_summary, 36);
    g_assert_false (fail->passed);
  }
}

static void
test_data_loss (void)
{
  g_autoptr(StampedeCriteriaResult) result = NULL;

  /* 1000 arrivals, 990 outcomes: ten transactions unaccounted for. */
  result = evaluate_one (STAMPEDE_METRIC_DATA_LOSS, STAMPEDE_OP_EQ, 0,
                         "{\"arrivals\": 1000, \"outcomes\": {\"ok\": 900,"
                         " \"declined\": 50, \"http_error\": 20,"
                         " \"transport_error\": 10, \"timeout\": 5,"
                         " \"dropped\": 5}}", -1);
  g_assert_true (result->results[0].computable);
  g_assert_cmpfloat (result->results[0].actual, ==, 10);
  g_assert_false (result->passed);
}

static void
test_not_computable (void)
{
  static const char no_answers[] =
    "{\"arrivals\": 10, \"duration_s\": 1, \"target_rate\": 0,"
    " \"achieved_rate\": 0,"
    " \"outcomes\": {\"ok\": 0, \"declined\": 0, \"http_error\": 0,"
    "  \"transport_error\": 0, \"timeout\": 0, \"dropped\": 10},"
    " \"latency_ms\": {\"count\": 0, \"mean\": 0, \"p50\": 0, \"p95\": 0,"
    "  \"p99\": 0, \"max\": 0},"
    " \"service_latency_ms\": {\"count\": 0, \"mean\": 0, \"p50\": 0,"
    "  \"p95\": 0, \"p99\": 0, \"max\": 0},"
    " \"accuracy\": {\"accuracy\": 0, \"precision\": 0, \"recall\": 0,"
    "  \"tp\": 0, \"fp\": 0, \"tn\": 0, \"fn\": 0}}";
  static const StampedeMetric uncomputable[] = {
    STAMPEDE_METRIC_P99_MS,
    STAMPEDE_METRIC_AVAILABILITY,
    STAMPEDE_METRIC_ACCURACY,
    STAMPEDE_METRIC_PRECISION,
    STAMPEDE_METRIC_RECALL,
    STAMPEDE_METRIC_COST_PER_TX_USD,
    STAMPEDE_METRIC_ACHIEVED_RATIO,
  };
  g_autoptr(StampedeCriteriaResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (uncomputable); i++) {
    g_autoptr(StampedeCriteriaResult) one = NULL;

    /* ">= 0" would pass for any number: failing shows it was not one. */
    one = evaluate_one (uncomputable[i], STAMPEDE_OP_GE, 0, no_answers, 1);
    g_assert_false (one->results[0].computable);
    g_assert_false (one->results[0].passed);
    g_assert_nonnull (one->results[0].reason);
    g_assert_false (one->passed);
  }

  /* The same summary still gives the counts that are defined. */
  result = evaluate_one (STAMPEDE_METRIC_DROPPED_SHARE, STAMPEDE_OP_EQ, 1,
                         no_answers, -1);
  g_assert_true (result->passed);
  g_clear_pointer (&result, stampede_criteria_result_free);

  /* No cost model. */
  result = evaluate_one (STAMPEDE_METRIC_COST_PER_TX_USD, STAMPEDE_OP_LT, 1,
                         full_summary, -1);
  g_assert_false (result->results[0].computable);
  g_assert_cmpstr (result->results[0].reason, ==,
                   "the scenario has no cost model");
  g_clear_pointer (&result, stampede_criteria_result_free);

  /* A figure missing from the summary is named. */
  result = evaluate_one (STAMPEDE_METRIC_SERVICE_P99_MS, STAMPEDE_OP_LT, 1,
                         "{\"arrivals\": 1, \"outcomes\": {\"ok\": 1,"
                         " \"declined\": 0, \"http_error\": 0,"
                         " \"transport_error\": 0, \"timeout\": 0,"
                         " \"dropped\": 0}}", -1);
  g_assert_false (result->results[0].computable);
  g_assert_cmpstr (result->results[0].reason, ==,
                   "the summary has no number “service_latency_ms.p99”");
}

/* Every transaction timed out: outcomes were completed, but none was
 * timed, so the latency object counts none and its zero percentiles must
 * not pass "< 100". */
static void
test_latency_untimed (void)
{
  static const char timed_out[] =
    "{\"arrivals\": 50, \"duration_s\": 5, \"target_rate\": 10,"
    " \"achieved_rate\": 10,"
    " \"outcomes\": {\"ok\": 0, \"declined\": 0, \"http_error\": 0,"
    "  \"transport_error\": 0, \"timeout\": 50, \"dropped\": 0},"
    " \"latency_ms\": {\"count\": 0, \"mean\": 0, \"p50\": 0, \"p95\": 0,"
    "  \"p99\": 0, \"max\": 0},"
    " \"service_latency_ms\": {\"count\": 0, \"mean\": 0, \"p50\": 0,"
    "  \"p95\": 0, \"p99\": 0, \"max\": 0}}";
  static const char no_count[] =
    "{\"arrivals\": 5, \"outcomes\": {\"ok\": 5, \"declined\": 0,"
    " \"http_error\": 0, \"transport_error\": 0, \"timeout\": 0,"
    " \"dropped\": 0},"
    " \"latency_ms\": {\"mean\": 3, \"p50\": 3, \"p95\": 3, \"p99\": 3,"
    "  \"max\": 3}}";
  static const StampedeMetric latencies[] = {
    STAMPEDE_METRIC_AVG_MS,
    STAMPEDE_METRIC_P50_MS,
    STAMPEDE_METRIC_P95_MS,
    STAMPEDE_METRIC_P99_MS,
    STAMPEDE_METRIC_SERVICE_P99_MS,
  };
  g_autoptr(StampedeCriteriaResult) result = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (latencies); i++) {
    g_autoptr(StampedeCriteriaResult) one = NULL;

    one = evaluate_one (latencies[i], STAMPEDE_OP_LT, 100, timed_out, -1);
    g_assert_false (one->results[0].computable);
    g_assert_false (one->results[0].passed);
    g_assert_cmpstr (one->results[0].reason, ==,
                     "no transaction was timed, so there is no latency");
    g_assert_false (one->passed);
  }

  /* The error rate of the same run is defined: 50 timeouts of 50. */
  result = evaluate_one (STAMPEDE_METRIC_ERROR_RATE, STAMPEDE_OP_EQ, 1,
                         timed_out, -1);
  g_assert_true (result->passed);
  g_clear_pointer (&result, stampede_criteria_result_free);

  /* A latency object without a count is not trusted either. */
  result = evaluate_one (STAMPEDE_METRIC_P99_MS, STAMPEDE_OP_LT, 100,
                         no_count, -1);
  g_assert_false (result->results[0].computable);
  g_assert_false (result->passed);
  g_assert_cmpstr (result->results[0].reason, ==,
                   "the summary has no number “latency_ms.count”");
}

/* No arrivals at a nonzero target: the achieved rate is 0, and 0 / 10
 * would be a number, but nothing was offered to achieve. */
static void
test_achieved_no_arrivals (void)
{
  static const char no_arrivals[] =
    "{\"arrivals\": 0, \"target_rate\": 10, \"achieved_rate\": 0}";
  static const char no_target[] =
    "{\"arrivals\": 4, \"target_rate\": 0, \"achieved_rate\": 2}";
  g_autoptr(StampedeCriteriaResult) result = NULL;

  result = evaluate_one (STAMPEDE_METRIC_ACHIEVED_RATIO, STAMPEDE_OP_LE, 1,
                         no_arrivals, -1);
  g_assert_false (result->results[0].computable);
  g_assert_false (result->passed);
  g_assert_cmpstr (result->results[0].reason, ==, "there were no arrivals");
  g_clear_pointer (&result, stampede_criteria_result_free);

  result = evaluate_one (STAMPEDE_METRIC_ACHIEVED_RATIO, STAMPEDE_OP_GE, 0,
                         no_target, -1);
  g_assert_false (result->results[0].computable);
  g_assert_false (result->passed);
  g_assert_cmpstr (result->results[0].reason, ==, "the target rate is 0");
}

static void
test_to_json (void)
{
  StampedeCriterion criteria[] = {
    { STAMPEDE_METRIC_P99_MS, STAMPEDE_OP_LE, 200 },
    { STAMPEDE_METRIC_COST_PER_TX_USD, STAMPEDE_OP_LT, 0.05 },
  };
  g_autoptr(StampedeCriteriaResult) result = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) summary = parse (full_summary);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *array;
  JsonObject *first;
  JsonObject *second;

  result = stampede_criteria_evaluate (criteria, G_N_ELEMENTS (criteria),
                                       summary, -1);

  json_builder_begin_object (builder);
  stampede_criteria_result_to_json (result, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  object = json_node_get_object (root);
  g_assert_false (json_object_get_boolean_member (object, "passed"));
  array = json_object_get_array_member (object, "criteria");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  first = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "metric"), ==,
                   "p99_ms");
  g_assert_cmpstr (json_object_get_string_member (first, "op"), ==, "<=");
  g_assert_cmpfloat (json_object_get_double_member (first, "threshold"), ==,
                     200);
  g_assert_cmpfloat (json_object_get_double_member (first, "actual"), ==,
                     80);
  g_assert_true (json_object_get_boolean_member (first, "passed"));
  g_assert_false (json_object_has_member (first, "reason"));

  second = json_array_get_object_element (array, 1);
  g_assert_true (json_object_get_null_member (second, "actual"));
  g_assert_false (json_object_get_boolean_member (second, "passed"));
  g_assert_cmpstr (json_object_get_string_member (second, "reason"), ==,
                   "the scenario has no cost model");
}

static void
test_empty (void)
{
  g_autoptr(JsonNode) summary = parse (full_summary);
  g_autoptr(StampedeCriteriaResult) result = NULL;

  result = stampede_criteria_evaluate (NULL, 0, summary, -1);
  g_assert_cmpuint (result->n_results, ==, 0);
  g_assert_true (result->passed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/criteria/names", test_names);
  g_test_add_func ("/stampede/criteria/ops", test_ops);
  g_test_add_func ("/stampede/criteria/metrics", test_metrics);
  g_test_add_func ("/stampede/criteria/data-loss", test_data_loss);
  g_test_add_func ("/stampede/criteria/not-computable",
                   test_not_computable);
  g_test_add_func ("/stampede/criteria/latency-untimed",
                   test_latency_untimed);
  g_test_add_func ("/stampede/criteria/achieved-no-arrivals",
                   test_achieved_no_arrivals);
  g_test_add_func ("/stampede/criteria/to-json", test_to_json);
  g_test_add_func ("/stampede/criteria/empty", test_empty);

  return g_test_run ();
}
