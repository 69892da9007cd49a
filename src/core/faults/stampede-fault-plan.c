/* stampede-fault-plan.c — the faults the engine-side proxy can inject
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-fault-plan.h"

#include <gio/gio.h>
#include <math.h>

static const char * const kind_names[STAMPEDE_N_PROXY_FAULTS] = {
  [STAMPEDE_PROXY_FAULT_LATENCY] = "latency",
  [STAMPEDE_PROXY_FAULT_BANDWIDTH] = "bandwidth",
  [STAMPEDE_PROXY_FAULT_RESET] = "reset",
  [STAMPEDE_PROXY_FAULT_BLACKHOLE] = "blackhole",
  [STAMPEDE_PROXY_FAULT_HTTP_STATUS] = "http_status",
  [STAMPEDE_PROXY_FAULT_FAIL_FIRST] = "fail_first",
};

/**
 * stampede_proxy_fault_kind_to_string:
 * @kind: a fault kind
 *
 * Returns: (transfer none): the name used in scenarios and the control API
 */
const char *
stampede_proxy_fault_kind_to_string (StampedeProxyFaultKind kind)
{
  g_return_val_if_fail (kind < STAMPEDE_N_PROXY_FAULTS, NULL);

  return kind_names[kind];
}

/**
 * stampede_proxy_fault_kind_from_string:
 * @name: a fault name such as "latency"
 * @kind: (out): the kind it names
 *
 * Returns: %TRUE if @name names a fault kind
 */
gboolean
stampede_proxy_fault_kind_from_string (const char             *name,
                                       StampedeProxyFaultKind *kind)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; i < STAMPEDE_N_PROXY_FAULTS; i++) {
    if (g_strcmp0 (name, kind_names[i]) == 0) {
      *kind = (StampedeProxyFaultKind) i;
      return TRUE;
    }
  }

  return FALSE;
}

static gboolean
check_share (double   share,
             GError **error)
{
  if (!isfinite (share) || share < 0.0 || share > 1.0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "share must be between 0 and 1, not %g", share);
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_status (guint    status,
              GError **error)
{
  if (status < 200 || status > 599) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "status must be a final HTTP status from 200 to 599, not %u",
                 status);
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_direction (StampedeFaultDirection   direction,
                 GError                 **error)
{
  if (direction == 0 || (direction & ~STAMPEDE_FAULT_DIRECTION_BOTH) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "direction must be upstream, downstream or both");
    return FALSE;
  }

  return TRUE;
}

static gboolean
check_latency (const StampedeProxyFault  *fault,
               GError                   **error)
{
  if (!isfinite (fault->latency_ms) || fault->latency_ms < 0.0
      || fault->latency_ms > 600000.0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "latency must be from 0 to 600000 ms, not %g",
                 fault->latency_ms);
    return FALSE;
  }

  if (!isfinite (fault->jitter_ms) || fault->jitter_ms < 0.0
      || fault->jitter_ms > 600000.0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "jitter must be from 0 to 600000 ms, not %g",
                 fault->jitter_ms);
    return FALSE;
  }

  return check_direction (fault->direction, error);
}

/**
 * stampede_proxy_fault_validate:
 * @fault: a fault
 * @error: return location for an error
 *
 * Checks that the fields @fault's kind reads are in range.
 *
 * Returns: %TRUE if the proxy can inject @fault
 */
gboolean
stampede_proxy_fault_validate (const StampedeProxyFault  *fault,
                         GError              **error)
{
  g_return_val_if_fail (fault != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (fault->kind) {
  case STAMPEDE_PROXY_FAULT_LATENCY:
    return check_latency (fault, error);

  case STAMPEDE_PROXY_FAULT_BANDWIDTH:
    if (!isfinite (fault->bytes_per_s) || fault->bytes_per_s < 1.0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "bandwidth must be at least 1 byte/s, not %g",
                   fault->bytes_per_s);
      return FALSE;
    }
    return check_direction (fault->direction, error);

  case STAMPEDE_PROXY_FAULT_RESET:
    return check_share (fault->share, error);

  case STAMPEDE_PROXY_FAULT_BLACKHOLE:
    return TRUE;

  case STAMPEDE_PROXY_FAULT_HTTP_STATUS:
    return check_status (fault->status, error)
           && check_share (fault->share, error);

  case STAMPEDE_PROXY_FAULT_FAIL_FIRST:
    return check_status (fault->status, error);

  case STAMPEDE_N_PROXY_FAULTS:
  default:
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "unknown fault kind %d", (int) fault->kind);
    return FALSE;
  }
}

static const char *
direction_name (StampedeFaultDirection direction)
{
  switch (direction) {
  case STAMPEDE_FAULT_DIRECTION_UPSTREAM:
    return "upstream";
  case STAMPEDE_FAULT_DIRECTION_DOWNSTREAM:
    return "downstream";
  case STAMPEDE_FAULT_DIRECTION_BOTH:
  default:
    return "both ways";
  }
}

static char *
describe_magnitude (const StampedeProxyFault *fault)
{
  switch (fault->kind) {
  case STAMPEDE_PROXY_FAULT_LATENCY:
    return g_strdup_printf ("latency %g ms ± %g ms %s", fault->latency_ms,
                            fault->jitter_ms,
                            direction_name (fault->direction));
  case STAMPEDE_PROXY_FAULT_BANDWIDTH:
    return g_strdup_printf ("bandwidth %g bytes/s %s", fault->bytes_per_s,
                            direction_name (fault->direction));
  case STAMPEDE_PROXY_FAULT_RESET:
    return g_strdup_printf ("reset %g %% of requests", fault->share * 100.0);
  case STAMPEDE_PROXY_FAULT_BLACKHOLE:
    return g_strdup ("black hole");
  case STAMPEDE_PROXY_FAULT_HTTP_STATUS:
    return g_strdup_printf ("status %u to %g %% of requests", fault->status,
                            fault->share * 100.0);
  case STAMPEDE_PROXY_FAULT_FAIL_FIRST:
    return g_strdup_printf ("status %u to the first %u requests",
                            fault->status, fault->count);
  case STAMPEDE_N_PROXY_FAULTS:
  default:
    return g_strdup ("unknown fault");
  }
}

/**
 * stampede_proxy_fault_describe:
 * @fault: a fault
 *
 * Returns: (transfer full): a one-line description for logs and reports,
 *   for example "latency 100 ms ± 10 ms both ways for 5 s"
 */
char *
stampede_proxy_fault_describe (const StampedeProxyFault *fault)
{
  g_autofree char *magnitude = NULL;

  g_return_val_if_fail (fault != NULL, NULL);

  magnitude = describe_magnitude (fault);

  if (fault->duration_ms == 0)
    return g_strdup_printf ("%s until cleared", magnitude);

  return g_strdup_printf ("%s for %g s", magnitude,
                          fault->duration_ms / 1000.0);
}
