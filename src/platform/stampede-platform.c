/* stampede-platform.c — the reference fraud-detection service: its life
 * cycle, its routes and its housekeeping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>
#include <sys/random.h>

#include "stampede-platform.h"
#include "stampede-platform-private.h"

#define DEFAULT_CARDS     (256 * 1024)
#define LATENCY_SIGMA     0.5
#define LATENCY_SEED      0x5eed
#define LISTEN_BACKLOG    1024
#define TICK_MS           100
#define WINDOW_S          5

/*
 * Admission control.  The queue holds transactions waiting for one of the
 * scoring slots; a few thousand is about a second of the platform's
 * throughput with modelled latency, a burst's worth.  A slot is held for
 * the agents' modelled latency, so the slots bound how many modelled model
 * calls are in flight at once, as a pool of function instances would.
 */
#define DEFAULT_QUEUE_DEPTH 4096
#define DEFAULT_MAX_SCORING 1024

/*
 * The default latencies are modelled on calls to a remote model served
 * close by: a few milliseconds for the three scoring agents (a small
 * classifier behind an HTTP endpoint), more for the reasoning agent (a
 * language model writing a sentence), each log-normal so that a few calls
 * are much slower than the median, as remote calls are.
 */
#define SCORING_MEDIAN_MS   2.0
#define SCORING_SIGMA       0.5
#define REASONING_MEDIAN_MS 6.0
#define REASONING_SIGMA     0.6

const double _stampede_platform_bucket_s[STAMPEDE_PLATFORM_N_BUCKETS] = {
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10, INFINITY,
};

G_DEFINE_FINAL_TYPE (StampedePlatform, stampede_platform, G_TYPE_OBJECT)

void
_stampede_platform_append_string (GString    *out,
                                  const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++) {
    guchar c = (guchar) *p;

    if (c == '"' || c == '\\')
      g_string_append_printf (out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, (char) c);
  }
  g_string_append_c (out, '"');
}

void
_stampede_platform_respond_json (SoupServerMessage *msg,
                                 guint              status,
                                 GString           *body)
{
  gsize len = body->len;

  /* libsoup 3.2 knows no reason phrase for 429 (RFC 6585). */
  soup_server_message_set_status (msg, status,
                                  status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), len);
}

void
_stampede_platform_respond_error (SoupServerMessage *msg,
                                  guint              status,
                                  const char        *message)
{
  GString *body = g_string_new ("{\"error\":");

  _stampede_platform_append_string (body, message);
  g_string_append_c (body, '}');
  _stampede_platform_respond_json (msg, status, body);
}

void
_stampede_platform_respond_method (SoupServerMessage *msg,
                                   const char        *allow)
{
  g_autofree char *text = g_strdup_printf ("method %s is not allowed here; "
                                           "use %s",
                                           soup_server_message_get_method (msg),
                                           allow);

  soup_message_headers_replace (
    soup_server_message_get_response_headers (msg), "Allow", allow);
  _stampede_platform_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
}


/* An answer that refuses a transaction (queue full, rate limited) says
 * the degradation level too, as every score answer does. */
void
_stampede_platform_respond_refusal (StampedePlatform  *self,
                                    SoupServerMessage *msg,
                                    guint              status,
                                    const char        *message)
{
  GString *body = g_string_new ("{\"error\":");

  _stampede_platform_append_string (body, message);
  g_string_append_printf (body, ",\"degradation\":\"%s\"}",
                          stampede_degradation_level_name (
                            _stampede_platform_level (self)));
  _stampede_platform_respond_json (msg, status, body);
}

/* Adds one observation to a histogram whose buckets are not cumulative;
 * /metrics adds them up. */
void
_stampede_platform_count_latency (guint64 *buckets,
                                  double   seconds)
{
  guint i = 0;

  while (i < STAMPEDE_PLATFORM_N_BUCKETS - 1
         && seconds > _stampede_platform_bucket_s[i])
    i++;
  buckets[i]++;
}

/* The level in force: the override if one is set, else the measured one. */
StampedeDegradationLevel
_stampede_platform_level (StampedePlatform *self)
{
  StampedeDegradationLevel forced = g_atomic_int_get (&self->override);

  if (forced != STAMPEDE_DEGRADATION_AUTO)
    return forced;

  return stampede_degradation_get_level (self->degradation);
}

