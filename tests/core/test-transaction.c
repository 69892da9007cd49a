/* test-transaction.c — the transaction factory and the request body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "stampede-transaction.h"
#include "stampede-tx-factory.h"

#define BASE_MS G_GINT64_CONSTANT (1733300000000)

/* ISO 4217 minor units, written out here independently of the code under
 * test. */
static guint
iso_minor_units (const char *currency)
{
  if (g_str_equal (currency, "JPY") || g_str_equal (currency, "KRW"))
    return 0;
  if (g_str_equal (currency, "KWD") || g_str_equal (currency, "BHD"))
    return 3;

  return 2;
}

static char *
to_json (const StampedeTransaction *tx)
{
  char buf[1024];
  gsize len = stampede_transaction_to_json (tx, buf, sizeof buf);

  g_assert_cmpuint (len, <, sizeof buf);
  g_assert_cmpuint (len, ==, strlen (buf));

  return g_strdup (buf);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_reproducible (void)
{
  g_autoptr(StampedeTxFactory) a = stampede_tx_factory_new (42, 0);
  g_autoptr(StampedeTxFactory) b = stampede_tx_factory_new (42, 0);

  for (guint i = 0; i < 10000; i++) {
    StampedeTransaction ta, tb;
    g_autofree char *ja = NULL;
    g_autofree char *jb = NULL;

    stampede_tx_factory_next (a, BASE_MS + i, &ta);
    stampede_tx_factory_next (b, BASE_MS + i, &tb);
    ja = to_json (&ta);
    jb = to_json (&tb);

    g_assert_cmpstr (ja, ==, jb);
    g_assert_cmpint (ta.kind, ==, tb.kind);
    g_assert_cmpstr (ta.typology, ==, tb.typology);
    g_assert_cmpfloat (ta.amount_usd, ==, tb.amount_usd);
  }
}

/* How many of the first @n transactions of two streams differ. */
static guint
count_differences (StampedeTxFactory *a,
                   StampedeTxFactory *b,
                   guint              n)
{
  guint differ = 0;

  for (guint i = 0; i < n; i++) {
    StampedeTransaction ta, tb;
    g_autofree char *ja = NULL;
    g_autofree char *jb = NULL;

    stampede_tx_factory_next (a, BASE_MS + i, &ta);
    stampede_tx_factory_next (b, BASE_MS + i, &tb);
    ja = to_json (&ta);
    jb = to_json (&tb);
    /* Skip the id, which differs between streams by design. */
    differ += strcmp (strchr (ja, ','), strchr (jb, ',')) != 0;
  }

  return differ;
}

static void
test_seed_and_stream_differ (void)
{
  g_autoptr(StampedeTxFactory) seed42 = stampede_tx_factory_new (42, 0);
  g_autoptr(StampedeTxFactory) seed43 = stampede_tx_factory_new (43, 0);
  g_autoptr(StampedeTxFactory) stream0 = stampede_tx_factory_new (42, 0);
  g_autoptr(StampedeTxFactory) stream1 = stampede_tx_factory_new (42, 1);
  StampedeTransaction t0, t1;

  g_assert_cmpuint (count_differences (seed42, seed43, 1000), >, 990);
  g_assert_cmpuint (count_differences (stream0, stream1, 1000), >, 990);

  /* Streams of one run never share an id. */
  stampede_tx_factory_next (stream0, BASE_MS, &t0);
  stampede_tx_factory_next (stream1, BASE_MS, &t1);
  g_assert_cmpuint (t0.id, !=, t1.id);
}

static void
test_mix (void)
{
  g_autoptr(StampedeTxFactory) factory = stampede_tx_factory_new (7, 3);
  g_autoptr(GHashTable) typologies = g_hash_table_new (g_str_hash,
                                                       g_str_equal);
  g_autoptr(GHashTable) currencies = g_hash_table_new_full (g_str_hash,
                                                            g_str_equal,
                                                            g_free, NULL);
  static const char * const expected[] = {
    "card_testing", "account_takeover", "impossible_travel",
    "high_risk_merchant", "zero_amount", "huge_amount", "zero_decimal",
    "three_decimal", "non_ascii_merchant", "missing_fields",
  };
  const guint n = 100000;
  guint kinds[3] = { 0 };

  for (guint i = 0; i < n; i++) {
    StampedeTransaction tx;

    stampede_tx_factory_next (factory, BASE_MS + i, &tx);
    kinds[tx.kind]++;
    g_assert_true ((tx.kind == STAMPEDE_TX_LEGIT) == (*tx.typology == '\0'));
    g_hash_table_add (typologies, (gpointer) tx.typology);
    g_hash_table_add (currencies, g_strdup (tx.currency));
  }

  g_assert_cmpfloat (fabs ((double) kinds[STAMPEDE_TX_LEGIT] / n - 0.80), <=,
                     0.02);
  g_assert_cmpfloat (fabs ((double) kinds[STAMPEDE_TX_FRAUD] / n - 0.15), <=,
                     0.02);
  g_assert_cmpfloat (fabs ((double) kinds[STAMPEDE_TX_EDGE] / n - 0.05), <=,
                     0.02);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_test_message ("typology %s", expected[i]);
    g_assert_true (g_hash_table_contains (typologies, expected[i]));
  }
  g_assert_cmpuint (g_hash_table_size (currencies), >=, 10);
}

