/* stampede-profile.c — the arrival schedule of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-profile.h"

/* The queue of Poisson arrivals drops the ones every worker has passed
 * once this many have piled up, so a long run keeps a short queue. */
#define TRIM_AFTER 4096

/* How close the bisection that moves a drawn Poisson arrival after a
 * change of rate gets to its time, in seconds. */
#define TIME_TOLERANCE 1e-9

/* One drawn Poisson arrival: its time, and its place in the count, which
 * a change of rate keeps. */
typedef struct {
  double t;
  double count;
} Point;

struct _StampedeProfile {
  GMutex             lock;
  StampedeLoadShape *shape;
  guint64            total;

  gboolean                 poisson;
  StampedePoissonArrivals  stream;
  GArray                  *points;
  guint64                  base;
  guint64                 *wanted;
  guint                    n_consumers;
};

static StampedeProfile *
profile_new (StampedeLoadShape *shape)
{
  StampedeProfile *self = g_new0 (StampedeProfile, 1);

  g_mutex_init (&self->lock);
  self->shape = shape;
  self->total = stampede_load_shape_total (shape);

  return self;
}

/**
 * stampede_profile_new_ramp:
 * @rate: arrivals per second once the ramp is over; positive
 * @ramp_s: seconds of linear ramp from 0 to @rate; 0 for none
 * @duration_s: length of the profile in seconds, ramp included; positive
 *
 * Makes a profile that rises linearly from 0 to @rate over @ramp_s
 * seconds and then stays at @rate until @duration_s: a ramp stage and a
 * sustained one.  A ramp longer than the duration is cut at the duration.
 *
 * Returns: (transfer full): the profile
 */
StampedeProfile *
stampede_profile_new_ramp (double rate,
                           double ramp_s,
                           double duration_s)
{
  StampedeStage stages[2];
  guint n_stages = 0;
  StampedeLoadShape *shape;

  g_return_val_if_fail (rate >= 0, NULL);
  g_return_val_if_fail (ramp_s >= 0, NULL);
  g_return_val_if_fail (duration_s > 0, NULL);

  /* A ramp cut at the duration ends at the rate it had reached. */
  if (ramp_s > duration_s) {
    rate *= duration_s / ramp_s;
    ramp_s = duration_s;
  }

  if (ramp_s > 0)
    stages[n_stages++] = stampede_stage_ramp (0, rate, ramp_s);
  if (ramp_s < duration_s)
    stages[n_stages++] = stampede_stage_sustained (rate,
                                                   duration_s - ramp_s);

  shape = stampede_load_shape_new (stages, n_stages, NULL);
  g_return_val_if_fail (shape != NULL, NULL);

  return profile_new (shape);
}

/**
 * stampede_profile_new_stages:
 * @stages: (array length=n_stages): the stages, one after another
 * @n_stages: how many; at least one
 * @error: return location for a #GError
 *
 * Makes a profile of @stages.
 *
 * Returns: (transfer full) (nullable): the profile, or %NULL with @error
 *   set when a stage is invalid
 */
StampedeProfile *
stampede_profile_new_stages (const StampedeStage  *stages,
                             guint                 n_stages,
                             GError              **error)
{
  StampedeLoadShape *shape;

  g_return_val_if_fail (stages != NULL || n_stages == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  shape = stampede_load_shape_new (stages, n_stages, error);
  if (shape == NULL)
    return NULL;

  return profile_new (shape);
}

/**
 * stampede_profile_set_poisson:
 * @self: a profile no arrival time has been asked of yet
 * @seed: the seed of the arrival stream
 * @n_consumers: how many workers share the arrivals, arrival k going to
 *   worker k % @n_consumers
 *
 * Makes the arrivals of @self a Poisson process instead of evenly spaced.
 */
void
stampede_profile_set_poisson (StampedeProfile *self,
                              guint64          seed,
                              guint            n_consumers)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (n_consumers > 0);
  g_return_if_fail (!self->poisson);

  g_mutex_lock (&self->lock);
  self->poisson = TRUE;
  stampede_poisson_arrivals_init (&self->stream, seed);
  self->points = g_array_new (FALSE, FALSE, sizeof (Point));
  self->base = 0;
  self->n_consumers = n_consumers;
  self->wanted = g_new0 (guint64, n_consumers);
  for (guint i = 0; i < n_consumers; i++)
    self->wanted[i] = i;
  g_mutex_unlock (&self->lock);
}

gboolean
stampede_profile_is_poisson (StampedeProfile *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->poisson;
}

void
stampede_profile_free (StampedeProfile *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->shape, stampede_load_shape_free);
  g_clear_pointer (&self->points, g_array_unref);
  g_free (self->wanted);
  g_mutex_clear (&self->lock);
  g_free (self);
}

double
stampede_profile_duration (StampedeProfile *self)
{
  g_return_val_if_fail (self != NULL, 0);

  /* A change of rate keeps the duration, so no lock is needed. */
  return stampede_load_shape_duration (self->shape);
}

/**
 * stampede_profile_rate_at:
 * @self: a profile
 * @t: seconds since the start
 *
 * Gets the rate the profile asks for at @t.
 *
 * Returns: arrivals per second; 0 outside [0, duration)
 */
double
stampede_profile_rate_at (StampedeProfile *self,
                          double           t)
{
  double rate;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  rate = stampede_load_shape_rate_at (self->shape, t);
  g_mutex_unlock (&self->lock);

  return rate;
}

