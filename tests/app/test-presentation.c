/* test-presentation.c — the Presentation page, fed with known snapshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "app-test-util.h"
#include "stampede-format.h"
#include "stampede-preferences-window.h"
#include "stampede-presentation-page.h"
#include "stampede-presentation-profile.h"

#define SETTLE_TIMEOUT_S 3

typedef struct {
  GtkWindow                *window;
  StampedePresentationPage *page;
  GSettings                *settings;
} Fixture;

static GtkWidget *
get_named (Fixture    *fixture,
           const char *name)
{
  return app_test_get_named (GTK_WIDGET (fixture->page), name);
}

static const char *
label_text (Fixture    *fixture,
            const char *name)
{
  return app_test_label_text (GTK_WIDGET (fixture->page), name);
}

static void
iterate (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static void
set_animations (gboolean enabled)
{
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", enabled,
                NULL);
}

/* A run of 100,000 finished transactions: 97,766 approved, 1,234
 * declined (1,200 of them fraud), 1,000 HTTP errors, 10 in flight. */
static StampedeSnapshot *
make_snapshot (void)
{
  StampedeSnapshot *snapshot = stampede_snapshot_new ();

  snapshot->state = STAMPEDE_RUN_RUNNING;
  snapshot->elapsed_s = 30;
  snapshot->duration_s = 140;
  snapshot->target_rate = 400;
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
  snapshot->run.mean = 40.0;
  snapshot->run.p50 = 38.0;
  snapshot->run.p95 = 120.0;
  snapshot->run.p99 = 212.0;
  snapshot->baseline_tp = 600;
  snapshot->baseline_fp = 1000;
  snapshot->baseline_tn = 96034;
  snapshot->baseline_fn = 1366;
  snapshot->baseline_mean_us = 3.0;

  return snapshot;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->settings = g_settings_new (STAMPEDE_SETTINGS_SCHEMA);
  set_animations (TRUE);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->page = g_object_new (STAMPEDE_TYPE_PRESENTATION_PAGE, NULL);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_set_default_size (fixture->window, 1280, 720);
  gtk_window_present (fixture->window);

  for (guint i = 0; i < 100 && !gtk_widget_get_mapped (
         GTK_WIDGET (fixture->page)); i++)
    iterate (10);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fixture->page)));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSettingsSchema) settings_schema = NULL;
  g_auto(GStrv) keys = NULL;

  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* Every test starts from the defaults again. */
  settings_schema = NULL;
  g_object_get (fixture->settings, "settings-schema", &settings_schema, NULL);
  keys = g_settings_schema_list_keys (settings_schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (fixture->settings, keys[i]);
  g_clear_object (&fixture->settings);
  set_animations (TRUE);
}

static void
test_reduced_motion (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) first = make_snapshot ();
  g_autoptr(StampedeSnapshot) second = make_snapshot ();

  set_animations (FALSE);
  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);

  stampede_presentation_page_update (fixture->page, first);
  second->outcomes[STAMPEDE_OUTCOME_OK] += 5000;
  second->true_pos = 1500;

  /* With animations off the figures jump, without a frame in between. */
  stampede_presentation_page_update (fixture->page, second);
  g_assert_cmpstr (label_text (fixture, "hero-processed"), ==, "104,000");
  g_assert_cmpstr (label_text (fixture, "hero-fraud-blocked"), ==, "1,500");
  g_assert_true (stampede_presentation_page_is_settled (fixture->page));
  g_assert_true (stampede_flow_canvas_get_reduced_motion (
    stampede_presentation_page_get_canvas (fixture->page)));
}

static void
test_counters_land (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) first = make_snapshot ();
  g_autoptr(StampedeSnapshot) second = make_snapshot ();
  gint64 deadline;

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);

  /* A first figure after nothing measured shows at once. */
  stampede_presentation_page_update (fixture->page, first);
  g_assert_cmpstr (label_text (fixture, "hero-processed"), ==, "99,000");

  second->outcomes[STAMPEDE_OUTCOME_OK] += 5000;
  stampede_presentation_page_update (fixture->page, second);
  g_assert_false (stampede_presentation_page_is_settled (fixture->page));
  g_assert_cmpstr (label_text (fixture, "hero-processed"), !=, "104,000");

  deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_S * G_USEC_PER_SEC;
  while (!stampede_presentation_page_is_settled (fixture->page)
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (stampede_presentation_page_is_settled (fixture->page));
  g_assert_cmpstr (label_text (fixture, "hero-processed"), ==, "104,000");
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;

  return G_SOURCE_CONTINUE;
}

