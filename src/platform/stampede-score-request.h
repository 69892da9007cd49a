/* stampede-score-request.h — a transaction as the platform receives it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest identifier the platform accepts, in bytes. */
#define STAMPEDE_SCORE_ID_MAX 64

/**
 * StampedeScoreRequest:
 *
 * A validated `POST /v1/score` body.  @amount is in units of @currency;
 * @amount_usd is the same amount converted with the platform's own fixed
 * rate table.
 */
typedef struct {
  char     id[STAMPEDE_SCORE_ID_MAX + 1];
  char     card_id[STAMPEDE_SCORE_ID_MAX + 1];
  char     merchant_id[STAMPEDE_SCORE_ID_MAX + 1];
  char     mcc[5];
  char     country[3];
  char     card_country[3];
  char     currency[4];
  char     channel[9];
  double   amount;
  double   amount_usd;
  gboolean has_location;
  double   lat;
  double   lon;
  gint64   timestamp_ms;
} StampedeScoreRequest;

gboolean stampede_score_request_parse (const char            *data,
                                       gsize                  len,
                                       StampedeScoreRequest  *out,
                                       GError               **error);
gboolean stampede_platform_usd_rate   (const char            *currency,
                                       double                *rate);

G_END_DECLS
