/* stampede-platform.c — the reference fraud-detection service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "stampede-agents.h"
#include "stampede-card-store.h"
#include "stampede-platform.h"
#include "stampede-platform-private.h"
#include "stampede-score-request.h"

#define BODY_LIMIT        (64 * 1024)
#define DEFAULT_CARDS     (256 * 1024)
#define LATENCY_SIGMA     0.5
#define LATENCY_SEED      0x5eed
#define LISTEN_BACKLOG    1024

/*
 * The first group of fields is written by the caller's thread (start,
 * stop, setters) and read by the server thread; the group marked "server
 * thread only" belongs to the server thread alone while it runs.
 */
struct _StampedePlatform {
  GObject            parent_instance;

  StampedeCardStore *cards;
  gint               latency_us;    /* atomic */
  GMutex             lock;
  GCond              cond;
  GThread           *thread;
  GMainContext      *context;
  GMainLoop         *loop;
  char              *address;
  guint              port;
  gboolean           listening;
  gboolean           start_done;
  GError            *start_error;

  /* Server thread only. */
  SoupServer        *server;
  GRand             *rand;
  GHashTable        *delays;        /* DelaySource* set */
};

G_DEFINE_FINAL_TYPE (StampedePlatform, stampede_platform, G_TYPE_OBJECT)

/*
 * A delayed answer: the message is paused with its response already set,
 * and this source unpauses it when the agents' modelled latency is over.
 * A source with a ready time in microseconds is used rather than a
 * millisecond timeout because a sub-millisecond mean latency is allowed.
 */
typedef struct {
  GSource            source;
  StampedePlatform  *platform;
  SoupServerMessage *msg;
  gulong             disconnected_id;
} DelaySource;

static gboolean
delay_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  DelaySource *delay = (DelaySource *) source;

  soup_server_message_unpause (delay->msg);
  g_hash_table_remove (delay->platform->delays, delay);

  return G_SOURCE_REMOVE;
}

static void
delay_finalize (GSource *source)
{
  DelaySource *delay = (DelaySource *) source;

  g_clear_signal_handler (&delay->disconnected_id, delay->msg);
  g_clear_object (&delay->msg);
}

static GSourceFuncs delay_funcs = {
  .dispatch = delay_dispatch,
  .finalize = delay_finalize,
};

/* The hash table owns a reference to each pending delay and destroys it
 * when removed, which detaches it from the context. */
static void
delay_destroy (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

/* The client went away while its answer was held back: there is nothing
 * left to unpause. */
static void
delay_disconnected_cb (SoupServerMessage *msg,
                       gpointer           user_data)
{
  DelaySource *delay = user_data;

  g_hash_table_remove (delay->platform->delays, delay);
}

static void
append_json_string (GString    *out,
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

static void
append_number (GString    *out,
               const char *format,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              GString           *body)
{
  gsize len = body->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
                                    SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), len);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  GString *body = g_string_new ("{\"error\":");

  append_json_string (body, message);
  g_string_append_c (body, '}');
  respond_json (msg, status, body);
}

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *allow)
{
  g_autofree char *text = g_strdup_printf ("method %s is not allowed here; "
                                           "use %s",
                                           soup_server_message_get_method (msg),
                                           allow);

  soup_message_headers_replace (
    soup_server_message_get_response_headers (msg), "Allow", allow);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
}

/* One draw of an agent's modelled inference latency, in milliseconds:
 * log-normal with the configured mean, so that most calls are near the
 * mean and a few are much slower, as remote model calls are. */
static double
draw_latency_ms (StampedePlatform *self,
                 double            mean_ms)
{
  double mu = log (mean_ms) - LATENCY_SIGMA * LATENCY_SIGMA / 2;
  double u1 = 1.0 - g_rand_double (self->rand);
  double u2 = g_rand_double (self->rand);
  double z = sqrt (-2.0 * log (u1)) * cos (2 * G_PI * u2);

  return exp (mu + LATENCY_SIGMA * z);
}

/* Adds the modelled latency to each agent's computing time and returns
 * how long the whole answer takes: the first three agents work side by
 * side, the reasoning agent after them. */
static double
agent_times (StampedePlatform         *self,
             const StampedeAssessment *assessment,
             double                    ms[STAMPEDE_PLATFORM_N_AGENTS])
{
  double mean_ms = g_atomic_int_get (&self->latency_us) / 1000.0;
  double slowest = 0;

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    ms[i] = assessment->compute_us[i] / 1000.0;
    if (mean_ms > 0)
      ms[i] += draw_latency_ms (self, mean_ms);
  }

  for (guint i = 0; i < STAMPEDE_PLATFORM_REASONING; i++)
    slowest = MAX (slowest, ms[i]);

  return slowest + ms[STAMPEDE_PLATFORM_REASONING];
}

