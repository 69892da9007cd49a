/* stampede-platform-score.c — the platform's scoring path: admission,
 * the ingestion queue, faults, the agents and the held answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "stampede-platform-private.h"
#include "stampede-score-request.h"

/* libsoup 3.2 names no status 429 (RFC 6585). */
#define STATUS_TOO_MANY_REQUESTS 429

/*
 * A transaction goes through these states, all on the server thread:
 *
 *   held      a silent partition holds it unanswered until the partition
 *             ends or the client gives up;
 *   queued    it waits in the ingestion queue, for a scoring slot and for
 *             the ingestion lag a fault adds;
 *   scoring   it holds a slot; its answer is set and held back for the
 *             modelled time of the agents and the card store's back-off.
 *
 * A transaction that meets no fault, no lag and no modelled latency is
 * answered at once without leaving the handler, which keeps the
 * zero-latency path as fast as the HTTP server allows.
 */

typedef enum {
  JOB_NEW,
  JOB_HELD,
  JOB_QUEUED,
  JOB_SCORING,
} JobState;

typedef struct {
  GList                 link;
  StampedePlatform     *platform;
  SoupServerMessage    *msg;
  gulong                disconnected_id;
  JobState              state;
  gboolean              paused;
  gint64                received_us;
  gint64                ready_us;
  GSource              *timer;
  StampedeScoreRequest  request;
} Job;

/* The source that ends a job's modelled time.  A source with a ready time
 * in microseconds is used rather than a millisecond timeout because a
 * sub-millisecond latency is allowed. */
typedef struct {
  GSource  source;
  Job     *job;
} JobTimer;

static void finish_job (Job *job);
static void pump (StampedePlatform *self);

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  Job *job = ((JobTimer *) source)->job;
  StampedePlatform *self = job->platform;

  finish_job (job);
  pump (self);

  return G_SOURCE_REMOVE;
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

/* The pump runs when the queue's head is due; a ready time of −1 leaves
 * it asleep until something arms it again. */
static gboolean
pump_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  pump (user_data);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs pump_funcs = {
  .dispatch = pump_dispatch,
};

static void
arm_pump (StampedePlatform *self,
          gint64            ready_us)
{
  gint64 current = g_source_get_ready_time (self->pump_source);

  if (current < 0 || ready_us < current)
    g_source_set_ready_time (self->pump_source, ready_us);
}

static GQueue *
container (StampedePlatform *self,
           JobState          state)
{
  switch (state) {
  case JOB_HELD:
    return &self->held;
  case JOB_QUEUED:
    return &self->queue;
  case JOB_SCORING:
    return &self->scoring;
  case JOB_NEW:
  default:
    return NULL;
  }
}

static void
set_state (Job      *job,
           JobState  state)
{
  GQueue *from = container (job->platform, job->state);
  GQueue *to = container (job->platform, state);

  if (from != NULL)
    g_queue_unlink (from, &job->link);
  if (to != NULL)
    g_queue_push_tail_link (to, &job->link);
  job->state = state;
}

static void
pause_job (Job *job)
{
  if (!job->paused)
    soup_server_message_pause (job->msg);
  job->paused = TRUE;
}

static void
job_free (Job *job)
{
  set_state (job, JOB_NEW);
  g_clear_signal_handler (&job->disconnected_id, job->msg);
  if (job->timer != NULL) {
    g_source_destroy (job->timer);
    g_clear_pointer (&job->timer, g_source_unref);
  }
  g_clear_object (&job->msg);
  g_free (job);
}

/* The client went away: whatever the job waited for, nobody is left to
 * answer.  A freed slot or queue place may let the next job go. */
static void
disconnected_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  Job *job = user_data;
  StampedePlatform *self = job->platform;

  job_free (job);
  arm_pump (self, 0);
}

static Job *
job_new (StampedePlatform  *self,
         SoupServerMessage *msg,
         gint64             received_us)
{
  Job *job = g_new0 (Job, 1);

  job->link.data = job;
  job->platform = self;
  job->msg = g_object_ref (msg);
  job->received_us = received_us;
  job->disconnected_id = g_signal_connect (msg, "disconnected",
                                           G_CALLBACK (disconnected_cb), job);

  return job;
}

