/* test-recovery.c — measured recovery from hand-built per-second series
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-recovery.h"

/* A healthy second: 100 arrivals, all answered, 97 of them rightly. */
static StampedeSecond
clean_second (guint i)
{
  StampedeSecond s = {
    .t_s = i + 1,
    .target_rate = 100,
    .sent = 100,
    .p50_ms = 4,
    .p95_ms = 8,
    .p99_ms = 10 + i % 3,
    .max_ms = 20,
    .service_p99_ms = 10,
    .tp = 9,
    .fp = 1,
    .tn = 88,
    .fn = 2,
  };

  s.outcomes[STAMPEDE_OUTCOME_OK] = 90;
  s.outcomes[STAMPEDE_OUTCOME_DECLINED] = 10;

  return s;
}

/* A failing second: of 100 arrivals 3 dropped, 20 answered 5xx, 5 timed
 * out; of the 72 answers 68 were right. */
static void
make_failing (StampedeSecond *s)
{
  s->sent = 97;
  s->outcomes[STAMPEDE_OUTCOME_OK] = 62;
  s->outcomes[STAMPEDE_OUTCOME_DECLINED] = 10;
  s->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR] = 20;
  s->outcomes[STAMPEDE_OUTCOME_TIMEOUT] = 5;
  s->outcomes[STAMPEDE_OUTCOME_DROPPED] = 3;
  s->tp = 8;
  s->fp = 2;
  s->tn = 60;
  s->fn = 2;
}

static GArray *
clean_series (guint n)
{
  GArray *series = g_array_new (FALSE, TRUE, sizeof (StampedeSecond));

  for (guint i = 0; i < n; i++) {
    StampedeSecond s = clean_second (i);

    g_array_append_val (series, s);
  }

  return series;
}

/* Rows whose t_s is in [from, to] fail. */
static void
fail_seconds (GArray *series,
              guint   from,
              guint   to)
{
  for (guint t = from; t <= to; t++)
    make_failing (&g_array_index (series, StampedeSecond, t - 1));
}

static GArray *
one_window (StampedeFaultKind kind,
            double            started_s,
            double            ended_s)
{
  GArray *windows = stampede_fault_windows_new ();
  StampedeFaultWindow w = {
    .kind = kind,
    .started_s = started_s,
    .ended_s = ended_s,
  };

  g_array_append_val (windows, w);

  return windows;
}

static void
test_clean (void)
{
  g_autoptr(GArray) series = clean_series (30);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_AGENT_CRASH, 10, 20);
  g_autoptr(StampedeRecovery) r = NULL;
  const StampedeFaultImpact *f;

  r = stampede_recovery_analyse (series, windows, NULL);

  g_assert_cmpuint (r->n_impacts, ==, 1);
  f = &r->impacts[0];
  g_assert_cmpint (f->kind, ==, STAMPEDE_FAULT_AGENT_CRASH);
  g_assert_cmpfloat (f->started_s, ==, 10);
  g_assert_cmpfloat (f->ended_s, ==, 20);
  g_assert_true (isnan (f->degraded_s));
  g_assert_true (isnan (f->recovered_s));
  g_assert_true (isnan (f->recovery_time_s));
  g_assert_cmpuint (f->errors, ==, 0);
  g_assert_cmpuint (f->timeouts, ==, 0);
  g_assert_cmpuint (f->lost, ==, 0);
  /* Rows 11..20, 100 answers each, 97 right. */
  g_assert_cmpuint (f->answered, ==, 1000);
  g_assert_cmpfloat_with_epsilon (f->accuracy, 0.97, 1e-12);
  g_assert_null (f->error);

  g_assert_cmpuint (r->arrivals, ==, 3000);
  g_assert_cmpuint (r->outcomes, ==, 3000);
  g_assert_true (r->accounted);
  g_assert_cmpfloat (r->error_rate, ==, 0.01);
}

