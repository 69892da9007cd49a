/* test-cli.c — stampede-cli as a user and a CI pipeline see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

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

/* Runs stampede-cli with @args (NULL-terminated) and collects its exit
 * status and output. */
static void
run_cli (CliResult  *result,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("STAMPEDE_CLI"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                NULL, NULL, &result->out, &result->err, &wait_status,
                &error);
  g_assert_no_error (error);

  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
}

static void
assert_usage_error (const char *needle,
                    const char *first,
                    ...)
{
  g_auto(CliResult) result = { 0 };
  const char *args[8] = { NULL };
  const char *arg;
  guint n = 0;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg != NULL && n < G_N_ELEMENTS (args) - 1;
       arg = va_arg (ap, const char *))
    args[n++] = arg;
  va_end (ap);

  run_cli (&result, args[0], args[1], args[2], args[3], args[4], args[5],
           args[6], NULL);

  if (result.status != 2 || strstr (result.err, needle) == NULL)
    g_test_message ("status %d, stderr: %s", result.status, result.err);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, needle));
}

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
  assert_usage_error ("No built-in scenario is called “nosuch”",
                      "run", "nosuch", NULL);
  assert_usage_error ("ramp",
                      "run", "--ramp", "20", "--duration", "5", NULL);
  assert_usage_error ("target_url",
                      "run", "--target", "ftp://127.0.0.1/", NULL);
  assert_usage_error ("unknown command “nope”", "nope", NULL);
}

static void
test_scenarios_listed (void)
{
  g_auto(CliResult) result = { 0 };

  run_cli (&result, "scenarios", NULL);

  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "investor "));
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  g_assert_true (json_object_has_member (object, name));

  return json_object_get_int_member (object, name);
}

/*
 * A short run against the embedded platform.  300/s with a 1 s ramp for
 * 3 s is due 300·1/2 + 300·2 = 750 arrivals, a figure worked out here and
 * not by the engine, and every one of them must be accounted for.
 */
static void
test_short_run (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stampede-cli-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) result = { 0 };
  JsonObject *root, *outcomes, *latency, *accuracy;
  gint64 sum = 0;
  const char *kinds[] = { "ok", "declined", "http_error", "transport_error",
                          "timeout", "dropped" };

  run_cli (&result, "run", "--rate", "300", "--ramp", "1", "--duration", "3",
           "--seed", "7", "--json", path, NULL);
  g_test_message ("%s%s", result.out, result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "Summary written to"));

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpint (member_int (root, "arrivals"), ==, 750);
  g_assert_cmpfloat (json_object_get_double_member (root, "target_rate"),
                     ==, 300.0);

  outcomes = json_object_get_object_member (root, "outcomes");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    sum += member_int (outcomes, kinds[i]);
  g_assert_cmpint (sum, ==, 750);

  /* The embedded platform answers everything on loopback. */
  g_assert_cmpint (member_int (outcomes, "ok")
                   + member_int (outcomes, "declined"), ==, 750);

  latency = json_object_get_object_member (root, "latency_ms");
  g_assert_cmpfloat (json_object_get_double_member (latency, "p50"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (latency, "p99"), <=,
                     json_object_get_double_member (latency, "max"));

  accuracy = json_object_get_object_member (root, "accuracy");
  g_assert_true (json_object_has_member (accuracy, "precision"));
  g_assert_true (json_object_has_member (accuracy, "recall"));
  g_assert_cmpfloat (json_object_get_double_member (accuracy, "accuracy"),
                     >, 0.5);

  g_unlink (path);
  g_rmdir (dir);
}

/* Nothing listens on the port: every transaction fails to connect, and the
 * run says the target was unreachable with exit status 3. */
static void
test_unreachable_target (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_auto(CliResult) result = { 0 };
  guint16 port;

  /* Take a free port, then close it so that nothing listens there. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u/v1/score", port);

  run_cli (&result, "run", "--target", url, "--rate", "50", "--duration",
           "1", "--quiet", NULL);

  g_assert_cmpint (result.status, ==, 3);
  g_assert_nonnull (strstr (result.out, "transport errors 50"));
  g_assert_nonnull (strstr (result.err, "target was unreachable"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/cli/bad-flags", test_bad_flags);
  g_test_add_func ("/stampede/cli/scenarios", test_scenarios_listed);
  g_test_add_func ("/stampede/cli/short-run", test_short_run);
  g_test_add_func ("/stampede/cli/unreachable", test_unreachable_target);

  return g_test_run ();
}
