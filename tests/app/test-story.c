/* test-story.c — the figures the Presentation page tells
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-format.h"
#include "stampede-scene-plan.h"
#include "stampede-story.h"
#include "stampede-vendor-file.h"

static void
assert_text (char       *text,
             const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
default_profile (StampedePresentationProfile *profile,
                 gboolean                     compact)
{
  stampede_presentation_profile_load (profile, NULL);
  profile->style.compact = compact;
}

static void
test_figure (void)
{
  StampedeNumberStyle full = { FALSE, FALSE };
  StampedeNumberStyle compact = { TRUE, FALSE };
  StampedeNumberStyle thin = { FALSE, TRUE };

  assert_text (stampede_format_figure (1234567.0, &full), "1,234,567");
  assert_text (stampede_format_figure (1234567.0, &thin),
               "1\u202f234\u202f567");
  assert_text (stampede_format_figure (9999.0, &compact), "9,999");
  assert_text (stampede_format_figure (12345.0, &compact), "12.3K");
  assert_text (stampede_format_figure (123456.0, &compact), "123K");
  assert_text (stampede_format_figure (1234567.0, &compact), "1.2M");
  assert_text (stampede_format_figure (999999.0, &compact), "1M");
  assert_text (stampede_format_figure (20000.0, &compact), "20K");
  assert_text (stampede_format_figure (-1500.0, &full), "-1,500");
  assert_text (stampede_format_figure (NAN, &full), STAMPEDE_FORMAT_NONE);
}

static void
test_money (void)
{
  StampedeNumberStyle full = { FALSE, FALSE };
  StampedeNumberStyle compact = { TRUE, FALSE };
  const StampedeCurrency *usd = stampede_currency_lookup ("USD");
  const StampedeCurrency *eur = stampede_currency_lookup ("EUR");
  const StampedeCurrency *jpy = stampede_currency_lookup ("JPY");

  g_assert_nonnull (usd);
  g_assert_nonnull (eur);
  g_assert_nonnull (jpy);
  g_assert_null (stampede_currency_lookup ("ZZZ"));

  assert_text (stampede_format_money (1234567.0, usd, &compact), "$1.2M");
  assert_text (stampede_format_money (1234567.0, usd, &full), "$1,234,567");
  assert_text (stampede_format_money (-40.0, usd, &full), "-$40");
  /* 1,000 dollars at the table's 0.92 euros and 150 yen a dollar. */
  assert_text (stampede_format_money (1000.0, eur, &full), "€920");
  assert_text (stampede_format_money (1000.0, jpy, &compact), "¥150K");
}

static void
test_percent (void)
{
  assert_text (stampede_format_percent_down (0.99996, 2), "99.99 %");
  assert_text (stampede_format_percent_down (0.999, 1), "99.9 %");
  assert_text (stampede_format_percent_down (1.0, 2), "100.00 %");
  assert_text (stampede_format_percent_up (0.00002, 2), "0.01 %");
  assert_text (stampede_format_percent_up (0.001, 2), "0.10 %");
  assert_text (stampede_format_percent_up (0.0, 2), "0.00 %");
  assert_text (stampede_format_percent_up (NAN, 2), STAMPEDE_FORMAT_NONE);
}

/* A run of 100,000 finished transactions: 97,766 approved, 1,234
 * declined (1,200 of them fraud), 1,000 HTTP errors. */
static StampedeSnapshot *
make_snapshot (void)
{
  StampedeSnapshot *snapshot = stampede_snapshot_new ();

  snapshot->state = STAMPEDE_RUN_RUNNING;
  snapshot->arrivals = 100010;
  snapshot->in_flight = 10;
  snapshot->outcomes[STAMPEDE_OUTCOME_OK] = 97766;
  snapshot->outcomes[STAMPEDE_OUTCOME_DECLINED] = 1234;
  snapshot->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR] = 1000;
  snapshot->true_pos = 1200;
  snapshot->false_pos = 34;
  snapshot->true_neg = 97000;
  snapshot->false_neg = 766;
  snapshot->fraud_value_blocked = 1234567.0;
  snapshot->completed_rate = 399.6;
  snapshot->run.count = 99000;
  snapshot->run.p50 = 38.0;
  snapshot->run.p99 = 212.0;
  snapshot->baseline_tp = 600;
  snapshot->baseline_fp = 1000;
  snapshot->baseline_tn = 96034;
  snapshot->baseline_fn = 1366;
  snapshot->baseline_mean_us = 3.0;

  return snapshot;
}