static void
test_errors_then_recovery (void)
{
  g_autoptr(GArray) series = clean_series (40);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_PARTITION, 8, 20);
  g_autoptr(StampedeRecovery) r = NULL;
  const StampedeFaultImpact *f;

  fail_seconds (series, 10, 24);
  r = stampede_recovery_analyse (series, windows, NULL);
  f = &r->impacts[0];

  g_assert_cmpfloat (f->degraded_s, ==, 10);
  /* Rows 25, 26 and 27 are healthy: recovered from the first of them. */
  g_assert_cmpfloat (f->recovered_s, ==, 25);
  g_assert_cmpfloat (f->recovery_time_s, ==, 5);

  /* The span is (8, 25]: rows 9..25, of which 10..24 (15 rows) failed,
   * each with 20 HTTP errors, 5 timeouts and 3 dropped. */
  g_assert_cmpuint (f->errors, ==, 15 * (20 + 5));
  g_assert_cmpuint (f->timeouts, ==, 15 * 5);
  g_assert_cmpuint (f->lost, ==, 15 * (5 + 3));
  g_assert_cmpuint (f->answered, ==, 2 * 100 + 15 * 72);
  g_assert_cmpfloat_with_epsilon (f->accuracy,
                                  (2.0 * 97 + 15.0 * 68) / (200 + 1080),
                                  1e-12);

  /* 3 of every 100 arrivals were dropped, not sent; all are accounted. */
  g_assert_cmpuint (r->arrivals, ==, 4000);
  g_assert_true (r->accounted);
}

static void
test_interrupted_recovery (void)
{
  g_autoptr(GArray) series = clean_series (40);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_PROXY_RESET, 8, 20);
  g_autoptr(StampedeRecovery) r = NULL;
  StampedeSecond *silent;
  const StampedeFaultImpact *f;

  fail_seconds (series, 10, 24);
  fail_seconds (series, 27, 27);
  /* Row 29 saw nothing at all: it neither extends nor breaks a run. */
  silent = &g_array_index (series, StampedeSecond, 28);
  *silent = (StampedeSecond) { .t_s = 29 };

  r = stampede_recovery_analyse (series, windows, NULL);
  f = &r->impacts[0];

  g_assert_cmpfloat (f->degraded_s, ==, 10);
  /* 25, 26 healthy, 27 not; then 28, (29 silent), 30, 31. */
  g_assert_cmpfloat (f->recovered_s, ==, 28);
  g_assert_cmpfloat (f->recovery_time_s, ==, 8);
  /* The span (8, 28] holds the 16 failing rows. */
  g_assert_cmpuint (f->errors, ==, 16 * 25);
  g_assert_cmpuint (f->lost, ==, 16 * 8);
  g_assert_true (r->accounted);
}

static void
test_never_recovers (void)
{
  g_autoptr(GArray) series = clean_series (40);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_STORE_THROTTLE, 8,
                                          20);
  g_autoptr(StampedeRecovery) r = NULL;
  const StampedeFaultImpact *f;

  fail_seconds (series, 10, 40);
  r = stampede_recovery_analyse (series, windows, NULL);
  f = &r->impacts[0];

  g_assert_cmpfloat (f->degraded_s, ==, 10);
  g_assert_true (isnan (f->recovered_s));
  g_assert_true (isnan (f->recovery_time_s));
  /* Without a recovery the span ends with the fault: rows 9..20. */
  g_assert_cmpuint (f->errors, ==, 11 * 25);
  g_assert_cmpuint (f->timeouts, ==, 11 * 5);
  g_assert_cmpuint (f->lost, ==, 11 * 8);
}

/* Errors, timeouts and lost transactions of the rows whose t_s is in
 * [first, last], summed straight from the series. */
