/* fuzz-scenario.c — libFuzzer target: scenario files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds arbitrary bytes to the scenario file reader, which must answer
 * every input with a spec or an error and never crash, leak or read out
 * of bounds.  Built and run by tests/fuzz/run.
 */

#include <stdint.h>

#include "stampede-scenario-spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = stampede_scenario_spec_new_from_data ((const char *) data,
                                               (gssize) size, "fuzz.json",
                                               &error);
  g_assert ((spec == NULL) != (error == NULL));

  if (spec != NULL) {
    g_autofree char *text = NULL;
    g_autoptr(StampedeScenarioSpec) again = NULL;
    gsize length = 0;

    /* What was read writes back to text that reads again. */
    text = stampede_scenario_spec_to_data (spec, &length);
    again = stampede_scenario_spec_new_from_data (text, (gssize) length,
                                                  "again.json", NULL);
    g_assert_nonnull (again);
  }

  return 0;
}