static void
check_amount (const char                *amount,
              const StampedeTransaction *tx)
{
  guint digits = iso_minor_units (tx->currency);
  const char *dot = strchr (amount, '.');
  double rate = stampede_currency_usd_rate (tx->currency);

  g_assert_true (g_ascii_isdigit (amount[0]));
  if (digits == 0) {
    g_assert_null (dot);
  } else {
    g_assert_nonnull (dot);
    g_assert_cmpuint (strlen (dot + 1), ==, digits);
  }

  g_assert_cmpfloat (rate, >, 0);
  g_assert_cmpfloat_with_epsilon (g_ascii_strtod (amount, NULL) * rate,
                                  tx->amount_usd,
                                  1e-9 * (1 + tx->amount_usd));
}

static void
test_json_parses (void)
{
  g_autoptr(StampedeTxFactory) factory = stampede_tx_factory_new (99, 0);
  static const char * const required[] = {
    "id", "card_id", "merchant_id", "mcc", "country", "card_country",
    "amount", "currency", "timestamp_ms",
  };
  guint non_ascii = 0, no_name = 0, no_position = 0;

  for (guint i = 0; i < 10000; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *json = NULL;
    StampedeTransaction tx;
    JsonObject *object;

    stampede_tx_factory_next (factory, BASE_MS + i, &tx);
    json = to_json (&tx);
    object = parse_object (parser, json);

    for (guint k = 0; k < G_N_ELEMENTS (required); k++)
      g_assert_true (json_object_has_member (object, required[k]));
    g_assert_false (json_object_has_member (object, "kind"));
    g_assert_false (json_object_has_member (object, "typology"));
    g_assert_cmpint (json_object_get_int_member (object, "timestamp_ms"), ==,
                     BASE_MS + i);
    g_assert_cmpstr (json_object_get_string_member (object, "currency"), ==,
                     tx.currency);
    check_amount (json_object_get_string_member (object, "amount"), &tx);

    /* Coordinates come in pairs. */
    g_assert_true (json_object_has_member (object, "lat")
                   == json_object_has_member (object, "lon"));
    no_position += !json_object_has_member (object, "lat");

    if (json_object_has_member (object, "merchant_name")) {
      const char *name = json_object_get_string_member (object,
                                                        "merchant_name");

      /* The escaping round-trips, control characters included. */
      g_assert_cmpstr (name, ==, tx.merchant_name);
      non_ascii += !g_str_is_ascii (name);
    } else {
      no_name++;
    }
  }

  g_assert_cmpuint (non_ascii, >, 0);
  g_assert_cmpuint (no_name, >, 0);
  g_assert_cmpuint (no_position, >, 0);
}

static void
init_tx (StampedeTransaction *tx,
         const char          *currency,
         gint64               amount_minor)
{
  memset (tx, 0, sizeof *tx);
  tx->id = 0xab;
  strcpy (tx->card_id, "card-000123");
  strcpy (tx->merchant_id, "m-004567");
  strcpy (tx->merchant_name, "Café Nord");
  strcpy (tx->mcc, "5411");
  strcpy (tx->country, "FR");
  strcpy (tx->card_country, "FR");
  strcpy (tx->currency, currency);
  tx->minor_units = iso_minor_units (currency);
  tx->amount_minor = amount_minor;
  tx->lat = 48.85;
  tx->lon = 2.35;
  strcpy (tx->channel, "pos");
  tx->timestamp_ms = 1733300000000;
}

