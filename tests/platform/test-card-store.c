/* test-card-store.c — the platform's bounded per-card state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-card-store.h"

static StampedeCardEvent
event_at (gint64 timestamp_ms,
          double usd)
{
  StampedeCardEvent event = { .timestamp_ms = timestamp_ms,
                              .amount_usd = usd };

  return event;
}

/* The first sight of a card reads as empty; the second sees the first. */
static void
test_prior (void)
{
  g_autoptr(StampedeCardStore) store = stampede_card_store_new (64);
  StampedeCardEvent first = { .timestamp_ms = 1000, .amount_usd = 25,
                              .has_location = TRUE, .lat = 48.85,
                              .lon = 2.35 };
  StampedeCardEvent second = event_at (2000, 30);
  StampedeCardHistory prior;

  stampede_card_store_observe (store, "card-a", &first, &prior);
  g_assert_cmpuint (prior.count, ==, 0);
  g_assert_false (prior.has_location);
  g_assert_cmpuint (prior.n_recent, ==, 0);

  stampede_card_store_observe (store, "card-a", &second, &prior);
  g_assert_cmpuint (prior.count, ==, 1);
  g_assert_cmpint (prior.last_ts_ms, ==, 1000);
  g_assert_true (prior.has_location);
  g_assert_cmpfloat (prior.last_lat, ==, 48.85);
  g_assert_cmpfloat (prior.last_lon, ==, 2.35);
  g_assert_cmpuint (prior.n_recent, ==, 1);
  g_assert_cmpfloat (prior.recent_usd[0], ==, 25);

  /* The second event had no location: the card is still where it was. */
  g_assert_true (stampede_card_store_lookup (store, "card-a", &prior));
  g_assert_cmpuint (prior.count, ==, 2);
  g_assert_cmpint (prior.location_ts_ms, ==, 1000);
  g_assert_cmpint (prior.last_ts_ms, ==, 2000);
  g_assert_false (stampede_card_store_lookup (store, "card-b", &prior));
}

/* Mean and sample variance of ln(1 + amount), computed here directly. */
static void
test_moments (void)
{
  g_autoptr(StampedeCardStore) store = stampede_card_store_new (64);
  const double amounts[] = { 10, 20, 30, 5, 120 };
  double mean = 0, var = 0;
  StampedeCardHistory history;

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++) {
    StampedeCardEvent event = event_at (i + 1, amounts[i]);

    stampede_card_store_observe (store, "card-m", &event, &history);
    mean += log (1 + amounts[i]) / G_N_ELEMENTS (amounts);
  }
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    var += pow (log (1 + amounts[i]) - mean, 2) / (G_N_ELEMENTS (amounts) - 1);

  g_assert_true (stampede_card_store_lookup (store, "card-m", &history));
  g_assert_cmpuint (history.count, ==, 5);
  g_assert_cmpfloat_with_epsilon (history.mean_log, mean, 1e-12);
  g_assert_cmpfloat_with_epsilon (history.m2_log / 4, var, 1e-12);
}

/* Only the latest STAMPEDE_CARD_RECENT transactions, oldest first. */
static void
test_recent_ring (void)
{
  g_autoptr(StampedeCardStore) store = stampede_card_store_new (64);
  StampedeCardHistory history;

  for (guint i = 1; i <= 20; i++) {
    StampedeCardEvent event = event_at (i * 100, i);

    stampede_card_store_observe (store, "card-r", &event, &history);
  }

  g_assert_true (stampede_card_store_lookup (store, "card-r", &history));
  g_assert_cmpuint (history.n_recent, ==, STAMPEDE_CARD_RECENT);
  for (guint i = 0; i < STAMPEDE_CARD_RECENT; i++) {
    g_assert_cmpint (history.recent_ts[i], ==, (i + 5) * 100);
    g_assert_cmpfloat (history.recent_usd[i], ==, i + 5);
  }
}

/* A thousand cards through a store of 32; one card seen after every new
 * card is never the least recently used in its shard, so it stays. */
static void
test_eviction (void)
{
  g_autoptr(StampedeCardStore) store = stampede_card_store_new (20);
  StampedeCardEvent event = event_at (1, 1);
  StampedeCardHistory history;
  guint size;

  /* 20 over 16 shards rounds up to 2 a shard. */
  g_assert_cmpuint (stampede_card_store_get_capacity (store), ==, 32);

  for (guint i = 0; i < 1000; i++) {
    g_autofree char *card = g_strdup_printf ("card-%06u", i);

    stampede_card_store_observe (store, card, &event, &history);
    stampede_card_store_observe (store, "card-kept", &event, &history);
  }

  size = stampede_card_store_get_size (store);
  /* Every shard saw far more than two cards, so every shard is full. */
  g_assert_cmpuint (size, ==, 32);
  g_assert_cmpuint (stampede_card_store_get_evictions (store), ==,
                    1001 - size);
  g_assert_true (stampede_card_store_lookup (store, "card-kept", &history));
  g_assert_cmpuint (history.count, ==, 1000);
  g_assert_false (stampede_card_store_lookup (store, "card-000000",
                                              &history));
}

typedef struct {
  StampedeCardStore *store;
  guint              seed;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (worker->seed);

  for (guint i = 0; i < 20000; i++) {
    g_autofree char *card = g_strdup_printf ("card-%02d",
                                             g_rand_int_range (rand, 0, 50));
    StampedeCardEvent event = event_at (i, 1);
    StampedeCardHistory prior;

    stampede_card_store_observe (worker->store, card, &event, &prior);
  }

  return NULL;
}

/* Four threads over fifty cards: no update is lost. */
static void
test_threads (void)
{
  g_autoptr(StampedeCardStore) store = stampede_card_store_new (1000);
  Worker workers[4];
  GThread *threads[4];
  guint64 total = 0;

  for (guint i = 0; i < 4; i++) {
    workers[i].store = store;
    workers[i].seed = i + 1;
    threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
  }
  for (guint i = 0; i < 4; i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < 50; i++) {
    g_autofree char *card = g_strdup_printf ("card-%02u", i);
    StampedeCardHistory history;

    if (stampede_card_store_lookup (store, card, &history))
      total += history.count;
  }

  g_assert_cmpuint (total, ==, 4 * 20000);
  g_assert_cmpuint (stampede_card_store_get_evictions (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/card-store/prior", test_prior);
  g_test_add_func ("/stampede/card-store/moments", test_moments);
  g_test_add_func ("/stampede/card-store/recent-ring", test_recent_ring);
  g_test_add_func ("/stampede/card-store/eviction", test_eviction);
  g_test_add_func ("/stampede/card-store/threads", test_threads);

  return g_test_run ();
}
