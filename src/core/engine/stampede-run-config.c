/* stampede-run-config.c — what a run is asked to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-request-template.h"
#include "stampede-run-config.h"
#include "stampede-snapshot.h"

#define MAX_RATE        1e6
#define MAX_DURATION_S  86400.0
#define MAX_WORKERS     64
#define MAX_CONNECTIONS 10000
#define MAX_RETRIES     10
#define MAX_RETRY_MS    600000

#define DEFAULT_RETRY_BASE_MS 50
#define DEFAULT_RETRY_CAP_MS  2000

#define DEFAULT_DECISION_POINTER "/decision"
#define DEFAULT_DECLINE_VALUE    "decline"

static const char * const agent_keys[] = {
  "transaction_analyzer", "pattern_detector", "geo_risk", "reasoning",
};

G_STATIC_ASSERT (G_N_ELEMENTS (agent_keys) == STAMPEDE_N_AGENTS);

G_DEFINE_QUARK (stampede-run-config-error-quark, stampede_run_config_error)

G_DEFINE_BOXED_TYPE (StampedeRunConfig, stampede_run_config,
                     stampede_run_config_copy, stampede_run_config_free)

/**
 * stampede_run_config_new:
 *
 * Makes a configuration with the defaults: no target, 100 arrivals per
 * second, no ramp, 10 s, seed 1, workers picked by the engine, 1000
 * requests in flight at most and a 5 s timeout; no stages, uniform
 * arrivals, an open model, no abort; the wire format as request and the
 * default answer mapping ("/decision", declined on "decline"); no
 * retries, with a back-off of 50 ms doubling up to 2 s should they be
 * turned on; libcurl as the transport.
 *
 * Returns: (transfer full): the configuration
 */
StampedeRunConfig *
stampede_run_config_new (void)
{
  StampedeRunConfig *self = g_new0 (StampedeRunConfig, 1);

  self->target_url = NULL;
  self->rate = 100;
  self->ramp_s = 0;
  self->duration_s = 10;
  self->seed = 1;
  self->n_workers = 0;
  self->max_in_flight = 1000;
  self->timeout_ms = 5000;

  self->arrivals = STAMPEDE_ARRIVALS_UNIFORM;
  self->decision_pointer = g_strdup (DEFAULT_DECISION_POINTER);
  self->decline_values = g_new0 (char *, 2);
  self->decline_values[0] = g_strdup (DEFAULT_DECLINE_VALUE);

  self->retry_max = 0;
  self->retry_base_ms = DEFAULT_RETRY_BASE_MS;
  self->retry_cap_ms = DEFAULT_RETRY_CAP_MS;
  self->transport = STAMPEDE_TRANSPORT_CURL;

  return self;
}

/* Gives @self's own copies of every string and array it points to. */
static void
deep_copy_members (StampedeRunConfig *self)
{
  self->target_url = g_strdup (self->target_url);
  self->stages = g_memdup2 (self->stages,
                            sizeof (StampedeStage) * self->n_stages);
  self->request_template = g_strdup (self->request_template);
  self->decision_pointer = g_strdup (self->decision_pointer);
  self->decline_values = g_strdupv (self->decline_values);
  self->score_pointer = g_strdup (self->score_pointer);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    self->agent_ms_pointers[i] = g_strdup (self->agent_ms_pointers[i]);
}

static void
free_members (StampedeRunConfig *self)
{
  g_clear_pointer (&self->target_url, g_free);
  g_clear_pointer (&self->stages, g_free);
  self->n_stages = 0;
  g_clear_pointer (&self->request_template, g_free);
  g_clear_pointer (&self->decision_pointer, g_free);
  g_clear_pointer (&self->decline_values, g_strfreev);
  g_clear_pointer (&self->score_pointer, g_free);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    g_clear_pointer (&self->agent_ms_pointers[i], g_free);
}

StampedeRunConfig *
stampede_run_config_copy (const StampedeRunConfig *self)
{
  StampedeRunConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  deep_copy_members (copy);

  return copy;
}

void
stampede_run_config_free (StampedeRunConfig *self)
{
  if (self == NULL)
    return;

  free_members (self);
  g_free (self);
}

