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

  return g_test_run ();
}
