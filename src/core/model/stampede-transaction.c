/* stampede-transaction.c — one card transaction and its request body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-transaction.h"

#include <math.h>
#include <string.h>

typedef struct {
  char   code[4];
  guint8 minor_units;
  double usd_per_unit;
} Currency;

/*
 * The currencies the factory uses, with their ISO 4217 minor units.  The
 * USD rates are a fixed table of approximate mid-2024 reference rates, not
 * live quotes: runs must be reproducible and work offline, and the rates
 * only serve to express amounts in one display currency.
 */
static const Currency currencies[] = {
  { "USD", 2, 1.0 },
  { "EUR", 2, 1.08 },
  { "GBP", 2, 1.27 },
  { "CHF", 2, 1.13 },
  { "SEK", 2, 0.095 },
  { "PLN", 2, 0.25 },
  { "CAD", 2, 0.74 },
  { "MXN", 2, 0.058 },
  { "BRL", 2, 0.19 },
  { "AUD", 2, 0.66 },
  { "SGD", 2, 0.74 },
  { "CNY", 2, 0.138 },
  { "INR", 2, 0.012 },
  { "ZAR", 2, 0.054 },
  { "NGN", 2, 0.00068 },
  { "JPY", 0, 0.0066 },
  { "KRW", 0, 0.00073 },
  { "KWD", 3, 3.26 },
  { "BHD", 3, 2.66 },
};

static const Currency *
find_currency (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++) {
    if (strcmp (currencies[i].code, code) == 0)
      return &currencies[i];
  }

  return NULL;
}

/**
 * stampede_currency_usd_rate:
 * @currency: an ISO 4217 code
 *
 * Returns: US dollars per one major unit of @currency from the fixed rate
 *   table, or 0 for a currency the table does not know
 */
double
stampede_currency_usd_rate (const char *currency)
{
  const Currency *found;

  g_return_val_if_fail (currency != NULL, 0);

  found = find_currency (currency);

  return found != NULL ? found->usd_per_unit : 0;
}

/**
 * stampede_currency_minor_units:
 * @currency: an ISO 4217 code
 *
 * Returns: the number of decimal digits of @currency's minor unit: 0 for
 *   JPY, 3 for KWD, 2 for EUR and for currencies the table does not know
 */
guint8
stampede_currency_minor_units (const char *currency)
{
  const Currency *found;

  g_return_val_if_fail (currency != NULL, 2);

  found = find_currency (currency);

  return found != NULL ? found->minor_units : 2;
}

/*
 * A bounded writer in the manner of snprintf: it keeps counting past the
 * end of the buffer so that the caller learns the length it needs, and
 * never writes beyond @len - 1 bytes plus the terminating NUL.
 */
typedef struct {
  char  *buf;
  gsize  len;
  gsize  pos;
} Writer;

static inline void
put_char (Writer *w,
          char    c)
{
  if (w->pos + 1 < w->len)
    w->buf[w->pos] = c;
  w->pos++;
}

static inline void
put_bytes (Writer     *w,
           const char *s,
           gsize       n)
{
  if (w->pos + n < w->len) {
    memcpy (w->buf + w->pos, s, n);
    w->pos += n;
    return;
  }

  for (gsize i = 0; i < n; i++)
    put_char (w, s[i]);
}

#define put_literal(w, s) put_bytes ((w), (s), sizeof (s) - 1)

static void
put_uint (Writer  *w,
          guint64  value,
          guint    min_digits)
{
  char digits[24];
  guint n = 0;

  do {
    digits[n++] = (char) ('0' + value % 10);
    value /= 10;
  } while (value != 0 || n < min_digits);

  while (n > 0)
    put_char (w, digits[--n]);
}

static void
put_int (Writer *w,
         gint64  value)
{
  if (value < 0) {
    put_char (w, '-');
    put_uint (w, (guint64) 0 - (guint64) value, 1);
    return;
  }

  put_uint (w, (guint64) value, 1);
}

static void
put_hex16 (Writer  *w,
           guint64  value)
{
  static const char hex[] = "0123456789abcdef";
  char digits[16];

  for (int i = 15; i >= 0; i--) {
    digits[i] = hex[value & 0xf];
    value >>= 4;
  }

  put_bytes (w, digits, sizeof digits);
}

/* Writes a coordinate with four decimals (about 11 m), by hand rather than
 * through printf so that the decimal separator never follows the locale. */
static void
put_coordinate (Writer *w,
                double  degrees)
{
  gint64 scaled = (gint64) llround (degrees * 10000.0);
  guint64 magnitude;

  if (scaled < 0)
    put_char (w, '-');
  magnitude = scaled < 0 ? (guint64) 0 - (guint64) scaled : (guint64) scaled;

  put_uint (w, magnitude / 10000, 1);
  put_char (w, '.');
  put_uint (w, magnitude % 10000, 4);
}