static GString *
answer_json (const StampedeScoreRequest *request,
             const StampedeAssessment   *assessment,
             const double                ms[STAMPEDE_PLATFORM_N_AGENTS])
{
  GString *out = g_string_sized_new (512);

  g_string_append (out, "{\"transaction_id\":");
  append_json_string (out, request->id);
  g_string_append_printf (out, ",\"decision\":\"%s\",\"risk_score\":",
                          stampede_platform_decision_name (
                            assessment->decision));
  append_number (out, "%.4f", assessment->risk);
  g_string_append (out, ",\"agents\":[");

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    g_string_append_printf (out, "%s{\"name\":\"%s\",\"score\":",
                            i > 0 ? "," : "",
                            stampede_platform_agent_name (i));
    append_number (out, "%.4f", assessment->score[i]);
    g_string_append (out, ",\"ms\":");
    append_number (out, "%.4f", ms[i]);
    g_string_append_c (out, '}');
  }

  g_string_append (out, "],\"explanation\":");
  append_json_string (out, assessment->explanation);
  g_string_append_c (out, '}');

  return out;
}

static void
hold_answer (StampedePlatform  *self,
             SoupServerMessage *msg,
             gint64             ready_us)
{
  GSource *source = g_source_new (&delay_funcs, sizeof (DelaySource));
  DelaySource *delay = (DelaySource *) source;

  delay->platform = self;
  delay->msg = g_object_ref (msg);
  delay->disconnected_id =
    g_signal_connect (msg, "disconnected",
                      G_CALLBACK (delay_disconnected_cb), delay);

  g_source_set_ready_time (source, ready_us);
  g_source_set_name (source, "stampede-platform agent latency");
  g_source_attach (source, self->context);
  g_hash_table_add (self->delays, source);

  soup_server_message_pause (msg);
}

static void
handle_score (StampedePlatform  *self,
              SoupServerMessage *msg,
              gint64             received_us)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  StampedeScoreRequest request;
  StampedeCardHistory prior;
  StampedeCardEvent event;
  StampedeAssessment assessment;
  double ms[STAMPEDE_PLATFORM_N_AGENTS];
  double total_ms;
  gsize len;
  const char *data;

  if (body->length > BODY_LIMIT) {
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                   "the body is larger than 65536 bytes");
    return;
  }

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (!stampede_score_request_parse (data, len, &request, &error)) {
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
    return;
  }

  event.timestamp_ms = request.timestamp_ms;
  event.amount_usd = request.amount_usd;
  event.has_location = request.has_location;
  event.lat = request.lat;
  event.lon = request.lon;
  memcpy (event.country, request.country, sizeof event.country);
  stampede_card_store_observe (self->cards, request.card_id, &event, &prior);
  stampede_platform_assess (&request, &prior, &assessment);

  total_ms = agent_times (self, &assessment, ms);
  respond_json (msg, SOUP_STATUS_OK, answer_json (&request, &assessment, ms));

  if (g_atomic_int_get (&self->latency_us) > 0)
    hold_answer (self, msg, received_us + (gint64) (total_ms * 1000));
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
      respond_method_not_allowed (msg, "POST");
    else
      handle_score (self, msg, received_us);
  } else if (strcmp (path, "/healthz") == 0) {
    if (strcmp (method, SOUP_METHOD_GET) != 0
        && strcmp (method, SOUP_METHOD_HEAD) != 0)
      respond_method_not_allowed (msg, "GET, HEAD");
    else
      respond_json (msg, SOUP_STATUS_OK, g_string_new ("{\"status\":\"ok\"}"));
  } else {
    g_autofree char *text = g_strdup_printf ("no such path: %s", path);

    respond_error (msg, SOUP_STATUS_NOT_FOUND, text);
  }
}

/* Marks a request whose body is over the limit and stops keeping its
 * body.  libsoup 3.2 still reads the rest of the body off the connection
 * before answering, but it no longer holds it in memory. */
static void
refuse_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
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

  if (body->length > BODY_LIMIT && soup_server_message_get_status (msg) == 0)
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
      && soup_message_headers_get_content_length (headers) > BODY_LIMIT) {
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
  self->delays = g_hash_table_new_full (NULL, NULL, delay_destroy, NULL);

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
  g_clear_pointer (&self->delays, g_hash_table_unref);
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
  g_clear_pointer (&self->address, g_free);
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

static void
stampede_platform_init (StampedePlatform *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->cards = stampede_card_store_new (DEFAULT_CARDS);
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
 * Sets how long each agent's inference takes on average; each call's
 * latency is drawn from a log-normal distribution with this mean.  May be
 * called while serving, from any thread.
 */
void
stampede_platform_set_agent_latency_ms (StampedePlatform *self,
                                        double            mean_ms)
{
  g_return_if_fail (STAMPEDE_IS_PLATFORM (self));
  g_return_if_fail (mean_ms >= 0 && mean_ms <= 60000);

  g_atomic_int_set (&self->latency_us, (gint) (mean_ms * 1000));
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
