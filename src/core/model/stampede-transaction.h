/* stampede-transaction.h — one card transaction and its ground truth
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * StampedeTxKind:
 * @STAMPEDE_TX_LEGIT: an ordinary purchase by the card holder
 * @STAMPEDE_TX_FRAUD: a fraudulent transaction of a named typology
 * @STAMPEDE_TX_EDGE: a legitimate but unusual transaction (zero or huge
 *   amount, odd currency, non-ASCII merchant, missing optional fields)
 *
 * The class a transaction was generated as.  Only %STAMPEDE_TX_FRAUD is
 * fraud in the ground truth.
 */
typedef enum {
  STAMPEDE_TX_LEGIT,
  STAMPEDE_TX_FRAUD,
  STAMPEDE_TX_EDGE,
} StampedeTxKind;

/**
 * StampedeTransaction:
 *
 * A generated card transaction.  Everything up to @timestamp_ms is what is
 * sent to the target; @kind, @typology and @amount_usd are the engine's
 * ground truth and bookkeeping and never leave the engine.
 *
 * Strings are fixed-size so that a worker can reuse one struct per
 * transaction without allocating on the hot path.
 */
typedef struct {
  guint64         id;
  char            card_id[20];       /* "card-000123" */
  char            merchant_id[20];   /* "m-004567" */
  char            merchant_name[64]; /* UTF-8; "" = omitted */
  char            mcc[5];            /* ISO 18245 merchant category code */
  char            country[3];        /* ISO 3166-1 alpha-2 of the merchant */
  char            card_country[3];   /* home country of the card */
  char            currency[4];       /* ISO 4217 code */
  guint8          minor_units;       /* 0, 2 or 3 per ISO 4217 */
  gint64          amount_minor;      /* amount in minor units of @currency */
  double          lat;               /* NaN (with @lon) = omitted */
  double          lon;
  char            channel[8];        /* "pos", "ecom", "atm"; "" = omitted */
  gint64          timestamp_ms;      /* Unix epoch milliseconds */

  /* Ground truth: never serialized into a request. */
  StampedeTxKind  kind;
  const char     *typology;          /* static string; "" for legit */
  double          amount_usd;        /* amount in the display currency */
} StampedeTransaction;

gsize        stampede_transaction_to_json  (const StampedeTransaction *tx,
                                            char                      *buf,
                                            gsize                      len);
double       stampede_currency_usd_rate    (const char                *currency);
guint8       stampede_currency_minor_units (const char                *currency);

G_END_DECLS
