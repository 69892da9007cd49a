/* stampede-engine.c — the load engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "stampede-engine.h"
#include "stampede-profile.h"
#include "stampede-worker.h"

#define TICK_MS              100
#define HISTOGRAM_HIGHEST_US G_GINT64_CONSTANT (3600000000)
#define DEFAULT_MAX_WORKERS  2

/* The interval latency covers the last second as ten slices of one tick;
 * the rates compare against the sample taken ten ticks ago. */
#define N_SLICES             10

/* The per-second series keeps at most a day of rows; anything later is
 * added to the last one. */
#define MAX_SERIES_ROWS      86400

typedef struct {
  gint64  time_us;
  guint64 sent;
  guint64 completed;
} RateSample;

/* The arrivals sent over the window of the achieved rate, and those the
 * profile asked for over the same window. */
typedef struct {
  double achieved;
  double expected;
} Window;

/*
 * The engine's state, configuration, latest snapshot, series and run
 * histograms are read from any thread under @lock.  The aggregator runs
 * as a timeout source in the context that was the thread default at
 * start, so the signals are emitted there; the fields it alone uses carry
 * no lock.
 */
struct _StampedeEngine {
  GObject                parent_instance;

  GMutex                 lock;
  StampedeRunState       state;
  StampedeRunConfig     *config;
  StampedeSnapshot      *snapshot;
  StampedeProfile       *profile;
  GPtrArray             *workers;
  gint64                 start_us;
  /* How long the profile scheduled arrivals for: its duration, or less
   * when the run was stopped or aborted before its end. */
  double                 scheduled_s;
  GArray                *series;
  StampedeHistogram     *run;
  StampedeHistogram     *service;
  gboolean               aborted;
  char                  *abort_reason;

  GMainContext          *context;
  GSource               *tick;

  /* The aggregator's own. */
  gboolean               closed;
  StampedeHistogram     *interval;
  StampedeHistogram     *slices[N_SLICES];
  guint                  slice_index;
  GPtrArray             *spare_corrected;
  GPtrArray             *spare_service;
  GPtrArray             *spare_samples;
  GRand                 *sample_rand;
  RateSample             samples[N_SLICES + 1];
  guint                  n_samples;
  gint64                 below_since_us;

  /* What the series has counted so far, and the latencies since its last
   * row. */
  StampedeWorkerTotals   series_mark;
  double                 series_mark_s;
  StampedeHistogram     *second_corrected;
  StampedeHistogram     *second_service;
};

G_DEFINE_TYPE (StampedeEngine, stampede_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (stampede-engine-error-quark, stampede_engine_error)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS,
};

