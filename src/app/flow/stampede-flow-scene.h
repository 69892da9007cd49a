/* stampede-flow-scene.h — what GTK draws of the flow canvas: the backdrop
 * and edges, the nodes, and the software view of the particles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "stampede-flow-layout.h"
#include "stampede-flow-particles.h"

G_BEGIN_DECLS

/* Timing of a frame, shared by the GL and the software view. */
typedef struct {
  float time_s;
  float trail_s;
  float hold_s;
} StampedeFlowClock;

GskRenderNode *stampede_flow_scene_backdrop  (const StampedeFlowLayout *layout);
GskRenderNode *stampede_flow_scene_nodes     (const StampedeFlowLayout *layout);
guint          stampede_flow_scene_particles (GtkSnapshot              *snapshot,
                                              const StampedeFlowLayout *layout,
                                              const StampedeFlowRing   *ring,
                                              const StampedeFlowClock  *clock,
                                              guint                     max_drawn);

G_END_DECLS
