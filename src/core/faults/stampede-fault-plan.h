/* stampede-fault-plan.h — the faults the engine-side proxy can inject
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The kinds of fault that StampedeFaultProxy injects between the engine and
 * any target.  The numeric values are part of the contract: the random
 * draws of a kind come from a generator seeded with (seed + kind), so a
 * test or a report can replay them.
 */
typedef enum {
  STAMPEDE_PROXY_FAULT_LATENCY,
  STAMPEDE_PROXY_FAULT_BANDWIDTH,
  STAMPEDE_PROXY_FAULT_RESET,
  STAMPEDE_PROXY_FAULT_BLACKHOLE,
  STAMPEDE_PROXY_FAULT_HTTP_STATUS,
  STAMPEDE_PROXY_FAULT_FAIL_FIRST,
  STAMPEDE_N_PROXY_FAULTS,
} StampedeProxyFaultKind;

/* Which way bytes travel through the proxy. */
typedef enum {
  STAMPEDE_FAULT_DIRECTION_UPSTREAM   = 1 << 0,
  STAMPEDE_FAULT_DIRECTION_DOWNSTREAM = 1 << 1,
  STAMPEDE_FAULT_DIRECTION_BOTH       = (1 << 0) | (1 << 1),
} StampedeFaultDirection;

/*
 * One fault with its magnitude.  Only the fields of its kind are read:
 *   latency      latency_ms (mean), jitter_ms (uniform ±), direction
 *   bandwidth    bytes_per_s (per connection and direction), direction
 *   reset        share (0..1) of requests whose connection is reset
 *   blackhole    nothing
 *   http_status  status (200..599), share (0..1) of requests answered
 *   fail_first   status, count: the first count requests are answered
 * A duration_ms of 0 keeps the fault until it is cleared.
 */
typedef struct {
  StampedeProxyFaultKind kind;
  StampedeFaultDirection direction;
  double                 latency_ms;
  double                 jitter_ms;
  double                 bytes_per_s;
  double                 share;
  guint                  status;
  guint                  count;
  guint                  duration_ms;
} StampedeProxyFault;

const char *
stampede_proxy_fault_kind_to_string (StampedeProxyFaultKind kind);

gboolean
stampede_proxy_fault_kind_from_string (const char             *name,
                                       StampedeProxyFaultKind *kind);

gboolean
stampede_proxy_fault_validate (const StampedeProxyFault  *fault,
                               GError                   **error);

char *
stampede_proxy_fault_describe (const StampedeProxyFault *fault);

G_END_DECLS
