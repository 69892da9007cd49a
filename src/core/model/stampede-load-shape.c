/* stampede-load-shape.c — the target rate of a run, stage by stage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-load-shape.h"

/*
 * Every stage is compiled into segments on which the rate has a closed
 * form: linear (ramp, sustained, each level of a burst, each step of a
 * chaos walk) or a sine (a wave).  Each segment keeps the cumulative count
 * N at its start and end, so N (t) costs a search and one formula, and the
 * inverse N⁻¹ (c), which the engine asks for at every arrival, costs a
 * look at the segment it used last time (arrivals come in order) and one
 * solve inside it: a quadratic for a linear rate, a safeguarded Newton
 * iteration for a sine.
 */
typedef enum {
  SEGMENT_LINEAR,
  SEGMENT_SINE,
} SegmentKind;

typedef struct {
  SegmentKind kind;
  double      t0;
  double      t1;
  double      c0;
  double      c1;

  /* Linear: r (t) = r0 + slope (t - t0). */
  double      r0;
  double      slope;

  /* Sine: r (t) = base + amplitude sin (omega (t - origin)). */
  double      base;
  double      amplitude;
  double      omega;
  double      origin;
} Segment;

struct _StampedeLoadShape {
  GArray *stages;
  GArray *segments;
  double  duration;
  guint   cursor;
};

/* A shape may not be cut into more segments than this, so that a tiny
 * chaos step or burst period over a long stage cannot exhaust memory. */
#define MAX_SEGMENTS 1000000

/* How close two times must be for the wave's inverse to stop, in seconds. */
#define TIME_TOLERANCE 1e-10

/* The count compared with a whole number of arrivals is allowed this much
 * rounding error from summing segments, so that 749.9999999999 still
 * makes 750 arrivals. */
static inline double
count_tolerance (double count)
{
  return 1e-9 + fabs (count) * 1e-13;
}

G_DEFINE_QUARK (stampede-load-shape-error-quark, stampede_load_shape_error)

static const char * const kind_names[] = {
  "ramp", "sustained", "burst", "wave", "chaos",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == STAMPEDE_N_STAGE_KINDS);

typedef struct {
  const char *name;
  gsize       offset;
} StageKey;

#define KEY(field) { #field, G_STRUCT_OFFSET (StampedeStage, field) }

static const StageKey ramp_keys[] = {
  KEY (from), KEY (to), KEY (duration_s), { NULL, 0 },
};
static const StageKey sustained_keys[] = {
  KEY (rate), KEY (duration_s), { NULL, 0 },
};
static const StageKey burst_keys[] = {
  KEY (base), KEY (peak), KEY (duration_s), KEY (burst_s), KEY (every_s),
  { NULL, 0 },
};
static const StageKey wave_keys[] = {
  KEY (base), KEY (amplitude), KEY (period_s), KEY (duration_s),
  { NULL, 0 },
};
static const StageKey chaos_keys[] = {
  KEY (base), KEY (min), KEY (max), KEY (step_s), KEY (duration_s),
  KEY (seed), { NULL, 0 },
};

#undef KEY

static const StageKey * const kind_keys[] = {
  ramp_keys, sustained_keys, burst_keys, wave_keys, chaos_keys,
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_keys) == STAMPEDE_N_STAGE_KINDS);

/* Seeds a xoshiro256** state from one 64-bit seed through splitmix64, as
 * its authors recommend, so that nearby seeds give unrelated streams. */
