/* test-cli.c — stampede-cli as a user and a CI pipeline see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef struct {
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

/* Runs stampede-cli with the arguments of @argv (NULL-terminated, the
 * program itself left out) and collects its exit status and output. */
static void
run_cli_argv (CliResult          *result,
              const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("STAMPEDE_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                NULL, NULL, &result->out, &result->err, &wait_status,
                &error);
  g_assert_no_error (error);

  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
}

static void
run_cli (CliResult  *result,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_cli_argv (result, (const char * const *) args->pdata);
}

static void
assert_usage_error (const char *needle,
                    const char *first,
                    ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(CliResult) result = { 0 };
  const char *arg;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  run_cli_argv (&result, (const char * const *) args->pdata);

  if (result.status != 2 || strstr (result.err, needle) == NULL)
    g_test_message ("status %d, stderr: %s", result.status, result.err);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, needle));
}

/* A scratch directory for one test's files, removed with its files. */
typedef struct {
  char *path;
} Scratch;

static void
scratch_clear (Scratch *scratch)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (scratch->path == NULL)
    return;

  dir = g_dir_open (scratch->path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *file = g_build_filename (scratch->path, name, NULL);

    g_unlink (file);
  }
  g_rmdir (scratch->path);
  g_clear_pointer (&scratch->path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scratch, scratch_clear)

static void
scratch_init (Scratch *scratch)
{
  g_autoptr(GError) error = NULL;

  scratch->path = g_dir_make_tmp ("stampede-cli-XXXXXX", &error);
  g_assert_no_error (error);
}

static char *
scratch_file (Scratch    *scratch,
              const char *name,
              const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (scratch->path, name, NULL);

  if (contents != NULL) {
    g_file_set_contents (path, contents, -1, &error);
    g_assert_no_error (error);
  }

  return path;
}

static JsonObject *
load_summary (JsonParser *parser,
              const char *path)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  g_assert_true (json_object_has_member (object, name));

  return json_object_get_int_member (object, name);
}

static double
member_double (JsonObject *object,
               const char *name)
{
  g_assert_true (json_object_has_member (object, name));

  return json_object_get_double_member (object, name);
}

static const char * const outcome_keys[] = {
  "ok", "declined", "http_error", "transport_error", "timeout", "dropped",
};

static void
test_bad_flags (void)
{
  assert_usage_error ("--rate: “abc” is not a number",
                      "run", "--rate", "abc", NULL);
  assert_usage_error ("--rate: -5 is out of range",
                      "run", "--rate", "-5", NULL);
  assert_usage_error ("--duration: “10s” is not a number",
                      "run", "--duration", "10s", NULL);
  assert_usage_error ("--seed: “1.5” is not a whole number",
                      "run", "--seed", "1.5", NULL);
  assert_usage_error ("--max-in-flight: must be at least 1",
                      "run", "--max-in-flight", "0", NULL);
  assert_usage_error ("Unknown option --frobnicate",
                      "run", "--frobnicate", NULL);
  assert_usage_error ("no built-in scenario is called “nosuch”",
                      "run", "nosuch", NULL);
  assert_usage_error ("ramp",
                      "run", "--ramp", "20", "--duration", "5", NULL);
  assert_usage_error ("--target: “ftp://127.0.0.1/”",
                      "run", "--target", "ftp://127.0.0.1/", NULL);
  assert_usage_error ("--ramp: 20 is out of range",
                      "run", "--ramp", "20", "--duration", "5", NULL);
  assert_usage_error ("--admin-token: use at least 16 characters",
                      "platform", "--admin-token", "short", NULL);
  assert_usage_error ("unknown command “nope”", "nope", NULL);
  assert_usage_error ("--listen: “nope” is not HOST:PORT",
                      "engine", "--listen", "nope", NULL);
  assert_usage_error ("--listen: 99999 is out of range",
                      "platform", "--listen", "127.0.0.1:99999", NULL);
  assert_usage_error ("is not a loopback address",
                      "platform", "--listen", "0.0.0.0:0", NULL);
  assert_usage_error ("--retry-max: 11 is out of range",
                      "run", "--retry-max", "11", NULL);
  assert_usage_error ("--platform-admin and --admin-token apply only",
                      "run", "--admin-token", "x", NULL);
}

static void
test_bad_new_flags (void)
{
  assert_usage_error ("--scale: must be greater than 0",
                      "run", "investor", "--scale", "0", NULL);
  assert_usage_error ("--scale: “x” is not a number",
                      "run", "investor", "--scale", "x", NULL);
  assert_usage_error ("--scale: applies to a scenario",
                      "run", "--scale", "2", NULL);
  /* 10,000 TPS × 1000 is more than any stage may ask for. */
  assert_usage_error ("--scale: scale 1000",
                      "run", "peak", "--scale", "1000", NULL);
  assert_usage_error ("--abort-below needs --abort-after",
                      "run", "--abort-below", "0.5", NULL);
  assert_usage_error ("--abort-below: 1.5 is out of range",
                      "run", "--abort-below", "1.5", "--abort-after", "1",
                      NULL);
  assert_usage_error ("--connections runs a closed model",
                      "run", "--connections", "4", "--rate", "10", NULL);
  assert_usage_error ("--connections: must be at least 1",
                      "run", "--connections", "0", NULL);
  assert_usage_error ("--response-map:",
                      "run", "--response-map", "/nonexistent/map.json",
                      NULL);
}

/* A staged scenario's length comes from its stages, so --duration alone
 * is refused rather than guessed at; with --rate the stages go and the
 * duration applies. */
static void
test_staged_duration (void)
{
  assert_usage_error ("--duration: the scenario's stages set its length "
                      "(7200 s)",
                      "run", "sustained", "--scale", "0.001", "--duration",
                      "3", NULL);
}

