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

static void
test_new_defaults (void)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();

  g_assert_null (config->stages);
  g_assert_cmpuint (config->n_stages, ==, 0);
  g_assert_cmpint (config->arrivals, ==, STAMPEDE_ARRIVALS_UNIFORM);
  g_assert_cmpuint (config->connections, ==, 0);
  g_assert_cmpfloat (config->abort_below_share, ==, 0);
  g_assert_null (config->request_template);
  g_assert_cmpstr (config->decision_pointer, ==, "/decision");
  g_assert_cmpuint (g_strv_length (config->decline_values), ==, 1);
  g_assert_cmpstr (config->decline_values[0], ==, "decline");
  g_assert_null (config->score_pointer);
  for (guint i = 0; i < 4; i++)
    g_assert_null (config->agent_ms_pointers[i]);
  g_assert_true (stampede_run_config_uses_default_mapping (config));
  g_assert_cmpuint (config->retry_max, ==, 0);
  g_assert_cmpuint (config->retry_base_ms, ==, 50);
  g_assert_cmpuint (config->retry_cap_ms, ==, 2000);

  config->score_pointer = g_strdup ("/risk_score");
  g_assert_false (stampede_run_config_uses_default_mapping (config));
  g_clear_pointer (&config->score_pointer, g_free);
  g_free (config->decline_values[0]);
  config->decline_values[0] = g_strdup ("block");
  g_assert_false (stampede_run_config_uses_default_mapping (config));
}

/* Each new field spoiled in turn, with the name its message starts with
 * and a piece of it. */
static void
test_new_validation (void)
{
  const struct {
    const char *json;
    const char *prefix;
    const char *needle;
  } cases[] = {
    { "{\"connections\": 10001}", "connections", "10001" },
    { "{\"abort\": {\"below_share\": 1.5, \"after_s\": 2}}",
      "abort.below_share", "1.5" },
    { "{\"abort\": {\"below_share\": 0.5, \"after_s\": 0}}",
      "abort.after_s", "0" },
    { "{\"response\": {\"decision\": \"decision\"}}", "response.decision",
      "decision" },
    { "{\"response\": {\"score\": \"/a~2b\"}}", "response.score", "~2" },
    { "{\"response\": {\"agent_ms\": [null, \"x\", null, null]}}",
      "response.agent_ms[1]", "x" },
    { "{\"response\": {\"decline_values\": []}}", "response.decline_values",
      "none" },
    { "{\"request_template\": \"\"}", "request_template", "empty" },
    { "{\"request_template\": \"{\\\"a\\\": \\\"{{cvv}}\\\"}\"}",
      "request_template", "{{cvv}}" },
    { "{\"request_template\": \"{\\\"a\\\": {{id}}}\"}", "request_template",
      "not JSON" },
    { "{\"request_template\": \"{\\\"a\\\": \\\"{{id\\\"}\"}",
      "request_template", "closing" },
    { "{\"retry\": {\"max\": 11}}", "retry.max", "11" },
    { "{\"retry\": {\"base_ms\": 0}}", "retry.base_ms", "0" },
    { "{\"retry\": {\"base_ms\": 100, \"cap_ms\": 99}}", "retry.cap_ms",
      "99" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeRunConfig) config = valid_config ();
    g_autoptr(JsonNode) node = parse (cases[i].json);
    g_autoptr(GError) error = NULL;

    g_assert_true (stampede_run_config_update_from_json (config, node,
                                                         &error));
    g_assert_no_error (error);
    g_assert_false (stampede_run_config_validate (config, &error));
    g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                    STAMPEDE_RUN_CONFIG_ERROR_INVALID);
    g_test_message ("%s", error->message);
    g_assert_true (g_str_has_prefix (error->message, cases[i].prefix));
    g_assert_nonnull (strstr (error->message, cases[i].needle));
  }
}

/* With stages, and with a closed model, the rate is neither used nor
 * checked. */
