/* stampede-score-request.c — parse and validate a transaction to score
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "stampede-score-request.h"

/*
 * US dollars per unit of each currency.  The platform converts amounts so
 * that its bands and card histories compare like with like; the table is
 * fixed (reference rates of late 2024, rounded) because a scoring service
 * must give the same answer to the same input.
 */
static const struct {
  const char *code;
  double      usd;
} usd_rates[] = {
  { "USD", 1.0 },      { "EUR", 1.08 },     { "GBP", 1.27 },
  { "JPY", 0.0067 },   { "CHF", 1.13 },     { "CAD", 0.74 },
  { "AUD", 0.66 },     { "NZD", 0.61 },     { "CNY", 0.14 },
  { "HKD", 0.128 },    { "SGD", 0.74 },     { "INR", 0.012 },
  { "KRW", 0.00075 },  { "BRL", 0.20 },     { "MXN", 0.058 },
  { "ZAR", 0.054 },    { "SEK", 0.095 },    { "NOK", 0.094 },
  { "DKK", 0.145 },    { "PLN", 0.25 },     { "CZK", 0.043 },
  { "HUF", 0.0028 },   { "RON", 0.22 },     { "TRY", 0.031 },
  { "AED", 0.272 },    { "SAR", 0.267 },    { "QAR", 0.275 },
  { "ILS", 0.27 },     { "KWD", 3.25 },     { "BHD", 2.65 },
  { "OMR", 2.60 },     { "JOD", 1.41 },     { "TND", 0.32 },
  { "LYD", 0.21 },     { "IQD", 0.00076 },  { "CLP", 0.0011 },
  { "VND", 0.00004 },  { "ISK", 0.0072 },   { "IDR", 0.000063 },
  { "THB", 0.028 },    { "PHP", 0.018 },    { "MYR", 0.21 },
  { "TWD", 0.031 },    { "UAH", 0.025 },    { "EGP", 0.021 },
  { "NGN", 0.00067 },  { "KES", 0.0077 },   { "ARS", 0.0011 },
  { "COP", 0.00025 },  { "PEN", 0.27 },     { "XOF", 0.00165 },
  { "XAF", 0.00165 },  { "UGX", 0.00027 },  { "PYG", 0.00013 },
  { "MAD", 0.10 },     { "PKR", 0.0036 },   { "BDT", 0.0084 },
  { "RUB", 0.011 },
};

/**
 * stampede_platform_usd_rate:
 * @currency: an ISO 4217 code
 * @rate: (out): US dollars per unit of @currency
 *
 * Returns: whether the platform's rate table has @currency
 */
gboolean
stampede_platform_usd_rate (const char *currency,
                            double     *rate)
{
  g_return_val_if_fail (currency != NULL, FALSE);
  g_return_val_if_fail (rate != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (usd_rates); i++) {
    if (strcmp (usd_rates[i].code, currency) == 0) {
      *rate = usd_rates[i].usd;
      return TRUE;
    }
  }

  return FALSE;
}

static const char *
describe (JsonNode *node)
{
  switch (json_node_get_node_type (node)) {
  case JSON_NODE_OBJECT:
    return "an object";
  case JSON_NODE_ARRAY:
    return "an array";
  case JSON_NODE_NULL:
    return "null";
  case JSON_NODE_VALUE:
  default:
    break;
  }

  switch (json_node_get_value_type (node)) {
  case G_TYPE_STRING:
    return "a string";
  case G_TYPE_BOOLEAN:
    return "a boolean";
  default:
    return "a number";
  }
}

static gboolean
fail (GError     **error,
      const char  *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError     **error,
      const char  *format,
      ...)
{
  va_list args;

  g_assert (error == NULL || *error == NULL);

  if (error != NULL) {
    va_start (args, format);
    *error = g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 format, args);
    va_end (args);
  }

  return FALSE;
}

/* Reads a string member of at most max bytes into buf.  A member that is
 * absent or null is "missing": an error if required, else *present is
 * cleared. */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     required,
            char        *buf,
            gsize        max,
            gboolean    *present,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (present != NULL)
    *present = FALSE;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    if (required)
      return fail (error, "“%s” is missing", name);
    return TRUE;
  }

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, "“%s” must be a string, not %s", name,
                 describe (node));

  value = json_node_get_string (node);
  if (strlen (value) > max)
    return fail (error, "“%s” is longer than %" G_GSIZE_FORMAT " bytes",
                 name, max);
  if (required && value[0] == '\0')
    return fail (error, "“%s” is empty", name);

  if (buf != NULL)
    memcpy (buf, value, strlen (value) + 1);
  if (present != NULL)
    *present = TRUE;

  return TRUE;
}

static gboolean
all_of (const char *text,
        gsize       len,
        gboolean  (*is_class) (char c))
{
  if (strlen (text) != len)
    return FALSE;

  for (gsize i = 0; i < len; i++) {
    if (!is_class (text[i]))
      return FALSE;
  }

  return TRUE;
}

