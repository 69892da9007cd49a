/* stampede-run-config.h — what a run is asked to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define STAMPEDE_RUN_CONFIG_ERROR (stampede_run_config_error_quark ())

typedef enum {
  STAMPEDE_RUN_CONFIG_ERROR_INVALID,
} StampedeRunConfigError;

/**
 * StampedeRunConfig:
 * @target_url: the URL each transaction is POSTed to
 * @rate: arrivals per second once the ramp is over
 * @ramp_s: seconds of linear ramp from 0 to @rate at the start; 0 for none
 * @duration_s: length of the run in seconds, ramp included
 * @seed: seed of the transaction factory
 * @n_workers: worker threads; 0 picks one per CPU, at most 2
 * @max_in_flight: cap on requests awaiting an answer, all workers together
 * @timeout_ms: an answer later than this is a timeout
 */
typedef struct {
  char    *target_url;
  double   rate;
  double   ramp_s;
  double   duration_s;
  guint64  seed;
  guint    n_workers;
  guint    max_in_flight;
  guint    timeout_ms;
} StampedeRunConfig;

#define STAMPEDE_TYPE_RUN_CONFIG (stampede_run_config_get_type ())

GQuark             stampede_run_config_error_quark   (void);
GType              stampede_run_config_get_type      (void) G_GNUC_CONST;
StampedeRunConfig *stampede_run_config_new           (void);
StampedeRunConfig *stampede_run_config_copy          (const StampedeRunConfig *self);
void               stampede_run_config_free          (StampedeRunConfig       *self);
gboolean           stampede_run_config_validate      (const StampedeRunConfig *self,
                                                      GError                 **error);
void               stampede_run_config_to_json       (const StampedeRunConfig *self,
                                                      JsonBuilder             *builder);
gboolean           stampede_run_config_update_from_json (StampedeRunConfig    *self,
                                                      JsonNode                *node,
                                                      GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeRunConfig, stampede_run_config_free)

G_END_DECLS