static void
sum_rows (const GArray *series,
          guint         first,
          guint         last,
          guint64      *errors,
          guint64      *timeouts,
          guint64      *lost)
{
  *errors = *timeouts = *lost = 0;
  for (guint t = first; t <= last; t++) {
    const guint64 *o = g_array_index (series, StampedeSecond, t - 1).outcomes;

    *errors += o[STAMPEDE_OUTCOME_HTTP_ERROR]
               + o[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
               + o[STAMPEDE_OUTCOME_TIMEOUT];
    *timeouts += o[STAMPEDE_OUTCOME_TIMEOUT];
    *lost += o[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
             + o[STAMPEDE_OUTCOME_TIMEOUT]
             + o[STAMPEDE_OUTCOME_DROPPED];
  }
}

/* Two faults back to back, the first still unrecovered when the second
 * starts: the first's window must stop there, so the two windows share
 * no second and their counts add up to the series' own. */
static void
test_back_to_back (void)
{
  static const double boundaries[] = { 14, 14.4 };

  for (guint b = 0; b < G_N_ELEMENTS (boundaries); b++) {
    g_autoptr(GArray) series = clean_series (40);
    g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_AGENT_CRASH, 8,
                                            boundaries[b]);
    StampedeFaultWindow second = {
      .kind = STAMPEDE_FAULT_STORE_THROTTLE,
      .started_s = boundaries[b],
      .ended_s = 20,
    };
    StampedeSecond *row;
    g_autoptr(StampedeRecovery) r = NULL;
    const StampedeFaultImpact *a;
    const StampedeFaultImpact *c;
    guint64 errors;
    guint64 timeouts;
    guint64 lost;

    g_array_append_val (windows, second);
    fail_seconds (series, 10, 29);
    /* Row 12 also has 7 transport errors, which are lost too. */
    row = &g_array_index (series, StampedeSecond, 11);
    row->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR] = 7;
    row->sent += 7;

    r = stampede_recovery_analyse (series, windows, NULL);
    g_assert_cmpuint (r->n_impacts, ==, 2);
    a = &r->impacts[0];
    c = &r->impacts[1];

    /* Both degrade at 10 and recover at 30, after rows 30, 31, 32. */
    g_assert_cmpfloat (a->recovered_s, ==, 30);
    g_assert_cmpfloat (c->recovered_s, ==, 30);

    /* The first's window is [8, 14) or [8, 14.4): rows 9..14. */
    sum_rows (series, 9, 14, &errors, &timeouts, &lost);
    g_assert_cmpuint (errors, ==, 5 * 25 + 7);
    g_assert_cmpuint (a->errors, ==, errors);
    g_assert_cmpuint (a->timeouts, ==, timeouts);
    g_assert_cmpuint (a->lost, ==, lost);
    g_assert_cmpuint (a->lost, ==, 5 * (5 + 3) + 7);
    g_assert_cmpuint (a->answered, ==, 100 + 5 * 72);

    /* The second's runs to its recovery at 30: rows 15..30. */
    sum_rows (series, 15, 30, &errors, &timeouts, &lost);
    g_assert_cmpuint (c->errors, ==, errors);
    g_assert_cmpuint (c->errors, ==, 15 * 25);
    g_assert_cmpuint (c->timeouts, ==, timeouts);
    g_assert_cmpuint (c->lost, ==, lost);

    /* Together they are exactly the series' rows 9..30. */
    sum_rows (series, 9, 30, &errors, &timeouts, &lost);
    g_assert_cmpuint (a->errors + c->errors, ==, errors);
    g_assert_cmpuint (a->timeouts + c->timeouts, ==, timeouts);
    g_assert_cmpuint (a->lost + c->lost, ==, lost);
  }
}

/* Faults that start together: the first in the schedule is measured,
 * the other's window is empty, so nothing is counted twice. */
static void
test_simultaneous (void)
{
  g_autoptr(GArray) series = clean_series (30);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_AGENT_CRASH, 8, 20);
  StampedeFaultWindow second = {
    .kind = STAMPEDE_FAULT_LATENCY_SPIKE,
    .started_s = 8,
    .ended_s = 20,
  };
  g_autoptr(StampedeRecovery) r = NULL;

  g_array_append_val (windows, second);
  fail_seconds (series, 10, 12);
  r = stampede_recovery_analyse (series, windows, NULL);

  /* Rows 9..20 hold the 3 failing rows; recovery at 13 is before 20. */
  g_assert_cmpuint (r->impacts[0].errors, ==, 3 * 25);
  g_assert_cmpuint (r->impacts[0].answered, ==, 9 * 100 + 3 * 72);
  g_assert_cmpuint (r->impacts[1].errors, ==, 0);
  g_assert_cmpuint (r->impacts[1].answered, ==, 0);
  g_assert_cmpfloat (r->impacts[1].recovered_s, ==, 13);
}

