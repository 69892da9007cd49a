/* stampede-snapshot.c — an immutable picture of a run at one instant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-snapshot.h"

#include <math.h>

#include <gio/gio.h>

G_DEFINE_BOXED_TYPE (StampedeSnapshot, stampede_snapshot,
                     stampede_snapshot_ref, stampede_snapshot_unref)

static const char * const outcome_names[] = {
  [STAMPEDE_OUTCOME_OK] = "ok",
  [STAMPEDE_OUTCOME_DECLINED] = "declined",
  [STAMPEDE_OUTCOME_HTTP_ERROR] = "http_error",
  [STAMPEDE_OUTCOME_TRANSPORT_ERROR] = "transport_error",
  [STAMPEDE_OUTCOME_TIMEOUT] = "timeout",
  [STAMPEDE_OUTCOME_DROPPED] = "dropped",
};

static const char * const state_names[] = {
  [STAMPEDE_RUN_IDLE] = "idle",
  [STAMPEDE_RUN_RUNNING] = "running",
  [STAMPEDE_RUN_STOPPING] = "stopping",
  [STAMPEDE_RUN_FINISHED] = "finished",
};

/* The names the target uses for its agents in the score answer. */
static const char * const agent_names[] = {
  [STAMPEDE_AGENT_ANALYZER] = "transaction_analyzer",
  [STAMPEDE_AGENT_PATTERN] = "pattern_detector",
  [STAMPEDE_AGENT_GEO] = "geo_risk",
  [STAMPEDE_AGENT_REASONING] = "reasoning",
};

G_STATIC_ASSERT (G_N_ELEMENTS (outcome_names) == STAMPEDE_N_OUTCOMES);
G_STATIC_ASSERT (G_N_ELEMENTS (agent_names) == STAMPEDE_N_AGENTS);

/**
 * stampede_snapshot_new:
 *
 * Creates a snapshot with every figure at zero and the state idle, for the
 * engine to fill in before it shares it.
 *
 * Returns: (transfer full): a new snapshot
 */
StampedeSnapshot *
stampede_snapshot_new (void)
{
  return g_atomic_rc_box_new0 (StampedeSnapshot);
}

StampedeSnapshot *
stampede_snapshot_ref (StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
stampede_snapshot_unref (StampedeSnapshot *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release (self);
}

/* Transactions the target answered: approved, sent to review or
 * declined. */
guint64
stampede_snapshot_answered (const StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->outcomes[STAMPEDE_OUTCOME_OK]
         + self->outcomes[STAMPEDE_OUTCOME_DECLINED];
}

/* Transactions sent but not answered properly.  Dropped arrivals are not
 * errors of the target: the engine never sent them. */
guint64
stampede_snapshot_errors (const StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR]
         + self->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR]
         + self->outcomes[STAMPEDE_OUTCOME_TIMEOUT];
}

static double
ratio (guint64 num,
       guint64 den)
{
  return den == 0 ? 0 : (double) num / (double) den;
}

double
stampede_snapshot_accuracy (const StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return ratio (self->true_pos + self->true_neg,
                self->true_pos + self->false_pos
                + self->true_neg + self->false_neg);
}

double
stampede_snapshot_precision (const StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return ratio (self->true_pos, self->true_pos + self->false_pos);
}

double
stampede_snapshot_recall (const StampedeSnapshot *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return ratio (self->true_pos, self->true_pos + self->false_neg);
}

const char *
stampede_outcome_to_string (StampedeOutcome outcome)
{
  g_return_val_if_fail (outcome < STAMPEDE_N_OUTCOMES, NULL);

  return outcome_names[outcome];
}

const char *
stampede_run_state_to_string (StampedeRunState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

const char *
stampede_agent_to_string (StampedeAgent agent)
{
  g_return_val_if_fail (agent < STAMPEDE_N_AGENTS, NULL);

  return agent_names[agent];
}

/**
 * stampede_json_add_count:
 * @builder: a builder inside an object
 * @key: the member's name
 * @value: a count
 *
 * Adds a count as a JSON integer, saturated at the largest one JSON
 * readers here take.
 */
void
stampede_json_add_count (JsonBuilder *builder,
                         const char  *key,
                         guint64      value)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, (gint64) MIN (value, G_MAXINT64));
}