/* The answer is set: count it, feed the degradation window and send it. */
static void
finish_job (Job *job)
{
  StampedePlatform *self = job->platform;
  guint status = soup_server_message_get_status (job->msg);
  gint64 now_us = g_get_monotonic_time ();
  double seconds = (now_us - job->received_us) / (double) G_USEC_PER_SEC;

  self->counters.status[MIN (status, G_N_ELEMENTS (self->counters.status)
                                     - 1)]++;
  self->counters.request_count++;
  self->counters.request_sum_s += seconds;
  _stampede_platform_count_latency (self->counters.request_bucket, seconds);
  stampede_degradation_observe (self->degradation, now_us, seconds * 1000,
                                status >= 500
                                || status == STATUS_TOO_MANY_REQUESTS);

  if (job->paused)
    soup_server_message_unpause (job->msg);
  job_free (job);
}

/* Scoring. */

typedef struct {
  StampedeFaultEffects     faults;
  StampedeLatencyModel     latency[STAMPEDE_PLATFORM_N_AGENTS];
  guint                    queue_depth;
  guint                    max_scoring;
  StampedeDegradationLevel level;
} Conditions;

static void
read_conditions (StampedePlatform *self,
                 Conditions       *out)
{
  stampede_faults_get_effects (self->faults, g_get_monotonic_time (),
                               &out->faults);

  g_mutex_lock (&self->config_lock);
  memcpy (out->latency, self->latency, sizeof out->latency);
  out->queue_depth = self->queue_depth;
  out->max_scoring = self->max_scoring;
  g_mutex_unlock (&self->config_lock);

  out->level = _stampede_platform_level (self);
}

static gboolean
draw (StampedePlatform *self,
      double            share)
{
  return share > 0 && g_rand_double (self->rand) < share;
}

/*
 * Reads and updates the card's history through the store, which a fault
 * can make answer "throttled".  Each throttled attempt is retried after an
 * exponential back-off; the waiting is real, since the answer is held
 * back for it.  After the last attempt the transaction is scored without
 * history.  Returns the back-off in microseconds.
 */
static gint64
observe_card (StampedePlatform           *self,
              const StampedeScoreRequest *request,
              double                      throttle,
              StampedeCardHistory        *prior,
              gboolean                   *has_history)
{
  StampedeCardEvent event;
  gint64 backoff_us = 0;

  for (guint attempt = 1; ; attempt++) {
    self->counters.store_ops++;
    if (!draw (self, throttle))
      break;

    self->counters.store_throttled++;
    if (attempt == STAMPEDE_PLATFORM_STORE_ATTEMPTS) {
      self->counters.store_gave_up++;
      memset (prior, 0, sizeof *prior);
      *has_history = FALSE;
      return backoff_us;
    }

    self->counters.store_retries++;
    backoff_us += MIN ((gint64) STAMPEDE_PLATFORM_STORE_BACKOFF_US
                       << (attempt - 1),
                       STAMPEDE_PLATFORM_STORE_BACKOFF_CAP);
  }

  event.timestamp_ms = request->timestamp_ms;
  event.amount_usd = request->amount_usd;
  event.has_location = request->has_location;
  event.lat = request->lat;
  event.lon = request->lon;
  memcpy (event.country, request->country, sizeof event.country);
  stampede_card_store_observe (self->cards, request->card_id, &event, prior);
  *has_history = TRUE;

  return backoff_us;
}

static void
append_number (GString    *out,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

/* An agent that did not run is listed with why: "unavailable" when an
 * agent_crash fault made its call fail, "skipped" when the degradation
 * level left it out. */
static void
append_agents (GString                  *out,
               const StampedeAssessment *assessment,
               StampedeAssessFlags       crashed,
               const double              ms[STAMPEDE_PLATFORM_N_AGENTS])
{
  gboolean first = TRUE;

  g_string_append (out, ",\"agents\":[");
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    const char *name = stampede_platform_agent_name (i);

    g_string_append_printf (out, "%s{\"name\":\"%s\"", first ? "" : ",",
                            name);
    first = FALSE;

    if (assessment->ran[i]) {
      g_string_append (out, ",\"score\":");
      append_number (out, "%.4f", assessment->score[i]);
      g_string_append (out, ",\"ms\":");
      append_number (out, "%.4f", ms[i]);
    } else if (crashed & (1 << i)) {
      g_string_append (out, ",\"status\":\"unavailable\"");
    } else {
      g_string_append (out, ",\"status\":\"skipped\"");
    }
    g_string_append_c (out, '}');
  }
  g_string_append_c (out, ']');
}

