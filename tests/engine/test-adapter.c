/* test-adapter.c — request templates, answer maps and the baseline rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-answer-map.h"
#include "stampede-baseline.h"
#include "stampede-request-template.h"

static void
make_transaction (StampedeTransaction *tx)
{
  memset (tx, 0, sizeof *tx);
  tx->id = G_GUINT64_CONSTANT (0x1234abcd);
  g_strlcpy (tx->card_id, "card-000042", sizeof tx->card_id);
  g_strlcpy (tx->merchant_id, "m-000007", sizeof tx->merchant_id);
  g_strlcpy (tx->merchant_name, "K\xc3\xb8" "benhavn \"Kaffe\\Bar\"\n",
             sizeof tx->merchant_name);
  g_strlcpy (tx->mcc, "5812", sizeof tx->mcc);
  g_strlcpy (tx->country, "DK", sizeof tx->country);
  g_strlcpy (tx->card_country, "SE", sizeof tx->card_country);
  g_strlcpy (tx->currency, "KWD", sizeof tx->currency);
  tx->minor_units = 3;
  tx->amount_minor = 12045;
  tx->lat = 55.6761;
  tx->lon = -12.5683;
  g_strlcpy (tx->channel, "pos", sizeof tx->channel);
  tx->timestamp_ms = G_GINT64_CONSTANT (1733300000123);
  tx->amount_usd = 39.2;
}

static char *
expand (const char                *text,
        const StampedeTransaction *tx)
{
  g_autoptr(StampedeRequestTemplate) template = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new ("left over");

  template = stampede_request_template_new (text, &error);
  g_assert_no_error (error);
  stampede_request_template_expand (template, tx, out);

  return g_string_free (out, FALSE);
}

static void
test_template_fields (void)
{
  StampedeTransaction tx;
  g_autofree char *all = NULL;
  g_autofree char *omitted = NULL;
  g_autofree char *yen = NULL;

  make_transaction (&tx);
  all = expand ("{\"i\":\"{{id}}\",\"c\":\"{{card_id}}\","
                "\"m\":\"{{merchant_id}}\",\"n\":\"{{merchant_name}}\","
                "\"k\":\"{{mcc}}\",\"co\":\"{{country}}\","
                "\"cc\":\"{{card_country}}\",\"a\":{{amount}},"
                "\"cu\":\"{{currency}}\",\"p\":[{{lat}},{{lon}}],"
                "\"ch\":\"{{channel}}\",\"t\":{{timestamp_ms}}}", &tx);
  g_assert_cmpstr (all, ==,
                   "{\"i\":\"tx-000000001234abcd\",\"c\":\"card-000042\","
                   "\"m\":\"m-000007\","
                   "\"n\":\"K\xc3\xb8" "benhavn \\\"Kaffe\\\\Bar\\\"\\u000a\","
                   "\"k\":\"5812\",\"co\":\"DK\",\"cc\":\"SE\","
                   "\"a\":12.045,\"cu\":\"KWD\",\"p\":[55.6761,-12.5683],"
                   "\"ch\":\"pos\",\"t\":1733300000123}");

  /* Omitted optional fields: empty strings and null coordinates. */
  tx.merchant_name[0] = '\0';
  tx.channel[0] = '\0';
  tx.lat = NAN;
  tx.lon = NAN;
  omitted = expand ("[\"{{merchant_name}}\",\"{{channel}}\",{{lat}},"
                    "{{lon}}]", &tx);
  g_assert_cmpstr (omitted, ==, "[\"\",\"\",null,null]");

  /* Zero minor units: no decimal point. */
  g_strlcpy (tx.currency, "JPY", sizeof tx.currency);
  tx.minor_units = 0;
  tx.amount_minor = 1500;
  yen = expand ("{\"amount\":\"{{amount}} {{currency}}\"}", &tx);
  g_assert_cmpstr (yen, ==, "{\"amount\":\"1500 JPY\"}");
}

