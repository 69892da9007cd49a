/* test-report.c — run summaries from a hand-built final snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "stampede-report.h"

static StampedeRunConfig *
make_config (void)
{
  StampedeRunConfig *config = stampede_run_config_new ();

  g_free (config->target_url);
  config->target_url = g_strdup ("http://127.0.0.1:8080/v1/score");
  config->rate = 100;
  config->ramp_s = 2;
  config->duration_s = 10;
  config->seed = 77;
  config->n_workers = 2;
  config->max_in_flight = 500;
  config->timeout_ms = 2000;

  return config;
}

/* A run of 10 s that took 10.5 s to collect its last answers. */
static StampedeSnapshot *
make_final (void)
{
  StampedeSnapshot *s = stampede_snapshot_new ();

  s->state = STAMPEDE_RUN_FINISHED;
  s->elapsed_s = 10.5;
  s->duration_s = 10;
  s->target_rate = 100;
  s->arrivals = 1000;
  s->outcomes[STAMPEDE_OUTCOME_OK] = 700;
  s->outcomes[STAMPEDE_OUTCOME_DECLINED] = 150;
  s->outcomes[STAMPEDE_OUTCOME_HTTP_ERROR] = 50;
  s->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR] = 20;
  s->outcomes[STAMPEDE_OUTCOME_TIMEOUT] = 30;
  s->outcomes[STAMPEDE_OUTCOME_DROPPED] = 50;
  s->run = (StampedeLatency) { 850, 4.5, 3.25, 9.5, 20.25, 48.0 };
  s->service = (StampedeLatency) { 850, 2.5, 2.0, 6.0, 11.0, 30.5 };
  s->true_pos = 120;
  s->false_pos = 30;
  s->true_neg = 680;
  s->false_neg = 20;
  s->fraud_value_blocked = 15432.5;
  s->agent_mean_ms[STAMPEDE_AGENT_ANALYZER] = 1.25;
  s->agent_count[STAMPEDE_AGENT_ANALYZER] = 850;
  s->agent_mean_ms[STAMPEDE_AGENT_REASONING] = 0.5;
  s->agent_count[STAMPEDE_AGENT_REASONING] = 840;

  return s;
}

static double
get_double (JsonObject *object,
            const char *key)
{
  g_assert_true (json_object_has_member (object, key));

  return json_object_get_double_member (object, key);
}

static gint64
get_int (JsonObject *object,
         const char *key)
{
  g_assert_true (json_object_has_member (object, key));

  return json_object_get_int_member (object, key);
}