enum {
  SIGNAL_SNAPSHOT,
  SIGNAL_FINISHED,
  N_SIGNALS,
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
latency_from (StampedeLatency         *latency,
              const StampedeHistogram *histogram)
{
  latency->count = stampede_histogram_count (histogram);
  latency->mean = stampede_histogram_mean (histogram) / 1000.0;
  latency->p50 = stampede_histogram_percentile (histogram, 50) / 1000.0;
  latency->p95 = stampede_histogram_percentile (histogram, 95) / 1000.0;
  latency->p99 = stampede_histogram_percentile (histogram, 99) / 1000.0;
  latency->max = stampede_histogram_max (histogram) / 1000.0;
}

/* Sampling.
 *
 * Each worker keeps a uniform sample of what it finished since the last
 * harvest.  Their union is sampled again here without replacement: each
 * draw picks a worker with probability in proportion to how many of its
 * transactions are left to draw from, then one of its samples at random.
 * That is a uniform sample of all the workers' transactions, and never
 * asks a worker for more samples than it kept, since no more than
 * STAMPEDE_SNAPSHOT_MAX_SAMPLES are drawn in all.
 */
static void
merge_samples (StampedeEngine   *self,
               StampedeSnapshot *snapshot)
{
  guint n_workers = self->spare_samples->len;
  g_autofree guint64 *left = g_new0 (guint64, n_workers);
  guint64 total = 0;

  for (guint i = 0; i < n_workers; i++) {
    StampedeWorkerSamples *samples = g_ptr_array_index (self->spare_samples,
                                                        i);

    left[i] = samples->seen;
    total += samples->seen;
  }

  snapshot->n_samples = (guint) MIN (total, STAMPEDE_SNAPSHOT_MAX_SAMPLES);
  snapshot->sample_represents = snapshot->n_samples > 0
                                ? (double) total / snapshot->n_samples : 1;

  for (guint k = 0; k < snapshot->n_samples; k++) {
    double pick = g_rand_double (self->sample_rand) * (double) total;
    StampedeWorkerSamples *samples;
    guint i = 0;
    guint j;

    while (i + 1 < n_workers && (pick >= (double) left[i] || left[i] == 0)) {
      pick -= (double) left[i];
      i++;
    }
    while (left[i] == 0)
      i = (i + 1) % n_workers;

    samples = g_ptr_array_index (self->spare_samples, i);
    j = (guint) g_rand_int_range (self->sample_rand, 0, (gint32) samples->n);
    snapshot->samples[k] = samples->items[j];
    samples->items[j] = samples->items[--samples->n];
    left[i]--;
    total--;
  }
}

/* Merges every worker's shard into the run's histograms, the newest
 * one-tick slice and the series' second, sums their totals and samples
 * what they finished. */
static void
harvest_workers (StampedeEngine       *self,
                 StampedeWorkerTotals *sum,
                 StampedeSnapshot     *snapshot)
{
  StampedeHistogram *slice = self->slices[self->slice_index];

  memset (sum, 0, sizeof *sum);
  stampede_histogram_reset (slice);

  for (guint i = 0; i < self->workers->len; i++) {
    StampedeWorker *worker = g_ptr_array_index (self->workers, i);
    StampedeHistogram **corrected =
      (StampedeHistogram **) &g_ptr_array_index (self->spare_corrected, i);
    StampedeHistogram **service =
      (StampedeHistogram **) &g_ptr_array_index (self->spare_service, i);
    StampedeWorkerSamples **samples =
      (StampedeWorkerSamples **) &g_ptr_array_index (self->spare_samples, i);
    StampedeWorkerTotals totals;

    stampede_worker_harvest (worker, &totals, corrected, service, samples);
    stampede_worker_totals_add (sum, &totals);

    g_mutex_lock (&self->lock);
    stampede_histogram_merge (self->run, *corrected);
    stampede_histogram_merge (self->service, *service);
    g_mutex_unlock (&self->lock);

    stampede_histogram_merge (slice, *corrected);
    stampede_histogram_merge (self->second_corrected, *corrected);
    stampede_histogram_merge (self->second_service, *service);
    stampede_histogram_reset (*corrected);
    stampede_histogram_reset (*service);
  }

  merge_samples (self, snapshot);

  self->slice_index = (self->slice_index + 1) % N_SLICES;

  stampede_histogram_reset (self->interval);
  for (guint i = 0; i < N_SLICES; i++)
    stampede_histogram_merge (self->interval, self->slices[i]);
}

/* Gives the rates over the last second, or since the start while the run
 * is younger than that, and the window they cover for the abort rule. */
static void
update_rates (StampedeEngine   *self,
              StampedeSnapshot *snapshot,
              gint64            now_us,
              guint64           sent,
              guint64           completed,
              Window           *window)
{
  const RateSample *oldest;
  double span;

  if (self->n_samples == G_N_ELEMENTS (self->samples)) {
    memmove (&self->samples[0], &self->samples[1],
             sizeof self->samples[0] * (self->n_samples - 1));
    self->n_samples--;
  }
  self->samples[self->n_samples++] = (RateSample) { now_us, sent, completed };

  oldest = &self->samples[0];
  span = (now_us - oldest->time_us) / (double) G_USEC_PER_SEC;
  window->achieved = 0;
  window->expected = 0;
  if (span <= 0)
    return;

  snapshot->achieved_rate = (sent - oldest->sent) / span;
  snapshot->completed_rate = (completed - oldest->completed) / span;

  window->achieved = sent - oldest->sent;
  window->expected =
    stampede_profile_count_until (self->profile, snapshot->elapsed_s)
    - stampede_profile_count_until (self->profile,
                                    snapshot->elapsed_s - span);
}

static guint64
sent_of (const StampedeWorkerTotals *totals)
{
  return totals->arrivals - totals->outcomes[STAMPEDE_OUTCOME_DROPPED];
}

/* The series. */

/* Adds a row for the time from the last row to @end_s, the counts since
 * the last row and the latencies harvested since, as the second that
 * ends at @t_s. */
static void
add_series_row (StampedeEngine             *self,
                const StampedeWorkerTotals *sum,
                double                      end_s,
                double                      t_s)
{
  const StampedeWorkerTotals *mark = &self->series_mark;
  double span = end_s - self->series_mark_s;
  StampedeSecond row = { 0 };
  StampedeSecond *last;

  row.t_s = t_s;
  if (!self->closed && span > 0)
    row.target_rate =
      (stampede_profile_count_until (self->profile, end_s)
       - stampede_profile_count_until (self->profile, self->series_mark_s))
      / span;
  row.sent = sent_of (sum) - sent_of (mark);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    row.outcomes[i] = sum->outcomes[i] - mark->outcomes[i];

  row.p50_ms = stampede_histogram_percentile (self->second_corrected, 50)
               / 1000.0;
  row.p95_ms = stampede_histogram_percentile (self->second_corrected, 95)
               / 1000.0;
  row.p99_ms = stampede_histogram_percentile (self->second_corrected, 99)
               / 1000.0;
  row.max_ms = stampede_histogram_max (self->second_corrected) / 1000.0;
  row.service_p99_ms =
    stampede_histogram_percentile (self->second_service, 99) / 1000.0;

  row.tp = sum->true_pos - mark->true_pos;
  row.fp = sum->false_pos - mark->false_pos;
  row.tn = sum->true_neg - mark->true_neg;
  row.fn = sum->false_neg - mark->false_neg;

  stampede_histogram_reset (self->second_corrected);
  stampede_histogram_reset (self->second_service);
  self->series_mark = *sum;
  self->series_mark_s = end_s;

  g_mutex_lock (&self->lock);
  if (self->series->len < MAX_SERIES_ROWS
      && (self->series->len == 0 || span > 0)) {
    g_array_append_val (self->series, row);
  } else {
    /* Past a day, or for answers counted at the very instant the last
     * row ended, the last row takes what comes later, so the rows still
     * add up to the totals. */
    last = &g_array_index (self->series, StampedeSecond,
                           self->series->len - 1);
    last->t_s = row.t_s;
    last->sent += row.sent;
    for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
      last->outcomes[i] += row.outcomes[i];
    last->tp += row.tp;
    last->fp += row.fp;
    last->tn += row.tn;
    last->fn += row.fn;
    last->max_ms = MAX (last->max_ms, row.max_ms);
  }
  g_mutex_unlock (&self->lock);
}

/* Adds a row for every whole second of the run passed since the last
 * row. */
static void
update_series (StampedeEngine             *self,
               const StampedeWorkerTotals *sum,
               double                      elapsed_s)
{
  while (elapsed_s >= floor (self->series_mark_s) + 1) {
    double end_s = floor (self->series_mark_s) + 1;

    add_series_row (self, sum, end_s, end_s);
  }
}

/* Ends the series at the run's end: a last row, for the second the run
 * ended in, holds what happened after the last whole second, answers to
 * the last arrivals included.  So there is one row per second begun. */
static void
end_series (StampedeEngine             *self,
            const StampedeWorkerTotals *sum,
            double                      elapsed_s)
{
  update_series (self, sum, elapsed_s);

  if (elapsed_s > self->series_mark_s
      || memcmp (sum, &self->series_mark, sizeof *sum) != 0)
    add_series_row (self, sum, MAX (elapsed_s, self->series_mark_s),
                    elapsed_s > self->series_mark_s
                    ? floor (self->series_mark_s) + 1 : self->series_mark_s);
}

/* Snapshots. */

static void
fill_figures (StampedeSnapshot           *snapshot,
              const StampedeWorkerTotals *sum)
{
  guint64 judged;

  snapshot->true_pos = sum->true_pos;
  snapshot->false_pos = sum->false_pos;
  snapshot->true_neg = sum->true_neg;
  snapshot->false_neg = sum->false_neg;
  snapshot->fraud_value_blocked = sum->fraud_value_blocked;
  snapshot->retries = sum->retries;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    snapshot->agent_count[i] = sum->agent_count[i];
    if (sum->agent_count[i] > 0)
      snapshot->agent_mean_ms[i] = sum->agent_ms_sum[i] / sum->agent_count[i];
  }

