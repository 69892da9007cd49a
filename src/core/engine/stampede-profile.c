/* stampede-profile.c — the arrival schedule of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "stampede-profile.h"

/*
 * The rate is kept as a list of pieces, each linear in time: on
 * [t0, t_next) the rate is r0 + slope (t - t0), and `count0` is the
 * cumulative count N (t0).  A ramp is one rising piece followed by a flat
 * one; every change of rate cuts the list at its instant and appends a
 * flat piece, so the count up to that instant, and with it every arrival
 * already due, stays exactly as it was.
 */
typedef struct {
  double t0;
  double r0;
  double slope;
  double count0;
} Piece;

struct _StampedeProfile {
  GMutex  lock;
  double  duration;
  GArray *pieces;
};

/* A whole number of arrivals is computed with this much tolerance, so that
 * a count such as 749.9999999999 from rounding in the integral still makes
 * 750 arrivals. */
#define COUNT_EPSILON 1e-9

static double
piece_count (const Piece *piece,
             double       dt)
{
  return piece->r0 * dt + 0.5 * piece->slope * dt * dt;
}

static void
append_piece (StampedeProfile *self,
              double           t0,
              double           r0,
              double           slope)
{
  Piece piece = { t0, r0, slope, 0 };

  if (self->pieces->len > 0) {
    const Piece *last = &g_array_index (self->pieces, Piece,
                                        self->pieces->len - 1);

    piece.count0 = last->count0 + piece_count (last, t0 - last->t0);
  }

  g_array_append_val (self->pieces, piece);
}

/* Finds the last piece that starts at or before @t. */
static guint
piece_at_time (StampedeProfile *self,
               double           t)
{
  guint lo = 0;
  guint hi = self->pieces->len;

  while (hi - lo > 1) {
    guint mid = (lo + hi) / 2;

    if (g_array_index (self->pieces, Piece, mid).t0 <= t)
      lo = mid;
    else
      hi = mid;
  }

  return lo;
}

/* Finds the last piece whose cumulative count at its start is at or
 * below @count. */
static guint
piece_at_count (StampedeProfile *self,
                double           count)
{
  guint lo = 0;
  guint hi = self->pieces->len;

  while (hi - lo > 1) {
    guint mid = (lo + hi) / 2;

    if (g_array_index (self->pieces, Piece, mid).count0 <= count)
      lo = mid;
    else
      hi = mid;
  }

  return lo;
}

static double
count_until_locked (StampedeProfile *self,
                    double           t)
{
  const Piece *piece;

  t = CLAMP (t, 0.0, self->duration);
  piece = &g_array_index (self->pieces, Piece, piece_at_time (self, t));

  return piece->count0 + piece_count (piece, t - piece->t0);
}

static guint64
total_locked (StampedeProfile *self)
{
  return (guint64) floor (count_until_locked (self, self->duration)
                          + COUNT_EPSILON);
}

/**
 * stampede_profile_new_ramp:
 * @rate: arrivals per second once the ramp is over; positive
 * @ramp_s: seconds of linear ramp from 0 to @rate; 0 for none
 * @duration_s: length of the profile in seconds, ramp included; positive
 *
 * Makes a profile that rises linearly from 0 to @rate over @ramp_s
 * seconds and then stays at @rate until @duration_s.  A ramp longer than
 * the duration is cut at the duration.
 *
 * Returns: (transfer full): the profile
 */
StampedeProfile *
stampede_profile_new_ramp (double rate,
                           double ramp_s,
                           double duration_s)
{
  StampedeProfile *self;

  g_return_val_if_fail (rate >= 0, NULL);
  g_return_val_if_fail (ramp_s >= 0, NULL);
  g_return_val_if_fail (duration_s > 0, NULL);

  self = g_new0 (StampedeProfile, 1);
  g_mutex_init (&self->lock);
  self->duration = duration_s;
  self->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));

  if (ramp_s > 0) {
    append_piece (self, 0, 0, rate / ramp_s);
    if (ramp_s < duration_s)
      append_piece (self, ramp_s, rate, 0);
  } else {
    append_piece (self, 0, rate, 0);
  }

  return self;
}