static void
test_scenarios_listed (void)
{
  const char *names[] = {
    "peak", "sustained", "burst", "failure-recovery", "investor",
  };
  g_auto(GStrv) lines = NULL;
  g_auto(CliResult) result = { 0 };

  run_cli (&result, "scenarios", NULL);

  g_assert_cmpint (result.status, ==, 0);
  lines = g_strsplit (result.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (names) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *prefix = g_strconcat (names[i], " ", NULL);

    g_assert_true (g_str_has_prefix (lines[i], prefix));
  }
  g_assert_cmpstr (lines[G_N_ELEMENTS (names)], ==, "");
}

/*
 * A short run against the embedded platform.  300/s with a 1 s ramp for
 * 3 s is due 300·1/2 + 300·2 = 750 arrivals, a figure worked out here and
 * not by the engine, and every one of them must be accounted for.
 */
static void
test_short_run (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *outcomes, *latency, *accuracy;
  gint64 sum = 0;

  scratch_init (&scratch);
  path = scratch_file (&scratch, "summary.json", NULL);
  run_cli (&result, "run", "--rate", "300", "--ramp", "1", "--duration", "3",
           "--seed", "7", "--json", path, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "Summary written to"));
  g_assert_nonnull (strstr (result.out, "Criteria     none"));

  root = load_summary (parser, path);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 750);
  /* The ramp asks for 750 arrivals over 3 s: 250/s on average. */
  g_assert_cmpfloat_with_epsilon (member_double (root, "target_rate"),
                                  250.0, 1e-9);
  g_assert_nonnull (strstr (result.out, "asked 250.0/s on average"));
  g_assert_false (json_object_get_boolean_member (root, "aborted"));
  g_assert_true (json_object_get_boolean_member (root, "passed"));
  g_assert_true (json_object_get_boolean_member (root, "completed"));

  /* Without --agent-latency-ms the embedded platform keeps its default
   * model, a median of 6 ms for the reasoning agent (0 would be below
   * 1 ms). */
  g_assert_cmpfloat (member_double (json_object_get_object_member (
                       json_object_get_object_member (root, "agents"),
                       "reasoning"), "mean_ms"), >, 3);
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (root, "criteria")),
                    ==, 0);

  outcomes = json_object_get_object_member (root, "outcomes");
  for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
    sum += member_int (outcomes, outcome_keys[i]);
  g_assert_cmpint (sum, ==, 750);

  /* The embedded platform answers everything on loopback. */
  g_assert_cmpint (member_int (outcomes, "ok")
                   + member_int (outcomes, "declined"), ==, 750);

  latency = json_object_get_object_member (root, "latency_ms");
  g_assert_cmpfloat (member_double (latency, "p50"), >, 0);
  g_assert_cmpfloat (member_double (latency, "p99"), <=,
                     member_double (latency, "max"));

  accuracy = json_object_get_object_member (root, "accuracy");
  g_assert_true (json_object_has_member (accuracy, "precision"));
  g_assert_true (json_object_has_member (accuracy, "recall"));
  g_assert_cmpfloat (member_double (accuracy, "accuracy"), >, 0.5);
}

/* Takes a free loopback port and closes it, so that nothing listens
 * there. */
static char *
dup_dead_url (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return g_strdup_printf ("http://127.0.0.1:%u/v1/score", port);
}

/* Counts the elements of a GMarkup document by name and keeps the
 * failure messages. */
typedef struct {
  guint      testsuites;
  guint      testcases;
  guint      failures;
  GPtrArray *messages;
  GPtrArray *names;
} JUnitCount;

static void
junit_start_cb (GMarkupParseContext  *context,
                const char           *element,
                const char          **names,
                const char          **values,
                gpointer              user_data,
                GError              **error)
{
  JUnitCount *count = user_data;

  for (guint i = 0; names[i] != NULL; i++) {
    if (g_str_equal (element, "failure") && g_str_equal (names[i], "message"))
      g_ptr_array_add (count->messages, g_strdup (values[i]));
    if (g_str_equal (element, "testcase") && g_str_equal (names[i], "name"))
      g_ptr_array_add (count->names, g_strdup (values[i]));
  }

  if (g_str_equal (element, "testsuite"))
    count->testsuites++;
  else if (g_str_equal (element, "testcase"))
    count->testcases++;
  else if (g_str_equal (element, "failure"))
    count->failures++;
}