/**
 * stampede_json_add_double:
 * @builder: a builder inside an object
 * @key: the member's name
 * @value: a figure
 *
 * Adds a figure as a JSON number.
 */
void
stampede_json_add_double (JsonBuilder *builder,
                          const char  *key,
                          double       value)
{
  g_return_if_fail (JSON_IS_BUILDER (builder));

  /* JSON has no NaN or infinity; a figure that is not a number (a 0/0
   * upstream) is written as 0 rather than as a document nobody can read. */
  json_builder_set_member_name (builder, key);
  json_builder_add_double_value (builder, isfinite (value) ? value : 0);
}

/**
 * stampede_latency_to_json:
 * @latency: latency figures
 * @key: the member's name
 * @builder: a builder inside an object
 *
 * Adds @latency as an object with count, mean, p50, p95, p99 and max.
 */
void
stampede_latency_to_json (const StampedeLatency *latency,
                          const char            *key,
                          JsonBuilder           *builder)
{
  g_return_if_fail (latency != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, key);
  json_builder_begin_object (builder);
  stampede_json_add_count (builder, "count", latency->count);
  stampede_json_add_double (builder, "mean", latency->mean);
  stampede_json_add_double (builder, "p50", latency->p50);
  stampede_json_add_double (builder, "p95", latency->p95);
  stampede_json_add_double (builder, "p99", latency->p99);
  stampede_json_add_double (builder, "max", latency->max);
  json_builder_end_object (builder);
}

static void
add_baseline (JsonBuilder            *builder,
              const StampedeSnapshot *self)
{
  json_builder_set_member_name (builder, "baseline");
  json_builder_begin_object (builder);
  stampede_json_add_count (builder, "tp", self->baseline_tp);
  stampede_json_add_count (builder, "fp", self->baseline_fp);
  stampede_json_add_count (builder, "tn", self->baseline_tn);
  stampede_json_add_count (builder, "fn", self->baseline_fn);
  stampede_json_add_double (builder, "mean_us", self->baseline_mean_us);
  json_builder_end_object (builder);
}

/* Samples are written as bare arrays, [outcome, is_fraud, latency_ms,
 * agent_ms × 4], because up to 256 of them go out ten times a second. */
static void
add_samples (JsonBuilder            *builder,
             const StampedeSnapshot *self)
{
  json_builder_set_member_name (builder, "samples");
  json_builder_begin_object (builder);
  stampede_json_add_double (builder, "represents", self->sample_represents);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < MIN (self->n_samples, STAMPEDE_SNAPSHOT_MAX_SAMPLES);
       i++) {
    const StampedeTxSample *sample = &self->samples[i];

    json_builder_begin_array (builder);
    json_builder_add_int_value (builder, sample->outcome);
    json_builder_add_int_value (builder, sample->is_fraud);
    json_builder_add_double_value (builder, sample->latency_ms);
    for (guint j = 0; j < 4; j++)
      json_builder_add_double_value (builder, sample->agent_ms[j]);
    json_builder_end_array (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/**
 * stampede_snapshot_to_json:
 * @self: a snapshot
 * @builder: a builder expecting a value
 *
 * Adds @self to @builder as one JSON object holding every field, in the
 * form stampede_snapshot_new_from_json() reads back.  Doubles are written
 * with enough digits to read back exactly.
 */
void
stampede_snapshot_to_json (const StampedeSnapshot *self,
                           JsonBuilder            *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder,
                                 stampede_run_state_to_string (self->state));
  json_builder_set_member_name (builder, "aborted");
  json_builder_add_boolean_value (builder, self->aborted);
  stampede_json_add_double (builder, "elapsed_s", self->elapsed_s);
  stampede_json_add_double (builder, "duration_s", self->duration_s);
  stampede_json_add_double (builder, "target_rate", self->target_rate);
  stampede_json_add_double (builder, "achieved_rate", self->achieved_rate);
  stampede_json_add_double (builder, "completed_rate", self->completed_rate);
  stampede_json_add_count (builder, "arrivals", self->arrivals);
  stampede_json_add_count (builder, "in_flight", self->in_flight);

  json_builder_set_member_name (builder, "outcomes");
  json_builder_begin_object (builder);
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    stampede_json_add_count (builder, outcome_names[i], self->outcomes[i]);
  json_builder_end_object (builder);
  stampede_json_add_count (builder, "retries", self->retries);

  json_builder_set_member_name (builder, "latency_ms");
  json_builder_begin_object (builder);
  stampede_latency_to_json (&self->interval, "interval", builder);
  stampede_latency_to_json (&self->run, "run", builder);
  stampede_latency_to_json (&self->service, "service", builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "confusion");
  json_builder_begin_object (builder);
  stampede_json_add_count (builder, "tp", self->true_pos);
  stampede_json_add_count (builder, "fp", self->false_pos);
  stampede_json_add_count (builder, "tn", self->true_neg);
  stampede_json_add_count (builder, "fn", self->false_neg);
  json_builder_end_object (builder);

  stampede_json_add_double (builder, "fraud_value_blocked_usd",
                            self->fraud_value_blocked);

  json_builder_set_member_name (builder, "agents");
  json_builder_begin_object (builder);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    json_builder_set_member_name (builder, agent_names[i]);
    json_builder_begin_object (builder);
    stampede_json_add_double (builder, "mean_ms", self->agent_mean_ms[i]);
    stampede_json_add_count (builder, "count", self->agent_count[i]);
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);

  add_baseline (builder, self);
  add_samples (builder, self);

  json_builder_end_object (builder);
}

