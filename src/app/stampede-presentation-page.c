/* stampede-presentation-page.c — the live story of a run, for an audience
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "stampede-counter.h"
#include "stampede-format.h"
#include "stampede-presentation-page.h"
#include "stampede-presentation-profile.h"
#include "stampede-report.h"
#include "stampede-story.h"
#include "stampede-vendor-file.h"

/* The scenario the page presents unless told otherwise. */
#define DEFAULT_SCENARIO "investor"

/* A profile with more hero figures than this shows them on two rows. */
#define HEROES_PER_ROW 6

/* The large type of cinematic mode needs a page at least this big: on a
 * 1280x720 projector it would push the hero cards onto two rows and leave
 * the flow canvas a sliver.  The style sheet keys it on "roomy". */
#define ROOMY_WIDTH  1600
#define ROOMY_HEIGHT 860

/* The rows of the comparison card. */
typedef enum {
  ROW_ACCURACY,
  ROW_RECALL,
  ROW_FALSE_POSITIVES,
  ROW_LATENCY,
  N_ROWS,
} CompareRow;

typedef struct {
  StampedePresentationPage *page;
  StampedeHero              hero;
} HeroSlot;

struct _StampedePresentationPage {
  AdwBin                       parent_instance;

  GtkLabel                    *scene_label;
  GtkLabel                    *caption_label;
  GtkLabel                    *status_label;
  GtkFlowBox                  *hero_box;
  StampedeFlowCanvas          *canvas;
  GtkWidget                   *summary_box;
  GtkLabel                    *avoided_title;
  GtkLabel                    *avoided_label;
  GtkLabel                    *review_title;
  GtkLabel                    *review_label;
  GtkLabel                    *processing_title;
  GtkLabel                    *processing_label;
  GtkLabel                    *net_label;
  GtkLabel                    *assumptions_label;
  GtkGrid                     *compare_grid;
  GtkLabel                    *narrative_label;
  GtkFlowBox                  *criteria_box;
  GtkRevealer                 *banner_revealer;
  GtkLabel                    *banner_label;
  GtkLabel                    *banner_hint;
  GtkWidget                   *blank_box;

  GSettings                   *settings;
  StampedePresentationProfile  profile;
  StampedeVendorFile          *vendors;
  char                        *vendor_path;
  StampedeScenePlan           *plan;

  HeroSlot                     slots[STAMPEDE_N_HEROES];
  GtkWidget                   *hero_cards[STAMPEDE_N_HEROES];
  GtkLabel                    *hero_captions[STAMPEDE_N_HEROES];
  StampedeCounter             *counters[STAMPEDE_N_HEROES];
  GtkLabel                    *platform_cells[N_ROWS];
  GtkLabel                    *baseline_cells[N_ROWS];
  GtkLabel                    *compare_note;
  GPtrArray                   *criteria_chips;

  StampedeSnapshot            *latest;
  StampedeSnapshot            *final;
  StampedeRunConfig           *config;
  StampedeRunConfig           *pending_config;
  StampedeScene                scene;
  double                       run_start_s;
  double                       pending_start_s;
  gboolean                     pending_presenter_run;
  gboolean                     presenter_run;
  gboolean                     was_running;
  gboolean                     paused;
  gboolean                     faults_injected;
  gboolean                     engine_local;
};

G_DEFINE_FINAL_TYPE (StampedePresentationPage, stampede_presentation_page,
                     ADW_TYPE_BIN)

static void refresh_figures (StampedePresentationPage *self);

/* Snapshots come ten times a second and mostly leave a label's text as
 * it was; writing a label lays it out again even with the same text, so
 * only a change is written. */
static void
set_text (GtkLabel   *label,
          const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
take_text (GtkLabel *label,
           char     *text)
{
  set_text (label, text);
  g_free (text);
}

/* A restart cannot fix a wrong address or token of a remote engine: the
 * presenter must check them, and R only asks the engine again. */
static const char *
problem_hint (gboolean local)
{
  if (local)
    return _("Press R to restart the engine and the platform");

  return _("Check the engine’s URL and token · press R to retry the "
           "connection");
}

static gboolean
is_running (const StampedeSnapshot *snapshot)
{
  return snapshot != NULL
         && (snapshot->state == STAMPEDE_RUN_RUNNING
             || snapshot->state == STAMPEDE_RUN_STOPPING);
}

/* The snapshot whose figures the page shows: the final figures of the
 * last run hold until another run starts. */
static const StampedeSnapshot *
shown_snapshot (StampedePresentationPage *self)
{
  if (self->final != NULL)
    return self->final;

  return self->latest;
}

static gboolean
has_figures (const StampedeSnapshot *snapshot)
{
  return snapshot != NULL
         && !(snapshot->state == STAMPEDE_RUN_IDLE
              && snapshot->arrivals == 0);
}

static char *
describe_run (StampedePresentationPage *self,
              const StampedeSnapshot   *snapshot)
{
  g_autofree char *elapsed = stampede_format_clock (snapshot->elapsed_s);
  g_autofree char *duration = stampede_format_clock (snapshot->duration_s);

  switch (snapshot->state) {
  case STAMPEDE_RUN_RUNNING:
    /* Translators: the run state, then elapsed and planned time. */
    return g_strdup_printf (_("Running · %s of %s"), elapsed, duration);

  case STAMPEDE_RUN_STOPPING:
    return g_strdup_printf (_("Stopping · %s of %s"), elapsed, duration);

  case STAMPEDE_RUN_FINISHED:
    return g_strdup_printf (_("Finished · ran %s"), elapsed);

  case STAMPEDE_RUN_IDLE:
  default:
    if (self->final == NULL)
      return g_strdup (_("Ready · press Space to start the scenario"));

    g_free (elapsed);
    elapsed = stampede_format_clock (self->final->elapsed_s);
    return g_strdup_printf (_("Finished · ran %s"), elapsed);
  }
}

/* Hero figures */

static char *
format_hero_cb (double   value,
                gpointer user_data)
{
  HeroSlot *slot = user_data;

  return stampede_story_format_hero (&slot->page->profile, slot->hero,
                                     value);
}

static guint
hero_position (StampedePresentationPage *self,
               GtkFlowBoxChild          *child)
{
  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    if (self->hero_cards[h] != GTK_WIDGET (child))
      continue;

    for (guint i = 0; i < self->profile.n_heroes; i++) {
      if (self->profile.heroes[i] == h)
        return i;
    }
  }

  return G_MAXUINT;
}

