/* stampede-agents.c — the platform's four scoring agents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "stampede-agents.h"

/*
 * Each agent turns what it notices into findings with a weight in [0, 1]
 * and combines its findings as independent pieces of evidence:
 * score = 1 − Π (1 − weight).  Two weak signals together thus outweigh
 * either alone, and no sum can leave [0, 1].
 */

#define SMALL_USD       5.0     /* what a card-testing probe spends */
#define MINUTE_MS       60000
#define TEN_MINUTES_MS  600000
#define MAX_SPEED_KMH   900.0   /* an airliner; faster is impossible */
#define LOCAL_KM        150.0   /* closer than this is never "travel" */

static const struct {
  const char *mcc;
  double      weight;
  const char *what;
} risky_mccs[] = {
  { "7995", 0.50, "gambling" },
  { "6051", 0.45, "quasi-cash" },
  { "4829", 0.45, "money transfer" },
  { "5967", 0.40, "direct marketing" },
};

/* The jurisdictions under the FATF's call for action (2024). */
static const char * const risky_countries[] = { "KP", "IR", "MM" };

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);

  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static double
clamp01 (double x)
{
  return x < 0 ? 0 : (x > 1 ? 1 : x);
}

static void
add_finding (StampedeAssessment *out,
             double             *score,
             double              weight,
             const char         *format,
             ...) G_GNUC_PRINTF (4, 5);

static void
add_finding (StampedeAssessment *out,
             double             *score,
             double              weight,
             const char         *format,
             ...)
{
  StampedeFinding *finding;
  va_list args;

  weight = clamp01 (weight);
  if (weight <= 0)
    return;

  *score = 1 - (1 - *score) * (1 - weight);
  if (out->n_findings == STAMPEDE_PLATFORM_MAX_FINDINGS)
    return;

  finding = &out->findings[out->n_findings++];
  finding->weight = weight;
  va_start (args, format);
  g_vsnprintf (finding->text, sizeof finding->text, format, args);
  va_end (args);
}

/* Interpolates the weight of an absolute amount, linearly in log10 of the
 * amount between these points: everyday spending weighs nothing, five
 * figures weigh a lot, but never enough to decline on their own. */
static double
amount_band (double usd)
{
  static const double points[][2] = {
    { 250, 0.0 }, { 1000, 0.25 }, { 5000, 0.55 }, { 20000, 0.8 },
    { 100000, 0.9 },
  };
  guint n = G_N_ELEMENTS (points);

  if (usd <= points[0][0])
    return points[0][1];

  for (guint i = 1; i < n; i++) {
    if (usd <= points[i][0]) {
      double x0 = log10 (points[i - 1][0]), x1 = log10 (points[i][0]);
      double t = (log10 (usd) - x0) / (x1 - x0);

      return points[i - 1][1] + t * (points[i][1] - points[i - 1][1]);
    }
  }

  return points[n - 1][1];
}

/*
 * The analyzer compares the amount with the card's own history.  Amounts
 * are heavy-tailed, so the history is kept as the mean and variance of
 * ln(1 + USD): a z-score there asks "how many typical spreads above this
 * card's usual spend", which a mean of raw amounts answers badly.
 */
static double
transaction_analyzer (const StampedeScoreRequest *request,
                      const StampedeCardHistory  *prior,
                      StampedeAssessment         *out)
{
  double score = 0;
  double band = amount_band (request->amount_usd);

  add_finding (out, &score, band, "amount of %.0f USD",
               request->amount_usd);

  if (prior->count >= 3) {
    double sd = sqrt (prior->m2_log / (double) (prior->count - 1));
    double z = (log1p (request->amount_usd) - prior->mean_log)
               / MAX (sd, 0.35);
    double usual = expm1 (prior->mean_log);

    add_finding (out, &score, 0.95 * clamp01 ((z - 2.0) / 3.0),
                 "amount %.0f× the card's usual spend",
                 request->amount_usd / MAX (usual, 0.01));
  }

  return score;
}