/**
 * stampede_run_config_new_from_spec:
 * @spec: a scenario
 *
 * Makes the configuration that runs @spec: its target (which may be
 * %NULL, to be set by the caller), seed, arrivals, workers, cap on
 * requests in flight, timeout, stages and abort rule; the duration is the
 * stages' total.  Faults and criteria are not part of a run's
 * configuration; the caller applies them.
 *
 * Returns: (transfer full): the configuration
 */
StampedeRunConfig *
stampede_run_config_new_from_spec (const StampedeScenarioSpec *spec)
{
  StampedeRunConfig *self;
  double total = 0;

  g_return_val_if_fail (spec != NULL, NULL);

  self = stampede_run_config_new ();
  self->target_url = g_strdup (spec->target);
  self->seed = spec->seed;
  self->arrivals = spec->arrivals;
  self->n_workers = spec->workers;
  self->max_in_flight = spec->max_in_flight;
  self->timeout_ms = spec->timeout_ms;

  self->stages = g_memdup2 (spec->stages,
                            sizeof (StampedeStage) * spec->n_stages);
  self->n_stages = spec->n_stages;
  for (guint i = 0; i < spec->n_stages; i++)
    total += spec->stages[i].duration_s;
  if (spec->n_stages > 0)
    self->duration_s = total;

  if (spec->has_abort) {
    self->abort_below_share = spec->abort_below_share;
    self->abort_after_s = spec->abort_after_s;
  }

  return self;
}

/**
 * stampede_run_config_uses_default_mapping:
 * @self: a configuration
 *
 * Tells whether requests are the wire format itself and answers are read
 * by the wire contract alone, in which case the engine takes its fast
 * path: a request written straight into its buffer and an answer read by
 * a scanner, with no document tree.
 *
 * Returns: %TRUE for no template, "/decision" declined on "decline" only,
 *   and no score or agent pointers
 */
gboolean
stampede_run_config_uses_default_mapping (const StampedeRunConfig *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->request_template != NULL || self->score_pointer != NULL)
    return FALSE;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    if (self->agent_ms_pointers[i] != NULL)
      return FALSE;

  return g_strcmp0 (self->decision_pointer, DEFAULT_DECISION_POINTER) == 0
         && self->decline_values != NULL
         && g_strv_length (self->decline_values) == 1
         && g_str_equal (self->decline_values[0], DEFAULT_DECLINE_VALUE);
}

static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error,
                     g_error_new_valist (STAMPEDE_RUN_CONFIG_ERROR,
                                         STAMPEDE_RUN_CONFIG_ERROR_INVALID,
                                         format, args));
  va_end (args);

  return FALSE;
}

static gboolean
validate_target (const char  *url,
                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || *url == '\0')
    return invalid (error, "target_url: no target is set; give the full "
                    "http:// or https:// URL transactions are POSTed to");

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return invalid (error, "target_url: “%s” is not a valid URL", url);

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0
      && g_ascii_strcasecmp (scheme, "https") != 0)
    return invalid (error, "target_url: “%s” is not an http:// or "
                    "https:// URL", url);

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return invalid (error, "target_url: “%s” names no host", url);

  return TRUE;
}

/* Checks the syntax of a JSON pointer as RFC 6901 gives it, except that
 * the empty pointer (the whole document) is refused: no figure the engine
 * reads is the whole answer. */
static gboolean
pointer_is_valid (const char *pointer)
{
  if (pointer == NULL || pointer[0] != '/')
    return FALSE;

  for (const char *p = pointer; *p != '\0'; p++)
    if (*p == '~' && p[1] != '0' && p[1] != '1')
      return FALSE;

  return TRUE;
}

static gboolean
validate_pointer (const char  *key,
                  const char  *pointer,
                  gboolean     nullable,
                  GError     **error)
{
  if (pointer == NULL && nullable)
    return TRUE;

  if (!pointer_is_valid (pointer))
    return invalid (error, "%s: “%s” is not a JSON pointer; it must "
                    "start with “/”, with “~” written “~0” and “/” in a "
                    "name “~1”", key, pointer != NULL ? pointer : "(null)");

  return TRUE;
}

/* The back-off is checked even when retries are off, so that turning
 * them on later cannot make a configuration invalid. */