static int
sort_heroes (GtkFlowBoxChild *a,
             GtkFlowBoxChild *b,
             gpointer         user_data)
{
  StampedePresentationPage *self = user_data;
  guint position_a = hero_position (self, a);
  guint position_b = hero_position (self, b);

  return position_a < position_b ? -1 : position_a > position_b;
}

/* The heroes whose figures the narrative tells. */
static const StampedeHero narrated_heroes[] = {
  STAMPEDE_HERO_FRAUD_BLOCKED,
  STAMPEDE_HERO_FRAUD_VALUE,
  STAMPEDE_HERO_AVAILABILITY,
};

static void counter_shown_cb (StampedePresentationPage *self);

static void
build_heroes (StampedePresentationPage *self)
{
  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    g_autofree char *name = NULL;
    g_autofree char *style = NULL;
    GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
    GtkWidget *figure = gtk_label_new (NULL);
    GtkWidget *caption = gtk_label_new (NULL);

    name = g_strdup_printf ("hero-%s", stampede_hero_to_string (h));
    style = g_strdup_printf ("hero-%s", stampede_hero_to_string (h));
    gtk_widget_add_css_class (card, "hero-card");
    gtk_widget_add_css_class (card, style);

    gtk_widget_set_name (figure, name);
    gtk_label_set_xalign (GTK_LABEL (figure), 0);
    gtk_widget_add_css_class (figure, "hero-figure");

    /* A caption wraps rather than widen its card: six cards share a
     * row at 1280 pixels. */
    gtk_label_set_xalign (GTK_LABEL (caption), 0);
    gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
    gtk_label_set_max_width_chars (GTK_LABEL (caption), 18);
    gtk_widget_add_css_class (caption, "hero-caption");

    gtk_box_append (GTK_BOX (card), figure);
    gtk_box_append (GTK_BOX (card), caption);
    gtk_flow_box_append (self->hero_box, card);

    self->slots[h].page = self;
    self->slots[h].hero = h;
    self->hero_cards[h] = gtk_widget_get_parent (card);
    self->hero_captions[h] = GTK_LABEL (caption);
    self->counters[h] = stampede_counter_new (GTK_LABEL (figure),
                                              format_hero_cb,
                                              &self->slots[h]);
  }

  for (guint i = 0; i < G_N_ELEMENTS (narrated_heroes); i++)
    g_signal_connect_object (self->counters[narrated_heroes[i]], "shown",
                             G_CALLBACK (counter_shown_cb), self,
                             G_CONNECT_SWAPPED);

  gtk_flow_box_set_sort_func (self->hero_box, sort_heroes, self, NULL);
}

static void
show_heroes (StampedePresentationPage *self)
{
  const StampedeSnapshot *snapshot = shown_snapshot (self);
  gboolean figures = has_figures (snapshot);

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++)
    stampede_counter_set_value (self->counters[h],
                                figures
                                ? stampede_story_hero_value (snapshot, h)
                                : NAN);
}

/* Comparison card */

static GtkLabel *
add_cell (GtkGrid    *grid,
          const char *text,
          const char *name,
          const char *style,
          int         column,
          int         row)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  if (name != NULL)
    gtk_widget_set_name (label, name);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_grid_attach (grid, label, column, row, 1, 1);

  return GTK_LABEL (label);
}

static const char *
row_title (CompareRow row)
{
  switch (row) {
  case ROW_ACCURACY:
    return _("Accuracy");
  case ROW_RECALL:
    return _("Fraud caught (recall)");
  case ROW_FALSE_POSITIVES:
    return _("Legitimate declined");
  case ROW_LATENCY:
    return _("Latency");
  case N_ROWS:
  default:
    g_return_val_if_reached (NULL);
  }
}

static const char * const row_names[] = {
  "accuracy", "recall", "false-positives", "latency",
};

G_STATIC_ASSERT (G_N_ELEMENTS (row_names) == N_ROWS);

static char *
format_compare_cell (CompareRow row,
                     double     value)
{
  if (!isfinite (value))
    return g_strdup (STAMPEDE_FORMAT_NONE);

  switch (row) {
  case ROW_ACCURACY:
  case ROW_RECALL:
    return stampede_format_percent_down (value, 1);
  case ROW_FALSE_POSITIVES:
    return stampede_format_percent_up (value, 2);
  case ROW_LATENCY:
    /* The baseline decides in microseconds; "0.003 ms" reads badly. */
    if (value < 1.0) {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (text, sizeof text, "%.1f", value * 1000.0);
      return g_strdup_printf ("%s µs", text);
    }
    return stampede_format_ms (value);
  case N_ROWS:
  default:
    g_return_val_if_reached (NULL);
  }
}

static double
figure_of (const StampedeDetectorFigures *figures,
           CompareRow                     row)
{
  switch (row) {
  case ROW_ACCURACY:
    return figures->accuracy;
  case ROW_RECALL:
    return figures->recall;
  case ROW_FALSE_POSITIVES:
    return figures->false_positive_rate;
  case ROW_LATENCY:
    return figures->latency_ms;
  case N_ROWS:
  default:
    g_return_val_if_reached (NAN);
  }
}

