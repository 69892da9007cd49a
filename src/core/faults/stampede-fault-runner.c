/* stampede-fault-runner.c — carries out a scenario's fault schedule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-fault-runner.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

/*
 * One fault of the schedule.  Its start timer fires at at_s; the fault is
 * "on" from the moment the proxy took it or the platform acknowledged it,
 * and its end timer fires duration_s after that.  The platform ends its
 * faults by itself after their duration, counted from when it received
 * them; the proxy's are cleared here, so that the recorded end is the
 * moment it was cleared.
 */
typedef struct {
  StampedeFaultRunner *runner;
  StampedeFaultSpec    spec;
  GSource             *start_source;
  GSource             *end_source;
  gboolean             requested;
  gboolean             on;
  double               started_s;
  double               ended_s;
  char                *error;
} Slot;

struct _StampedeFaultRunner {
  GObject             parent_instance;

  Slot               *slots;
  guint               n_slots;

  char               *admin_url;
  char               *token;
  StampedeFaultProxy *proxy;

  GMainContext       *context;
  SoupSession        *session;
  GCancellable       *cancellable;
  gint64              start_us;
  gboolean            started;
  gboolean            stopped;
};

G_DEFINE_FINAL_TYPE (StampedeFaultRunner, stampede_fault_runner,
                     G_TYPE_OBJECT)