static gboolean
is_upper (char c)
{
  return c >= 'A' && c <= 'Z';
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
get_code (JsonObject  *object,
          const char  *name,
          gsize        len,
          gboolean   (*is_class) (char c),
          const char  *what,
          char        *buf,
          GError     **error)
{
  char text[STAMPEDE_SCORE_ID_MAX + 1];

  if (!get_string (object, name, TRUE, text, STAMPEDE_SCORE_ID_MAX, NULL,
                   error))
    return FALSE;
  if (!all_of (text, len, is_class))
    return fail (error, "“%s” must be %s, not “%s”", name, what, text);

  memcpy (buf, text, len + 1);

  return TRUE;
}

/* A non-negative decimal: digits, then optionally a point and digits. */
static gboolean
get_amount (JsonObject            *object,
            StampedeScoreRequest  *out,
            GError               **error)
{
  JsonNode *node = json_object_get_member (object, "amount");
  const char *text;
  const char *p;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return fail (error, "“amount” is missing");
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (error, "“amount” must be a decimal string such as "
                 "\"12.34\", not %s", describe (node));

  text = json_node_get_string (node);
  if (text[0] == '-')
    return fail (error, "“amount” must not be negative");
  if (strlen (text) > 32)
    return fail (error, "“amount” is longer than 32 characters");

  for (p = text; is_digit (*p); p++)
    ;
  if (p == text)
    return fail (error, "“amount” “%s” is not a decimal number", text);
  if (*p == '.') {
    const char *fraction = ++p;

    for (; is_digit (*p); p++)
      ;
    if (p == fraction)
      return fail (error, "“amount” “%s” has no digits after the point",
                   text);
  }
  if (*p != '\0')
    return fail (error, "“amount” “%s” is not a decimal number", text);

  out->amount = g_ascii_strtod (text, NULL);

  return TRUE;
}

static gboolean
get_location (JsonObject            *object,
              StampedeScoreRequest  *out,
              GError               **error)
{
  const char *names[2] = { "lat", "lon" };
  const double limits[2] = { 90, 180 };
  double values[2];
  guint n_present = 0;

  for (guint i = 0; i < 2; i++) {
    JsonNode *node = json_object_get_member (object, names[i]);
    GType type;

    if (node == NULL || JSON_NODE_HOLDS_NULL (node))
      continue;

    type = json_node_get_value_type (node);
    if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
      return fail (error, "“%s” must be a number, not %s", names[i],
                   describe (node));

    values[i] = json_node_get_double (node);
    if (!(values[i] >= -limits[i] && values[i] <= limits[i]))
      return fail (error, "“%s” %g is outside [-%g, %g]", names[i],
                   values[i], limits[i], limits[i]);
    n_present++;
  }

  if (n_present == 1)
    return fail (error, "“lat” and “lon” must come together");

  out->has_location = n_present == 2;
  out->lat = out->has_location ? values[0] : 0;
  out->lon = out->has_location ? values[1] : 0;

  return TRUE;
}

static gboolean
get_timestamp (JsonObject            *object,
               StampedeScoreRequest  *out,
               GError               **error)
{
  JsonNode *node = json_object_get_member (object, "timestamp_ms");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return fail (error, "“timestamp_ms” is missing");
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, "“timestamp_ms” must be an integer (Unix epoch "
                 "milliseconds), not %s", describe (node));

  out->timestamp_ms = json_node_get_int (node);
  if (out->timestamp_ms <= 0)
    return fail (error, "“timestamp_ms” must be positive");

  return TRUE;
}

static gboolean
get_fields (JsonObject            *object,
            StampedeScoreRequest  *out,
            GError               **error)
{
  gboolean present;

  if (!get_string (object, "id", TRUE, out->id, STAMPEDE_SCORE_ID_MAX,
                   NULL, error)
      || !get_string (object, "card_id", TRUE, out->card_id,
                      STAMPEDE_SCORE_ID_MAX, NULL, error)
      || !get_string (object, "merchant_id", TRUE, out->merchant_id,
                      STAMPEDE_SCORE_ID_MAX, NULL, error)
      || !get_string (object, "merchant_name", FALSE, NULL, 1024, NULL,
                      error)
      || !get_code (object, "mcc", 4, is_digit, "four digits", out->mcc,
                    error)
      || !get_code (object, "country", 2, is_upper,
                    "an ISO 3166 code such as \"FR\"", out->country, error)
      || !get_code (object, "card_country", 2, is_upper,
                    "an ISO 3166 code such as \"FR\"", out->card_country,
                    error)
      || !get_amount (object, out, error)
      || !get_code (object, "currency", 3, is_upper,
                    "an ISO 4217 code such as \"EUR\"", out->currency, error)
      || !get_location (object, out, error)
      || !get_string (object, "channel", FALSE, out->channel,
                      sizeof out->channel - 1, &present, error)
      || !get_timestamp (object, out, error))
    return FALSE;

  if (!present)
    out->channel[0] = '\0';

  return TRUE;
}

/**
 * stampede_score_request_parse:
 * @data: the request body, not necessarily nul-terminated
 * @len: its length in bytes
 * @out: (out caller-allocates): the parsed request
 * @error: where to say what is wrong, naming the field
 *
 * Parses and validates a transaction in the wire format of
 * `POST /v1/score`.  Any input, however malformed, gives either %TRUE or
 * an error whose message names the field and the problem.
 *
 * Returns: whether @data is a valid transaction
 */
gboolean
stampede_score_request_parse (const char            *data,
                              gsize                  len,
                              StampedeScoreRequest  *out,
                              GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  double rate;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);

  if (len == 0)
    return fail (error, "the body is empty; expected a JSON object");
  if (!g_utf8_validate_len (data, len, NULL))
    return fail (error, "the body is not valid UTF-8");
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    return fail (error, "the body is not valid JSON: %s",
                 local_error->message);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail (error, "the body must be a JSON object, not %s",
                 root != NULL ? describe (root) : "empty");

  if (!get_fields (json_node_get_object (root), out, error))
    return FALSE;

  if (!stampede_platform_usd_rate (out->currency, &rate))
    return fail (error, "“currency” “%s” is not one this platform "
                 "converts", out->currency);
  out->amount_usd = out->amount * rate;

  return TRUE;
}
