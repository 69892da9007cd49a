/* test-profile.c — the arrival schedule against figures worked by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-profile.h"

#define TIME_EPSILON 1e-9

static void
test_total (void)
{
  const struct {
    double  rate;
    double  ramp_s;
    double  duration_s;
    guint64 total;
  } cases[] = {
    /* Ramp: 300 × 1 / 2 = 150, then 300 × 2 = 600. */
    { 300, 1, 3, 750 },
    { 100, 0, 10, 1000 },
    /* All ramp: 10 × 4 / 2. */
    { 10, 4, 4, 20 },
    /* 7.5 × 1 leaves half an arrival, which never comes. */
    { 7.5, 0, 1, 7 },
    /* 3 × 1.5 / 2 = 2.25, then 3 × 0.5 = 1.5: 3.75 in all. */
    { 3, 1.5, 2, 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeProfile) profile =
      stampede_profile_new_ramp (cases[i].rate, cases[i].ramp_s,
                                 cases[i].duration_s);

    g_assert_cmpuint (stampede_profile_total (profile), ==, cases[i].total);
    g_assert_cmpfloat (stampede_profile_duration (profile), ==,
                       cases[i].duration_s);
  }
}

static void
test_time_of_by_hand (void)
{
  g_autoptr(StampedeProfile) profile = stampede_profile_new_ramp (300, 1, 3);

  /* During the ramp N (t) = 150 t², so arrival k is due at √(k / 150);
   * after it N (t) = 150 + 300 (t - 1). */
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 0),
                                  0, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 6),
                                  0.2, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 150),
                                  1.0, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 450),
                                  2.0, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 749),
                                  1 + 599 / 300.0, TIME_EPSILON);
  g_assert_true (isinf (stampede_profile_time_of (profile, 750)));

  g_assert_cmpfloat_with_epsilon (stampede_profile_count_until (profile, 0.5),
                                  37.5, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_count_until (profile, 99),
                                  750, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 0.5),
                                  150, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 2.5),
                                  300, TIME_EPSILON);
  g_assert_cmpfloat (stampede_profile_rate_at (profile, 3), ==, 0);
  g_assert_cmpfloat (stampede_profile_rate_at (profile, -1), ==, 0);
}

static void
assert_schedule_consistent (StampedeProfile *profile)
{
  guint64 total = stampede_profile_total (profile);
  double previous = -1;

  for (guint64 k = 0; k < total; k++) {
    double t = stampede_profile_time_of (profile, k);

    g_assert_cmpfloat (t, >, previous);
    g_assert_cmpfloat (t, <=, stampede_profile_duration (profile));
    g_assert_cmpfloat_with_epsilon (stampede_profile_count_until (profile, t),
                                    (double) k, 1e-6 * MAX (1.0, k));
    previous = t;
  }
}

static void
test_time_of_consistent (void)
{
  const double shapes[][3] = {
    { 300, 1, 3 },
    { 100, 0, 10 },
    { 10, 4, 4 },
    { 1234.5, 2.5, 7 },
    { 0.7, 3, 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    g_autoptr(StampedeProfile) profile =
      stampede_profile_new_ramp (shapes[i][0], shapes[i][1], shapes[i][2]);

    assert_schedule_consistent (profile);
  }
}

static void
test_windows (void)
{
  g_autoptr(StampedeProfile) profile = stampede_profile_new_ramp (300, 1, 3);
  /* ∫ over [0,1) = 150, [1,2) = 300, [2,3) = 300. */
  const guint64 expected[] = { 150, 300, 300 };
  guint64 counted[G_N_ELEMENTS (expected)] = { 0 };
  guint64 total = stampede_profile_total (profile);

  for (guint64 k = 0; k < total; k++) {
    double t = stampede_profile_time_of (profile, k);
    guint window = (guint) floor (t);

    g_assert_cmpuint (window, <, G_N_ELEMENTS (expected));
    counted[window]++;
  }

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (counted[i], ==, expected[i]);
}

static void
test_set_rate_from (void)
{
  g_autoptr(StampedeProfile) profile = stampede_profile_new_ramp (100, 0, 10);

  /* 100/s for 4 s, then 200/s for 6 s. */
  stampede_profile_set_rate_from (profile, 4, 200);
  g_assert_cmpuint (stampede_profile_total (profile), ==, 400 + 1200);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 399),
                                  3.99, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 400),
                                  4.0, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 600),
                                  5.0, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 3),
                                  100, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 5),
                                  200, TIME_EPSILON);
  assert_schedule_consistent (profile);

  /* A later change at the same instant replaces the earlier one. */
  stampede_profile_set_rate_from (profile, 4, 50);
  g_assert_cmpuint (stampede_profile_total (profile), ==, 400 + 300);

  /* A zero rate from 2 s ends the arrivals there. */
  stampede_profile_set_rate_from (profile, 2, 0);
  g_assert_cmpuint (stampede_profile_total (profile), ==, 200);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 199),
                                  1.99, TIME_EPSILON);
  g_assert_true (isinf (stampede_profile_time_of (profile, 200)));
}