static void
test_heroes (void)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  StampedePresentationProfile profile;

  default_profile (&profile, FALSE);

  g_assert_cmpfloat (stampede_story_hero_value (snapshot,
                                                STAMPEDE_HERO_PROCESSED),
                     ==, 99000);
  g_assert_cmpfloat_with_epsilon (stampede_story_availability (snapshot),
                                  0.99, 1e-12);
  g_assert_cmpfloat_with_epsilon (stampede_story_error_rate (snapshot),
                                  0.01, 1e-12);

  assert_text (stampede_story_format_hero (
                 &profile, STAMPEDE_HERO_PROCESSED,
                 stampede_story_hero_value (snapshot,
                                            STAMPEDE_HERO_PROCESSED)),
               "99,000");
  assert_text (stampede_story_format_hero (
                 &profile, STAMPEDE_HERO_TPS,
                 stampede_story_hero_value (snapshot, STAMPEDE_HERO_TPS)),
               "400");
  /* (1,200 + 97,000) / 99,000 = 0.99191… */
  assert_text (stampede_story_format_hero (
                 &profile, STAMPEDE_HERO_ACCURACY,
                 stampede_story_hero_value (snapshot,
                                            STAMPEDE_HERO_ACCURACY)),
               "99.1 %");
  assert_text (stampede_story_format_hero (
                 &profile, STAMPEDE_HERO_P99,
                 stampede_story_hero_value (snapshot, STAMPEDE_HERO_P99)),
               "212 ms");
  assert_text (stampede_story_format_hero (
                 &profile, STAMPEDE_HERO_ERROR_RATE,
                 stampede_story_hero_value (snapshot,
                                            STAMPEDE_HERO_ERROR_RATE)),
               "1.00 %");
  assert_text (stampede_story_format_hero (&profile, STAMPEDE_HERO_P99, NAN),
               STAMPEDE_FORMAT_NONE);
}

static void
test_narrative (void)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  g_autoptr(StampedeSnapshot) empty = stampede_snapshot_new ();
  StampedePresentationProfile profile;

  default_profile (&profile, TRUE);
  assert_text (stampede_story_narrative (snapshot, &profile),
               "Stopped 1,200 fraudulent transactions worth $1.2M while "
               "answering 99.0 % of requests in 38.0 ms at the median.");

  snapshot->true_pos = 1;
  snapshot->fraud_value_blocked = 250.0;
  assert_text (stampede_story_narrative (snapshot, &profile),
               "Stopped 1 fraudulent transaction worth $250 while "
               "answering 99.0 % of requests in 38.0 ms at the median.");

  snapshot->true_pos = 0;
  assert_text (stampede_story_narrative (snapshot, &profile),
               "Answered 99.0 % of requests in 38.0 ms at the median; no "
               "fraud stopped yet.");

  g_assert_null (stampede_story_narrative (empty, &profile));
}