static void
rng_seed (guint64 s[4],
          guint64 seed)
{
  for (guint i = 0; i < 4; i++) {
    guint64 z;

    seed += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
    z = seed;
    z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
    s[i] = z ^ (z >> 31);
  }
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (guint64 s[4])
{
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* A uniform double in (0, 1]: never 0, so that its logarithm is finite. */
static double
rng_uniform_open (guint64 s[4])
{
  return ((rng_next (s) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/**
 * stampede_stage_kind_to_string:
 * @kind: a stage kind
 *
 * Returns: (transfer none): the name of @kind in scenario files
 */
const char *
stampede_stage_kind_to_string (StampedeStageKind kind)
{
  g_return_val_if_fail (kind < STAMPEDE_N_STAGE_KINDS, NULL);

  return kind_names[kind];
}

/**
 * stampede_stage_kind_from_string:
 * @name: a stage kind's name
 * @kind: (out): where to store the kind
 *
 * Returns: %TRUE when @name names a stage kind
 */
gboolean
stampede_stage_kind_from_string (const char        *name,
                                 StampedeStageKind *kind)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; i < STAMPEDE_N_STAGE_KINDS; i++) {
    if (strcmp (name, kind_names[i]) == 0) {
      *kind = i;
      return TRUE;
    }
  }

  return FALSE;
}

/**
 * stampede_stage_ramp:
 * @from: the rate at the start
 * @to: the rate at the end
 * @duration_s: the stage's length in seconds
 *
 * Returns: a stage whose rate changes linearly from @from to @to
 */
StampedeStage
stampede_stage_ramp (double from,
                     double to,
                     double duration_s)
{
  StampedeStage stage = { STAMPEDE_STAGE_RAMP, duration_s };

  stage.from = from;
  stage.to = to;

  return stage;
}

/**
 * stampede_stage_sustained:
 * @rate: the constant rate
 * @duration_s: the stage's length in seconds
 *
 * Returns: a stage of constant rate
 */
StampedeStage
stampede_stage_sustained (double rate,
                          double duration_s)
{
  StampedeStage stage = { STAMPEDE_STAGE_SUSTAINED, duration_s };

  stage.rate = rate;

  return stage;
}

/**
 * stampede_stage_burst:
 * @base: the rate between bursts
 * @peak: the rate during a burst
 * @duration_s: the stage's length in seconds
 * @burst_s: the length of each burst
 * @every_s: the time between the starts of two bursts
 *
 * Returns: a stage of rectangular bursts; the first starts @every_s / 2
 *   into the stage
 */
StampedeStage
stampede_stage_burst (double base,
                      double peak,
                      double duration_s,
                      double burst_s,
                      double every_s)
{
  StampedeStage stage = { STAMPEDE_STAGE_BURST, duration_s };

  stage.base = base;
  stage.peak = peak;
  stage.burst_s = burst_s;
  stage.every_s = every_s;

  return stage;
}

/**
 * stampede_stage_wave:
 * @base: the mean rate
 * @amplitude: the sine's amplitude, at most @base
 * @period_s: the sine's period in seconds
 * @duration_s: the stage's length in seconds
 *
 * Returns: a stage whose rate is @base + @amplitude sin (2πt / @period_s)
 */
StampedeStage
stampede_stage_wave (double base,
                     double amplitude,
                     double period_s,
                     double duration_s)
{
  StampedeStage stage = { STAMPEDE_STAGE_WAVE, duration_s };

  stage.base = base;
  stage.amplitude = amplitude;
  stage.period_s = period_s;

  return stage;
}

/**
 * stampede_stage_chaos:
 * @base: the walk's starting rate
 * @min: the lowest rate
 * @max: the highest rate
 * @step_s: the time between the walk's points
 * @duration_s: the stage's length in seconds
 * @seed: the walk's seed
 *
 * Returns: a stage whose rate follows a seeded random walk
 */
StampedeStage
stampede_stage_chaos (double  base,
                      double  min,
                      double  max,
                      double  step_s,
                      double  duration_s,
                      guint64 seed)
{
  StampedeStage stage = { STAMPEDE_STAGE_CHAOS, duration_s };

  stage.base = base;
  stage.min = min;
  stage.max = max;
  stage.step_s = step_s;
  stage.seed = seed;

  return stage;
}

static gboolean
check_rate (double       value,
            const char  *key,
            const char **bad_key,
            GError     **error)
{
  if (isfinite (value) && value >= 0 &&
      value <= STAMPEDE_LOAD_SHAPE_MAX_RATE)
    return TRUE;

  *bad_key = key;
  g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
               STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
               "“%s” must be a rate from 0 to %g arrivals/s, not %g",
               key, STAMPEDE_LOAD_SHAPE_MAX_RATE, value);

  return FALSE;
}

static gboolean
check_positive (double       value,
                const char  *key,
                const char **bad_key,
                GError     **error)
{
  if (isfinite (value) && value > 0)
    return TRUE;

  *bad_key = key;
  g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
               STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
               "“%s” must be greater than 0, not %g", key, value);

  return FALSE;
}

static gboolean
fail_value (const char  *key,
            const char **bad_key,
            GError     **error,
            const char  *message)
{
  *bad_key = key;
  g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
               STAMPEDE_LOAD_SHAPE_ERROR_VALUE, "%s", message);

  return FALSE;
}