  snapshot->baseline_tp = sum->baseline_tp;
  snapshot->baseline_fp = sum->baseline_fp;
  snapshot->baseline_tn = sum->baseline_tn;
  snapshot->baseline_fn = sum->baseline_fn;
  judged = sum->baseline_tp + sum->baseline_fp + sum->baseline_tn
           + sum->baseline_fn;
  if (judged > 0)
    snapshot->baseline_mean_us = sum->baseline_ns / 1000.0 / judged;
}

/* The mean rate the profile asked for over the time it scheduled
 * arrivals, for the final snapshot, where the rate of the instant is 0. */
static double
mean_target_rate (StampedeEngine *self)
{
  double scheduled_s;

  g_mutex_lock (&self->lock);
  scheduled_s = self->scheduled_s;
  g_mutex_unlock (&self->lock);

  if (scheduled_s <= 0)
    return 0;

  return stampede_profile_count_until (self->profile, scheduled_s)
         / scheduled_s;
}

/* Harvests the workers into a new snapshot. */
static StampedeSnapshot *
aggregate (StampedeEngine       *self,
           StampedeRunState      state,
           StampedeWorkerTotals *sum,
           Window               *window)
{
  StampedeSnapshot *snapshot = stampede_snapshot_new ();
  gint64 now_us = g_get_monotonic_time ();
  guint64 finished = 0;

  harvest_workers (self, sum, snapshot);

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++) {
    snapshot->outcomes[i] = sum->outcomes[i];
    finished += sum->outcomes[i];
  }

  snapshot->state = state;
  snapshot->elapsed_s = (now_us - self->start_us) / (double) G_USEC_PER_SEC;
  snapshot->duration_s = stampede_profile_duration (self->profile);
  snapshot->target_rate = stampede_profile_rate_at (self->profile,
                                                    snapshot->elapsed_s);
  if (state == STAMPEDE_RUN_FINISHED)
    snapshot->target_rate = mean_target_rate (self);
  snapshot->arrivals = sum->arrivals;
  snapshot->in_flight = sum->arrivals - finished;

  update_rates (self, snapshot, now_us, sent_of (sum),
                finished - sum->outcomes[STAMPEDE_OUTCOME_DROPPED], window);

  latency_from (&snapshot->interval, self->interval);
  g_mutex_lock (&self->lock);
  latency_from (&snapshot->run, self->run);
  latency_from (&snapshot->service, self->service);
  g_mutex_unlock (&self->lock);

  fill_figures (snapshot, sum);

  return snapshot;
}