static void
test_p99_only (void)
{
  g_autoptr(GArray) series = clean_series (30);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_LATENCY_SPIKE, 8,
                                          20);
  g_autoptr(StampedeRecovery) r = NULL;
  const StampedeFaultImpact *f;

  for (guint t = 12; t <= 15; t++)
    g_array_index (series, StampedeSecond, t - 1).p99_ms = 50;

  r = stampede_recovery_analyse (series, windows, NULL);
  f = &r->impacts[0];

  /* Rows 1..8 have p99 10, 11, 12, 10, 11, 12, 10, 11: median 11. */
  g_assert_cmpfloat (r->p99_ms, ==, 33);
  g_assert_cmpfloat (f->degraded_s, ==, 12);
  g_assert_cmpfloat (f->recovered_s, ==, 16);
  /* It recovered four seconds before the fault was lifted. */
  g_assert_cmpfloat (f->recovery_time_s, ==, -4);
  g_assert_cmpuint (f->errors, ==, 0);
  g_assert_cmpuint (f->lost, ==, 0);
}

static void
test_criteria_thresholds (void)
{
  g_autoptr(GArray) series = clean_series (30);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_LATENCY_SPIKE, 8,
                                          20);
  g_autoptr(StampedeRecovery) lenient = NULL;
  g_autoptr(StampedeRecovery) strict = NULL;
  StampedeRecoveryThresholds thresholds;
  const StampedeCriterion criteria[] = {
    { STAMPEDE_METRIC_P99_MS, STAMPEDE_OP_LT, 60 },
    { STAMPEDE_METRIC_ERROR_RATE, STAMPEDE_OP_LT, 0.001 },
    { STAMPEDE_METRIC_ACCURACY, STAMPEDE_OP_GT, 0.9 },
  };
  StampedeSecond *one_error;

  for (guint t = 12; t <= 15; t++)
    g_array_index (series, StampedeSecond, t - 1).p99_ms = 50;

  stampede_recovery_thresholds_init (&thresholds);
  stampede_recovery_thresholds_set_criteria (&thresholds, criteria,
                                             G_N_ELEMENTS (criteria));
  g_assert_cmpfloat (thresholds.p99_ms, ==, 60);
  g_assert_cmpint (thresholds.p99_op, ==, STAMPEDE_OP_LT);
  g_assert_cmpfloat (thresholds.error_rate, ==, 0.001);

  /* A p99 of 50 ms is within "p99_ms < 60". */
  lenient = stampede_recovery_analyse (series, windows, &thresholds);
  g_assert_true (isnan (lenient->impacts[0].degraded_s));
  g_assert_cmpfloat (lenient->p99_ms, ==, 60);

  /* One error in 100 is within the default 1 % but not within 0.1 %. */
  one_error = &g_array_index (series, StampedeSecond, 13);
  one_error->outcomes[STAMPEDE_OUTCOME_OK] -= 1;
  one_error->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR] = 1;
  strict = stampede_recovery_analyse (series, windows, &thresholds);
  g_assert_cmpfloat (strict->impacts[0].degraded_s, ==, 14);
  g_assert_cmpfloat (strict->impacts[0].recovered_s, ==, 15);
}

static void
test_unaccounted (void)
{
  g_autoptr(GArray) series = clean_series (5);
  g_autoptr(GArray) windows = stampede_fault_windows_new ();
  g_autoptr(StampedeRecovery) r = NULL;

  g_array_index (series, StampedeSecond, 2).outcomes[STAMPEDE_OUTCOME_OK]--;
  r = stampede_recovery_analyse (series, windows, NULL);

  g_assert_cmpuint (r->n_impacts, ==, 0);
  g_assert_cmpuint (r->arrivals, ==, 500);
  g_assert_cmpuint (r->outcomes, ==, 499);
  g_assert_false (r->accounted);
}