static void
clear_grid (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
build_comparison (StampedePresentationPage *self)
{
  GtkGrid *grid = self->compare_grid;
  guint n_vendors = self->vendors != NULL ? self->vendors->n_vendors : 0;
  g_autofree char *note = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  clear_grid (grid);

  add_cell (grid, _("Platform vs rules only"), NULL, "story-title", 0, 0);
  add_cell (grid, _("Platform"), NULL, "compare-head", 1, 0);
  add_cell (grid, _("Rules only"), NULL, "compare-head", 2, 0);
  for (guint v = 0; v < n_vendors; v++)
    add_cell (grid, self->vendors->vendors[v].name, NULL, "compare-head",
              3 + v, 0);

  for (guint r = 0; r < N_ROWS; r++) {
    g_autofree char *platform = g_strdup_printf ("compare-platform-%s",
                                                 row_names[r]);
    g_autofree char *baseline = g_strdup_printf ("compare-baseline-%s",
                                                 row_names[r]);

    add_cell (grid, row_title (r), NULL, NULL, 0, 1 + r);
    self->platform_cells[r] = add_cell (grid, STAMPEDE_FORMAT_NONE, platform,
                                        "story-figure", 1, 1 + r);
    self->baseline_cells[r] = add_cell (grid, STAMPEDE_FORMAT_NONE, baseline,
                                        "story-figure", 2, 1 + r);

    for (guint v = 0; v < n_vendors; v++) {
      g_autofree char *text = format_compare_cell (
        r, figure_of (&self->vendors->vendors[v].figures, r));

      add_cell (grid, text, NULL, "vendor-figure", 3 + v, 1 + r);
    }
  }

  if (n_vendors > 0) {
    g_autofree char *file = g_path_get_basename (self->vendors->path);

    /* Translators: where other products' figures come from, as the
     * user's file says, then the file's name. */
    note = g_strdup_printf (_("Measured side by side on the same "
                              "transactions in this run. Latency: the "
                              "platform’s median answer; the rules’ mean "
                              "time to decide, inside the engine. Other "
                              "products: %s (from %s), not measured here."),
                            self->vendors->source, file);
  } else {
    note = g_strdup (_("Measured side by side on the same transactions in "
                       "this run. Latency: the platform’s median answer; "
                       "the rules’ mean time to decide, inside the "
                       "engine."));
  }

  self->compare_note = GTK_LABEL (gtk_label_new (note));
  gtk_widget_set_name (GTK_WIDGET (self->compare_note), "compare-note");
  gtk_widget_add_css_class (GTK_WIDGET (self->compare_note), "story-note");
  gtk_label_set_xalign (self->compare_note, 0);
  gtk_label_set_wrap (self->compare_note, TRUE);
  gtk_label_set_max_width_chars (self->compare_note, 52);
  gtk_grid_attach (grid, GTK_WIDGET (self->compare_note), 0, 1 + N_ROWS,
                   3 + n_vendors, 1);
}

static void
show_comparison (StampedePresentationPage *self,
                 const StampedeSnapshot   *snapshot)
{
  StampedeDetectorFigures platform;
  StampedeDetectorFigures baseline;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  stampede_story_platform_figures (snapshot, &platform);
  stampede_story_baseline_figures (snapshot, &baseline);

  for (guint r = 0; r < N_ROWS; r++) {
    take_text (self->platform_cells[r],
               format_compare_cell (r, figure_of (&platform, r)));
    take_text (self->baseline_cells[r],
               format_compare_cell (r, figure_of (&baseline, r)));
  }
}

/* Business value card */

static char *
format_price (StampedePresentationPage *self,
              double                    usd)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (text, sizeof text, "%.4g",
                   usd * self->profile.currency->per_usd);

  return g_strdup_printf ("%s%s", self->profile.currency->symbol, text);
}

static char *
format_cost (StampedePresentationPage *self,
             double                    usd)
{
  double value = usd * self->profile.currency->per_usd;
  g_autofree char *money = NULL;
  char cents[G_ASCII_DTOSTR_BUF_SIZE];

  /* Small costs are written with cents: a scoring cost of 0.23 rounded to
   * whole units would read as nothing at all. */
  if (value > 0 && value < 100) {
    g_ascii_formatd (cents, sizeof cents, "%.2f", value);
    money = g_strconcat (self->profile.currency->symbol, cents, NULL);
  } else {
    money = stampede_format_money (usd, self->profile.currency,
                                   &self->profile.style);
  }

  /* A cost is taken off the value; a cost of nothing is not. */
  return value >= 0.005 ? g_strdup_printf ("−%s", money)
                        : g_steal_pointer (&money);
}

static void
show_business (StampedePresentationPage *self,
               const StampedeSnapshot   *snapshot)
{
  const StampedeCostModel *cost = &self->profile.cost;
  StampedeBusinessValue value;
  g_autofree char *blocked = NULL;
  g_autofree char *declined = NULL;
  g_autofree char *answered = NULL;
  g_autofree char *per_block = format_price (self,
                                             cost->fraud_loss_per_block_usd);
  g_autofree char *per_review = format_price (self, cost->review_cost_usd);
  g_autofree char *per_tx = format_price (self, cost->cost_per_tx_usd);
  const StampedeNumberStyle *style = &self->profile.style;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  stampede_story_business_value (snapshot, cost, &value);
  blocked = stampede_format_figure (snapshot->true_pos, style);
  declined = stampede_format_figure (snapshot->false_pos, style);
  answered = stampede_format_figure (stampede_snapshot_answered (snapshot),
                                     style);

  if (cost->measured_fraud_loss)
    /* Translators: a count of blocked fraudulent transactions. */
    take_text (self->avoided_title,
               g_strdup_printf (_("Fraud loss avoided, %s blocked at their "
                                  "measured amounts"), blocked));
  else
    /* Translators: a count, then a modelled amount per transaction. */
    take_text (self->avoided_title,
               g_strdup_printf (_("Fraud loss avoided, %s blocked × %s"),
                                blocked, per_block));

  /* Translators: a count, then a modelled cost per review. */
  take_text (self->review_title,
             g_strdup_printf (_("Analyst reviews, %s legitimate declined "
                                "× %s"), declined, per_review));
  /* Translators: a count, then a modelled cost per transaction. */
  take_text (self->processing_title,
             g_strdup_printf (_("Scoring, %s transactions × %s"), answered,
                              per_tx));

  take_text (self->avoided_label,
             stampede_format_money (value.fraud_avoided_usd,
                                    self->profile.currency, style));
  take_text (self->review_label, format_cost (self, value.review_cost_usd));
  take_text (self->processing_label,
             format_cost (self, value.processing_cost_usd));
  take_text (self->net_label,
             stampede_format_money (value.net_usd, self->profile.currency,
                                    style));
}

