/* stampede-engine.c — the load engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

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

typedef struct {
  gint64  time_us;
  guint64 sent;
  guint64 completed;
} RateSample;

/*
 * The engine's state, configuration and latest snapshot are read from any
 * thread under @lock.  The aggregator runs as a timeout source in the
 * context that was the thread default at start, so the signals are emitted
 * there; the fields it alone uses carry no lock.
 */
struct _StampedeEngine {
  GObject               parent_instance;

  GMutex                lock;
  StampedeRunState      state;
  StampedeRunConfig    *config;
  StampedeSnapshot     *snapshot;
  StampedeProfile      *profile;
  GPtrArray            *workers;
  gint64                start_us;

  GMainContext         *context;
  GSource              *tick;

  /* The aggregator's own. */
  StampedeHistogram    *run;
  StampedeHistogram    *service;
  StampedeHistogram    *interval;
  StampedeHistogram    *slices[N_SLICES];
  guint                 slice_index;
  GPtrArray            *spare_corrected;
  GPtrArray            *spare_service;
  RateSample            samples[N_SLICES + 1];
  guint                 n_samples;
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

/* Merges every worker's shard into the run's histograms and into the
 * newest one-tick slice, and sums their totals. */
static void
harvest_workers (StampedeEngine       *self,
                 StampedeWorkerTotals *sum)
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
    StampedeWorkerTotals totals;

    stampede_worker_harvest (worker, &totals, corrected, service);
    stampede_worker_totals_add (sum, &totals);

    stampede_histogram_merge (self->run, *corrected);
    stampede_histogram_merge (slice, *corrected);
    stampede_histogram_merge (self->service, *service);
    stampede_histogram_reset (*corrected);
    stampede_histogram_reset (*service);
  }

  self->slice_index = (self->slice_index + 1) % N_SLICES;

  stampede_histogram_reset (self->interval);
  for (guint i = 0; i < N_SLICES; i++)
    stampede_histogram_merge (self->interval, self->slices[i]);
}

/* Gives the rates over the last second, or since the start while the run
 * is younger than that. */
static void
update_rates (StampedeEngine   *self,
              StampedeSnapshot *snapshot,
              gint64            now_us,
              guint64           sent,
              guint64           completed)
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
  if (span <= 0)
    return;

  snapshot->achieved_rate = (sent - oldest->sent) / span;
  snapshot->completed_rate = (completed - oldest->completed) / span;
}

static StampedeSnapshot *
aggregate (StampedeEngine   *self,
           StampedeRunState  state)
{
  StampedeSnapshot *snapshot = stampede_snapshot_new ();
  gint64 now_us = g_get_monotonic_time ();
  StampedeWorkerTotals sum;
  guint64 finished = 0;

  harvest_workers (self, &sum);

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++) {
    snapshot->outcomes[i] = sum.outcomes[i];
    finished += sum.outcomes[i];
  }

  snapshot->state = state;
  snapshot->elapsed_s = (now_us - self->start_us) / (double) G_USEC_PER_SEC;
  snapshot->duration_s = stampede_profile_duration (self->profile);
  snapshot->target_rate = stampede_profile_rate_at (self->profile,
                                                    snapshot->elapsed_s);
  snapshot->arrivals = sum.arrivals;
  snapshot->in_flight = sum.arrivals - finished;

  update_rates (self, snapshot, now_us,
                sum.arrivals - sum.outcomes[STAMPEDE_OUTCOME_DROPPED],
                finished - sum.outcomes[STAMPEDE_OUTCOME_DROPPED]);

  latency_from (&snapshot->interval, self->interval);
  latency_from (&snapshot->run, self->run);
  latency_from (&snapshot->service, self->service);

  snapshot->true_pos = sum.true_pos;
  snapshot->false_pos = sum.false_pos;
  snapshot->true_neg = sum.true_neg;
  snapshot->false_neg = sum.false_neg;
  snapshot->fraud_value_blocked = sum.fraud_value_blocked;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    snapshot->agent_count[i] = sum.agent_count[i];
    if (sum.agent_count[i] > 0)
      snapshot->agent_mean_ms[i] = sum.agent_ms_sum[i] / sum.agent_count[i];
  }

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

static void
clear_aggregator (StampedeEngine *self)
{
  g_clear_pointer (&self->run, stampede_histogram_free);
  g_clear_pointer (&self->service, stampede_histogram_free);
  g_clear_pointer (&self->interval, stampede_histogram_free);
  for (guint i = 0; i < N_SLICES; i++)
    g_clear_pointer (&self->slices[i], stampede_histogram_free);
  g_clear_pointer (&self->spare_corrected, g_ptr_array_unref);
  g_clear_pointer (&self->spare_service, g_ptr_array_unref);
}