static void
test_set_rate_during_ramp (void)
{
  g_autoptr(StampedeProfile) profile = stampede_profile_new_ramp (300, 1, 3);

  /* N (0.5) = 37.5; then 100/s for 2.5 s adds 250. */
  stampede_profile_set_rate_from (profile, 0.5, 100);
  g_assert_cmpuint (stampede_profile_total (profile), ==, 287);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 37),
                                  sqrt (37 / 150.0), TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, 38),
                                  0.505, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 0.25),
                                  75, TIME_EPSILON);
  g_assert_cmpfloat_with_epsilon (stampede_profile_rate_at (profile, 0.75),
                                  100, TIME_EPSILON);
  assert_schedule_consistent (profile);
}

/* Counts the scheduled arrivals in windows of @width seconds. */
static GArray *
count_windows (StampedeProfile *profile,
               double           width)
{
  guint n = (guint) ceil (stampede_profile_duration (profile) / width);
  g_autoptr(GArray) counts = g_array_new (FALSE, TRUE, sizeof (guint64));

  g_array_set_size (counts, n);

  for (guint64 k = 0;; k++) {
    double t = stampede_profile_time_of (profile, k);
    guint window;

    if (isinf (t))
      break;
    window = MIN ((guint) floor (t / width), n - 1);
    g_array_index (counts, guint64, window)++;
  }

  return g_steal_pointer (&counts);
}

/* Uniform arrivals in [a, b): those with k < N(b), less those with
 * k < N(a); k < x for ceil (x) of them. */
static guint64
uniform_in_window (double count_a,
                   double count_b)
{
  return (guint64) (ceil (count_b - 1e-9) - ceil (count_a - 1e-9));
}

static void
test_stage_kinds (void)
{
  /* A ramp from 0 to 100 over 10 s, then 200/s for 3 s: N (t) = 5 t²
   * during the ramp, so second s holds 5 (2 s + 1) arrivals. */
  StampedeStage ramp_sustained[] = {
    stampede_stage_ramp (0, 100, 10),
    stampede_stage_sustained (200, 3),
  };
  /* Bursts of 500/s over 100/s, 2 s long, starting at 5 s and 15 s. */
  StampedeStage burst[] = {
    stampede_stage_burst (100, 500, 20, 2, 10),
  };
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;

  profile = stampede_profile_new_stages (ramp_sustained, 2, &error);
  g_assert_no_error (error);
  counts = count_windows (profile, 1);
  g_assert_cmpuint (counts->len, ==, 13);
  for (guint s = 0; s < 10; s++)
    g_assert_cmpuint (g_array_index (counts, guint64, s), ==, 5 * (2 * s + 1));
  for (guint s = 10; s < 13; s++)
    g_assert_cmpuint (g_array_index (counts, guint64, s), ==, 200);
  g_assert_cmpuint (stampede_profile_total (profile), ==, 500 + 600);
  g_clear_pointer (&profile, stampede_profile_free);
  g_clear_pointer (&counts, g_array_unref);

  profile = stampede_profile_new_stages (burst, 1, &error);
  g_assert_no_error (error);
  counts = count_windows (profile, 1);
  for (guint s = 0; s < 20; s++) {
    gboolean in_burst = s == 5 || s == 6 || s == 15 || s == 16;

    g_assert_cmpuint (g_array_index (counts, guint64, s), ==,
                      in_burst ? 500 : 100);
  }
}

static double
wave_count (double base,
            double amplitude,
            double period,
            double t)
{
  return base * t
         + amplitude * period / (2 * G_PI) * (1 - cos (2 * G_PI * t / period));
}