/*
 * Reading.  Each getter looks up @key in @object, checks its type, and on
 * failure sets an error naming the key by its full path ("latency_ms.run.
 * p99"), so that whoever sent a bad snapshot can find the culprit.
 */

static JsonNode *
lookup (JsonObject  *object,
        const char  *parent,
        const char  *key,
        GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "Snapshot is missing the key “%s%s%s”",
                 parent, *parent != '\0' ? "." : "", key);
  }

  return node;
}

static void
set_type_error (GError     **error,
                const char  *parent,
                const char  *key,
                const char  *expected)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "Snapshot key “%s%s%s” is not %s",
               parent, *parent != '\0' ? "." : "", key, expected);
}

static JsonObject *
get_object (JsonObject  *object,
            const char  *parent,
            const char  *key,
            GError     **error)
{
  JsonNode *node = lookup (object, parent, key, error);

  if (node == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    set_type_error (error, parent, key, "an object");
    return NULL;
  }

  return json_node_get_object (node);
}

static gboolean
get_double (JsonObject  *object,
            const char  *parent,
            const char  *key,
            double      *out,
            GError     **error)
{
  JsonNode *node = lookup (object, parent, key, error);
  GType type;

  if (node == NULL)
    return FALSE;

  type = json_node_get_value_type (node);
  if (!JSON_NODE_HOLDS_VALUE (node)
      || (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)) {
    set_type_error (error, parent, key, "a number");
    return FALSE;
  }

  *out = json_node_get_double (node);

  return TRUE;
}

static gboolean
get_count (JsonObject  *object,
           const char  *parent,
           const char  *key,
           guint64     *out,
           GError     **error)
{
  JsonNode *node = lookup (object, parent, key, error);

  if (node == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0) {
    set_type_error (error, parent, key, "a whole number of at least 0");
    return FALSE;
  }

  *out = (guint64) json_node_get_int (node);

  return TRUE;
}

static gboolean
read_state (JsonObject        *object,
            StampedeRunState  *out,
            GError           **error)
{
  JsonNode *node = lookup (object, "", "state", error);
  const char *name;

  if (node == NULL)
    return FALSE;

  name = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (state_names); i++) {
    if (g_str_equal (name, state_names[i])) {
      *out = i;
      return TRUE;
    }
  }

  set_type_error (error, "", "state",
                  "one of “idle”, “running”, “stopping”, “finished”");

  return FALSE;
}

