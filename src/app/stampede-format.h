/* stampede-format.h — how the app writes figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The text a figure shows while there is nothing measured to show. */
#define STAMPEDE_FORMAT_NONE "—"

/**
 * StampedeNumberStyle:
 * @compact: write large figures short, "1.2M" for 1,234,567
 * @thin_space: group digits with a narrow no-break space, as SI writes
 *   them in every language, instead of a comma
 *
 * How a presentation profile writes its figures.
 */
typedef struct {
  gboolean compact;
  gboolean thin_space;
} StampedeNumberStyle;

/**
 * StampedeCurrency:
 * @code: the ISO 4217 code
 * @symbol: what is written before an amount
 * @per_usd: units of this currency per US dollar, from a fixed table
 *
 * A display currency.  The rates are fixed assumptions, shown as such in
 * Preferences: amounts are measured in US dollars and only converted for
 * display.
 */
typedef struct {
  const char *code;
  const char *symbol;
  double      per_usd;
} StampedeCurrency;

char *stampede_format_count    (guint64 value);
char *stampede_format_rate     (double  per_second);
char *stampede_format_usd      (double  value);
char *stampede_format_ms       (double  ms);
char *stampede_format_percent  (double  fraction);
char *stampede_format_clock    (double  seconds);

char *stampede_format_figure       (double                     value,
                                    const StampedeNumberStyle *style);
char *stampede_format_money        (double                     usd,
                                    const StampedeCurrency    *currency,
                                    const StampedeNumberStyle *style);
char *stampede_format_percent_down (double                     fraction,
                                    guint                      decimals);
char *stampede_format_percent_up   (double                     fraction,
                                    guint                      decimals);

const StampedeCurrency *stampede_currency_lookup (const char *code);
const StampedeCurrency *stampede_currency_list   (guint      *n_currencies);

G_END_DECLS