static guint
count_within (const StampedeCardHistory *prior,
              gint64                     timestamp_ms,
              gint64                     window_ms)
{
  guint n = 1;

  for (guint i = 0; i < prior->n_recent; i++) {
    if (ABS (timestamp_ms - prior->recent_ts[i]) <= window_ms)
      n++;
  }

  return n;
}

/* Card testing: a run of tiny amounts in a short time, newest first,
 * ending with this transaction. */
static guint
small_run (const StampedeScoreRequest *request,
           const StampedeCardHistory  *prior)
{
  guint run;

  if (request->amount_usd >= SMALL_USD)
    return 0;

  run = 1;
  for (guint i = prior->n_recent; i > 0; i--) {
    if (prior->recent_usd[i - 1] >= SMALL_USD
        || ABS (request->timestamp_ms - prior->recent_ts[i - 1])
           > TEN_MINUTES_MS)
      break;
    run++;
  }

  return run;
}

/*
 * Velocity alone is weak evidence: a busy card, or a load test that
 * replays many transactions per card in little time, looks fast too.  It
 * can send a transaction to review but not decline it by itself.  A run
 * of tiny amounts is the strong signal of card testing.
 */
static double
pattern_detector (const StampedeScoreRequest *request,
                  const StampedeCardHistory  *prior,
                  StampedeAssessFlags         flags,
                  StampedeAssessment         *out)
{
  static const double run_weights[] = { 0, 0, 0.5, 0.85, 0.97 };
  double score = 0;
  guint n_minute = count_within (prior, request->timestamp_ms, MINUTE_MS);
  guint n_ten = 0;
  double fast = 0.7 * clamp01 ((n_minute - 3.0) / 5.0);
  double busy = 0;
  guint run = small_run (request, prior);

  /* Under load the long window is the work that is skipped: the minute
   * window and the card-testing run still catch the fast attacks. */
  if (!(flags & STAMPEDE_ASSESS_SHORT_WINDOW)) {
    n_ten = count_within (prior, request->timestamp_ms, TEN_MINUTES_MS);
    busy = 0.5 * clamp01 ((n_ten - 6.0) / 10.0);
  }

  /* The two windows see the same transactions: only the stronger one
   * counts, or a busy card would be counted twice. */
  if (fast >= busy)
    add_finding (out, &score, fast, "%u transactions on the card in a minute",
                 n_minute);
  else
    add_finding (out, &score, busy,
                 "%u transactions on the card in ten minutes", n_ten);
  add_finding (out, &score,
               run_weights[MIN (run, G_N_ELEMENTS (run_weights) - 1)],
               "%u tiny amounts in a row, like card testing", run);

  return score;
}

/**
 * stampede_platform_distance_km:
 *
 * Returns: the great-circle distance between two points in kilometres
 * (haversine formula, mean Earth radius)
 */
double
stampede_platform_distance_km (double lat1,
                               double lon1,
                               double lat2,
                               double lon2)
{
  double to_rad = G_PI / 180;
  double dlat = (lat2 - lat1) * to_rad;
  double dlon = (lon2 - lon1) * to_rad;
  double a = sin (dlat / 2) * sin (dlat / 2)
             + cos (lat1 * to_rad) * cos (lat2 * to_rad)
               * sin (dlon / 2) * sin (dlon / 2);

  return 2 * 6371.0 * asin (sqrt (MIN (a, 1.0)));
}

/*
 * A merchant's coordinates are where its acquirer registered it, which
 * inside one country is often not where the card was used (chains, online
 * shops, head offices).  So only a jump to another country at more than
 * airliner speed counts as impossible travel, and only when it lands
 * outside the card's home country: a card back home after use abroad is
 * most often its holder returning, or paying at home for a trip.
 */