enum {
  SIGNAL_FAULT_STARTED,
  SIGNAL_FAULT_ENDED,
  SIGNAL_FAULT_FAILED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* A platform request in flight holds the runner, so that its slot is
 * still there when the answer comes. */
typedef struct {
  StampedeFaultRunner *runner;
  SoupMessage         *msg;
  guint                index;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->runner);
  g_clear_object (&request->msg);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gboolean
is_proxy_kind (StampedeFaultKind kind)
{
  return kind >= STAMPEDE_FAULT_PROXY_LATENCY;
}

static double
now_s (StampedeFaultRunner *self)
{
  return (double) (g_get_monotonic_time () - self->start_us) / G_USEC_PER_SEC;
}

static const char *
slot_kind (const Slot *slot)
{
  return stampede_fault_kind_to_string (slot->spec.kind);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static GSource *
add_timer (StampedeFaultRunner *self,
           gint64               due_us,
           GSourceFunc          func,
           Slot                *slot)
{
  gint64 wait_us = MAX (0, due_us - g_get_monotonic_time ());
  GSource *source;

  /* Rounded up, so that a fault never starts before its time. */
  source = g_timeout_source_new ((guint) MIN ((wait_us + 999) / 1000,
                                              G_MAXUINT));
  g_source_set_callback (source, func, slot, NULL);
  g_source_set_static_name (source, "[stampede] fault schedule");
  g_source_attach (source, self->context);

  return source;
}

static void
fail (Slot       *slot,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Slot       *slot,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_free (slot->error);
  slot->error = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("Fault %s at %g s not injected: %s", slot_kind (slot),
           slot->spec.at_s, slot->error);
  g_signal_emit (slot->runner, signals[SIGNAL_FAULT_FAILED], 0,
                 slot_kind (slot), slot->error);
}

static gboolean
any_other_on (StampedeFaultRunner *self,
              const Slot          *slot)
{
  for (guint i = 0; i < self->n_slots; i++) {
    const Slot *other = &self->slots[i];

    if (other != slot && other->on && other->spec.kind == slot->spec.kind)
      return TRUE;
  }

  return FALSE;
}

static void
clear_proxy_fault (StampedeFaultRunner *self,
                   StampedeFaultKind    kind)
{
  switch (kind) {
  case STAMPEDE_FAULT_PROXY_LATENCY:
    stampede_fault_proxy_clear (self->proxy, STAMPEDE_PROXY_FAULT_LATENCY);
    break;
  case STAMPEDE_FAULT_PROXY_RESET:
    stampede_fault_proxy_clear (self->proxy, STAMPEDE_PROXY_FAULT_RESET);
    break;
  case STAMPEDE_FAULT_PROXY_BLACKHOLE:
    stampede_fault_proxy_clear (self->proxy, STAMPEDE_PROXY_FAULT_BLACKHOLE);
    break;
  case STAMPEDE_FAULT_PROXY_BANDWIDTH:
    stampede_fault_proxy_clear (self->proxy, STAMPEDE_PROXY_FAULT_BANDWIDTH);
    break;
  case STAMPEDE_FAULT_PROXY_HTTP_STATUS:
    stampede_fault_proxy_clear (self->proxy,
                                STAMPEDE_PROXY_FAULT_HTTP_STATUS);
    stampede_fault_proxy_clear (self->proxy, STAMPEDE_PROXY_FAULT_FAIL_FIRST);
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
mark_ended (Slot *slot)
{
  StampedeFaultRunner *self = slot->runner;

  slot->on = FALSE;
  slot->ended_s = now_s (self);
  g_signal_emit (self, signals[SIGNAL_FAULT_ENDED], 0, slot_kind (slot),
                 slot->ended_s);
}

static gboolean
end_cb (gpointer data)
{
  Slot *slot = data;
  StampedeFaultRunner *self = slot->runner;

  g_clear_pointer (&slot->end_source, g_source_unref);

  /* A later fault of the same kind replaced this one in the proxy; it
   * is that one's to clear. */
  if (is_proxy_kind (slot->spec.kind) && self->proxy != NULL
      && !any_other_on (self, slot))
    clear_proxy_fault (self, slot->spec.kind);
  mark_ended (slot);

  return G_SOURCE_REMOVE;
}

static void
mark_started (Slot *slot)
{
  StampedeFaultRunner *self = slot->runner;

  slot->on = TRUE;
  slot->started_s = now_s (self);
  if (slot->spec.duration_s > 0)
    slot->end_source =
      add_timer (self, g_get_monotonic_time ()
                       + (gint64) (slot->spec.duration_s * G_USEC_PER_SEC),
                 end_cb, slot);

  g_signal_emit (self, signals[SIGNAL_FAULT_STARTED], 0, slot_kind (slot),
                 slot->started_s);
}

/* The proxy is told the duration too, so that a fault ends on time even
 * if this runner's main context stalls; the runner still clears it. */
static gboolean
proxy_faults (const StampedeFaultSpec *spec,
              StampedeProxyFault      *faults,
              guint                   *n_faults)
{
  StampedeProxyFault *f = &faults[0];
  guint duration_ms = (guint) MIN (ceil (spec->duration_s * 1000.0),
                                   G_MAXUINT);

  *n_faults = 1;
  *f = (StampedeProxyFault) {
    .direction = STAMPEDE_FAULT_DIRECTION_BOTH,
    .duration_ms = duration_ms,
  };

  switch (spec->kind) {
  case STAMPEDE_FAULT_PROXY_LATENCY:
    f->kind = STAMPEDE_PROXY_FAULT_LATENCY;
    f->latency_ms = spec->magnitude;
    f->jitter_ms = spec->jitter_ms;
    return TRUE;
  case STAMPEDE_FAULT_PROXY_RESET:
    f->kind = STAMPEDE_PROXY_FAULT_RESET;
    f->share = spec->magnitude;
    return TRUE;
  case STAMPEDE_FAULT_PROXY_BLACKHOLE:
    f->kind = STAMPEDE_PROXY_FAULT_BLACKHOLE;
    return TRUE;
  case STAMPEDE_FAULT_PROXY_BANDWIDTH:
    f->kind = STAMPEDE_PROXY_FAULT_BANDWIDTH;
    f->bytes_per_s = spec->magnitude;
    return TRUE;
  case STAMPEDE_FAULT_PROXY_HTTP_STATUS:
    /* A share of the requests, after the first fail_first: the proxy
     * holds these as two faults. */
    *n_faults = 0;
    if (spec->magnitude > 0)
      faults[(*n_faults)++] = (StampedeProxyFault) {
        .kind = STAMPEDE_PROXY_FAULT_HTTP_STATUS,
        .status = spec->status,
        .share = spec->magnitude,
        .duration_ms = duration_ms,
      };
    if (spec->fail_first > 0)
      faults[(*n_faults)++] = (StampedeProxyFault) {
        .kind = STAMPEDE_PROXY_FAULT_FAIL_FIRST,
        .status = spec->status,
        .count = spec->fail_first,
        .duration_ms = duration_ms,
      };
    return TRUE;
  default:
    return FALSE;
  }
}

static void
inject_proxy (Slot *slot)
{
  StampedeFaultRunner *self = slot->runner;
  StampedeProxyFault faults[2];
  guint n_faults;

  if (self->proxy == NULL) {
    fail (slot, "no fault proxy: the engine does not route through one");
    return;
  }

  if (!proxy_faults (&slot->spec, faults, &n_faults))
    g_assert_not_reached ();

  for (guint i = 0; i < n_faults; i++) {
    g_autoptr(GError) error = NULL;

    if (!stampede_fault_proxy_inject (self->proxy, &faults[i], &error)) {
      clear_proxy_fault (self, slot->spec.kind);
      fail (slot, "the fault proxy refused it: %s", error->message);
      return;
    }
  }

  mark_started (slot);
}

static char *
platform_body (const StampedeFaultSpec *spec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder,
                                 stampede_fault_kind_to_string (spec->kind));
  json_builder_set_member_name (builder, "magnitude");
  json_builder_add_double_value (builder, spec->magnitude);
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, spec->duration_s);

  if (spec->agent != NULL) {
    json_builder_set_member_name (builder, "agent");
    json_builder_add_string_value (builder, spec->agent);
  }
  if (spec->kind == STAMPEDE_FAULT_RATE_LIMIT) {
    json_builder_set_member_name (builder, "retry_after_s");
    json_builder_add_double_value (builder, spec->retry_after_s);
  }
  if (spec->kind == STAMPEDE_FAULT_PARTITION) {
    json_builder_set_member_name (builder, "mode");
    json_builder_add_string_value (builder,
                                   spec->reset ? "reset" : "silent");
  }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* The platform's reason, from its {"error": …} answer when it gave one. */
static char *
refusal_reason (SoupMessage *msg,
                GBytes      *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  JsonNode *root;

  if (data != NULL && json_parser_load_from_data (parser, data, size, NULL)) {
    root = json_parser_get_root (parser);
    if (JSON_NODE_HOLDS_OBJECT (root)) {
      const char *text = json_object_get_string_member_with_default (
        json_node_get_object (root), "error", NULL);

      if (text != NULL)
        return g_strdup (text);
    }
  }

  return g_strdup (soup_message_get_reason_phrase (msg));
}

static SoupMessage *
admin_message (StampedeFaultRunner  *self,
               const char           *method,
               GError              **error)
{
  g_autofree char *url = g_strdup_printf ("%s/v1/admin/faults",
                                          self->admin_url);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", self->token);
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, error);
  SoupMessage *msg;

  if (uri == NULL)
    return NULL;

  msg = soup_message_new_from_uri (method, uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", bearer);

  return msg;
}

static void
post_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Request) request = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  StampedeFaultRunner *self = request->runner;
  Slot *slot = &self->slots[request->index];
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                            &error);
  /* An answer that raced with stop() is moot: the slot already says it
   * was not injected, and the DELETE that follows clears it. */
  if (self->stopped)
    return;
  if (body == NULL) {
    fail (slot, "could not reach the platform admin API at %s: %s",
          self->admin_url, error->message);
    return;
  }