static GString *
answer_json (const StampedeScoreRequest *request,
             const StampedeAssessment   *assessment,
             StampedeAssessFlags         crashed,
             const double                ms[STAMPEDE_PLATFORM_N_AGENTS],
             StampedeDegradationLevel    level,
             gboolean                    has_history)
{
  GString *out = g_string_sized_new (640);

  g_string_append (out, "{\"transaction_id\":");
  _stampede_platform_append_string (out, request->id);
  g_string_append_printf (out, ",\"decision\":\"%s\",\"risk_score\":",
                          stampede_platform_decision_name (
                            assessment->decision));
  append_number (out, "%.4f", assessment->risk);

  if (level == STAMPEDE_DEGRADATION_CRITICAL)
    g_string_append (out, ",\"agents\":[]");
  else
    append_agents (out, assessment, crashed, ms);

  g_string_append (out, ",\"explanation\":");
  _stampede_platform_append_string (out, assessment->explanation);
  g_string_append_printf (out, ",\"degradation\":\"%s\"",
                          stampede_degradation_level_name (level));
  if (!has_history)
    g_string_append (out, ",\"history\":\"unavailable\"");
  g_string_append_c (out, '}');

  return out;
}

/*
 * Adds the modelled latency to each agent's computing time and returns
 * how long the whole answer takes: the scoring agents work side by side,
 * the reasoning agent after them.  On the fast path the reasoning agent
 * only combines scores by rule and makes no model call.
 */
static double
agent_times (StampedePlatform         *self,
             const Conditions         *conditions,
             const StampedeAssessment *assessment,
             double                    ms[STAMPEDE_PLATFORM_N_AGENTS])
{
  double slowest = 0;

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    gboolean model_call = i != STAMPEDE_PLATFORM_REASONING
                          || conditions->level < STAMPEDE_DEGRADATION_SEVERE;

    ms[i] = 0;
    if (!assessment->ran[i])
      continue;

    ms[i] = assessment->compute_us[i] / 1000.0;
    if (model_call)
      ms[i] += stampede_latency_model_draw (&conditions->latency[i],
                                            self->rand)
               + conditions->faults.spike_ms[i];
  }

  for (guint i = 0; i < STAMPEDE_PLATFORM_REASONING; i++)
    slowest = MAX (slowest, ms[i]);

  return slowest + ms[STAMPEDE_PLATFORM_REASONING];
}

static void
count_agents (StampedePlatform         *self,
              const StampedeAssessment *assessment,
              StampedeAssessFlags       crashed,
              const double              ms[STAMPEDE_PLATFORM_N_AGENTS])
{
  StampedePlatformCounters *counters = &self->counters;

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    if (assessment->ran[i]) {
      counters->agent_count[i]++;
      counters->agent_sum_s[i] += ms[i] / 1000;
      _stampede_platform_count_latency (counters->agent_bucket[i],
                                        ms[i] / 1000);
    } else if (crashed & (1 << i)) {
      counters->agent_failed[i]++;
    } else {
      counters->agent_skipped[i]++;
    }
  }
}

static StampedeAssessFlags
shed_work (StampedeDegradationLevel level)
{
  switch (level) {
  case STAMPEDE_DEGRADATION_MODERATE:
    return STAMPEDE_ASSESS_SHORT_WINDOW | STAMPEDE_ASSESS_NO_EXPLANATION;
  case STAMPEDE_DEGRADATION_SEVERE:
    return STAMPEDE_ASSESS_NO_PATTERN;
  case STAMPEDE_DEGRADATION_NORMAL:
  case STAMPEDE_DEGRADATION_CRITICAL:
  case STAMPEDE_DEGRADATION_AUTO:
  default:
    return 0;
  }
}

/* Emergency mode: fixed rules, no agent, no card store, no model call. */
static void
score_emergency (StampedePlatform *self,
                 Job              *job)
{
  StampedeAssessment assessment;

  stampede_platform_assess_emergency (&job->request, &assessment);
  self->counters.decisions[assessment.decision]++;
  _stampede_platform_respond_json (job->msg, SOUP_STATUS_OK,
                                   answer_json (&job->request, &assessment,
                                                0, NULL,
                                                STAMPEDE_DEGRADATION_CRITICAL,
                                                TRUE));
}

