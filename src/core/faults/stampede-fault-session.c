/* stampede-fault-session.c — a scenario's faults for one run, and their
 * report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-fault-session.h"

#include <libsoup/soup.h>
#include <math.h>

#define HTTP_DEFAULT_PORT 80

struct _StampedeFaultSession {
  GObject                     parent_instance;

  StampedeFaultRunner        *runner;
  StampedeFaultProxy         *proxy;
  char                       *target_url;

  /* When each fault was due, in the order of the runner's windows. */
  double                     *at_s;
  guint                       n_faults;

  StampedeRecoveryThresholds  thresholds;
};

G_DEFINE_FINAL_TYPE (StampedeFaultSession, stampede_fault_session,
                     G_TYPE_OBJECT)

static gboolean
needs_proxy (const StampedeScenarioSpec *spec)
{
  for (guint i = 0; i < spec->n_faults; i++)
    if (spec->faults[i].kind >= STAMPEDE_FAULT_PROXY_LATENCY)
      return TRUE;

  return FALSE;
}

/* The proxy listens on loopback and forwards bytes as they are; the URL
 * keeps the target's path, query and user information and only changes
 * where the connection goes. */
static char *
proxied_url (GUri    *target,
             guint16  port)
{
  g_autoptr(GUri) uri = g_uri_build (g_uri_get_flags (target), "http",
                                     g_uri_get_userinfo (target),
                                     "127.0.0.1", port,
                                     g_uri_get_path (target),
                                     g_uri_get_query (target),
                                     g_uri_get_fragment (target));

  return g_uri_to_string (uri);
}

static gboolean
start_proxy (StampedeFaultSession  *self,
             const char            *target_url,
             guint64                seed,
             GError               **error)
{
  g_autoptr(GUri) target = NULL;
  g_autoptr(StampedeFaultProxy) proxy = NULL;
  int port;

  target = g_uri_parse (target_url, SOUP_HTTP_URI_FLAGS, error);
  if (target == NULL)
    return FALSE;

  /* Through TLS the proxy could neither see requests nor stand in for
   * the target's certificate, so its faults need plain HTTP. */
  if (g_ascii_strcasecmp (g_uri_get_scheme (target), "http") != 0
      || g_uri_get_host (target) == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "The scenario's proxy_* faults need a plain http:// "
                 "target, not %s: the fault proxy cannot work inside TLS",
                 target_url);
    return FALSE;
  }

  port = g_uri_get_port (target);
  proxy = stampede_fault_proxy_new (g_uri_get_host (target),
                                    port > 0 ? (guint16) port
                                             : HTTP_DEFAULT_PORT);
  stampede_fault_proxy_set_seed (proxy, (guint32) seed);
  if (!stampede_fault_proxy_start (proxy, "127.0.0.1", 0, error))
    return FALSE;

  self->target_url = proxied_url (target,
                                  stampede_fault_proxy_get_port (proxy));
  self->proxy = g_steal_pointer (&proxy);
  stampede_fault_runner_set_proxy (self->runner, self->proxy);

  return TRUE;
}

static void
stampede_fault_session_dispose (GObject *object)
{
  StampedeFaultSession *self = STAMPEDE_FAULT_SESSION (object);

  /* The runner goes first: it clears its faults from the proxy. */
  g_clear_object (&self->runner);
  if (self->proxy != NULL)
    stampede_fault_proxy_stop (self->proxy);
  g_clear_object (&self->proxy);

  G_OBJECT_CLASS (stampede_fault_session_parent_class)->dispose (object);
}

static void
stampede_fault_session_finalize (GObject *object)
{
  StampedeFaultSession *self = STAMPEDE_FAULT_SESSION (object);

  g_free (self->target_url);
  g_free (self->at_s);

  G_OBJECT_CLASS (stampede_fault_session_parent_class)->finalize (object);
}

static void
stampede_fault_session_class_init (StampedeFaultSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stampede_fault_session_dispose;
  object_class->finalize = stampede_fault_session_finalize;
}