static void
publish (StampedeEngine   *self,
         StampedeSnapshot *snapshot)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->snapshot, stampede_snapshot_unref);
  self->snapshot = stampede_snapshot_ref (snapshot);
  g_mutex_unlock (&self->lock);
}

/* Frees what only the aggregator uses; the run's histograms and series
 * stay for after the run. */
static void
clear_aggregator (StampedeEngine *self)
{
  g_clear_pointer (&self->interval, stampede_histogram_free);
  for (guint i = 0; i < N_SLICES; i++)
    g_clear_pointer (&self->slices[i], stampede_histogram_free);
  g_clear_pointer (&self->spare_corrected, g_ptr_array_unref);
  g_clear_pointer (&self->spare_service, g_ptr_array_unref);
  g_clear_pointer (&self->spare_samples, g_ptr_array_unref);
  g_clear_pointer (&self->sample_rand, g_rand_free);
  g_clear_pointer (&self->second_corrected, stampede_histogram_free);
  g_clear_pointer (&self->second_service, stampede_histogram_free);
}

static GPtrArray *
new_histograms (guint n)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (
    (GDestroyNotify) stampede_histogram_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, stampede_histogram_new (HISTOGRAM_HIGHEST_US));

  return array;
}

/* Sets up the aggregator for a run; the caller holds the lock for the
 * fields other threads read. */
static void
setup_aggregator_locked (StampedeEngine          *self,
                         const StampedeRunConfig *config,
                         guint                    n_workers)
{
  g_clear_pointer (&self->run, stampede_histogram_free);
  g_clear_pointer (&self->service, stampede_histogram_free);
  g_clear_pointer (&self->series, g_array_unref);
  g_clear_pointer (&self->abort_reason, g_free);
  self->run = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->service = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->series = g_array_new (FALSE, TRUE, sizeof (StampedeSecond));
  self->aborted = FALSE;

  self->closed = config->connections > 0;
  self->interval = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  for (guint i = 0; i < N_SLICES; i++)
    self->slices[i] = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->slice_index = 0;
  self->spare_corrected = new_histograms (n_workers);
  self->spare_service = new_histograms (n_workers);
  self->spare_samples = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (self->spare_samples, g_new0 (StampedeWorkerSamples, 1));
  self->sample_rand = g_rand_new_with_seed ((guint32) (config->seed
                                                       ^ (config->seed >> 32)));

  self->n_samples = 0;
  self->below_since_us = 0;
  memset (&self->series_mark, 0, sizeof self->series_mark);
  self->series_mark_s = 0;
  self->second_corrected = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->second_service = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
}

