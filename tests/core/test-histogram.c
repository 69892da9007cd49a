/* test-histogram.c — percentiles against the exact values of sorted samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-histogram.h"

#define HOUR_US G_GINT64_CONSTANT (3600000000)

static const double percentiles[] = {
  0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99,
};

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Latency-like samples: log-uniform from 1 µs to about 30 s, so that every
 * magnitude the histogram covers gets values. */
static gint64 *
make_samples (guint32 seed,
              guint   n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 *samples = g_new (gint64, n);

  for (guint i = 0; i < n; i++)
    samples[i] = (gint64) exp (g_rand_double_range (rand, 0, log (3e7)));

  return samples;
}

/* The sample of rank ceil (p / 100 × n) in sorted order. */
static gint64
exact_percentile (const gint64 *sorted,
                  guint         n,
                  double        p)
{
  guint64 rank = (guint64) ceil (p * n / 100.0);

  rank = CLAMP (rank, 1, n);

  return sorted[rank - 1];
}

static void
test_percentiles (void)
{
  const guint n = 200000;
  g_autofree gint64 *samples = make_samples (7, n);
  g_autoptr(StampedeHistogram) h = stampede_histogram_new (HOUR_US);
  double sum = 0;

  for (guint i = 0; i < n; i++) {
    stampede_histogram_record (h, samples[i]);
    sum += samples[i];
  }
  qsort (samples, n, sizeof *samples, compare_int64);

  g_assert_cmpuint (stampede_histogram_count (h), ==, n);
  g_assert_cmpint (stampede_histogram_min (h), ==, samples[0]);
  g_assert_cmpint (stampede_histogram_max (h), ==, samples[n - 1]);
  g_assert_cmpfloat_with_epsilon (stampede_histogram_mean (h), sum / n,
                                  1e-9 * sum / n);

  for (guint i = 0; i < G_N_ELEMENTS (percentiles); i++) {
    gint64 exact = exact_percentile (samples, n, percentiles[i]);
    gint64 got = stampede_histogram_percentile (h, percentiles[i]);

    /* Three significant digits: within 0.1 %, and never below the sample,
     * since a counter reports the top of its range. */
    g_test_message ("p%g: exact %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT,
                    percentiles[i], exact, got);
    g_assert_cmpint (got, >=, exact);
    g_assert_cmpfloat (got - exact, <=, exact * 0.001);
  }

  g_assert_cmpint (stampede_histogram_percentile (h, 100), ==, samples[n - 1]);
}

static void
test_small_values_exact (void)
{
  g_autoptr(StampedeHistogram) h = stampede_histogram_new (1000000);

  /* Below 2048 every value has a counter of its own. */
  for (gint64 v = 1; v <= 2000; v++)
    stampede_histogram_record (h, v);

  g_assert_cmpint (stampede_histogram_percentile (h, 50), ==, 1000);
  g_assert_cmpint (stampede_histogram_percentile (h, 99), ==, 1980);
  g_assert_cmpint (stampede_histogram_percentile (h, 0.01), ==, 1);
  g_assert_cmpfloat (stampede_histogram_mean (h), ==, 1000.5);
}

static void
test_merge (void)
{
  const guint n = 50000;
  g_autofree gint64 *samples = make_samples (11, n);
  g_autoptr(StampedeHistogram) all = stampede_histogram_new (HOUR_US);
  g_autoptr(StampedeHistogram) a = stampede_histogram_new (HOUR_US);
  g_autoptr(StampedeHistogram) b = stampede_histogram_new (HOUR_US);
  g_autoptr(StampedeHistogram) empty = stampede_histogram_new (HOUR_US);

  for (guint i = 0; i < n; i++) {
    stampede_histogram_record (all, samples[i]);
    stampede_histogram_record (i % 3 == 0 ? a : b, samples[i]);
  }

  stampede_histogram_merge (a, b);
  stampede_histogram_merge (a, empty);

  g_assert_cmpuint (stampede_histogram_count (a), ==, n);
  g_assert_cmpint (stampede_histogram_min (a), ==,
                   stampede_histogram_min (all));
  g_assert_cmpint (stampede_histogram_max (a), ==,
                   stampede_histogram_max (all));
  g_assert_cmpfloat (stampede_histogram_mean (a), ==,
                     stampede_histogram_mean (all));
  for (double p = 0; p <= 100; p += 0.5) {
    g_assert_cmpint (stampede_histogram_percentile (a, p), ==,
                     stampede_histogram_percentile (all, p));
  }

  /* Merging into an empty histogram takes the other's minimum. */
  stampede_histogram_merge (empty, b);
  g_assert_cmpint (stampede_histogram_min (empty), ==,
                   stampede_histogram_min (b));
}