static void
refuse_rate_limited (StampedePlatform *self,
                     Job              *job,
                     double            retry_after_s)
{
  g_autofree char *seconds = g_strdup_printf ("%.0f", ceil (retry_after_s));
  g_autofree char *text = g_strdup_printf ("model rate limit reached; "
                                           "retry after %s s", seconds);

  soup_message_headers_replace (
    soup_server_message_get_response_headers (job->msg), "Retry-After",
    seconds);
  _stampede_platform_respond_refusal (self, job->msg,
                                      STATUS_TOO_MANY_REQUESTS, text);
}

/*
 * Scores a job's transaction under the conditions in force and sets its
 * answer.  Returns how long the answer is to be held back, in
 * microseconds.
 */
static gint64
score (StampedePlatform *self,
       Job              *job)
{
  Conditions conditions;
  StampedeCardHistory prior;
  StampedeAssessment assessment;
  StampedeAssessFlags crashed = 0;
  double ms[STAMPEDE_PLATFORM_N_AGENTS];
  gboolean has_history;
  gint64 backoff_us;
  double total_ms;

  read_conditions (self, &conditions);
  self->counters.by_level[conditions.level]++;

  if (conditions.level == STAMPEDE_DEGRADATION_CRITICAL) {
    score_emergency (self, job);
    return 0;
  }

  if (draw (self, conditions.faults.rate_limit)) {
    refuse_rate_limited (self, job, conditions.faults.retry_after_s);
    return 0;
  }

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    if (draw (self, conditions.faults.crash[i]))
      crashed |= 1 << i;
  }

  if (crashed & (1 << STAMPEDE_PLATFORM_REASONING)) {
    self->counters.agent_failed[STAMPEDE_PLATFORM_REASONING]++;
    _stampede_platform_respond_refusal (self, job->msg,
                                        SOUP_STATUS_SERVICE_UNAVAILABLE,
                                        "the reasoning agent is unavailable; "
                                        "no decision can be made");
    return 0;
  }

  backoff_us = observe_card (self, &job->request, conditions.faults.throttle,
                             &prior, &has_history);
  stampede_platform_assess_with (&job->request, &prior,
                                 crashed | shed_work (conditions.level),
                                 &assessment);
  total_ms = agent_times (self, &conditions, &assessment, ms);
  count_agents (self, &assessment, crashed, ms);
  self->counters.decisions[assessment.decision]++;

  _stampede_platform_respond_json (job->msg, SOUP_STATUS_OK,
                                   answer_json (&job->request, &assessment,
                                                crashed, ms, conditions.level,
                                                has_history));

  return backoff_us + (gint64) (total_ms * 1000);
}

static void
start_scoring (StampedePlatform *self,
               Job              *job)
{
  JobTimer *timer;
  gint64 delay_us;

  set_state (job, JOB_SCORING);
  delay_us = score (self, job);
  if (delay_us <= 0) {
    finish_job (job);
    return;
  }

  pause_job (job);
  job->timer = g_source_new (&timer_funcs, sizeof (JobTimer));
  timer = (JobTimer *) job->timer;
  timer->job = job;
  g_source_set_ready_time (job->timer, g_get_monotonic_time () + delay_us);
  g_source_set_name (job->timer, "stampede-platform agent latency");
  g_source_attach (job->timer, self->context);
}

/* Starts the queued jobs that are due while slots are free, and wakes up
 * again when the next one is due. */
static void
pump (StampedePlatform *self)
{
  gint64 now_us = g_get_monotonic_time ();
  guint max_scoring;
  Job *head;

  g_mutex_lock (&self->config_lock);
  max_scoring = self->max_scoring;
  g_mutex_unlock (&self->config_lock);

  while ((head = g_queue_peek_head (&self->queue)) != NULL
         && head->ready_us <= now_us
         && self->scoring.length < max_scoring)
    start_scoring (self, head);

  if (head != NULL && head->ready_us > now_us)
    arm_pump (self, head->ready_us);
}