/**
 * stampede_profile_count_until:
 * @self: a profile
 * @t: seconds since the start
 *
 * Integrates the rate over [0, @t], with @t clamped to the profile.
 *
 * Returns: the cumulative count N (@t), not rounded
 */
double
stampede_profile_count_until (StampedeProfile *self,
                              double           t)
{
  double count;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  count = stampede_load_shape_count_until (self->shape, t);
  g_mutex_unlock (&self->lock);

  return count;
}

/**
 * stampede_profile_total:
 * @self: a profile
 *
 * Counts the arrivals of a uniform schedule: floor (N (duration)).  For
 * Poisson arrivals it is the expected number, rounded down.
 *
 * Returns: the number of arrivals
 */
guint64
stampede_profile_total (StampedeProfile *self)
{
  guint64 total;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  total = self->total;
  g_mutex_unlock (&self->lock);

  return total;
}

/* Drops the queued arrivals that every worker has gone past. */
static void
trim_points (StampedeProfile *self)
{
  guint64 lowest = G_MAXUINT64;

  for (guint i = 0; i < self->n_consumers; i++)
    lowest = MIN (lowest, self->wanted[i]);

  if (lowest <= self->base)
    return;

  lowest = MIN (lowest, self->base + self->points->len);
  g_array_remove_range (self->points, 0, (guint) (lowest - self->base));
  self->base = lowest;
}

static double
poisson_time_of_locked (StampedeProfile *self,
                        guint64          k)
{
  guint consumer = (guint) (k % self->n_consumers);

  self->wanted[consumer] = MAX (self->wanted[consumer], k);
  if (self->points->len > TRIM_AFTER)
    trim_points (self);

  /* Asked again for one it has passed: a caller's mistake. */
  g_return_val_if_fail (k >= self->base, INFINITY);

  while (k >= self->base + self->points->len) {
    Point point;

    /* An arrival that the shape ends before stays unknown to the queue
     * (the stream keeps it), so a later rise of the rate can bring it. */
    if (self->points->len > 0
        && isinf (g_array_index (self->points, Point,
                                 self->points->len - 1).t))
      return INFINITY;
    if (!stampede_load_shape_poisson_next (self->shape, &self->stream,
                                           &point.t))
      return INFINITY;

    point.count = stampede_load_shape_count_until (self->shape, point.t);
    g_array_append_val (self->points, point);
  }

  return g_array_index (self->points, Point, k - self->base).t;
}

/**
 * stampede_profile_time_of:
 * @self: a profile
 * @k: the index of an arrival, counting from 0
 *
 * Computes when arrival @k is due.  Uniform: the instant t at which
 * N (t) = @k; arrival 0 is due at the first instant the rate is positive,
 * and the arrivals are spaced evenly in the count, 1/r (t) apart in time.
 * Poisson: the @k-th point of the process.  For Poisson arrivals, each
 * consumer (k % n_consumers) must ask for its arrivals in increasing
 * order.
 *
 * Returns: seconds since the start, or %INFINITY when the profile ends
 *   before arrival @k
 */
double
stampede_profile_time_of (StampedeProfile *self,
                          guint64          k)
{
  double t;

  g_return_val_if_fail (self != NULL, INFINITY);

  g_mutex_lock (&self->lock);
  if (self->poisson)
    t = poisson_time_of_locked (self, k);
  else if (k >= self->total)
    t = INFINITY;
  else
    t = stampede_load_shape_time_of (self->shape, k);
  g_mutex_unlock (&self->lock);

  return t;
}

/* Finds the time at which the count reaches @count by bisection, or
 * infinity past the shape's total. */
static double
time_of_count (StampedeLoadShape *shape,
               double             count,
               double             lo)
{
  double hi = stampede_load_shape_duration (shape);

  if (count > stampede_load_shape_count_until (shape, hi))
    return INFINITY;

  while (hi - lo > TIME_TOLERANCE) {
    double mid = 0.5 * (lo + hi);

    if (stampede_load_shape_count_until (shape, mid) < count)
      lo = mid;
    else
      hi = mid;
  }

  return hi;
}

/* After a change of rate from @t, the drawn arrivals past @t keep their
 * place in the count and take the time the new rate gives it. */
static void
move_points (StampedeProfile *self,
             double           t)
{
  double count_at_t = stampede_load_shape_count_until (self->shape, t);

  for (guint i = 0; i < self->points->len; i++) {
    Point *point = &g_array_index (self->points, Point, i);

    if (point->t > t && point->count > count_at_t)
      point->t = time_of_count (self->shape, point->count, t);
  }
}

/**
 * stampede_profile_set_rate_from:
 * @self: a profile
 * @t: seconds since the start from which the new rate holds
 * @rate: the new rate in arrivals per second; 0 ends the arrivals
 *
 * Makes the rate constant at @rate from @t to the end, ending any stage
 * that was still going.  N (t) is unchanged, so every arrival due before
 * @t keeps its time.
 */
void
stampede_profile_set_rate_from (StampedeProfile *self,
                                double           t,
                                double           rate)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (rate >= 0 && rate <= STAMPEDE_LOAD_SHAPE_MAX_RATE);

  g_mutex_lock (&self->lock);
  stampede_load_shape_set_rate_from (self->shape, MAX (0, t), rate);
  self->total = stampede_load_shape_total (self->shape);
  if (self->poisson)
    move_points (self, MAX (0, t));
  g_mutex_unlock (&self->lock);
}