static void
test_business (void)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  StampedeCostModel cost = { 0.002, TRUE, 150.0, 4.0 };
  StampedeBusinessValue value;

  stampede_story_business_value (snapshot, &cost, &value);
  g_assert_cmpfloat_with_epsilon (value.fraud_avoided_usd, 1234567.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (value.review_cost_usd, 34 * 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (value.processing_cost_usd, 99000 * 0.002,
                                  1e-9);
  g_assert_cmpfloat_with_epsilon (value.net_usd,
                                  1234567.0 - 136.0 - 198.0, 1e-6);

  cost.measured_fraud_loss = FALSE;
  stampede_story_business_value (snapshot, &cost, &value);
  g_assert_cmpfloat_with_epsilon (value.fraud_avoided_usd, 1200 * 150.0,
                                  1e-6);
}

static void
test_comparison (void)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  g_autoptr(StampedeSnapshot) empty = stampede_snapshot_new ();
  StampedeDetectorFigures platform;
  StampedeDetectorFigures baseline;

  stampede_story_platform_figures (snapshot, &platform);
  g_assert_cmpfloat_with_epsilon (platform.recall, 1200.0 / 1966.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (platform.false_positive_rate,
                                  34.0 / 97034.0, 1e-12);
  g_assert_cmpfloat (platform.latency_ms, ==, 38.0);

  stampede_story_baseline_figures (snapshot, &baseline);
  g_assert_cmpfloat_with_epsilon (baseline.accuracy, 96634.0 / 99000.0,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (baseline.recall, 600.0 / 1966.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (baseline.false_positive_rate,
                                  1000.0 / 97034.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (baseline.latency_ms, 0.003, 1e-12);

  stampede_story_baseline_figures (empty, &baseline);
  g_assert_true (isnan (baseline.accuracy));
  g_assert_true (isnan (baseline.latency_ms));
}

static void
test_flow_outcome (void)
{
  g_autoptr(StampedeSnapshot) snapshot = stampede_snapshot_new ();
  StampedeFlowSample samples[STAMPEDE_SNAPSHOT_MAX_SAMPLES];

  g_assert_cmpuint (stampede_story_flow_outcome (STAMPEDE_OUTCOME_OK, FALSE),
                    ==, STAMPEDE_FLOW_APPROVED);
  g_assert_cmpuint (stampede_story_flow_outcome (STAMPEDE_OUTCOME_OK, TRUE),
                    ==, STAMPEDE_FLOW_FRAUD_MISSED);
  g_assert_cmpuint (stampede_story_flow_outcome (STAMPEDE_OUTCOME_DECLINED,
                                                 TRUE),
                    ==, STAMPEDE_FLOW_FRAUD_STOPPED);
  g_assert_cmpuint (stampede_story_flow_outcome (STAMPEDE_OUTCOME_DECLINED,
                                                 FALSE),
                    ==, STAMPEDE_FLOW_LEGIT_DECLINED);
  for (guint o = STAMPEDE_OUTCOME_HTTP_ERROR; o < STAMPEDE_N_OUTCOMES; o++) {
    g_assert_cmpuint (stampede_story_flow_outcome (o, FALSE), ==,
                      STAMPEDE_FLOW_ERROR);
    g_assert_cmpuint (stampede_story_flow_outcome (o, TRUE), ==,
                      STAMPEDE_FLOW_ERROR);
  }

  snapshot->n_samples = 2;
  snapshot->samples[0] = (StampedeTxSample) {
    STAMPEDE_OUTCOME_DECLINED, TRUE, 12.5f, { 1, 2, 3, 4 },
  };
  snapshot->samples[1] = (StampedeTxSample) {
    STAMPEDE_OUTCOME_TIMEOUT, FALSE, 5000.0f, { 0, 0, 0, 0 },
  };
  g_assert_cmpuint (stampede_story_flow_samples (snapshot, samples), ==, 2);
  g_assert_cmpuint (samples[0].outcome, ==, STAMPEDE_FLOW_FRAUD_STOPPED);
  g_assert_cmpfloat (samples[0].latency_ms, ==, 12.5f);
  g_assert_cmpfloat (samples[0].agent_ms[3], ==, 4.0f);
  g_assert_cmpuint (samples[1].outcome, ==, STAMPEDE_FLOW_ERROR);
}

static void
test_vendor_file (void)
{
  g_autoptr(StampedeVendorFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = g_test_build_filename (G_TEST_DIST, "app", "data", "vendors.json",
                                NULL);
  file = stampede_vendor_file_new_from_path (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file->source, ==,
                   "Example figures written for Stampede's tests; not a "
                   "real product");
  g_assert_cmpuint (file->n_vendors, ==, 2);
  g_assert_cmpstr (file->vendors[0].name, ==, "Example Shield");
  g_assert_cmpfloat (file->vendors[0].figures.latency_ms, ==, 120.0);
  g_assert_cmpfloat (file->vendors[1].figures.recall, ==, 0.5);
  g_assert_true (isnan (file->vendors[1].figures.accuracy));
}

static void
assert_vendor_error (const char *text,
                     const char *expected)
{
  g_autoptr(StampedeVendorFile) file = NULL;
  g_autoptr(GError) error = NULL;

  file = stampede_vendor_file_new_from_data (text, -1, "v.json", &error);
  g_assert_null (file);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_vendor_errors (void)
{
  assert_vendor_error ("{\"vendors\": []}",
                       "v.json: “source” must say where the figures come "
                       "from");
  assert_vendor_error ("{\"source\": \"s\", \"vendors\": {}}",
                       "v.json: “vendors” must be a list");
  assert_vendor_error ("{\"source\": \"s\", \"vendors\": [{\"recall\": 1}]}",
                       "v.json: vendors[0] needs a “name”");
  assert_vendor_error ("{\"source\": \"s\", \"vendors\": [{\"name\": \"a\", "
                       "\"recall\": 1.5}]}",
                       "v.json: vendors[0].recall must be a number from 0 "
                       "to 1");
  assert_vendor_error ("[]", "v.json: the file must hold a JSON object");
}

static void
test_scene_plan (void)
{
  g_autoptr(StampedeScenePlan) plan = NULL;
  g_autoptr(StampedeRunConfig) whole = NULL;
  g_autoptr(StampedeRunConfig) recovery = NULL;
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  double start_s = -1;

  plan = stampede_scene_plan_new ("investor", &error);
  g_assert_no_error (error);

  /* The investor scenario: a 20 s ramp to 400/s, 140 s in all, and the
   * geo/risk agent down from 60 s to 80 s. */
  g_assert_cmpfloat (stampede_scene_plan_get_start (plan,
                                                    STAMPEDE_SCENE_FAILURE),
                     ==, 60);
  g_assert_cmpfloat (stampede_scene_plan_get_start (plan,
                                                    STAMPEDE_SCENE_RECOVERY),
                     ==, 80);
  g_assert_cmpfloat (stampede_scene_plan_get_start (plan,
                                                    STAMPEDE_SCENE_SUMMARY),
                     ==, 140);
  g_assert_cmpuint (stampede_scene_plan_scene_at (plan, 10), ==,
                    STAMPEDE_SCENE_RAMP);
  g_assert_cmpuint (stampede_scene_plan_scene_at (plan, 61), ==,
                    STAMPEDE_SCENE_FAILURE);
  g_assert_cmpuint (stampede_scene_plan_scene_at (plan, 139.9), ==,
                    STAMPEDE_SCENE_RECOVERY);
  g_assert_cmpuint (stampede_scene_plan_scene_at (plan, 140), ==,
                    STAMPEDE_SCENE_SUMMARY);

  whole = stampede_scene_plan_new_config (plan, STAMPEDE_SCENE_INTRO,
                                          "http://127.0.0.1:1/v1/score",
                                          &start_s);
  g_assert_cmpfloat (start_s, ==, 0);
  g_assert_cmpfloat (whole->rate, ==, 400);
  g_assert_cmpfloat (whole->ramp_s, ==, 20);
  g_assert_cmpfloat (whole->duration_s, ==, 140);
  g_assert_cmpstr (whole->target_url, ==, "http://127.0.0.1:1/v1/score");

  recovery = stampede_scene_plan_new_config (plan, STAMPEDE_SCENE_RECOVERY,
                                             NULL, &start_s);
  g_assert_cmpfloat (start_s, ==, 80);
  g_assert_cmpfloat (recovery->rate, ==, 400);
  g_assert_cmpfloat (recovery->ramp_s, ==, 0);
  g_assert_cmpfloat (recovery->duration_s, ==, 60);

  assert_text (stampede_scene_plan_describe (plan, STAMPEDE_SCENE_FAILURE),
               "The scenario takes the geo/risk agent down at 1:00 for "
               "0:20");

  /* A run from 1:10 meets the crash under way, with 10 s of it left; a
   * run from 1:20 meets none. */
  spec = stampede_scene_plan_dup_spec_from (plan, 70);
  g_assert_cmpuint (spec->n_faults, ==, 1);
  g_assert_cmpfloat (spec->faults[0].at_s, ==, 0);
  g_assert_cmpfloat (spec->faults[0].duration_s, ==, 10);
  g_assert_cmpstr (spec->faults[0].agent, ==, "geo_risk");
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  spec = stampede_scene_plan_dup_spec_from (plan, 80);
  g_assert_cmpuint (spec->n_faults, ==, 0);
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  spec = stampede_scene_plan_dup_spec_from (plan, 0);
  g_assert_cmpfloat (spec->faults[0].at_s, ==, 60);
  g_assert_cmpfloat (spec->faults[0].duration_s, ==, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/story/figure", test_figure);
  g_test_add_func ("/stampede/story/money", test_money);
  g_test_add_func ("/stampede/story/percent", test_percent);
  g_test_add_func ("/stampede/story/heroes", test_heroes);
  g_test_add_func ("/stampede/story/narrative", test_narrative);
  g_test_add_func ("/stampede/story/business", test_business);
  g_test_add_func ("/stampede/story/comparison", test_comparison);
  g_test_add_func ("/stampede/story/flow-outcome", test_flow_outcome);
  g_test_add_func ("/stampede/story/vendor-file", test_vendor_file);
  g_test_add_func ("/stampede/story/vendor-errors", test_vendor_errors);
  g_test_add_func ("/stampede/story/scene-plan", test_scene_plan);

  return g_test_run ();
}