static void
test_clamp (void)
{
  g_autoptr(StampedeHistogram) h = stampede_histogram_new (10000);

  stampede_histogram_record (h, 50000);
  stampede_histogram_record (h, -3);

  g_assert_cmpuint (stampede_histogram_count (h), ==, 2);
  g_assert_cmpint (stampede_histogram_max (h), ==, 10000);
  g_assert_cmpint (stampede_histogram_min (h), ==, 0);
  g_assert_cmpint (stampede_histogram_percentile (h, 100), ==, 10000);
  g_assert_cmpint (stampede_histogram_percentile (h, 50), ==, 0);
  g_assert_cmpint (stampede_histogram_highest (h), ==, 10000);
  g_assert_cmpfloat (stampede_histogram_mean (h), ==, 5000);
}

static void
test_empty (void)
{
  g_autoptr(StampedeHistogram) h = stampede_histogram_new (HOUR_US);

  g_assert_cmpuint (stampede_histogram_count (h), ==, 0);
  g_assert_cmpint (stampede_histogram_min (h), ==, 0);
  g_assert_cmpint (stampede_histogram_max (h), ==, 0);
  g_assert_cmpfloat (stampede_histogram_mean (h), ==, 0);
  g_assert_cmpint (stampede_histogram_percentile (h, 50), ==, 0);
  g_assert_cmpint (stampede_histogram_percentile (h, 100), ==, 0);
}

static void
test_record_n_copy_reset (void)
{
  g_autoptr(StampedeHistogram) one_by_one = stampede_histogram_new (HOUR_US);
  g_autoptr(StampedeHistogram) at_once = stampede_histogram_new (HOUR_US);
  g_autoptr(StampedeHistogram) copy = NULL;

  for (guint i = 0; i < 10; i++)
    stampede_histogram_record (one_by_one, 123456);
  stampede_histogram_record (one_by_one, 7);
  stampede_histogram_record_n (at_once, 123456, 10);
  stampede_histogram_record_n (at_once, 7, 1);
  stampede_histogram_record_n (at_once, 99, 0);

  g_assert_cmpuint (stampede_histogram_count (at_once), ==, 11);
  g_assert_cmpint (stampede_histogram_min (at_once), ==, 7);
  g_assert_cmpint (stampede_histogram_percentile (at_once, 50), ==,
                   stampede_histogram_percentile (one_by_one, 50));
  /* The top of 123456's counter is above it, but never above the max. */
  g_assert_cmpint (stampede_histogram_percentile (at_once, 50), ==, 123456);

  copy = stampede_histogram_copy (at_once);
  stampede_histogram_reset (at_once);
  g_assert_cmpuint (stampede_histogram_count (at_once), ==, 0);
  g_assert_cmpint (stampede_histogram_percentile (at_once, 50), ==, 0);
  g_assert_cmpuint (stampede_histogram_count (copy), ==, 11);
  g_assert_cmpint (stampede_histogram_max (copy), ==, 123456);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/histogram/percentiles", test_percentiles);
  g_test_add_func ("/stampede/histogram/small-values-exact",
                   test_small_values_exact);
  g_test_add_func ("/stampede/histogram/merge", test_merge);
  g_test_add_func ("/stampede/histogram/clamp", test_clamp);
  g_test_add_func ("/stampede/histogram/empty", test_empty);
  g_test_add_func ("/stampede/histogram/record-n-copy-reset",
                   test_record_n_copy_reset);

  return g_test_run ();
}