static gboolean
read_latency (JsonObject       *latency_ms,
              const char       *key,
              StampedeLatency  *out,
              GError          **error)
{
  g_autofree char *path = g_strconcat ("latency_ms.", key, NULL);
  JsonObject *object = get_object (latency_ms, "latency_ms", key, error);

  return object != NULL
         && get_count (object, path, "count", &out->count, error)
         && get_double (object, path, "mean", &out->mean, error)
         && get_double (object, path, "p50", &out->p50, error)
         && get_double (object, path, "p95", &out->p95, error)
         && get_double (object, path, "p99", &out->p99, error)
         && get_double (object, path, "max", &out->max, error);
}

static gboolean
read_outcomes (JsonObject        *root,
               StampedeSnapshot  *self,
               GError           **error)
{
  JsonObject *outcomes = get_object (root, "", "outcomes", error);

  if (outcomes == NULL)
    return FALSE;

  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++) {
    if (!get_count (outcomes, "outcomes", outcome_names[i],
                    &self->outcomes[i], error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_confusion (JsonObject        *root,
                StampedeSnapshot  *self,
                GError           **error)
{
  JsonObject *confusion = get_object (root, "", "confusion", error);

  return confusion != NULL
         && get_count (confusion, "confusion", "tp", &self->true_pos, error)
         && get_count (confusion, "confusion", "fp", &self->false_pos, error)
         && get_count (confusion, "confusion", "tn", &self->true_neg, error)
         && get_count (confusion, "confusion", "fn", &self->false_neg, error);
}

static gboolean
read_agents (JsonObject        *root,
             StampedeSnapshot  *self,
             GError           **error)
{
  JsonObject *agents = get_object (root, "", "agents", error);

  if (agents == NULL)
    return FALSE;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_autofree char *path = g_strconcat ("agents.", agent_names[i], NULL);
    JsonObject *agent = get_object (agents, "agents", agent_names[i], error);

    if (agent == NULL
        || !get_double (agent, path, "mean_ms", &self->agent_mean_ms[i],
                        error)
        || !get_count (agent, path, "count", &self->agent_count[i], error))
      return FALSE;
  }

  return TRUE;
}

/* The baseline and the samples came later than the other figures; a
 * snapshot without them reads as one with none. */
static gboolean
read_baseline (JsonObject        *root,
               StampedeSnapshot  *self,
               GError           **error)
{
  JsonObject *baseline;

  if (!json_object_has_member (root, "baseline"))
    return TRUE;

  baseline = get_object (root, "", "baseline", error);

  return baseline != NULL
         && get_count (baseline, "baseline", "tp", &self->baseline_tp, error)
         && get_count (baseline, "baseline", "fp", &self->baseline_fp, error)
         && get_count (baseline, "baseline", "tn", &self->baseline_tn, error)
         && get_count (baseline, "baseline", "fn", &self->baseline_fn, error)
         && get_double (baseline, "baseline", "mean_us",
                        &self->baseline_mean_us, error);
}

static gboolean
read_sample (JsonNode          *node,
             guint              index,
             StampedeTxSample  *sample,
             GError           **error)
{
  JsonArray *fields;

  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (fields = json_node_get_array (node)) != 7) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "samples.items[%u] is not an array of 7 numbers", index);
    return FALSE;
  }

  for (guint i = 0; i < 7; i++) {
    JsonNode *field = json_array_get_element (fields, i);

    if (json_node_get_value_type (field) != G_TYPE_INT64
        && json_node_get_value_type (field) != G_TYPE_DOUBLE) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "samples.items[%u][%u] is not a number", index, i);
      return FALSE;
    }
  }

  sample->outcome = (guint8) json_array_get_int_element (fields, 0);
  sample->is_fraud = json_array_get_int_element (fields, 1) != 0;
  sample->latency_ms = (float) json_array_get_double_element (fields, 2);
  for (guint i = 0; i < 4; i++)
    sample->agent_ms[i] = (float) json_array_get_double_element (fields,
                                                                 3 + i);

  if (sample->outcome >= STAMPEDE_N_OUTCOMES) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "samples.items[%u]: outcome %u is not known", index,
                 sample->outcome);
    return FALSE;
  }

  return TRUE;
}

