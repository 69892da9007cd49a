/* stampede-fault-proxy.h — a TCP proxy that injects network and HTTP faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "stampede-fault-plan.h"

G_BEGIN_DECLS

/*
 * Counters since the proxy was created.  Bytes are counted when the proxy
 * writes them: "up" towards the upstream, "down" towards the client, the
 * answers the proxy makes up itself included.  A request is counted when
 * its head has been read; requests_failed are those the proxy answered
 * itself, resets the connections it reset.  delayed_chunks counts the
 * reads that the latency fault held back.
 */
typedef struct {
  guint64 connections;
  guint64 active_connections;
  guint64 requests;
  guint64 requests_failed;
  guint64 resets;
  guint64 upstream_errors;
  guint64 bytes_up;
  guint64 bytes_down;
  guint64 delayed_chunks;
} StampedeFaultProxyStats;

#define STAMPEDE_TYPE_FAULT_PROXY (stampede_fault_proxy_get_type ())

G_DECLARE_FINAL_TYPE (StampedeFaultProxy, stampede_fault_proxy,
                      STAMPEDE, FAULT_PROXY, GObject)

StampedeFaultProxy *
stampede_fault_proxy_new (const char *upstream_host,
                          guint16     upstream_port);

gboolean
stampede_fault_proxy_start (StampedeFaultProxy  *self,
                            const char          *listen_address,
                            guint16              port,
                            GError             **error);

void
stampede_fault_proxy_stop (StampedeFaultProxy *self);

guint16
stampede_fault_proxy_get_port (StampedeFaultProxy *self);

void
stampede_fault_proxy_set_seed (StampedeFaultProxy *self,
                               guint32             seed);

gboolean
stampede_fault_proxy_inject (StampedeFaultProxy        *self,
                             const StampedeProxyFault  *fault,
                             GError                   **error);

void
stampede_fault_proxy_set_latency (StampedeFaultProxy     *self,
                                  double                  mean_ms,
                                  double                  jitter_ms,
                                  StampedeFaultDirection  direction,
                                  guint                   duration_ms);

void
stampede_fault_proxy_set_bandwidth (StampedeFaultProxy     *self,
                                    double                  bytes_per_s,
                                    StampedeFaultDirection  direction,
                                    guint                   duration_ms);

void
stampede_fault_proxy_set_reset (StampedeFaultProxy *self,
                                double              share,
                                guint               duration_ms);

void
stampede_fault_proxy_set_blackhole (StampedeFaultProxy *self,
                                    guint               duration_ms);

void
stampede_fault_proxy_set_http_status (StampedeFaultProxy *self,
                                      guint               status,
                                      double              share,
                                      guint               duration_ms);

void
stampede_fault_proxy_set_fail_first (StampedeFaultProxy *self,
                                     guint               status,
                                     guint               count,
                                     guint               duration_ms);

void
stampede_fault_proxy_clear (StampedeFaultProxy     *self,
                            StampedeProxyFaultKind  kind);

void
stampede_fault_proxy_clear_all (StampedeFaultProxy *self);

gboolean
stampede_fault_proxy_get_fault (StampedeFaultProxy     *self,
                                StampedeProxyFaultKind  kind,
                                StampedeProxyFault     *fault,
                                gint64                 *since_us);

void
stampede_fault_proxy_get_stats (StampedeFaultProxy      *self,
                                StampedeFaultProxyStats *stats);

G_END_DECLS
