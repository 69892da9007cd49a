/* stampede-latency-model.c — how long a modelled agent call takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stampede-latency-model.h"

/* A sigma above this puts the 99.9th percentile over 10^8 times the
 * median, which models nothing real. */
#define MAX_SIGMA 3.0

static gboolean
parse_number (const char  *text,
              const char  *what,
              double       min,
              double       max,
              double      *out,
              GError     **error)
{
  char *end = NULL;
  double value;

  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s “%s” is not a number", what, text);
    return FALSE;
  }

  if (value < min || value > max) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s %g is out of range [%g, %g]", what, value, min, max);
    return FALSE;
  }

  *out = value;

  return TRUE;
}

/**
 * stampede_latency_model_parse:
 * @text: `none`, `fixed:MS` or `lognormal:MEDIAN,SIGMA`
 * @out: (out caller-allocates): the model
 * @error: where to say what is wrong with @text
 *
 * Reads a latency model.  `fixed:0` and `lognormal:0,S` read as `none`.
 *
 * Returns: whether @text is a valid model
 */
gboolean
stampede_latency_model_parse (const char            *text,
                              StampedeLatencyModel  *out,
                              GError               **error)
{
  StampedeLatencyModel model = { STAMPEDE_LATENCY_NONE, 0, 0 };

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (text, "none") == 0) {
    *out = model;
    return TRUE;
  }

  if (g_str_has_prefix (text, "fixed:")) {
    if (!parse_number (text + 6, "fixed latency", 0, STAMPEDE_LATENCY_MAX_MS,
                       &model.ms, error))
      return FALSE;
    model.kind = STAMPEDE_LATENCY_FIXED;
  } else if (g_str_has_prefix (text, "lognormal:")) {
    g_auto(GStrv) parts = g_strsplit (text + 10, ",", -1);

    if (g_strv_length (parts) != 2) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s”: a log-normal model is lognormal:MEDIAN_MS,SIGMA",
                   text);
      return FALSE;
    }
    if (!parse_number (parts[0], "log-normal median", 0,
                       STAMPEDE_LATENCY_MAX_MS, &model.ms, error)
        || !parse_number (parts[1], "log-normal sigma", 0, MAX_SIGMA,
                          &model.sigma, error))
      return FALSE;
    model.kind = STAMPEDE_LATENCY_LOGNORMAL;
  } else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "“%s” is not a latency model (use none, fixed:MS or "
                 "lognormal:MEDIAN_MS,SIGMA)", text);
    return FALSE;
  }

  if (model.ms == 0)
    model.kind = STAMPEDE_LATENCY_NONE;
  *out = model;

  return TRUE;
}

/**
 * stampede_latency_model_to_string:
 * @self: a model
 *
 * Returns: (transfer full): @self written the way
 *   stampede_latency_model_parse() reads it
 */
char *
stampede_latency_model_to_string (const StampedeLatencyModel *self)
{
  char ms[G_ASCII_DTOSTR_BUF_SIZE], sigma[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (self != NULL, NULL);

  g_ascii_formatd (ms, sizeof ms, "%g", self->ms);
  g_ascii_formatd (sigma, sizeof sigma, "%g", self->sigma);

  switch (self->kind) {
  case STAMPEDE_LATENCY_FIXED:
    return g_strdup_printf ("fixed:%s", ms);
  case STAMPEDE_LATENCY_LOGNORMAL:
    return g_strdup_printf ("lognormal:%s,%s", ms, sigma);
  case STAMPEDE_LATENCY_NONE:
  default:
    return g_strdup ("none");
  }
}

/**
 * stampede_latency_model_draw:
 * @self: a model
 * @rand: the random stream to draw from
 *
 * Returns: one latency drawn from @self, in milliseconds
 */
double
stampede_latency_model_draw (const StampedeLatencyModel *self,
                             GRand                      *rand)
{
  double u1, u2, z;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (rand != NULL, 0);

  if (self->kind == STAMPEDE_LATENCY_FIXED)
    return self->ms;
  if (self->kind != STAMPEDE_LATENCY_LOGNORMAL)
    return 0;

  /* Box–Muller; 1 − u keeps the logarithm's argument above zero. */
  u1 = 1.0 - g_rand_double (rand);
  u2 = g_rand_double (rand);
  z = sqrt (-2.0 * log (u1)) * cos (2 * G_PI * u2);

  return self->ms * exp (self->sigma * z);
}

/**
 * stampede_latency_model_mean:
 * @self: a model
 *
 * Returns: the expected latency of @self, in milliseconds
 */
double
stampede_latency_model_mean (const StampedeLatencyModel *self)
{
  g_return_val_if_fail (self != NULL, 0);

  switch (self->kind) {
  case STAMPEDE_LATENCY_FIXED:
    return self->ms;
  case STAMPEDE_LATENCY_LOGNORMAL:
    return self->ms * exp (self->sigma * self->sigma / 2);
  case STAMPEDE_LATENCY_NONE:
  default:
    return 0;
  }
}

/**
 * stampede_latency_model_from_mean:
 * @self: (out caller-allocates): the model to set
 * @mean_ms: the expected latency, 0 for none
 * @sigma: the log-normal shape
 *
 * Sets @self to the log-normal model of the given mean and shape.
 */
void
stampede_latency_model_from_mean (StampedeLatencyModel *self,
                                  double                mean_ms,
                                  double                sigma)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (mean_ms >= 0);
  g_return_if_fail (sigma >= 0);

  self->sigma = sigma;
  self->ms = mean_ms * exp (-sigma * sigma / 2);
  self->kind = mean_ms > 0 ? STAMPEDE_LATENCY_LOGNORMAL
                           : STAMPEDE_LATENCY_NONE;
}
