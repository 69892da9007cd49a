/* test-load-shape.c — load shapes, checked by counting scheduled arrivals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-load-shape.h"

/* The expected number of arrivals in the window [w, w + 1), worked out by
 * hand for each test's shape. */
typedef double (*WindowIntegral) (guint w);

static StampedeLoadShape *
shape_new (const StampedeStage *stages,
           guint                n_stages)
{
  g_autoptr(GError) error = NULL;
  StampedeLoadShape *shape;

  shape = stampede_load_shape_new (stages, n_stages, &error);
  g_assert_no_error (error);
  g_assert_nonnull (shape);

  return shape;
}

/* Counts the uniform schedule's arrivals per one-second window and checks
 * every window against @integral, within one arrival. */
static void
assert_windows (StampedeLoadShape *shape,
                WindowIntegral     integral)
{
  guint n_windows = (guint) ceil (stampede_load_shape_duration (shape));
  g_autofree guint64 *counts = g_new0 (guint64, n_windows);
  guint64 total = stampede_load_shape_total (shape);
  double previous = 0;

  for (guint64 k = 0; k < total; k++) {
    double t = stampede_load_shape_time_of (shape, k);

    g_assert_cmpfloat (t, >=, previous);
    g_assert_cmpfloat (t, <, n_windows);
    counts[(guint) floor (t)]++;
    previous = t;
  }

  for (guint w = 0; w < n_windows; w++)
    g_assert_cmpfloat (fabs ((double) counts[w] - integral (w)), <=, 1.0);
}

/* Ramp 0 → 300 over 10 s: N (t) = 15 t². */
static double
ramp_integral (guint w)
{
  return 15.0 * ((w + 1.0) * (w + 1.0) - (double) w * w);
}

static void
test_ramp (void)
{
  StampedeStage stage = stampede_stage_ramp (0, 300, 10);
  g_autoptr(StampedeLoadShape) shape = shape_new (&stage, 1);

  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 1500);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_count_until (shape, 4),
                                  240, 1e-9);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_rate_at (shape, 2.5),
                                  75, 1e-9);
  g_assert_cmpfloat (stampede_load_shape_time_of (shape, 0), ==, 0);
  /* N (t) = 15 t² = 60 at t = 2. */
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_time_of (shape, 60),
                                  2, 1e-12);
  assert_windows (shape, ramp_integral);
}

static double
sustained_integral (guint w)
{
  return 250.5;
}

static void
test_sustained (void)
{
  StampedeStage stage = stampede_stage_sustained (250.5, 8);
  g_autoptr(StampedeLoadShape) shape = shape_new (&stage, 1);

  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 2004);
  g_assert_cmpfloat (stampede_load_shape_time_of (shape, 2005), ==,
                     INFINITY);
  assert_windows (shape, sustained_integral);
}

/* Base 100, peak 1000, bursts of 2 s every 8 s, the first at 4 s: bursts
 * cover [4, 6) and [12, 14) of the 20 s. */
static double
burst_integral (guint w)
{
  return (w >= 4 && w < 6) || (w >= 12 && w < 14) ? 1000 : 100;
}

static void
test_burst (void)
{
  StampedeStage stage = stampede_stage_burst (100, 1000, 20, 2, 8);
  g_autoptr(StampedeLoadShape) shape = shape_new (&stage, 1);

  g_assert_cmpuint (stampede_load_shape_total (shape), ==,
                    100 * 16 + 1000 * 4);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 3.99), ==, 100);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 4), ==, 1000);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 6), ==, 100);
  assert_windows (shape, burst_integral);
}

/* Base 200, amplitude 150, period 10 s: the integral of the sine over
 * [w, w + 1) is 150 · 10 / 2π · (cos (2πw / 10) − cos (2π(w + 1) / 10)). */
static double
wave_integral (guint w)
{
  return 200 + 150 * 10 / (2 * G_PI) *
         (cos (2 * G_PI * w / 10) - cos (2 * G_PI * (w + 1) / 10));
}