static void
test_wire_format (void)
{
  StampedeTransaction tx;
  g_autofree char *json = NULL;

  init_tx (&tx, "EUR", 1234);
  tx.kind = STAMPEDE_TX_FRAUD;
  tx.typology = "card_testing";
  json = to_json (&tx);

  g_assert_cmpstr (json, ==,
                   "{\"id\":\"tx-00000000000000ab\","
                   "\"card_id\":\"card-000123\",\"merchant_id\":\"m-004567\","
                   "\"merchant_name\":\"Café Nord\",\"mcc\":\"5411\","
                   "\"country\":\"FR\",\"card_country\":\"FR\","
                   "\"amount\":\"12.34\",\"currency\":\"EUR\","
                   "\"lat\":48.8500,\"lon\":2.3500,\"channel\":\"pos\","
                   "\"timestamp_ms\":1733300000000}");
}

static void
assert_amount (const char *currency,
               gint64      amount_minor,
               const char *expected)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  StampedeTransaction tx;
  JsonObject *object;

  init_tx (&tx, currency, amount_minor);
  json = to_json (&tx);
  object = parse_object (parser, json);

  g_assert_cmpstr (json_object_get_string_member (object, "amount"), ==,
                   expected);
}

static void
test_minor_units (void)
{
  g_assert_cmpuint (stampede_currency_minor_units ("JPY"), ==, 0);
  g_assert_cmpuint (stampede_currency_minor_units ("KRW"), ==, 0);
  g_assert_cmpuint (stampede_currency_minor_units ("KWD"), ==, 3);
  g_assert_cmpuint (stampede_currency_minor_units ("BHD"), ==, 3);
  g_assert_cmpuint (stampede_currency_minor_units ("EUR"), ==, 2);
  g_assert_cmpfloat (stampede_currency_usd_rate ("USD"), ==, 1.0);
  g_assert_cmpfloat (stampede_currency_usd_rate ("ZZZ"), ==, 0);

  assert_amount ("JPY", 1500, "1500");
  assert_amount ("JPY", 0, "0");
  assert_amount ("KWD", 12345, "12.345");
  assert_amount ("KWD", 7, "0.007");
  assert_amount ("BHD", 1000, "1.000");
  assert_amount ("EUR", 1234, "12.34");
  assert_amount ("EUR", 5, "0.05");
  assert_amount ("EUR", 0, "0.00");
  assert_amount ("EUR", G_GINT64_CONSTANT (123456789012), "1234567890.12");
}

static void
test_escaping (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  StampedeTransaction tx;
  JsonObject *object;

  init_tx (&tx, "EUR", 100);
  strcpy (tx.merchant_name, "Joe's \"Best\" \\ Diner\n\x01");
  json = to_json (&tx);

  g_assert_nonnull (strstr (json, "\"merchant_name\":"
                                  "\"Joe's \\\"Best\\\" \\\\ Diner"
                                  "\\n\\u0001\""));
  object = parse_object (parser, json);
  g_assert_cmpstr (json_object_get_string_member (object, "merchant_name"),
                   ==, tx.merchant_name);
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  StampedeTransaction tx;
  JsonObject *object;

  /* A name cut in the middle of "é". */
  init_tx (&tx, "EUR", 100);
  strcpy (tx.merchant_name, "Caf\xc3");
  json = to_json (&tx);

  object = parse_object (parser, json);
  g_assert_cmpstr (json_object_get_string_member (object, "merchant_name"),
                   ==, "Caf\xef\xbf\xbd");
}

/* Whatever bytes end up in the name, the body stays valid JSON. */
static void
test_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (guint i = 0; i < 2000; i++) {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *json = NULL;
    StampedeTransaction tx;
    JsonObject *object;

    init_tx (&tx, "EUR", 100);
    /* The whole field, with no terminating NUL. */
    for (guint k = 0; k < sizeof tx.merchant_name; k++)
      tx.merchant_name[k] = (char) g_rand_int_range (rand, 1, 256);
    json = to_json (&tx);

    object = parse_object (parser, json);
    g_assert_true (g_utf8_validate (
                     json_object_get_string_member (object, "merchant_name"),
                     -1, NULL));
    g_assert_cmpstr (json_object_get_string_member (object, "mcc"), ==,
                     "5411");
  }
}