static void
check_summary (JsonObject *root)
{
  JsonObject *config = json_object_get_object_member (root, "config");
  JsonObject *outcomes = json_object_get_object_member (root, "outcomes");
  JsonObject *latency = json_object_get_object_member (root, "latency_ms");
  JsonObject *service = json_object_get_object_member (root,
                                                       "service_latency_ms");
  JsonObject *accuracy = json_object_get_object_member (root, "accuracy");
  JsonObject *agents = json_object_get_object_member (root, "agents");
  JsonObject *analyzer = json_object_get_object_member (agents,
                                                        "transaction_analyzer");

  g_assert_cmpstr (json_object_get_string_member (config, "target_url"), ==,
                   "http://127.0.0.1:8080/v1/score");
  g_assert_cmpfloat (get_double (config, "rate"), ==, 100);
  g_assert_cmpfloat (get_double (config, "ramp_s"), ==, 2);
  g_assert_cmpint (get_int (config, "seed"), ==, 77);
  g_assert_cmpint (get_int (config, "max_in_flight"), ==, 500);

  /* The ramp asks for 100 × 2 / 2 + 100 × 8 = 900 arrivals over the 10 s,
   * 90 a second on average.  950 of 1000 arrivals were sent (50 dropped)
   * during the 10 s of sending; 850 answers arrived over the 10.5 s of
   * the run. */
  g_assert_cmpfloat_with_epsilon (get_double (root, "target_rate"), 90, 1e-9);
  g_assert_cmpfloat_with_epsilon (get_double (root, "achieved_rate"), 95.0,
                                  1e-9);
  g_assert_cmpfloat_with_epsilon (get_double (root, "answered_rate"),
                                  850 / 10.5, 1e-9);
  g_assert_cmpfloat (get_double (root, "duration_s"), ==, 10);
  g_assert_cmpint (get_int (root, "arrivals"), ==, 1000);
  g_assert_cmpint (get_int (root, "sent"), ==, 950);
  g_assert_cmpint (get_int (root, "answered"), ==, 850);
  g_assert_cmpint (get_int (root, "errors"), ==, 100);

  g_assert_cmpint (get_int (outcomes, "ok"), ==, 700);
  g_assert_cmpint (get_int (outcomes, "declined"), ==, 150);
  g_assert_cmpint (get_int (outcomes, "http_error"), ==, 50);
  g_assert_cmpint (get_int (outcomes, "transport_error"), ==, 20);
  g_assert_cmpint (get_int (outcomes, "timeout"), ==, 30);
  g_assert_cmpint (get_int (outcomes, "dropped"), ==, 50);

  g_assert_cmpfloat (get_double (latency, "mean"), ==, 4.5);
  g_assert_cmpfloat (get_double (latency, "p50"), ==, 3.25);
  g_assert_cmpfloat (get_double (latency, "p95"), ==, 9.5);
  g_assert_cmpfloat (get_double (latency, "p99"), ==, 20.25);
  g_assert_cmpfloat (get_double (latency, "max"), ==, 48);
  g_assert_cmpfloat (get_double (service, "p99"), ==, 11);
  g_assert_cmpfloat (get_double (service, "max"), ==, 30.5);

  /* (120 + 680) / 850, 120 / 150, 120 / 140. */
  g_assert_cmpfloat_with_epsilon (get_double (accuracy, "accuracy"),
                                  800.0 / 850.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_double (accuracy, "precision"), 0.8,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (get_double (accuracy, "recall"),
                                  120.0 / 140.0, 1e-12);
  g_assert_cmpint (get_int (accuracy, "tp"), ==, 120);
  g_assert_cmpint (get_int (accuracy, "fp"), ==, 30);
  g_assert_cmpint (get_int (accuracy, "tn"), ==, 680);
  g_assert_cmpint (get_int (accuracy, "fn"), ==, 20);

  g_assert_cmpfloat (get_double (root, "fraud_value_blocked_usd"), ==,
                     15432.5);
  g_assert_cmpfloat (get_double (analyzer, "mean_ms"), ==, 1.25);
  g_assert_cmpint (get_int (analyzer, "count"), ==, 850);
  g_assert_true (json_object_has_member (agents, "pattern_detector"));
  g_assert_true (json_object_has_member (agents, "geo_risk"));
  g_assert_true (json_object_has_member (agents, "reasoning"));
}

static void
test_summary (void)
{
  g_autoptr(StampedeRunConfig) config = make_config ();
  g_autoptr(StampedeSnapshot) final = make_final ();
  g_autoptr(JsonNode) summary = NULL;

  summary = stampede_report_build_summary (config, final);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (summary));
  check_summary (json_node_get_object (summary));
}

static void
test_write_json (void)
{
  g_autoptr(StampedeRunConfig) config = make_config ();
  g_autoptr(StampedeSnapshot) final = make_final ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *dir = g_dir_make_tmp (NULL, &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "summary.json", NULL);

  g_assert_true (stampede_report_write_json (config, final, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);

  /* Pretty printed, readable back, the same figures. */
  g_assert_nonnull (strchr (text, '\n'));
  g_assert_true (g_str_has_suffix (text, "}\n"));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  check_summary (json_node_get_object (node));

  /* A directory that does not exist: the error names the path. */
  missing = g_build_filename (dir, "no-such-dir", "summary.json", NULL);
  g_clear_error (&error);
  g_assert_false (stampede_report_write_json (config, final, missing,
                                              &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, missing));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_text (void)
{
  g_autoptr(StampedeRunConfig) config = make_config ();
  g_autoptr(StampedeSnapshot) final = make_final ();
  g_autofree char *text = stampede_report_format_text (config, final);

  g_test_message ("\n%s", text);
  g_assert_true (g_str_has_suffix (text, "\n"));
  g_assert_nonnull (strstr (text, "http://127.0.0.1:8080/v1/score"));
  g_assert_nonnull (strstr (text, "ok 700"));
  g_assert_nonnull (strstr (text, "dropped 50"));
  g_assert_nonnull (strstr (text, "p99 20.25"));
  g_assert_nonnull (strstr (text, "precision 80.0 %"));
  g_assert_nonnull (strstr (text, "15432.50 USD"));
  g_assert_nonnull (strstr (text, "transaction_analyzer"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/report/summary", test_summary);
  g_test_add_func ("/stampede/report/write-json", test_write_json);
  g_test_add_func ("/stampede/report/text", test_text);

  return g_test_run ();
}