static void
handle_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  StampedePlatform *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gint64 received_us = g_get_monotonic_time ();

  if (strcmp (path, "/v1/score") == 0) {
    if (strcmp (method, SOUP_METHOD_POST) != 0)
      _stampede_platform_respond_method (msg, "POST");
    else
      _stampede_platform_handle_score (self, msg, received_us);
  } else if (strcmp (path, "/healthz") == 0) {
    if (strcmp (method, SOUP_METHOD_GET) != 0
        && strcmp (method, SOUP_METHOD_HEAD) != 0)
      _stampede_platform_respond_method (msg, "GET, HEAD");
    else
      _stampede_platform_respond_json (msg, SOUP_STATUS_OK,
                                       g_string_new ("{\"status\":\"ok\"}"));
  } else if (strcmp (path, "/metrics") == 0) {
    if (strcmp (method, SOUP_METHOD_GET) != 0)
      _stampede_platform_respond_method (msg, "GET");
    else
      _stampede_platform_handle_metrics (self, msg);
  } else if (g_str_has_prefix (path, "/v1/admin/")) {
    _stampede_platform_handle_admin (self, msg, path);
  } else {
    g_autofree char *text = g_strdup_printf ("no such path: %s", path);

    _stampede_platform_respond_error (msg, SOUP_STATUS_NOT_FOUND, text);
  }
}

/*
 * Housekeeping, ten times a second: faults whose time is up are removed
 * and requests held by a partition that ended are let through; the CPU is
 * sampled and the degradation level worked out again.
 */
static gboolean
tick_cb (gpointer user_data)
{
  StampedePlatform *self = user_data;
  gint64 now_us = g_get_monotonic_time ();
  double cpu_s = stampede_process_cpu_seconds ();
  StampedeDegradationLevel level;

  stampede_faults_expire (self->faults, now_us);
  _stampede_platform_release_held (self);

  if (cpu_s >= 0)
    stampede_degradation_observe_cpu (self->degradation, now_us, cpu_s);
  stampede_degradation_update (self->degradation, now_us);

  level = _stampede_platform_level (self);
  if (level != self->last_level) {
    g_debug ("degradation level %s → %s",
             stampede_degradation_level_name (self->last_level),
             stampede_degradation_level_name (level));
    self->counters.level_changes++;
    self->last_level = level;
  }

  return G_SOURCE_CONTINUE;
}
/* Marks a request whose body is over the limit and stops keeping its
 * body.  libsoup 3.2 still reads the rest of the body off the connection
 * before answering, but it no longer holds it in memory. */
static void
refuse_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  _stampede_platform_respond_error (msg,
                                    SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                    "the body is larger than 65536 bytes");
  soup_message_headers_replace (
    soup_server_message_get_response_headers (msg), "Connection", "close");
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > STAMPEDE_PLATFORM_BODY_LIMIT
      && soup_server_message_get_status (msg) == 0)
    refuse_body (msg);
}

/* Sees a request before its body is read: a body announced as too large
 * is refused at once, and one sent in chunks is refused when it grows
 * past the limit. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (encoding == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers)
         > STAMPEDE_PLATFORM_BODY_LIMIT) {
    refuse_body (msg);
    return;
  }

  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

static guint
listening_port (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  g_autoptr(GSocketAddress) local = NULL;
  guint port = 0;

  if (listeners != NULL)
    local = g_socket_get_local_address (listeners->data, NULL);
  if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local))
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  g_slist_free (listeners);

  return port;
}

/*
 * The socket is made here rather than by soup_server_listen() so that its
 * backlog can be raised: with GLib's default of 10, a load generator that
 * opens a few hundred connections at once has most of its SYNs dropped
 * and retried a second later, which reads as a one-second latency.
 */
static GSocket *
listen_socket (GInetAddress  *inet,
               guint          port,
               GError       **error)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_inet_address_get_family (inet),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error)
      || !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static gboolean
open_server (StampedePlatform  *self,
             GError           **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (self->address);
  g_autoptr(GSocket) socket = NULL;

  if (inet == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "“%s” is not an IP address", self->address);
    return FALSE;
  }

  self->server = soup_server_new ("server-header", "stampede-platform", NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handle_cb, self, NULL);

  socket = listen_socket (inet, self->port, error);
  if (socket == NULL
      || !soup_server_listen_socket (self->server, socket, 0, error))
    return FALSE;

  self->port = listening_port (self->server);

  return TRUE;
}

