/* stampede-format.c — how the app writes figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-format.h"

/*
 * Figures are grouped by threes with a comma whatever the locale, so that a
 * screen shown to an audience reads the same on every laptop; the wire
 * formats and the reports use the same convention.
 */
static void
append_grouped (GString *out,
                guint64  value)
{
  char digits[32];
  gsize len;

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, value);
  len = strlen (digits);

  for (gsize i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      g_string_append_c (out, ',');
    g_string_append_c (out, digits[i]);
  }
}

/**
 * stampede_format_count:
 * @value: a count
 *
 * Writes a count with its thousands grouped, e.g. "12,345".
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_count (guint64 value)
{
  GString *out = g_string_new (NULL);

  append_grouped (out, value);

  return g_string_free (out, FALSE);
}

/**
 * stampede_format_rate:
 * @per_second: a rate, events per second
 *
 * Writes a rate rounded to a whole number of events per second, grouped
 * like a count; a negative or non-finite rate is shown as nothing measured.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_rate (double per_second)
{
  if (!isfinite (per_second) || per_second < 0)
    return g_strdup (STAMPEDE_FORMAT_NONE);

  return stampede_format_count ((guint64) llround (per_second));
}

/**
 * stampede_format_usd:
 * @value: an amount in US dollars
 *
 * Writes an amount in whole dollars with a dollar sign and grouped
 * thousands, e.g. "$12,345" or "-$5".
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_usd (double value)
{
  GString *out;
  double rounded;

  if (!isfinite (value))
    return g_strdup (STAMPEDE_FORMAT_NONE);

  out = g_string_new (NULL);
  rounded = round (value);
  if (rounded < 0)
    g_string_append_c (out, '-');
  g_string_append_c (out, '$');
  append_grouped (out, (guint64) fabs (rounded));

  return g_string_free (out, FALSE);
}

/**
 * stampede_format_ms:
 * @ms: a duration in milliseconds
 *
 * Writes a latency with three significant figures below 100 ms and whole
 * milliseconds above, e.g. "0.142 ms", "12.3 ms", "1,250 ms".
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_ms (double ms)
{
  g_autofree char *whole = NULL;

  if (!isfinite (ms) || ms < 0)
    return g_strdup (STAMPEDE_FORMAT_NONE);

  if (ms < 1.0)
    return g_strdup_printf ("%.3f ms", ms);
  if (ms < 10.0)
    return g_strdup_printf ("%.2f ms", ms);
  if (ms < 100.0)
    return g_strdup_printf ("%.1f ms", ms);

  whole = stampede_format_count ((guint64) llround (ms));

  return g_strdup_printf ("%s ms", whole);
}

/**
 * stampede_format_percent:
 * @fraction: a fraction between 0 and 1
 *
 * Writes a fraction as a percentage with one decimal, e.g. "97.5 %".
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_percent (double fraction)
{
  if (!isfinite (fraction) || fraction < 0)
    return g_strdup (STAMPEDE_FORMAT_NONE);

  return g_strdup_printf ("%.1f %%", fraction * 100.0);
}

/**
 * stampede_format_clock:
 * @seconds: a duration in seconds
 *
 * Writes a duration as minutes and seconds, e.g. "2:05", or with hours
 * when it is an hour or longer, e.g. "1:02:05".  Seconds are truncated, as
 * a clock shows them.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_clock (double seconds)
{
  guint64 total;

  if (!isfinite (seconds) || seconds < 0)
    return g_strdup (STAMPEDE_FORMAT_NONE);

  total = (guint64) floor (seconds);
  if (total >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", total / 3600,
                            (guint) (total / 60 % 60), (guint) (total % 60));

  return g_strdup_printf ("%u:%02u", (guint) (total / 60),
                          (guint) (total % 60));
}