static void
parse_junit (const char *path,
             JUnitCount *count)
{
  const GMarkupParser parser = { junit_start_cb, NULL, NULL, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_file_get_contents (path, &text, &length, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "<?xml version=\"1.0\""));

  count->messages = g_ptr_array_new_with_free_func (g_free);
  count->names = g_ptr_array_new_with_free_func (g_free);
  context = g_markup_parse_context_new (&parser, 0, count, NULL);
  g_markup_parse_context_parse (context, text, length, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

static void
junit_count_clear (JUnitCount *count)
{
  g_clear_pointer (&count->messages, g_ptr_array_unref);
  g_clear_pointer (&count->names, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JUnitCount, junit_count_clear)

/* Nothing listens on the port: every transaction fails to connect, and the
 * run says the target was unreachable with exit status 3; the JUnit
 * report's "run" case fails with that reason. */
static void
test_unreachable_target (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_auto(JUnitCount) junit = { 0 };
  g_autofree char *url = dup_dead_url ();
  g_autofree char *junit_path = NULL;
  g_auto(CliResult) result = { 0 };

  scratch_init (&scratch);
  junit_path = scratch_file (&scratch, "junit.xml", NULL);
  run_cli (&result, "run", "--target", url, "--rate", "50", "--duration",
           "1", "--quiet", "--junit", junit_path, NULL);

  g_assert_cmpint (result.status, ==, 3);
  g_assert_nonnull (strstr (result.out, "transport errors 50"));
  g_assert_nonnull (strstr (result.err, "target was unreachable"));
  g_assert_nonnull (strstr (result.out, "Latency      n/a"));

  parse_junit (junit_path, &junit);
  g_assert_cmpuint (junit.testsuites, ==, 1);
  g_assert_cmpuint (junit.testcases, ==, 1);
  g_assert_cmpuint (junit.failures, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (junit.names, 0), ==, "run");
  g_assert_nonnull (strstr (g_ptr_array_index (junit.messages, 0),
                            "unreachable"));
}

/* The 1-based column of the first @needle in @line. */
static guint
column_of (const char *line,
           const char *needle)
{
  const char *at = strstr (line, needle);

  g_assert_nonnull (at);

  return (guint) g_utf8_strlen (line, at - line) + 1;
}

static void
test_scenario_file_errors (void)
{
  g_auto(Scratch) scratch = { 0 };
  const char *key_line = "    {\"kind\": \"sustained\", \"rate\": 10, "
                         "\"durations_s\": 1}";
  const char *metric_line = "    {\"metric\": \"p42_ms\", \"op\": \"<\", "
                            "\"value\": 1}";
  g_autofree char *unknown_key = NULL;
  g_autofree char *unknown_metric = NULL;
  g_autofree char *syntax = NULL;
  g_autofree char *text = NULL;
  g_autofree char *needle = NULL;

  scratch_init (&scratch);

  text = g_strdup_printf ("{\n  \"name\": \"typo\",\n  \"stages\": [\n%s\n"
                          "  ]\n}\n", key_line);
  unknown_key = scratch_file (&scratch, "typo.json", text);
  needle = g_strdup_printf ("%s:4:%u:", unknown_key,
                            column_of (key_line, "\"durations_s\""));
  assert_usage_error (needle, "run", unknown_key, NULL);
  assert_usage_error ("durations_s", "run", unknown_key, NULL);
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&needle, g_free);

  text = g_strdup_printf ("{\n  \"name\": \"metric\",\n  \"stages\": [{"
                          "\"kind\": \"sustained\", \"rate\": 10, "
                          "\"duration_s\": 1}],\n  \"criteria\": [\n%s\n"
                          "  ]\n}\n", metric_line);
  unknown_metric = scratch_file (&scratch, "metric.json", text);
  needle = g_strdup_printf ("%s:5:%u:", unknown_metric,
                            column_of (metric_line, "\"p42_ms\""));
  assert_usage_error (needle, "run", unknown_metric, NULL);
  assert_usage_error ("unknown metric “p42_ms”", "run", unknown_metric,
                      NULL);
  g_clear_pointer (&needle, g_free);

  /* A comma where a value belongs: line 2, and json-glib names the
   * column. */
  syntax = scratch_file (&scratch, "syntax.json",
                         "{\n  \"name\": ,\n}\n");
  needle = g_strdup_printf ("%s:2:", syntax);
  assert_usage_error (needle, "run", syntax, NULL);

  assert_usage_error ("missing.json", "run", "/nonexistent/missing.json",
                      NULL);
}

/*
 * A scenario file of 400/s for 3 s run at --scale 0.5 asks for
 * 200 × 3 = 600 arrivals; the embedded platform answers all of them, so
 * availability ≥ 0.9 holds and the run exits with 0.
 */
static void
test_criteria_pass (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *criterion;
  JsonArray *criteria;

  scratch_init (&scratch);
  file = scratch_file (&scratch, "pass.json",
                       "{\"name\": \"pass\", \"stages\": [{\"kind\": "
                       "\"sustained\", \"rate\": 400, \"duration_s\": 3}],"
                       " \"criteria\": [{\"metric\": \"availability\","
                       " \"op\": \">=\", \"value\": 0.9}]}");
  json = scratch_file (&scratch, "summary.json", NULL);

  run_cli (&result, "run", file, "--scale", "0.5", "--quiet", "--json", json,
           NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "PASS  availability >= 0.9"));

  root = load_summary (parser, json);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 600);
  g_assert_cmpstr (json_object_get_string_member (root, "scenario"), ==,
                   "pass");
  g_assert_true (json_object_get_boolean_member (root, "passed"));
  g_assert_false (json_object_get_boolean_member (root, "aborted"));

  criteria = json_object_get_array_member (root, "criteria");
  g_assert_cmpuint (json_array_get_length (criteria), ==, 1);
  criterion = json_array_get_object_element (criteria, 0);
  g_assert_cmpstr (json_object_get_string_member (criterion, "metric"), ==,
                   "availability");
  g_assert_true (json_object_get_boolean_member (criterion, "passed"));
  g_assert_cmpfloat (member_double (criterion, "actual"), >=, 0.9);
}

static gchar **
read_lines (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';

  return g_strsplit (text, "\n", -1);
}

/* The per-second series: one row per second of the run, whose columns
 * add up to the summary's totals. */
static void
check_csv (const char *path,
           JsonObject *root)
{
  g_auto(GStrv) lines = read_lines (path);
  g_auto(GStrv) header = g_strsplit (lines[0], ",", -1);
  JsonObject *outcomes = json_object_get_object_member (root, "outcomes");
  JsonObject *accuracy = json_object_get_object_member (root, "accuracy");
  guint n_rows = g_strv_length (lines) - 1;
  guint64 sums[18] = { 0 };
  double elapsed = member_double (root, "elapsed_s");

  g_assert_cmpuint (g_strv_length (header), ==, 18);
  g_assert_cmpstr (header[0], ==, "t_s");
  g_assert_cmpstr (header[2], ==, "sent");
  g_assert_cmpstr (header[17], ==, "fn");

  /* A row per second begun: the run's seconds and, when answers came
   * then, the part-second after them; never an empty trailing row. */
  g_assert_cmpuint (n_rows, <=, (guint) ceil (elapsed));
  g_assert_cmpuint (n_rows, >=,
                    (guint) floor (member_double (root, "duration_s")));

  for (guint r = 1; lines[r] != NULL; r++) {
    g_auto(GStrv) cells = g_strsplit (lines[r], ",", -1);

    g_assert_cmpuint (g_strv_length (cells), ==, 18);
    g_assert_cmpfloat (g_ascii_strtod (cells[0], NULL), ==, (double) r);
    for (guint c = 2; c < 18; c++) {
      if (c >= 9 && c <= 13)
        continue;
      sums[c] += g_ascii_strtoull (cells[c], NULL, 10);
    }
  }

  g_assert_cmpuint (sums[2], ==, member_int (root, "sent"));
  for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
    g_assert_cmpuint (sums[3 + i], ==, member_int (outcomes,
                                                   outcome_keys[i]));
  g_assert_cmpuint (sums[14], ==, member_int (accuracy, "tp"));
  g_assert_cmpuint (sums[15], ==, member_int (accuracy, "fp"));
  g_assert_cmpuint (sums[16], ==, member_int (accuracy, "tn"));
  g_assert_cmpuint (sums[17], ==, member_int (accuracy, "fn"));
}