static gboolean
all_workers_done (StampedeEngine *self)
{
  for (guint i = 0; i < self->workers->len; i++)
    if (!stampede_worker_is_done (g_ptr_array_index (self->workers, i)))
      return FALSE;

  return TRUE;
}

/* Ends a run whose workers have all returned: the last harvest after
 * their threads are joined sees every outcome. */
static void
finish_run (StampedeEngine *self)
{
  g_autoptr(StampedeSnapshot) final = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(StampedeProfile) profile = NULL;
  StampedeWorkerTotals sum;
  Window window;

  for (guint i = 0; i < self->workers->len; i++)
    stampede_worker_join (g_ptr_array_index (self->workers, i));

  final = aggregate (self, STAMPEDE_RUN_FINISHED, &sum, &window);
  end_series (self, &sum, final->elapsed_s);

  g_mutex_lock (&self->lock);
  final->aborted = self->aborted;
  self->state = STAMPEDE_RUN_FINISHED;
  g_clear_pointer (&self->snapshot, stampede_snapshot_unref);
  self->snapshot = stampede_snapshot_ref (final);
  workers = g_steal_pointer (&self->workers);
  profile = g_steal_pointer (&self->profile);
  g_mutex_unlock (&self->lock);

  clear_aggregator (self);
  g_clear_pointer (&self->tick, g_source_unref);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_SNAPSHOT], 0, final);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, final);
}

static double
elapsed_locked (StampedeEngine *self)
{
  return (g_get_monotonic_time () - self->start_us)
         / (double) G_USEC_PER_SEC;
}

/* Cuts the run short: the rate falls to zero from now, which also cuts
 * the total to the arrivals already due, and the workers drain what is
 * in flight.  The caller holds the lock. */
static void
stop_locked (StampedeEngine *self)
{
  double elapsed_s = elapsed_locked (self);

  stampede_profile_set_rate_from (self->profile, elapsed_s, 0);
  self->scheduled_s = MIN (self->scheduled_s, elapsed_s);
  for (guint i = 0; i < self->workers->len; i++)
    stampede_worker_stop (g_ptr_array_index (self->workers, i));
  self->state = STAMPEDE_RUN_STOPPING;
}

/*
 * The abort rule.  The achieved arrivals over the window of the achieved
 * rate (about the last second) are compared with the arrivals the
 * profile asked for over that same window, so a ramp or a burst does not
 * look like a shortfall just because the rate moved within the window.
 * The run aborts once the shortfall has lasted abort_after_s without a
 * break.
 */
static gboolean
check_abort (StampedeEngine         *self,
             const StampedeSnapshot *snapshot,
             const Window           *window)
{
  const StampedeRunConfig *config = self->config;
  gint64 now_us = g_get_monotonic_time ();

  if (self->closed || config->abort_below_share <= 0
      || snapshot->state != STAMPEDE_RUN_RUNNING)
    return FALSE;

  if (!(window->expected > 0
        && window->achieved < config->abort_below_share * window->expected)) {
    self->below_since_us = 0;
    return FALSE;
  }

  if (self->below_since_us == 0)
    self->below_since_us = now_us;
  if (now_us - self->below_since_us
      < (gint64) (config->abort_after_s * G_USEC_PER_SEC))
    return FALSE;

  g_mutex_lock (&self->lock);
  if (self->state == STAMPEDE_RUN_RUNNING) {
    self->aborted = TRUE;
    self->abort_reason = g_strdup_printf (
      "The achieved rate stayed below %g %% of the target for %g s: "
      "%.0f arrivals sent of %.1f asked for in the last second, at %.1f s",
      config->abort_below_share * 100, config->abort_after_s,
      window->achieved, window->expected, snapshot->elapsed_s);
    stop_locked (self);
  }
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  StampedeEngine *self = user_data;
  /* A handler may drop the last reference to the engine. */
  g_autoptr(StampedeEngine) hold = g_object_ref (self);
  g_autoptr(StampedeSnapshot) snapshot = NULL;
  StampedeWorkerTotals sum;
  Window window;

  if (all_workers_done (self)) {
    finish_run (self);
    return G_SOURCE_REMOVE;
  }

  snapshot = aggregate (self, stampede_engine_get_state (self), &sum,
                        &window);
  update_series (self, &sum, snapshot->elapsed_s);
  if (check_abort (self, snapshot, &window)) {
    snapshot->state = STAMPEDE_RUN_STOPPING;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  }

  publish (self, snapshot);
  g_signal_emit (self, signals[SIGNAL_SNAPSHOT], 0, snapshot);

  return G_SOURCE_CONTINUE;
}