static void
test_wave (void)
{
  StampedeStage stage = stampede_stage_wave (200, 150, 10, 30);
  g_autoptr(StampedeLoadShape) shape = shape_new (&stage, 1);
  guint64 total;

  /* Three whole periods: the sine adds nothing to the total. */
  total = stampede_load_shape_total (shape);
  g_assert_cmpuint (total, ==, 6000);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_rate_at (shape, 2.5),
                                  350, 1e-9);
  assert_windows (shape, wave_integral);

  /* The inverse is solved to well under a nanosecond. */
  for (guint64 k = 1; k < total; k += 7) {
    double t = stampede_load_shape_time_of (shape, k);
    double rate = stampede_load_shape_rate_at (shape, t);
    double miss = stampede_load_shape_count_until (shape, t) - (double) k;

    g_assert_cmpfloat (fabs (miss) / MAX (rate, 1), <, 1e-9);
  }
}

static void
test_chaos (void)
{
  StampedeStage stage = stampede_stage_chaos (500, 100, 900, 2, 30, 7);
  StampedeStage other = stampede_stage_chaos (500, 100, 900, 2, 30, 8);
  g_autoptr(StampedeLoadShape) shape = shape_new (&stage, 1);
  g_autoptr(StampedeLoadShape) again = shape_new (&stage, 1);
  g_autoptr(StampedeLoadShape) different = shape_new (&other, 1);
  guint n_windows = 30;
  g_autofree guint64 *counts = g_new0 (guint64, n_windows);
  double trapezoids = 0;
  gboolean differs = FALSE;

  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 0), ==, 500);

  /* Piecewise linear between points 2 s apart, within [min, max]: the
   * rate at a step's middle is the mean of its ends, and the trapezoids
   * over the points add up to the integral. */
  for (guint i = 0; i < 15; i++) {
    double a = stampede_load_shape_rate_at (shape, 2.0 * i);
    double b = stampede_load_shape_rate_at (shape, MIN (2.0 * i + 2,
                                                        29.999999999));
    double mid = stampede_load_shape_rate_at (shape, 2.0 * i + 1);

    if (i == 14)
      b = 2 * mid - a;
    g_assert_cmpfloat (a, >=, 100);
    g_assert_cmpfloat (a, <=, 900);
    g_assert_cmpfloat_with_epsilon (mid, (a + b) / 2, 1e-6);
    trapezoids += (a + b);
    g_assert_cmpfloat (stampede_load_shape_rate_at (again, 2.0 * i), ==, a);
    differs = differs ||
              stampede_load_shape_rate_at (different, 2.0 * i + 2) !=
              stampede_load_shape_rate_at (shape, 2.0 * i + 2);
  }
  g_assert_cmpfloat_with_epsilon (trapezoids,
                                  stampede_load_shape_count_until (shape,
                                                                   30),
                                  1e-6);
  g_assert_true (differs);

  for (guint64 k = 0; k < stampede_load_shape_total (shape); k++)
    counts[(guint) stampede_load_shape_time_of (shape, k)]++;
  for (guint w = 0; w < n_windows; w++) {
    double expected = stampede_load_shape_count_until (shape, w + 1) -
                      stampede_load_shape_count_until (shape, w);

    g_assert_cmpfloat (fabs ((double) counts[w] - expected), <=, 1.0);
  }
}

/* Ramp 0 → 100 over 10 s (500), 100 for 20 s (2000), a wave of base 50
 * and amplitude 50 with a 4 s period for 6 s (300 + 50 · 4 / 2π · 2 =
 * 363.66), ramp 100 → 0 over 5 s (250): 3113.66 in all. */