static gboolean
validate_retry (const StampedeRunConfig  *self,
                GError                  **error)
{
  if (self->retry_max > MAX_RETRIES)
    return invalid (error, "retry.max: %u is too many; at most %u",
                    self->retry_max, MAX_RETRIES);

  if (self->retry_base_ms < 1 || self->retry_base_ms > MAX_RETRY_MS)
    return invalid (error, "retry.base_ms: %u is out of range; it must be "
                    "at least 1 and at most %u", self->retry_base_ms,
                    MAX_RETRY_MS);

  if (self->retry_cap_ms < self->retry_base_ms
      || self->retry_cap_ms > MAX_RETRY_MS)
    return invalid (error, "retry.cap_ms: %u is out of range; it must be "
                    "at least retry.base_ms (%u) and at most %u",
                    self->retry_cap_ms, self->retry_base_ms, MAX_RETRY_MS);

  return TRUE;
}

static gboolean
validate_mapping (const StampedeRunConfig  *self,
                  GError                  **error)
{
  if (self->request_template != NULL) {
    g_autoptr(StampedeRequestTemplate) template = NULL;
    g_autoptr(GError) local_error = NULL;

    template = stampede_request_template_new (self->request_template,
                                              &local_error);
    if (template == NULL)
      return invalid (error, "request_template: %s", local_error->message);
  }

  if (!validate_pointer ("response.decision", self->decision_pointer, FALSE,
                         error)
      || !validate_pointer ("response.score", self->score_pointer, TRUE,
                            error))
    return FALSE;

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_autofree char *key = g_strdup_printf ("response.agent_ms[%u]", i);

    if (!validate_pointer (key, self->agent_ms_pointers[i], TRUE, error))
      return FALSE;
  }

  if (self->decline_values == NULL || self->decline_values[0] == NULL)
    return invalid (error, "response.decline_values: none are given; at "
                    "least one decision value must mean declined");

  return TRUE;
}

/* The load: either stages, or a rate with its ramp, or a closed model. */
static gboolean
validate_load (const StampedeRunConfig  *self,
               GError                  **error)
{
  double total = 0;

  if (self->connections > MAX_CONNECTIONS)
    return invalid (error, "connections: %u is too many; at most %u",
                    self->connections, MAX_CONNECTIONS);

  for (guint i = 0; i < self->n_stages; i++) {
    g_autoptr(GError) local_error = NULL;
    const char *key = NULL;

    if (!stampede_stage_validate (&self->stages[i], &key, &local_error))
      return invalid (error, "stages[%u]%s%s: %s", i, key != NULL ? "." : "",
                      key != NULL ? key : "", local_error->message);
    total += self->stages[i].duration_s;
  }

  if (self->n_stages > 0) {
    if (!(total <= MAX_DURATION_S))
      return invalid (error, "stages: they last %g s together, more than "
                      "%g seconds", total, MAX_DURATION_S);
    return TRUE;
  }

  if (!(self->duration_s > 0 && self->duration_s <= MAX_DURATION_S))
    return invalid (error, "duration_s: %g is out of range; it must be "
                    "above 0 and at most %g seconds", self->duration_s,
                    MAX_DURATION_S);

  /* A closed model has no rate: each connection goes as fast as its
   * answers come. */
  if (self->connections > 0)
    return TRUE;

  /* Written so that NaN fails every range check. */
  if (!(self->rate > 0 && self->rate <= MAX_RATE))
    return invalid (error, "rate: %g is out of range; it must be above 0 "
                    "and at most %g arrivals per second", self->rate,
                    MAX_RATE);

  if (!(self->ramp_s >= 0 && self->ramp_s <= self->duration_s))
    return invalid (error, "ramp_s: %g is out of range; it must be from 0 "
                    "to the duration, %g seconds", self->ramp_s,
                    self->duration_s);

  return TRUE;
}