static gpointer
serve_thread (gpointer data)
{
  StampedePlatform *self = data;
  GError *error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->context);
  self->rand = g_rand_new_with_seed (LATENCY_SEED);
  _stampede_platform_score_init (self);
  self->tick_source = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick_source, tick_cb, self, NULL);
  g_source_set_name (self->tick_source, "stampede-platform tick");
  g_source_attach (self->tick_source, self->context);

  ok = open_server (self, &error);

  g_mutex_lock (&self->lock);
  self->listening = ok;
  self->start_error = error;
  self->start_done = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_main_loop_run (self->loop);

  /* Answers still held back are dropped before the server goes, so that
   * no source refers to a message of a server that no longer exists. */
  _stampede_platform_drop_jobs (self);
  g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_clear_pointer (&self->rand, g_rand_free);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static void
stampede_platform_dispose (GObject *object)
{
  StampedePlatform *self = STAMPEDE_PLATFORM (object);

  stampede_platform_stop (self);

  G_OBJECT_CLASS (stampede_platform_parent_class)->dispose (object);
}

static void
stampede_platform_finalize (GObject *object)
{
  StampedePlatform *self = STAMPEDE_PLATFORM (object);

  g_clear_pointer (&self->cards, stampede_card_store_free);
  g_clear_pointer (&self->faults, stampede_faults_free);
  g_clear_pointer (&self->degradation, stampede_degradation_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->admin_token, g_free);
  g_mutex_clear (&self->config_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (stampede_platform_parent_class)->finalize (object);
}

static void
stampede_platform_class_init (StampedePlatformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_platform_dispose;
  object_class->finalize = stampede_platform_finalize;
}

/* A token nobody can guess, for a platform whose caller set none. */
static char *
random_token (void)
{
  guint8 bytes[16];
  GString *token = g_string_sized_new (2 * sizeof bytes);

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes) {
    g_warning ("getrandom() failed; the admin token is drawn from GRand");
    for (guint i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) g_random_int_range (0, 256);
  }

  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);

  return g_string_free (token, FALSE);
}

static void
stampede_platform_init (StampedePlatform *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->config_lock);
  g_cond_init (&self->cond);
  self->cards = stampede_card_store_new (DEFAULT_CARDS);
  self->faults = stampede_faults_new ();
  self->degradation = stampede_degradation_new (WINDOW_S,
                                                g_get_num_processors ());
  self->override = STAMPEDE_DEGRADATION_AUTO;
  self->queue_depth = DEFAULT_QUEUE_DEPTH;
  self->max_scoring = DEFAULT_MAX_SCORING;
  self->admin_token = random_token ();

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    gboolean reasoning = i == STAMPEDE_PLATFORM_REASONING;

    self->latency[i].kind = STAMPEDE_LATENCY_LOGNORMAL;
    self->latency[i].ms = reasoning ? REASONING_MEDIAN_MS : SCORING_MEDIAN_MS;
    self->latency[i].sigma = reasoning ? REASONING_SIGMA : SCORING_SIGMA;
  }
}

StampedePlatform *
stampede_platform_new (void)
{
  return g_object_new (STAMPEDE_TYPE_PLATFORM, NULL);
}

/**
 * stampede_platform_start:
 * @self: a platform
 * @address: an IP address to listen on, such as "127.0.0.1" or "::1"
 * @port: a port, or 0 for any free one
 * @error: where to say why the platform could not listen
 *
 * Starts serving in a thread of the platform's own and returns once the
 * platform listens, or failed to.
 *
 * Returns: whether the platform listens
 */
gboolean
stampede_platform_start (StampedePlatform  *self,
                         const char        *address,
                         guint              port,
                         GError           **error)
{
  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (port <= 65535, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                 "the platform is already serving on port %u", self->port);
    return FALSE;
  }

  g_free (self->address);
  self->address = g_strdup (address);
  self->port = port;
  self->start_done = FALSE;
  self->listening = FALSE;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("stampede-platform", serve_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->start_done)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (!self->listening) {
    g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                "cannot listen on %s port %u: ", address,
                                port);
    stampede_platform_stop (self);
    return FALSE;
  }

  return TRUE;
}

/**
 * stampede_platform_stop:
 * @self: a platform
 *
 * Stops serving and waits for the server thread to end.  Answers held
 * back by modelled latency are dropped.  Does nothing if not serving.
 */