static void
show_assumptions (StampedePresentationPage *self)
{
  const StampedeCurrency *currency = self->profile.currency;
  char rate[G_ASCII_DTOSTR_BUF_SIZE];

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (g_str_equal (currency->code, "USD")) {
    set_text (self->assumptions_label,
              _("Counts are measured in this run; the prices are "
                "the cost model’s assumptions, set in "
                "Preferences."));
    return;
  }

  g_ascii_formatd (rate, sizeof rate, "%.4g", currency->per_usd);
  /* Translators: a rate such as "0.92", then a currency code. */
  take_text (self->assumptions_label,
             g_strdup_printf (_("Counts are measured in this run; the "
                                "prices are the cost model’s assumptions, "
                                "set in Preferences. Amounts are converted "
                                "from US dollars at a fixed %s %s per "
                                "dollar."), rate, currency->code));
}

/* Success criteria */

static const char *
metric_title (StampedeMetric metric)
{
  switch (metric) {
  case STAMPEDE_METRIC_AVG_MS:
    return _("mean");
  case STAMPEDE_METRIC_P50_MS:
    return _("p50");
  case STAMPEDE_METRIC_P95_MS:
    return _("p95");
  case STAMPEDE_METRIC_P99_MS:
    return _("p99");
  case STAMPEDE_METRIC_SERVICE_P99_MS:
    return _("service p99");
  case STAMPEDE_METRIC_ERROR_RATE:
    return _("errors");
  case STAMPEDE_METRIC_AVAILABILITY:
    return _("availability");
  case STAMPEDE_METRIC_DATA_LOSS:
    return _("lost");
  case STAMPEDE_METRIC_DROPPED_SHARE:
    return _("dropped");
  case STAMPEDE_METRIC_ACCURACY:
    return _("accuracy");
  case STAMPEDE_METRIC_PRECISION:
    return _("precision");
  case STAMPEDE_METRIC_RECALL:
    return _("recall");
  case STAMPEDE_METRIC_COST_PER_TX_USD:
    return _("cost per transaction");
  case STAMPEDE_METRIC_ACHIEVED_RATIO:
    return _("rate achieved");
  case STAMPEDE_N_METRICS:
  default:
    g_return_val_if_reached (NULL);
  }
}

static char *
format_metric (StampedeMetric metric,
               double         value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  switch (metric) {
  case STAMPEDE_METRIC_AVG_MS:
  case STAMPEDE_METRIC_P50_MS:
  case STAMPEDE_METRIC_P95_MS:
  case STAMPEDE_METRIC_P99_MS:
  case STAMPEDE_METRIC_SERVICE_P99_MS:
    return stampede_format_ms (value);
  case STAMPEDE_METRIC_ERROR_RATE:
  case STAMPEDE_METRIC_DROPPED_SHARE:
    return stampede_format_percent_up (value, 2);
  case STAMPEDE_METRIC_AVAILABILITY:
  case STAMPEDE_METRIC_ACCURACY:
  case STAMPEDE_METRIC_PRECISION:
  case STAMPEDE_METRIC_RECALL:
  case STAMPEDE_METRIC_ACHIEVED_RATIO:
    return stampede_format_percent_down (value, 2);
  case STAMPEDE_METRIC_DATA_LOSS:
    return stampede_format_figure (value, NULL);
  case STAMPEDE_METRIC_COST_PER_TX_USD:
    g_ascii_formatd (text, sizeof text, "%.4g", value);
    return g_strdup_printf ("$%s", text);
  case STAMPEDE_N_METRICS:
  default:
    g_return_val_if_reached (NULL);
  }
}

static const char *
op_symbol (StampedeOp op)
{
  static const char * const symbols[] = { "<", "≤", ">", "≥", "=" };

  return op < G_N_ELEMENTS (symbols) ? symbols[op] : "?";
}

static void
build_criteria (StampedePresentationPage *self)
{
  const StampedeScenarioSpec *spec;
  GtkWidget *child;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  while ((child = gtk_widget_get_first_child (
            GTK_WIDGET (self->criteria_box))) != NULL)
    gtk_flow_box_remove (self->criteria_box, child);
  g_ptr_array_set_size (self->criteria_chips, 0);

  if (self->plan == NULL)
    return;

  spec = stampede_scene_plan_get_spec (self->plan);
  for (guint i = 0; i < spec->n_criteria; i++) {
    g_autofree char *name = g_strdup_printf ("criterion-%u", i);
    GtkWidget *chip = gtk_label_new (NULL);

    gtk_widget_set_name (chip, name);
    gtk_widget_add_css_class (chip, "criterion");
    gtk_flow_box_append (self->criteria_box, chip);
    g_ptr_array_add (self->criteria_chips, chip);
  }
}

/*
 * While a run goes, transactions in flight are neither lost nor
 * unanswered yet: the live verdicts judge the transactions that have
 * finished, and the final verdict, with nothing in flight, judges them
 * all.
 */
static JsonNode *
build_live_summary (StampedePresentationPage *self,
                    const StampedeSnapshot   *snapshot)
{
  g_autoptr(StampedeSnapshot) finished = stampede_snapshot_new ();
  g_autoptr(StampedeRunConfig) config = NULL;

  *finished = *snapshot;
  finished->arrivals -= MIN (finished->in_flight, finished->arrivals);
  finished->in_flight = 0;

  if (self->config != NULL)
    config = stampede_run_config_copy (self->config);
  else
    config = stampede_run_config_new ();

  return stampede_report_build_summary (config, finished);
}

static void
set_chip_class (GtkWidget  *chip,
                const char *style)
{
  static const char * const styles[] = {
    "criterion-pass", "criterion-fail", "criterion-pending",
  };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++) {
    if (g_str_equal (styles[i], style))
      gtk_widget_add_css_class (chip, styles[i]);
    else
      gtk_widget_remove_css_class (chip, styles[i]);
  }
}