static void
test_optional_fields (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  StampedeTransaction tx;
  JsonObject *object;

  init_tx (&tx, "USD", 100);
  tx.merchant_name[0] = '\0';
  tx.channel[0] = '\0';
  tx.lat = tx.lon = NAN;
  json = to_json (&tx);
  object = parse_object (parser, json);

  g_assert_false (json_object_has_member (object, "merchant_name"));
  g_assert_false (json_object_has_member (object, "channel"));
  g_assert_false (json_object_has_member (object, "lat"));
  g_assert_false (json_object_has_member (object, "lon"));
  g_assert_cmpuint (json_object_get_size (object), ==, 9);
}

static void
test_short_buffer (void)
{
  StampedeTransaction tx;
  char full[1024];
  char small[16];
  gsize needed, written;

  init_tx (&tx, "EUR", 1234);
  needed = stampede_transaction_to_json (&tx, full, sizeof full);
  memset (small, 'x', sizeof small);
  written = stampede_transaction_to_json (&tx, small, sizeof small);

  /* Like snprintf: the length it needed, a NUL-terminated prefix. */
  g_assert_cmpuint (written, ==, needed);
  g_assert_cmpuint (strlen (small), ==, sizeof small - 1);
  g_assert_true (strncmp (small, full, sizeof small - 1) == 0);
  g_assert_cmpuint (stampede_transaction_to_json (&tx, NULL, 0), ==, needed);
}

static void
test_fraud_features (void)
{
  g_autoptr(StampedeTxFactory) factory = stampede_tx_factory_new (5, 0);
  double legit_usd = 0, takeover_usd = 0;
  guint legit = 0, takeover = 0;

  for (guint i = 0; i < 50000; i++) {
    StampedeTransaction tx;

    stampede_tx_factory_next (factory, BASE_MS + i, &tx);

    if (g_str_equal (tx.typology, "card_testing")) {
      g_assert_cmpfloat (tx.amount_usd, <, 3);
      g_assert_cmpstr (tx.channel, ==, "ecom");
    } else if (g_str_equal (tx.typology, "high_risk_merchant")) {
      g_assert_true (g_str_equal (tx.mcc, "7995")
                     || g_str_equal (tx.mcc, "6051")
                     || g_str_equal (tx.mcc, "4829"));
    } else if (g_str_equal (tx.typology, "impossible_travel")) {
      g_assert_cmpstr (tx.country, !=, tx.card_country);
    } else if (g_str_equal (tx.typology, "account_takeover")) {
      takeover_usd += tx.amount_usd;
      takeover++;
    } else if (g_str_equal (tx.typology, "zero_amount")) {
      g_assert_cmpint (tx.amount_minor, ==, 0);
    } else if (g_str_equal (tx.typology, "huge_amount")) {
      g_assert_cmpfloat (tx.amount_usd, >=, 49999);
    } else if (tx.kind == STAMPEDE_TX_LEGIT) {
      legit_usd += tx.amount_usd;
      legit++;
    }
  }

  /* Taken-over accounts spend far more than their owners do. */
  g_assert_cmpfloat (takeover_usd / takeover, >, 3 * legit_usd / legit);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stampede/transaction/reproducible", test_reproducible);
  g_test_add_func ("/stampede/transaction/seed-and-stream-differ",
                   test_seed_and_stream_differ);
  g_test_add_func ("/stampede/transaction/mix", test_mix);
  g_test_add_func ("/stampede/transaction/json-parses", test_json_parses);
  g_test_add_func ("/stampede/transaction/wire-format", test_wire_format);
  g_test_add_func ("/stampede/transaction/minor-units", test_minor_units);
  g_test_add_func ("/stampede/transaction/escaping", test_escaping);
  g_test_add_func ("/stampede/transaction/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/stampede/transaction/random-bytes", test_random_bytes);
  g_test_add_func ("/stampede/transaction/optional-fields",
                   test_optional_fields);
  g_test_add_func ("/stampede/transaction/short-buffer", test_short_buffer);
  g_test_add_func ("/stampede/transaction/fraud-features",
                   test_fraud_features);

  return g_test_run ();
}
