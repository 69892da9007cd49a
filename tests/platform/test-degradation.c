/* test-degradation.c — the degradation levels and their sliding window,
 * driven with synthetic observations and a synthetic clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-degradation.h"

#define S(x) ((gint64) ((x) * (double) G_USEC_PER_SEC))

/* n answers in second `second`, the first `errors` of them errors and the
 * next `slow` of them taking slow_ms; the rest take 10 ms. */
static void
feed (StampedeDegradation *tracker,
      guint                second,
      guint                n,
      guint                errors,
      guint                slow,
      double               slow_ms)
{
  for (guint i = 0; i < n; i++) {
    gint64 at = S (second) + (gint64) i * (G_USEC_PER_SEC / 2) / n;

    stampede_degradation_observe (tracker, at,
                                  i >= errors && i < errors + slow ? slow_ms
                                                                   : 10,
                                  i < errors);
  }
}

static StampedeDegradationLevel
update_at (StampedeDegradation *tracker,
           double               seconds)
{
  return stampede_degradation_update (tracker, S (seconds));
}

/* 11 % errors is over the brief's 10 %; exactly 10 % is not. */
static void
test_error_rate (void)
{
  g_autoptr(StampedeDegradation) over = stampede_degradation_new (5, 2);
  g_autoptr(StampedeDegradation) at = stampede_degradation_new (5, 2);
  StampedeDegradationWindow window;

  feed (over, 0, 100, 11, 0, 0);
  g_assert_cmpint (update_at (over, 0.9), ==, STAMPEDE_DEGRADATION_CRITICAL);
  stampede_degradation_get_window (over, S (0.9), &window);
  g_assert_cmpuint (window.answers, ==, 100);
  g_assert_cmpuint (window.errors, ==, 11);
  g_assert_cmpfloat_with_epsilon (window.error_ratio, 0.11, 1e-12);

  feed (at, 0, 100, 10, 0, 0);
  g_assert_cmpint (update_at (at, 0.9), ==, STAMPEDE_DEGRADATION_NORMAL);
}

/* Below 20 answers a rate means nothing: 19 errors out of 19 do not make
 * the platform critical. */
static void
test_too_few (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);

  feed (tracker, 0, 19, 19, 0, 0);
  g_assert_cmpint (update_at (tracker, 0.9), ==, STAMPEDE_DEGRADATION_NORMAL);
  feed (tracker, 1, 1, 1, 0, 0);
  g_assert_cmpint (update_at (tracker, 1.9), ==,
                   STAMPEDE_DEGRADATION_CRITICAL);
}

/* With 100 answers the nearest-rank p99 is the 99th smallest: two answers
 * of 6 s put it at 6 s, one does not. */
static void
test_p99 (void)
{
  g_autoptr(StampedeDegradation) two = stampede_degradation_new (5, 2);
  g_autoptr(StampedeDegradation) one = stampede_degradation_new (5, 2);
  StampedeDegradationWindow window;

  feed (two, 0, 100, 0, 2, 6000);
  g_assert_cmpint (update_at (two, 0.9), ==, STAMPEDE_DEGRADATION_SEVERE);
  stampede_degradation_get_window (two, S (0.9), &window);
  g_assert_true (window.p99_over_enter);

  feed (one, 0, 100, 0, 1, 6000);
  g_assert_cmpint (update_at (one, 0.9), ==, STAMPEDE_DEGRADATION_NORMAL);
}

/* Process CPU as seconds used, sampled ten times a second as the
 * platform's housekeeping does, with the level updated after each sample:
 * 1.9 s a second on two cores is 95 %.  Returns the last level. */
static StampedeDegradationLevel
cpu_run (StampedeDegradation *tracker,
         guint                from_tenth,
         guint                to_tenth,
         double              *cpu_s,
         double               share)
{
  StampedeDegradationLevel level = STAMPEDE_DEGRADATION_NORMAL;

  for (guint tenth = from_tenth; tenth < to_tenth; tenth++) {
    gint64 at = (gint64) tenth * (G_USEC_PER_SEC / 10);

    stampede_degradation_observe_cpu (tracker, at, *cpu_s);
    level = stampede_degradation_update (tracker, at);
    *cpu_s += share * 2 * 0.1;
  }

  return level;
}