static void
stampede_fault_session_init (StampedeFaultSession *self)
{
  stampede_recovery_thresholds_init (&self->thresholds);
}

/**
 * stampede_fault_session_new:
 * @spec: the scenario of the run
 * @target_url: where the engine would send transactions without faults
 * @error: return location for an error
 *
 * Prepares @spec's faults for a run against @target_url.  When @spec has
 * proxy_* faults, a fault proxy is started now on 127.0.0.1 (any free
 * port) in front of the target, so that the engine can connect to it
 * before the first fault is due; the target must then be plain http://.
 * Recovery is judged by the error-rate and p99 bounds of @spec's
 * criteria, else by the defaults of stampede_recovery_thresholds_init().
 *
 * Returns: (transfer full): a session, or %NULL with @error set when the
 *   target URL is not usable or the proxy could not start
 */
StampedeFaultSession *
stampede_fault_session_new (const StampedeScenarioSpec  *spec,
                            const char                  *target_url,
                            GError                     **error)
{
  g_autoptr(StampedeFaultSession) self = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (target_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (STAMPEDE_TYPE_FAULT_SESSION, NULL);
  self->runner = stampede_fault_runner_new (spec->faults, spec->n_faults);
  self->n_faults = spec->n_faults;
  self->at_s = g_new0 (double, MAX (spec->n_faults, 1));
  for (guint i = 0; i < spec->n_faults; i++)
    self->at_s[i] = spec->faults[i].at_s;
  stampede_recovery_thresholds_set_criteria (&self->thresholds,
                                             spec->criteria,
                                             spec->n_criteria);

  if (!needs_proxy (spec)) {
    self->target_url = g_strdup (target_url);
    return g_steal_pointer (&self);
  }

  if (!start_proxy (self, target_url, spec->seed, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * stampede_fault_session_get_target_url:
 * @self: a session
 *
 * Returns: the URL the engine must send to: the target's, rewritten to go
 *   through the fault proxy when there is one, else unchanged
 */
const char *
stampede_fault_session_get_target_url (StampedeFaultSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);

  return self->target_url;
}

/**
 * stampede_fault_session_get_proxy:
 * @self: a session
 *
 * Returns: (transfer none) (nullable): the fault proxy, for its counters;
 *   %NULL when the scenario has no proxy_* fault
 */
StampedeFaultProxy *
stampede_fault_session_get_proxy (StampedeFaultSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);

  return self->proxy;
}

/**
 * stampede_fault_session_get_runner:
 * @self: a session
 *
 * The runner emits "fault-started", "fault-ended" and "fault-failed" as
 * the schedule goes on, for a live view.
 *
 * Returns: (transfer none): the runner that carries out the schedule
 */
StampedeFaultRunner *
stampede_fault_session_get_runner (StampedeFaultSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);

  return self->runner;
}

/**
 * stampede_fault_session_set_platform_admin:
 * @self: a session, not started yet
 * @url: (nullable): the platform's base URL, such as
 *   "http://127.0.0.1:8080"; faults go to its /v1/admin/faults
 * @token: (nullable): the admin API's bearer token
 *
 * Says where the platform-side faults go.  Without it they are reported
 * as not injected, with the reason.
 */
void
stampede_fault_session_set_platform_admin (StampedeFaultSession *self,
                                           const char           *url,
                                           const char           *token)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_SESSION (self));

  stampede_fault_runner_set_platform (self->runner, url, token);
}

/**
 * stampede_fault_session_start:
 * @self: a session
 * @start_us: the run's start on the monotonic clock, as the engine counts
 *   it (g_get_monotonic_time() just before stampede_engine_start())
 *
 * Starts the schedule in the thread-default main context: each fault is
 * injected at its at_s from @start_us.
 */
void
stampede_fault_session_start (StampedeFaultSession *self,
                              gint64                start_us)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_SESSION (self));

  stampede_fault_runner_start (self->runner, start_us);
}

