/* stampede-scenario.h — built-in scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-run-config.h"

G_BEGIN_DECLS

/**
 * StampedeScenarioInfo:
 * @name: the scenario's name on the command line
 * @summary: one line that says what it does
 *
 * Describes one built-in scenario.
 */
typedef struct {
  const char *name;
  const char *summary;
} StampedeScenarioInfo;

const StampedeScenarioInfo *stampede_scenario_list       (guint      *n_scenarios);
StampedeRunConfig          *stampede_scenario_new_config (const char *name,
                                                          const char *target_url,
                                                          GError    **error);

G_END_DECLS
