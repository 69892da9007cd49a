/* stampede-scenario.c — built-in scenarios as run configurations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-scenario.h"
#include "stampede-scenario-spec.h"

/* The spec module owns the built-ins; this list only mirrors its names
 * and summaries in the older shape that the app and the CLI read. */
#define MAX_BUILTINS 16

static StampedeScenarioInfo infos[MAX_BUILTINS];

/**
 * stampede_scenario_list:
 * @n_scenarios: (out): where to store the number of scenarios
 *
 * Lists the built-in scenarios, in the order of
 * stampede_scenario_spec_list_builtins(), with their summaries at scale 1.
 *
 * Returns: (transfer none) (array length=n_scenarios): the scenarios
 */
const StampedeScenarioInfo *
stampede_scenario_list (guint *n_scenarios)
{
  static gsize n_infos = 0;

  g_return_val_if_fail (n_scenarios != NULL, NULL);

  if (g_once_init_enter (&n_infos)) {
    const StampedeScenarioBuiltin *builtins;
    guint n = 0;

    builtins = stampede_scenario_spec_list_builtins (&n);
    g_assert (n > 0 && n <= MAX_BUILTINS);
    for (guint i = 0; i < n; i++) {
      infos[i].name = builtins[i].name;
      infos[i].summary = builtins[i].summary;
    }
    g_once_init_leave (&n_infos, n);
  }

  *n_scenarios = (guint) n_infos;

  return infos;
}

/**
 * stampede_scenario_new_config:
 * @name: a built-in scenario's name
 * @target_url: (nullable): the target to aim at, or %NULL for the default
 * @error: return location for a #GError
 *
 * Makes the run configuration of a built-in scenario at scale 1: its
 * stages, seed, limits and abort rule (see
 * stampede_run_config_new_from_spec()).  Its faults and criteria are not
 * part of a run configuration; read them from
 * stampede_scenario_spec_new_builtin().
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL with
 *   @error set (%STAMPEDE_SCENARIO_ERROR) when there is no scenario of
 *   that name
 */
StampedeRunConfig *
stampede_scenario_new_config (const char  *name,
                              const char  *target_url,
                              GError     **error)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  StampedeRunConfig *config;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  spec = stampede_scenario_spec_new_builtin (name, 1.0, error);
  if (spec == NULL)
    return NULL;

  config = stampede_run_config_new_from_spec (spec);
  if (target_url != NULL) {
    g_free (config->target_url);
    config->target_url = g_strdup (target_url);
  }

  return config;
}