static gboolean
validate_kind_fields (const StampedeStage *stage,
                      const char         **bad_key,
                      GError             **error)
{
  switch (stage->kind) {
  case STAMPEDE_STAGE_RAMP:
    return check_rate (stage->from, "from", bad_key, error) &&
           check_rate (stage->to, "to", bad_key, error);

  case STAMPEDE_STAGE_SUSTAINED:
    return check_rate (stage->rate, "rate", bad_key, error);

  case STAMPEDE_STAGE_BURST:
    if (!check_rate (stage->base, "base", bad_key, error) ||
        !check_rate (stage->peak, "peak", bad_key, error) ||
        !check_positive (stage->burst_s, "burst_s", bad_key, error) ||
        !check_positive (stage->every_s, "every_s", bad_key, error))
      return FALSE;
    if (stage->burst_s >= stage->every_s)
      return fail_value ("burst_s", bad_key, error,
                         "“burst_s” must be shorter than “every_s”");
    if (stage->duration_s / stage->every_s > MAX_SEGMENTS / 2 - 2)
      return fail_value ("every_s", bad_key, error,
                         "“every_s” is too short for the stage's duration");
    return TRUE;

  case STAMPEDE_STAGE_WAVE:
    if (!check_rate (stage->base, "base", bad_key, error) ||
        !check_rate (stage->amplitude, "amplitude", bad_key, error) ||
        !check_positive (stage->period_s, "period_s", bad_key, error))
      return FALSE;
    if (stage->amplitude > stage->base)
      return fail_value ("amplitude", bad_key, error,
                         "“amplitude” must not exceed “base”, or the rate "
                         "would fall below 0");
    return TRUE;

  case STAMPEDE_STAGE_CHAOS:
    if (!check_rate (stage->base, "base", bad_key, error) ||
        !check_rate (stage->min, "min", bad_key, error) ||
        !check_rate (stage->max, "max", bad_key, error) ||
        !check_positive (stage->step_s, "step_s", bad_key, error))
      return FALSE;
    if (stage->min > stage->max)
      return fail_value ("min", bad_key, error,
                         "“min” must not exceed “max”");
    if (stage->base < stage->min || stage->base > stage->max)
      return fail_value ("base", bad_key, error,
                         "“base” must lie between “min” and “max”");
    if (stage->duration_s / stage->step_s > MAX_SEGMENTS - 1)
      return fail_value ("step_s", bad_key, error,
                         "“step_s” is too short for the stage's duration");
    return TRUE;

  case STAMPEDE_N_STAGE_KINDS:
  default:
    return fail_value ("kind", bad_key, error, "unknown stage kind");
  }
}

/**
 * stampede_stage_validate:
 * @stage: a stage
 * @bad_key: (out) (optional) (transfer none): where to store the name of
 *   the key whose value is wrong
 * @error: return location for a #GError
 *
 * Checks that every value of @stage makes sense for its kind.
 *
 * Returns: %TRUE when @stage is valid
 */
gboolean
stampede_stage_validate (const StampedeStage  *stage,
                         const char          **bad_key,
                         GError              **error)
{
  const char *key = NULL;

  g_return_val_if_fail (stage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stage->kind >= STAMPEDE_N_STAGE_KINDS) {
    fail_value ("kind", &key, error, "unknown stage kind");
  } else if (!(isfinite (stage->duration_s) && stage->duration_s > 0 &&
               stage->duration_s <= STAMPEDE_LOAD_SHAPE_MAX_DURATION)) {
    key = "duration_s";
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
                 "“duration_s” must be greater than 0 and at most %g s, "
                 "not %g", STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                 stage->duration_s);
  } else if (validate_kind_fields (stage, &key, error)) {
    return TRUE;
  }

  if (bad_key != NULL)
    *bad_key = key;

  return FALSE;
}

static const StageKey *
find_key (const StageKey *keys,
          const char     *name)
{
  for (guint i = 0; keys[i].name != NULL; i++) {
    if (strcmp (keys[i].name, name) == 0)
      return &keys[i];
  }

  return NULL;
}

static char *
list_keys (const StageKey *keys)
{
  g_autoptr(GString) list = g_string_new ("kind");

  for (guint i = 0; keys[i].name != NULL; i++)
    g_string_append_printf (list, ", %s", keys[i].name);

  return g_string_free (g_steal_pointer (&list), FALSE);
}

static gboolean
read_number (JsonNode    *node,
             const char  *key,
             double      *value,
             GError     **error)
{
  GType type = json_node_get_value_type (node);

  if (JSON_NODE_HOLDS_VALUE (node) &&
      (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)) {
    *value = json_node_get_double (node);
    return TRUE;
  }

  g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
               STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
               "“%s” must be a number", key);

  return FALSE;
}

static gboolean
read_seed (JsonNode  *node,
           guint64   *value,
           GError   **error)
{
  if (JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) >= 0) {
    *value = (guint64) json_node_get_int (node);
    return TRUE;
  }

  g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
               STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
               "“seed” must be a whole number from 0 to %" G_GINT64_FORMAT,
               G_MAXINT64);

  return FALSE;
}

static gboolean
read_kind (JsonObject         *object,
           StampedeStageKind  *kind,
           GError            **error)
{
  JsonNode *node = json_object_get_member (object, "kind");
  const char *name;

  if (node == NULL) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_MISSING,
                 "missing key “kind” (one of ramp, sustained, burst, "
                 "wave, chaos)");
    return FALSE;
  }

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
                 "“kind” must be a string");
    return FALSE;
  }

  name = json_node_get_string (node);
  if (!stampede_stage_kind_from_string (name, kind)) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
                 "unknown stage kind “%s” (one of ramp, sustained, burst, "
                 "wave, chaos)", name);
    return FALSE;
  }

  return TRUE;
}

/* Reads every member but "kind" into @stage; on failure, *bad_key names
 * the member at fault. */
