/* stampede-run-config.h — what a run is asked to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "stampede-load-shape.h"
#include "stampede-scenario-spec.h"

G_BEGIN_DECLS

/**
 * StampedeTransport:
 * @STAMPEDE_TRANSPORT_CURL: libcurl, for any http:// or https:// target
 * @STAMPEDE_TRANSPORT_RAW: the engine's own HTTP/1.1 client, for plain
 *   http:// targets only; costs less CPU per request
 */
typedef enum {
  STAMPEDE_TRANSPORT_CURL,
  STAMPEDE_TRANSPORT_RAW,
} StampedeTransport;

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
 * @stages: (array length=n_stages): the load profile as stages; when
 *   @n_stages is not 0 it replaces @rate and @ramp_s, and @duration_s is
 *   the stages' total (JSON key "stages", an array as in docs/scenarios.md)
 * @arrivals: uniform or Poisson arrivals (JSON "arrivals": "uniform" or
 *   "poisson")
 * @connections: when not 0, a closed model instead of the schedule: this
 *   many connections each send the next transaction as soon as the
 *   previous one is answered, for @duration_s; measures the most a target
 *   (and the engine) can do (JSON "connections")
 * @abort_below_share: when not 0, the run aborts once the achieved rate
 *   has stayed below this share of the target rate for @abort_after_s
 *   seconds (JSON "abort": {"below_share", "after_s"})
 * @abort_after_s: see @abort_below_share
 * @request_template: (nullable): the body sent for each transaction, with
 *   `{{field}}` placeholders replaced by the transaction's wire fields
 *   (JSON-escaped); %NULL sends the wire format itself
 * @decision_pointer: JSON pointer to the decision in the answer
 *   (default "/decision")
 * @decline_values: (array zero-terminated=1): decision values that mean
 *   declined (default "decline"); every other value is ok
 * @score_pointer: (nullable): JSON pointer to a risk score, or %NULL
 * @agent_ms_pointers: (nullable): JSON pointers to each agent's
 *   milliseconds, in StampedeAgent order; %NULL entries are not reported
 *   (JSON "response": {"decision", "decline_values", "score",
 *   "agent_ms": [4 pointers or null]})
 * @retry_max: how many times a transaction is tried again after a 429 or
 *   503 answer, a transport error or a timeout; 0 (the default) never
 *   (JSON "retry": {"max", "base_ms", "cap_ms"})
 * @retry_base_ms: the first back-off, doubled on each further retry, when
 *   the answer names no Retry-After (default 50)
 * @retry_cap_ms: the longest wait before a retry, Retry-After included
 *   (default 2000)
 * @transport: how requests are sent: libcurl (the default) or the raw
 *   HTTP/1.1 client, which needs an http:// target (JSON "transport":
 *   "curl" or "raw")
 */
typedef struct {
  char              *target_url;
  double             rate;
  double             ramp_s;
  double             duration_s;
  guint64            seed;
  guint              n_workers;
  guint              max_in_flight;
  guint              timeout_ms;

  StampedeStage     *stages;
  guint              n_stages;
  StampedeArrivals   arrivals;
  guint              connections;
  double             abort_below_share;
  double             abort_after_s;

  char              *request_template;
  char              *decision_pointer;
  char             **decline_values;
  char              *score_pointer;
  char              *agent_ms_pointers[4];

  guint              retry_max;
  guint              retry_base_ms;
  guint              retry_cap_ms;

  StampedeTransport  transport;
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
StampedeRunConfig *stampede_run_config_new_from_spec (const StampedeScenarioSpec *spec);
gboolean           stampede_run_config_uses_default_mapping (const StampedeRunConfig *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeRunConfig, stampede_run_config_free)

G_END_DECLS