static void
show_criteria (StampedePresentationPage *self,
               const StampedeSnapshot   *snapshot)
{
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(StampedeCriteriaResult) verdict = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (self->plan == NULL || self->criteria_chips->len == 0)
    return;

  summary = build_live_summary (self, snapshot);
  verdict = stampede_scenario_spec_evaluate (
    stampede_scene_plan_get_spec (self->plan), summary);

  for (guint i = 0; i < MIN (verdict->n_results,
                             self->criteria_chips->len); i++) {
    const StampedeCriterionResult *result = &verdict->results[i];
    const StampedeCriterion *criterion = &result->criterion;
    GtkWidget *chip = g_ptr_array_index (self->criteria_chips, i);
    g_autofree char *threshold = format_metric (criterion->metric,
                                                criterion->value);
    g_autofree char *actual = NULL;

    if (!result->computable) {
      /* Translators: a metric, a comparison and its threshold, e.g.
       * "p99 (< 2,000 ms)", while nothing measures it yet. */
      take_text (GTK_LABEL (chip),
                 g_strdup_printf (_("%s (%s %s)"),
                                  metric_title (criterion->metric),
                                  op_symbol (criterion->op), threshold));
      set_chip_class (chip, "criterion-pending");
      continue;
    }

    actual = format_metric (criterion->metric, result->actual);
    /* Translators: a pass or fail mark, a metric, its measured value, a
     * comparison and the threshold, e.g. "✓ p99 10.2 ms (< 2,000 ms)". */
    take_text (GTK_LABEL (chip),
               g_strdup_printf (_("%s %s %s (%s %s)"),
                                result->passed ? "✓" : "✗",
                                metric_title (criterion->metric), actual,
                                op_symbol (criterion->op), threshold));
    set_chip_class (chip, result->passed ? "criterion-pass"
                                         : "criterion-fail");
  }
}

/* Scenes */

static void
show_scene (StampedePresentationPage *self)
{
  g_autofree char *caption = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  /* A run started elsewhere (the Admin page, another client) is not the
   * scenario: the page says what it is instead of a scene. */
  if (is_running (self->latest) && !self->presenter_run) {
    g_autofree char *rate = stampede_format_rate (self->latest->target_rate);
    g_autofree char *duration = stampede_format_clock (
      self->latest->duration_s);

    set_text (self->scene_label, _("Live run"));
    /* Translators: a rate such as "400", then a time such as "2:20". */
    take_text (self->caption_label,
               g_strdup_printf (_("%s transactions a second for %s, outside "
                                  "the scenario"), rate, duration));
    gtk_widget_set_visible (self->summary_box, FALSE);
    gtk_widget_set_visible (GTK_WIDGET (self->criteria_box), TRUE);
    return;
  }

  set_text (self->scene_label, stampede_scene_get_title (self->scene));

  if (self->paused)
    caption = g_strdup (_("Paused · the run is stopped; press Space to "
                          "play this scene again"));
  else if (self->scene == STAMPEDE_SCENE_FAILURE && self->plan != NULL
           && !self->faults_injected)
    caption = g_strdup (_("No failure is injected: the app injects the "
                          "scenario’s faults only into the platform it "
                          "runs itself"));
  else if (self->plan != NULL)
    caption = stampede_scene_plan_describe (self->plan, self->scene);
  set_text (self->caption_label, caption != NULL ? caption : "");

  gtk_widget_set_visible (self->summary_box,
                          self->scene == STAMPEDE_SCENE_SUMMARY);
  gtk_widget_set_visible (GTK_WIDGET (self->criteria_box),
                          self->scene != STAMPEDE_SCENE_INTRO);
}

/* A figure of the narrative as its hero counter shows it at this moment,
 * or as @snapshot has it when the counter shows nothing. */
static double
narrated_figure (StampedePresentationPage *self,
                 const StampedeSnapshot   *snapshot,
                 StampedeHero              hero)
{
  double shown = stampede_counter_get_shown (self->counters[hero]);

  return isfinite (shown) ? shown : stampede_story_hero_value (snapshot, hero);
}

/* The counters ease towards each new figure, so the narrative tells the
 * figures they show rather than the snapshot's: the sentence and the
 * cards above it never read different numbers. */
static void
show_narrative (StampedePresentationPage *self,
                const StampedeSnapshot   *snapshot)
{
  g_autofree char *text = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (has_figures (snapshot))
    text = stampede_story_narrate (
      snapshot, &self->profile,
      narrated_figure (self, snapshot, STAMPEDE_HERO_FRAUD_BLOCKED),
      narrated_figure (self, snapshot, STAMPEDE_HERO_FRAUD_VALUE),
      narrated_figure (self, snapshot, STAMPEDE_HERO_AVAILABILITY));

  set_text (self->narrative_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->narrative_label), text != NULL);
}

static void
counter_shown_cb (StampedePresentationPage *self)
{
  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  show_narrative (self, shown_snapshot (self));
}

static void
refresh_figures (StampedePresentationPage *self)
{
  const StampedeSnapshot *snapshot = shown_snapshot (self);
  g_autoptr(StampedeSnapshot) empty = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  show_heroes (self);
  show_narrative (self, snapshot);

  /* The cards read as nothing measured before any run. */
  if (!has_figures (snapshot)) {
    empty = stampede_snapshot_new ();
    snapshot = empty;
  }

  show_business (self, snapshot);
  show_comparison (self, snapshot);
  show_criteria (self, snapshot);
}

/* Profile */

static void
load_vendors (StampedePresentationPage *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (self->settings != NULL)
    path = g_settings_get_string (self->settings, "vendor-file");
  if (g_strcmp0 (path, self->vendor_path) == 0)
    return;

  g_free (self->vendor_path);
  self->vendor_path = g_steal_pointer (&path);
  g_clear_pointer (&self->vendors, stampede_vendor_file_free);

  if (self->vendor_path != NULL && *self->vendor_path != '\0') {
    self->vendors = stampede_vendor_file_new_from_path (self->vendor_path,
                                                        &error);
    if (self->vendors == NULL)
      g_warning ("Other products’ figures left out: %s", error->message);
  }

  build_comparison (self);
}