/* The spectrum: percentiles rising from 0 to 100, values never falling,
 * and the last row is the largest latency of the summary. */
static void
check_spectrum (const char *path,
                JsonObject *root)
{
  g_auto(GStrv) lines = read_lines (path);
  JsonObject *latency = json_object_get_object_member (root, "latency_ms");
  JsonObject *service = json_object_get_object_member (root,
                                                       "service_latency_ms");
  double last[3] = { -1, -1, -1 };
  guint n_rows = g_strv_length (lines) - 1;

  g_assert_cmpstr (lines[0], ==, "percentile,latency_ms,service_latency_ms");
  g_assert_cmpuint (n_rows, >, 20);

  for (guint r = 1; lines[r] != NULL; r++) {
    g_auto(GStrv) cells = g_strsplit (lines[r], ",", -1);
    double row[3];

    g_assert_cmpuint (g_strv_length (cells), ==, 3);
    for (guint c = 0; c < 3; c++)
      row[c] = g_ascii_strtod (cells[c], NULL);

    if (r == 1)
      g_assert_cmpfloat (row[0], ==, 0);
    else
      g_assert_cmpfloat (row[0], >, last[0]);
    g_assert_cmpfloat (row[1], >=, last[1]);
    g_assert_cmpfloat (row[2], >=, last[2]);
    memcpy (last, row, sizeof row);
  }

  /* The file has three decimals of a millisecond: a microsecond. */
  g_assert_cmpfloat (last[0], ==, 100);
  g_assert_cmpfloat_with_epsilon (last[1], member_double (latency, "max"),
                                  0.0006);
  g_assert_cmpfloat_with_epsilon (last[2], member_double (service, "max"),
                                  0.0006);
}

/*
 * No answer comes within a nanosecond, so p99_ms < 0.000001 fails while
 * availability ≥ 0.9 holds: exit status 1, "passed" false, and the failed
 * criterion carries its measured value.  The same run writes the CSV,
 * JUnit and spectrum files.
 */
static void
test_criteria_fail_and_outputs (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_auto(JUnitCount) junit = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *spectrum = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *p99, *availability;
  JsonArray *criteria;

  scratch_init (&scratch);
  file = scratch_file (&scratch, "fail.json",
                       "{\"name\": \"fail <&>\", \"stages\": [{\"kind\": "
                       "\"ramp\", \"from\": 100, \"to\": 300, "
                       "\"duration_s\": 3}],"
                       " \"criteria\": ["
                       "{\"metric\": \"p99_ms\", \"op\": \"<\","
                       " \"value\": 0.000001},"
                       "{\"metric\": \"availability\", \"op\": \">=\","
                       " \"value\": 0.9}]}");
  json = scratch_file (&scratch, "summary.json", NULL);
  csv = scratch_file (&scratch, "series.csv", NULL);
  xml = scratch_file (&scratch, "junit.xml", NULL);
  spectrum = scratch_file (&scratch, "spectrum.csv", NULL);

  run_cli (&result, "run", file, "--json", json, "--csv", csv, "--junit",
           xml, "--spectrum", spectrum, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.out, "FAIL  p99_ms < 1e-06 ms"));
  g_assert_nonnull (strstr (result.out, "FAILED: 1 of 2 criteria"));

  /* A ramp from 100/s to 300/s over 3 s asks for (100 + 300) / 2 × 3 =
   * 600 arrivals, a mean of 200/s. */
  root = load_summary (parser, json);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 600);
  g_assert_cmpfloat_with_epsilon (member_double (root, "target_rate"), 200,
                                  1e-6);
  g_assert_false (json_object_get_boolean_member (root, "passed"));
  criteria = json_object_get_array_member (root, "criteria");
  g_assert_cmpuint (json_array_get_length (criteria), ==, 2);

  p99 = json_array_get_object_element (criteria, 0);
  g_assert_false (json_object_get_boolean_member (p99, "passed"));
  g_assert_cmpfloat (member_double (p99, "actual"), ==,
                     member_double (json_object_get_object_member (
                                      root, "latency_ms"), "p99"));
  g_assert_cmpfloat (member_double (p99, "actual"), >, 0);
  availability = json_array_get_object_element (criteria, 1);
  g_assert_true (json_object_get_boolean_member (availability, "passed"));

  check_csv (csv, root);
  check_spectrum (spectrum, root);

  parse_junit (xml, &junit);
  g_assert_cmpuint (junit.testsuites, ==, 1);
  g_assert_cmpuint (junit.testcases, ==, 3);
  g_assert_cmpuint (junit.failures, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (junit.names, 0), ==, "run");
  g_assert_cmpstr (g_ptr_array_index (junit.names, 1), ==, "p99_ms < 1e-06");
  g_assert_nonnull (strstr (g_ptr_array_index (junit.messages, 0),
                            "p99_ms was "));
}