static void
put_amount (Writer *w,
            gint64  amount_minor,
            guint8  minor_units)
{
  guint64 scale = 1;
  guint64 magnitude;

  for (guint i = 0; i < minor_units; i++)
    scale *= 10;

  if (amount_minor < 0)
    put_char (w, '-');
  magnitude = amount_minor < 0
              ? (guint64) 0 - (guint64) amount_minor
              : (guint64) amount_minor;

  put_uint (w, magnitude / scale, 1);
  if (minor_units > 0) {
    put_char (w, '.');
    put_uint (w, magnitude % scale, minor_units);
  }
}

/*
 * Writes @s as a JSON string.  Quotes, backslashes and control characters
 * are escaped; valid UTF-8 passes through; a byte that is not valid UTF-8
 * becomes U+FFFD so that the request stays valid JSON whatever a fixed-size
 * field was cut to.
 */
static void
put_string (Writer     *w,
            const char *s,
            gsize       max)
{
  static const char hex[] = "0123456789abcdef";
  const char *end = s + strnlen (s, max);
  const char *p = s;

  put_char (w, '"');

  while (p < end) {
    const char *valid_end;
    const char *run = p;

    g_utf8_validate (p, end - p, &valid_end);

    for (; p < valid_end; p++) {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      put_bytes (w, run, p - run);
      run = p + 1;

      switch (c) {
      case '"': put_literal (w, "\\\""); break;
      case '\\': put_literal (w, "\\\\"); break;
      case '\n': put_literal (w, "\\n"); break;
      case '\r': put_literal (w, "\\r"); break;
      case '\t': put_literal (w, "\\t"); break;
      case '\b': put_literal (w, "\\b"); break;
      case '\f': put_literal (w, "\\f"); break;
      default:
        put_literal (w, "\\u00");
        put_char (w, hex[c >> 4]);
        put_char (w, hex[c & 0xf]);
        break;
      }
    }
    put_bytes (w, run, p - run);

    if (p < end) {
      put_literal (w, "\\ufffd");
      p++;
    }
  }

  put_char (w, '"');
}

#define put_field(w, key, field) \
  G_STMT_START { \
    put_literal ((w), ",\"" key "\":"); \
    put_string ((w), (field), sizeof (field)); \
  } G_STMT_END

/**
 * stampede_transaction_to_json:
 * @tx: a transaction
 * @buf: (out caller-allocates) (array length=len): where to write
 * @len: size of @buf in bytes
 *
 * Writes the request body for @tx, in the format of the wire contract,
 * NUL-terminated.  Ground truth is left out.  An empty @merchant_name or
 * @channel, and a NaN @lat or @lon, are left out as optional fields.
 *
 * Like snprintf(), writes at most @len bytes including the NUL, and
 * returns the length of the whole body without the NUL, so a return value
 * of @len or more means the body was cut.
 *
 * Returns: the length of the body
 */
gsize
stampede_transaction_to_json (const StampedeTransaction *tx,
                              char                      *buf,
                              gsize                      len)
{
  Writer w = { buf, len, 0 };

  g_return_val_if_fail (tx != NULL, 0);
  g_return_val_if_fail (buf != NULL || len == 0, 0);

  put_literal (&w, "{\"id\":\"tx-");
  put_hex16 (&w, tx->id);
  put_char (&w, '"');
  put_field (&w, "card_id", tx->card_id);
  put_field (&w, "merchant_id", tx->merchant_id);
  if (tx->merchant_name[0] != '\0')
    put_field (&w, "merchant_name", tx->merchant_name);
  put_field (&w, "mcc", tx->mcc);
  put_field (&w, "country", tx->country);
  put_field (&w, "card_country", tx->card_country);

  put_literal (&w, ",\"amount\":\"");
  put_amount (&w, tx->amount_minor, tx->minor_units);
  put_char (&w, '"');
  put_field (&w, "currency", tx->currency);

  if (!isnan (tx->lat) && !isnan (tx->lon)) {
    put_literal (&w, ",\"lat\":");
    put_coordinate (&w, tx->lat);
    put_literal (&w, ",\"lon\":");
    put_coordinate (&w, tx->lon);
  }
  if (tx->channel[0] != '\0')
    put_field (&w, "channel", tx->channel);

  put_literal (&w, ",\"timestamp_ms\":");
  put_int (&w, tx->timestamp_ms);
  put_char (&w, '}');

  if (len > 0)
    buf[MIN (w.pos, len - 1)] = '\0';

  return w.pos;
}
