/* stampede-load-shape.h — the target rate of a run, stage by stage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define STAMPEDE_LOAD_SHAPE_ERROR (stampede_load_shape_error_quark ())

typedef enum {
  STAMPEDE_LOAD_SHAPE_ERROR_MISSING,
  STAMPEDE_LOAD_SHAPE_ERROR_UNKNOWN_KEY,
  STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
  STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
} StampedeLoadShapeError;

typedef enum {
  STAMPEDE_STAGE_RAMP,
  STAMPEDE_STAGE_SUSTAINED,
  STAMPEDE_STAGE_BURST,
  STAMPEDE_STAGE_WAVE,
  STAMPEDE_STAGE_CHAOS,
  STAMPEDE_N_STAGE_KINDS,
} StampedeStageKind;

/* The largest rate a stage may ask for, in arrivals per second; the same
 * bound as the run configuration's. */
#define STAMPEDE_LOAD_SHAPE_MAX_RATE 1e6

/* The longest a whole shape may last, in seconds (one day). */
#define STAMPEDE_LOAD_SHAPE_MAX_DURATION 86400.0

/**
 * StampedeStage:
 * @kind: what the stage does
 * @duration_s: how long it lasts, in seconds
 * @from: ramp: the rate at the stage's start
 * @to: ramp: the rate at its end
 * @rate: sustained: the constant rate
 * @base: burst, wave, chaos: the rate between bursts, the wave's mean, the
 *   walk's starting point
 * @peak: burst: the rate during a burst
 * @burst_s: burst: how long each burst lasts
 * @every_s: burst: the time from one burst's start to the next's; the first
 *   starts every_s / 2 into the stage
 * @amplitude: wave: the sine's amplitude, at most @base
 * @period_s: wave: the sine's period
 * @min: chaos: the lowest rate the walk may reach
 * @max: chaos: the highest rate the walk may reach
 * @step_s: chaos: the time between the walk's points
 * @seed: chaos: the seed that makes the walk reproducible
 *
 * One stage of a load shape; only the fields of its kind are used.  All
 * rates are arrivals per second.
 */
typedef struct {
  StampedeStageKind kind;
  double            duration_s;
  double            from;
  double            to;
  double            rate;
  double            base;
  double            peak;
  double            burst_s;
  double            every_s;
  double            amplitude;
  double            period_s;
  double            min;
  double            max;
  double            step_s;
  guint64           seed;
} StampedeStage;

/**
 * StampedePoissonArrivals:
 *
 * The state of a seeded Poisson arrival stream over a load shape; set it
 * up with stampede_poisson_arrivals_init() and draw from it with
 * stampede_load_shape_poisson_next().  Its fields are private.
 */
typedef struct {
  /*< private >*/
  guint64  s[4];
  double   next_count;
  gboolean has_next;
} StampedePoissonArrivals;

typedef struct _StampedeLoadShape StampedeLoadShape;

GQuark
stampede_load_shape_error_quark (void);

const char *
stampede_stage_kind_to_string (StampedeStageKind kind);

gboolean
stampede_stage_kind_from_string (const char        *name,
                                 StampedeStageKind *kind);

StampedeStage
stampede_stage_ramp (double from,
                     double to,
                     double duration_s);

StampedeStage
stampede_stage_sustained (double rate,
                          double duration_s);

StampedeStage
stampede_stage_burst (double base,
                      double peak,
                      double duration_s,
                      double burst_s,
                      double every_s);

StampedeStage
stampede_stage_wave (double base,
                     double amplitude,
                     double period_s,
                     double duration_s);

StampedeStage
stampede_stage_chaos (double  base,
                      double  min,
                      double  max,
                      double  step_s,
                      double  duration_s,
                      guint64 seed);

gboolean
stampede_stage_validate (const StampedeStage  *stage,
                         const char          **bad_key,
                         GError              **error);

gboolean
stampede_stage_from_json (JsonNode       *node,
                          StampedeStage  *stage,
                          char          **bad_key,
                          GError        **error);

void
stampede_stage_to_json (const StampedeStage *stage,
                        JsonBuilder         *builder);

void
stampede_stage_scale (StampedeStage *stage,
                      double         factor);

double
stampede_stage_peak_rate (const StampedeStage *stage);

StampedeLoadShape *
stampede_load_shape_new (const StampedeStage  *stages,
                         guint                 n_stages,
                         GError              **error);

StampedeLoadShape *
stampede_load_shape_new_from_json (JsonNode  *array,
                                   char     **error_path,
                                   GError   **error);

void
stampede_load_shape_free (StampedeLoadShape *self);

const StampedeStage *
stampede_load_shape_get_stages (StampedeLoadShape *self,
                                guint             *n_stages);

double
stampede_load_shape_duration (StampedeLoadShape *self);

double
stampede_load_shape_rate_at (StampedeLoadShape *self,
                             double             t);

double
stampede_load_shape_count_until (StampedeLoadShape *self,
                                 double             t);

guint64
stampede_load_shape_total (StampedeLoadShape *self);

double
stampede_load_shape_time_of (StampedeLoadShape *self,
                             guint64            k);

void
stampede_load_shape_set_rate_from (StampedeLoadShape *self,
                                   double             t,
                                   double             rate);

void
stampede_poisson_arrivals_init (StampedePoissonArrivals *arrivals,
                                guint64                  seed);

gboolean
stampede_load_shape_poisson_next (StampedeLoadShape       *self,
                                  StampedePoissonArrivals *arrivals,
                                  double                  *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StampedeLoadShape, stampede_load_shape_free)

G_END_DECLS