static double
composed_integral (guint w)
{
  if (w < 10)
    return 5.0 * ((w + 1.0) * (w + 1.0) - (double) w * w);
  if (w < 30)
    return 100;
  if (w < 36)
    return 50 + 50 * 4 / (2 * G_PI) *
           (cos (2 * G_PI * (w - 30) / 4) - cos (2 * G_PI * (w - 29) / 4));

  /* 100 (1 − u / 5) over [u, u + 1) with u = w − 36. */
  return 100 - 10.0 * (2.0 * (w - 36) + 1);
}

static void
test_composed (void)
{
  StampedeStage stages[] = {
    stampede_stage_ramp (0, 100, 10),
    stampede_stage_sustained (100, 20),
    stampede_stage_wave (50, 50, 4, 6),
    stampede_stage_ramp (100, 0, 5),
  };
  g_autoptr(StampedeLoadShape) shape = shape_new (stages,
                                                  G_N_ELEMENTS (stages));

  g_assert_cmpfloat (stampede_load_shape_duration (shape), ==, 41);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 3113);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_count_until (shape,
                                                                   41),
                                  2750 + 300 + 400 / (2 * G_PI), 1e-9);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 41), ==, 0);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, -1), ==, 0);
  assert_windows (shape, composed_integral);
}

/* Counts Poisson arrivals per window and checks them against the
 * integral: the total within 4 σ, and the sum of squared standardized
 * residuals (about n_windows for a Poisson process) below twice that. */
static void
assert_poisson (StampedeLoadShape *shape,
                guint64            seed)
{
  guint n_windows = (guint) ceil (stampede_load_shape_duration (shape));
  g_autofree guint64 *counts = g_new0 (guint64, n_windows);
  StampedePoissonArrivals arrivals;
  double chi2 = 0;
  guint64 total = 0;
  double previous = 0;
  double t;

  stampede_poisson_arrivals_init (&arrivals, seed);
  while (stampede_load_shape_poisson_next (shape, &arrivals, &t)) {
    g_assert_cmpfloat (t, >=, previous);
    counts[MIN ((guint) floor (t), n_windows - 1)]++;
    total++;
    previous = t;
  }
  g_assert_false (stampede_load_shape_poisson_next (shape, &arrivals, &t));

  for (guint w = 0; w < n_windows; w++) {
    double expected = stampede_load_shape_count_until (shape, w + 1) -
                      stampede_load_shape_count_until (shape, w);

    chi2 += (counts[w] - expected) * (counts[w] - expected) / expected;
  }

  g_assert_cmpfloat (fabs (total - stampede_load_shape_count_until (shape,
                                                                    1e9)),
                     <, 4 * sqrt (stampede_load_shape_count_until (shape,
                                                                   1e9)));
  g_assert_cmpfloat (chi2, <, 2.0 * n_windows);
}

static void
test_poisson (void)
{
  StampedeStage stages[] = {
    stampede_stage_ramp (100, 2000, 50),
    stampede_stage_wave (1000, 800, 7, 50),
  };
  g_autoptr(StampedeLoadShape) shape = shape_new (stages,
                                                  G_N_ELEMENTS (stages));
  StampedePoissonArrivals a;
  StampedePoissonArrivals b;
  StampedePoissonArrivals c;
  guint same = 0;

  for (guint64 seed = 1; seed <= 5; seed++)
    assert_poisson (shape, seed);

  /* The same seed gives the same times; another seed does not. */
  stampede_poisson_arrivals_init (&a, 42);
  stampede_poisson_arrivals_init (&b, 42);
  stampede_poisson_arrivals_init (&c, 43);
  for (guint i = 0; i < 1000; i++) {
    double ta;
    double tb;
    double tc;

    g_assert_true (stampede_load_shape_poisson_next (shape, &a, &ta));
    g_assert_true (stampede_load_shape_poisson_next (shape, &b, &tb));
    g_assert_true (stampede_load_shape_poisson_next (shape, &c, &tc));
    g_assert_cmpfloat (ta, ==, tb);
    same += ta == tc;
  }
  g_assert_cmpuint (same, <, 10);
}

