/* stampede-profile.h — the arrival schedule of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A load profile is a piecewise-linear rate r(t) in arrivals per second
 * over [0, duration].  Arrival k (counting from 0) is due at the time t_k
 * where the cumulative count N(t) = ∫ r reaches k, so the schedule is a
 * pure function of the profile: arrival 0 is due at the start, the number
 * of arrivals due by time t is floor (N (t)) + 1 (at most the total), and
 * the total is floor (N (duration)).  The rate from some instant on can be
 * changed while a run is going (stampede_profile_set_rate_from());
 * arrivals already due keep their times.  Thread-safe.
 */
typedef struct _StampedeProfile StampedeProfile;

StampedeProfile *stampede_profile_new_ramp        (double           rate,
                                                   double           ramp_s,
                                                   double           duration_s);
void             stampede_profile_free            (StampedeProfile *self);
double           stampede_profile_duration        (StampedeProfile *self);
double           stampede_profile_rate_at         (StampedeProfile *self,
                                                   double           t);
double           stampede_profile_count_until     (StampedeProfile *self,
                                                   double           t);
guint64          stampede_profile_total           (StampedeProfile *self);
double           stampede_profile_time_of         (StampedeProfile *self,
                                                   guint64          k);
void             stampede_profile_set_rate_from   (StampedeProfile *self,
                                                   double           t,
                                                   double           rate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeProfile, stampede_profile_free)

G_END_DECLS
