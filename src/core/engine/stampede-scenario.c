/* stampede-scenario.c — built-in scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-scenario.h"

/*
 * The investor scenario is sized for a presenter's laptop that runs the
 * engine, the reference platform and the app at once: a visible ramp, then a
 * steady rate that a two-core machine sustains with room to spare.
 */
static const StampedeScenarioInfo scenarios[] = {
  { "investor", "Ramp to 400 TPS over 20 s, hold for two minutes" },
};

typedef struct {
  double rate;
  double ramp_s;
  double duration_s;
} ScenarioShape;

static const ScenarioShape shapes[] = {
  { 400.0, 20.0, 140.0 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (scenarios) == G_N_ELEMENTS (shapes));

/**
 * stampede_scenario_list:
 * @n_scenarios: (out): where to store the number of scenarios
 *
 * Lists the built-in scenarios.
 *
 * Returns: (transfer none) (array length=n_scenarios): the scenarios
 */
const StampedeScenarioInfo *
stampede_scenario_list (guint *n_scenarios)
{
  g_return_val_if_fail (n_scenarios != NULL, NULL);

  *n_scenarios = G_N_ELEMENTS (scenarios);

  return scenarios;
}

/**
 * stampede_scenario_new_config:
 * @name: a built-in scenario's name
 * @target_url: (nullable): the target to aim at, or %NULL for the default
 * @error: return location for a #GError
 *
 * Makes the run configuration of a built-in scenario.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL with
 *   @error set when there is no scenario of that name
 */
StampedeRunConfig *
stampede_scenario_new_config (const char  *name,
                              const char  *target_url,
                              GError     **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++) {
    StampedeRunConfig *config;

    if (g_strcmp0 (scenarios[i].name, name) != 0)
      continue;

    config = stampede_run_config_new ();
    config->rate = shapes[i].rate;
    config->ramp_s = shapes[i].ramp_s;
    config->duration_s = shapes[i].duration_s;
    if (target_url != NULL) {
      g_free (config->target_url);
      config->target_url = g_strdup (target_url);
    }

    return config;
  }

  g_set_error (error, STAMPEDE_RUN_CONFIG_ERROR,
               STAMPEDE_RUN_CONFIG_ERROR_INVALID,
               "No built-in scenario is called “%s”", name);

  return NULL;
}
