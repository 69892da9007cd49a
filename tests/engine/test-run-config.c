/* test-run-config.c — defaults, validation and JSON of a run configuration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-run-config.h"

static StampedeRunConfig *
valid_config (void)
{
  StampedeRunConfig *config = stampede_run_config_new ();

  config->target_url = g_strdup ("http://127.0.0.1:8080/v1/score");

  return config;
}

static void
test_defaults (void)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (config->target_url);
  g_assert_cmpfloat (config->rate, ==, 100);
  g_assert_cmpfloat (config->ramp_s, ==, 0);
  g_assert_cmpfloat (config->duration_s, ==, 10);
  g_assert_cmpuint (config->seed, ==, 1);
  g_assert_cmpuint (config->n_workers, ==, 0);
  g_assert_cmpuint (config->max_in_flight, ==, 1000);
  g_assert_cmpuint (config->timeout_ms, ==, 5000);

  /* The defaults lack only a target. */
  g_assert_false (stampede_run_config_validate (config, &error));
  g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                  STAMPEDE_RUN_CONFIG_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "target_url"));
  g_clear_error (&error);

  config->target_url = g_strdup ("https://example.invalid/v1/score");
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);
}

/* Sets one field of @config to the bad value of case @which. */
static void
break_field (StampedeRunConfig *config,
             guint              which)
{
  switch (which) {
  case 0:
    g_free (config->target_url);
    config->target_url = g_strdup ("ftp://h/x");
    break;
  case 1:
    g_free (config->target_url);
    config->target_url = g_strdup ("not a url");
    break;
  case 2:
    config->rate = 0;
    break;
  case 3:
    config->rate = 2e6;
    break;
  case 4:
    config->rate = NAN;
    break;
  case 5:
    config->duration_s = 0;
    break;
  case 6:
    config->duration_s = 90000;
    break;
  case 7:
    config->ramp_s = -1;
    break;
  case 8:
    config->ramp_s = 11;
    break;
  case 9:
    config->n_workers = 65;
    break;
  case 10:
    config->max_in_flight = 0;
    break;
  case 11:
    config->timeout_ms = 0;
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
test_validation_names_field (void)
{
  /* The field each case of break_field() spoils, and how its message
   * quotes the bad value. */
  const struct {
    const char *field;
    const char *value;
  } cases[] = {
    { "target_url", "ftp://h/x" },
    { "target_url", "not a url" },
    { "rate", "0" },
    { "rate", "2e+06" },
    { "rate", "nan" },
    { "duration_s", "0" },
    { "duration_s", "90000" },
    { "ramp_s", "-1" },
    { "ramp_s", "11" },
    { "n_workers", "65" },
    { "max_in_flight", "0" },
    { "timeout_ms", "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeRunConfig) config = valid_config ();
    g_autoptr(GError) error = NULL;

    g_assert_true (stampede_run_config_validate (config, NULL));
    break_field (config, i);
    g_assert_false (stampede_run_config_validate (config, &error));
    g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                    STAMPEDE_RUN_CONFIG_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, cases[i].field));
    g_assert_nonnull (strstr (error->message, cases[i].value));
  }
}

static JsonNode *
config_to_node (const StampedeRunConfig *config)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  stampede_run_config_to_json (config, builder);

  return json_builder_get_root (builder);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);

  return node;
}

static void
test_json_round_trip (void)
{
  g_autoptr(StampedeRunConfig) config = valid_config ();
  g_autoptr(StampedeRunConfig) back = stampede_run_config_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) reparsed = NULL;

  config->rate = 1234.5;
  config->ramp_s = 2.25;
  config->duration_s = 60;
  config->seed = G_MAXUINT64 - 6;
  config->n_workers = 3;
  config->max_in_flight = 77;
  config->timeout_ms = 1500;

  /* Through text, as the API sends it. */
  node = config_to_node (config);
  text = json_to_string (node, FALSE);
  reparsed = parse (text);

  g_assert_true (stampede_run_config_update_from_json (back, reparsed,
                                                       &error));
  g_assert_no_error (error);
  g_assert_cmpstr (back->target_url, ==, config->target_url);
  g_assert_cmpfloat (back->rate, ==, 1234.5);
  g_assert_cmpfloat (back->ramp_s, ==, 2.25);
  g_assert_cmpfloat (back->duration_s, ==, 60);
  g_assert_cmpuint (back->seed, ==, G_MAXUINT64 - 6);
  g_assert_cmpuint (back->n_workers, ==, 3);
  g_assert_cmpuint (back->max_in_flight, ==, 77);
  g_assert_cmpuint (back->timeout_ms, ==, 1500);
}

static void
test_json_partial (void)
{
  g_autoptr(StampedeRunConfig) config = valid_config ();
  g_autoptr(JsonNode) node = parse ("{\"rate\": 250, \"seed\": 9}");
  g_autoptr(JsonNode) null_url = parse ("{\"target_url\": null}");
  g_autoptr(GError) error = NULL;

  g_assert_true (stampede_run_config_update_from_json (config, node, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (config->rate, ==, 250);
  g_assert_cmpuint (config->seed, ==, 9);
  g_assert_cmpfloat (config->duration_s, ==, 10);
  g_assert_cmpstr (config->target_url, ==, "http://127.0.0.1:8080/v1/score");

  g_assert_true (stampede_run_config_update_from_json (config, null_url,
                                                       &error));
  g_assert_null (config->target_url);
}

static void
test_json_errors (void)
{
  const struct {
    const char *json;
    const char *needle;
  } cases[] = {
    { "{\"rate\": 5, \"turbo\": true}", "turbo" },
    { "{\"rate\": \"fast\"}", "rate" },
    { "{\"duration_s\": [1]}", "duration_s" },
    { "{\"seed\": 1.5}", "seed" },
    { "{\"n_workers\": -2}", "n_workers" },
    { "{\"max_in_flight\": 1e3}", "max_in_flight" },
    { "{\"timeout_ms\": null}", "timeout_ms" },
    { "{\"target_url\": 42}", "target_url" },
    { "[1, 2]", "object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeRunConfig) config = valid_config ();
    g_autoptr(JsonNode) node = parse (cases[i].json);
    g_autoptr(GError) error = NULL;

    g_assert_false (stampede_run_config_update_from_json (config, node,
                                                          &error));
    g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                    STAMPEDE_RUN_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, cases[i].needle));

    /* A failed update changes nothing, not even the keys before the bad
     * one. */
    g_assert_cmpfloat (config->rate, ==, 100);
  }
}

static void
test_copy (void)
{
  g_autoptr(StampedeRunConfig) config = valid_config ();
  g_autoptr(StampedeRunConfig) copy = NULL;
  GType type = STAMPEDE_TYPE_RUN_CONFIG;

  g_assert_true (G_TYPE_IS_BOXED (type));

  config->rate = 42;
  copy = g_boxed_copy (type, config);
  g_assert_cmpfloat (copy->rate, ==, 42);
  g_assert_cmpstr (copy->target_url, ==, config->target_url);
  g_assert_true (copy->target_url != config->target_url);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/run-config/defaults", test_defaults);
  g_test_add_func ("/stampede/run-config/validation-names-field",
                   test_validation_names_field);
  g_test_add_func ("/stampede/run-config/json-round-trip",
                   test_json_round_trip);
  g_test_add_func ("/stampede/run-config/json-partial", test_json_partial);
  g_test_add_func ("/stampede/run-config/json-errors", test_json_errors);
  g_test_add_func ("/stampede/run-config/copy", test_copy);

  return g_test_run ();
}