void
stampede_profile_free (StampedeProfile *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->pieces);
  g_mutex_clear (&self->lock);
  g_free (self);
}

double
stampede_profile_duration (StampedeProfile *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->duration;
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
  const Piece *piece;
  double rate;

  g_return_val_if_fail (self != NULL, 0);

  if (!(t >= 0) || t >= self->duration)
    return 0;

  g_mutex_lock (&self->lock);
  piece = &g_array_index (self->pieces, Piece, piece_at_time (self, t));
  rate = piece->r0 + piece->slope * (t - piece->t0);
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
  count = count_until_locked (self, t);
  g_mutex_unlock (&self->lock);

  return count;
}

/**
 * stampede_profile_total:
 * @self: a profile
 *
 * Counts the arrivals of the whole profile: floor (N (duration)).
 *
 * Returns: the number of arrivals
 */
guint64
stampede_profile_total (StampedeProfile *self)
{
  guint64 total;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  total = total_locked (self);
  g_mutex_unlock (&self->lock);

  return total;
}

/* Solves N (t) = @k inside the piece where the count reaches @k.  The
 * quadratic is solved in the form that stays accurate when the slope is
 * tiny and is the plain division when it is zero. */
static double
time_of_locked (StampedeProfile *self,
                double           k)
{
  const Piece *piece = &g_array_index (self->pieces, Piece,
                                       piece_at_count (self, k));
  double remaining = k - piece->count0;
  double root;

  if (remaining <= 0)
    return piece->t0;

  root = sqrt (piece->r0 * piece->r0 + 2 * piece->slope * remaining);
  if (piece->r0 + root <= 0)
    return self->duration;

  return MIN (piece->t0 + 2 * remaining / (piece->r0 + root),
              self->duration);
}

/**
 * stampede_profile_time_of:
 * @self: a profile
 * @k: the index of an arrival, counting from 0
 *
 * Computes when arrival @k is due: the instant t at which N (t) = @k.
 * Arrival 0 is due at the first instant the rate is positive, and the
 * arrivals are spaced evenly in the count, 1/r (t) apart in time.
 *
 * Returns: seconds since the start, or %INFINITY when @k is not below
 *   stampede_profile_total()
 */
double
stampede_profile_time_of (StampedeProfile *self,
                          guint64          k)
{
  double t;

  g_return_val_if_fail (self != NULL, INFINITY);

  g_mutex_lock (&self->lock);
  if (k >= total_locked (self))
    t = INFINITY;
  else
    t = time_of_locked (self, (double) k);
  g_mutex_unlock (&self->lock);

  return t;
}

/**
 * stampede_profile_set_rate_from:
 * @self: a profile
 * @t: seconds since the start from which the new rate holds
 * @rate: the new rate in arrivals per second; 0 ends the arrivals
 *
 * Makes the rate constant at @rate from @t to the end, ending any ramp
 * that was still going.  N (t) is unchanged, so every arrival due before
 * @t keeps its time.
 */
void
stampede_profile_set_rate_from (StampedeProfile *self,
                                double           t,
                                double           rate)
{
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (rate >= 0);

  g_mutex_lock (&self->lock);

  t = CLAMP (t, 0.0, self->duration);
  index = piece_at_time (self, t);

  /* A piece that starts exactly at @t is replaced; one that started
   * earlier keeps its part before @t. */
  if (g_array_index (self->pieces, Piece, index).t0 >= t)
    g_array_set_size (self->pieces, index);
  else
    g_array_set_size (self->pieces, index + 1);

  append_piece (self, t, rate, 0);

  g_mutex_unlock (&self->lock);
}