static void
assess_travel (const StampedeScoreRequest *request,
               const StampedeCardHistory  *prior,
               StampedeAssessment         *out,
               double                     *score)
{
  double km, hours, speed;

  if (!request->has_location || !prior->has_location
      || strcmp (request->country, prior->location_country) == 0
      || strcmp (request->country, request->card_country) == 0)
    return;

  km = stampede_platform_distance_km (prior->last_lat, prior->last_lon,
                                      request->lat, request->lon);
  if (km < LOCAL_KM)
    return;

  /* A second is the shortest gap measured, so that two places at once
   * read as a very high speed rather than a division by zero. */
  hours = MAX (ABS (request->timestamp_ms - prior->location_ts_ms), 1000)
          / 3.6e6;
  speed = km / hours;

  if (speed > MAX_SPEED_KMH)
    add_finding (out, score, 0.95,
                 "impossible travel: %.0f km from %s in %.0f min", km,
                 prior->location_country, hours * 60);
  else if (speed > MAX_SPEED_KMH / 2)
    add_finding (out, score, 0.3, "fast travel: %.0f km from %s in %.0f min",
                 km, prior->location_country, hours * 60);
}

/* Gambling, crypto and money transfer are everyday for some card holders
 * at home; bought from a merchant abroad they are a classic cash-out. */
static void
assess_merchant (const StampedeScoreRequest *request,
                 StampedeAssessment         *out,
                 double                     *score)
{
  gboolean abroad = strcmp (request->country, request->card_country) != 0;

  for (guint i = 0; i < G_N_ELEMENTS (risky_mccs); i++) {
    if (strcmp (request->mcc, risky_mccs[i].mcc) != 0)
      continue;

    add_finding (out, score, risky_mccs[i].weight,
                 "high-risk merchant category %s (%s)", request->mcc,
                 risky_mccs[i].what);
    if (abroad)
      add_finding (out, score, 0.65, "%s with a merchant abroad",
                   risky_mccs[i].what);
  }

  for (guint i = 0; i < G_N_ELEMENTS (risky_countries); i++) {
    if (strcmp (request->country, risky_countries[i]) == 0)
      add_finding (out, score, 0.5, "merchant in high-risk country %s",
                   request->country);
  }
}

static double
geo_risk (const StampedeScoreRequest *request,
          const StampedeCardHistory  *prior,
          StampedeAssessment         *out)
{
  double score = 0;

  assess_travel (request, prior, out, &score);

  if (strcmp (request->country, request->card_country) != 0)
    add_finding (out, &score, 0.25, "merchant in %s, card from %s",
                 request->country, request->card_country);

  assess_merchant (request, out, &score);

  return score;
}

static int
compare_findings (gconstpointer a,
                  gconstpointer b)
{
  const StampedeFinding *fa = a, *fb = b;

  return (fa->weight < fb->weight) - (fa->weight > fb->weight);
}

static const char * const verdicts[] = {
  "Approved", "Sent to review", "Declined",
};

/* Names the scoring agents that did not run, so that a decision taken
 * without one of them says so. */
static void
append_missing (GString                  *text,
                const StampedeAssessment *out)
{
  guint n_missing = 0;

  for (guint i = 0; i < STAMPEDE_PLATFORM_REASONING; i++) {
    if (out->ran[i])
      continue;
    g_string_append (text, n_missing == 0 ? " (without " : ", ");
    g_string_append (text, stampede_platform_agent_name (i));
    n_missing++;
  }

  if (n_missing > 0)
    g_string_append_c (text, ')');
}