static void
test_template_errors (void)
{
  const char *bad[] = {
    "",
    "{\"a\":\"{{nope}}\"}",
    "{\"a\":\"{{id\"}",
    "{\"a\":{{card_id}}}",
    "not json {{id}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;

    g_assert_null (stampede_request_template_new (bad[i], &error));
    g_assert_error (error, STAMPEDE_RUN_CONFIG_ERROR,
                    STAMPEDE_RUN_CONFIG_ERROR_INVALID);
  }
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
test_json_pointer (void)
{
  g_autoptr(JsonNode) root = parse (
    "{\"a\":{\"b/c\":[10,{\"m~n\":\"deep\"}],\"\":1},\"0\":2}");
  JsonNode *node;

  node = stampede_json_pointer_get (root, "/a/b~1c/1/m~0n");
  g_assert_nonnull (node);
  g_assert_cmpstr (json_node_get_string (node), ==, "deep");
  node = stampede_json_pointer_get (root, "/a/b~1c/0");
  g_assert_cmpint (json_node_get_int (node), ==, 10);
  node = stampede_json_pointer_get (root, "/a/");
  g_assert_cmpint (json_node_get_int (node), ==, 1);
  node = stampede_json_pointer_get (root, "/0");
  g_assert_cmpint (json_node_get_int (node), ==, 2);

  g_assert_null (stampede_json_pointer_get (root, "/a/b~1c/2"));
  g_assert_null (stampede_json_pointer_get (root, "/a/b~1c/01"));
  g_assert_null (stampede_json_pointer_get (root, "/a/b~1c/-"));
  g_assert_null (stampede_json_pointer_get (root, "/a/b/c"));
  g_assert_null (stampede_json_pointer_get (root, "/0/x"));
}

static StampedeRunConfig *
mapping_config (const char  *decision,
                const char **declines,
                const char  *score,
                const char  *geo_ms)
{
  StampedeRunConfig *config = stampede_run_config_new ();

  g_free (config->decision_pointer);
  config->decision_pointer = g_strdup (decision);
  g_strfreev (config->decline_values);
  config->decline_values = g_strdupv ((char **) declines);
  config->score_pointer = g_strdup (score);
  config->agent_ms_pointers[STAMPEDE_AGENT_GEO] = g_strdup (geo_ms);

  return config;
}

static gboolean
map (StampedeAnswerMap *answer_map,
     const char        *body,
     StampedeAnswer    *answer)
{
  return stampede_answer_map_parse (answer_map, body, strlen (body), answer);
}

static void
test_answer_map (void)
{
  const char *declines[] = { "BLOCK", "HOLD", NULL };
  g_autoptr(StampedeRunConfig) config =
    mapping_config ("/result/action", declines, "/result/score",
                    "/timing/geo");
  g_autoptr(StampedeAnswerMap) answer_map = stampede_answer_map_new (config);
  StampedeAnswer answer;

  g_assert_true (map (answer_map, "{\"result\":{\"action\":\"HOLD\","
                      "\"score\":0.75},\"timing\":{\"geo\":2.5}}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_DECLINE);
  g_assert_true (answer.has_score);
  g_assert_cmpfloat (answer.score, ==, 0.75);
  g_assert_true (answer.agent_seen[STAMPEDE_AGENT_GEO]);
  g_assert_cmpfloat (answer.agent_ms[STAMPEDE_AGENT_GEO], ==, 2.5);
  g_assert_false (answer.agent_seen[STAMPEDE_AGENT_ANALYZER]);

  /* Any other value is ok; an agent without a timing reports none. */
  g_assert_true (map (answer_map, "{\"result\":{\"action\":\"PASS\","
                      "\"score\":1}}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_APPROVE);
  g_assert_false (answer.agent_seen[STAMPEDE_AGENT_GEO]);
  g_assert_true (map (answer_map, "{\"result\":{\"action\":\"block\","
                      "\"score\":1},\"timing\":{\"geo\":-1}}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_APPROVE);
  g_assert_false (answer.agent_seen[STAMPEDE_AGENT_GEO]);

  /* Unreadable: not JSON, no decision, a decision that is no scalar, or
   * a score pointer that finds no number. */
  g_assert_false (map (answer_map, "{\"result\":", &answer));
  g_assert_false (map (answer_map, "{\"result\":{\"score\":1}}", &answer));
  g_assert_false (map (answer_map, "{\"result\":{\"action\":[1],"
                       "\"score\":1}}", &answer));
  g_assert_false (map (answer_map, "{\"result\":{\"action\":\"HOLD\"}}",
                       &answer));
  g_assert_false (map (answer_map, "{\"result\":{\"action\":\"HOLD\","
                       "\"score\":\"high\"}}", &answer));
}

static void
test_answer_map_scalars (void)
{
  const char *declines[] = { "true", "2", NULL };
  g_autoptr(StampedeRunConfig) config =
    mapping_config ("/fraud", declines, NULL, NULL);
  g_autoptr(StampedeAnswerMap) answer_map = stampede_answer_map_new (config);
  StampedeAnswer answer;

  g_assert_true (map (answer_map, "{\"fraud\":true}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_DECLINE);
  g_assert_false (answer.has_score);
  g_assert_true (map (answer_map, "{\"fraud\":false}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_APPROVE);
  g_assert_true (map (answer_map, "{\"fraud\":2}", &answer));
  g_assert_cmpint (answer.decision, ==, STAMPEDE_DECISION_DECLINE);
  g_assert_false (map (answer_map, "{\"fraud\":null}", &answer));
  g_assert_false (map (answer_map, "{\"fraud\":2.5}", &answer));
}

static void
test_baseline (void)
{
  StampedeTransaction tx;

  make_transaction (&tx);
  g_assert_false (stampede_baseline_declines (&tx));

  /* More than 5,000 USD. */
  tx.amount_usd = 5000.01;
  g_assert_true (stampede_baseline_declines (&tx));
  tx.amount_usd = 5000;
  g_assert_false (stampede_baseline_declines (&tx));

  /* A money-moving category abroad, but not at home. */
  g_strlcpy (tx.mcc, "7995", sizeof tx.mcc);
  g_assert_true (stampede_baseline_declines (&tx));
  g_strlcpy (tx.card_country, "DK", sizeof tx.card_country);
  g_assert_false (stampede_baseline_declines (&tx));

  /* A tiny online purchase, but not in a shop. */
  tx.amount_usd = 1.5;
  g_assert_false (stampede_baseline_declines (&tx));
  g_strlcpy (tx.channel, "ecom", sizeof tx.channel);
  g_assert_true (stampede_baseline_declines (&tx));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/adapter/template-fields",
                   test_template_fields);
  g_test_add_func ("/stampede/adapter/template-errors",
                   test_template_errors);
  g_test_add_func ("/stampede/adapter/json-pointer", test_json_pointer);
  g_test_add_func ("/stampede/adapter/answer-map", test_answer_map);
  g_test_add_func ("/stampede/adapter/answer-map-scalars",
                   test_answer_map_scalars);
  g_test_add_func ("/stampede/adapter/baseline", test_baseline);

  return g_test_run ();
}
