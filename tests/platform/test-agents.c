/* test-agents.c — the platform's four scoring agents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-agents.h"

static StampedeScoreRequest
purchase (double usd)
{
  StampedeScoreRequest request = { .amount = usd, .amount_usd = usd,
                                   .timestamp_ms = 1733299200000 };

  g_strlcpy (request.id, "tx", sizeof request.id);
  g_strlcpy (request.card_id, "card", sizeof request.card_id);
  g_strlcpy (request.mcc, "5411", sizeof request.mcc);
  g_strlcpy (request.country, "FR", sizeof request.country);
  g_strlcpy (request.card_country, "FR", sizeof request.card_country);
  g_strlcpy (request.currency, "USD", sizeof request.currency);

  return request;
}

/* Reference distances: the same point, half the Earth's circumference
 * (π · 6371 km) for antipodes, and Paris–Tokyo, about 9,710 km. */
static void
test_distance (void)
{
  g_assert_cmpfloat (stampede_platform_distance_km (48.85, 2.35, 48.85, 2.35),
                     ==, 0);
  g_assert_cmpfloat_with_epsilon (stampede_platform_distance_km (0, 0, 0,
                                                                 180),
                                  G_PI * 6371, 1e-6);
  g_assert_cmpfloat_with_epsilon (stampede_platform_distance_km (48.8566,
                                                                 2.3522,
                                                                 35.6762,
                                                                 139.6503),
                                  9712, 30);
}

static void
assert_consistent (const StampedeAssessment *out)
{
  static const char * const verdicts[] = {
    "Approved", "Sent to review", "Declined",
  };

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    g_assert_cmpfloat (out->score[i], >=, 0);
    g_assert_cmpfloat (out->score[i], <=, 1);
    g_assert_cmpfloat (out->compute_us[i], >=, 0);
  }

  g_assert_cmpfloat (out->risk, ==, out->score[STAMPEDE_PLATFORM_REASONING]);
  if (out->risk < STAMPEDE_PLATFORM_REVIEW_AT)
    g_assert_cmpint (out->decision, ==, STAMPEDE_PLATFORM_APPROVE);
  else if (out->risk < STAMPEDE_PLATFORM_DECLINE_AT)
    g_assert_cmpint (out->decision, ==, STAMPEDE_PLATFORM_REVIEW);
  else
    g_assert_cmpint (out->decision, ==, STAMPEDE_PLATFORM_DECLINE);

  g_assert_true (g_str_has_prefix (out->explanation,
                                   verdicts[out->decision]));
  g_assert_true (g_str_has_suffix (out->explanation, "."));
}

/* Random transactions against random histories stay in range and decide
 * by the thresholds. */
static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  const char *mccs[] = { "5411", "7995", "6051", "4829", "5812" };
  const char *countries[] = { "FR", "US", "KP", "JP" };

  for (guint i = 0; i < 20000; i++) {
    StampedeScoreRequest request = purchase (
      exp (g_rand_double_range (rand, -3, 13)));
    StampedeCardHistory prior = { 0 };
    StampedeAssessment out;

    g_strlcpy (request.mcc, mccs[g_rand_int_range (rand, 0, 5)], 5);
    g_strlcpy (request.country, countries[g_rand_int_range (rand, 0, 4)], 3);
    request.has_location = g_rand_boolean (rand);
    request.lat = g_rand_double_range (rand, -90, 90);
    request.lon = g_rand_double_range (rand, -180, 180);

    prior.count = g_rand_int_range (rand, 0, 40);
    prior.mean_log = g_rand_double_range (rand, 0, 8);
    prior.m2_log = prior.count * g_rand_double_range (rand, 0, 2);
    prior.has_location = g_rand_boolean (rand);
    prior.last_lat = g_rand_double_range (rand, -90, 90);
    prior.last_lon = g_rand_double_range (rand, -180, 180);
    prior.location_ts_ms = request.timestamp_ms
                           - g_rand_int_range (rand, -5000, 86400000);
    prior.n_recent = MIN (prior.count, STAMPEDE_CARD_RECENT);
    for (guint j = 0; j < prior.n_recent; j++) {
      prior.recent_ts[j] = request.timestamp_ms
                           - g_rand_int_range (rand, 0, 3600000);
      prior.recent_usd[j] = exp (g_rand_double_range (rand, -3, 8));
    }

    stampede_platform_assess (&request, &prior, &out);
    assert_consistent (&out);
  }
}

/* With the same history, a larger amount never lowers the analyzer's
 * score. */
static void
test_amount_monotonic (void)
{
  StampedeCardHistory prior = { .count = 10, .mean_log = log1p (30),
                                .m2_log = 9 * 0.25 };
  double last = 0;

  for (double usd = 1; usd < 1e6; usd *= 1.5) {
    StampedeScoreRequest request = purchase (usd);
    StampedeAssessment out;

    stampede_platform_assess (&request, &prior, &out);
    g_assert_cmpfloat (out.score[STAMPEDE_PLATFORM_ANALYZER], >=, last);
    last = out.score[STAMPEDE_PLATFORM_ANALYZER];
  }

  g_assert_cmpfloat (last, >, 0.9);
}

/* An everyday purchase on a known card is approved with nothing named;
 * gambling with a merchant in a high-risk country names the three
 * weightiest reasons. */
static void
test_explanation (void)
{
  StampedeCardHistory prior = { .count = 5, .mean_log = log1p (30),
                                .m2_log = 4 * 0.3 };
  StampedeScoreRequest usual = purchase (28);
  StampedeScoreRequest odd = purchase (28);
  StampedeAssessment out;

  stampede_platform_assess (&usual, &prior, &out);
  g_assert_cmpint (out.decision, ==, STAMPEDE_PLATFORM_APPROVE);
  g_assert_cmpstr (out.explanation, ==,
                   "Approved: nothing unusual for this card.");

  g_strlcpy (odd.mcc, "7995", sizeof odd.mcc);
  g_strlcpy (odd.country, "KP", sizeof odd.country);
  stampede_platform_assess (&odd, &prior, &out);
  assert_consistent (&out);
  g_assert_cmpint (out.decision, !=, STAMPEDE_PLATFORM_APPROVE);
  g_assert_nonnull (strstr (out.explanation, "gambling"));
  g_assert_nonnull (strstr (out.explanation, "high-risk country KP"));
  g_assert_nonnull (strstr (out.explanation, "gambling with a merchant "
                            "abroad"));
  g_assert_null (strstr (out.explanation, "card from FR"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/agents/distance", test_distance);
  g_test_add_func ("/stampede/agents/random", test_random);
  g_test_add_func ("/stampede/agents/amount-monotonic",
                   test_amount_monotonic);
  g_test_add_func ("/stampede/agents/explanation", test_explanation);

  return g_test_run ();
}