static void
test_stages_replace_rate (void)
{
  g_autoptr(StampedeRunConfig) config = valid_config ();
  g_autoptr(JsonNode) node = parse (
    "{\"rate\": 0, \"stages\": [{\"kind\": \"ramp\", \"from\": 0, "
    "\"to\": 50, \"duration_s\": 4}, {\"kind\": \"sustained\", "
    "\"rate\": 50, \"duration_s\": 2.5}]}");
  g_autoptr(JsonNode) none = parse ("{\"stages\": []}");
  g_autoptr(GError) error = NULL;

  g_assert_true (stampede_run_config_update_from_json (config, node, &error));
  g_assert_cmpuint (config->n_stages, ==, 2);
  g_assert_cmpfloat (config->duration_s, ==, 6.5);
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);

  g_assert_true (stampede_run_config_update_from_json (config, none, &error));
  g_assert_cmpuint (config->n_stages, ==, 0);
  g_assert_null (config->stages);
  g_assert_false (stampede_run_config_validate (config, NULL));

  config->connections = 50;
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);

  /* A stage set from C is checked as one read from JSON would be. */
  config->stages = g_new0 (StampedeStage, 1);
  config->stages[0] = stampede_stage_sustained (2e6, 1);
  config->n_stages = 1;
  g_assert_false (stampede_run_config_validate (config, &error));
  g_assert_true (g_str_has_prefix (error->message, "stages[0].rate"));
}

static void
test_new_round_trip (void)
{
  g_autoptr(StampedeRunConfig) config = valid_config ();
  g_autoptr(StampedeRunConfig) back = stampede_run_config_new ();
  g_autoptr(StampedeRunConfig) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *declines[] = { "block", "deny", NULL };

  config->stages = g_new0 (StampedeStage, 2);
  config->stages[0] = stampede_stage_burst (10, 40, 6, 1, 3);
  config->stages[1] = stampede_stage_chaos (20, 5, 30, 0.5, 2, 99);
  config->n_stages = 2;
  config->duration_s = 8;
  config->arrivals = STAMPEDE_ARRIVALS_POISSON;
  config->connections = 12;
  config->abort_below_share = 0.25;
  config->abort_after_s = 3.5;
  config->request_template = g_strdup ("{\"tx\":\"{{id}}\","
                                       "\"value\":{{amount}}}");
  g_free (config->decision_pointer);
  config->decision_pointer = g_strdup ("/result/verdict");
  g_strfreev (config->decline_values);
  config->decline_values = g_strdupv ((char **) declines);
  config->score_pointer = g_strdup ("/result/score");
  config->agent_ms_pointers[2] = g_strdup ("/timings/geo~1risk");
  config->retry_max = 3;
  config->retry_base_ms = 20;
  config->retry_cap_ms = 700;
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);

  node = config_to_node (config);
  text = json_to_string (node, FALSE);
  reparsed = parse (text);
  g_assert_true (stampede_run_config_update_from_json (back, reparsed,
                                                       &error));
  g_assert_no_error (error);

  g_assert_cmpuint (back->n_stages, ==, 2);
  g_assert_cmpint (back->stages[0].kind, ==, STAMPEDE_STAGE_BURST);
  g_assert_cmpfloat (back->stages[0].peak, ==, 40);
  g_assert_cmpint (back->stages[1].kind, ==, STAMPEDE_STAGE_CHAOS);
  g_assert_cmpuint (back->stages[1].seed, ==, 99);
  g_assert_cmpfloat (back->duration_s, ==, 8);
  g_assert_cmpint (back->arrivals, ==, STAMPEDE_ARRIVALS_POISSON);
  g_assert_cmpuint (back->connections, ==, 12);
  g_assert_cmpfloat (back->abort_below_share, ==, 0.25);
  g_assert_cmpfloat (back->abort_after_s, ==, 3.5);
  g_assert_cmpstr (back->request_template, ==, config->request_template);
  g_assert_cmpstr (back->decision_pointer, ==, "/result/verdict");
  g_assert_cmpstrv (back->decline_values, declines);
  g_assert_cmpstr (back->score_pointer, ==, "/result/score");
  g_assert_null (back->agent_ms_pointers[0]);
  g_assert_cmpstr (back->agent_ms_pointers[2], ==, "/timings/geo~1risk");
  g_assert_false (stampede_run_config_uses_default_mapping (back));
  g_assert_cmpuint (back->retry_max, ==, 3);
  g_assert_cmpuint (back->retry_base_ms, ==, 20);
  g_assert_cmpuint (back->retry_cap_ms, ==, 700);

  /* A copy owns its own members. */
  copy = stampede_run_config_copy (back);
  g_assert_true (copy->stages != back->stages);
  g_assert_true (copy->decline_values != back->decline_values);
  g_assert_true (copy->agent_ms_pointers[2] != back->agent_ms_pointers[2]);
  g_assert_cmpstr (copy->agent_ms_pointers[2], ==,
                   back->agent_ms_pointers[2]);
  g_assert_cmpfloat (copy->stages[0].every_s, ==, 3);
}