static void
setup_aggregator (StampedeEngine *self,
                  guint           n_workers)
{
  self->run = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->service = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->interval = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  for (guint i = 0; i < N_SLICES; i++)
    self->slices[i] = stampede_histogram_new (HISTOGRAM_HIGHEST_US);
  self->slice_index = 0;

  self->spare_corrected = g_ptr_array_new_with_free_func (
    (GDestroyNotify) stampede_histogram_free);
  self->spare_service = g_ptr_array_new_with_free_func (
    (GDestroyNotify) stampede_histogram_free);
  for (guint i = 0; i < n_workers; i++) {
    g_ptr_array_add (self->spare_corrected,
                     stampede_histogram_new (HISTOGRAM_HIGHEST_US));
    g_ptr_array_add (self->spare_service,
                     stampede_histogram_new (HISTOGRAM_HIGHEST_US));
  }

  self->n_samples = 0;
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

  for (guint i = 0; i < self->workers->len; i++)
    stampede_worker_join (g_ptr_array_index (self->workers, i));

  final = aggregate (self, STAMPEDE_RUN_FINISHED);

  g_mutex_lock (&self->lock);
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

static gboolean
tick_cb (gpointer user_data)
{
  StampedeEngine *self = user_data;
  /* A handler may drop the last reference to the engine. */
  g_autoptr(StampedeEngine) hold = g_object_ref (self);
  g_autoptr(StampedeSnapshot) snapshot = NULL;

  if (all_workers_done (self)) {
    finish_run (self);
    return G_SOURCE_REMOVE;
  }

  snapshot = aggregate (self, stampede_engine_get_state (self));
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
 * DEFAULT_MAX_WORKERS, and never more than requests may be in flight, so
 * that each worker's share of the cap is at least one and the shares add
 * up to the cap. */
static guint
pick_n_workers (const StampedeRunConfig *config)
{
  guint n_workers = config->n_workers;

  if (n_workers == 0)
    n_workers = MIN (DEFAULT_MAX_WORKERS, MAX (1, g_get_num_processors ()));

  return MIN (n_workers, config->max_in_flight);
}

static GPtrArray *
make_workers (const StampedeRunConfig  *config,
              StampedeProfile          *profile,
              GError                  **error)
{
  g_autoptr(GPtrArray) workers = NULL;
  guint n_workers = pick_n_workers (config);

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

  profile = stampede_profile_new_ramp (config->rate, config->ramp_s,
                                       config->duration_s);
  workers = make_workers (config, profile, &local_error);
  if (workers == NULL) {
    g_set_error (error, STAMPEDE_ENGINE_ERROR, STAMPEDE_ENGINE_ERROR_FAILED,
                 "Could not start the workers: %s", local_error->message);
    return FALSE;
  }

  setup_aggregator (self, workers->len);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();

  first = stampede_snapshot_new ();
  first->state = STAMPEDE_RUN_RUNNING;
  first->duration_s = config->duration_s;

  /* Handles and buffers are ready before the clock starts, so the first
   * arrivals are not late by the set-up. */
  g_mutex_lock (&self->lock);
  self->state = STAMPEDE_RUN_RUNNING;
  g_clear_pointer (&self->config, stampede_run_config_free);
  self->config = stampede_run_config_copy (config);
  g_clear_pointer (&self->snapshot, stampede_snapshot_unref);
  self->snapshot = stampede_snapshot_ref (first);
  self->profile = g_steal_pointer (&profile);
  self->workers = g_steal_pointer (&workers);
  self->start_us = g_get_monotonic_time ();
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

static double
elapsed_locked (StampedeEngine *self)
{
  return (g_get_monotonic_time () - self->start_us)
         / (double) G_USEC_PER_SEC;
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

  /* A zero rate from now on cuts the total to the arrivals already due;
   * the workers read the total after they see the stop. */
  stampede_profile_set_rate_from (self->profile, elapsed_locked (self), 0);
  for (guint i = 0; i < self->workers->len; i++)
    stampede_worker_stop (g_ptr_array_index (self->workers, i));
  self->state = STAMPEDE_RUN_STOPPING;
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * stampede_engine_set_rate:
 * @self: an engine
 * @rate: arrivals per second, positive
 *
 * Makes the rate of the running run @rate from now to its end, ending any
 * ramp.  Arrivals already due keep their times.  Does nothing unless a
 * run is going.  May be called from any thread.
 */
void
stampede_engine_set_rate (StampedeEngine *self,
                          double          rate)
{
  g_return_if_fail (STAMPEDE_IS_ENGINE (self));
  g_return_if_fail (rate > 0);

  g_mutex_lock (&self->lock);
  if (self->state == STAMPEDE_RUN_RUNNING) {
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
 * follows stampede_engine_set_rate().
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