/*
 * A target that accepts connections and never answers: the in-flight cap
 * of 10 is reached at once, later arrivals are dropped, the achieved rate
 * falls below 90 % of the target and after 1 s the engine aborts the run,
 * well before its 20 s: exit status 3 and "aborted" true.
 */
/* A scenario's faults are carried out and measured: a proxy fault that
 * answers 503 to every request for 2 s shows up as that many HTTP
 * errors inside its window, and a platform fault reaches the embedded
 * platform's admin API. */
static void
test_faults (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *outcomes, *proxy, *crash;
  JsonArray *faults;
  gint64 sum = 0;

  scratch_init (&scratch);
  file = scratch_file (&scratch, "faults.json",
                       "{\"name\": \"faults\", \"stages\": [{\"kind\": "
                       "\"sustained\", \"rate\": 300, \"duration_s\": 8}],"
                       " \"faults\": ["
                       "{\"at_s\": 2, \"kind\": \"proxy_http_status\","
                       " \"duration_s\": 2, \"magnitude\": 1.0,"
                       " \"status\": 503},"
                       "{\"at_s\": 5, \"kind\": \"agent_crash\","
                       " \"duration_s\": 2, \"magnitude\": 1.0,"
                       " \"agent\": \"geo_risk\"}]}");
  json = scratch_file (&scratch, "summary.json", NULL);

  run_cli (&result, "run", file, "--quiet", "--json", json, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "fault proxy_http_status"));
  g_assert_nonnull (strstr (result.out, "every transaction accounted for"));

  root = load_summary (parser, json);
  outcomes = json_object_get_object_member (root, "outcomes");
  for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
    sum += member_int (outcomes, outcome_keys[i]);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 2400);
  g_assert_cmpint (sum, ==, 2400);
  g_assert_true (json_object_get_boolean_member (root, "accounted"));

  faults = json_object_get_array_member (root, "faults");
  g_assert_cmpuint (json_array_get_length (faults), ==, 2);
  proxy = json_array_get_object_element (faults, 0);
  crash = json_array_get_object_element (faults, 1);

  /* 2 s of 300/s all answered 503 by the proxy: about 600 errors. */
  g_assert_cmpstr (json_object_get_string_member (proxy, "kind"), ==,
                   "proxy_http_status");
  g_assert_cmpfloat (member_double (proxy, "started_s"), >=, 2.0);
  g_assert_cmpfloat (member_double (proxy, "ended_s")
                     - member_double (proxy, "started_s"), >=, 1.9);
  g_assert_cmpint (member_int (proxy, "errors"), >=, 500);
  g_assert_cmpint (member_int (proxy, "errors"), <=,
                   member_int (outcomes, "http_error"));
  g_assert_cmpint (member_int (proxy, "lost"), ==, 0);
  g_assert_false (json_object_get_null_member (proxy, "degraded_s"));
  g_assert_true (json_object_has_member (proxy, "recovered_s"));

  g_assert_cmpstr (json_object_get_string_member (crash, "kind"), ==,
                   "agent_crash");
  g_assert_false (json_object_has_member (crash, "error"));
  g_assert_cmpfloat (member_double (crash, "started_s"), >=, 5.0);
}

/* Every fault kind, one after another, in one run: the engine and the
 * platform survive each, each shows up in the outcomes the way it should,
 * every transaction is accounted for and the target answers normally
 * again at the end. */
static void
test_every_fault (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) rows = NULL;
  g_auto(GStrv) last = NULL;
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_autofree char *csv = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *outcomes;
  JsonArray *faults;
  gint64 sum = 0;
  guint n_rows;

  scratch_init (&scratch);
  file = scratch_file (&scratch, "every.json",
    "{\"name\": \"every-fault\", \"timeout_ms\": 800,"
    " \"stages\": [{\"kind\": \"sustained\", \"rate\": 150,"
    " \"duration_s\": 26}],"
    " \"faults\": ["
    "{\"at_s\": 1, \"kind\": \"agent_crash\", \"duration_s\": 1,"
    " \"agent\": \"pattern_detector\"},"
    "{\"at_s\": 3, \"kind\": \"store_throttle\", \"duration_s\": 1},"
    "{\"at_s\": 5, \"kind\": \"ingestion_lag\", \"duration_s\": 1,"
    " \"magnitude\": 100},"
    "{\"at_s\": 7, \"kind\": \"rate_limit\", \"duration_s\": 1},"
    "{\"at_s\": 9, \"kind\": \"latency_spike\", \"duration_s\": 1,"
    " \"magnitude\": 200},"
    "{\"at_s\": 11, \"kind\": \"partition\", \"duration_s\": 1},"
    "{\"at_s\": 13, \"kind\": \"proxy_latency\", \"duration_s\": 1,"
    " \"magnitude\": 50, \"jitter_ms\": 10},"
    "{\"at_s\": 15, \"kind\": \"proxy_reset\", \"duration_s\": 1,"
    " \"magnitude\": 0.5},"
    "{\"at_s\": 17, \"kind\": \"proxy_blackhole\", \"duration_s\": 1},"
    "{\"at_s\": 19, \"kind\": \"proxy_bandwidth\", \"duration_s\": 1,"
    " \"magnitude\": 20000},"
    "{\"at_s\": 21, \"kind\": \"proxy_http_status\", \"duration_s\": 1,"
    " \"status\": 503}]}");
  json = scratch_file (&scratch, "summary.json", NULL);
  csv = scratch_file (&scratch, "series.csv", NULL);

  run_cli (&result, "run", file, "--quiet", "--json", json, "--csv", csv,
           NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);

  root = load_summary (parser, json);
  outcomes = json_object_get_object_member (root, "outcomes");
  for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
    sum += member_int (outcomes, outcome_keys[i]);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 26 * 150);
  g_assert_cmpint (sum, ==, 26 * 150);
  g_assert_true (json_object_get_boolean_member (root, "accounted"));

  /* 429s and 503s are HTTP errors, resets transport errors, a silent
   * partition and a black hole timeouts. */
  g_assert_cmpint (member_int (outcomes, "http_error"), >, 0);
  g_assert_cmpint (member_int (outcomes, "transport_error"), >, 0);
  g_assert_cmpint (member_int (outcomes, "timeout"), >, 0);

  faults = json_object_get_array_member (root, "faults");
  g_assert_cmpuint (json_array_get_length (faults), ==, 11);
  for (guint i = 0; i < 11; i++) {
    JsonObject *fault = json_array_get_object_element (faults, i);

    if (json_object_has_member (fault, "error"))
      g_test_message ("fault %u: %s", i,
                      json_object_get_string_member (fault, "error"));
    g_assert_false (json_object_has_member (fault, "error"));
  }

  /* The last full second, long after the last fault: answered, no
   * errors.  Columns: t_s, target_rate, sent, ok, declined, http_error,
   * transport_error, timeout, dropped, … */
  rows = read_lines (csv);
  n_rows = g_strv_length (rows);
  g_assert_cmpuint (n_rows, >=, 26);
  last = g_strsplit (rows[n_rows - 2], ",", -1);
  g_assert_cmpint (g_ascii_strtoll (last[3], NULL, 10)
                   + g_ascii_strtoll (last[4], NULL, 10), >, 100);
  for (guint i = 5; i <= 8; i++)
    g_assert_cmpint (g_ascii_strtoll (last[i], NULL, 10), ==, 0);
}

