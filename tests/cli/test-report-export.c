/* test-report-export.c — the CSV, spectrum, JUnit and criteria exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "stampede-report.h"

static void
test_csv (void)
{
  g_autoptr(GArray) series = g_array_new (FALSE, TRUE,
                                          sizeof (StampedeSecond));
  g_autofree char *text = NULL;
  StampedeSecond row = { 0 };

  row.t_s = 1;
  row.target_rate = 250.5;
  row.sent = 251;
  row.outcomes[STAMPEDE_OUTCOME_OK] = 200;
  row.outcomes[STAMPEDE_OUTCOME_DECLINED] = 40;
  row.outcomes[STAMPEDE_OUTCOME_TIMEOUT] = 1;
  row.outcomes[STAMPEDE_OUTCOME_DROPPED] = 10;
  row.p50_ms = 0.25;
  row.p95_ms = 1.5;
  row.p99_ms = 2.125;
  row.max_ms = 9;
  row.service_p99_ms = 1.0625;
  row.tp = 30;
  row.fp = 10;
  row.tn = 190;
  row.fn = 10;
  g_array_append_val (series, row);

  /* An empty second inside the run stays; empty ones at the end, after
   * the last answer, go. */
  memset (&row, 0, sizeof row);
  row.t_s = 2;
  g_array_append_val (series, row);
  row.t_s = 3;
  row.outcomes[STAMPEDE_OUTCOME_DECLINED] = 1;
  g_array_append_val (series, row);
  row.outcomes[STAMPEDE_OUTCOME_DECLINED] = 0;
  row.t_s = 4;
  g_array_append_val (series, row);
  row.t_s = 5;
  g_array_append_val (series, row);

  text = stampede_report_format_csv (series);
  g_assert_cmpstr (text, ==,
                   "t_s,target_rate,sent,ok,declined,http_error,"
                   "transport_error,timeout,dropped,p50_ms,p95_ms,p99_ms,"
                   "max_ms,service_p99_ms,tp,fp,tn,fn\n"
                   "1,250.5,251,200,40,0,0,1,10,0.250,1.500,2.125,9.000,"
                   "1.062,30,10,190,10\n"
                   "2,0,0,0,0,0,0,0,0,0.000,0.000,0.000,0.000,0.000,"
                   "0,0,0,0\n"
                   "3,0,0,0,1,0,0,0,0,0.000,0.000,0.000,0.000,0.000,"
                   "0,0,0,0\n");
}

/*
 * Values 1 to 1000 µs, once each.  Below 2048 the histogram keeps every
 * microsecond apart, so the p-th percentile is the value of rank
 * ceil (p × 10): 500 µs at 50, 750 at 75, 1000 at 99.9 and above.  The
 * steps are 100 − 100/2^k for k = 0 … 19 (the last below 99.9999), then
 * 99.9999 and 100: 22 rows.
 */
static void
test_spectrum (void)
{
  g_autoptr(StampedeHistogram) latency = stampede_histogram_new (60000000);
  g_autoptr(StampedeHistogram) service = stampede_histogram_new (60000000);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  for (gint64 v = 1; v <= 1000; v++) {
    stampede_histogram_record (latency, v);
    stampede_histogram_record (service, v / 2 + 1);
  }

  text = stampede_report_format_spectrum (latency, service);
  lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 22 + 1);
  g_assert_cmpstr (lines[0], ==, "percentile,latency_ms,service_latency_ms");
  g_assert_cmpstr (lines[1], ==, "0,0.001,0.001");
  g_assert_cmpstr (lines[2], ==, "50,0.500,0.251");
  g_assert_cmpstr (lines[3], ==, "75,0.750,0.376");
  g_assert_cmpstr (lines[4], ==, "87.5,0.875,0.438");
  g_assert_true (g_str_has_prefix (lines[20], "99.99980927,"));
  g_assert_cmpstr (lines[21], ==, "99.9999,1.000,0.501");
  g_assert_cmpstr (lines[22], ==, "100,1.000,0.501");
  g_assert_cmpstr (lines[23], ==, "");
}