static gboolean
read_members (JsonObject     *object,
              const StageKey *keys,
              StampedeStage  *stage,
              const char    **bad_key,
              GError        **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *node = json_object_get_member (object, name);
    const StageKey *key;
    gboolean ok;

    if (strcmp (name, "kind") == 0)
      continue;

    *bad_key = name;
    key = find_key (keys, name);
    if (key == NULL) {
      g_autofree char *valid = list_keys (keys);

      g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                   STAMPEDE_LOAD_SHAPE_ERROR_UNKNOWN_KEY,
                   "unknown key “%s” in a %s stage (valid keys: %s)",
                   name, kind_names[stage->kind], valid);
      return FALSE;
    }

    if (strcmp (name, "seed") == 0)
      ok = read_seed (node, &stage->seed, error);
    else
      ok = read_number (node, name,
                        G_STRUCT_MEMBER_P (stage, key->offset), error);
    if (!ok)
      return FALSE;
  }

  *bad_key = NULL;

  return TRUE;
}

/**
 * stampede_stage_from_json:
 * @node: a JSON object describing one stage
 * @stage: (out caller-allocates): where to store the stage
 * @bad_key: (out) (optional) (nullable) (transfer full): where to store the
 *   name of the member at fault, or %NULL when the fault is the object's
 * @error: return location for a #GError
 *
 * Reads and validates one stage.  Unknown members, missing ones and
 * values of the wrong type are errors.
 *
 * Returns: %TRUE when @stage was filled in
 */
gboolean
stampede_stage_from_json (JsonNode       *node,
                          StampedeStage  *stage,
                          char          **bad_key,
                          GError        **error)
{
  StampedeStage result = { 0 };
  const char *key = NULL;
  const StageKey *keys;
  JsonObject *object;
  gboolean ok = FALSE;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bad_key != NULL)
    *bad_key = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
                 "a stage must be an object");
    return FALSE;
  }

  object = json_node_get_object (node);
  if (!read_kind (object, &result.kind, error)) {
    if (json_object_has_member (object, "kind"))
      key = "kind";
    goto out;
  }

  keys = kind_keys[result.kind];
  if (!read_members (object, keys, &result, &key, error))
    goto out;

  for (guint i = 0; keys[i].name != NULL; i++) {
    if (!json_object_has_member (object, keys[i].name)) {
      g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                   STAMPEDE_LOAD_SHAPE_ERROR_MISSING,
                   "missing key “%s” in a %s stage", keys[i].name,
                   kind_names[result.kind]);
      goto out;
    }
  }

  ok = stampede_stage_validate (&result, &key, error);
  if (ok)
    *stage = result;

out:
  if (!ok && bad_key != NULL)
    *bad_key = g_strdup (key);

  return ok;
}

/**
 * stampede_stage_to_json:
 * @stage: a stage
 * @builder: a builder where an object value may be added
 *
 * Adds @stage as an object with "kind" and the members of its kind, the
 * form that stampede_stage_from_json() reads.
 */
void
stampede_stage_to_json (const StampedeStage *stage,
                        JsonBuilder         *builder)
{
  const StageKey *keys;

  g_return_if_fail (stage != NULL);
  g_return_if_fail (stage->kind < STAMPEDE_N_STAGE_KINDS);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  keys = kind_keys[stage->kind];

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[stage->kind]);

  for (guint i = 0; keys[i].name != NULL; i++) {
    json_builder_set_member_name (builder, keys[i].name);
    if (strcmp (keys[i].name, "seed") == 0)
      json_builder_add_int_value (builder, (gint64) stage->seed);
    else
      json_builder_add_double_value (builder,
                                     G_STRUCT_MEMBER (double, stage,
                                                      keys[i].offset));
  }

  json_builder_end_object (builder);
}

/**
 * stampede_stage_scale:
 * @stage: a stage
 * @factor: what to multiply every rate by
 *
 * Multiplies every rate of @stage by @factor, leaving its times alone.
 */
void
stampede_stage_scale (StampedeStage *stage,
                      double         factor)
{
  g_return_if_fail (stage != NULL);

  stage->from *= factor;
  stage->to *= factor;
  stage->rate *= factor;
  stage->base *= factor;
  stage->peak *= factor;
  stage->amplitude *= factor;
  stage->min *= factor;
  stage->max *= factor;
}

/**
 * stampede_stage_peak_rate:
 * @stage: a stage
 *
 * Returns: the highest rate @stage can ask for
 */
double
stampede_stage_peak_rate (const StampedeStage *stage)
{
  g_return_val_if_fail (stage != NULL, 0);

  switch (stage->kind) {
  case STAMPEDE_STAGE_RAMP:
    return MAX (stage->from, stage->to);
  case STAMPEDE_STAGE_SUSTAINED:
    return stage->rate;
  case STAMPEDE_STAGE_BURST:
    return MAX (stage->base, stage->peak);
  case STAMPEDE_STAGE_WAVE:
    return stage->base + stage->amplitude;
  case STAMPEDE_STAGE_CHAOS:
    return stage->max;
  case STAMPEDE_N_STAGE_KINDS:
  default:
    return 0;
  }
}