static void
test_set_rate_from (void)
{
  StampedeStage stages[] = {
    stampede_stage_ramp (0, 1000, 10),
    stampede_stage_sustained (1000, 10),
  };
  g_autoptr(StampedeLoadShape) shape = shape_new (stages,
                                                  G_N_ELEMENTS (stages));
  const StampedeStage *now;
  double before[1250];
  guint n_stages;

  /* N (5) = 50 · 5² = 1250 arrivals come before 5 s. */
  for (guint k = 0; k < G_N_ELEMENTS (before); k++)
    before[k] = stampede_load_shape_time_of (shape, k);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 15000);

  stampede_load_shape_set_rate_from (shape, 5, 200);

  for (guint k = 0; k < G_N_ELEMENTS (before); k++)
    g_assert_cmpfloat (stampede_load_shape_time_of (shape, k), ==,
                       before[k]);
  g_assert_cmpfloat (stampede_load_shape_duration (shape), ==, 20);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 1250 + 200 * 15);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_rate_at (shape, 4),
                                  400, 1e-9);
  g_assert_cmpfloat (stampede_load_shape_rate_at (shape, 7), ==, 200);
  g_assert_cmpfloat_with_epsilon (stampede_load_shape_time_of (shape, 1450),
                                  6, 1e-9);

  now = stampede_load_shape_get_stages (shape, &n_stages);
  g_assert_cmpuint (n_stages, ==, 2);
  g_assert_cmpint (now[0].kind, ==, STAMPEDE_STAGE_RAMP);
  g_assert_cmpfloat (now[0].duration_s, ==, 5);
  g_assert_cmpfloat (now[0].to, ==, 500);
  g_assert_cmpint (now[1].kind, ==, STAMPEDE_STAGE_SUSTAINED);
  g_assert_cmpfloat (now[1].rate, ==, 200);
  g_assert_cmpfloat (now[1].duration_s, ==, 15);

  /* Again, exactly at a stage's start. */
  stampede_load_shape_set_rate_from (shape, 5, 300);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 1250 + 300 * 15);
  now = stampede_load_shape_get_stages (shape, &n_stages);
  g_assert_cmpuint (n_stages, ==, 2);
  g_assert_cmpfloat (now[1].rate, ==, 300);

  /* From the very start, and past the end (no change). */
  stampede_load_shape_set_rate_from (shape, 0, 10);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 200);
  stampede_load_shape_set_rate_from (shape, 20, 99);
  g_assert_cmpuint (stampede_load_shape_total (shape), ==, 200);
}

static StampedeLoadShape *
shape_from_text (const char  *text,
                 char       **path,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;

  json_parser_load_from_data (parser, text, -1, &parse_error);
  g_assert_no_error (parse_error);

  return stampede_load_shape_new_from_json (json_parser_get_root (parser),
                                            path, error);
}