/* Ends any run at once, abandoning what is in flight; for disposal. */
static void
abort_run (StampedeEngine *self)
{
  if (self->tick != NULL) {
    g_source_destroy (self->tick);
    g_clear_pointer (&self->tick, g_source_unref);
  }

  if (self->workers != NULL) {
    for (guint i = 0; i < self->workers->len; i++)
      stampede_worker_abort (g_ptr_array_index (self->workers, i));
    g_clear_pointer (&self->workers, g_ptr_array_unref);
  }

  g_clear_pointer (&self->profile, stampede_profile_free);
  clear_aggregator (self);
}

static void
stampede_engine_dispose (GObject *object)
{
  StampedeEngine *self = STAMPEDE_ENGINE (object);

  abort_run (self);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (stampede_engine_parent_class)->dispose (object);
}

static void
stampede_engine_finalize (GObject *object)
{
  StampedeEngine *self = STAMPEDE_ENGINE (object);

  g_clear_pointer (&self->snapshot, stampede_snapshot_unref);
  g_clear_pointer (&self->config, stampede_run_config_free);
  g_clear_pointer (&self->series, g_array_unref);
  g_clear_pointer (&self->run, stampede_histogram_free);
  g_clear_pointer (&self->service, stampede_histogram_free);
  g_clear_pointer (&self->abort_reason, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (stampede_engine_parent_class)->finalize (object);
}

static void
stampede_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StampedeEngine *self = STAMPEDE_ENGINE (object);

  switch (prop_id) {
  case PROP_STATE:
    g_value_set_uint (value, stampede_engine_get_state (self));
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
stampede_engine_class_init (StampedeEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_engine_dispose;
  object_class->finalize = stampede_engine_finalize;
  object_class->get_property = stampede_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       STAMPEDE_RUN_IDLE, STAMPEDE_RUN_FINISHED,
                       STAMPEDE_RUN_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                       | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  STAMPEDE_TYPE_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  STAMPEDE_TYPE_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
stampede_engine_init (StampedeEngine *self)
{
  g_mutex_init (&self->lock);
  self->state = STAMPEDE_RUN_IDLE;
  self->snapshot = stampede_snapshot_new ();
}

/**
 * stampede_engine_new:
 *
 * Makes an idle engine.
 *
 * Returns: (transfer full): the engine
 */
StampedeEngine *
stampede_engine_new (void)
{
  return g_object_new (STAMPEDE_TYPE_ENGINE, NULL);
}

/* Picks the number of workers: as asked, or one per processor up to
 * DEFAULT_MAX_WORKERS, and never more than requests may be in flight (or
 * connections a closed model has), so that each worker's share is at
 * least one and the shares add up to the whole. */
static guint
pick_n_workers (const StampedeRunConfig *config)
{
  guint n_workers = config->n_workers;
  guint cap = config->connections > 0 ? config->connections
                                      : config->max_in_flight;

  if (n_workers == 0)
    n_workers = MIN (DEFAULT_MAX_WORKERS, MAX (1, g_get_num_processors ()));

  return MIN (n_workers, cap);
}

static GPtrArray *
make_workers (const StampedeRunConfig  *config,
              StampedeProfile          *profile,
              guint                     n_workers,
              GError                  **error)
{
  g_autoptr(GPtrArray) workers = NULL;

  workers = g_ptr_array_new_with_free_func (
    (GDestroyNotify) stampede_worker_free);

  for (guint i = 0; i < n_workers; i++) {
    StampedeWorker *worker;

    worker = stampede_worker_new (i, n_workers, config, profile, error);
    if (worker == NULL)
      return NULL;
    g_ptr_array_add (workers, worker);
  }

  return g_steal_pointer (&workers);
}

/* Makes the run's schedule: its stages, or its rate and ramp; a closed
 * model has no rate and only uses the duration. */
static StampedeProfile *
make_profile (const StampedeRunConfig  *config,
              guint                     n_workers,
              GError                  **error)
{
  StampedeProfile *profile;

  if (config->connections > 0)
    return stampede_profile_new_ramp (0, 0, config->duration_s);

  if (config->n_stages > 0)
    profile = stampede_profile_new_stages (config->stages, config->n_stages,
                                           error);
  else
    profile = stampede_profile_new_ramp (config->rate, config->ramp_s,
                                         config->duration_s);

  if (profile != NULL && config->arrivals == STAMPEDE_ARRIVALS_POISSON)
    stampede_profile_set_poisson (profile, config->seed, n_workers);

  return profile;
}

/**
 * stampede_engine_start:
 * @self: an engine
 * @config: what to run
 * @error: return location for a #GError
 *
 * Starts a run.  The engine must be idle or finished with its previous
 * run.  Signals are emitted in the thread-default main context of the
 * caller, which must be iterated for the run to be seen to finish.
 *
 * Returns: %TRUE if the run started; %FALSE with @error set to
 *   %STAMPEDE_ENGINE_ERROR_BUSY while a run is going, to a
 *   %STAMPEDE_RUN_CONFIG_ERROR for an invalid @config, or to
 *   %STAMPEDE_ENGINE_ERROR_FAILED if the workers could not be set up
 */
gboolean
stampede_engine_start (StampedeEngine           *self,
                       const StampedeRunConfig  *config,
                       GError                  **error)
{
  g_autoptr(StampedeProfile) profile = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(StampedeSnapshot) first = NULL;
  g_autoptr(GError) local_error = NULL;
  StampedeRunState state;
  guint n_workers;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  state = stampede_engine_get_state (self);
  if (state == STAMPEDE_RUN_RUNNING || state == STAMPEDE_RUN_STOPPING) {
    g_set_error_literal (error, STAMPEDE_ENGINE_ERROR,
                         STAMPEDE_ENGINE_ERROR_BUSY,
                         "A run is already going");
    return FALSE;
  }

  if (!stampede_run_config_validate (config, error))
    return FALSE;

  n_workers = pick_n_workers (config);
  profile = make_profile (config, n_workers, &local_error);
  if (profile != NULL)
    workers = make_workers (config, profile, n_workers, &local_error);
  if (workers == NULL) {
    g_set_error (error, STAMPEDE_ENGINE_ERROR, STAMPEDE_ENGINE_ERROR_FAILED,
                 "Could not start the workers: %s", local_error->message);
    return FALSE;
  }

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  first = stampede_snapshot_new ();
  first->state = STAMPEDE_RUN_RUNNING;
  first->duration_s = stampede_profile_duration (profile);

  /* Handles and buffers are ready before the clock starts, so the first
   * arrivals are not late by the set-up. */
  g_mutex_lock (&self->lock);
  setup_aggregator_locked (self, config, n_workers);
  self->state = STAMPEDE_RUN_RUNNING;
  g_clear_pointer (&self->config, stampede_run_config_free);
  self->config = stampede_run_config_copy (config);
  self->config->duration_s = stampede_profile_duration (profile);
  g_clear_pointer (&self->snapshot, stampede_snapshot_unref);
  self->snapshot = stampede_snapshot_ref (first);
  self->profile = g_steal_pointer (&profile);
  self->workers = g_steal_pointer (&workers);
  self->start_us = g_get_monotonic_time ();
  self->scheduled_s = self->config->duration_s;
  self->samples[0] = (RateSample) { self->start_us, 0, 0 };
  self->n_samples = 1;
  for (guint i = 0; i < self->workers->len; i++)
    stampede_worker_start (g_ptr_array_index (self->workers, i),
                           self->start_us);
  g_mutex_unlock (&self->lock);

  self->tick = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick, tick_cb, self, NULL);
  g_source_set_static_name (self->tick, "[stampede] aggregator");
  g_source_attach (self->tick, self->context);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  return TRUE;
}

/**
 * stampede_engine_stop:
 * @self: an engine
 *
 * Stops the run: no arrival is sent after this instant, the ones in
 * flight are answered or time out, and then the run finishes as usual.
 * Does nothing unless a run is going.
 */
void
stampede_engine_stop (StampedeEngine *self)
{
  g_return_if_fail (STAMPEDE_IS_ENGINE (self));

  g_mutex_lock (&self->lock);
  if (self->state != STAMPEDE_RUN_RUNNING) {
    g_mutex_unlock (&self->lock);
    return;
  }

  stop_locked (self);
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * stampede_engine_set_rate:
 * @self: an engine
 * @rate: arrivals per second, positive
 *
 * Makes the rate of the running run @rate from now to its end, ending any
 * ramp or stage.  Arrivals already due keep their times.  Does nothing
 * unless a run is going, nor for a closed model, which has no rate.  May
 * be called from any thread.
 */
void
stampede_engine_set_rate (StampedeEngine *self,
                          double          rate)
{
  g_return_if_fail (STAMPEDE_IS_ENGINE (self));
  g_return_if_fail (rate > 0 && rate <= STAMPEDE_LOAD_SHAPE_MAX_RATE);

  g_mutex_lock (&self->lock);
  if (self->state == STAMPEDE_RUN_RUNNING && self->config->connections == 0) {
    stampede_profile_set_rate_from (self->profile, elapsed_locked (self),
                                    rate);
    self->config->rate = rate;
    for (guint i = 0; i < self->workers->len; i++)
      stampede_worker_wake (g_ptr_array_index (self->workers, i));
  }
  g_mutex_unlock (&self->lock);
}

StampedeRunState
stampede_engine_get_state (StampedeEngine *self)
{
  StampedeRunState state;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), STAMPEDE_RUN_IDLE);

  g_mutex_lock (&self->lock);
  state = self->state;
  g_mutex_unlock (&self->lock);

  return state;
}

/**
 * stampede_engine_dup_snapshot:
 * @self: an engine
 *
 * Gets the latest snapshot: of the run going, of the last run, or an
 * empty one in the idle state.
 *
 * Returns: (transfer full): the snapshot
 */
StampedeSnapshot *
stampede_engine_dup_snapshot (StampedeEngine *self)
{
  StampedeSnapshot *snapshot;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), NULL);

  g_mutex_lock (&self->lock);
  snapshot = stampede_snapshot_ref (self->snapshot);
  g_mutex_unlock (&self->lock);

  return snapshot;
}