/* With retries on, transactions the platform rate-limits (429 with
 * Retry-After: 1) are sent again once the fault is over: they end ok,
 * the retries are counted apart from the arrivals, and their latency
 * includes the wait. */
static void
test_retries (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = NULL;
  g_autofree char *json = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *outcomes, *latency;
  gint64 sum = 0;

  scratch_init (&scratch);
  file = scratch_file (&scratch, "retry.json",
                       "{\"name\": \"retry\", \"stages\": [{\"kind\": "
                       "\"sustained\", \"rate\": 100, \"duration_s\": 4}],"
                       " \"faults\": [{\"at_s\": 1, \"kind\": "
                       "\"rate_limit\", \"duration_s\": 0.5}]}");
  json = scratch_file (&scratch, "summary.json", NULL);

  run_cli (&result, "run", file, "--quiet", "--retry-max", "3",
           "--json", json, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "attempts sent again"));

  root = load_summary (parser, json);
  outcomes = json_object_get_object_member (root, "outcomes");
  for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
    sum += member_int (outcomes, outcome_keys[i]);
  g_assert_cmpint (member_int (root, "arrivals"), ==, 400);
  g_assert_cmpint (sum, ==, 400);
  g_assert_cmpint (member_int (root, "retries"), >, 0);
  g_assert_cmpint (member_int (outcomes, "http_error"), ==, 0);

  /* A retried transaction waited out Retry-After: 1. */
  latency = json_object_get_object_member (root, "latency_ms");
  g_assert_cmpfloat (member_double (latency, "max"), >=, 990);
}

static void
test_abort (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *url = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root;
  guint16 port;

  /* Listening without ever accepting: the kernel completes connections
   * and takes the requests, and no answer ever comes. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1/score", port);

  scratch_init (&scratch);
  json = scratch_file (&scratch, "summary.json", NULL);
  run_cli (&result, "run", "--target", url, "--rate", "100", "--duration",
           "20", "--max-in-flight", "10", "--timeout-ms", "1000",
           "--abort-below", "0.9", "--abort-after", "1", "--quiet",
           "--json", json, NULL);
  g_test_message ("%s%s", result.out, result.err);

  g_assert_cmpint (result.status, ==, 3);
  g_assert_nonnull (strstr (result.err, "aborted"));
  root = load_summary (parser, json);
  g_assert_true (json_object_get_boolean_member (root, "aborted"));
  g_assert_true (json_object_has_member (root, "abort_reason"));
  g_assert_false (json_object_get_boolean_member (root, "passed"));
  g_assert_false (json_object_get_boolean_member (root, "completed"));
  g_assert_nonnull (strstr (result.out, "Verdict      FAILED: the run was "
                                        "aborted: "));
  g_assert_null (strstr (result.out, "PASSED"));
  g_assert_cmpfloat (member_double (root, "elapsed_s"), <, 20);

  g_socket_listener_close (listener);
}

/*
 * The request template and the response map reach the engine.  A map
 * that counts every decision of the embedded platform as a decline turns
 * all 100 answers of 1 s at 100/s into declines; a template that sends
 * only the id makes the platform refuse every request as malformed (400),
 * so all 100 end as http_error.
 */
static void
test_mapping (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autofree char *map = NULL;
  g_autofree char *template = NULL;
  g_autofree char *json = NULL;
  JsonObject *outcomes, *accuracy;

  scratch_init (&scratch);
  map = scratch_file (&scratch, "map.json",
                      "{\"decision\": \"/decision\", \"decline_values\":"
                      " [\"approve\", \"review\", \"decline\"]}");
  template = scratch_file (&scratch, "template.json",
                           "{\"id\": \"{{id}}\"}");
  json = scratch_file (&scratch, "summary.json", NULL);

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_auto(CliResult) result = { 0 };

    run_cli (&result, "run", "--rate", "100", "--duration", "1", "--quiet",
             "--response-map", map, "--json", json, NULL);
    g_test_message ("%s%s", result.out, result.err);
    g_assert_cmpint (result.status, ==, 0);
    outcomes = json_object_get_object_member (load_summary (parser, json),
                                              "outcomes");
    g_assert_cmpint (member_int (outcomes, "declined"), ==, 100);
    g_assert_cmpint (member_int (outcomes, "ok"), ==, 0);
  }

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_auto(CliResult) result = { 0 };

    run_cli (&result, "run", "--rate", "100", "--duration", "1", "--quiet",
             "--request-template", template, "--json", json, NULL);
    g_test_message ("%s%s", result.out, result.err);
    g_assert_cmpint (result.status, ==, 0);
    outcomes = json_object_get_object_member (load_summary (parser, json),
                                              "outcomes");
    g_assert_cmpint (member_int (outcomes, "http_error"), ==, 100);

    /* Nothing was answered, so no share is defined. */
    g_assert_nonnull (strstr (result.out, "Accuracy     n/a  precision n/a"
                                          "  recall n/a"));
    accuracy = json_object_get_object_member (
                 json_node_get_object (json_parser_get_root (parser)),
                 "accuracy");
    g_assert_true (json_object_get_null_member (accuracy, "accuracy"));
    g_assert_true (json_object_get_null_member (accuracy, "precision"));
    g_assert_true (json_object_get_null_member (accuracy, "recall"));
  }
}