static void
test_json (void)
{
  g_autoptr(StampedeLoadShape) shape = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  shape = shape_from_text ("[{\"kind\": \"ramp\", \"from\": 0, \"to\": 10,"
                           " \"duration_s\": 2},"
                           " {\"kind\": \"chaos\", \"base\": 5, \"min\": 0,"
                           " \"max\": 10, \"step_s\": 1, \"duration_s\": 3,"
                           " \"seed\": 9}]", &path, &error);
  g_assert_no_error (error);
  g_assert_null (path);
  g_assert_cmpfloat (stampede_load_shape_duration (shape), ==, 5);

  g_clear_pointer (&shape, stampede_load_shape_free);
  shape = shape_from_text ("[{\"kind\": \"sustained\", \"rate\": 1,"
                           " \"duration_s\": 2},"
                           " {\"kind\": \"burst\", \"base\": 1, \"peak\": 2,"
                           " \"duration_s\": 10, \"burst_s\": 5,"
                           " \"every_s\": 4}]", &path, &error);
  g_assert_null (shape);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_VALUE);
  g_assert_cmpstr (path, ==, "/1/burst_s");
  g_assert_true (g_str_has_prefix (error->message, "stage 1: "));

  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  shape = shape_from_text ("[{\"kind\": \"sustained\", \"rate\": 1,"
                           " \"durations_s\": 2}]", &path, &error);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_UNKNOWN_KEY);
  g_assert_cmpstr (path, ==, "/0/durations_s");

  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  shape = shape_from_text ("[{\"kind\": \"wave\", \"base\": 10,"
                           " \"amplitude\": 11, \"period_s\": 1,"
                           " \"duration_s\": 2}]", &path, &error);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_VALUE);
  g_assert_cmpstr (path, ==, "/0/amplitude");

  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  shape = shape_from_text ("[{\"kind\": \"ramp\", \"from\": 0,"
                           " \"to\": \"ten\", \"duration_s\": 2}]", &path,
                           &error);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_TYPE);
  g_assert_cmpstr (path, ==, "/0/to");

  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  shape = shape_from_text ("[{\"kind\": \"ramp\", \"from\": 0,"
                           " \"duration_s\": 2}]", &path, &error);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_MISSING);
  g_assert_cmpstr (path, ==, "/0");

  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  shape = shape_from_text ("[]", &path, &error);
  g_assert_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                  STAMPEDE_LOAD_SHAPE_ERROR_MISSING);
}

static void
assert_stage_equal (const StampedeStage *a,
                    const StampedeStage *b)
{
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpfloat (a->duration_s, ==, b->duration_s);
  g_assert_cmpfloat (a->from, ==, b->from);
  g_assert_cmpfloat (a->to, ==, b->to);
  g_assert_cmpfloat (a->rate, ==, b->rate);
  g_assert_cmpfloat (a->base, ==, b->base);
  g_assert_cmpfloat (a->peak, ==, b->peak);
  g_assert_cmpfloat (a->burst_s, ==, b->burst_s);
  g_assert_cmpfloat (a->every_s, ==, b->every_s);
  g_assert_cmpfloat (a->amplitude, ==, b->amplitude);
  g_assert_cmpfloat (a->period_s, ==, b->period_s);
  g_assert_cmpfloat (a->min, ==, b->min);
  g_assert_cmpfloat (a->max, ==, b->max);
  g_assert_cmpfloat (a->step_s, ==, b->step_s);
  g_assert_cmpuint (a->seed, ==, b->seed);
}

static void
test_stage_json_round_trip (void)
{
  StampedeStage stages[] = {
    stampede_stage_ramp (0.25, 7, 3),
    stampede_stage_sustained (1e-3, 1),
    stampede_stage_burst (1, 9, 30, 1.5, 6),
    stampede_stage_wave (10, 3, 2.5, 9),
    stampede_stage_chaos (5, 1, 10, 0.5, 4, G_MAXINT64),
  };

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++) {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(GError) error = NULL;
    StampedeStage back;

    stampede_stage_to_json (&stages[i], builder);
    node = json_builder_get_root (builder);
    g_assert_true (stampede_stage_from_json (node, &back, NULL, &error));
    g_assert_no_error (error);
    assert_stage_equal (&back, &stages[i]);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/load-shape/ramp", test_ramp);
  g_test_add_func ("/stampede/load-shape/sustained", test_sustained);
  g_test_add_func ("/stampede/load-shape/burst", test_burst);
  g_test_add_func ("/stampede/load-shape/wave", test_wave);
  g_test_add_func ("/stampede/load-shape/chaos", test_chaos);
  g_test_add_func ("/stampede/load-shape/composed", test_composed);
  g_test_add_func ("/stampede/load-shape/poisson", test_poisson);
  g_test_add_func ("/stampede/load-shape/set-rate-from",
                   test_set_rate_from);
  g_test_add_func ("/stampede/load-shape/json", test_json);
  g_test_add_func ("/stampede/load-shape/stage-round-trip",
                   test_stage_json_round_trip);

  return g_test_run ();
}