static void
apply_profile (StampedePresentationPage *self)
{
  guint n;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  stampede_presentation_profile_load (&self->profile, self->settings);

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    gtk_widget_set_visible (self->hero_cards[h],
                            stampede_presentation_profile_shows (
                              &self->profile, h));

    if (h == STAMPEDE_HERO_FRAUD_VALUE)
      /* Translators: a caption, then a currency code. */
      take_text (self->hero_captions[h],
                 g_strdup_printf (_("%s (%s)"), stampede_hero_get_title (h),
                                  self->profile.currency->code));
    else
      set_text (self->hero_captions[h], stampede_hero_get_title (h));
  }

  /* Up to six figures on one row, more on two even rows. */
  n = self->profile.n_heroes;
  n = MAX (1, n <= HEROES_PER_ROW ? n : (n + 1) / 2);
  gtk_flow_box_set_min_children_per_line (self->hero_box, MIN (n, 3));
  gtk_flow_box_set_max_children_per_line (self->hero_box, n);
  gtk_flow_box_invalidate_sort (self->hero_box);

  load_vendors (self);
  show_assumptions (self);

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++)
    stampede_counter_refresh (self->counters[h]);
  refresh_figures (self);
}

static void
settings_changed_cb (StampedePresentationPage *self)
{
  apply_profile (self);
}

/* The hero counters keep to the canvas's frame budget, so that on a
 * software renderer they draw on the canvas's frames and no others. */
static void
frame_interval_changed_cb (StampedePresentationPage *self)
{
  gint64 interval = stampede_flow_canvas_get_frame_interval (self->canvas);

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++)
    stampede_counter_set_frame_interval (self->counters[h], interval);
}

static void
animations_changed_cb (StampedePresentationPage *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)),
                "gtk-enable-animations", &enabled,
                NULL);
  stampede_flow_canvas_set_reduced_motion (self->canvas, !enabled);
}

static void
stampede_presentation_page_dispose (GObject *object)
{
  StampedePresentationPage *self = STAMPEDE_PRESENTATION_PAGE (object);

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++)
    g_clear_object (&self->counters[h]);

  gtk_widget_dispose_template (GTK_WIDGET (self),
                               STAMPEDE_TYPE_PRESENTATION_PAGE);

  G_OBJECT_CLASS (stampede_presentation_page_parent_class)->dispose (object);
}

static void
stampede_presentation_page_finalize (GObject *object)
{
  StampedePresentationPage *self = STAMPEDE_PRESENTATION_PAGE (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->vendors, stampede_vendor_file_free);
  g_clear_pointer (&self->vendor_path, g_free);
  g_clear_pointer (&self->plan, stampede_scene_plan_free);
  g_clear_pointer (&self->criteria_chips, g_ptr_array_unref);
  g_clear_pointer (&self->latest, stampede_snapshot_unref);
  g_clear_pointer (&self->final, stampede_snapshot_unref);
  g_clear_pointer (&self->config, stampede_run_config_free);
  g_clear_pointer (&self->pending_config, stampede_run_config_free);

  G_OBJECT_CLASS (stampede_presentation_page_parent_class)->finalize (object);
}

/*
 * The page lays its child out itself instead of through AdwBin's layout
 * manager, so that it sees its own size: the "roomy" class depends on it.
 */
static GtkSizeRequestMode
stampede_presentation_page_get_request_mode (GtkWidget *widget)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child == NULL)
    return GTK_SIZE_REQUEST_CONSTANT_SIZE;

  return gtk_widget_get_request_mode (child);
}

static void
stampede_presentation_page_measure (GtkWidget      *widget,
                                    GtkOrientation  orientation,
                                    int             for_size,
                                    int            *minimum,
                                    int            *natural,
                                    int            *minimum_baseline,
                                    int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural,
                        minimum_baseline, natural_baseline);
}

/* The class depends only on the size the window gives the page, never on
 * what the class itself changes, so toggling it here cannot oscillate. */
static void
stampede_presentation_page_size_allocate (GtkWidget *widget,
                                          int        width,
                                          int        height,
                                          int        baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));
  gboolean roomy = width >= ROOMY_WIDTH && height >= ROOMY_HEIGHT;

  if (roomy != gtk_widget_has_css_class (widget, "roomy")) {
    if (roomy)
      gtk_widget_add_css_class (widget, "roomy");
    else
      gtk_widget_remove_css_class (widget, "roomy");
  }

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
stampede_presentation_page_class_init (StampedePresentationPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stampede_presentation_page_dispose;
  object_class->finalize = stampede_presentation_page_finalize;
  widget_class->get_request_mode = stampede_presentation_page_get_request_mode;
  widget_class->measure = stampede_presentation_page_measure;
  widget_class->size_allocate = stampede_presentation_page_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-presentation-page.ui");

#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, \
                                        StampedePresentationPage, name)
  BIND (scene_label);
  BIND (caption_label);
  BIND (status_label);
  BIND (hero_box);
  BIND (canvas);
  BIND (summary_box);
  BIND (avoided_title);
  BIND (avoided_label);
  BIND (review_title);
  BIND (review_label);
  BIND (processing_title);
  BIND (processing_label);
  BIND (net_label);
  BIND (assumptions_label);
  BIND (compare_grid);
  BIND (narrative_label);
  BIND (criteria_box);
  BIND (banner_revealer);
  BIND (banner_label);
  BIND (banner_hint);
  BIND (blank_box);
#undef BIND
}

