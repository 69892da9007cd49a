/* test-score-request.c — parsing and validating a transaction to score
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <string.h>

#include "stampede-score-request.h"

/* The example of the wire format, byte for byte. */
static const char wire_example[] =
  "{\"id\":\"tx-00000000000000ab\",\"card_id\":\"card-000123\","
  "\"merchant_id\":\"m-004567\",\"merchant_name\":\"Café Nord\","
  "\"mcc\":\"5411\",\"country\":\"FR\",\"card_country\":\"FR\","
  "\"amount\":\"12.34\",\"currency\":\"EUR\",\"lat\":48.85,\"lon\":2.35,"
  "\"channel\":\"pos\",\"timestamp_ms\":1733300000000}";

static gboolean
parse (const char            *text,
       StampedeScoreRequest  *out,
       GError               **error)
{
  return stampede_score_request_parse (text, strlen (text), out, error);
}

static void
test_wire_example (void)
{
  g_autoptr(GError) error = NULL;
  StampedeScoreRequest request;

  g_assert_true (parse (wire_example, &request, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (request.id, ==, "tx-00000000000000ab");
  g_assert_cmpstr (request.card_id, ==, "card-000123");
  g_assert_cmpstr (request.merchant_id, ==, "m-004567");
  g_assert_cmpstr (request.mcc, ==, "5411");
  g_assert_cmpstr (request.country, ==, "FR");
  g_assert_cmpstr (request.card_country, ==, "FR");
  g_assert_cmpstr (request.currency, ==, "EUR");
  g_assert_cmpstr (request.channel, ==, "pos");
  g_assert_cmpfloat (request.amount, ==, 12.34);
  /* The platform's table has 1.08 USD to the euro. */
  g_assert_cmpfloat_with_epsilon (request.amount_usd, 12.34 * 1.08, 1e-9);
  g_assert_true (request.has_location);
  g_assert_cmpfloat (request.lat, ==, 48.85);
  g_assert_cmpfloat (request.lon, ==, 2.35);
  g_assert_cmpint (request.timestamp_ms, ==, G_GINT64_CONSTANT (1733300000000));
}

/* Zero- and three-decimal currencies, and no optional fields at all. */
static void
test_minimal (void)
{
  g_autoptr(GError) error = NULL;
  StampedeScoreRequest request;

  g_assert_true (parse ("{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":"
                        "\"m\",\"mcc\":\"7995\",\"country\":\"JP\","
                        "\"card_country\":\"FR\",\"amount\":\"1500\","
                        "\"currency\":\"JPY\",\"timestamp_ms\":5}",
                        &request, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (request.amount, ==, 1500);
  g_assert_false (request.has_location);
  g_assert_cmpstr (request.channel, ==, "");

  g_assert_true (parse ("{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":"
                        "\"m\",\"mcc\":\"5411\",\"country\":\"KW\","
                        "\"card_country\":\"KW\",\"amount\":\"12.345\","
                        "\"currency\":\"KWD\",\"lat\":null,\"lon\":null,"
                        "\"merchant_name\":null,\"timestamp_ms\":5}",
                        &request, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (request.amount_usd, 12.345 * 3.25, 1e-9);
}

static const struct {
  const char *body;
  const char *needle;
} bad[] = {
  { "{", "JSON" },
  { "42", "object" },
  { "{\"id\":\"a\"}", "card_id" },
  { "{\"id\":\"\",\"card_id\":\"c\"}", "id" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"54\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "mcc" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"fr\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "country" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1.\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "amount" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1e5\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "amount" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"-0.01\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1}", "negative" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"XYZ\",\"timestamp_ms\":1}", "currency" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"lat\":91,\"lon\":0,\"timestamp_ms\":1}", "lat" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"timestamp_ms\":1.5}", "timestamp_ms" },
  { "{\"id\":\"a\",\"card_id\":\"c\",\"merchant_id\":\"m\",\"mcc\":\"5411\","
    "\"country\":\"FR\",\"card_country\":\"FR\",\"amount\":\"1\","
    "\"currency\":\"EUR\",\"channel\":[],\"timestamp_ms\":1}", "channel" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;
    StampedeScoreRequest request;

    g_assert_false (parse (bad[i].body, &request, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_test_message ("%s → %s", bad[i].body, error->message);
    g_assert_nonnull (strstr (error->message, bad[i].needle));
  }
}

/* Invalid UTF-8, embedded nul bytes and a body that is not nul-terminated
 * are errors, not crashes or reads past the end. */
static void
test_bytes (void)
{
  static const char invalid[] = "{\"id\":\"\xff\"}";
  static const char nul[] = "{\"id\"\0:1}";
  g_autoptr(GError) error = NULL;
  StampedeScoreRequest request;
  char *copy = g_malloc (sizeof wire_example - 1);

  g_assert_false (stampede_score_request_parse (invalid, sizeof invalid - 1,
                                                &request, &error));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  g_assert_false (stampede_score_request_parse (nul, sizeof nul - 1,
                                                &request, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  memcpy (copy, wire_example, sizeof wire_example - 1);
  g_assert_true (stampede_score_request_parse (copy, sizeof wire_example - 1,
                                               &request, &error));
  g_assert_no_error (error);
  g_free (copy);
}

/* Thousands of random and mutated bodies: each is accepted or refused
 * with a message, never a crash or a warning. */
static void
test_fuzz (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  gsize valid_len = strlen (wire_example);
  guint accepted = 0;

  for (guint i = 0; i < 5000; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *body = NULL;
    StampedeScoreRequest request;
    gsize len;

    if (i % 2 == 0) {
      len = g_rand_int_range (rand, 0, 300);
      body = g_malloc (len + 1);
      for (gsize j = 0; j < len; j++)
        body[j] = (char) g_rand_int_range (rand, 0, 256);
    } else {
      len = valid_len;
      body = g_strdup (wire_example);
      for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
        body[g_rand_int_range (rand, 0, len)] =
          (char) g_rand_int_range (rand, 0, 256);
    }

    if (stampede_score_request_parse (body, len, &request, &error)) {
      g_assert_no_error (error);
      g_assert_cmpfloat (request.amount_usd, >=, 0);
      accepted++;
    } else {
      g_assert_nonnull (error);
      g_assert_cmpuint (strlen (error->message), >, 0);
    }
  }

  /* Some mutations only touch a string's contents and stay valid. */
  g_assert_cmpuint (accepted, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/score-request/wire-example", test_wire_example);
  g_test_add_func ("/stampede/score-request/minimal", test_minimal);
  g_test_add_func ("/stampede/score-request/errors", test_errors);
  g_test_add_func ("/stampede/score-request/bytes", test_bytes);
  g_test_add_func ("/stampede/score-request/fuzz", test_fuzz);

  return g_test_run ();
}
