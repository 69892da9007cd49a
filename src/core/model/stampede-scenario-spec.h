/* stampede-scenario-spec.h — scenario files and the built-in scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "stampede-criteria.h"
#include "stampede-load-shape.h"

G_BEGIN_DECLS

#define STAMPEDE_SCENARIO_ERROR (stampede_scenario_error_quark ())

/* Every one of these is a usage or configuration error (exit status 2). */
typedef enum {
  STAMPEDE_SCENARIO_ERROR_IO,
  STAMPEDE_SCENARIO_ERROR_SYNTAX,
  STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY,
  STAMPEDE_SCENARIO_ERROR_DUPLICATE_KEY,
  STAMPEDE_SCENARIO_ERROR_MISSING,
  STAMPEDE_SCENARIO_ERROR_TYPE,
  STAMPEDE_SCENARIO_ERROR_VALUE,
  STAMPEDE_SCENARIO_ERROR_UNKNOWN_METRIC,
  STAMPEDE_SCENARIO_ERROR_UNKNOWN_SCENARIO,
} StampedeScenarioError;

typedef enum {
  STAMPEDE_ARRIVALS_UNIFORM,
  STAMPEDE_ARRIVALS_POISSON,
} StampedeArrivals;

typedef enum {
  STAMPEDE_FAULT_AGENT_CRASH,
  STAMPEDE_FAULT_STORE_THROTTLE,
  STAMPEDE_FAULT_INGESTION_LAG,
  STAMPEDE_FAULT_RATE_LIMIT,
  STAMPEDE_FAULT_LATENCY_SPIKE,
  STAMPEDE_FAULT_PARTITION,
  STAMPEDE_FAULT_PROXY_LATENCY,
  STAMPEDE_FAULT_PROXY_RESET,
  STAMPEDE_FAULT_PROXY_BLACKHOLE,
  STAMPEDE_FAULT_PROXY_BANDWIDTH,
  STAMPEDE_FAULT_PROXY_HTTP_STATUS,
  STAMPEDE_N_FAULT_KINDS,
} StampedeFaultKind;

/**
 * StampedeFaultSpec:
 * @kind: what breaks
 * @at_s: when, in seconds from the start of the run
 * @duration_s: how long; 0 lasts until the run ends
 * @magnitude: how hard; its unit depends on @kind (docs/scenarios.md)
 * @agent: (nullable): agent_crash, latency_spike: the agent hit, one of
 *   transaction_analyzer, pattern_detector, geo_risk, reasoning; %NULL
 *   for a latency spike on all of them
 * @jitter_ms: proxy_latency: the jitter around the added delay
 * @retry_after_s: rate_limit: the Retry-After the target announces
 * @status: proxy_http_status: the status answered
 * @fail_first: proxy_http_status: how many requests fail first
 * @reset: partition: reset connections rather than stop answering
 *
 * One fault injection of a scenario.  This module only reads and checks
 * it; the platform and the fault proxy carry it out.
 */
typedef struct {
  StampedeFaultKind kind;
  double            at_s;
  double            duration_s;
  double            magnitude;
  char             *agent;
  double            jitter_ms;
  double            retry_after_s;
  guint             status;
  guint             fail_first;
  gboolean          reset;
} StampedeFaultSpec;

/**
 * StampedeScenarioSpec:
 * @name: the scenario's name
 * @description: what it is for; may be empty
 * @target: (nullable): the URL transactions are POSTed to, or %NULL for
 *   the one given on the command line or the embedded platform
 * @seed: seed of the transaction stream (and of Poisson arrivals)
 * @arrivals: how arrivals are spaced
 * @workers: worker threads; 0 picks them automatically
 * @max_in_flight: cap on requests awaiting an answer
 * @timeout_ms: an answer later than this is a timeout
 * @stages: (array length=n_stages): the load shape's stages
 * @n_stages: how many there are
 * @has_abort: whether the run aborts when it cannot keep up
 * @abort_below_share: abort when achieved < this share of target …
 * @abort_after_s: … for this many seconds in a row
 * @faults: (array length=n_faults): the fault injections, by time
 * @n_faults: how many there are
 * @criteria: (array length=n_criteria): the success criteria
 * @n_criteria: how many there are
 * @has_cost_model: whether a cost model is given
 * @usd_per_hour: the cost model's price of the target for an hour
 *
 * A scenario as read from a file or built in.
 */
typedef struct {
  char              *name;
  char              *description;
  char              *target;
  guint64            seed;
  StampedeArrivals   arrivals;
  guint              workers;
  guint              max_in_flight;
  guint              timeout_ms;

  StampedeStage     *stages;
  guint              n_stages;

  gboolean           has_abort;
  double             abort_below_share;
  double             abort_after_s;

  StampedeFaultSpec *faults;
  guint              n_faults;

  StampedeCriterion *criteria;
  guint              n_criteria;

  gboolean           has_cost_model;
  double             usd_per_hour;
} StampedeScenarioSpec;

/**
 * StampedeScenarioBuiltin:
 * @name: the scenario's name on the command line
 * @summary: one line that says what it does at scale 1
 */
typedef struct {
  const char *name;
  const char *summary;
} StampedeScenarioBuiltin;

GQuark
stampede_scenario_error_quark (void);

const char *
stampede_fault_kind_to_string (StampedeFaultKind kind);

gboolean
stampede_fault_kind_from_string (const char        *name,
                                 StampedeFaultKind *kind);

StampedeScenarioSpec *
stampede_scenario_spec_new_from_file (const char  *path,
                                      GError     **error);

StampedeScenarioSpec *
stampede_scenario_spec_new_from_data (const char  *data,
                                      gssize       length,
                                      const char  *source_name,
                                      GError     **error);

StampedeScenarioSpec *
stampede_scenario_spec_new_builtin (const char  *name,
                                    double       scale,
                                    GError     **error);

const StampedeScenarioBuiltin *
stampede_scenario_spec_list_builtins (guint *n_builtins);

void
stampede_scenario_spec_free (StampedeScenarioSpec *self);

double
stampede_scenario_spec_duration (const StampedeScenarioSpec *self);

StampedeLoadShape *
stampede_scenario_spec_new_load_shape (const StampedeScenarioSpec  *self,
                                       GError                     **error);

gboolean
stampede_scenario_spec_scale (StampedeScenarioSpec  *self,
                              double                 factor,
                              GError               **error);

void
stampede_scenario_spec_to_json (const StampedeScenarioSpec *self,
                                JsonBuilder                *builder);

char *
stampede_scenario_spec_to_data (const StampedeScenarioSpec *self,
                                gsize                      *length);

StampedeCriteriaResult *
stampede_scenario_spec_evaluate (const StampedeScenarioSpec *self,
                                 JsonNode                   *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeScenarioSpec, stampede_scenario_spec_free)

G_END_DECLS
