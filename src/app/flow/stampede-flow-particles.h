/* stampede-flow-particles.h — the ring of live particles and what changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One particle exactly as the vertex shader reads it (20 bytes): where it
 * goes and when are fixed at arrival, so the CPU never touches it again.
 * @route is agent + 4 * sink, as a float because attributes are. */
typedef struct {
  float  spawn_s;
  float  duration_s;
  float  seed;
  float  route;
  guint8 rgba[4];
} StampedeFlowParticle;

/* A fixed-size ring: the newest particle overwrites the oldest.  Slots
 * written since the last upload form one contiguous run in ring order,
 * which take_dirty() hands out as at most two ranges. */
typedef struct {
  StampedeFlowParticle *items;
  guint                 capacity;
  guint                 head;
  guint64               written;
  guint                 dirty_start;
  guint                 dirty_count;
} StampedeFlowRing;

void  stampede_flow_ring_init           (StampedeFlowRing       *ring,
                                        guint                   capacity);
void  stampede_flow_ring_clear          (StampedeFlowRing       *ring);
void  stampede_flow_ring_reset          (StampedeFlowRing       *ring);
guint stampede_flow_ring_get_count      (const StampedeFlowRing *ring);
void  stampede_flow_ring_mark_all_dirty (StampedeFlowRing       *ring);
guint stampede_flow_ring_take_dirty     (StampedeFlowRing       *ring,
                                        guint                   start[2],
                                        guint                   count[2]);

StampedeFlowParticle       *stampede_flow_ring_push       (StampedeFlowRing       *ring);
const StampedeFlowParticle *stampede_flow_ring_get_newest (const StampedeFlowRing *ring,
                                                           guint                   age);

G_END_DECLS