static gboolean
validate_transport (const StampedeRunConfig  *self,
                    GError                  **error)
{
  g_autoptr(GUri) uri = NULL;

  if (self->transport == STAMPEDE_TRANSPORT_CURL)
    return TRUE;
  if (self->transport != STAMPEDE_TRANSPORT_RAW)
    return invalid (error, "transport: %d is not a transport",
                    (int) self->transport);

  /* The target is already known to be a valid http:// or https:// URL;
   * the raw client speaks no TLS. */
  uri = g_uri_parse (self->target_url, G_URI_FLAGS_NONE, NULL);
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0)
    return invalid (error, "transport: “raw” needs a plain http:// "
                    "target, not “%s”; use “curl” for https://",
                    self->target_url);

  return TRUE;
}

/**
 * stampede_run_config_validate:
 * @self: a configuration
 * @error: return location for a #GError
 *
 * Checks that a run could be made of @self.  The message of the error
 * starts with the name of the offending field and quotes its value.
 * With stages, @rate and @ramp_s are not used and not checked; with a
 * closed model (@connections not 0) @rate, @ramp_s and the abort rule are
 * not used.
 *
 * Returns: %TRUE if @self is valid
 */
gboolean
stampede_run_config_validate (const StampedeRunConfig  *self,
                              GError                  **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_target (self->target_url, error))
    return FALSE;

  if (!validate_load (self, error))
    return FALSE;

  if (self->n_workers > MAX_WORKERS)
    return invalid (error, "n_workers: %u is too many; at most %u, or 0 to "
                    "pick automatically", self->n_workers, MAX_WORKERS);

  if (self->max_in_flight < 1)
    return invalid (error, "max_in_flight: %u is too small; it must be at "
                    "least 1", self->max_in_flight);

  if (self->timeout_ms < 1)
    return invalid (error, "timeout_ms: %u is too small; it must be at "
                    "least 1", self->timeout_ms);

  if (self->arrivals != STAMPEDE_ARRIVALS_UNIFORM
      && self->arrivals != STAMPEDE_ARRIVALS_POISSON)
    return invalid (error, "arrivals: %d is not a kind of arrivals",
                    (int) self->arrivals);

  if (self->abort_below_share != 0
      && !(self->abort_below_share > 0 && self->abort_below_share <= 1))
    return invalid (error, "abort.below_share: %g is out of range; it must "
                    "be above 0 and at most 1, or 0 for no abort",
                    self->abort_below_share);

  if (self->abort_below_share > 0
      && !(self->abort_after_s > 0 && self->abort_after_s <= MAX_DURATION_S))
    return invalid (error, "abort.after_s: %g is out of range; it must be "
                    "above 0 and at most %g seconds", self->abort_after_s,
                    MAX_DURATION_S);

  if (!validate_retry (self, error))
    return FALSE;

  if (!validate_transport (self, error))
    return FALSE;

  return validate_mapping (self, error);
}

