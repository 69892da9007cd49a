/* stampede-scene-plan.h — the scenes of a presented scenario
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "stampede-run-config.h"
#include "stampede-scenario-spec.h"

G_BEGIN_DECLS

/* The scenes of a presentation, in order. */
typedef enum {
  STAMPEDE_SCENE_INTRO,
  STAMPEDE_SCENE_RAMP,
  STAMPEDE_SCENE_FAILURE,
  STAMPEDE_SCENE_RECOVERY,
  STAMPEDE_SCENE_SUMMARY,
  STAMPEDE_N_SCENES,
} StampedeScene;

/*
 * A scene plan cuts a scenario into the scenes of a presentation: the
 * intro before the run, the ramp from the start, the injected failure and
 * the recovery from the times of the scenario's first fault, and the
 * summary once the run is over.  It also makes the run that starts the
 * scenario at a given scene.
 */
typedef struct _StampedeScenePlan StampedeScenePlan;

StampedeScenePlan          *stampede_scene_plan_new         (const char        *scenario,
                                                             GError           **error);
void                        stampede_scene_plan_free        (StampedeScenePlan *self);
const StampedeScenarioSpec *stampede_scene_plan_get_spec    (StampedeScenePlan *self);
double                      stampede_scene_plan_get_start   (StampedeScenePlan *self,
                                                             StampedeScene      scene);
StampedeScene               stampede_scene_plan_scene_at    (StampedeScenePlan *self,
                                                             double             time_s);
const char                 *stampede_scene_get_title        (StampedeScene      scene);
char                       *stampede_scene_plan_describe    (StampedeScenePlan *self,
                                                             StampedeScene      scene);
StampedeRunConfig          *stampede_scene_plan_new_config  (StampedeScenePlan *self,
                                                             StampedeScene      scene,
                                                             const char        *target_url,
                                                             double            *start_s);

StampedeScenarioSpec       *stampede_scene_plan_dup_spec_from (StampedeScenePlan *self,
                                                               double             start_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeScenePlan, stampede_scene_plan_free)

G_END_DECLS