static void
runner_stopped_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;

  if (!stampede_fault_runner_stop_finish (STAMPEDE_FAULT_RUNNER (object),
                                          result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * stampede_fault_session_stop_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: (nullable): called when the platform has cleared its faults
 * @user_data: data for @callback
 *
 * Ends the schedule: faults not yet due are reported as not injected,
 * faults on are ended now and cleared in the proxy at once and in the
 * platform by a request whose answer finishes the operation.  The proxy
 * itself stays up, so that requests still in flight get their answers,
 * until the session is freed.
 */
void
stampede_fault_session_stop_async (StampedeFaultSession *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (STAMPEDE_IS_FAULT_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, stampede_fault_session_stop_async);
  stampede_fault_runner_stop_async (self->runner, cancellable,
                                    runner_stopped_cb, task);
}

/**
 * stampede_fault_session_stop_finish:
 * @self: a session
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE when every fault was cleared; %FALSE with @error when
 *   the platform could not be reached or refused
 */
gboolean
stampede_fault_session_stop_finish (StampedeFaultSession  *self,
                                    GAsyncResult          *result,
                                    GError               **error)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * stampede_fault_session_stop:
 * @self: a session
 *
 * Like stampede_fault_session_stop_async() for a caller that does not
 * wait for the platform's answer; a failure to clear is logged.
 */
void
stampede_fault_session_stop (StampedeFaultSession *self)
{
  g_return_if_fail (STAMPEDE_IS_FAULT_SESSION (self));

  stampede_fault_runner_stop (self->runner);
}

/**
 * stampede_fault_session_dup_windows:
 * @self: a session
 *
 * Returns: (transfer full) (element-type StampedeFaultWindow): when each
 *   fault of the scenario was on, or why it was not, in the scenario's
 *   order
 */
GArray *
stampede_fault_session_dup_windows (StampedeFaultSession *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);

  return stampede_fault_runner_dup_windows (self->runner);
}

/**
 * stampede_fault_session_analyse:
 * @self: a session
 * @series: (element-type StampedeSecond): the run's per-second series
 *
 * Returns: (transfer full): how the target degraded and recovered around
 *   each fault, judged by the scenario's thresholds
 */
StampedeRecovery *
stampede_fault_session_analyse (StampedeFaultSession *self,
                                const GArray         *series)
{
  g_autoptr(GArray) windows = NULL;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);
  g_return_val_if_fail (series != NULL, NULL);

  windows = stampede_fault_runner_dup_windows (self->runner);

  return stampede_recovery_analyse (series, windows, &self->thresholds);
}

/**
 * stampede_fault_session_build_report:
 * @self: a session
 * @series: (element-type StampedeSecond): the run's per-second series
 * @accounted: (out) (optional): whether every arrival in @series reached
 *   an outcome
 *
 * Returns: (transfer full): the run summary's `faults` array, one object
 *   per fault of the scenario as stampede_fault_impact_to_json() writes it;
 *   empty when the scenario has no faults
 */
JsonNode *
stampede_fault_session_build_report (StampedeFaultSession *self,
                                     const GArray         *series,
                                     gboolean             *accounted)
{
  g_autoptr(StampedeRecovery) recovery = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);
  g_return_val_if_fail (series != NULL, NULL);

  recovery = stampede_fault_session_analyse (self, series);
  builder = json_builder_new ();
  stampede_recovery_to_json (recovery, builder);
  if (accounted != NULL)
    *accounted = recovery->accounted;

  return json_builder_get_root (builder);
}

/* A time at the end of a whole second of the series reads as "61 s". */
static char *
format_second (double t_s)
{
  if (fabs (t_s - round (t_s)) < 0.05)
    return g_strdup_printf ("%.0f", t_s);

  return g_strdup_printf ("%.1f", t_s);
}

static void
append_window (GString                   *out,
               const StampedeFaultImpact *impact)
{
  if (isnan (impact->ended_s))
    g_string_append_printf (out, "%.1f s–end: ", impact->started_s);
  else
    g_string_append_printf (out, "%.1f–%.1f s: ", impact->started_s,
                            impact->ended_s);
}

