/* stampede-fault-session.h — a scenario's faults for one run, and their
 * report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "stampede-fault-proxy.h"
#include "stampede-fault-runner.h"
#include "stampede-recovery.h"
#include "stampede-scenario-spec.h"

G_BEGIN_DECLS

/*
 * StampedeFaultSession applies the faults of one scenario to one run and
 * reports what they did.  A run uses it in this order, all in the thread
 * whose thread-default main context runs while the run goes on:
 *
 *   session = stampede_fault_session_new (spec, target_url, &error);
 *       Starts a fault proxy in front of the target when the scenario
 *       has proxy_* faults.
 *   stampede_fault_session_set_platform_admin (session, url, token);
 *       Only when platform-side faults can be sent somewhere: the
 *       platform's base URL and admin token.  Without it those faults
 *       are reported as not injected, with the reason.
 *   config->target = stampede_fault_session_get_target_url (session);
 *       The engine sends to this URL: through the proxy, or the target
 *       itself when there is no proxy.
 *   t0 = g_get_monotonic_time ();
 *   stampede_engine_start (engine, config, &error);
 *   stampede_fault_session_start (session, t0);
 *       The schedule counts from t0, which must be the run's start as
 *       the engine counts it, so that fault windows and the engine's
 *       per-second series share one time axis.
 *   … the run …
 *   stampede_fault_session_stop_async (session, …) or _stop (session);
 *       When the run has finished: ends the faults still on and clears
 *       them in the proxy and the platform.
 *   series = stampede_engine_dup_series (engine);
 *   faults = stampede_fault_session_build_report (session, series,
 *                                                 &accounted);
 *       The summary's `faults` array, and whether every transaction of
 *       the series reached an outcome.
 *   text = stampede_fault_session_format_text (session, series);
 *       The same for a terminal, a line per fault.
 *   g_object_unref (session);
 *       Stops the proxy, once the engine is done with it.
 *
 * A scenario with no faults gets a session that changes nothing: the
 * target URL is returned unchanged and the report is an empty array.
 */

#define STAMPEDE_TYPE_FAULT_SESSION (stampede_fault_session_get_type ())

G_DECLARE_FINAL_TYPE (StampedeFaultSession, stampede_fault_session,
                      STAMPEDE, FAULT_SESSION, GObject)

StampedeFaultSession *
stampede_fault_session_new (const StampedeScenarioSpec  *spec,
                            const char                  *target_url,
                            GError                     **error);

const char *
stampede_fault_session_get_target_url (StampedeFaultSession *self);

StampedeFaultProxy *
stampede_fault_session_get_proxy (StampedeFaultSession *self);

StampedeFaultRunner *
stampede_fault_session_get_runner (StampedeFaultSession *self);

void
stampede_fault_session_set_platform_admin (StampedeFaultSession *self,
                                           const char           *url,
                                           const char           *token);

void
stampede_fault_session_start (StampedeFaultSession *self,
                              gint64                start_us);

void
stampede_fault_session_stop_async (StampedeFaultSession *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);

gboolean
stampede_fault_session_stop_finish (StampedeFaultSession  *self,
                                    GAsyncResult          *result,
                                    GError               **error);

void
stampede_fault_session_stop (StampedeFaultSession *self);

GArray *
stampede_fault_session_dup_windows (StampedeFaultSession *self);

StampedeRecovery *
stampede_fault_session_analyse (StampedeFaultSession *self,
                                const GArray         *series);

JsonNode *
stampede_fault_session_build_report (StampedeFaultSession *self,
                                     const GArray         *series,
                                     gboolean             *accounted);

char *
stampede_fault_session_format_text (StampedeFaultSession *self,
                                    const GArray         *series);

G_END_DECLS