static guint64
hero_processed (Fixture *fixture)
{
  guint64 value = 0;

  g_assert_true (app_test_parse_count (label_text (fixture, "hero-processed"),
                                       &value));

  return value;
}

/* When figures come at least as often as frames (a slow renderer), each
 * frame must still move the counter towards the newest figure. */
static void
test_counters_chase (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  GtkWidget *page = GTK_WIDGET (fixture->page);
  guint frames = 0;
  guint tick_id;

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);
  stampede_presentation_page_update (fixture->page, snapshot);
  g_assert_cmpuint (hero_processed (fixture), ==, 99000);

  tick_id = gtk_widget_add_tick_callback (page, count_frame_cb, &frames,
                                          NULL);
  for (guint i = 1; i <= 12; i++) {
    guint seen = frames;

    /* A new figure between every two frames. */
    snapshot->outcomes[STAMPEDE_OUTCOME_OK] += 1000;
    stampede_presentation_page_update (fixture->page, snapshot);
    while (frames == seen)
      g_main_context_iteration (NULL, TRUE);
  }
  gtk_widget_remove_tick_callback (page, tick_id);

  /* The counter moved well past its start, and never past the newest
   * figure. */
  g_assert_cmpuint (hero_processed (fixture), >, 102000);
  g_assert_cmpuint (hero_processed (fixture), <=, 111000);
}

typedef struct {
  GdkFrameClock      *clock;
  StampedeFlowCanvas *canvas;
  GArray             *times;
  GArray             *intervals;
} LabelLog;

static void
label_changed_cb (GtkLabel   *label,
                  GParamSpec *pspec,
                  LabelLog   *log)
{
  gint64 now = gdk_frame_clock_get_frame_time (log->clock);
  gint64 interval = stampede_flow_canvas_get_frame_interval (log->canvas);

  g_array_append_val (log->times, now);
  g_array_append_val (log->intervals, interval);
}

/* Under Xvfb the renderer is llvmpipe, which draws with the CPU: the
 * canvas keeps to a frame budget of 50 to 200 ms, as its frames' cost
 * decides, the hero counters keep to the same one, and a counter on the
 * move writes its label at most once in each of the budget's slots, the
 * last write, where it lands, aside. */
static void
test_frame_budget (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  StampedeFlowCanvas *canvas;
  GtkWidget *label;
  gint64 budget = STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US;
  LabelLog log = { NULL, NULL, NULL, NULL };
  gulong handler;
  gint64 deadline;

  canvas = stampede_presentation_page_get_canvas (fixture->page);
  for (guint i = 0; i < 100
       && stampede_flow_canvas_get_gl_renderer (canvas) == NULL; i++)
    iterate (10);
  if (g_strcmp0 (stampede_flow_canvas_get_gl_renderer (canvas), NULL) == 0
      || strstr (stampede_flow_canvas_get_gl_renderer (canvas),
                 "llvmpipe") == NULL) {
    g_test_skip ("The GL renderer is not llvmpipe");
    return;
  }
  g_assert_cmpint (stampede_flow_canvas_get_frame_interval (canvas), >=,
                   budget);
  g_assert_cmpint (stampede_flow_canvas_get_frame_interval (canvas), <=,
                   STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US);

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);
  stampede_presentation_page_update (fixture->page, snapshot);
  g_assert_cmpuint (hero_processed (fixture), ==, 99000);

  label = get_named (fixture, "hero-processed");
  log.clock = gtk_widget_get_frame_clock (label);
  log.canvas = canvas;
  log.times = g_array_new (FALSE, FALSE, sizeof (gint64));
  log.intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
  handler = g_signal_connect (label, "notify::label",
                              G_CALLBACK (label_changed_cb), &log);

  snapshot->outcomes[STAMPEDE_OUTCOME_OK] += 9000;
  stampede_presentation_page_update (fixture->page, snapshot);
  deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_S * G_USEC_PER_SEC;
  while (!stampede_presentation_page_is_settled (fixture->page)
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (label, handler);

  g_assert_true (stampede_presentation_page_is_settled (fixture->page));
  g_assert_cmpuint (hero_processed (fixture), ==, 108000);
  g_assert_cmpuint (log.times->len, >=, 3);
  for (guint i = 2; i < log.times->len; i++) {
    gint64 a = g_array_index (log.times, gint64, i - 2);
    gint64 b = g_array_index (log.times, gint64, i - 1);
    gint64 slot = g_array_index (log.intervals, gint64, i - 1);

    g_assert_cmpint (slot, >=, budget);
    g_assert_cmpint (a / slot, <, b / slot);
  }
  g_array_unref (log.times);
  g_array_unref (log.intervals);
}