static void
explain (StampedeAssessment *out)
{
  g_autoptr(GString) text = g_string_new (verdicts[out->decision]);
  StampedeFinding sorted[STAMPEDE_PLATFORM_MAX_FINDINGS];
  guint n_named = 0;

  memcpy (sorted, out->findings, out->n_findings * sizeof sorted[0]);
  qsort (sorted, out->n_findings, sizeof sorted[0], compare_findings);

  for (guint i = 0; i < out->n_findings && n_named < 3; i++) {
    if (sorted[i].weight < 0.15)
      break;
    g_string_append (text, n_named == 0 ? ": " : "; ");
    g_string_append (text, sorted[i].text);
    n_named++;
  }

  if (n_named == 0)
    g_string_append (text, ": nothing unusual for this card");
  append_missing (text, out);
  g_string_append_c (text, '.');

  g_strlcpy (out->explanation, text->str, sizeof out->explanation);
}

/*
 * The reasoning agent weighs the three scores as independent evidence.
 * The weights say how far each agent alone may go: a pattern or a travel
 * finding at full strength declines by itself, while an amount alone,
 * which legitimate customers also produce, at most sends to review unless
 * it is far outside the card's own history.
 */
static double
reasoning (StampedeAssessFlags  flags,
           StampedeAssessment  *out)
{
  double analyzer = out->score[STAMPEDE_PLATFORM_ANALYZER];
  double pattern = out->score[STAMPEDE_PLATFORM_PATTERN];
  double geo = out->score[STAMPEDE_PLATFORM_GEO];
  double risk = 1 - (1 - 0.8 * analyzer) * (1 - 0.95 * pattern)
                    * (1 - 0.9 * geo);

  out->risk = clamp01 (risk);
  if (out->risk >= STAMPEDE_PLATFORM_DECLINE_AT)
    out->decision = STAMPEDE_PLATFORM_DECLINE;
  else if (out->risk >= STAMPEDE_PLATFORM_REVIEW_AT)
    out->decision = STAMPEDE_PLATFORM_REVIEW;
  else
    out->decision = STAMPEDE_PLATFORM_APPROVE;

  if (flags & STAMPEDE_ASSESS_NO_EXPLANATION) {
    g_autoptr(GString) text = g_string_new (verdicts[out->decision]);

    append_missing (text, out);
    g_string_append (text, "; explanation skipped under load.");
    g_strlcpy (out->explanation, text->str, sizeof out->explanation);
  } else {
    explain (out);
  }

  return out->risk;
}

/**
 * stampede_platform_assess:
 * @request: a validated transaction
 * @prior: what the platform knew of the card before @request
 * @out: (out caller-allocates): the four agents' scores, the decision and
 *   its explanation
 *
 * Runs the four agents on a transaction and times each one.
 */
void
stampede_platform_assess (const StampedeScoreRequest *request,
                          const StampedeCardHistory  *prior,
                          StampedeAssessment         *out)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (prior != NULL);
  g_return_if_fail (out != NULL);

  stampede_platform_assess_with (request, prior, 0, out);
}

/**
 * stampede_platform_assess_with:
 * @request: a validated transaction
 * @prior: what the platform knew of the card before @request
 * @flags: the agents and the work to leave out
 * @out: (out caller-allocates): the scores, the decision and its
 *   explanation
 *
 * Runs the agents that @flags leave in and times each one.  The reasoning
 * agent combines what it has: a missing agent counts as no evidence, and
 * the explanation names it.
 */
void
stampede_platform_assess_with (const StampedeScoreRequest *request,
                               const StampedeCardHistory  *prior,
                               StampedeAssessFlags         flags,
                               StampedeAssessment         *out)
{
  gint64 t[STAMPEDE_PLATFORM_N_AGENTS + 1];

  g_return_if_fail (request != NULL);
  g_return_if_fail (prior != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < STAMPEDE_PLATFORM_REASONING; i++)
    out->ran[i] = !(flags & (1 << i));
  out->ran[STAMPEDE_PLATFORM_REASONING] = TRUE;

  t[0] = now_ns ();
  if (out->ran[STAMPEDE_PLATFORM_ANALYZER])
    out->score[STAMPEDE_PLATFORM_ANALYZER] =
      transaction_analyzer (request, prior, out);
  t[1] = now_ns ();
  if (out->ran[STAMPEDE_PLATFORM_PATTERN])
    out->score[STAMPEDE_PLATFORM_PATTERN] =
      pattern_detector (request, prior, flags, out);
  t[2] = now_ns ();
  if (out->ran[STAMPEDE_PLATFORM_GEO])
    out->score[STAMPEDE_PLATFORM_GEO] = geo_risk (request, prior, out);
  t[3] = now_ns ();
  out->score[STAMPEDE_PLATFORM_REASONING] = reasoning (flags, out);
  t[4] = now_ns ();

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++)
    out->compute_us[i] = out->ran[i] ? (t[i + 1] - t[i]) / 1000.0 : 0;
}