static char *
member_names (JsonObject *object)
{
  g_autoptr(GList) names = json_object_get_members (object);
  g_autoptr(GString) joined = g_string_new (NULL);

  names = g_list_sort (names, (GCompareFunc) strcmp);
  for (const GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (joined, "%s%s", joined->len > 0 ? "," : "",
                            (const char *) l->data);

  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static void
test_json (void)
{
  g_autoptr(GArray) series = clean_series (40);
  g_autoptr(GArray) windows = one_window (STAMPEDE_FAULT_PARTITION, 8, 20);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(StampedeRecovery) r = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *failed_keys = NULL;
  StampedeFaultWindow failed = {
    .kind = STAMPEDE_FAULT_AGENT_CRASH,
    .started_s = NAN,
    .ended_s = NAN,
    .error = g_strdup ("the platform answered 400: no such agent"),
  };
  JsonArray *array;
  JsonObject *item;

  fail_seconds (series, 10, 24);
  g_array_append_val (windows, failed);
  r = stampede_recovery_analyse (series, windows, NULL);
  stampede_recovery_to_json (r, builder);
  root = json_builder_get_root (builder);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  item = json_array_get_object_element (array, 0);
  keys = member_names (item);
  g_assert_cmpstr (keys, ==,
                   "accuracy,degraded_s,ended_s,errors,kind,lost,"
                   "recovered_s,recovery_time_s,started_s,timeouts");
  g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==,
                   "partition");
  g_assert_cmpfloat (json_object_get_double_member (item, "started_s"), ==,
                     8);
  g_assert_cmpfloat (json_object_get_double_member (item, "ended_s"), ==,
                     20);
  g_assert_cmpfloat (json_object_get_double_member (item, "degraded_s"), ==,
                     10);
  g_assert_cmpfloat (json_object_get_double_member (item, "recovered_s"),
                     ==, 25);
  g_assert_cmpfloat (json_object_get_double_member (item,
                                                    "recovery_time_s"),
                     ==, 5);
  g_assert_cmpint (json_object_get_int_member (item, "errors"), ==, 375);
  g_assert_cmpint (json_object_get_int_member (item, "lost"), ==, 120);
  g_assert_cmpint (json_object_get_int_member (item, "timeouts"), ==, 75);

  /* A fault that never went in says why, and has no times. */
  item = json_array_get_object_element (array, 1);
  failed_keys = member_names (item);
  g_assert_cmpstr (failed_keys, ==,
                   "accuracy,degraded_s,ended_s,error,errors,kind,lost,"
                   "recovered_s,recovery_time_s,started_s,timeouts");
  g_assert_true (json_object_get_null_member (item, "started_s"));
  g_assert_true (json_object_get_null_member (item, "recovered_s"));
  g_assert_true (json_object_get_null_member (item, "accuracy"));
  g_assert_cmpint (json_object_get_int_member (item, "errors"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "error"), ==,
                   "the platform answered 400: no such agent");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/recovery/clean", test_clean);
  g_test_add_func ("/stampede/recovery/errors-then-recovery",
                   test_errors_then_recovery);
  g_test_add_func ("/stampede/recovery/interrupted-recovery",
                   test_interrupted_recovery);
  g_test_add_func ("/stampede/recovery/never-recovers", test_never_recovers);
  g_test_add_func ("/stampede/recovery/back-to-back", test_back_to_back);
  g_test_add_func ("/stampede/recovery/simultaneous", test_simultaneous);
  g_test_add_func ("/stampede/recovery/p99-only", test_p99_only);
  g_test_add_func ("/stampede/recovery/criteria-thresholds",
                   test_criteria_thresholds);
  g_test_add_func ("/stampede/recovery/unaccounted", test_unaccounted);
  g_test_add_func ("/stampede/recovery/json", test_json);

  return g_test_run ();
}
