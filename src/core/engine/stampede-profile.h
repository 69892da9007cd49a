/* stampede-profile.h — the arrival schedule of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-load-shape.h"

G_BEGIN_DECLS

/*
 * A profile is a run's StampedeLoadShape made safe to share between the
 * workers and the aggregator, with the times of its arrivals.  The rate
 * r(t) is that of the shape over [0, duration]; N(t) is its integral.
 *
 * Uniform arrivals: arrival k (counting from 0) is due at the time t_k
 * where N(t) reaches k, so the schedule is a pure function of the shape:
 * arrival 0 is due at the start, the number due by time t is
 * floor (N (t)) + 1 (at most the total), and the total is
 * floor (N (duration)).
 *
 * Poisson arrivals: the times are one seeded inhomogeneous Poisson
 * process of intensity r(t), drawn in order of k from one stream shared by
 * all the workers (stampede_profile_set_poisson()), so the same seed gives
 * the same times whatever the number of workers, and the expected number
 * of arrivals in any window is N over that window.  The times drawn but
 * not yet asked for by every worker are kept in order in a queue; each
 * worker asks for its k in increasing order.
 *
 * The rate from some instant on can be changed while a run is going
 * (stampede_profile_set_rate_from()); arrivals already due keep their
 * times, and a Poisson arrival drawn for later keeps its place in the
 * count and moves in time with the new rate.  Thread-safe.
 */
typedef struct _StampedeProfile StampedeProfile;

StampedeProfile *stampede_profile_new_ramp        (double               rate,
                                                   double               ramp_s,
                                                   double               duration_s);
StampedeProfile *stampede_profile_new_stages      (const StampedeStage *stages,
                                                   guint                n_stages,
                                                   GError             **error);
void             stampede_profile_set_poisson     (StampedeProfile     *self,
                                                   guint64              seed,
                                                   guint                n_consumers);
gboolean         stampede_profile_is_poisson      (StampedeProfile     *self);
void             stampede_profile_free            (StampedeProfile     *self);
double           stampede_profile_duration        (StampedeProfile     *self);
double           stampede_profile_rate_at         (StampedeProfile     *self,
                                                   double               t);
double           stampede_profile_count_until     (StampedeProfile     *self,
                                                   double               t);
guint64          stampede_profile_total           (StampedeProfile     *self);
double           stampede_profile_time_of         (StampedeProfile     *self,
                                                   guint64              k);
void             stampede_profile_set_rate_from   (StampedeProfile     *self,
                                                   double               t,
                                                   double               rate);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeProfile, stampede_profile_free)

G_END_DECLS
