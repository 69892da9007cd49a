/* stampede-latency-model.h — how long a modelled agent call takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  STAMPEDE_LATENCY_NONE,
  STAMPEDE_LATENCY_FIXED,
  STAMPEDE_LATENCY_LOGNORMAL,
} StampedeLatencyKind;

/**
 * StampedeLatencyModel:
 * @kind: the shape of the distribution
 * @ms: the fixed latency, or the log-normal median, in milliseconds
 * @sigma: the log-normal shape (the standard deviation of ln latency)
 *
 * The distribution an agent's modelled inference latency is drawn from.
 * It is written as text as `none`, `fixed:MS` or `lognormal:MEDIAN,SIGMA`.
 */
typedef struct {
  StampedeLatencyKind kind;
  double              ms;
  double              sigma;
} StampedeLatencyModel;

/* The longest latency a model may ask for, in milliseconds. */
#define STAMPEDE_LATENCY_MAX_MS 60000.0

gboolean stampede_latency_model_parse     (const char                 *text,
                                           StampedeLatencyModel       *out,
                                           GError                    **error);
char    *stampede_latency_model_to_string (const StampedeLatencyModel *self);
double   stampede_latency_model_draw      (const StampedeLatencyModel *self,
                                           GRand                      *rand);
double   stampede_latency_model_mean      (const StampedeLatencyModel *self);
void     stampede_latency_model_from_mean (StampedeLatencyModel       *self,
                                           double                      mean_ms,
                                           double                      sigma);

G_END_DECLS