static gboolean
read_samples (JsonObject        *root,
              StampedeSnapshot  *self,
              GError           **error)
{
  JsonObject *samples;
  JsonNode *items;
  JsonArray *array;

  if (!json_object_has_member (root, "samples"))
    return TRUE;

  samples = get_object (root, "", "samples", error);
  if (samples == NULL
      || !get_double (samples, "samples", "represents",
                      &self->sample_represents, error))
    return FALSE;

  items = json_object_get_member (samples, "items");
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "samples.items is missing or not an array");
    return FALSE;
  }

  array = json_node_get_array (items);
  if (json_array_get_length (array) > STAMPEDE_SNAPSHOT_MAX_SAMPLES) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "samples.items holds %u samples; at most %u are allowed",
                 json_array_get_length (array),
                 STAMPEDE_SNAPSHOT_MAX_SAMPLES);
    return FALSE;
  }

  self->n_samples = json_array_get_length (array);
  for (guint i = 0; i < self->n_samples; i++) {
    if (!read_sample (json_array_get_element (array, i), i,
                      &self->samples[i], error))
      return FALSE;
  }

  return TRUE;
}

/* "aborted" came later too; a snapshot without it was not aborted. */
static gboolean
read_aborted (JsonObject        *root,
              StampedeSnapshot  *self,
              GError           **error)
{
  JsonNode *node;

  if (!json_object_has_member (root, "aborted"))
    return TRUE;

  node = json_object_get_member (root, "aborted");
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
    set_type_error (error, "", "aborted", "a boolean");
    return FALSE;
  }

  self->aborted = json_node_get_boolean (node);

  return TRUE;
}

/* "retries" came later as well; a snapshot without it had none. */
static gboolean
read_retries (JsonObject        *root,
              StampedeSnapshot  *self,
              GError           **error)
{
  if (!json_object_has_member (root, "retries"))
    return TRUE;

  return get_count (root, "", "retries", &self->retries, error);
}

/**
 * stampede_snapshot_new_from_json:
 * @node: a JSON object written by stampede_snapshot_to_json()
 * @error: return location for a #GError
 *
 * Reads a snapshot back.  Keys it does not know are ignored, so that a
 * newer engine can add figures; a missing key or a value of the wrong type
 * is an error of %G_IO_ERROR_INVALID_DATA whose message names the key.
 *
 * Returns: (transfer full) (nullable): the snapshot, or %NULL on error
 */
StampedeSnapshot *
stampede_snapshot_new_from_json (JsonNode  *node,
                                 GError   **error)
{
  g_autoptr(StampedeSnapshot) self = NULL;
  JsonObject *root, *latency_ms;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "Snapshot is not a JSON object");
    return NULL;
  }

  root = json_node_get_object (node);
  self = stampede_snapshot_new ();

  if (!read_state (root, &self->state, error)
      || !get_double (root, "", "elapsed_s", &self->elapsed_s, error)
      || !get_double (root, "", "duration_s", &self->duration_s, error)
      || !get_double (root, "", "target_rate", &self->target_rate, error)
      || !get_double (root, "", "achieved_rate", &self->achieved_rate, error)
      || !get_double (root, "", "completed_rate", &self->completed_rate,
                      error)
      || !get_count (root, "", "arrivals", &self->arrivals, error)
      || !get_count (root, "", "in_flight", &self->in_flight, error)
      || !read_outcomes (root, self, error))
    return NULL;

  latency_ms = get_object (root, "", "latency_ms", error);
  if (latency_ms == NULL
      || !read_latency (latency_ms, "interval", &self->interval, error)
      || !read_latency (latency_ms, "run", &self->run, error)
      || !read_latency (latency_ms, "service", &self->service, error))
    return NULL;

  if (!read_aborted (root, self, error)
      || !read_retries (root, self, error)
      || !read_confusion (root, self, error)
      || !get_double (root, "", "fraud_value_blocked_usd",
                      &self->fraud_value_blocked, error)
      || !read_agents (root, self, error)
      || !read_baseline (root, self, error)
      || !read_samples (root, self, error))
    return NULL;

  return g_steal_pointer (&self);
}