static double
segment_count (const Segment *seg,
               double         t)
{
  double dt = t - seg->t0;

  if (seg->kind == SEGMENT_LINEAR)
    return seg->r0 * dt + 0.5 * seg->slope * dt * dt;

  return seg->base * dt +
         seg->amplitude / seg->omega *
         (cos (seg->omega * (seg->t0 - seg->origin)) -
          cos (seg->omega * (t - seg->origin)));
}

static double
segment_rate (const Segment *seg,
              double         t)
{
  if (seg->kind == SEGMENT_LINEAR)
    return seg->r0 + seg->slope * (t - seg->t0);

  return seg->base + seg->amplitude * sin (seg->omega * (t - seg->origin));
}

static void
append_segment (GArray  *segments,
                Segment *seg)
{
  seg->c0 = 0;
  if (segments->len > 0)
    seg->c0 = g_array_index (segments, Segment, segments->len - 1).c1;
  seg->c1 = seg->c0 + segment_count (seg, seg->t1);

  g_array_append_val (segments, *seg);
}

static void
append_linear (GArray *segments,
               double  t0,
               double  t1,
               double  r0,
               double  slope)
{
  Segment seg = { SEGMENT_LINEAR, t0, t1 };

  seg.r0 = r0;
  seg.slope = slope;
  append_segment (segments, &seg);
}

/* The bursts start at every_s / 2 + j every_s into the stage, so a stage
 * opens with half a quiet period and a short stage still sees a burst. */
static void
compile_burst (GArray              *segments,
               const StampedeStage *stage,
               double               start)
{
  double d = stage->duration_s;
  double u = 0;

  for (guint64 j = 0; u < d; j++) {
    double burst = stage->every_s * (0.5 + (double) j);
    double end = MIN (burst, d);

    if (end > u)
      append_linear (segments, start + u, start + end, stage->base, 0);
    u = end;
    if (u >= d)
      break;

    end = MIN (burst + stage->burst_s, d);
    append_linear (segments, start + u, start + end, stage->peak, 0);
    u = end;
  }
}

/* Each step moves the walk by a uniform amount of at most a quarter of
 * the allowed range, then clamps it, so the rate wanders across the range
 * in a handful of steps without jumping from one end to the other. */
static void
compile_chaos (GArray              *segments,
               const StampedeStage *stage,
               double               start)
{
  double spread = 0.25 * (stage->max - stage->min);
  double value = stage->base;
  guint64 s[4];

  rng_seed (s, stage->seed);

  for (guint64 i = 0; (double) i * stage->step_s < stage->duration_s; i++) {
    double u0 = (double) i * stage->step_s;
    double u1 = MIN (u0 + stage->step_s, stage->duration_s);
    double next = value + spread * (2.0 * rng_uniform_open (s) - 1.0);

    next = CLAMP (next, stage->min, stage->max);
    append_linear (segments, start + u0, start + u1, value,
                   (next - value) / stage->step_s);
    value = next;
  }
}

static void
compile_stage (GArray              *segments,
               const StampedeStage *stage,
               double               start)
{
  double end = start + stage->duration_s;
  Segment seg = { SEGMENT_SINE, start, end };

  switch (stage->kind) {
  case STAMPEDE_STAGE_RAMP:
    append_linear (segments, start, end, stage->from,
                   (stage->to - stage->from) / stage->duration_s);
    break;

  case STAMPEDE_STAGE_SUSTAINED:
    append_linear (segments, start, end, stage->rate, 0);
    break;

  case STAMPEDE_STAGE_BURST:
    compile_burst (segments, stage, start);
    break;

  case STAMPEDE_STAGE_WAVE:
    seg.base = stage->base;
    seg.amplitude = stage->amplitude;
    seg.omega = 2 * G_PI / stage->period_s;
    seg.origin = start;
    append_segment (segments, &seg);
    break;

  case STAMPEDE_STAGE_CHAOS:
    compile_chaos (segments, stage, start);
    break;

  case STAMPEDE_N_STAGE_KINDS:
  default:
    g_assert_not_reached ();
  }
}

/**
 * stampede_load_shape_new:
 * @stages: (array length=n_stages): the stages, run one after another
 * @n_stages: how many there are, at least one
 * @error: return location for a #GError
 *
 * Makes a load shape of @stages; the first starts at time 0.
 *
 * Returns: (transfer full) (nullable): the shape, or %NULL with @error set
 *   when a stage is invalid (the message names its index, from 0, and key)
 */