/* --connections and --poisson reach the run's configuration: a closed
 * model asks for no rate and accounts for every transaction it sent. */
static void
test_closed_and_poisson (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autofree char *json = NULL;

  scratch_init (&scratch);
  json = scratch_file (&scratch, "summary.json", NULL);

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_auto(CliResult) result = { 0 };
    JsonObject *root, *config, *outcomes;
    gint64 sum = 0;

    run_cli (&result, "run", "--connections", "4", "--duration", "1",
             "--quiet", "--json", json, NULL);
    g_test_message ("%s%s", result.out, result.err);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "closed model, 4 connections"));

    root = load_summary (parser, json);
    config = json_object_get_object_member (root, "config");
    g_assert_cmpint (member_int (config, "connections"), ==, 4);
    g_assert_cmpfloat (member_double (root, "target_rate"), ==, 0);
    g_assert_cmpint (member_int (root, "arrivals"), >, 0);
    outcomes = json_object_get_object_member (root, "outcomes");
    for (guint i = 0; i < G_N_ELEMENTS (outcome_keys); i++)
      sum += member_int (outcomes, outcome_keys[i]);
    g_assert_cmpint (sum, ==, member_int (root, "arrivals"));
  }

  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_auto(CliResult) result = { 0 };
    JsonObject *config;

    run_cli (&result, "run", "--poisson", "--rate", "100", "--duration",
             "1", "--quiet", "--json", json, NULL);
    g_assert_cmpint (result.status, ==, 0);
    config = json_object_get_object_member (load_summary (parser, json),
                                            "config");
    g_assert_cmpstr (json_object_get_string_member (config, "arrivals"), ==,
                     "poisson");
  }
}


/* Output paths are checked before anything runs: a file in a missing
 * directory, or the scenario file itself, is refused at once with the
 * flag and the path named, and no run starts (no plan is printed). */
static void
test_outputs_checked (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autofree char *file = NULL;
  g_autofree char *after = NULL;
  static const char scenario[] =
    "{\"name\": \"keep\", \"stages\": [{\"kind\": \"sustained\", "
    "\"rate\": 10, \"duration_s\": 1}]}";

  {
    g_auto(CliResult) result = { 0 };

    run_cli (&result, "run", "--json", "/nonexistent/a.json", NULL);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "--json /nonexistent/a.json"));
    g_assert_cmpstr (result.out, ==, "");
  }

  scratch_init (&scratch);
  file = scratch_file (&scratch, "keep.json", scenario);
  {
    g_auto(CliResult) result = { 0 };

    run_cli (&result, "run", file, "--json", file, NULL);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "is the scenario file"));
    g_assert_cmpstr (result.out, ==, "");
  }
  g_file_get_contents (file, &after, NULL, NULL);
  g_assert_cmpstr (after, ==, scenario);

  assert_usage_error ("--csv: the file name is empty",
                      "run", "--csv", "", NULL);
  assert_usage_error (": is a directory",
                      "run", "--junit", scratch.path, NULL);
}

/* An empty, blank or non-object response map is refused by name, without
 * json-glib's own complaints. */
static void
test_response_map_checked (void)
{
  const char *bad[][2] = {
    { "", "empty" },
    { "  \n\t", "empty" },
    { "[1, 2]", "not a JSON object" },
    { "\"decision\"", "not a JSON object" },
  };
  g_auto(Scratch) scratch = { 0 };

  scratch_init (&scratch);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autofree char *map = scratch_file (&scratch, "map.json", bad[i][0]);
    g_autofree char *needle = g_strdup_printf ("--response-map %s: %s", map,
                                               bad[i][1]);
    g_auto(CliResult) result = { 0 };

    run_cli (&result, "run", "--response-map", map, NULL);
    g_test_message ("%s", result.err);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, needle));
    g_assert_null (strstr (result.err, "CRITICAL"));
  }
}

/* --connections with --duration replaces a staged scenario's schedule
 * with a closed model of that length. */
static void
test_closed_staged (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *config;

  scratch_init (&scratch);
  json = scratch_file (&scratch, "summary.json", NULL);
  run_cli (&result, "run", "investor", "--connections", "2", "--duration",
           "1", "--quiet", "--json", json, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, !=, 2);
  g_assert_cmpint (result.status, !=, 3);
  config = json_object_get_object_member (load_summary (parser, json),
                                          "config");
  g_assert_cmpint (member_int (config, "connections"), ==, 2);
  g_assert_cmpfloat (member_double (config, "duration_s"), ==, 1);
}

/* A busy port is a usage error, reported once and cleanly. */
static void
test_engine_busy_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_auto(CliResult) result = { 0 };
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  listen = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (
                              G_INET_SOCKET_ADDRESS (bound)));

  run_cli (&result, "engine", "--listen", listen, NULL);
  g_test_message ("%s", result.err);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "could not listen"));
  g_assert_null (strstr (result.err, "CRITICAL"));

  g_socket_listener_close (listener);
}

