/* stampede-flow-particles.c — the ring of live particles and what changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-flow-particles.h"

void
stampede_flow_ring_init (StampedeFlowRing *ring,
                         guint             capacity)
{
  g_return_if_fail (ring != NULL);
  g_return_if_fail (capacity > 0);

  ring->items = g_new0 (StampedeFlowParticle, capacity);
  ring->capacity = capacity;
  stampede_flow_ring_reset (ring);
}

/* Frees the storage; the ring must be initialised again before use. */
void
stampede_flow_ring_clear (StampedeFlowRing *ring)
{
  g_return_if_fail (ring != NULL);

  g_clear_pointer (&ring->items, g_free);
  ring->capacity = 0;
  ring->head = 0;
  ring->written = 0;
  ring->dirty_start = 0;
  ring->dirty_count = 0;
}

/* Forgets every particle but keeps the storage. */
void
stampede_flow_ring_reset (StampedeFlowRing *ring)
{
  g_return_if_fail (ring != NULL);

  ring->head = 0;
  ring->written = 0;
  ring->dirty_start = 0;
  ring->dirty_count = 0;
}

StampedeFlowParticle *
stampede_flow_ring_push (StampedeFlowRing *ring)
{
  StampedeFlowParticle *slot;

  g_return_val_if_fail (ring != NULL, NULL);
  g_return_val_if_fail (ring->items != NULL, NULL);

  slot = &ring->items[ring->head];

  if (ring->dirty_count == 0)
    ring->dirty_start = ring->head;
  if (ring->dirty_count < ring->capacity)
    ring->dirty_count++;
  else
    ring->dirty_start = (ring->head + 1) % ring->capacity;

  ring->head = (ring->head + 1) % ring->capacity;
  ring->written++;

  return slot;
}

/* How many slots hold a particle (live or finished): the number to draw. */
guint
stampede_flow_ring_get_count (const StampedeFlowRing *ring)
{
  g_return_val_if_fail (ring != NULL, 0);

  return (guint) MIN (ring->written, (guint64) ring->capacity);
}

/* The particle pushed @age pushes ago (0 is the newest), or %NULL. */
const StampedeFlowParticle *
stampede_flow_ring_get_newest (const StampedeFlowRing *ring,
                               guint                   age)
{
  g_return_val_if_fail (ring != NULL, NULL);

  if (age >= stampede_flow_ring_get_count (ring))
    return NULL;

  return &ring->items[(ring->head + ring->capacity - 1 - age)
                      % ring->capacity];
}

/* After the GPU copy is lost (a new GL context) every slot must go up
 * again. */
void
stampede_flow_ring_mark_all_dirty (StampedeFlowRing *ring)
{
  g_return_if_fail (ring != NULL);

  ring->dirty_start = 0;
  ring->dirty_count = stampede_flow_ring_get_count (ring);
}

/* Hands out the slots written since the last call as up to two ranges of
 * slot indices and forgets them; returns how many ranges there are. */
guint
stampede_flow_ring_take_dirty (StampedeFlowRing *ring,
                               guint             start[2],
                               guint             count[2])
{
  guint first;

  g_return_val_if_fail (ring != NULL, 0);
  g_return_val_if_fail (start != NULL && count != NULL, 0);

  if (ring->dirty_count == 0)
    return 0;

  first = MIN (ring->dirty_count, ring->capacity - ring->dirty_start);
  start[0] = ring->dirty_start;
  count[0] = first;
  start[1] = 0;
  count[1] = ring->dirty_count - first;
  ring->dirty_count = 0;

  return count[1] > 0 ? 2 : 1;
}
