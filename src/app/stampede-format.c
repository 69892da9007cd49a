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
append_grouped (GString    *out,
                guint64     value,
                const char *separator)
{
  char digits[32];
  gsize len;

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, value);
  len = strlen (digits);

  for (gsize i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      g_string_append (out, separator);
    g_string_append_c (out, digits[i]);
  }
}

/* A narrow no-break space: SI's digit group separator, which keeps a
 * figure on one line. */
#define THIN_SPACE "\u202f"

/*
 * The display currencies and their rates per US dollar.  The rates are a
 * fixed table, not live quotes, so that a recorded demo reads the same
 * whenever it is replayed; Preferences shows them as an assumption.
 */
static const StampedeCurrency currencies[] = {
  { "USD", "$", 1.0 },
  { "EUR", "€", 0.92 },
  { "GBP", "£", 0.79 },
  { "JPY", "¥", 150.0 },
  { "CHF", "CHF\u00a0", 0.88 },
};

/* Large figures written short; a figure under the first threshold is
 * written in full. */
#define COMPACT_FROM 10000.0

static const struct {
  double      unit;
  const char *suffix;
} compact_units[] = {
  { 1e3, "K" },
  { 1e6, "M" },
  { 1e9, "B" },
  { 1e12, "T" },
};

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

  append_grouped (out, value, ",");

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
  append_grouped (out, (guint64) fabs (rounded), ",");

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

/* Writes a whole, non-negative figure short: "12.3K", "123K", "1.2M". */
static void
append_compact (GString *out,
                double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  guint unit = 0;
  double shown;

  for (guint i = 0; i < G_N_ELEMENTS (compact_units); i++) {
    if (value >= compact_units[i].unit)
      unit = i;
  }

  /* One decimal below a hundred units, none above; a figure that rounds
   * up to a thousand units moves on to the next unit. */
  shown = value / compact_units[unit].unit;
  shown = shown < 99.95 ? round (shown * 10.0) / 10.0 : round (shown);
  if (shown >= 1000.0 && unit + 1 < G_N_ELEMENTS (compact_units)) {
    unit++;
    shown = round (value / compact_units[unit].unit * 10.0) / 10.0;
  }

  g_ascii_formatd (text, sizeof text,
                   shown == floor (shown) ? "%.0f" : "%.1f", shown);
  g_string_append (out, text);
  g_string_append (out, compact_units[unit].suffix);
}

static void
append_figure (GString                   *out,
               double                     value,
               const StampedeNumberStyle *style)
{
  double magnitude = fabs (round (value));

  if (style != NULL && style->compact && magnitude >= COMPACT_FROM)
    append_compact (out, magnitude);
  else
    append_grouped (out, (guint64) magnitude,
                    style != NULL && style->thin_space ? THIN_SPACE : ",");
}

/**
 * stampede_format_figure:
 * @value: a figure
 * @style: (nullable): how to write it; %NULL for the default style
 *
 * Writes a figure rounded to a whole number, grouped or written short as
 * @style says, e.g. "12,345", "12 345" or "12.3K".  The text does not
 * depend on the locale, so that a screen reads the same on every laptop.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_figure (double                     value,
                        const StampedeNumberStyle *style)
{
  GString *out;

  if (!isfinite (value))
    return g_strdup (STAMPEDE_FORMAT_NONE);

  out = g_string_new (NULL);
  if (round (value) < 0)
    g_string_append_c (out, '-');
  append_figure (out, value, style);

  return g_string_free (out, FALSE);
}

/**
 * stampede_format_money:
 * @usd: an amount in US dollars
 * @currency: the display currency
 * @style: (nullable): how to write the figure
 *
 * Converts @usd with the fixed rate of @currency and writes it in whole
 * units with the currency's symbol, e.g. "$1.2M", "€12,345", "-£5".
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_money (double                     usd,
                       const StampedeCurrency    *currency,
                       const StampedeNumberStyle *style)
{
  GString *out;
  double value;

  g_return_val_if_fail (currency != NULL, NULL);

  value = usd * currency->per_usd;
  if (!isfinite (value))
    return g_strdup (STAMPEDE_FORMAT_NONE);

  out = g_string_new (NULL);
  if (round (value) < 0)
    g_string_append_c (out, '-');
  g_string_append (out, currency->symbol);
  append_figure (out, value, style);

  return g_string_free (out, FALSE);
}

static char *
format_percent_rounded (double   fraction,
                        guint    decimals,
                        gboolean up)
{
  char format[16];
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  double scale;
  double scaled;

  if (!isfinite (fraction) || fraction < 0)
    return g_strdup (STAMPEDE_FORMAT_NONE);

  decimals = MIN (decimals, 4);
  scale = pow (10.0, decimals);

  /* The small allowance keeps 0.999 from reading as 99.8 % (or 0.001 as
   * 0.11 %) because such fractions have no exact binary form. */
  scaled = fraction * 100.0 * scale;
  scaled = up ? ceil (scaled - 1e-6) : floor (scaled + 1e-6);
  scaled += 0.0;  /* No "-0.00 %": a negative zero becomes zero. */

  g_snprintf (format, sizeof format, "%%.%uf", decimals);
  g_ascii_formatd (text, sizeof text, format, scaled / scale);

  return g_strdup_printf ("%s %%", text);
}

/**
 * stampede_format_percent_down:
 * @fraction: a fraction between 0 and 1
 * @decimals: how many decimals to show, at most 4
 *
 * Writes a fraction as a percentage rounded down, e.g. "99.9 %" for
 * 0.99996, so that a share short of everything never shows as 100 %.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_percent_down (double fraction,
                              guint  decimals)
{
  return format_percent_rounded (fraction, decimals, FALSE);
}

/**
 * stampede_format_percent_up:
 * @fraction: a fraction between 0 and 1
 * @decimals: how many decimals to show, at most 4
 *
 * Writes a fraction as a percentage rounded up, e.g. "0.01 %" for
 * 0.00002, so that a rare failure never shows as 0 %.
 *
 * Returns: (transfer full): the text
 */
char *
stampede_format_percent_up (double fraction,
                            guint  decimals)
{
  return format_percent_rounded (fraction, decimals, TRUE);
}

/**
 * stampede_currency_lookup:
 * @code: an ISO 4217 code
 *
 * Returns: (nullable): the display currency of that code, or %NULL when it
 *   is not one of stampede_currency_list()
 */
const StampedeCurrency *
stampede_currency_lookup (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++) {
    if (g_strcmp0 (currencies[i].code, code) == 0)
      return &currencies[i];
  }

  return NULL;
}

/**
 * stampede_currency_list:
 * @n_currencies: (out): where to store the number of currencies
 *
 * Lists the display currencies, US dollars first.
 *
 * Returns: (array length=n_currencies): the currencies
 */
const StampedeCurrency *
stampede_currency_list (guint *n_currencies)
{
  g_return_val_if_fail (n_currencies != NULL, NULL);

  *n_currencies = G_N_ELEMENTS (currencies);

  return currencies;
}
