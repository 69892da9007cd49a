/* test-latency-model.c — the agents' modelled latency distributions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>

#include "stampede-latency-model.h"

static void
test_parse (void)
{
  StampedeLatencyModel model;
  g_autoptr(GError) error = NULL;

  g_assert_true (stampede_latency_model_parse ("none", &model, &error));
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_NONE);

  g_assert_true (stampede_latency_model_parse ("fixed:5", &model, &error));
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_FIXED);
  g_assert_cmpfloat (model.ms, ==, 5);

  g_assert_true (stampede_latency_model_parse ("lognormal:2,0.5", &model,
                                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_LOGNORMAL);
  g_assert_cmpfloat (model.ms, ==, 2);
  g_assert_cmpfloat (model.sigma, ==, 0.5);

  /* Zero latency, however written, is none. */
  g_assert_true (stampede_latency_model_parse ("fixed:0", &model, &error));
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_NONE);
}

static void
test_parse_errors (void)
{
  const char *bad[] = {
    "", "fixed", "fixed:", "fixed:-1", "fixed:abc", "fixed:1e9",
    "lognormal:2", "lognormal:2,0.5,1", "lognormal:2,-0.1", "lognormal:2,9",
    "gamma:1,2", "NONE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    StampedeLatencyModel model;
    g_autoptr(GError) error = NULL;

    g_assert_false (stampede_latency_model_parse (bad[i], &model, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_test_message ("%s: %s", bad[i], error->message);
  }
}

static void
test_round_trip (void)
{
  const char *texts[] = { "none", "fixed:2.5", "lognormal:6,0.6" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    StampedeLatencyModel model;
    g_autofree char *back = NULL;

    g_assert_true (stampede_latency_model_parse (texts[i], &model, NULL));
    back = stampede_latency_model_to_string (&model);
    g_assert_cmpstr (back, ==, texts[i]);
  }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* 20,001 draws: their median is the model's median and their mean the
 * log-normal mean, median × exp(sigma² / 2), within sampling error (the
 * sample median's standard error is under 1 % here). */
static void
test_draws (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  StampedeLatencyModel model = { STAMPEDE_LATENCY_LOGNORMAL, 4, 0.5 };
  StampedeLatencyModel fixed = { STAMPEDE_LATENCY_FIXED, 7, 0 };
  StampedeLatencyModel none = { STAMPEDE_LATENCY_NONE, 0, 0 };
  guint n = 20001;
  g_autofree double *draws = g_new (double, n);
  double sum = 0;

  for (guint i = 0; i < n; i++) {
    draws[i] = stampede_latency_model_draw (&model, rand);
    g_assert_cmpfloat (draws[i], >, 0);
    sum += draws[i];
  }
  qsort (draws, n, sizeof draws[0], compare_doubles);

  g_assert_cmpfloat_with_epsilon (draws[n / 2], 4, 4 * 0.03);
  g_assert_cmpfloat_with_epsilon (sum / n, 4 * exp (0.125), 4.53 * 0.03);
  g_assert_cmpfloat_with_epsilon (stampede_latency_model_mean (&model),
                                  4 * exp (0.125), 1e-12);

  g_assert_cmpfloat (stampede_latency_model_draw (&fixed, rand), ==, 7);
  g_assert_cmpfloat (stampede_latency_model_draw (&none, rand), ==, 0);
}

/* The old single knob: a mean, not a median. */
static void
test_from_mean (void)
{
  StampedeLatencyModel model;

  stampede_latency_model_from_mean (&model, 20, 0.5);
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_LOGNORMAL);
  g_assert_cmpfloat_with_epsilon (stampede_latency_model_mean (&model), 20,
                                  1e-9);
  g_assert_cmpfloat_with_epsilon (model.ms, 20 * exp (-0.125), 1e-9);

  stampede_latency_model_from_mean (&model, 0, 0.5);
  g_assert_cmpint (model.kind, ==, STAMPEDE_LATENCY_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/latency-model/parse", test_parse);
  g_test_add_func ("/stampede/latency-model/parse-errors", test_parse_errors);
  g_test_add_func ("/stampede/latency-model/round-trip", test_round_trip);
  g_test_add_func ("/stampede/latency-model/draws", test_draws);
  g_test_add_func ("/stampede/latency-model/from-mean", test_from_mean);

  return g_test_run ();
}