static void
test_cpu (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);
  StampedeDegradationWindow window;
  double cpu_s = 10;

  /* Less than a second of samples says nothing yet. */
  g_assert_cmpint (cpu_run (tracker, 0, 10, &cpu_s, 0.95), ==,
                   STAMPEDE_DEGRADATION_NORMAL);

  g_assert_cmpint (cpu_run (tracker, 10, 21, &cpu_s, 0.95), ==,
                   STAMPEDE_DEGRADATION_MODERATE);
  stampede_degradation_get_window (tracker, S (2.0), &window);
  g_assert_cmpfloat_with_epsilon (window.cpu_ratio, 0.95, 1e-6);

  /* 85 % is under the entry threshold but over the exit one: the level
   * holds. */
  g_assert_cmpint (cpu_run (tracker, 21, 120, &cpu_s, 0.85), ==,
                   STAMPEDE_DEGRADATION_MODERATE);

  /* At 50 % the window comes under 80 % after about 0.6 s (the mean of
   * 3.4 s at 85 % and 0.6 s at 50 %), and the level falls two seconds
   * after that. */
  g_assert_cmpint (cpu_run (tracker, 120, 125, &cpu_s, 0.5), ==,
                   STAMPEDE_DEGRADATION_MODERATE);
  g_assert_cmpint (cpu_run (tracker, 125, 250, &cpu_s, 0.5), ==,
                   STAMPEDE_DEGRADATION_NORMAL);
}

/* Errors outrank latency, which outranks CPU. */
static void
test_priority (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);

  feed (tracker, 0, 100, 11, 5, 6000);
  g_assert_cmpint (update_at (tracker, 0.9), ==,
                   STAMPEDE_DEGRADATION_CRITICAL);
}

/*
 * Critical at 11 % errors; 7 % (between the 5 % exit and the 10 % entry)
 * keeps it critical for as long as it lasts; 3 % brings it back to normal
 * once the window is under 5 % and has stayed there two seconds.  From
 * normal, 7 % is not enough to go up again.
 */
static void
test_hysteresis (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);

  feed (tracker, 0, 100, 11, 0, 0);
  g_assert_cmpint (update_at (tracker, 0.9), ==,
                   STAMPEDE_DEGRADATION_CRITICAL);

  for (guint s = 1; s <= 20; s++) {
    feed (tracker, s, 100, 7, 0, 0);
    g_assert_cmpint (update_at (tracker, s + 0.9), ==,
                     STAMPEDE_DEGRADATION_CRITICAL);
  }

  /* Windows of seconds 17–21, 18–22, …: 6.2 %, 5.4 %, then 4.6 % from
   * second 23 on; the level falls at 25.9, two seconds after 23.9. */
  for (guint s = 21; s <= 24; s++) {
    feed (tracker, s, 100, 3, 0, 0);
    g_assert_cmpint (update_at (tracker, s + 0.9), ==,
                     STAMPEDE_DEGRADATION_CRITICAL);
  }
  feed (tracker, 25, 100, 3, 0, 0);
  g_assert_cmpint (update_at (tracker, 25.9), ==,
                   STAMPEDE_DEGRADATION_NORMAL);

  for (guint s = 26; s <= 40; s++) {
    feed (tracker, s, 100, 7, 0, 0);
    g_assert_cmpint (update_at (tracker, s + 0.9), ==,
                     STAMPEDE_DEGRADATION_NORMAL);
  }
}

/* Severe at a p99 of 6 s; a p99 of 4.5 s holds it; when the slow answers
 * stop, it goes back to normal. */