StampedeLoadShape *
stampede_load_shape_new (const StampedeStage  *stages,
                         guint                 n_stages,
                         GError              **error)
{
  g_autoptr(StampedeLoadShape) self = NULL;
  double start = 0;

  g_return_val_if_fail (stages != NULL || n_stages == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_stages == 0) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_MISSING,
                 "a load shape needs at least one stage");
    return NULL;
  }

  for (guint i = 0; i < n_stages; i++) {
    const char *key = NULL;

    if (!stampede_stage_validate (&stages[i], &key, error)) {
      g_prefix_error (error, "stage %u: ", i);
      return NULL;
    }
    start += stages[i].duration_s;
  }

  if (start > STAMPEDE_LOAD_SHAPE_MAX_DURATION) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_VALUE,
                 "the stages last %g s together, more than %g s", start,
                 STAMPEDE_LOAD_SHAPE_MAX_DURATION);
    return NULL;
  }

  self = g_new0 (StampedeLoadShape, 1);
  self->stages = g_array_sized_new (FALSE, FALSE, sizeof (StampedeStage),
                                    n_stages);
  g_array_append_vals (self->stages, stages, n_stages);
  self->segments = g_array_new (FALSE, FALSE, sizeof (Segment));

  start = 0;
  for (guint i = 0; i < n_stages; i++) {
    compile_stage (self->segments, &stages[i], start);
    start += stages[i].duration_s;
  }
  self->duration = start;

  return g_steal_pointer (&self);
}

/**
 * stampede_load_shape_new_from_json:
 * @array: a JSON array of stage objects
 * @error_path: (out) (optional) (nullable) (transfer full): where to store
 *   the JSON pointer, relative to @array, of the value at fault, such as
 *   "/2/duration_s"
 * @error: return location for a #GError
 *
 * Reads a load shape from its stages (see stampede_stage_from_json()).
 *
 * Returns: (transfer full) (nullable): the shape, or %NULL with @error set
 */
StampedeLoadShape *
stampede_load_shape_new_from_json (JsonNode  *array,
                                   char     **error_path,
                                   GError   **error)
{
  g_autoptr(GArray) stages = NULL;
  JsonArray *items;
  StampedeLoadShape *self;

  g_return_val_if_fail (array != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (error_path != NULL)
    *error_path = NULL;

  if (!JSON_NODE_HOLDS_ARRAY (array)) {
    g_set_error (error, STAMPEDE_LOAD_SHAPE_ERROR,
                 STAMPEDE_LOAD_SHAPE_ERROR_TYPE,
                 "the stages must be an array");
    if (error_path != NULL)
      *error_path = g_strdup ("");
    return NULL;
  }

  items = json_node_get_array (array);
  stages = g_array_new (FALSE, TRUE, sizeof (StampedeStage));
  g_array_set_size (stages, json_array_get_length (items));

  for (guint i = 0; i < stages->len; i++) {
    g_autofree char *key = NULL;
    JsonNode *node = json_array_get_element (items, i);

    if (!stampede_stage_from_json (node,
                                   &g_array_index (stages, StampedeStage, i),
                                   &key, error)) {
      g_prefix_error (error, "stage %u: ", i);
      if (error_path != NULL && key != NULL)
        *error_path = g_strdup_printf ("/%u/%s", i, key);
      else if (error_path != NULL)
        *error_path = g_strdup_printf ("/%u", i);
      return NULL;
    }
  }

  self = stampede_load_shape_new ((const StampedeStage *) stages->data,
                                  stages->len, error);
  if (self == NULL && error_path != NULL)
    *error_path = g_strdup ("");

  return self;
}

/**
 * stampede_load_shape_free:
 * @self: (transfer full): a load shape
 *
 * Frees @self.
 */
void
stampede_load_shape_free (StampedeLoadShape *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->stages, g_array_unref);
  g_clear_pointer (&self->segments, g_array_unref);
  g_free (self);
}

/**
 * stampede_load_shape_get_stages:
 * @self: a load shape
 * @n_stages: (out): where to store the number of stages
 *
 * Returns the stages as they stand, including the change made by
 * stampede_load_shape_set_rate_from(): the stage it fell in is cut short
 * and a sustained stage follows.
 *
 * Returns: (transfer none) (array length=n_stages): the stages
 */
const StampedeStage *
stampede_load_shape_get_stages (StampedeLoadShape *self,
                                guint             *n_stages)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_stages != NULL, NULL);

  *n_stages = self->stages->len;

  return (const StampedeStage *) self->stages->data;
}

/**
 * stampede_load_shape_duration:
 * @self: a load shape
 *
 * Returns: the length of the shape in seconds, all stages together
 */
double
stampede_load_shape_duration (StampedeLoadShape *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->duration;
}

/* Finds the segment with t0 <= t < t1, given 0 <= t < duration. */
static guint
segment_at_time (StampedeLoadShape *self,
                 double             t)
{
  const Segment *segs = (const Segment *) self->segments->data;
  guint lo = 0;
  guint hi = self->segments->len;

  while (hi - lo > 1) {
    guint mid = lo + (hi - lo) / 2;

    if (segs[mid].t0 <= t)
      lo = mid;
    else
      hi = mid;
  }

  return lo;
}