  status = soup_message_get_status (request->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_autofree char *reason = refusal_reason (request->msg, body);

    fail (slot, "the platform answered %u: %s", status, reason);
    return;
  }

  mark_started (slot);
}

static void
post_platform (Slot *slot)
{
  StampedeFaultRunner *self = slot->runner;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  Request *request;
  gsize length;

  if (self->admin_url == NULL) {
    fail (slot, "no platform admin API to send it to (platform-side "
          "faults need the platform's admin URL and token)");
    return;
  }

  msg = admin_message (self, SOUP_METHOD_POST, &error);
  if (msg == NULL) {
    fail (slot, "bad platform admin URL %s: %s", self->admin_url,
          error->message);
    return;
  }

  text = platform_body (&slot->spec);
  length = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), length);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  request = g_new0 (Request, 1);
  request->runner = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->index = (guint) (slot - self->slots);
  slot->requested = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, post_done_cb,
                                    request);
}

static gboolean
start_cb (gpointer data)
{
  Slot *slot = data;

  g_clear_pointer (&slot->start_source, g_source_unref);

  if (is_proxy_kind (slot->spec.kind))
    inject_proxy (slot);
  else
    post_platform (slot);

  return G_SOURCE_REMOVE;
}

static void
stampede_fault_runner_dispose (GObject *object)
{
  StampedeFaultRunner *self = STAMPEDE_FAULT_RUNNER (object);

  /* A runner dropped without being stopped leaves no fault behind in the
   * proxy, which outlives it. */
  for (guint i = 0; i < self->n_slots; i++) {
    Slot *slot = &self->slots[i];

    clear_source (&slot->start_source);
    clear_source (&slot->end_source);
    if (slot->on && is_proxy_kind (slot->spec.kind) && self->proxy != NULL)
      clear_proxy_fault (self, slot->spec.kind);
    slot->on = FALSE;
  }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->proxy);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (stampede_fault_runner_parent_class)->dispose (object);
}

static void
stampede_fault_runner_finalize (GObject *object)
{
  StampedeFaultRunner *self = STAMPEDE_FAULT_RUNNER (object);

  for (guint i = 0; i < self->n_slots; i++) {
    g_free (self->slots[i].spec.agent);
    g_free (self->slots[i].error);
  }
  g_free (self->slots);
  g_free (self->admin_url);
  g_free (self->token);

  G_OBJECT_CLASS (stampede_fault_runner_parent_class)->finalize (object);
}

