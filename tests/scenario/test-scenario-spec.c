/* test-scenario-spec.c — scenario files, their errors, the built-ins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "stampede-scenario-spec.h"

/* Writes @text to a file called @name in a fresh directory and returns
 * its path; the directory goes when the test ends. */
static char *
write_file (const char *name,
            const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stampede-scenario-XXXXXX",
                                         &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
remove_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Reads @text from a file and checks that it fails with @code and a
 * message that starts with "FILE:@where: " and contains @needle. */
static void
assert_file_error (const char *text,
                   int         code,
                   const char *where,
                   const char *needle)
{
  g_autofree char *path = write_file ("broken.json", text);
  g_autofree char *prefix = g_strdup_printf ("%s:%s: ", path, where);
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = stampede_scenario_spec_new_from_file (path, &error);
  g_assert_null (spec);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, needle));

  remove_file (path);
}

static void
assert_data_error (const char *text,
                   int         code,
                   const char *where,
                   const char *needle)
{
  g_autofree char *prefix = g_strdup_printf ("test.json:%s: ", where);
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = stampede_scenario_spec_new_from_data (text, -1, "test.json",
                                               &error);
  g_assert_null (spec);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_syntax_error (void)
{
  assert_file_error ("{\n"
                     "  \"name\": \"x\",\n"
                     "  \"seed\": ,\n"
                     "  \"stages\": []\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_SYNTAX, "3:11",
                     "unexpected character");
  assert_data_error ("", STAMPEDE_SCENARIO_ERROR_SYNTAX, "1:1",
                     "no JSON value");
}

static void
test_unknown_key (void)
{
  assert_file_error ("{\n"
                     "  \"name\": \"x\",\n"
                     "  \"stages\": [\n"
                     "    {\n"
                     "      \"kind\": \"sustained\",\n"
                     "      \"rate\": 10,\n"
                     "        \"durations_s\": 5\n"
                     "    }\n"
                     "  ]\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY, "7:9",
                     "unknown key “durations_s”");

  /* Columns count characters: "Café ☕" is 8 of them, 11 bytes. */
  assert_data_error ("{\"name\": \"Café ☕\", \"x\": 1, \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY, "1:20",
                     "unknown key “x” in a scenario");

  /* json-glib also takes comments and single-quoted strings. */
  assert_data_error ("{\"name\": \"x\", /* \"y\": { */\n"
                     "  'x': 1, \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY, "2:3",
                     "unknown key “x”");

  assert_data_error ("{\"name\": \"x\",\n"
                     " \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
                     " \"duration_s\": 1}],\n"
                     " \"abort\": {\"below_share\": 0.5, \"after\": 1}}",
                     STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY, "3:32",
                     "“after”");
}

static void
test_wrong_type (void)
{
  assert_file_error ("{\n"
                     "  \"name\": \"x\",\n"
                     "  \"seed\": \"one\",\n"
                     "  \"stages\": [\n"
                     "    {\"kind\": \"sustained\", \"rate\": 1,"
                     " \"duration_s\": 1}\n"
                     "  ]\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_TYPE, "3:11",
                     "“seed” must be a whole number");

  assert_data_error ("{\"name\": \"x\", \"stages\": {}}",
                     STAMPEDE_SCENARIO_ERROR_TYPE, "1:25",
                     "“stages” must be an array");
  assert_data_error ("[1]", STAMPEDE_SCENARIO_ERROR_TYPE, "1:1",
                     "a scenario must be an object");
}

static void
test_bad_value (void)
{
  assert_file_error ("{\n"
                     "  \"name\": \"x\",\n"
                     "  \"stages\": [\n"
                     "    {\"kind\": \"ramp\", \"from\": 0, \"to\": 5,\n"
                     "      \"duration_s\": -5}\n"
                     "  ]\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "5:21",
                     "stage 0: “duration_s” must be greater than 0");

  assert_data_error ("{\"name\": \"x\", \"arrivals\": \"bursty\","
                     " \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "1:27", "“bursty”");
  assert_data_error ("{\"name\": \"x\", \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "1:25",
                     "at least one stage");
  assert_data_error ("{\"name\": \"x\", \"target\": \"ftp://example.org/\","
                     " \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "1:25", "http://");
  assert_data_error ("{\"name\": \"x\",\n\"stages\": [{\"kind\": \"wave\","
                     " \"base\": 1, \"amplitude\": 2, \"period_s\": 1,"
                     " \"duration_s\": 1}]}",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "2:53", "amplitude");
}

static void
test_missing_and_duplicate (void)
{
  assert_data_error ("{\"name\": \"x\"}", STAMPEDE_SCENARIO_ERROR_MISSING,
                     "1:1", "missing key “stages”");
  assert_data_error ("{\"name\": \"x\",\n"
                     " \"stages\": [{\"kind\": \"ramp\", \"to\": 3,"
                     " \"duration_s\": 1}]}",
                     STAMPEDE_SCENARIO_ERROR_MISSING, "2:13",
                     "missing key “from”");
  assert_data_error ("{\"name\": \"a\",\n"
                     "  \"name\": \"b\", \"stages\": []}",
                     STAMPEDE_SCENARIO_ERROR_DUPLICATE_KEY, "2:3",
                     "duplicate key “name”");
}

static void
test_unknown_metric (void)
{
  assert_file_error ("{\n"
                     "  \"name\": \"x\",\n"
                     "  \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
                     " \"duration_s\": 1}],\n"
                     "  \"criteria\": [\n"
                     "    {\"metric\": \"p42_ms\", \"op\": \"<\","
                     " \"value\": 1}\n"
                     "  ]\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_UNKNOWN_METRIC, "5:16",
                     "unknown metric “p42_ms” (valid metrics: avg_ms, "
                     "p50_ms, p95_ms, p99_ms, service_p99_ms, error_rate, "
                     "availability, data_loss, dropped_share, accuracy, "
                     "precision, recall, cost_per_tx_usd, achieved_ratio)");

  assert_data_error ("{\"name\": \"x\", \"stages\": [{\"kind\":"
                     " \"sustained\", \"rate\": 1, \"duration_s\": 1}],\n"
                     "\"criteria\": [{\"metric\": \"p99_ms\", \"op\": \"=\","
                     " \"value\": 1}]}",
                     STAMPEDE_SCENARIO_ERROR_VALUE, "2:41",
                     "unknown comparison “=”");
}

static const char one_stage[] =
  "{\"name\": \"x\", \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
  " \"duration_s\": 1}]}";

/* json-glib stops after the first value when a second object or array
 * follows it; the second must be refused where it starts. */
static void
test_trailing_content (void)
{
  g_autofree char *two = g_strconcat (one_stage, "\n{\"name\": \"y\"}",
                                      NULL);
  g_autofree char *array = g_strconcat (one_stage, "\n\n   [1]\n", NULL);
  g_autofree char *blank = g_strconcat (one_stage, " /* end */\n\t\n",
                                        NULL);
  g_autofree char *bom = g_strconcat ("\xEF\xBB\xBF", one_stage, "\n",
                                      NULL);
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  assert_data_error (two, STAMPEDE_SCENARIO_ERROR_SYNTAX, "2:1",
                     "unexpected content after the scenario");
  assert_data_error (array, STAMPEDE_SCENARIO_ERROR_SYNTAX, "3:4",
                     "unexpected content after the scenario");

  /* White space and comments after the value are not content. */
  spec = stampede_scenario_spec_new_from_data (blank, -1, "test.json",
                                               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec->name, ==, "x");
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  /* Nor is a byte order mark before it, which json-glib skips. */
  spec = stampede_scenario_spec_new_from_data (bom, -1, "test.json", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec->name, ==, "x");
}

/* The position of the first bad byte is counted in characters: "é" is
 * two bytes but one column. */
static void
test_bad_utf8 (void)
{
  static const char nul[] = "{\"name\": \"x\0\"}";
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  assert_file_error ("{\n"
                     "  \"name\": \"caf\xC3\xA9 \xFF\",\n"
                     "  \"stages\": []\n"
                     "}\n",
                     STAMPEDE_SCENARIO_ERROR_SYNTAX, "2:17",
                     "byte 0xFF is not valid UTF-8");
  assert_data_error ("{\"name\":\n\"\xE2\x82\"}",
                     STAMPEDE_SCENARIO_ERROR_SYNTAX, "2:2",
                     "byte 0xE2 is not valid UTF-8");

  spec = stampede_scenario_spec_new_from_data (nul, sizeof nul - 1,
                                               "test.json", &error);
  g_assert_null (spec);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR,
                  STAMPEDE_SCENARIO_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==,
                   "test.json:1:12: a NUL byte, which JSON text cannot "
                   "hold");
}

/* A cost criterion without a price cannot be judged, so the file is
 * refused at the criterion rather than the run failed at its end. */
static void
test_cost_without_model (void)
{
  static const char without[] =
    "{\"name\": \"x\", \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
    " \"duration_s\": 1}],\n"
    "\"criteria\": [\n"
    "  {\"metric\": \"p99_ms\", \"op\": \"<\", \"value\": 1},\n"
    "    {\"metric\": \"cost_per_tx_usd\", \"op\": \"<\", \"value\": 1}]}";
  static const char with[] =
    "{\"name\": \"x\", \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
    " \"duration_s\": 1}],\n"
    "\"criteria\": [\n"
    "  {\"metric\": \"cost_per_tx_usd\", \"op\": \"<\", \"value\": 1}],\n"
    "\"cost_model\": {\"usd_per_hour\": 2}}";
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  assert_data_error (without, STAMPEDE_SCENARIO_ERROR_MISSING, "4:5",
                     "criterion 1: “cost_per_tx_usd” needs a “cost_model”");

  spec = stampede_scenario_spec_new_from_data (with, -1, "test.json",
                                               &error);
  g_assert_no_error (error);
  g_assert_true (spec->has_cost_model);
  g_assert_cmpfloat (spec->usd_per_hour, ==, 2);
}

static const char fault_head[] =
  "{\"name\": \"x\", \"stages\": [{\"kind\": \"sustained\", \"rate\": 1,"
  " \"duration_s\": 30}],\n\"faults\": [";

static void
assert_fault_error (const char *fault,
                    int         code,
                    const char *where,
                    const char *needle)
{
  g_autofree char *text = g_strconcat (fault_head, fault, "]}", NULL);

  assert_data_error (text, code, where, needle);
}

static void
test_faults (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  assert_fault_error ("{\"at_s\": 30, \"kind\": \"partition\","
                      " \"duration_s\": 1}",
                      STAMPEDE_SCENARIO_ERROR_VALUE, "2:21",
                      "the fault starts at 30 s, but the stages end at 30 s");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"agent_crash\","
                      " \"duration_s\": 1}",
                      STAMPEDE_SCENARIO_ERROR_MISSING, "2:12",
                      "missing key “agent” in fault 0 (agent_crash)");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"meteor\","
                      " \"duration_s\": 1}",
                      STAMPEDE_SCENARIO_ERROR_VALUE, "2:32",
                      "unknown fault kind “meteor”");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"proxy_blackhole\","
                      " \"duration_s\": 1, \"magnitude\": 1}",
                      STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY, "2:68",
                      "unknown key “magnitude”");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"agent_crash\","
                      " \"duration_s\": 1, \"agent\": \"oracle\"}",
                      STAMPEDE_SCENARIO_ERROR_VALUE, "2:73",
                      "unknown agent “oracle”");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"store_throttle\","
                      " \"duration_s\": 1, \"magnitude\": 1.5}",
                      STAMPEDE_SCENARIO_ERROR_VALUE, "2:80",
                      "“magnitude” must be at least 0 and at most 1");
  assert_fault_error ("{\"at_s\": 1, \"kind\": \"proxy_http_status\","
                      " \"duration_s\": 1, \"status\": 200}",
                      STAMPEDE_SCENARIO_ERROR_VALUE, "2:80",
                      "“status” must be from 400 to 599");

  /* Defaults of each kind's extra keys. */
  text = g_strconcat (fault_head,
                      "{\"at_s\": 1, \"kind\": \"proxy_http_status\","
                      " \"duration_s\": 2, \"fail_first\": 5},"
                      "{\"at_s\": 3, \"kind\": \"rate_limit\","
                      " \"duration_s\": 0},"
                      "{\"at_s\": 4, \"kind\": \"partition\","
                      " \"duration_s\": 1, \"mode\": \"reset\"}]}", NULL);
  spec = stampede_scenario_spec_new_from_data (text, -1, "faults.json",
                                               &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spec->n_faults, ==, 3);
  g_assert_cmpint (spec->faults[0].kind, ==,
                   STAMPEDE_FAULT_PROXY_HTTP_STATUS);
  g_assert_cmpuint (spec->faults[0].status, ==, 503);
  g_assert_cmpuint (spec->faults[0].fail_first, ==, 5);
  g_assert_cmpfloat (spec->faults[0].magnitude, ==, 0);
  g_assert_cmpfloat (spec->faults[1].magnitude, ==, 1);
  g_assert_cmpfloat (spec->faults[1].retry_after_s, ==, 1);
  g_assert_true (spec->faults[2].reset);
}