/**
 * stampede_load_shape_rate_at:
 * @self: a load shape
 * @t: seconds since the start
 *
 * Returns: the rate asked for at @t, in arrivals/s; 0 outside the shape
 */
double
stampede_load_shape_rate_at (StampedeLoadShape *self,
                             double             t)
{
  const Segment *seg;

  g_return_val_if_fail (self != NULL, 0);

  if (!(t >= 0 && t < self->duration))
    return 0;

  seg = &g_array_index (self->segments, Segment, segment_at_time (self, t));

  return MAX (0, segment_rate (seg, t));
}

static double
total_count (StampedeLoadShape *self)
{
  return g_array_index (self->segments, Segment, self->segments->len - 1).c1;
}

/**
 * stampede_load_shape_count_until:
 * @self: a load shape
 * @t: seconds since the start
 *
 * Returns: the integral of the rate over [0, @t]: the expected number of
 *   arrivals by @t
 */
double
stampede_load_shape_count_until (StampedeLoadShape *self,
                                 double             t)
{
  const Segment *seg;

  g_return_val_if_fail (self != NULL, 0);

  if (!(t > 0))
    return 0;
  if (t >= self->duration)
    return total_count (self);

  seg = &g_array_index (self->segments, Segment, segment_at_time (self, t));

  return seg->c0 + segment_count (seg, t);
}

/**
 * stampede_load_shape_total:
 * @self: a load shape
 *
 * Returns: the number of arrivals of a uniform schedule: the integral of
 *   the rate over the whole shape, rounded down
 */
guint64
stampede_load_shape_total (StampedeLoadShape *self)
{
  double n;

  g_return_val_if_fail (self != NULL, 0);

  n = total_count (self);

  return (guint64) floor (n + count_tolerance (n));
}

/* Finds the first segment whose end count reaches @c (0 < c <= total),
 * starting from the one used last: arrivals come in order, so it is
 * nearly always that one or the next. */
static guint
segment_for_count (StampedeLoadShape *self,
                   double             c)
{
  const Segment *segs = (const Segment *) self->segments->data;
  guint n = self->segments->len;
  guint i = MIN (self->cursor, n - 1);
  guint lo;
  guint hi;

  if (segs[i].c0 < c || i == 0) {
    for (guint steps = 0; i < n && steps < 8; i++, steps++) {
      if (segs[i].c1 >= c)
        return self->cursor = i;
    }
  }

  lo = 0;
  hi = n - 1;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;

    if (segs[mid].c1 >= c)
      hi = mid;
    else
      lo = mid + 1;
  }

  return self->cursor = lo;
}

static double
invert_linear (const Segment *seg,
               double         d)
{
  double disc = seg->r0 * seg->r0 + 2 * seg->slope * d;
  double denom = seg->r0 + sqrt (MAX (0, disc));

  /* This form of the quadratic's root keeps its precision when the slope
   * is tiny or zero, where the textbook form cancels. */
  if (denom <= 0)
    return 0;

  return 2 * d / denom;
}

/* Solves for the time inside a sine segment.  N is base τ plus a term of
 * at most amplitude · period / π, which brackets the root tightly; Newton
 * steps converge fast and a step that leaves the bracket, or meets a zero
 * rate, falls back to bisection. */
static double
invert_sine (const Segment *seg,
             double         d)
{
  double len = seg->t1 - seg->t0;
  double spread = 2 * seg->amplitude / seg->omega;
  double lo = MAX (0, (d - spread) / seg->base);
  double hi = MIN (len, (d + spread) / seg->base);
  double tau;

  if (seg->base <= 0)
    return 0;

  tau = CLAMP (d / seg->base, lo, hi);
  for (guint i = 0; i < 200 && hi - lo > TIME_TOLERANCE; i++) {
    double f = segment_count (seg, seg->t0 + tau) - d;
    double rate = segment_rate (seg, seg->t0 + tau);
    double next;

    if (f == 0)
      return tau;
    if (f > 0)
      hi = tau;
    else
      lo = tau;

    next = rate > 0 ? tau - f / rate : lo - 1;
    if (!(next > lo && next < hi))
      next = 0.5 * (lo + hi);
    if (fabs (next - tau) < TIME_TOLERANCE)
      return next;
    tau = next;
  }

  return tau;
}

static double
time_of_count (StampedeLoadShape *self,
               double             c)
{
  const Segment *seg;
  double total = total_count (self);
  double tau;
  double d;

  if (c <= 0)
    return 0;
  if (c > total + count_tolerance (total))
    return INFINITY;
  if (c >= total)
    c = total;

  seg = &g_array_index (self->segments, Segment, segment_for_count (self, c));
  d = c - seg->c0;
  if (d <= 0)
    return seg->t0;

  if (seg->kind == SEGMENT_LINEAR)
    tau = invert_linear (seg, d);
  else
    tau = invert_sine (seg, d);

  return seg->t0 + CLAMP (tau, 0, seg->t1 - seg->t0);
}

