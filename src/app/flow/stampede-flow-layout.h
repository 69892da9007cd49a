/* stampede-flow-layout.h — where the flow canvas puts its nodes and paths
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The nodes of the flow, in the order the vertex shader's u_nodes array
 * holds them.  The first three agents work side by side in the reference
 * platform; the reasoning agent runs after them. */
typedef enum {
  STAMPEDE_FLOW_NODE_INGESTION,
  STAMPEDE_FLOW_NODE_ANALYZER,
  STAMPEDE_FLOW_NODE_PATTERN,
  STAMPEDE_FLOW_NODE_GEO,
  STAMPEDE_FLOW_NODE_REASONING,
  STAMPEDE_FLOW_NODE_DECISION,
  STAMPEDE_FLOW_NODE_SINK_APPROVED,
  STAMPEDE_FLOW_NODE_SINK_FRAUD_STOPPED,
  STAMPEDE_FLOW_NODE_SINK_LEGIT_DECLINED,
  STAMPEDE_FLOW_NODE_SINK_ERROR,
  STAMPEDE_FLOW_N_NODES,
} StampedeFlowNode;

#define STAMPEDE_FLOW_N_ROUTE_AGENTS 3
#define STAMPEDE_FLOW_N_SINKS        4

typedef struct {
  float x;
  float y;
} StampedeFlowPoint;

/* Everything in logical pixels, origin top left. */
typedef struct {
  float             width;
  float             height;
  float             unit;                /* 1.0 at 1280x720 */
  StampedeFlowPoint node[STAMPEDE_FLOW_N_NODES];
  float             radius[STAMPEDE_FLOW_N_NODES];
  float             particle_radius;     /* glow radius of one particle */
  float             spread;              /* half height of the stream band */
  float             font_px;             /* node names and the legend */
  float             small_px;            /* figures under the names */
  float             legend_y;            /* baseline row of the legend */
} StampedeFlowLayout;

void              stampede_flow_layout_compute (StampedeFlowLayout       *layout,
                                                float                     width,
                                                float                     height);
StampedeFlowPoint stampede_flow_layout_point   (const StampedeFlowLayout *layout,
                                                guint                     agent,
                                                guint                     sink,
                                                float                     u);
void              stampede_flow_layout_edge    (const StampedeFlowLayout *layout,
                                                StampedeFlowNode          from,
                                                StampedeFlowNode          to,
                                                StampedeFlowPoint         control[4]);

float stampede_flow_duration_s       (float       latency_ms);
guint stampede_flow_route_agent      (const float agent_ms[4],
                                      guint64     serial);
guint stampede_flow_sink_for_outcome (guint       outcome);
float stampede_flow_seed             (guint64     serial);
void  stampede_flow_outcome_rgb      (guint       outcome,
                                      float       rgb[3]);

G_END_DECLS
