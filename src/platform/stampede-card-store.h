/* stampede-card-store.h — bounded, sharded per-card state of the platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many of a card's latest transactions the store remembers. */
#define STAMPEDE_CARD_RECENT 16

/**
 * StampedeCardHistory:
 * @count: transactions seen on the card before this one
 * @mean_log: running mean of ln(1 + amount in USD)
 * @m2_log: running sum of squared deviations of the same (Welford)
 * @last_ts_ms: timestamp of the latest transaction seen
 * @has_location: whether @last_lat, @last_lon and @location_ts_ms are set
 * @last_lat: latitude of the latest transaction that had a location
 * @last_lon: longitude of the same
 * @location_ts_ms: timestamp of the same
 * @location_country: the merchant country of the same
 * @n_recent: how many entries of @recent_ts and @recent_usd are set
 * @recent_ts: timestamps of the latest transactions, oldest first
 * @recent_usd: their amounts in USD
 *
 * What the store knew about a card before the transaction being scored.
 */
typedef struct {
  guint64  count;
  double   mean_log;
  double   m2_log;
  gint64   last_ts_ms;
  gboolean has_location;
  double   last_lat;
  double   last_lon;
  gint64   location_ts_ms;
  char     location_country[3];
  guint    n_recent;
  gint64   recent_ts[STAMPEDE_CARD_RECENT];
  double   recent_usd[STAMPEDE_CARD_RECENT];
} StampedeCardHistory;

/**
 * StampedeCardEvent:
 *
 * The part of a transaction that the store keeps.
 */
typedef struct {
  gint64   timestamp_ms;
  double   amount_usd;
  gboolean has_location;
  double   lat;
  double   lon;
  char     country[3];
} StampedeCardEvent;

typedef struct _StampedeCardStore StampedeCardStore;

StampedeCardStore *stampede_card_store_new     (guint                    capacity);
void               stampede_card_store_free    (StampedeCardStore       *self);
void               stampede_card_store_observe (StampedeCardStore       *self,
                                                const char              *card_id,
                                                const StampedeCardEvent *event,
                                                StampedeCardHistory     *prior);
gboolean           stampede_card_store_lookup  (StampedeCardStore       *self,
                                                const char              *card_id,
                                                StampedeCardHistory     *history);
guint              stampede_card_store_get_size (StampedeCardStore      *self);
guint              stampede_card_store_get_capacity
                                               (StampedeCardStore       *self);
guint64            stampede_card_store_get_evictions
                                               (StampedeCardStore       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeCardStore, stampede_card_store_free)

G_END_DECLS