static void
add_retry (JsonBuilder             *builder,
           const StampedeRunConfig *self)
{
  json_builder_set_member_name (builder, "retry");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, self->retry_max);
  json_builder_set_member_name (builder, "base_ms");
  json_builder_add_int_value (builder, self->retry_base_ms);
  json_builder_set_member_name (builder, "cap_ms");
  json_builder_add_int_value (builder, self->retry_cap_ms);
  json_builder_end_object (builder);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *value)
{
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_response (JsonBuilder             *builder,
              const StampedeRunConfig *self)
{
  json_builder_set_member_name (builder, "response");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "decision");
  add_string_or_null (builder, self->decision_pointer);

  json_builder_set_member_name (builder, "decline_values");
  json_builder_begin_array (builder);
  for (guint i = 0; self->decline_values != NULL
                    && self->decline_values[i] != NULL; i++)
    json_builder_add_string_value (builder, self->decline_values[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "score");
  add_string_or_null (builder, self->score_pointer);

  json_builder_set_member_name (builder, "agent_ms");
  json_builder_begin_array (builder);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    add_string_or_null (builder, self->agent_ms_pointers[i]);
  json_builder_end_array (builder);

  json_builder_end_object (builder);
}

/**
 * stampede_run_config_to_json:
 * @self: a configuration
 * @builder: a builder where a value is expected
 *
 * Adds @self to @builder as an object with one member per field; the
 * target is %NULL when none is set.  The stages are an array (empty when
 * the run has a rate and ramp instead), the abort rule an object
 * {"below_share", "after_s"}, and the answer mapping an object "response"
 * {"decision", "decline_values", "score", "agent_ms"} where "agent_ms"
 * holds four pointers or nulls in the order of #StampedeAgent (transaction
 * analyzer, pattern detector, geo risk, reasoning).  The retry policy is
 * an object "retry" {"max", "base_ms", "cap_ms"}.  The seed is written
 * as a signed 64-bit integer (JSON tools lose larger integers), so a seed
 * above %G_MAXINT64 appears negative and reads back unchanged.
 */
void
stampede_run_config_to_json (const StampedeRunConfig *self,
                             JsonBuilder             *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "target_url");
  if (self->target_url != NULL)
    json_builder_add_string_value (builder, self->target_url);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "rate");
  json_builder_add_double_value (builder, self->rate);
  json_builder_set_member_name (builder, "ramp_s");
  json_builder_add_double_value (builder, self->ramp_s);
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, self->duration_s);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) self->seed);
  json_builder_set_member_name (builder, "n_workers");
  json_builder_add_int_value (builder, self->n_workers);
  json_builder_set_member_name (builder, "max_in_flight");
  json_builder_add_int_value (builder, self->max_in_flight);
  json_builder_set_member_name (builder, "timeout_ms");
  json_builder_add_int_value (builder, self->timeout_ms);

  json_builder_set_member_name (builder, "stages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_stages; i++)
    stampede_stage_to_json (&self->stages[i], builder);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "arrivals");
  json_builder_add_string_value (builder,
                                 self->arrivals == STAMPEDE_ARRIVALS_POISSON
                                 ? "poisson" : "uniform");
  json_builder_set_member_name (builder, "connections");
  json_builder_add_int_value (builder, self->connections);

  json_builder_set_member_name (builder, "abort");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "below_share");
  json_builder_add_double_value (builder, self->abort_below_share);
  json_builder_set_member_name (builder, "after_s");
  json_builder_add_double_value (builder, self->abort_after_s);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "request_template");
  add_string_or_null (builder, self->request_template);

  add_response (builder, self);
  add_retry (builder, self);

  json_builder_set_member_name (builder, "transport");
  json_builder_add_string_value (builder,
                                 self->transport == STAMPEDE_TRANSPORT_RAW
                                 ? "raw" : "curl");

  json_builder_end_object (builder);
}

static gboolean
read_number (JsonNode    *node,
             const char  *key,
             double      *out,
             GError     **error)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return invalid (error, "%s: expected a number", key);

  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, "%s: expected a number", key);

  *out = json_node_get_double (node);

  return TRUE;
}

static gboolean
read_uint (JsonNode    *node,
           const char  *key,
           guint       *out,
           GError     **error)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, "%s: expected a whole number", key);

  value = json_node_get_int (node);
  if (value < 0 || value > G_MAXUINT)
    return invalid (error, "%s: %" G_GINT64_FORMAT " is out of range",
                    key, value);

  *out = (guint) value;

  return TRUE;
}

static gboolean
read_string (JsonNode    *node,
             const char  *key,
             gboolean     nullable,
             char       **out,
             GError     **error)
{
  if (nullable && JSON_NODE_HOLDS_NULL (node)) {
    g_clear_pointer (out, g_free);
    return TRUE;
  }

  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, "%s: expected a string%s", key,
                    nullable ? " or null" : "");

  g_free (*out);
  *out = json_node_dup_string (node);

  return TRUE;
}

static gboolean
read_stages (StampedeRunConfig  *config,
             JsonNode           *node,
             GError            **error)
{
  g_autofree StampedeStage *stages = NULL;
  JsonArray *array;
  double total = 0;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "stages: expected an array of stages");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  stages = g_new0 (StampedeStage, MAX (n, 1));

  for (guint i = 0; i < n; i++) {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *key = NULL;

    if (!stampede_stage_from_json (json_array_get_element (array, i),
                                   &stages[i], &key, &local_error))
      return invalid (error, "stages[%u]%s%s: %s", i, key != NULL ? "." : "",
                      key != NULL ? key : "", local_error->message);
    total += stages[i].duration_s;
  }

  g_free (config->stages);
  config->stages = n > 0 ? g_steal_pointer (&stages) : NULL;
  config->n_stages = n;
  if (n > 0)
    config->duration_s = total;

  return TRUE;
}