/**
 * stampede_engine_dup_config:
 * @self: an engine
 *
 * Gets the configuration of the run going or of the last run; its rate
 * follows stampede_engine_set_rate(), and its duration is the stages'
 * total when it has stages.
 *
 * Returns: (transfer full) (nullable): a copy, or %NULL before any run
 */
StampedeRunConfig *
stampede_engine_dup_config (StampedeEngine *self)
{
  StampedeRunConfig *config = NULL;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->config != NULL)
    config = stampede_run_config_copy (self->config);
  g_mutex_unlock (&self->lock);

  return config;
}

/**
 * stampede_engine_dup_series:
 * @self: an engine
 *
 * Gets the per-second series of the run going or of the last run: one
 * #StampedeSecond per whole second elapsed, and once the run has
 * finished a last, shorter row up to its end, so that the rows add up to
 * the final snapshot's counts.  At most a day of rows is kept; past that
 * the last row takes the rest.
 *
 * Returns: (transfer full) (element-type StampedeSecond): a copy of the
 *   rows; empty before any run
 */
GArray *
stampede_engine_dup_series (StampedeEngine *self)
{
  GArray *copy;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), NULL);

  copy = g_array_new (FALSE, TRUE, sizeof (StampedeSecond));

  g_mutex_lock (&self->lock);
  if (self->series != NULL)
    g_array_append_vals (copy, self->series->data, self->series->len);
  g_mutex_unlock (&self->lock);

  return copy;
}

