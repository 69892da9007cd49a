/* stampede-run-config.c — what a run is asked to do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "stampede-run-config.h"

#define MAX_RATE        1e6
#define MAX_DURATION_S  86400.0
#define MAX_WORKERS     64

G_DEFINE_QUARK (stampede-run-config-error-quark, stampede_run_config_error)

G_DEFINE_BOXED_TYPE (StampedeRunConfig, stampede_run_config,
                     stampede_run_config_copy, stampede_run_config_free)

/**
 * stampede_run_config_new:
 *
 * Makes a configuration with the defaults: no target, 100 arrivals per
 * second, no ramp, 10 s, seed 1, workers picked by the engine, 1000
 * requests in flight at most and a 5 s timeout.
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

  return self;
}

StampedeRunConfig *
stampede_run_config_copy (const StampedeRunConfig *self)
{
  StampedeRunConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->target_url = g_strdup (self->target_url);

  return copy;
}

void
stampede_run_config_free (StampedeRunConfig *self)
{
  if (self == NULL)
    return;

  g_free (self->target_url);
  g_free (self);
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
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, STAMPEDE_RUN_CONFIG_ERROR,
                       STAMPEDE_RUN_CONFIG_ERROR_INVALID, message);

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

/**
 * stampede_run_config_validate:
 * @self: a configuration
 * @error: return location for a #GError
 *
 * Checks that a run could be made of @self.  The message of the error
 * starts with the name of the offending field and quotes its value.
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

  /* Written so that NaN fails every range check. */
  if (!(self->rate > 0 && self->rate <= MAX_RATE))
    return invalid (error, "rate: %g is out of range; it must be above 0 "
                    "and at most %g arrivals per second", self->rate,
                    MAX_RATE);

  if (!(self->duration_s > 0 && self->duration_s <= MAX_DURATION_S))
    return invalid (error, "duration_s: %g is out of range; it must be "
                    "above 0 and at most %g seconds", self->duration_s,
                    MAX_DURATION_S);

  if (!(self->ramp_s >= 0 && self->ramp_s <= self->duration_s))
    return invalid (error, "ramp_s: %g is out of range; it must be from 0 "
                    "to the duration, %g seconds", self->ramp_s,
                    self->duration_s);

  if (self->n_workers > MAX_WORKERS)
    return invalid (error, "n_workers: %u is too many; at most %u, or 0 to "
                    "pick automatically", self->n_workers, MAX_WORKERS);

  if (self->max_in_flight < 1)
    return invalid (error, "max_in_flight: %u is too small; it must be at "
                    "least 1", self->max_in_flight);

  if (self->timeout_ms < 1)
    return invalid (error, "timeout_ms: %u is too small; it must be at "
                    "least 1", self->timeout_ms);

  return TRUE;
}

/**
 * stampede_run_config_to_json:
 * @self: a configuration
 * @builder: a builder where a value is expected
 *
 * Adds @self to @builder as an object with one member per field; the
 * target is %NULL when none is set.  The seed is written as a signed
 * 64-bit integer (JSON tools lose larger integers), so a seed above
 * %G_MAXINT64 appears negative and reads back unchanged.
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

  return invalid (error, "%s: unknown key", key);
}

/**
 * stampede_run_config_update_from_json:
 * @self: a configuration
 * @node: a JSON object with any subset of the keys that
 *   stampede_run_config_to_json() writes
 * @error: return location for a #GError
 *
 * Sets the fields named in @node and keeps the others.  An unknown key or
 * a value of the wrong type is an error that names the key, and then
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

  g_free (self->target_url);
  *self = *update;
  update->target_url = NULL;

  return TRUE;
}