static void
append_recovery (GString                   *out,
                 const StampedeFaultImpact *impact)
{
  g_autofree char *degraded = NULL;
  g_autofree char *recovered = NULL;
  double after_s = impact->recovery_time_s;

  if (isnan (impact->degraded_s)) {
    g_string_append (out, "no degradation");
    return;
  }

  degraded = format_second (impact->degraded_s);
  g_string_append_printf (out, "degraded at %s s, ", degraded);
  if (isnan (impact->recovered_s)) {
    g_string_append (out, "not recovered by the end of the run");
    return;
  }

  recovered = format_second (impact->recovered_s);
  g_string_append_printf (out, "recovered at %s s ", recovered);
  if (isnan (after_s))
    g_string_append (out, "(while the fault was still on)");
  else if (after_s >= 0.05)
    g_string_append_printf (out, "(%.1f s after it ended)", after_s);
  else if (after_s <= -0.05)
    g_string_append_printf (out, "(%.1f s before it ended)", -after_s);
  else
    g_string_append (out, "(as it ended)");
}

static void
append_counts (GString                   *out,
               const StampedeFaultImpact *impact)
{
  g_string_append_printf (out,
                          ", %" G_GUINT64_FORMAT " errors (%" G_GUINT64_FORMAT
                          " timeouts), %" G_GUINT64_FORMAT " lost, ",
                          impact->errors, impact->timeouts, impact->lost);
  if (isnan (impact->accuracy))
    g_string_append (out, "no scored answers");
  else
    g_string_append_printf (out, "accuracy %.1f %%",
                            impact->accuracy * 100.0);
}

static void
append_impact (GString                   *out,
               const StampedeFaultImpact *impact,
               double                     at_s)
{
  const char *reason = impact->error != NULL ? impact->error
                                             : "no reason recorded";

  g_string_append_printf (out, "fault %s ",
                          stampede_fault_kind_to_string (impact->kind));

  if (isnan (impact->started_s)) {
    g_string_append_printf (out, "at %.1f s: %s%s\n", at_s,
                            g_str_has_prefix (reason, "not injected")
                            ? "" : "not injected: ", reason);
    return;
  }

  append_window (out, impact);
  append_recovery (out, impact);
  append_counts (out, impact);
  g_string_append_c (out, '\n');
}

/**
 * stampede_fault_session_format_text:
 * @self: a session
 * @series: (element-type StampedeSecond): the run's per-second series
 *
 * Says what each fault did, a line each, such as "fault agent_crash
 * 60.0–80.0 s: degraded at 61 s, recovered at 83 s (3.0 s after it
 * ended), 412 errors (0 timeouts), 0 lost, accuracy 91.2 %", or why it was
 * not injected; then a line on whether every transaction was accounted
 * for.
 *
 * Returns: (transfer full): the text, each line ending in a newline
 */
char *
stampede_fault_session_format_text (StampedeFaultSession *self,
                                    const GArray         *series)
{
  g_autoptr(StampedeRecovery) recovery = NULL;
  GString *out;

  g_return_val_if_fail (STAMPEDE_IS_FAULT_SESSION (self), NULL);
  g_return_val_if_fail (series != NULL, NULL);

  recovery = stampede_fault_session_analyse (self, series);
  out = g_string_new (NULL);

  for (guint i = 0; i < recovery->n_impacts; i++)
    append_impact (out, &recovery->impacts[i],
                   i < self->n_faults ? self->at_s[i] : NAN);

  g_string_append_printf (out, "accounting: %" G_GUINT64_FORMAT
                          " arrivals, %" G_GUINT64_FORMAT " outcomes: %s\n",
                          recovery->arrivals, recovery->outcomes,
                          recovery->accounted
                          ? "every transaction accounted for"
                          : "some transactions are unaccounted for");

  return g_string_free (out, FALSE);
}
