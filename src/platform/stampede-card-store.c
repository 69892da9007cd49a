/* stampede-card-store.c — bounded, sharded per-card state of the platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-card-store.h"

/*
 * Cards are spread over shards, each with its own lock, hash table and
 * least-recently-used list, so that several threads scoring different
 * cards rarely wait for each other.  Each shard holds at most its share of
 * the capacity and evicts its least recently seen card when full: a load
 * test can name millions of cards and the platform must not grow without
 * bound.
 */
#define N_SHARDS 16

typedef struct {
  GList   link;
  char   *card_id;
  guint64 count;
  double  mean_log;
  double  m2_log;
  gint64  last_ts_ms;
  gboolean has_location;
  double  last_lat;
  double  last_lon;
  gint64  location_ts_ms;
  char    location_country[3];
  guint   ring_head;
  guint   n_recent;
  gint64  recent_ts[STAMPEDE_CARD_RECENT];
  double  recent_usd[STAMPEDE_CARD_RECENT];
} Card;

typedef struct {
  GMutex      lock;
  GHashTable *cards;
  GQueue      lru;
  guint64     evictions;
} Shard;

struct _StampedeCardStore {
  guint per_shard;
  Shard shards[N_SHARDS];
};

static void
card_free (gpointer data)
{
  Card *card = data;

  g_free (card->card_id);
  g_free (card);
}

/* The shard index takes the hash's top bits after a multiplicative mix, so
 * that the shard and the bucket inside the shard's table (which uses the
 * low bits) are not correlated. */
static Shard *
shard_for (StampedeCardStore *self,
           const char        *card_id)
{
  guint32 hash = g_str_hash (card_id);

  hash = (hash ^ (hash >> 16)) * 0x45d9f3bu;

  return &self->shards[hash >> 28];
}

StampedeCardStore *
stampede_card_store_new (guint capacity)
{
  StampedeCardStore *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_new0 (StampedeCardStore, 1);
  self->per_shard = MAX (1, (capacity + N_SHARDS - 1) / N_SHARDS);

  for (guint i = 0; i < N_SHARDS; i++) {
    g_mutex_init (&self->shards[i].lock);
    self->shards[i].cards = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                   NULL, card_free);
    g_queue_init (&self->shards[i].lru);
  }

  return self;
}

void
stampede_card_store_free (StampedeCardStore *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < N_SHARDS; i++) {
    g_hash_table_destroy (self->shards[i].cards);
    g_mutex_clear (&self->shards[i].lock);
  }

  g_free (self);
}

static void
copy_history (const Card          *card,
              StampedeCardHistory *history)
{
  guint first;

  history->count = card->count;
  history->mean_log = card->mean_log;
  history->m2_log = card->m2_log;
  history->last_ts_ms = card->last_ts_ms;
  history->has_location = card->has_location;
  history->last_lat = card->last_lat;
  history->last_lon = card->last_lon;
  history->location_ts_ms = card->location_ts_ms;
  memcpy (history->location_country, card->location_country, 3);
  history->n_recent = card->n_recent;

  /* The ring is unrolled so that readers see the oldest entry first. */
  first = (card->ring_head + STAMPEDE_CARD_RECENT - card->n_recent)
          % STAMPEDE_CARD_RECENT;
  for (guint i = 0; i < card->n_recent; i++) {
    guint j = (first + i) % STAMPEDE_CARD_RECENT;

    history->recent_ts[i] = card->recent_ts[j];
    history->recent_usd[i] = card->recent_usd[j];
  }
}

static void
card_update (Card                    *card,
             const StampedeCardEvent *event)
{
  double x = log1p (MAX (event->amount_usd, 0));
  double delta;

  card->count++;
  delta = x - card->mean_log;
  card->mean_log += delta / (double) card->count;
  card->m2_log += delta * (x - card->mean_log);

  /* Transactions can arrive slightly out of order; the latest timestamp
   * and location are the ones that describe where the card is now. */
  card->last_ts_ms = MAX (card->last_ts_ms, event->timestamp_ms);
  if (event->has_location
      && (!card->has_location
          || event->timestamp_ms >= card->location_ts_ms)) {
    card->has_location = TRUE;
    card->last_lat = event->lat;
    card->last_lon = event->lon;
    card->location_ts_ms = event->timestamp_ms;
    memcpy (card->location_country, event->country, 2);
    card->location_country[2] = '\0';
  }

  card->recent_ts[card->ring_head] = event->timestamp_ms;
  card->recent_usd[card->ring_head] = event->amount_usd;
  card->ring_head = (card->ring_head + 1) % STAMPEDE_CARD_RECENT;
  card->n_recent = MIN (card->n_recent + 1, STAMPEDE_CARD_RECENT);
}