static void
test_latency_recovery (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);
  guint s;

  feed (tracker, 0, 100, 0, 2, 6000);
  g_assert_cmpint (update_at (tracker, 0.9), ==, STAMPEDE_DEGRADATION_SEVERE);

  for (s = 1; s <= 10; s++) {
    feed (tracker, s, 100, 0, 2, 4500);
    g_assert_cmpint (update_at (tracker, s + 0.9), ==,
                     STAMPEDE_DEGRADATION_SEVERE);
  }

  for (; s <= 20; s++)
    feed (tracker, s, 100, 0, 0, 0);
  for (s = 11; s <= 20; s++)
    update_at (tracker, s + 0.9);
  g_assert_cmpint (update_at (tracker, 20.9), ==,
                   STAMPEDE_DEGRADATION_NORMAL);
}

/* Falling from critical lands on the highest level still deserved: with
 * clean answers but the CPU at 85 %, that is moderate. */
static void
test_step_down (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);
  StampedeDegradationLevel level = STAMPEDE_DEGRADATION_NORMAL;
  double cpu_s = 0;

  feed (tracker, 0, 100, 50, 0, 0);
  g_assert_cmpint (update_at (tracker, 0.9), ==,
                   STAMPEDE_DEGRADATION_CRITICAL);

  for (guint s = 1; s < 20; s++) {
    feed (tracker, s, 100, 0, 0, 0);
    level = cpu_run (tracker, 10 * s, 10 * s + 10, &cpu_s, 0.85);
  }
  g_assert_cmpint (level, ==, STAMPEDE_DEGRADATION_MODERATE);
}

/* What left the window is forgotten. */
static void
test_window_slides (void)
{
  g_autoptr(StampedeDegradation) tracker = stampede_degradation_new (5, 2);
  StampedeDegradationWindow window;

  feed (tracker, 0, 100, 30, 0, 0);
  feed (tracker, 3, 50, 0, 0, 0);
  stampede_degradation_get_window (tracker, S (4.9), &window);
  g_assert_cmpuint (window.answers, ==, 150);
  stampede_degradation_get_window (tracker, S (5.0), &window);
  g_assert_cmpuint (window.answers, ==, 50);
  g_assert_cmpuint (window.errors, ==, 0);
  stampede_degradation_get_window (tracker, S (8.0), &window);
  g_assert_cmpuint (window.answers, ==, 0);
  g_assert_cmpfloat (window.cpu_ratio, <, 0);
}

static void
test_names (void)
{
  const char *names[] = { "auto", "normal", "moderate", "severe", "critical" };
  StampedeDegradationLevel level;

  for (int i = 0; i < (int) G_N_ELEMENTS (names); i++) {
    g_assert_cmpstr (stampede_degradation_level_name (i - 1), ==, names[i]);
    g_assert_true (stampede_degradation_level_parse (names[i], &level));
    g_assert_cmpint (level, ==, i - 1);
  }

  g_assert_false (stampede_degradation_level_parse ("panic", &level));
}

/* The process's own CPU time can be read and grows with work. */
static void
test_process_cpu (void)
{
  double before = stampede_process_cpu_seconds ();
  double after;
  volatile double x = 0;
  gint64 end = g_get_monotonic_time () + 200000;

  g_assert_cmpfloat (before, >=, 0);
  while (g_get_monotonic_time () < end)
    x += 1;
  after = stampede_process_cpu_seconds ();
  g_assert_cmpfloat (after, >, before);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/degradation/error-rate", test_error_rate);
  g_test_add_func ("/stampede/degradation/too-few", test_too_few);
  g_test_add_func ("/stampede/degradation/p99", test_p99);
  g_test_add_func ("/stampede/degradation/cpu", test_cpu);
  g_test_add_func ("/stampede/degradation/priority", test_priority);
  g_test_add_func ("/stampede/degradation/hysteresis", test_hysteresis);
  g_test_add_func ("/stampede/degradation/latency-recovery",
                   test_latency_recovery);
  g_test_add_func ("/stampede/degradation/step-down", test_step_down);
  g_test_add_func ("/stampede/degradation/window-slides", test_window_slides);
  g_test_add_func ("/stampede/degradation/names", test_names);
  g_test_add_func ("/stampede/degradation/process-cpu", test_process_cpu);

  return g_test_run ();
}