void
stampede_platform_stop (StampedePlatform *self)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));

  if (self->thread == NULL)
    return;

  /* Quitting from a source rather than directly also works when the loop
   * has not started running yet. */
  g_main_context_invoke_full (self->context, G_PRIORITY_HIGH, quit_cb,
                              g_main_loop_ref (self->loop),
                              (GDestroyNotify) g_main_loop_unref);
  g_thread_join (g_steal_pointer (&self->thread));

  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->listening = FALSE;
}

guint
stampede_platform_get_port (StampedePlatform *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), 0);

  return self->listening ? self->port : 0;
}

/**
 * stampede_platform_dup_url:
 * @self: a platform
 *
 * Returns the base URL a client on this machine reaches the platform at,
 * without a trailing slash.  A platform listening on every address is
 * reached through loopback.
 *
 * Returns: (transfer full) (nullable): the URL, or %NULL if not serving
 */
char *
stampede_platform_dup_url (StampedePlatform *self)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), NULL);

  if (!self->listening)
    return NULL;

  inet = g_inet_address_new_from_string (self->address);
  if (g_inet_address_get_is_any (inet)) {
    GSocketFamily family = g_inet_address_get_family (inet);

    g_clear_object (&inet);
    inet = g_inet_address_new_loopback (family);
  }

  host = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("http://[%s]:%u", host, self->port);

  return g_strdup_printf ("http://%s:%u", host, self->port);
}

/**
 * stampede_platform_set_agent_latency_ms:
 * @self: a platform
 * @mean_ms: the mean modelled inference latency of each agent, 0 for none
 *
 * Sets every agent's modelled inference latency to a log-normal
 * distribution with this mean (and a sigma of 0.5).  May be called while
 * serving, from any thread.
 */
void
stampede_platform_set_agent_latency_ms (StampedePlatform *self,
                                        double            mean_ms)
{
  StampedeLatencyModel model;

  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (mean_ms >= 0 && mean_ms <= STAMPEDE_LATENCY_MAX_MS);

  stampede_latency_model_from_mean (&model, mean_ms, LATENCY_SIGMA);

  g_mutex_lock (&self->config_lock);
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++)
    self->latency[i] = model;
  g_mutex_unlock (&self->config_lock);
}

/**
 * stampede_platform_set_agent_latency:
 * @self: a platform
 * @agent: (nullable): an agent's name, or %NULL for every agent
 * @model: `none`, `fixed:MS` or `lognormal:MEDIAN_MS,SIGMA`
 * @error: where to say what is wrong with @agent or @model
 *
 * Sets the distribution an agent's modelled inference latency is drawn
 * from.  By default the three scoring agents are log-normal with a median
 * of 2 ms (sigma 0.5) and the reasoning agent with a median of 6 ms
 * (sigma 0.6).  May be called while serving, from any thread.
 *
 * Returns: whether @agent and @model are valid
 */
gboolean
stampede_platform_set_agent_latency (StampedePlatform  *self,
                                     const char        *agent,
                                     const char        *model,
                                     GError           **error)
{
  StampedeLatencyModel parsed;
  int index = -1;

  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), FALSE);
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; agent != NULL && i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    if (strcmp (agent, stampede_platform_agent_name (i)) == 0)
      index = i;
  }

  if (agent != NULL && index < 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "unknown agent “%s” (valid agents: transaction_analyzer, "
                 "pattern_detector, geo_risk, reasoning)", agent);
    return FALSE;
  }

  if (!stampede_latency_model_parse (model, &parsed, error))
    return FALSE;

  g_mutex_lock (&self->config_lock);
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    if (index < 0 || (guint) index == i)
      self->latency[i] = parsed;
  }
  g_mutex_unlock (&self->config_lock);

  return TRUE;
}

/**
 * stampede_platform_set_admission:
 * @self: a platform
 * @queue_depth: how many transactions may wait to be scored, at least 1
 * @max_scoring: how many may be scored at once, at least 1
 *
 * Bounds the ingestion queue and the scoring slots.  A transaction that
 * finds the queue full is answered 503 at once.  The defaults are 4096
 * and 1024.  May be called while serving, from any thread.
 */
void
stampede_platform_set_admission (StampedePlatform *self,
                                 guint             queue_depth,
                                 guint             max_scoring)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (queue_depth >= 1);
  g_return_if_fail (max_scoring >= 1);

  g_mutex_lock (&self->config_lock);
  self->queue_depth = queue_depth;
  self->max_scoring = max_scoring;
  g_mutex_unlock (&self->config_lock);
}