static void
test_io_error (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = stampede_scenario_spec_new_from_file ("/nonexistent/x.json",
                                               &error);
  g_assert_null (spec);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR,
                  STAMPEDE_SCENARIO_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/x.json: "));
}

static char *
documented_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doc = NULL;
  const char *start;
  const char *end;

  g_file_get_contents (g_test_get_filename (G_TEST_DIST, "..", "docs",
                                            "scenarios.md", NULL),
                       &doc, NULL, &error);
  g_assert_no_error (error);

  start = strstr (doc, "```json\n");
  g_assert_nonnull (start);
  start += strlen ("```json\n");
  end = strstr (start, "```");
  g_assert_nonnull (end);

  return g_strndup (start, end - start);
}

static void
assert_round_trip (const StampedeScenarioSpec *spec)
{
  g_autoptr(StampedeScenarioSpec) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = stampede_scenario_spec_to_data (spec, NULL);
  g_autofree char *second = NULL;

  back = stampede_scenario_spec_new_from_data (first, -1, "round-trip",
                                               &error);
  g_assert_no_error (error);
  second = stampede_scenario_spec_to_data (back, NULL);
  g_assert_cmpstr (first, ==, second);
}

static void
test_documented_example (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(StampedeLoadShape) shape = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = documented_example ();

  spec = stampede_scenario_spec_new_from_data (text, -1, "scenarios.md",
                                               &error);
  g_assert_no_error (error);

  g_assert_cmpstr (spec->name, ==, "lunch-rush");
  g_assert_cmpstr (spec->target, ==, "http://127.0.0.1:8080/v1/score");
  g_assert_cmpint (spec->arrivals, ==, STAMPEDE_ARRIVALS_POISSON);
  g_assert_cmpuint (spec->max_in_flight, ==, 1000);
  g_assert_cmpuint (spec->n_stages, ==, 5);
  g_assert_cmpint (spec->stages[4].kind, ==, STAMPEDE_STAGE_CHAOS);
  g_assert_cmpuint (spec->stages[4].seed, ==, 7);
  g_assert_true (spec->has_abort);
  g_assert_cmpfloat (spec->abort_below_share, ==, 0.5);
  g_assert_cmpuint (spec->n_faults, ==, 2);
  g_assert_cmpstr (spec->faults[0].agent, ==, "geo_risk");
  g_assert_cmpuint (spec->n_criteria, ==, 5);
  g_assert_cmpint (spec->criteria[0].metric, ==, STAMPEDE_METRIC_P99_MS);
  g_assert_cmpint (spec->criteria[0].op, ==, STAMPEDE_OP_LE);
  g_assert_true (spec->has_cost_model);
  g_assert_cmpfloat (stampede_scenario_spec_duration (spec), ==, 185);

  shape = stampede_scenario_spec_new_load_shape (spec, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (stampede_load_shape_duration (shape), ==, 185);

  assert_round_trip (spec);
}

static void
test_builtins (void)
{
  static const char * const names[] = {
    "peak", "sustained", "burst", "failure-recovery", "investor",
  };
  /* Arrivals at scale 1, by hand: peak 2 · ½ · 10,000 · 300 + 10,000 ·
   * 1,200; sustained 2,000 · 7,200; burst 1,000 · 900 + 9,000 · 5 · 30;
   * failure-recovery 3,000 · 2,700; investor ½ · 400 · 20 + 400 · 120. */
  static const guint64 totals[] = {
    15000000, 14400000, 2250000, 8100000, 52000,
  };
  const StampedeScenarioBuiltin *builtins;
  guint n_builtins;

  builtins = stampede_scenario_spec_list_builtins (&n_builtins);
  g_assert_cmpuint (n_builtins, ==, G_N_ELEMENTS (names));

  for (guint i = 0; i < n_builtins; i++) {
    g_autoptr(StampedeScenarioSpec) spec = NULL;
    g_autoptr(StampedeScenarioSpec) half = NULL;
    g_autoptr(StampedeLoadShape) shape = NULL;
    g_autoptr(StampedeLoadShape) half_shape = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (builtins[i].name, ==, names[i]);
    g_assert_nonnull (builtins[i].summary);

    spec = stampede_scenario_spec_new_builtin (names[i], 1, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (spec->name, ==, names[i]);
    g_assert_cmpuint (spec->n_criteria, >, 0);
    shape = stampede_scenario_spec_new_load_shape (spec, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stampede_load_shape_total (shape), ==, totals[i]);

    half = stampede_scenario_spec_new_builtin (names[i], 0.5, &error);
    g_assert_no_error (error);
    half_shape = stampede_scenario_spec_new_load_shape (half, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (stampede_load_shape_total (half_shape), ==,
                      totals[i] / 2);
    g_assert_cmpfloat (stampede_load_shape_duration (half_shape), ==,
                       stampede_load_shape_duration (shape));

    assert_round_trip (spec);
  }
}

static void
test_builtin_scale (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  spec = stampede_scenario_spec_new_builtin ("peak", 0.1, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (spec->stages[0].to, 1000, 1e-9);
  g_assert_cmpfloat_with_epsilon (spec->stages[1].rate, 1000, 1e-9);
  g_assert_cmpfloat (spec->stages[1].duration_s, ==, 1200);
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  spec = stampede_scenario_spec_new_builtin ("burst", 0.25, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (spec->stages[0].base, ==, 250);
  g_assert_cmpfloat (spec->stages[0].peak, ==, 2500);
  g_assert_cmpfloat (spec->stages[0].every_s, ==, 180);
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  /* Investor at scale 1 matches its description. */
  spec = stampede_scenario_spec_new_builtin ("investor", 1, &error);
  g_assert_cmpfloat (stampede_scenario_spec_duration (spec), ==, 140);
  g_assert_cmpfloat (spec->stages[1].rate, ==, 400);
  g_assert_cmpuint (spec->n_faults, ==, 1);
  g_assert_cmpfloat (spec->faults[0].at_s, ==, 60);
  g_clear_pointer (&spec, stampede_scenario_spec_free);

  spec = stampede_scenario_spec_new_builtin ("peak", 200, &error);
  g_assert_null (spec);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR,
                  STAMPEDE_SCENARIO_ERROR_VALUE);
  g_clear_error (&error);

  spec = stampede_scenario_spec_new_builtin ("peak", 0, &error);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR,
                  STAMPEDE_SCENARIO_ERROR_VALUE);
  g_clear_error (&error);

  spec = stampede_scenario_spec_new_builtin ("soak", 1, &error);
  g_assert_error (error, STAMPEDE_SCENARIO_ERROR,
                  STAMPEDE_SCENARIO_ERROR_UNKNOWN_SCENARIO);
}

static void
test_evaluate (void)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(StampedeCriteriaResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = documented_example ();

  spec = stampede_scenario_spec_new_from_data (text, -1, "scenarios.md",
                                               &error);
  g_assert_no_error (error);

  json_parser_load_from_data (parser,
                              "{\"arrivals\": 1000, \"duration_s\": 36,"
                              " \"target_rate\": 100, \"achieved_rate\": 100,"
                              " \"outcomes\": {\"ok\": 700, \"declined\": 300,"
                              " \"http_error\": 0, \"transport_error\": 0,"
                              " \"timeout\": 0, \"dropped\": 0},"
                              " \"latency_ms\": {\"count\": 1000,"
                              " \"mean\": 5, \"p50\": 4,"
                              " \"p95\": 9, \"p99\": 250, \"max\": 300},"
                              " \"accuracy\": {\"accuracy\": 0.95,"
                              " \"precision\": 0.9, \"recall\": 0.8}}",
                              -1, &error);
  g_assert_no_error (error);

  result = stampede_scenario_spec_evaluate (spec,
                                            json_parser_get_root (parser));
  g_assert_cmpuint (result->n_results, ==, 5);
  g_assert_true (result->results[0].computable);
  g_assert_false (result->results[0].passed);   /* p99 250 > 200 */
  g_assert_true (result->results[1].passed);
  g_assert_true (result->results[2].passed);
  g_assert_true (result->results[3].passed);
  /* 1 USD an hour × 36 s / 1,000 answered = 0.00001 USD. */
  g_assert_true (result->results[4].computable);
  g_assert_cmpfloat_with_epsilon (result->results[4].actual, 1e-5, 1e-15);
  g_assert_false (result->passed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/scenario-spec/syntax-error",
                   test_syntax_error);
  g_test_add_func ("/stampede/scenario-spec/unknown-key", test_unknown_key);
  g_test_add_func ("/stampede/scenario-spec/wrong-type", test_wrong_type);
  g_test_add_func ("/stampede/scenario-spec/bad-value", test_bad_value);
  g_test_add_func ("/stampede/scenario-spec/missing-and-duplicate",
                   test_missing_and_duplicate);
  g_test_add_func ("/stampede/scenario-spec/unknown-metric",
                   test_unknown_metric);
  g_test_add_func ("/stampede/scenario-spec/trailing-content",
                   test_trailing_content);
  g_test_add_func ("/stampede/scenario-spec/bad-utf8", test_bad_utf8);
  g_test_add_func ("/stampede/scenario-spec/cost-without-model",
                   test_cost_without_model);
  g_test_add_func ("/stampede/scenario-spec/faults", test_faults);
  g_test_add_func ("/stampede/scenario-spec/io-error", test_io_error);
  g_test_add_func ("/stampede/scenario-spec/documented-example",
                   test_documented_example);
  g_test_add_func ("/stampede/scenario-spec/builtins", test_builtins);
  g_test_add_func ("/stampede/scenario-spec/builtin-scale",
                   test_builtin_scale);
  g_test_add_func ("/stampede/scenario-spec/evaluate", test_evaluate);

  return g_test_run ();
}