static StampedeCriteriaResult *
make_verdicts (void)
{
  StampedeCriteriaResult *result = g_new0 (StampedeCriteriaResult, 1);

  result->n_results = 3;
  result->results = g_new0 (StampedeCriterionResult, 3);
  result->results[0] = (StampedeCriterionResult) {
    { STAMPEDE_METRIC_P99_MS, STAMPEDE_OP_LT, 2000 }, TRUE, 12.5, TRUE, NULL,
  };
  result->results[1] = (StampedeCriterionResult) {
    { STAMPEDE_METRIC_AVAILABILITY, STAMPEDE_OP_GE, 0.999 }, TRUE, 0.75,
    FALSE, NULL,
  };
  result->results[2] = (StampedeCriterionResult) {
    { STAMPEDE_METRIC_ACCURACY, STAMPEDE_OP_GT, 0.9 }, FALSE, 0, FALSE,
    g_strdup ("nothing \"answered\" <&>"),
  };
  result->passed = FALSE;

  return result;
}

typedef struct {
  GString *seen;
} Walk;

static void
start_cb (GMarkupParseContext  *context,
          const char           *element,
          const char          **names,
          const char          **values,
          gpointer              user_data,
          GError              **error)
{
  Walk *walk = user_data;

  g_string_append_printf (walk->seen, "<%s", element);
  for (guint i = 0; names[i] != NULL; i++) {
    if (!g_str_equal (names[i], "time"))
      g_string_append_printf (walk->seen, " %s=%s", names[i], values[i]);
  }
  g_string_append (walk->seen, ">");
}

/* The document parses, and its attributes read back unescaped. */
static void
test_junit (void)
{
  const GMarkupParser parser = { start_cb, NULL, NULL, NULL, NULL };
  g_autoptr(StampedeCriteriaResult) verdicts = make_verdicts ();
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *xml = NULL;
  Walk walk = { seen };

  xml = stampede_report_format_junit ("lunch & <rush>", 12.5, verdicts,
                                      "the run was aborted: \"slow\"");
  context = g_markup_parse_context_new (&parser, 0, &walk, NULL);
  g_markup_parse_context_parse (context, xml, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (seen->str, ==,
    "<testsuites>"
    "<testsuite name=lunch & <rush> tests=4 failures=3 errors=0>"
    "<testcase classname=stampede.lunch & <rush> name=run>"
    "<failure type=run message=the run was aborted: \"slow\">"
    "<testcase classname=stampede.lunch & <rush> name=p99_ms < 2000>"
    "<testcase classname=stampede.lunch & <rush> "
    "name=availability >= 0.999>"
    "<failure type=criterion message=availability was 0.75, needed >= "
    "0.999>"
    "<testcase classname=stampede.lunch & <rush> name=accuracy > 0.9>"
    "<failure type=criterion message=accuracy could not be computed: "
    "nothing \"answered\" <&>>");
}

static void
test_criteria_text (void)
{
  g_autoptr(StampedeCriteriaResult) verdicts = make_verdicts ();
  g_autofree char *text = stampede_report_format_criteria (verdicts);
  g_autofree char *none = stampede_report_format_criteria (NULL);

  g_test_message ("\n%s", text);
  g_assert_nonnull (strstr (text, "PASS  p99_ms < 2000 ms"));
  g_assert_nonnull (strstr (text, "FAIL  availability >= 0.999"));
  g_assert_nonnull (strstr (text, "not computable: nothing"));
  g_assert_nonnull (strstr (text, "FAILED: 2 of 3 criteria"));
  g_assert_cmpstr (none, ==, "Criteria     none\n");
}

/* Control characters are not allowed in XML 1.0, escaped or not: the
 * report replaces them, so that a parser accepts it. */
static void
test_junit_control (void)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  static const GMarkupParser parser = { 0 };

  xml = stampede_report_format_junit ("bell\atab\tesc\033", 1, NULL,
                                      "reason\x01here");
  g_assert_null (strchr (xml, '\a'));
  g_assert_null (strchr (xml, '\033'));
  g_assert_null (strstr (xml, "&#x"));
  g_assert_nonnull (strstr (xml, "reason here"));

  context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  g_markup_parse_context_parse (context, xml, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/report-export/csv", test_csv);
  g_test_add_func ("/stampede/report-export/spectrum", test_spectrum);
  g_test_add_func ("/stampede/report-export/junit", test_junit);
  g_test_add_func ("/stampede/report-export/junit-control",
                   test_junit_control);
  g_test_add_func ("/stampede/report-export/criteria-text",
                   test_criteria_text);

  return g_test_run ();
}
