/* stampede-fault-runner.h — carries out a scenario's fault schedule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "stampede-fault-proxy.h"
#include "stampede-recovery.h"
#include "stampede-scenario-spec.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_FAULT_RUNNER (stampede_fault_runner_get_type ())

G_DECLARE_FINAL_TYPE (StampedeFaultRunner, stampede_fault_runner,
                      STAMPEDE, FAULT_RUNNER, GObject)

StampedeFaultRunner *
stampede_fault_runner_new (const StampedeFaultSpec *faults,
                           guint                    n_faults);

void
stampede_fault_runner_set_platform (StampedeFaultRunner *self,
                                    const char          *admin_url,
                                    const char          *token);

void
stampede_fault_runner_set_proxy (StampedeFaultRunner *self,
                                 StampedeFaultProxy  *proxy);

void
stampede_fault_runner_start (StampedeFaultRunner *self,
                             gint64               start_us);

void
stampede_fault_runner_stop_async (StampedeFaultRunner *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);

gboolean
stampede_fault_runner_stop_finish (StampedeFaultRunner  *self,
                                   GAsyncResult         *result,
                                   GError              **error);

void
stampede_fault_runner_stop (StampedeFaultRunner *self);

GArray *
stampede_fault_runner_dup_windows (StampedeFaultRunner *self);

guint
stampede_fault_runner_get_n_active (StampedeFaultRunner *self);

G_END_DECLS