static void
test_new_json_errors (void)
{
  const char *cases[][2] = {
    { "{\"abort\": {\"below\": 0.5}}", "abort.below" },
    { "{\"response\": {\"verdict\": \"/x\"}}", "response.verdict" },
    { "{\"response\": {\"agent_ms\": [\"/a\"]}}", "response.agent_ms" },
    { "{\"response\": {\"decline_values\": [1]}}", "decline_values[0]" },
    { "{\"arrivals\": \"bursty\"}", "arrivals" },
    { "{\"stages\": [{\"kind\": \"ramp\", \"from\": 0}]}", "stages[0]" },
    { "{\"stages\": {}}", "stages" },
    { "{\"connections\": -1}", "connections" },
    { "{\"request_template\": 5}", "request_template" },
    { "{\"retry\": {\"tries\": 2}}", "retry.tries" },
    { "{\"retry\": {\"max\": -1}}", "retry.max" },
    { "{\"retry\": {\"cap_ms\": 1.5}}", "retry.cap_ms" },
    { "{\"retry\": 3}", "retry" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(StampedeRunConfig) config = valid_config ();
    g_autoptr(JsonNode) node = parse (cases[i][0]);
    g_autoptr(GError) error = NULL;

    g_assert_false (stampede_run_config_update_from_json (config, node,
                                                          &error));
    g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                    STAMPEDE_RUN_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, cases[i][1]));
    g_assert_cmpuint (config->n_stages, ==, 0);
    g_assert_cmpstr (config->decision_pointer, ==, "/decision");
  }
}

static void
test_from_spec (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(StampedeRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *text =
    "{\"name\": \"t\", \"seed\": 17, \"arrivals\": \"poisson\", "
    "\"workers\": 3, \"max_in_flight\": 70, \"timeout_ms\": 900, "
    "\"stages\": [{\"kind\": \"sustained\", \"rate\": 40, "
    "\"duration_s\": 5}, {\"kind\": \"ramp\", \"from\": 40, \"to\": 0, "
    "\"duration_s\": 2.5}], \"abort\": {\"below_share\": 0.6, "
    "\"after_s\": 4}}";

  spec = stampede_scenario_spec_new_from_data (text, -1, "t.json", &error);
  g_assert_no_error (error);
  config = stampede_run_config_new_from_spec (spec);

  g_assert_null (config->target_url);
  g_assert_cmpuint (config->seed, ==, 17);
  g_assert_cmpint (config->arrivals, ==, STAMPEDE_ARRIVALS_POISSON);
  g_assert_cmpuint (config->n_workers, ==, 3);
  g_assert_cmpuint (config->max_in_flight, ==, 70);
  g_assert_cmpuint (config->timeout_ms, ==, 900);
  g_assert_cmpuint (config->n_stages, ==, 2);
  g_assert_cmpfloat (config->stages[1].to, ==, 0);
  g_assert_cmpfloat (config->duration_s, ==, 7.5);
  g_assert_cmpfloat (config->abort_below_share, ==, 0.6);
  g_assert_cmpfloat (config->abort_after_s, ==, 4);
  g_assert_true (config->stages != spec->stages);

  config->target_url = g_strdup ("http://127.0.0.1:1/v1/score");
  g_assert_true (stampede_run_config_validate (config, &error));
  g_assert_no_error (error);
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
  g_test_add_func ("/stampede/run-config/new-defaults", test_new_defaults);
  g_test_add_func ("/stampede/run-config/new-validation",
                   test_new_validation);
  g_test_add_func ("/stampede/run-config/stages-replace-rate",
                   test_stages_replace_rate);
  g_test_add_func ("/stampede/run-config/new-round-trip",
                   test_new_round_trip);
  g_test_add_func ("/stampede/run-config/new-json-errors",
                   test_new_json_errors);
  g_test_add_func ("/stampede/run-config/from-spec", test_from_spec);

  return g_test_run ();
}