static void
enqueue (StampedePlatform *self,
         Job              *job)
{
  Conditions conditions;
  gint64 now_us = g_get_monotonic_time ();

  read_conditions (self, &conditions);

  if (self->queue.length >= conditions.queue_depth) {
    g_autofree char *text = g_strdup_printf (
      "ingestion queue full: %u waiting, %u in scoring", self->queue.length,
      self->scoring.length);

    _stampede_platform_respond_refusal (self, job->msg,
                                        SOUP_STATUS_SERVICE_UNAVAILABLE,
                                        text);
    finish_job (job);
    return;
  }

  job->ready_us = now_us + (gint64) (conditions.faults.lag_ms * 1000);
  if (self->queue.length == 0 && job->ready_us <= now_us
      && self->scoring.length < conditions.max_scoring) {
    start_scoring (self, job);
    return;
  }

  /* Only the head's time matters: the queue is first in, first out, and
   * a head waiting for a slot is started when a slot frees. */
  set_state (job, JOB_QUEUED);
  pause_job (job);
  if (g_queue_peek_head (&self->queue) == job)
    arm_pump (self, job->ready_us);
}

/* Closes the connection without an answer.  A zero linger time makes the
 * close send a reset rather than an orderly end, as a broken network
 * path does. */
static void
reset_connection (Job *job)
{
  GSocket *socket = soup_server_message_get_socket (job->msg);
  g_autoptr(GIOStream) stream = NULL;

  if (socket != NULL) {
    struct linger linger = { .l_onoff = 1, .l_linger = 0 };

    setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger,
                sizeof linger);
  }

  g_clear_signal_handler (&job->disconnected_id, job->msg);
  stream = soup_server_message_steal_connection (job->msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

void
_stampede_platform_handle_score (StampedePlatform  *self,
                                 SoupServerMessage *msg,
                                 gint64             received_us)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  StampedeFaultEffects faults;
  StampedeScoreRequest request;
  Job *job;
  double partition;
  gsize len;
  const char *data;

  if (body->length > STAMPEDE_PLATFORM_BODY_LIMIT) {
    _stampede_platform_respond_error (msg,
                                      SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                      "the body is larger than 65536 bytes");
    self->counters.status[SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE]++;
    return;
  }

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (!stampede_score_request_parse (data, len, &request, &error)) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      error->message);
    self->counters.status[SOUP_STATUS_BAD_REQUEST]++;
    return;
  }

  job = job_new (self, msg, received_us);
  job->request = request;

  stampede_faults_get_effects (self->faults, received_us, &faults);
  partition = faults.silent > 0 || faults.reset > 0
              ? g_rand_double (self->rand) : 1;
  if (partition < faults.silent) {
    self->counters.partition_held++;
    set_state (job, JOB_HELD);
    pause_job (job);
  } else if (partition < faults.silent + faults.reset) {
    self->counters.partition_reset++;
    reset_connection (job);
    job_free (job);
  } else {
    enqueue (self, job);
  }
}

/**
 * _stampede_platform_release_held:
 * @self: a serving platform
 *
 * Lets the requests held by a silent partition through once no silent
 * partition is active; they go on to the queue as if they had just
 * arrived, but keep their arrival time.
 */
void
_stampede_platform_release_held (StampedePlatform *self)
{
  StampedeFaultEffects faults;
  Job *job;

  if (self->held.length == 0)
    return;

  stampede_faults_get_effects (self->faults, g_get_monotonic_time (),
                               &faults);
  if (faults.silent > 0)
    return;

  while ((job = g_queue_peek_head (&self->held)) != NULL) {
    set_state (job, JOB_NEW);
    enqueue (self, job);
  }
}

void
_stampede_platform_score_init (StampedePlatform *self)
{
  g_queue_init (&self->queue);
  g_queue_init (&self->held);
  g_queue_init (&self->scoring);

  self->pump_source = g_source_new (&pump_funcs, sizeof (GSource));
  g_source_set_callback (self->pump_source, NULL, self, NULL);
  g_source_set_name (self->pump_source, "stampede-platform queue");
  g_source_attach (self->pump_source, self->context);
}

/* The server is going: every job is dropped unanswered. */
void
_stampede_platform_drop_jobs (StampedePlatform *self)
{
  GQueue *queues[] = { &self->held, &self->queue, &self->scoring };
  Job *job;

  for (guint i = 0; i < G_N_ELEMENTS (queues); i++) {
    while ((job = g_queue_peek_head (queues[i])) != NULL)
      job_free (job);
  }

  if (self->pump_source != NULL) {
    g_source_destroy (self->pump_source);
    g_clear_pointer (&self->pump_source, g_source_unref);
  }
}
