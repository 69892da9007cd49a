/* flow-test-util.h — windows, frames and pixels for the flow canvas tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "stampede-flow-canvas.h"
#include "stampede-flow-layout.h"

G_BEGIN_DECLS

/* A read-back frame, 8-bit BGRA as GDK downloads it. */
typedef struct {
  guchar *data;
  int     width;
  int     height;
  gsize   stride;
} FlowImage;

/* A box in logical pixels, by its centre and half extents. */
typedef struct {
  float cx;
  float cy;
  float half_w;
  float half_h;
} FlowBox;

GtkWidget *flow_test_window_new    (int                       width,
                                    int                       height,
                                    StampedeFlowCanvas      **canvas);
void       flow_test_run_frames    (GtkWidget                *widget,
                                    guint                     n_frames);
FlowImage *flow_test_capture       (GtkWidget                *widget,
                                    const char               *png_name);
void       flow_test_image_free    (FlowImage                *image);
FlowImage *flow_test_light         (const FlowImage          *image,
                                    const FlowImage          *backdrop);
int        flow_test_classify      (const guchar             *bgra);
guint      flow_test_count         (const FlowImage          *image,
                                    const FlowBox            *box,
                                    int                       outcome);
guint      flow_test_count_any     (const FlowImage          *image,
                                    const FlowBox            *box);
guint      flow_test_count_bright  (const FlowImage          *image,
                                    const FlowBox            *box,
                                    float                     min_value);
void       flow_test_add_batch     (StampedeFlowCanvas       *canvas,
                                    guint                     outcome,
                                    guint                     agent,
                                    float                     latency_ms,
                                    guint                     n);
FlowBox    flow_test_particle_box  (const StampedeFlowLayout *layout,
                                    guint                     agent,
                                    guint                     outcome,
                                    float                     u);
FlowBox    flow_test_sink_box      (const StampedeFlowLayout *layout,
                                    guint                     outcome);
float      flow_test_leg_middle    (const StampedeFlowLayout *layout,
                                    guint                     agent,
                                    guint                     outcome,
                                    guint                     leg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FlowImage, flow_test_image_free)

G_END_DECLS