static void
test_stage_wave (void)
{
  StampedeStage wave[] = { stampede_stage_wave (100, 80, 4, 8) };
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;

  /* r (t) = 100 + 80 sin (π t / 2); its integral is worked out above by
   * hand, and each half second holds the arrivals between. */
  profile = stampede_profile_new_stages (wave, 1, &error);
  g_assert_no_error (error);
  counts = count_windows (profile, 0.5);
  g_assert_cmpuint (counts->len, ==, 16);

  for (guint w = 0; w < counts->len; w++) {
    double a = wave_count (100, 80, 4, w * 0.5);
    double b = wave_count (100, 80, 4, (w + 1) * 0.5);

    g_assert_cmpuint (g_array_index (counts, guint64, w), ==,
                      uniform_in_window (a, b));
  }
  g_assert_cmpuint (stampede_profile_total (profile), ==, 800);
}

static void
test_stage_chaos (void)
{
  StampedeStage chaos[] = { stampede_stage_chaos (300, 100, 600, 2, 40, 7) };
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autoptr(GError) error = NULL;
  double count = 0;
  gboolean moved = FALSE;

  /* The walk is linear between its points every 2 s, so the trapezoid
   * rule over its rate at those points gives each window's integral
   * exactly, without the profile's own integral. */
  profile = stampede_profile_new_stages (chaos, 1, &error);
  g_assert_no_error (error);
  counts = count_windows (profile, 2);
  g_assert_cmpuint (counts->len, ==, 20);

  for (guint w = 0; w < counts->len; w++) {
    double r0 = stampede_profile_rate_at (profile, 2 * w);
    double r1 = w + 1 < counts->len
                ? stampede_profile_rate_at (profile, 2 * w + 2 - 1e-12)
                : stampede_profile_rate_at (profile, 40 - 1e-12);
    double next = count + (r0 + r1);

    g_assert_cmpfloat (r0, >=, 100);
    g_assert_cmpfloat (r0, <=, 600);
    if (fabs (r0 - 300) > 1)
      moved = TRUE;
    /* The last window ends with the last whole arrival. */
    if (w + 1 == counts->len)
      next = floor (next);
    g_assert_cmpuint (g_array_index (counts, guint64, w), ==,
                      uniform_in_window (count, next));
    count = next;
  }

  g_assert_true (moved);
}

/* Poisson arrivals at 1000/s: the count in each second is Poisson with
 * mean and variance 1000, where evenly spaced arrivals give exactly 1000
 * with no spread. */
static void
test_poisson_windows (void)
{
  StampedeStage stages[] = { stampede_stage_sustained (1000, 30) };
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GArray) counts = NULL;
  double sum = 0;
  double squares = 0;
  double mean, variance;

  profile = stampede_profile_new_stages (stages, 1, NULL);
  stampede_profile_set_poisson (profile, 42, 1);
  g_assert_true (stampede_profile_is_poisson (profile));
  counts = count_windows (profile, 1);

  for (guint w = 0; w < counts->len; w++) {
    double c = (double) g_array_index (counts, guint64, w);

    /* Six standard deviations either side. */
    g_assert_cmpfloat (fabs (c - 1000), <, 6 * sqrt (1000));
    sum += c;
    squares += c * c;
  }

  mean = sum / counts->len;
  variance = (squares - counts->len * mean * mean) / (counts->len - 1);
  g_test_message ("mean %.1f, variance %.1f over %u s", mean, variance,
                  counts->len);

  /* The total within five standard deviations of 30,000; the variance
   * of 30 draws far from 0 and near 1000 (a χ² of 29 degrees of freedom
   * lies in [0.4, 1.9] times its mean with probability above 0.999). */
  g_assert_cmpfloat (fabs (sum - 30000), <, 5 * sqrt (30000));
  g_assert_cmpfloat (variance, >, 400);
  g_assert_cmpfloat (variance, <, 1900);
}

/* A ramp with Poisson arrivals: the counts per window follow the ramp's
 * integral, 5 (2 s + 1) in second s, within the spread of a Poisson
 * count, judged by Pearson's χ² over the ten windows. */
