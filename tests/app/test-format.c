/* test-format.c — how the app writes figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-format.h"

static void
assert_text (char       *text,
             const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
test_count (void)
{
  assert_text (stampede_format_count (0), "0");
  assert_text (stampede_format_count (7), "7");
  assert_text (stampede_format_count (999), "999");
  assert_text (stampede_format_count (1000), "1,000");
  assert_text (stampede_format_count (12345), "12,345");
  assert_text (stampede_format_count (123456), "123,456");
  assert_text (stampede_format_count (1234567), "1,234,567");
  assert_text (stampede_format_count (G_MAXUINT64),
               "18,446,744,073,709,551,615");
}

static void
test_rate (void)
{
  assert_text (stampede_format_rate (0.0), "0");
  assert_text (stampede_format_rate (399.6), "400");
  assert_text (stampede_format_rate (12345.4), "12,345");
  assert_text (stampede_format_rate (-1.0), STAMPEDE_FORMAT_NONE);
  assert_text (stampede_format_rate (NAN), STAMPEDE_FORMAT_NONE);
}

static void
test_usd (void)
{
  assert_text (stampede_format_usd (0.0), "$0");
  assert_text (stampede_format_usd (12345.0), "$12,345");
  assert_text (stampede_format_usd (12344.5), "$12,345");
  assert_text (stampede_format_usd (999.49), "$999");
  assert_text (stampede_format_usd (1000000.0), "$1,000,000");
  assert_text (stampede_format_usd (-1500.0), "-$1,500");
  assert_text (stampede_format_usd (INFINITY), STAMPEDE_FORMAT_NONE);
}

static void
test_ms (void)
{
  assert_text (stampede_format_ms (0.142), "0.142 ms");
  assert_text (stampede_format_ms (2.5), "2.50 ms");
  assert_text (stampede_format_ms (12.34), "12.3 ms");
  assert_text (stampede_format_ms (1250.0), "1,250 ms");
  assert_text (stampede_format_ms (-3.0), STAMPEDE_FORMAT_NONE);
}

static void
test_percent (void)
{
  assert_text (stampede_format_percent (0.975), "97.5 %");
  assert_text (stampede_format_percent (1.0), "100.0 %");
  assert_text (stampede_format_percent (0.0), "0.0 %");
  assert_text (stampede_format_percent (NAN), STAMPEDE_FORMAT_NONE);
}

static void
test_clock (void)
{
  assert_text (stampede_format_clock (0.0), "0:00");
  assert_text (stampede_format_clock (5.9), "0:05");
  assert_text (stampede_format_clock (140.0), "2:20");
  assert_text (stampede_format_clock (3725.0), "1:02:05");
  assert_text (stampede_format_clock (-1.0), STAMPEDE_FORMAT_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/format/count", test_count);
  g_test_add_func ("/stampede/format/rate", test_rate);
  g_test_add_func ("/stampede/format/usd", test_usd);
  g_test_add_func ("/stampede/format/ms", test_ms);
  g_test_add_func ("/stampede/format/percent", test_percent);
  g_test_add_func ("/stampede/format/clock", test_clock);

  return g_test_run ();
}