static void
test_narrative (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();

  /* The business profile writes large figures short by default. */
  stampede_presentation_page_update (fixture->page, snapshot);
  g_assert_cmpstr (label_text (fixture, "presentation-narrative"), ==,
                   "Stopped 1,200 fraudulent transactions worth $1.2M while "
                   "answering 99.0 % of requests in 38.0 ms at the median.");

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);
  g_assert_cmpstr (label_text (fixture, "presentation-narrative"), ==,
                   "Stopped 1,200 fraudulent transactions worth $1,234,567 "
                   "while answering 99.0 % of requests in 38.0 ms at the "
                   "median.");
}

/* The sentence under the hero cards tells the figures the counters show,
 * while they ease towards a new snapshot and once they land on it. */
static void
test_narrative_follows_counters (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) first = make_snapshot ();
  g_autoptr(StampedeSnapshot) second = make_snapshot ();
  g_autofree char *expected = NULL;
  gint64 deadline;

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);
  stampede_presentation_page_update (fixture->page, first);

  /* 300 more fraud blocked, worth $300,000 more. */
  second->true_pos = 1500;
  second->fraud_value_blocked = 1534567.0;
  stampede_presentation_page_update (fixture->page, second);
  g_assert_false (stampede_presentation_page_is_settled (fixture->page));

  deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_S * G_USEC_PER_SEC;
  while (!stampede_presentation_page_is_settled (fixture->page)
         && g_get_monotonic_time () < deadline) {
    g_main_context_iteration (NULL, TRUE);
    expected = g_strdup_printf ("Stopped %s fraudulent transactions worth "
                                "%s while answering",
                                label_text (fixture, "hero-fraud-blocked"),
                                label_text (fixture, "hero-fraud-value"));
    g_assert_true (g_str_has_prefix (
      label_text (fixture, "presentation-narrative"), expected));
    g_clear_pointer (&expected, g_free);
  }

  g_assert_true (stampede_presentation_page_is_settled (fixture->page));
  g_assert_cmpstr (label_text (fixture, "hero-fraud-blocked"), ==, "1,500");
  g_assert_cmpstr (label_text (fixture, "hero-fraud-value"), ==,
                   "$1,534,567");
  g_assert_cmpstr (label_text (fixture, "presentation-narrative"), ==,
                   "Stopped 1,500 fraudulent transactions worth $1,534,567 "
                   "while answering 99.0 % of requests in 38.0 ms at the "
                   "median.");
}

/* A restart fixes the app's own services, not a remote engine's address
 * or token. */
static void
test_problem_hint (Fixture       *fixture,
                   gconstpointer  data)
{
  stampede_presentation_page_show_problem (fixture->page, "Could not "
                                           "connect");
  g_assert_cmpstr (label_text (fixture, "presentation-banner-label"), ==,
                   "Could not connect");
  g_assert_cmpstr (label_text (fixture, "presentation-banner-hint"), ==,
                   "Press R to restart the engine and the platform");

  stampede_presentation_page_set_engine_local (fixture->page, FALSE);
  g_assert_cmpstr (label_text (fixture, "presentation-banner-hint"), ==,
                   "Check the engine’s URL and token · press R to retry "
                   "the connection");

  stampede_presentation_page_set_engine_local (fixture->page, TRUE);
  g_assert_cmpstr (label_text (fixture, "presentation-banner-hint"), ==,
                   "Press R to restart the engine and the platform");
}

/* The banner takes its own room above the scene's title rather than
 * lying over it. */
static void
test_problem_placement (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkWidget *banner = get_named (fixture, "presentation-banner");
  GtkWidget *title = get_named (fixture, "presentation-scene");
  graphene_rect_t banner_bounds;
  graphene_rect_t title_bounds;
  gint64 deadline;

  stampede_presentation_page_show_problem (fixture->page, "Could not "
                                           "connect");
  deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_S * G_USEC_PER_SEC;
  while (!gtk_revealer_get_child_revealed (GTK_REVEALER (banner))
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  iterate (100);

  g_assert_true (gtk_revealer_get_child_revealed (GTK_REVEALER (banner)));
  g_assert_true (gtk_widget_compute_bounds (banner, GTK_WIDGET (fixture->page),
                                            &banner_bounds));
  g_assert_true (gtk_widget_compute_bounds (title, GTK_WIDGET (fixture->page),
                                            &title_bounds));
  g_assert_cmpfloat (banner_bounds.size.height, >, 0);
  g_assert_false (graphene_rect_intersection (&banner_bounds, &title_bounds,
                                              NULL));
}

static void
test_canvas (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  StampedeFlowCanvas *canvas;

  canvas = stampede_presentation_page_get_canvas (fixture->page);
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (canvas),
                                         GTK_WIDGET (fixture->page)));
  g_assert_cmpuint (stampede_flow_canvas_get_n_live (canvas), ==, 0);

  snapshot->n_samples = 40;
  snapshot->sample_represents = 2.5;
  for (guint i = 0; i < snapshot->n_samples; i++)
    snapshot->samples[i] = (StampedeTxSample) {
      i % STAMPEDE_N_OUTCOMES, i % 7 == 0, 5.0f, { 1, 1, 1, 1 },
    };

  stampede_presentation_page_update (fixture->page, snapshot);
  stampede_flow_canvas_advance (canvas, 0.3);

  g_assert_cmpfloat (stampede_flow_canvas_get_represented (canvas), ==, 2.5);
  g_assert_cmpuint (stampede_flow_canvas_get_n_live (canvas), >, 0);
}