/**
 * stampede_load_shape_time_of:
 * @self: a load shape
 * @k: an arrival's index, from 0
 *
 * Gives the time of arrival @k of a uniform schedule: the earliest t at
 * which stampede_load_shape_count_until() reaches @k.  Arrival 0 is at 0.
 * Fast when called with increasing @k.
 *
 * Returns: the time in seconds since the start, or infinity when the
 *   shape ends before the count reaches @k
 */
double
stampede_load_shape_time_of (StampedeLoadShape *self,
                             guint64            k)
{
  g_return_val_if_fail (self != NULL, INFINITY);

  return time_of_count (self, (double) k);
}

/* Cuts the stage list at @t, which falls inside the shape, the way the
 * segments are cut: the stage holding @t ends there and later ones go. */
static void
cut_stages (StampedeLoadShape *self,
            double             t,
            double             rate)
{
  StampedeStage tail = stampede_stage_sustained (rate, self->duration - t);
  double start = 0;
  guint i;

  for (i = 0; i < self->stages->len; i++) {
    StampedeStage *stage = &g_array_index (self->stages, StampedeStage, i);
    double end = start + stage->duration_s;

    if (t < end) {
      double kept = t - start;

      /* A shortened ramp ends at the rate it had reached at @t. */
      if (stage->kind == STAMPEDE_STAGE_RAMP && kept > 0)
        stage->to = stage->from +
                    (stage->to - stage->from) * kept / stage->duration_s;
      stage->duration_s = kept;
      break;
    }
    start = end;
  }

  if (i < self->stages->len &&
      g_array_index (self->stages, StampedeStage, i).duration_s > 0)
    i++;
  g_array_set_size (self->stages, i);
  g_array_append_val (self->stages, tail);
}

/**
 * stampede_load_shape_set_rate_from:
 * @self: a load shape
 * @t: seconds since the start
 * @rate: the new rate, in arrivals/s
 *
 * Makes the rate constant at @rate from @t to the end of the shape; the
 * shape keeps its duration and nothing before @t changes, so arrivals
 * already scheduled keep their times.
 */
void
stampede_load_shape_set_rate_from (StampedeLoadShape *self,
                                   double             t,
                                   double             rate)
{
  Segment *seg;
  guint i;

  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (t));
  g_return_if_fail (isfinite (rate) && rate >= 0 &&
                    rate <= STAMPEDE_LOAD_SHAPE_MAX_RATE);

  t = MAX (0, t);
  if (t >= self->duration)
    return;

  cut_stages (self, t, rate);

  i = segment_at_time (self, t);
  seg = &g_array_index (self->segments, Segment, i);
  if (t > seg->t0) {
    seg->t1 = t;
    seg->c1 = seg->c0 + segment_count (seg, t);
    i++;
  }
  g_array_set_size (self->segments, i);
  append_linear (self->segments, t, self->duration, rate, 0);
  self->cursor = MIN (self->cursor, i);
}

/**
 * stampede_poisson_arrivals_init:
 * @arrivals: (out caller-allocates): the state to set up
 * @seed: the stream's seed
 *
 * Starts a Poisson arrival stream; the same seed over the same shape gives
 * the same arrival times.
 */
void
stampede_poisson_arrivals_init (StampedePoissonArrivals *arrivals,
                                guint64                  seed)
{
  g_return_if_fail (arrivals != NULL);

  rng_seed (arrivals->s, seed);
  arrivals->next_count = 0;
  arrivals->has_next = FALSE;
}

/**
 * stampede_load_shape_poisson_next:
 * @self: a load shape
 * @arrivals: a Poisson stream's state
 * @t: (out): where to store the next arrival's time
 *
 * Draws the next arrival of an inhomogeneous Poisson process whose
 * intensity is the shape's rate.  It works by time rescaling: the gaps of
 * a unit-rate process are drawn in count space and each point c is mapped
 * to the time where the integral of the rate reaches c, so the expected
 * number of arrivals in any window is the integral over it.
 *
 * Returns: %TRUE with *@t set, or %FALSE when the next arrival would fall
 *   after the shape's end (it is kept, should the rate change)
 */
gboolean
stampede_load_shape_poisson_next (StampedeLoadShape       *self,
                                  StampedePoissonArrivals *arrivals,
                                  double                  *t)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (arrivals != NULL, FALSE);
  g_return_val_if_fail (t != NULL, FALSE);

  if (!arrivals->has_next) {
    arrivals->next_count += -log (rng_uniform_open (arrivals->s));
    arrivals->has_next = TRUE;
  }

  if (arrivals->next_count > total_count (self))
    return FALSE;

  *t = time_of_count (self, arrivals->next_count);
  arrivals->has_next = FALSE;

  return TRUE;
}
