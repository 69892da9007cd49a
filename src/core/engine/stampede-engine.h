/* stampede-engine.h — the load engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "stampede-histogram.h"
#include "stampede-run-config.h"
#include "stampede-series.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_ENGINE_ERROR (stampede_engine_error_quark ())

typedef enum {
  STAMPEDE_ENGINE_ERROR_BUSY,
  STAMPEDE_ENGINE_ERROR_FAILED,
} StampedeEngineError;

#define STAMPEDE_TYPE_ENGINE (stampede_engine_get_type ())

G_DECLARE_FINAL_TYPE (StampedeEngine, stampede_engine, STAMPEDE, ENGINE, GObject)

/*
 * Signals, emitted in the GMainContext that was the thread default when
 * stampede_engine_start() was called:
 *   "snapshot" (StampedeSnapshot *snapshot) — ten times a second while a
 *       run is going, and once more with the final figures;
 *   "finished" (StampedeSnapshot *final) — the run ended (its duration
 *       passed or it was stopped) and every arrival is accounted for.
 * Property "state" (StampedeRunState as guint) notifies on change.
 */

GQuark             stampede_engine_error_quark       (void);
StampedeEngine    *stampede_engine_new               (void);
gboolean           stampede_engine_start             (StampedeEngine          *self,
                                                      const StampedeRunConfig *config,
                                                      GError                 **error);
void               stampede_engine_stop              (StampedeEngine          *self);
void               stampede_engine_set_rate          (StampedeEngine          *self,
                                                      double                   rate);
StampedeRunState   stampede_engine_get_state         (StampedeEngine          *self);
StampedeSnapshot  *stampede_engine_dup_snapshot      (StampedeEngine          *self);
StampedeRunConfig *stampede_engine_dup_config        (StampedeEngine          *self);
GArray            *stampede_engine_dup_series        (StampedeEngine          *self);
StampedeHistogram *stampede_engine_dup_run_histogram (StampedeEngine          *self,
                                                      gboolean                 service);
char              *stampede_engine_dup_abort_reason  (StampedeEngine          *self);

G_END_DECLS