static void
stampede_fault_runner_class_init (StampedeFaultRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_fault_runner_dispose;
  object_class->finalize = stampede_fault_runner_finalize;

  /**
   * StampedeFaultRunner::fault-started:
   * @self: the runner
   * @kind: the fault's kind, as in scenario files
   * @t_s: when it took effect, in seconds from the run's start
   */
  signals[SIGNAL_FAULT_STARTED] =
    g_signal_new ("fault-started", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_DOUBLE);

  /**
   * StampedeFaultRunner::fault-ended:
   * @self: the runner
   * @kind: the fault's kind
   * @t_s: when it was cleared, in seconds from the run's start
   */
  signals[SIGNAL_FAULT_ENDED] =
    g_signal_new ("fault-ended", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_DOUBLE);

  /**
   * StampedeFaultRunner::fault-failed:
   * @self: the runner
   * @kind: the fault's kind
   * @message: why it could not be injected
   */
  signals[SIGNAL_FAULT_FAILED] =
    g_signal_new ("fault-failed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_STRING);
}

static void
stampede_fault_runner_init (StampedeFaultRunner *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * stampede_fault_runner_new:
 * @faults: (array length=n_faults): the schedule, as in a scenario
 * @n_faults: how many faults there are
 *
 * Returns: (transfer full): a runner for @faults; nothing happens until
 *   stampede_fault_runner_start()
 */
StampedeFaultRunner *
stampede_fault_runner_new (const StampedeFaultSpec *faults,
                           guint                    n_faults)
{
  StampedeFaultRunner *self;

  g_return_val_if_fail (faults != NULL || n_faults == 0, NULL);

  self = g_object_new (STAMPEDE_TYPE_FAULT_RUNNER, NULL);
  self->n_slots = n_faults;
  self->slots = g_new0 (Slot, MAX (n_faults, 1));

  for (guint i = 0; i < n_faults; i++) {
    Slot *slot = &self->slots[i];

    slot->runner = self;
    slot->spec = faults[i];
    slot->spec.agent = g_strdup (faults[i].agent);
    slot->started_s = NAN;
    slot->ended_s = NAN;
  }

  return self;
}

/**
 * stampede_fault_runner_set_platform:
 * @self: a runner
 * @admin_url: (nullable): the platform's base URL, such as
 *   "http://127.0.0.1:8080"; its admin API is under /v1/admin/faults
 * @token: (nullable): the bearer token of the admin API
 *
 * Says where the platform-side faults go.  Without it they are recorded
 * as not injected.
 */
void
stampede_fault_runner_set_platform (StampedeFaultRunner *self,
                                    const char          *admin_url,
                                    const char          *token)
{
  g_autofree char *base = NULL;

  g_return_if_fail (STAMPEDE_IS_FAULT_RUNNER (self));
  g_return_if_fail (!self->started);

  base = g_strdup (admin_url);
  if (base != NULL && g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  g_free (self->admin_url);
  self->admin_url = g_steal_pointer (&base);
  g_free (self->token);
  self->token = g_strdup (token != NULL ? token : "");
}

/**
 * stampede_fault_runner_set_proxy:
 * @self: a runner
 * @proxy: (nullable): the fault proxy the engine routes through
 *
 * Says which proxy takes the proxy_* faults.  Without one they are
 * recorded as not injected.
 */
void
stampede_fault_runner_set_proxy (StampedeFaultRunner *self,
                                 StampedeFaultProxy  *proxy)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_RUNNER (self));
  g_return_if_fail (proxy == NULL || STAMPEDE_IS_FAULT_PROXY (proxy));
  g_return_if_fail (!self->started);

  g_set_object (&self->proxy, proxy);
}

/**
 * stampede_fault_runner_start:
 * @self: a runner
 * @start_us: when the run started, on the monotonic clock
 *   (g_get_monotonic_time())
 *
 * Schedules every fault at its at_s from @start_us in the thread-default
 * main context; a fault already due is injected at once.  Every time the
 * runner records is relative to @start_us.
 */
void
stampede_fault_runner_start (StampedeFaultRunner *self,
                             gint64               start_us)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_RUNNER (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->start_us = start_us;
  self->context = g_main_context_ref_thread_default ();
  self->session = soup_session_new ();

  for (guint i = 0; i < self->n_slots; i++) {
    Slot *slot = &self->slots[i];
    gint64 due_us = start_us + (gint64) (slot->spec.at_s * G_USEC_PER_SEC);

    slot->start_source = add_timer (self, due_us, start_cb, slot);
  }
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  StampedeFaultRunner *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                            &error);
  if (body == NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "Could not clear the platform's faults at %s: "
                             "%s", self->admin_url, error->message);
    return;
  }

  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_autofree char *reason = refusal_reason (msg, body);

    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "The platform answered %u to clearing its "
                             "faults: %s", status, reason);
    return;
  }

  g_task_return_boolean (task, TRUE);
}