static gboolean
is_high_risk (const StampedeScoreRequest *request,
              const char                **what,
              gboolean                   *what_is_mcc)
{
  for (guint i = 0; i < G_N_ELEMENTS (risky_mccs); i++) {
    if (strcmp (request->mcc, risky_mccs[i].mcc) == 0) {
      *what = risky_mccs[i].what;
      *what_is_mcc = TRUE;
      return TRUE;
    }
  }

  for (guint i = 0; i < G_N_ELEMENTS (risky_countries); i++) {
    if (strcmp (request->country, risky_countries[i]) == 0) {
      *what = request->country;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_platform_assess_emergency:
 * @request: a validated transaction
 * @out: (out caller-allocates): the decision and its explanation
 *
 * Decides with fixed rules and no agent, as the platform does in
 * emergency mode: a high-risk merchant category or country is declined,
 * a small amount approved, anything else sent to review.  The rules give
 * no graded score: the risk is the lower edge of the decision's band.
 * No agent runs, so none is marked as having run.
 */
void
stampede_platform_assess_emergency (const StampedeScoreRequest *request,
                                    StampedeAssessment         *out)
{
  const char *what = NULL;
  gboolean what_is_mcc = FALSE;

  g_return_if_fail (request != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);

  if (is_high_risk (request, &what, &what_is_mcc)) {
    out->decision = STAMPEDE_PLATFORM_DECLINE;
    out->risk = STAMPEDE_PLATFORM_DECLINE_AT;
    if (what_is_mcc)
      g_snprintf (out->explanation, sizeof out->explanation,
                  "Declined by emergency rules: high-risk merchant category "
                  "%s (%s).", request->mcc, what);
    else
      g_snprintf (out->explanation, sizeof out->explanation,
                  "Declined by emergency rules: merchant in high-risk "
                  "country %s.", request->country);
  } else if (request->amount_usd < STAMPEDE_PLATFORM_EMERGENCY_APPROVE_USD) {
    out->decision = STAMPEDE_PLATFORM_APPROVE;
    out->risk = 0;
    g_snprintf (out->explanation, sizeof out->explanation,
                "Approved by emergency rules: under %.0f USD.",
                STAMPEDE_PLATFORM_EMERGENCY_APPROVE_USD);
  } else {
    out->decision = STAMPEDE_PLATFORM_REVIEW;
    out->risk = STAMPEDE_PLATFORM_REVIEW_AT;
    g_snprintf (out->explanation, sizeof out->explanation,
                "Sent to review by emergency rules: %.0f USD is too much to "
                "approve unscored.", request->amount_usd);
  }
}

const char *
stampede_platform_agent_name (StampedePlatformAgent agent)
{
  static const char * const names[] = {
    "transaction_analyzer", "pattern_detector", "geo_risk", "reasoning",
  };

  g_return_val_if_fail (agent < STAMPEDE_PLATFORM_N_AGENTS, NULL);

  return names[agent];
}

const char *
stampede_platform_decision_name (StampedePlatformDecision decision)
{
  static const char * const names[] = { "approve", "review", "decline" };

  g_return_val_if_fail (decision <= STAMPEDE_PLATFORM_DECLINE, NULL);

  return names[decision];
}