static void
test_summary (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) final = make_snapshot ();
  g_autoptr(StampedeSnapshot) idle = stampede_snapshot_new ();
  GtkWidget *chip;

  g_settings_set_boolean (fixture->settings, "business-compact", FALSE);

  final->state = STAMPEDE_RUN_FINISHED;
  final->arrivals = 100000;
  final->in_flight = 0;
  stampede_presentation_page_finish (fixture->page, final);

  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Summary");
  g_assert_true (gtk_widget_get_visible (get_named (fixture,
                                                    "presentation-summary")));

  /* $1,234,567 of fraud less 34 reviews at $4 and 99,000 transactions at
   * $0.002, the cost model's defaults. */
  g_assert_cmpstr (label_text (fixture, "business-net"), ==, "$1,234,233");
  g_assert_cmpstr (label_text (fixture, "business-review"), ==, "−$136");
  g_assert_cmpstr (label_text (fixture, "business-processing"), ==, "−$198");

  /* The baseline: (600 + 96,034) / 99,000 = 97.61 %; 3 µs a decision. */
  g_assert_cmpstr (label_text (fixture, "compare-baseline-accuracy"), ==,
                   "97.6 %");
  g_assert_cmpstr (label_text (fixture, "compare-baseline-latency"), ==,
                   "3.0 µs");
  g_assert_cmpstr (label_text (fixture, "compare-platform-latency"), ==,
                   "38.0 ms");

  /* The investor scenario's fifth criterion is an error rate under
   * 0.1 %; 1,000 errors in 100,000 fail it. */
  chip = get_named (fixture, "criterion-4");
  g_assert_true (gtk_widget_has_css_class (chip, "criterion-fail"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (chip)), ==,
                   "✗ errors 1.00 % (< 0.10 %)");
  chip = get_named (fixture, "criterion-0");
  g_assert_true (gtk_widget_has_css_class (chip, "criterion-pass"));

  /* The final figures hold when the engine goes idle. */
  stampede_presentation_page_update (fixture->page, idle);
  g_assert_cmpstr (label_text (fixture, "hero-fraud-blocked"), ==, "1,200");
}

static void
test_scenes (Fixture       *fixture,
             gconstpointer  data)
{
  StampedePresentationPage *page = fixture->page;

  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Introduction");
  stampede_presentation_page_step_scene (page, -1);
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Introduction");

  stampede_presentation_page_step_scene (page, 1);
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==, "Ramp");
  stampede_presentation_page_step_scene (page, 1);
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Injected failure");
  stampede_presentation_page_step_scene (page, 10);
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Summary");

  stampede_presentation_page_set_blank (page, TRUE);
  g_assert_true (gtk_widget_get_visible (get_named (fixture,
                                                    "presentation-blank")));
}

static void
test_profiles (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  GtkWidget *p99 = get_named (fixture, "hero-p99");
  GtkWidget *card = gtk_widget_get_ancestor (p99, GTK_TYPE_FLOW_BOX_CHILD);

  stampede_presentation_page_update (fixture->page, snapshot);
  g_assert_false (gtk_widget_get_visible (card));

  g_settings_set_enum (fixture->settings, "audience",
                       STAMPEDE_AUDIENCE_TECHNICAL);
  g_assert_true (gtk_widget_get_visible (card));
  g_assert_cmpstr (label_text (fixture, "hero-p99"), ==, "212 ms");
  g_assert_cmpstr (label_text (fixture, "hero-error-rate"), ==, "1.00 %");
}