static void
test_help_usage (void)
{
  g_auto(CliResult) result = { 0 };

  run_cli (&result, "run", "--help", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "stampede-cli run [OPTION"));
  g_assert_nonnull (strstr (result.out, "median of 2 ms"));
}

/* SIGINT stops the run, which then reports what it measured but, not
 * having completed, exits with 3 whatever its criteria say. */
static void
test_interrupt (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(Scratch) scratch = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  JsonObject *root;

  scratch_init (&scratch);
  json = scratch_file (&scratch, "summary.json", NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              g_getenv ("STAMPEDE_CLI"), "run", "--rate",
                              "50", "--duration", "60", "--quiet", "--json",
                              json, NULL);
  g_assert_no_error (error);

  /* Time enough for the run to start and install its signal handler. */
  g_usleep (1500 * G_TIME_SPAN_MILLISECOND);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);

  g_test_message ("%s%s", out, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 3);
  g_assert_nonnull (strstr (err, "the run was interrupted after"));
  g_assert_nonnull (strstr (out, "Outcomes"));
  g_assert_nonnull (strstr (out, "Verdict      FAILED: the run was "
                                 "interrupted"));
  root = load_summary (parser, json);
  g_assert_false (json_object_get_boolean_member (root, "passed"));
  g_assert_false (json_object_get_boolean_member (root, "completed"));
}

static char *
generate (const char *seed,
          const char *count)
{
  g_auto(CliResult) result = { 0 };

  run_cli (&result, "generate", "--seed", seed, "--count", count, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.err, ==, "");

  return g_steal_pointer (&result.out);
}

static void
check_generated_lines (const char *text,
                       guint       count)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gint64 previous = 0;

  /* K lines, each ending with a newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, count + 1);
  g_assert_cmpstr (lines[count], ==, "");

  for (guint i = 0; i < count; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *tx, *truth;
    const char *kind;

    json_parser_load_from_data (parser, lines[i], -1, &error);
    g_assert_no_error (error);
    tx = json_node_get_object (json_parser_get_root (parser));
    g_assert_true (g_str_has_prefix (json_object_get_string_member (tx, "id"),
                                     "tx-"));
    g_assert_true (json_object_has_member (tx, "amount"));
    g_assert_true (json_object_has_member (tx, "currency"));

    /* Timestamps follow the fixed schedule, never the clock. */
    g_assert_cmpint (member_int (tx, "timestamp_ms"), >=, previous);
    previous = member_int (tx, "timestamp_ms");
    g_assert_cmpint (previous, <, G_GINT64_CONSTANT (1735689600000) +
                                  10 * count + 1);

    truth = json_object_get_object_member (tx, "truth");
    g_assert_nonnull (truth);
    kind = json_object_get_string_member (truth, "kind");
    g_assert_true (g_str_equal (kind, "legit") || g_str_equal (kind, "fraud")
                   || g_str_equal (kind, "edge"));
    g_assert_true (json_object_has_member (truth, "typology"));
  }
}

static void
test_generate (void)
{
  g_auto(Scratch) scratch = { 0 };
  g_autofree char *first = generate ("42", "300");
  g_autofree char *again = generate ("42", "300");
  g_autofree char *other = generate ("43", "300");
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) result = { 0 };

  g_assert_cmpstr (first, ==, again);
  g_assert_cmpstr (first, !=, other);
  check_generated_lines (first, 300);

  scratch_init (&scratch);
  out = scratch_file (&scratch, "stream.jsonl", NULL);
  run_cli (&result, "generate", "--seed", "42", "--count", "300", "--out",
           out, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_file_get_contents (out, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, first);

  assert_usage_error ("--count: “abc” is not a whole number",
                      "generate", "--count", "abc", NULL);
  assert_usage_error ("--count: how many", "generate", "--seed", "1", NULL);
  assert_usage_error ("--stream:", "generate", "--count", "1", "--stream",
                      "99999999", NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/cli/bad-flags", test_bad_flags);
  g_test_add_func ("/stampede/cli/bad-new-flags", test_bad_new_flags);
  g_test_add_func ("/stampede/cli/staged-duration", test_staged_duration);
  g_test_add_func ("/stampede/cli/scenarios", test_scenarios_listed);
  g_test_add_func ("/stampede/cli/scenario-file-errors",
                   test_scenario_file_errors);
  g_test_add_func ("/stampede/cli/generate", test_generate);
  g_test_add_func ("/stampede/cli/short-run", test_short_run);
  g_test_add_func ("/stampede/cli/unreachable", test_unreachable_target);
  g_test_add_func ("/stampede/cli/criteria-pass", test_criteria_pass);
  g_test_add_func ("/stampede/cli/criteria-fail-outputs",
                   test_criteria_fail_and_outputs);
  g_test_add_func ("/stampede/cli/mapping", test_mapping);
  g_test_add_func ("/stampede/cli/faults", test_faults);
  g_test_add_func ("/stampede/cli/every-fault", test_every_fault);
  g_test_add_func ("/stampede/cli/retries", test_retries);
  g_test_add_func ("/stampede/cli/closed-and-poisson",
                   test_closed_and_poisson);
  g_test_add_func ("/stampede/cli/abort", test_abort);
  g_test_add_func ("/stampede/cli/interrupt", test_interrupt);
  g_test_add_func ("/stampede/cli/outputs-checked", test_outputs_checked);
  g_test_add_func ("/stampede/cli/response-map-checked",
                   test_response_map_checked);
  g_test_add_func ("/stampede/cli/closed-staged", test_closed_staged);
  g_test_add_func ("/stampede/cli/engine-busy-port", test_engine_busy_port);
  g_test_add_func ("/stampede/cli/help-usage", test_help_usage);

  return g_test_run ();
}