/**
 * stampede_engine_dup_run_histogram:
 * @self: an engine
 * @service: %TRUE for the latencies from the actual send, %FALSE for
 *   those from the intended send (corrected)
 *
 * Gets the latency histogram of the whole run going or of the last run,
 * in microseconds, for the full percentile spectrum.
 *
 * Returns: (transfer full) (nullable): a copy, or %NULL before any run
 */
StampedeHistogram *
stampede_engine_dup_run_histogram (StampedeEngine *self,
                                   gboolean        service)
{
  StampedeHistogram *copy = NULL;
  StampedeHistogram *histogram;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), NULL);

  g_mutex_lock (&self->lock);
  histogram = service ? self->service : self->run;
  if (histogram != NULL)
    copy = stampede_histogram_copy (histogram);
  g_mutex_unlock (&self->lock);

  return copy;
}

/**
 * stampede_engine_dup_abort_reason:
 * @self: an engine
 *
 * Says why the engine aborted the run going or the last run, when it
 * did: the achieved rate stayed below the share of the target that its
 * configuration allows.
 *
 * Returns: (transfer full) (nullable): the reason, or %NULL when the run
 *   was not aborted
 */
char *
stampede_engine_dup_abort_reason (StampedeEngine *self)
{
  char *reason;

  g_return_val_if_fail (STAMPEDE_IS_ENGINE (self), NULL);

  g_mutex_lock (&self->lock);
  reason = g_strdup (self->abort_reason);
  g_mutex_unlock (&self->lock);

  return reason;
}