static void
stampede_presentation_page_init (StampedePresentationPage *self)
{
  g_autoptr(GError) error = NULL;

  g_type_ensure (STAMPEDE_TYPE_FLOW_CANVAS);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);

  self->criteria_chips = g_ptr_array_new ();
  self->engine_local = TRUE;
  set_text (self->banner_hint, problem_hint (self->engine_local));
  self->settings = stampede_settings_new ();
  self->plan = stampede_scene_plan_new (DEFAULT_SCENARIO, &error);
  if (self->plan == NULL)
    g_critical ("The built-in scenario “%s” is broken: %s",
                DEFAULT_SCENARIO, error->message);

  build_heroes (self);
  build_criteria (self);
  build_comparison (self);

  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed",
                             G_CALLBACK (settings_changed_cb), self,
                             G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)),
                           "notify::gtk-enable-animations",
                           G_CALLBACK (animations_changed_cb), self,
                           G_CONNECT_SWAPPED);
  animations_changed_cb (self);
  g_signal_connect_object (self->canvas, "notify::frame-interval",
                           G_CALLBACK (frame_interval_changed_cb), self,
                           G_CONNECT_SWAPPED);
  frame_interval_changed_cb (self);

  apply_profile (self);
  show_scene (self);
  set_text (self->status_label,
            _("Ready · press Space to start the scenario"));
}

static void
note_run_start (StampedePresentationPage *self,
                const StampedeSnapshot   *snapshot)
{
  gboolean running = is_running (snapshot);

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (running && !self->was_running) {
    /* A run began: the figures of the previous one give way. */
    g_clear_pointer (&self->final, stampede_snapshot_unref);
    g_clear_pointer (&self->config, stampede_run_config_free);

    self->presenter_run = self->pending_presenter_run;
    self->run_start_s = self->pending_start_s;
    self->config = g_steal_pointer (&self->pending_config);
    self->pending_presenter_run = FALSE;
    self->pending_start_s = 0;
    self->paused = FALSE;

    if (self->presenter_run && self->plan != NULL)
      stampede_presentation_page_set_scene (
        self, stampede_scene_plan_scene_at (self->plan, self->run_start_s));
  }

  self->was_running = running;
}

static void
follow_scenario (StampedePresentationPage *self,
                 const StampedeSnapshot   *snapshot)
{
  StampedeScene scene;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  /* Scenes move on with the scenario's clock, never back, and only for a
   * run that plays the scenario; the summary waits for the final
   * figures. */
  if (!self->presenter_run || self->plan == NULL
      || snapshot->state != STAMPEDE_RUN_RUNNING)
    return;

  scene = stampede_scene_plan_scene_at (self->plan,
                                        self->run_start_s
                                        + snapshot->elapsed_s);
  if (scene > self->scene && scene != STAMPEDE_SCENE_SUMMARY)
    stampede_presentation_page_set_scene (self, scene);
}

static void
add_samples (StampedePresentationPage *self,
             const StampedeSnapshot   *snapshot)
{
  StampedeFlowSample samples[STAMPEDE_SNAPSHOT_MAX_SAMPLES];
  guint n;

  g_assert (STAMPEDE_IS_PRESENTATION_PAGE (self));

  n = stampede_story_flow_samples (snapshot, samples);
  if (n == 0)
    return;

  stampede_flow_canvas_add_samples (self->canvas, samples, n,
                                    MAX (snapshot->sample_represents, 1.0));
}

/**
 * stampede_presentation_page_update:
 * @self: a #StampedePresentationPage
 * @snapshot: the latest snapshot from the engine's stream
 *
 * Shows the figures of @snapshot and sends its sampled transactions to
 * the flow canvas.  An engine that is idle and has never run leaves the
 * figures showing that nothing is measured yet; the final figures of a
 * run hold until the next run starts.
 */
void
stampede_presentation_page_update (StampedePresentationPage *self,
                                   const StampedeSnapshot   *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  g_clear_pointer (&self->latest, stampede_snapshot_unref);
  self->latest = stampede_snapshot_ref ((StampedeSnapshot *) snapshot);

  note_run_start (self, snapshot);
  take_text (self->status_label, describe_run (self, snapshot));

  add_samples (self, snapshot);
  refresh_figures (self);
  follow_scenario (self, snapshot);

  if (!self->presenter_run)
    show_scene (self);
}

/**
 * stampede_presentation_page_finish:
 * @self: a #StampedePresentationPage
 * @snapshot: the final snapshot of a run
 *
 * Holds the final figures of a run and shows the summary scene.
 */
void
stampede_presentation_page_finish (StampedePresentationPage *self,
                                   const StampedeSnapshot   *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  stampede_presentation_page_update (self, snapshot);

  g_clear_pointer (&self->final, stampede_snapshot_unref);
  self->final = stampede_snapshot_ref ((StampedeSnapshot *) snapshot);
  self->presenter_run = FALSE;
  self->was_running = FALSE;
  self->paused = FALSE;

  refresh_figures (self);
  stampede_presentation_page_set_scene (self, STAMPEDE_SCENE_SUMMARY);
}

/**
 * stampede_presentation_page_disconnect:
 * @self: a #StampedePresentationPage
 *
 * Forgets the engine's run, as its stream is gone: the figures last
 * received stay on screen, and the next run the page hears of is a new
 * one.
 */
void
stampede_presentation_page_disconnect (StampedePresentationPage *self)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  if (self->final == NULL && self->latest != NULL)
    self->final = g_steal_pointer (&self->latest);
  g_clear_pointer (&self->latest, stampede_snapshot_unref);

  self->was_running = FALSE;
  self->presenter_run = FALSE;
  show_scene (self);
}

/**
 * stampede_presentation_page_set_message:
 * @self: a #StampedePresentationPage
 * @message: what to say in the status line
 *
 * Replaces the status line, for the time before the stream has anything
 * to say (connecting, or a failure to connect).
 */
void
stampede_presentation_page_set_message (StampedePresentationPage *self,
                                        const char               *message)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (message != NULL);

  set_text (self->status_label, message);
}

/**
 * stampede_presentation_page_show_problem:
 * @self: a #StampedePresentationPage
 * @message: one sentence that says what happened
 *
 * Shows a calm banner over the page; the flow and the figures go on.
 */
void
stampede_presentation_page_show_problem (StampedePresentationPage *self,
                                         const char               *message)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (message != NULL);

  set_text (self->banner_label, message);
  set_text (self->banner_hint, problem_hint (self->engine_local));
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