/* Reads @key's value, which must be the string @first (0) or @second
 * (1), into @choice. */
static gboolean
read_either (JsonNode    *node,
             const char  *key,
             const char  *first,
             const char  *second,
             guint       *choice,
             GError     **error)
{
  const char *name = NULL;

  if (JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    name = json_node_get_string (node);

  if (g_strcmp0 (name, first) == 0)
    *choice = 0;
  else if (g_strcmp0 (name, second) == 0)
    *choice = 1;
  else
    return invalid (error, "%s: expected “%s” or “%s”", key, first,
                    second);

  return TRUE;
}

static gboolean
read_arrivals (StampedeRunConfig  *config,
               JsonNode           *node,
               GError            **error)
{
  guint choice;

  if (!read_either (node, "arrivals", "uniform", "poisson", &choice, error))
    return FALSE;

  config->arrivals = choice == 0 ? STAMPEDE_ARRIVALS_UNIFORM
                                 : STAMPEDE_ARRIVALS_POISSON;

  return TRUE;
}

static gboolean
read_transport (StampedeRunConfig  *config,
                JsonNode           *node,
                GError            **error)
{
  guint choice;

  if (!read_either (node, "transport", "curl", "raw", &choice, error))
    return FALSE;

  config->transport = choice == 0 ? STAMPEDE_TRANSPORT_CURL
                                  : STAMPEDE_TRANSPORT_RAW;

  return TRUE;
}

static gboolean
read_abort (StampedeRunConfig  *config,
            JsonNode           *node,
            GError            **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "abort: expected an object with “below_share” "
                    "and “after_s”");

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    JsonNode *value = json_object_get_member (object, key);

    if (g_str_equal (key, "below_share")) {
      if (!read_number (value, "abort.below_share",
                        &config->abort_below_share, error))
        return FALSE;
    } else if (g_str_equal (key, "after_s")) {
      if (!read_number (value, "abort.after_s", &config->abort_after_s,
                        error))
        return FALSE;
    } else {
      return invalid (error, "abort.%s: unknown key", key);
    }
  }

  return TRUE;
}

static gboolean
read_retry (StampedeRunConfig  *config,
            JsonNode           *node,
            GError            **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "retry: expected an object with “max”, "
                    "“base_ms” and “cap_ms”");

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    JsonNode *value = json_object_get_member (object, key);
    gboolean ok;

    if (g_str_equal (key, "max"))
      ok = read_uint (value, "retry.max", &config->retry_max, error);
    else if (g_str_equal (key, "base_ms"))
      ok = read_uint (value, "retry.base_ms", &config->retry_base_ms, error);
    else if (g_str_equal (key, "cap_ms"))
      ok = read_uint (value, "retry.cap_ms", &config->retry_cap_ms, error);
    else
      ok = invalid (error, "retry.%s: unknown key", key);

    if (!ok)
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_decline_values (StampedeRunConfig  *config,
                     JsonNode           *node,
                     GError            **error)
{
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "response.decline_values: expected an array of "
                    "strings");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *element = json_array_get_element (array, i);

    if (!JSON_NODE_HOLDS_VALUE (element)
        || json_node_get_value_type (element) != G_TYPE_STRING)
      return invalid (error, "response.decline_values[%u]: expected a "
                      "string", i);
    g_strv_builder_add (values, json_node_get_string (element));
  }

  g_strfreev (config->decline_values);
  config->decline_values = g_strv_builder_end (values);

  return TRUE;
}

