/* stampede-presentation-page.h — the live story of a run, for an audience
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "stampede-flow-canvas.h"
#include "stampede-run-config.h"
#include "stampede-scene-plan.h"
#include "stampede-snapshot.h"

G_BEGIN_DECLS

#define STAMPEDE_TYPE_PRESENTATION_PAGE (stampede_presentation_page_get_type ())

G_DECLARE_FINAL_TYPE (StampedePresentationPage, stampede_presentation_page,
                      STAMPEDE, PRESENTATION_PAGE, AdwBin)

void
stampede_presentation_page_update (StampedePresentationPage *self,
                                   const StampedeSnapshot   *snapshot);

void
stampede_presentation_page_finish (StampedePresentationPage *self,
                                   const StampedeSnapshot   *snapshot);

void
stampede_presentation_page_disconnect (StampedePresentationPage *self);

void
stampede_presentation_page_set_message (StampedePresentationPage *self,
                                        const char               *message);

void
stampede_presentation_page_show_problem (StampedePresentationPage *self,
                                         const char               *message);

void
stampede_presentation_page_set_engine_local (StampedePresentationPage *self,
                                             gboolean                  local);

void
stampede_presentation_page_hide_problem (StampedePresentationPage *self);

gboolean
stampede_presentation_page_set_scenario (StampedePresentationPage  *self,
                                         const char                *scenario,
                                         GError                   **error);

StampedeScene
stampede_presentation_page_get_scene (StampedePresentationPage *self);

void
stampede_presentation_page_set_scene (StampedePresentationPage *self,
                                      StampedeScene             scene);

void
stampede_presentation_page_step_scene (StampedePresentationPage *self,
                                       int                       delta);

gboolean
stampede_presentation_page_get_blank (StampedePresentationPage *self);

void
stampede_presentation_page_set_blank (StampedePresentationPage *self,
                                      gboolean                  blank);

void
stampede_presentation_page_set_paused (StampedePresentationPage *self,
                                       gboolean                  paused);

gboolean
stampede_presentation_page_is_running (StampedePresentationPage *self);

StampedeRunConfig *
stampede_presentation_page_new_run_config (StampedePresentationPage *self,
                                           const char               *target_url,
                                           double                   *start_s);

StampedeScenePlan *
stampede_presentation_page_get_plan (StampedePresentationPage *self);

void
stampede_presentation_page_set_faults_injected (StampedePresentationPage *self,
                                                gboolean                  injected);

StampedeFlowCanvas *
stampede_presentation_page_get_canvas (StampedePresentationPage *self);

gboolean
stampede_presentation_page_is_settled (StampedePresentationPage *self);

G_END_DECLS