/**
 * stampede_platform_set_admin_token:
 * @self: a platform
 * @token: the bearer token the admin API asks for, not empty
 *
 * Replaces the admin token, which is random until set.  May be called
 * while serving, from any thread.
 */
void
stampede_platform_set_admin_token (StampedePlatform *self,
                                   const char       *token)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (token != NULL && token[0] != '\0');

  g_mutex_lock (&self->config_lock);
  g_free (self->admin_token);
  self->admin_token = g_strdup (token);
  g_mutex_unlock (&self->config_lock);
}

/**
 * stampede_platform_dup_admin_token:
 * @self: a platform
 *
 * Returns: (transfer full): the bearer token the admin API asks for
 */
char *
stampede_platform_dup_admin_token (StampedePlatform *self)
{
  char *token;

  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), NULL);

  g_mutex_lock (&self->config_lock);
  token = g_strdup (self->admin_token);
  g_mutex_unlock (&self->config_lock);

  return token;
}

/**
 * stampede_platform_inject_fault:
 * @self: a platform
 * @kind: agent_crash, store_throttle, ingestion_lag, rate_limit,
 *   latency_spike or partition
 * @params: (nullable): duration_s (required; 0 lasts until cleared),
 *   magnitude and the kind's other keys, as docs/scenarios.md describes
 * @error: where to say which key or value is wrong
 *
 * Starts a fault now; it clears itself when its duration is over.  May be
 * called from any thread, serving or not.
 *
 * Returns: the fault's id (as the admin API reports it), or 0 on error
 */
guint
stampede_platform_inject_fault (StampedePlatform  *self,
                                const char        *kind,
                                JsonObject        *params,
                                GError           **error)
{
  guint id;

  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), 0);
  g_return_val_if_fail (kind != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  id = stampede_faults_add (self->faults, g_get_monotonic_time (), kind,
                            params, error);
  if (id != 0)
    g_debug ("fault %u: %s", id, kind);

  return id;
}

/**
 * stampede_platform_clear_faults:
 * @self: a platform
 *
 * Ends every active fault.  Requests held by a partition are let through
 * at the next housekeeping tick, within a tenth of a second.
 */
void
stampede_platform_clear_faults (StampedePlatform *self)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));

  stampede_faults_clear (self->faults);
}

/**
 * stampede_platform_get_degradation_level:
 * @self: a platform
 *
 * Returns: the degradation level in force, the override if one is set;
 *   may be called from any thread
 */
StampedeDegradationLevel
stampede_platform_get_degradation_level (StampedePlatform *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self),
                        STAMPEDE_DEGRADATION_NORMAL);

  return _stampede_platform_level (self);
}

/**
 * stampede_platform_set_degradation_override:
 * @self: a platform
 * @level: the level to force, or %STAMPEDE_DEGRADATION_AUTO to go back to
 *   the measured level
 *
 * Forces a degradation level, for tests and demonstrations.  The window is
 * still measured meanwhile.  May be called from any thread.
 */
void
stampede_platform_set_degradation_override (StampedePlatform         *self,
                                            StampedeDegradationLevel  level)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (level >= STAMPEDE_DEGRADATION_AUTO
                    && level < STAMPEDE_DEGRADATION_N_LEVELS);

  g_atomic_int_set (&self->override, level);
}

/**
 * stampede_platform_set_card_capacity:
 * @self: a platform that is not serving
 * @capacity: how many cards' state to keep at most
 *
 * Replaces the card store with an empty one of the given capacity.
 */
void
stampede_platform_set_card_capacity (StampedePlatform *self,
                                     guint             capacity)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (self->thread == NULL);
  g_return_if_fail (capacity > 0);

  g_clear_pointer (&self->cards, stampede_card_store_free);
  self->cards = stampede_card_store_new (capacity);
}

/**
 * stampede_platform_get_card_store:
 * @self: a platform
 *
 * Returns: (transfer none): the platform's per-card state, for tests and
 *   for reporting its size and evictions
 */
StampedeCardStore *
stampede_platform_get_card_store (StampedePlatform *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), NULL);

  return self->cards;
}

/**
 * stampede_platform_get_degradation:
 * @self: a platform
 *
 * Returns: (transfer none): the platform's degradation window, so that a
 *   test can feed it observations and change its timing
 */
StampedeDegradation *
stampede_platform_get_degradation (StampedePlatform *self)
{
  g_return_val_if_fail (STAMPEDE_IS_PLATFORM (self), NULL);

  return self->degradation;
}