/**
 * stampede_presentation_page_set_engine_local:
 * @self: a #StampedePresentationPage
 * @local: whether the app runs the engine and the platform itself
 *
 * Says what pressing R does, for the banner's hint: it starts the app's
 * own services again, while a remote engine can only be asked again.
 */
void
stampede_presentation_page_set_engine_local (StampedePresentationPage *self,
                                             gboolean                  local)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  self->engine_local = !!local;
  set_text (self->banner_hint, problem_hint (self->engine_local));
}

void
stampede_presentation_page_hide_problem (StampedePresentationPage *self)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

/**
 * stampede_presentation_page_set_scenario:
 * @self: a #StampedePresentationPage
 * @scenario: the name of a built-in scenario
 * @error: return location for a #GError
 *
 * Presents @scenario: its scenes, its runs and its success criteria.
 *
 * Returns: %TRUE on success
 */
gboolean
stampede_presentation_page_set_scenario (StampedePresentationPage  *self,
                                         const char                *scenario,
                                         GError                   **error)
{
  StampedeScenePlan *plan;

  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), FALSE);
  g_return_val_if_fail (scenario != NULL, FALSE);

  plan = stampede_scene_plan_new (scenario, error);
  if (plan == NULL)
    return FALSE;

  g_clear_pointer (&self->plan, stampede_scene_plan_free);
  self->plan = plan;

  build_criteria (self);
  refresh_figures (self);
  show_scene (self);

  return TRUE;
}

StampedeScene
stampede_presentation_page_get_scene (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self),
                        STAMPEDE_SCENE_INTRO);

  return self->scene;
}

void
stampede_presentation_page_set_scene (StampedePresentationPage *self,
                                      StampedeScene             scene)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));
  g_return_if_fail (scene < STAMPEDE_N_SCENES);

  self->scene = scene;
  show_scene (self);
}

/**
 * stampede_presentation_page_step_scene:
 * @self: a #StampedePresentationPage
 * @delta: how many scenes to move, forwards or backwards
 *
 * Moves to another scene, as a presenter's clicker does; the first and
 * last scenes are as far as it goes.
 */
void
stampede_presentation_page_step_scene (StampedePresentationPage *self,
                                       int                       delta)
{
  int scene;

  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  scene = CLAMP ((int) self->scene + delta, 0, STAMPEDE_N_SCENES - 1);
  stampede_presentation_page_set_scene (self, scene);
}

gboolean
stampede_presentation_page_get_blank (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), FALSE);

  return gtk_widget_get_visible (self->blank_box);
}

/**
 * stampede_presentation_page_set_blank:
 * @self: a #StampedePresentationPage
 * @blank: whether to black the page out
 *
 * Blacks out the page, for a presenter who wants the audience's eyes;
 * everything goes on underneath.
 */
void
stampede_presentation_page_set_blank (StampedePresentationPage *self,
                                      gboolean                  blank)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  gtk_widget_set_visible (self->blank_box, blank);
}

/**
 * stampede_presentation_page_set_paused:
 * @self: a #StampedePresentationPage
 * @paused: whether the presenter paused the scenario
 *
 * Says in the caption that the scenario is paused.  The engine cannot
 * pause a run: a paused scenario is a stopped run, and playing on starts
 * a new run from the scene on screen.
 */
void
stampede_presentation_page_set_paused (StampedePresentationPage *self,
                                       gboolean                  paused)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  self->paused = !!paused;
  show_scene (self);
}

/**
 * stampede_presentation_page_is_running:
 * @self: a #StampedePresentationPage
 *
 * Returns: whether the latest snapshot shows a run going on
 */
gboolean
stampede_presentation_page_is_running (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), FALSE);

  return is_running (self->latest);
}

/**
 * stampede_presentation_page_new_run_config:
 * @self: a #StampedePresentationPage
 * @target_url: (nullable): where the run aims
 *
 * Makes the run that plays the scenario from the scene on screen (from
 * the start for the introduction and the summary), and expects it: when
 * it starts, the scenes follow its clock.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL when
 *   no scenario is set
 */
StampedeRunConfig *
stampede_presentation_page_new_run_config (StampedePresentationPage *self,
                                           const char               *target_url,
                                           double                   *start_s)
{
  StampedeRunConfig *config;
  double from = 0;

  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), NULL);

  if (self->plan == NULL)
    return NULL;

  config = stampede_scene_plan_new_config (self->plan, self->scene,
                                           target_url, &from);

  g_clear_pointer (&self->pending_config, stampede_run_config_free);
  self->pending_config = stampede_run_config_copy (config);
  self->pending_start_s = from;
  self->pending_presenter_run = TRUE;

  if (start_s != NULL)
    *start_s = from;

  return config;
}

/**
 * stampede_presentation_page_get_plan:
 * @self: a #StampedePresentationPage
 *
 * Returns: (transfer none) (nullable): the scenes of the scenario the page
 *   presents
 */
StampedeScenePlan *
stampede_presentation_page_get_plan (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), NULL);

  return self->plan;
}

/**
 * stampede_presentation_page_set_faults_injected:
 * @self: a #StampedePresentationPage
 * @injected: whether the scenario's faults are injected into its runs
 *
 * Says whether the injected failure happens: a remote engine's target
 * takes no faults from the app, and the failure scene must not claim
 * otherwise.
 */
void
stampede_presentation_page_set_faults_injected (StampedePresentationPage *self,
                                                gboolean                  injected)
{
  g_return_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self));

  self->faults_injected = !!injected;
  show_scene (self);
}

/**
 * stampede_presentation_page_get_canvas:
 * @self: a #StampedePresentationPage
 *
 * Returns: (transfer none): the page's transaction-flow canvas
 */
StampedeFlowCanvas *
stampede_presentation_page_get_canvas (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), NULL);

  return self->canvas;
}

/**
 * stampede_presentation_page_is_settled:
 * @self: a #StampedePresentationPage
 *
 * Returns: whether every hero figure shows its latest value
 */
gboolean
stampede_presentation_page_is_settled (StampedePresentationPage *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PRESENTATION_PAGE (self), TRUE);

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    if (!stampede_counter_is_settled (self->counters[h]))
      return FALSE;
  }

  return TRUE;
}
