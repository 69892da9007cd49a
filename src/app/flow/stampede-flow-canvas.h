/* stampede-flow-canvas.h — the live transaction-flow view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How a sampled transaction ended, as the flow view colours it.
 * %STAMPEDE_FLOW_FRAUD_MISSED is a fraudulent transaction the target
 * approved: it takes the approved path in its own colour. */
typedef enum {
  STAMPEDE_FLOW_APPROVED,
  STAMPEDE_FLOW_FRAUD_STOPPED,
  STAMPEDE_FLOW_LEGIT_DECLINED,
  STAMPEDE_FLOW_ERROR,
  STAMPEDE_FLOW_FRAUD_MISSED,
  STAMPEDE_FLOW_N_OUTCOMES,
} StampedeFlowOutcome;

/**
 * StampedeFlowSample:
 * @outcome: a #StampedeFlowOutcome
 * @latency_ms: the transaction's measured latency
 * @agent_ms: the time each agent reported (analyzer, pattern, geo,
 *   reasoning), 0 when the target reports none
 *
 * One finished transaction, as the flow view needs it.
 */
typedef struct {
  guint8 outcome;
  float  latency_ms;
  float  agent_ms[4];
} StampedeFlowSample;

/* At most this many particles live at once; a newer one takes the slot of
 * the oldest. */
#define STAMPEDE_FLOW_MAX_PARTICLES 20000

/* An agent mean below zero: the agent stopped reporting times. */
#define STAMPEDE_FLOW_AGENT_SILENT (-1.0f)

/* The frame budget of the canvas, and of whatever draws with it, when
 * every frame is drawn by the CPU (see stampede-flow-canvas.c): at most
 * one frame in each slot of this many microseconds, 20 frames a second,
 * until the frames' measured cost asks for a longer one, at most
 * STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US (5 frames a second). */
#define STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US \
  (50 * G_TIME_SPAN_MILLISECOND)
#define STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US \
  (200 * G_TIME_SPAN_MILLISECOND)

/* The budget is worked out from the cost of this many recent frames. */
#define STAMPEDE_FLOW_FRAME_COST_WINDOW 15

#define STAMPEDE_TYPE_FLOW_CANVAS (stampede_flow_canvas_get_type ())

G_DECLARE_FINAL_TYPE (StampedeFlowCanvas, stampede_flow_canvas,
                      STAMPEDE, FLOW_CANVAS, GtkWidget)

GtkWidget *stampede_flow_canvas_new         (void);

void       stampede_flow_canvas_add_samples (StampedeFlowCanvas       *self,
                                             const StampedeFlowSample *samples,
                                             guint                     n_samples,
                                             double                    represented);
void       stampede_flow_canvas_clear       (StampedeFlowCanvas       *self);
void       stampede_flow_canvas_advance     (StampedeFlowCanvas       *self,
                                             double                    seconds);
guint      stampede_flow_canvas_get_n_live  (StampedeFlowCanvas       *self);
float      stampede_flow_canvas_get_agent_ms (StampedeFlowCanvas      *self,
                                             guint                    agent);
double     stampede_flow_canvas_get_represented
                                            (StampedeFlowCanvas       *self);

gboolean   stampede_flow_canvas_get_paused  (StampedeFlowCanvas       *self);
void       stampede_flow_canvas_set_paused  (StampedeFlowCanvas       *self,
                                             gboolean                  paused);
gboolean   stampede_flow_canvas_get_reduced_motion
                                            (StampedeFlowCanvas       *self);
void       stampede_flow_canvas_set_reduced_motion
                                            (StampedeFlowCanvas       *self,
                                             gboolean                  reduced);
gboolean   stampede_flow_canvas_get_force_software
                                            (StampedeFlowCanvas       *self);
void       stampede_flow_canvas_set_force_software
                                            (StampedeFlowCanvas       *self,
                                             gboolean                  force);
gboolean   stampede_flow_canvas_get_software
                                            (StampedeFlowCanvas       *self);
const char *stampede_flow_canvas_get_gl_renderer
                                            (StampedeFlowCanvas       *self);
gint64     stampede_flow_canvas_get_frame_interval
                                            (StampedeFlowCanvas       *self);

gboolean   stampede_flow_renderer_name_is_software
                                            (const char               *name);
gint64     stampede_flow_frame_interval_for_costs
                                            (gboolean                  cpu,
                                             const gint64             *costs_us,
                                             guint                     n_costs);
gboolean   stampede_flow_frame_is_due       (gint64 last_us,
                                             gint64 now_us,
                                             gint64 interval_us);

G_END_DECLS