static Card *
shard_insert (StampedeCardStore *self,
              Shard             *shard,
              const char        *card_id)
{
  Card *card;

  while (shard->lru.length >= self->per_shard) {
    Card *oldest = g_queue_peek_tail (&shard->lru);

    g_queue_unlink (&shard->lru, &oldest->link);
    g_hash_table_remove (shard->cards, oldest->card_id);
    shard->evictions++;
  }

  card = g_new0 (Card, 1);
  card->card_id = g_strdup (card_id);
  card->link.data = card;
  g_hash_table_insert (shard->cards, card->card_id, card);
  g_queue_push_head_link (&shard->lru, &card->link);

  return card;
}

/**
 * stampede_card_store_observe:
 * @self: a store
 * @card_id: the card of the transaction
 * @event: what the store keeps of the transaction
 * @prior: (out): what the store knew of the card before @event
 *
 * Reads a card's history and adds @event to it in one step, so that two
 * transactions of the same card scored at once each see the other at most
 * once.  A card the store has never seen (or has evicted) reads as a
 * history with a count of zero.
 */
void
stampede_card_store_observe (StampedeCardStore       *self,
                             const char              *card_id,
                             const StampedeCardEvent *event,
                             StampedeCardHistory     *prior)
{
  Shard *shard;
  Card *card;

  g_return_if_fail (self != NULL);
  g_return_if_fail (card_id != NULL);
  g_return_if_fail (event != NULL);
  g_return_if_fail (prior != NULL);

  shard = shard_for (self, card_id);
  g_mutex_lock (&shard->lock);

  card = g_hash_table_lookup (shard->cards, card_id);
  if (card != NULL) {
    g_queue_unlink (&shard->lru, &card->link);
    g_queue_push_head_link (&shard->lru, &card->link);
    copy_history (card, prior);
  } else {
    memset (prior, 0, sizeof *prior);
    card = shard_insert (self, shard, card_id);
  }

  card_update (card, event);
  g_mutex_unlock (&shard->lock);
}

/**
 * stampede_card_store_lookup:
 * @self: a store
 * @card_id: a card
 * @history: (out): the card's history
 *
 * Reads a card's history without changing it or its place in the eviction
 * order.
 *
 * Returns: whether the store holds @card_id
 */
gboolean
stampede_card_store_lookup (StampedeCardStore   *self,
                            const char          *card_id,
                            StampedeCardHistory *history)
{
  Shard *shard;
  Card *card;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (card_id != NULL, FALSE);
  g_return_val_if_fail (history != NULL, FALSE);

  shard = shard_for (self, card_id);
  g_mutex_lock (&shard->lock);

  card = g_hash_table_lookup (shard->cards, card_id);
  if (card != NULL)
    copy_history (card, history);
  else
    memset (history, 0, sizeof *history);

  g_mutex_unlock (&shard->lock);

  return card != NULL;
}

guint
stampede_card_store_get_size (StampedeCardStore *self)
{
  guint size = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < N_SHARDS; i++) {
    g_mutex_lock (&self->shards[i].lock);
    size += self->shards[i].lru.length;
    g_mutex_unlock (&self->shards[i].lock);
  }

  return size;
}

/* The capacity asked for, rounded up to a whole number of cards a shard. */
guint
stampede_card_store_get_capacity (StampedeCardStore *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->per_shard * N_SHARDS;
}

guint64
stampede_card_store_get_evictions (StampedeCardStore *self)
{
  guint64 evictions = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < N_SHARDS; i++) {
    g_mutex_lock (&self->shards[i].lock);
    evictions += self->shards[i].evictions;
    g_mutex_unlock (&self->shards[i].lock);
  }

  return evictions;
}
