/* stampede-flow-renderer.h — the GL side of the flow canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-flow-layout.h"
#include "stampede-flow-particles.h"

G_BEGIN_DECLS

#define STAMPEDE_FLOW_RENDERER_ERROR (stampede_flow_renderer_error_quark ())

/* What a frame needs besides the particles; lengths in device pixels. */
typedef struct {
  float time_s;
  float viewport[2];
  float nodes[STAMPEDE_FLOW_N_NODES][2];
  float radius;
  float spread;
  float trail_s;
  float hold_s;
} StampedeFlowUniforms;

typedef struct _StampedeFlowRenderer StampedeFlowRenderer;

GQuark stampede_flow_renderer_error_quark (void);

StampedeFlowRenderer *stampede_flow_renderer_new    (gboolean                    use_es,
                                                     guint                       capacity,
                                                     GError                    **error);
void                  stampede_flow_renderer_free   (StampedeFlowRenderer       *self);
void                  stampede_flow_renderer_upload (StampedeFlowRenderer       *self,
                                                     StampedeFlowRing           *ring);
void                  stampede_flow_renderer_draw   (StampedeFlowRenderer       *self,
                                                     const StampedeFlowUniforms *uniforms,
                                                     guint                       n_instances);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeFlowRenderer, stampede_flow_renderer_free)

G_END_DECLS