static void
test_poisson_ramp (void)
{
  StampedeStage stages[] = { stampede_stage_ramp (0, 1000, 10) };
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GArray) counts = NULL;
  double chi2 = 0;

  profile = stampede_profile_new_stages (stages, 1, NULL);
  stampede_profile_set_poisson (profile, 9, 2);
  counts = count_windows (profile, 1);

  for (guint s = 0; s < counts->len; s++) {
    double expected = 50.0 * (2 * s + 1);
    double c = (double) g_array_index (counts, guint64, s);

    chi2 += (c - expected) * (c - expected) / expected;
  }

  /* P (χ²₁₀ > 35) < 0.0002. */
  g_test_message ("chi2 %.2f over 10 windows", chi2);
  g_assert_cmpfloat (chi2, <, 35);
}

/* The times come from one stream in order of k, so they do not depend on
 * how many workers share them, and a seed repeats them. */
static void
test_poisson_reproducible (void)
{
  StampedeStage stages[] = { stampede_stage_sustained (500, 4) };
  g_autoptr(StampedeProfile) one = stampede_profile_new_stages (stages, 1,
                                                                NULL);
  g_autoptr(StampedeProfile) three = stampede_profile_new_stages (stages, 1,
                                                                  NULL);
  g_autoptr(StampedeProfile) other = stampede_profile_new_stages (stages, 1,
                                                                  NULL);
  guint64 k_three[3] = { 0, 1, 2 };
  guint same = 0;

  stampede_profile_set_poisson (one, 5, 1);
  stampede_profile_set_poisson (three, 5, 3);
  stampede_profile_set_poisson (other, 6, 1);

  /* Three consumers asking in an interleaving of their own. */
  for (guint64 k = 0; k < 1500; k++) {
    double t = stampede_profile_time_of (one, k);
    guint c = (guint) ((k * 7) % 3);
    double t3;

    g_assert_false (isinf (t));
    t3 = stampede_profile_time_of (three, k_three[c]);
    g_assert_cmpfloat (stampede_profile_time_of (one, k_three[c]), ==, t3);
    k_three[c] += 3;

    if (stampede_profile_time_of (other, k) == t)
      same++;
  }

  g_assert_cmpuint (same, <, 10);
}

/* A drawn arrival after a change of rate keeps its place in the count: at
 * rate 0 it never comes, and when the rate comes back it does, later. */
static void
test_poisson_set_rate (void)
{
  StampedeStage stages[] = { stampede_stage_sustained (100, 10) };
  g_autoptr(StampedeProfile) profile = stampede_profile_new_stages (stages, 1,
                                                                    NULL);
  guint64 k = 0;
  double before;

  stampede_profile_set_poisson (profile, 3, 1);
  while (stampede_profile_time_of (profile, k) <= 2)
    k++;
  before = stampede_profile_time_of (profile, k);
  g_assert_cmpfloat (before, >, 2);

  stampede_profile_set_rate_from (profile, 2, 0);
  g_assert_true (isinf (stampede_profile_time_of (profile, k)));

  /* Back to 100/s at 3 s: nothing came during the pause, so arrival k is
   * as far past 3 s as it was past 2 s. */
  stampede_profile_set_rate_from (profile, 3, 100);
  g_assert_cmpfloat_with_epsilon (stampede_profile_time_of (profile, k),
                                  before + 1, 1e-6);
  g_assert_cmpfloat (stampede_profile_time_of (profile, k + 1), >,
                     before + 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/profile/total", test_total);
  g_test_add_func ("/stampede/profile/time-of-by-hand", test_time_of_by_hand);
  g_test_add_func ("/stampede/profile/time-of-consistent",
                   test_time_of_consistent);
  g_test_add_func ("/stampede/profile/windows", test_windows);
  g_test_add_func ("/stampede/profile/set-rate-from", test_set_rate_from);
  g_test_add_func ("/stampede/profile/set-rate-during-ramp",
                   test_set_rate_during_ramp);
  g_test_add_func ("/stampede/profile/stage-kinds", test_stage_kinds);
  g_test_add_func ("/stampede/profile/stage-wave", test_stage_wave);
  g_test_add_func ("/stampede/profile/stage-chaos", test_stage_chaos);
  g_test_add_func ("/stampede/profile/poisson-windows", test_poisson_windows);
  g_test_add_func ("/stampede/profile/poisson-ramp", test_poisson_ramp);
  g_test_add_func ("/stampede/profile/poisson-reproducible",
                   test_poisson_reproducible);
  g_test_add_func ("/stampede/profile/poisson-set-rate",
                   test_poisson_set_rate);

  return g_test_run ();
}