/* Ends what is on, and notes what never came to be. */
static gboolean
close_slots (StampedeFaultRunner *self)
{
  gboolean platform_touched = FALSE;

  for (guint i = 0; i < self->n_slots; i++) {
    Slot *slot = &self->slots[i];

    if (slot->start_source != NULL)
      slot->error = g_strdup ("not injected: the run ended first");
    else if (slot->requested && isnan (slot->started_s)
             && slot->error == NULL)
      slot->error = g_strdup ("not injected: the run ended while the "
                              "platform was being asked");
    clear_source (&slot->start_source);
    clear_source (&slot->end_source);

    if (slot->on)
      mark_ended (slot);
    if (slot->requested)
      platform_touched = TRUE;
    if (is_proxy_kind (slot->spec.kind) && self->proxy != NULL
        && !isnan (slot->started_s))
      clear_proxy_fault (self, slot->spec.kind);
  }

  return platform_touched;
}

/**
 * stampede_fault_runner_stop_async:
 * @self: a runner
 * @cancellable: (nullable): a cancellable
 * @callback: (nullable): called when the platform has cleared its faults
 * @user_data: data for @callback
 *
 * Stops the schedule: faults not yet due are recorded as not injected,
 * faults on are ended now, the proxy faults it set are cleared at once,
 * and the platform is asked to clear its faults (DELETE
 * /v1/admin/faults) when any was sent there.  The operation finishes
 * when the platform has answered.
 */
void
stampede_fault_runner_stop_async (StampedeFaultRunner *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg;

  g_return_if_fail (STAMPEDE_IS_FAULT_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, stampede_fault_runner_stop_async);

  if (self->stopped || !self->started) {
    self->stopped = TRUE;
    g_task_return_boolean (task, TRUE);
    return;
  }

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (!close_slots (self)) {
    g_task_return_boolean (task, TRUE);
    return;
  }

  msg = admin_message (self, SOUP_METHOD_DELETE, &error);
  if (msg == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  g_task_set_task_data (task, msg, g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    cancellable, delete_done_cb,
                                    g_steal_pointer (&task));
}

/**
 * stampede_fault_runner_stop_finish:
 * @self: a runner
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE when every fault was cleared; %FALSE with @error when the
 *   platform could not be reached or refused
 */
gboolean
stampede_fault_runner_stop_finish (StampedeFaultRunner  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_RUNNER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
stop_logged_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!stampede_fault_runner_stop_finish (STAMPEDE_FAULT_RUNNER (object),
                                          result, &error))
    g_warning ("%s", error->message);
}

/**
 * stampede_fault_runner_stop:
 * @self: a runner
 *
 * Like stampede_fault_runner_stop_async(), for a caller that does not
 * wait for the platform's answer; a failure to clear is logged.
 */
void
stampede_fault_runner_stop (StampedeFaultRunner *self)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_RUNNER (self));

  stampede_fault_runner_stop_async (self, NULL, stop_logged_cb, NULL);
}

/**
 * stampede_fault_runner_dup_windows:
 * @self: a runner
 *
 * Returns: (transfer full) (element-type StampedeFaultWindow): one window
 *   per fault of the schedule, in its order: when it was on, or why it
 *   was not
 */
GArray *
stampede_fault_runner_dup_windows (StampedeFaultRunner *self)
{
  GArray *windows;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_RUNNER (self), NULL);

  windows = stampede_fault_windows_new ();
  for (guint i = 0; i < self->n_slots; i++) {
    const Slot *slot = &self->slots[i];
    StampedeFaultWindow window = {
      .kind = slot->spec.kind,
      .started_s = slot->started_s,
      .ended_s = slot->ended_s,
      .error = g_strdup (slot->error),
    };

    g_array_append_val (windows, window);
  }

  return windows;
}

/**
 * stampede_fault_runner_get_n_active:
 * @self: a runner
 *
 * Returns: how many faults are on now
 */
guint
stampede_fault_runner_get_n_active (StampedeFaultRunner *self)
{
  guint n = 0;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_RUNNER (self), 0);

  for (guint i = 0; i < self->n_slots; i++)
    n += self->slots[i].on ? 1 : 0;

  return n;
}