static gboolean
read_agent_pointers (StampedeRunConfig  *config,
                     JsonNode           *node,
                     GError            **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node))
         != STAMPEDE_N_AGENTS)
    return invalid (error, "response.agent_ms: expected an array of %u "
                    "pointers or nulls, for %s, %s, %s and %s",
                    STAMPEDE_N_AGENTS, agent_keys[0], agent_keys[1],
                    agent_keys[2], agent_keys[3]);

  array = json_node_get_array (node);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    g_autofree char *key = g_strdup_printf ("response.agent_ms[%u]", i);

    if (!read_string (json_array_get_element (array, i), key, TRUE,
                      &config->agent_ms_pointers[i], error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_response (StampedeRunConfig  *config,
               JsonNode           *node,
               GError            **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "response: expected an object");

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    JsonNode *value = json_object_get_member (object, key);
    gboolean ok;

    if (g_str_equal (key, "decision"))
      ok = read_string (value, "response.decision", FALSE,
                        &config->decision_pointer, error);
    else if (g_str_equal (key, "decline_values"))
      ok = read_decline_values (config, value, error);
    else if (g_str_equal (key, "score"))
      ok = read_string (value, "response.score", TRUE,
                        &config->score_pointer, error);
    else if (g_str_equal (key, "agent_ms"))
      ok = read_agent_pointers (config, value, error);
    else
      ok = invalid (error, "response.%s: unknown key", key);

    if (!ok)
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_member (StampedeRunConfig  *config,
             const char         *key,
             JsonNode           *node,
             GError            **error)
{
  if (g_str_equal (key, "target_url")) {
    if (JSON_NODE_HOLDS_NULL (node)) {
      g_clear_pointer (&config->target_url, g_free);
      return TRUE;
    }
    if (!JSON_NODE_HOLDS_VALUE (node)
        || json_node_get_value_type (node) != G_TYPE_STRING)
      return invalid (error, "target_url: expected a string or null");
    g_free (config->target_url);
    config->target_url = json_node_dup_string (node);
    return TRUE;
  }

  if (g_str_equal (key, "rate"))
    return read_number (node, key, &config->rate, error);
  if (g_str_equal (key, "ramp_s"))
    return read_number (node, key, &config->ramp_s, error);
  if (g_str_equal (key, "duration_s"))
    return read_number (node, key, &config->duration_s, error);

  if (g_str_equal (key, "seed")) {
    if (!JSON_NODE_HOLDS_VALUE (node)
        || json_node_get_value_type (node) != G_TYPE_INT64)
      return invalid (error, "seed: expected a whole number");
    config->seed = (guint64) json_node_get_int (node);
    return TRUE;
  }

  if (g_str_equal (key, "n_workers"))
    return read_uint (node, key, &config->n_workers, error);
  if (g_str_equal (key, "max_in_flight"))
    return read_uint (node, key, &config->max_in_flight, error);
  if (g_str_equal (key, "timeout_ms"))
    return read_uint (node, key, &config->timeout_ms, error);

  if (g_str_equal (key, "stages"))
    return read_stages (config, node, error);
  if (g_str_equal (key, "arrivals"))
    return read_arrivals (config, node, error);
  if (g_str_equal (key, "connections"))
    return read_uint (node, key, &config->connections, error);
  if (g_str_equal (key, "abort"))
    return read_abort (config, node, error);
  if (g_str_equal (key, "request_template"))
    return read_string (node, key, TRUE, &config->request_template, error);
  if (g_str_equal (key, "response"))
    return read_response (config, node, error);
  if (g_str_equal (key, "retry"))
    return read_retry (config, node, error);
  if (g_str_equal (key, "transport"))
    return read_transport (config, node, error);

  return invalid (error, "%s: unknown key", key);
}

/**
 * stampede_run_config_update_from_json:
 * @self: a configuration
 * @node: a JSON object with any subset of the keys that
 *   stampede_run_config_to_json() writes
 * @error: return location for a #GError
 *
 * Sets the fields named in @node and keeps the others; inside "abort",
 * "response" and "retry" too, only the members given change.  Stages
 * replace the rate and ramp and set the duration to their total; an
 * empty array of stages goes back to the rate and ramp.  An unknown key, at any depth,
 * or a value of the wrong type is an error that names the key, and then
 * @self is left unchanged.  The result is not validated.
 *
 * Returns: %TRUE on success
 */
gboolean
stampede_run_config_update_from_json (StampedeRunConfig  *self,
                                      JsonNode           *node,
                                      GError            **error)
{
  g_autoptr(StampedeRunConfig) update = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "A run configuration must be a JSON object");

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  update = stampede_run_config_copy (self);

  for (const GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;

    if (!read_member (update, key, json_object_get_member (object, key),
                      error))
      return FALSE;
  }

  /* The update's members move into @self; it is left empty to be freed. */
  free_members (self);
  *self = *update;
  memset (update, 0, sizeof *update);

  return TRUE;
}