static void
test_vendors (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = NULL;
  const char *note;

  note = label_text (fixture, "compare-note");
  g_assert_null (strstr (note, "Other products"));

  path = g_test_build_filename (G_TEST_DIST, "app", "data", "vendors.json",
                                NULL);
  g_settings_set_string (fixture->settings, "vendor-file", path);

  note = label_text (fixture, "compare-note");
  g_assert_nonnull (strstr (note, "Example figures written for Stampede's "
                                  "tests; not a real product"));
  g_assert_nonnull (strstr (note, "(from vendors.json)"));
}

static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) snapshot = make_snapshot ();
  StampedePreferencesWindow *preferences;
  g_auto(GStrv) figures = NULL;
  g_autofree char *currency = NULL;
  GtkWidget *p99;
  GtkWidget *root;

  stampede_presentation_page_update (fixture->page, snapshot);
  preferences = stampede_preferences_window_new (fixture->window);
  gtk_window_present (GTK_WINDOW (preferences));
  root = GTK_WIDGET (preferences);

  /* Switching a figure on adds it to the profile, and the page shows it. */
  p99 = app_test_find_named (root, "preferences-hero-p99");
  g_assert_nonnull (p99);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (p99)));
  gtk_switch_set_active (GTK_SWITCH (p99), TRUE);
  figures = g_settings_get_strv (fixture->settings, "business-figures");
  g_assert_true (g_strv_contains ((const char * const *) figures, "p99"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (
    get_named (fixture, "hero-p99"), GTK_TYPE_FLOW_BOX_CHILD)));

  /* Euros, at the fixed 0.92 a dollar: $1,234,567 is €1.1M. */
  adw_combo_row_set_selected (
    ADW_COMBO_ROW (app_test_find_named (root, "preferences-currency")), 1);
  currency = g_settings_get_string (fixture->settings, "business-currency");
  g_assert_cmpstr (currency, ==, "EUR");
  g_assert_cmpstr (label_text (fixture, "hero-fraud-value"), ==, "€1.1M");

  /* The technical profile has its own figures, p99 among them. */
  adw_combo_row_set_selected (
    ADW_COMBO_ROW (app_test_find_named (root, "preferences-audience")), 1);
  g_assert_cmpint (g_settings_get_enum (fixture->settings, "audience"), ==,
                   STAMPEDE_AUDIENCE_TECHNICAL);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (p99)));
  g_assert_cmpstr (label_text (fixture, "hero-fraud-value"), ==,
                   "$1,234,567");

  iterate (300);
  app_test_save_screenshot (root, "stampede-preferences.png");
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* A short run's scoring cost is a fraction of a dollar: 116 answers at
 * $0.002 is $0.232, written with its cents rather than rounded to "$0",
 * and a cost of nothing has no minus sign. */
static void
test_small_costs (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(StampedeSnapshot) final = stampede_snapshot_new ();

  final->state = STAMPEDE_RUN_FINISHED;
  final->elapsed_s = 3;
  final->duration_s = 3;
  final->arrivals = 116;
  final->outcomes[STAMPEDE_OUTCOME_OK] = 112;
  final->outcomes[STAMPEDE_OUTCOME_DECLINED] = 4;
  final->true_pos = 4;
  final->true_neg = 108;
  final->false_neg = 4;
  final->fraud_value_blocked = 146.0;
  stampede_presentation_page_finish (fixture->page, final);

  g_assert_cmpstr (label_text (fixture, "business-processing"), ==,
                   "−$0.23");
  g_assert_cmpstr (label_text (fixture, "business-review"), ==, "$0");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/stampede/presentation/reduced-motion", test_reduced_motion);
  ADD ("/stampede/presentation/counters-land", test_counters_land);
  ADD ("/stampede/presentation/counters-chase", test_counters_chase);
  ADD ("/stampede/presentation/frame-budget", test_frame_budget);
  ADD ("/stampede/presentation/narrative", test_narrative);
  ADD ("/stampede/presentation/narrative-follows-counters",
       test_narrative_follows_counters);
  ADD ("/stampede/presentation/problem-hint", test_problem_hint);
  ADD ("/stampede/presentation/problem-placement", test_problem_placement);
  ADD ("/stampede/presentation/canvas", test_canvas);
  ADD ("/stampede/presentation/summary", test_summary);
  ADD ("/stampede/presentation/small-costs", test_small_costs);
  ADD ("/stampede/presentation/scenes", test_scenes);
  ADD ("/stampede/presentation/profiles", test_profiles);
  ADD ("/stampede/presentation/vendors", test_vendors);
  ADD ("/stampede/presentation/preferences", test_preferences);
#undef ADD

  return g_test_run ();
}
