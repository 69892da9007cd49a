/* stampede-request-template.c — a request body written from a template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "stampede-request-template.h"
#include "stampede-run-config.h"

typedef enum {
  FIELD_ID,
  FIELD_CARD_ID,
  FIELD_MERCHANT_ID,
  FIELD_MERCHANT_NAME,
  FIELD_MCC,
  FIELD_COUNTRY,
  FIELD_CARD_COUNTRY,
  FIELD_AMOUNT,
  FIELD_CURRENCY,
  FIELD_LAT,
  FIELD_LON,
  FIELD_CHANNEL,
  FIELD_TIMESTAMP_MS,
  N_FIELDS,
  /* A piece of the template's own text. */
  FIELD_LITERAL = N_FIELDS,
} Field;

static const char * const field_names[] = {
  "id", "card_id", "merchant_id", "merchant_name", "mcc", "country",
  "card_country", "amount", "currency", "lat", "lon", "channel",
  "timestamp_ms",
};

G_STATIC_ASSERT (G_N_ELEMENTS (field_names) == N_FIELDS);

typedef struct {
  Field  field;
  gsize  offset;
  gsize  len;
} Piece;

/* The template is kept as its text and a list of pieces, each either a
 * span of that text or a field. */
struct _StampedeRequestTemplate {
  char   *text;
  GArray *pieces;
};

static void
add_piece (StampedeRequestTemplate *self,
           Field                    field,
           gsize                    offset,
           gsize                    len)
{
  Piece piece = { field, offset, len };

  if (field == FIELD_LITERAL && len == 0)
    return;

  g_array_append_val (self->pieces, piece);
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

  va_start (args, format);
  g_propagate_error (error,
                     g_error_new_valist (STAMPEDE_RUN_CONFIG_ERROR,
                                         STAMPEDE_RUN_CONFIG_ERROR_INVALID,
                                         format, args));
  va_end (args);

  return FALSE;
}

static gboolean
field_from_name (const char *name,
                 gsize       len,
                 Field      *field)
{
  for (guint i = 0; i < N_FIELDS; i++) {
    if (strlen (field_names[i]) == len
        && memcmp (field_names[i], name, len) == 0) {
      *field = i;
      return TRUE;
    }
  }

  return FALSE;
}

static gboolean
compile (StampedeRequestTemplate  *self,
         GError                  **error)
{
  const char *text = self->text;
  gsize literal_start = 0;
  gsize i = 0;

  while (text[i] != '\0') {
    const char *close;
    Field field;

    if (text[i] != '{' || text[i + 1] != '{') {
      i++;
      continue;
    }

    close = strstr (text + i + 2, "}}");
    if (close == NULL)
      return fail (error, "the placeholder at byte %" G_GSIZE_FORMAT
                   " has no closing “}}”", i);
    if (!field_from_name (text + i + 2, close - (text + i + 2), &field))
      return fail (error, "“%.*s” at byte %" G_GSIZE_FORMAT " is not a "
                   "field; the fields are id, card_id, merchant_id, "
                   "merchant_name, mcc, country, card_country, amount, "
                   "currency, lat, lon, channel and timestamp_ms",
                   (int) (close - text - i + 2), text + i, i);

    add_piece (self, FIELD_LITERAL, literal_start, i - literal_start);
    add_piece (self, field, 0, 0);
    i = close - text + 2;
    literal_start = i;
  }

  add_piece (self, FIELD_LITERAL, literal_start, i - literal_start);

  return TRUE;
}

/* A transaction with every field set, to check that the template makes
 * JSON. */
static void
sample_transaction (StampedeTransaction *tx)
{
  memset (tx, 0, sizeof *tx);
  tx->id = 0xab;
  g_strlcpy (tx->card_id, "card-000123", sizeof tx->card_id);
  g_strlcpy (tx->merchant_id, "m-004567", sizeof tx->merchant_id);
  g_strlcpy (tx->merchant_name, "Caf\xc3\xa9 \"Nord\"",
             sizeof tx->merchant_name);
  g_strlcpy (tx->mcc, "5411", sizeof tx->mcc);
  g_strlcpy (tx->country, "FR", sizeof tx->country);
  g_strlcpy (tx->card_country, "FR", sizeof tx->card_country);
  g_strlcpy (tx->currency, "EUR", sizeof tx->currency);
  tx->minor_units = 2;
  tx->amount_minor = 1234;
  tx->lat = 48.85;
  tx->lon = 2.35;
  g_strlcpy (tx->channel, "pos", sizeof tx->channel);
  tx->timestamp_ms = G_GINT64_CONSTANT (1733300000000);
}

static gboolean
check_makes_json (StampedeRequestTemplate  *self,
                  GError                  **error)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  StampedeTransaction tx;

  sample_transaction (&tx);
  stampede_request_template_expand (self, &tx, body);

  if (!json_parser_load_from_data (parser, body->str, body->len,
                                   &parse_error))
    return fail (error, "with a transaction's fields in place it is not "
                 "JSON (%s): %s", parse_error->message, body->str);

  return TRUE;
}

/**
 * stampede_request_template_new:
 * @text: the template
 * @error: return location for a #GError
 *
 * Compiles a template.  It must not be empty, every `{{` must open a
 * known field closed by `}}`, and with a transaction's fields in place
 * the text must be JSON, as the target is told it is.
 *
 * Returns: (transfer full) (nullable): the template, or %NULL with @error
 *   set (%STAMPEDE_RUN_CONFIG_ERROR_INVALID)
 */
StampedeRequestTemplate *
stampede_request_template_new (const char  *text,
                               GError     **error)
{
  g_autoptr(StampedeRequestTemplate) self = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (StampedeRequestTemplate, 1);
  self->text = g_strdup (text);
  self->pieces = g_array_new (FALSE, FALSE, sizeof (Piece));

  if (*text == '\0') {
    fail (error, "the template is empty");
    return NULL;
  }

  if (!compile (self, error) || !check_makes_json (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
stampede_request_template_free (StampedeRequestTemplate *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->pieces, g_array_unref);
  g_free (self->text);
  g_free (self);
}

/* Writes a string's contents JSON-escaped; bytes that are not UTF-8
 * become U+FFFD so the body stays valid whatever a field was cut to. */
static void
append_escaped (GString    *out,
                const char *s,
                gsize       max)
{
  const char *end = s + strnlen (s, max);
  const char *p = s;

  while (p < end) {
    const char *valid_end;

    g_utf8_validate (p, end - p, &valid_end);

    for (; p < valid_end; p++) {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_c (out, '\\');
      if (c >= 0x20)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\u%04x", c);
    }

    if (p < end) {
      g_string_append (out, "\\ufffd");
      p++;
    }
  }
}

static void
append_amount (GString *out,
               gint64   amount_minor,
               guint8   minor_units)
{
  guint64 scale = 1;
  guint64 magnitude;

  for (guint i = 0; i < minor_units; i++)
    scale *= 10;

  magnitude = amount_minor < 0 ? (guint64) 0 - (guint64) amount_minor
                               : (guint64) amount_minor;
  if (amount_minor < 0)
    g_string_append_c (out, '-');
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, magnitude / scale);
  if (minor_units > 0)
    g_string_append_printf (out, ".%0*" G_GUINT64_FORMAT, (int) minor_units,
                            magnitude % scale);
}

/* Four decimals, written by hand so the separator never follows the
 * locale. */
static void
append_coordinate (GString *out,
                   double   degrees,
                   gboolean omitted)
{
  gint64 scaled;
  guint64 magnitude;

  if (omitted) {
    g_string_append (out, "null");
    return;
  }

  scaled = (gint64) llround (degrees * 10000.0);
  magnitude = scaled < 0 ? (guint64) 0 - (guint64) scaled : (guint64) scaled;
  if (scaled < 0)
    g_string_append_c (out, '-');
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ".%04" G_GUINT64_FORMAT,
                          magnitude / 10000, magnitude % 10000);
}

static void
append_field (GString                   *out,
              Field                      field,
              const StampedeTransaction *tx)
{
  gboolean no_place = isnan (tx->lat) || isnan (tx->lon);

  switch (field) {
  case FIELD_ID:
    g_string_append_printf (out, "tx-%016" G_GINT64_MODIFIER "x", tx->id);
    break;
  case FIELD_CARD_ID:
    append_escaped (out, tx->card_id, sizeof tx->card_id);
    break;
  case FIELD_MERCHANT_ID:
    append_escaped (out, tx->merchant_id, sizeof tx->merchant_id);
    break;
  case FIELD_MERCHANT_NAME:
    append_escaped (out, tx->merchant_name, sizeof tx->merchant_name);
    break;
  case FIELD_MCC:
    append_escaped (out, tx->mcc, sizeof tx->mcc);
    break;
  case FIELD_COUNTRY:
    append_escaped (out, tx->country, sizeof tx->country);
    break;
  case FIELD_CARD_COUNTRY:
    append_escaped (out, tx->card_country, sizeof tx->card_country);
    break;
  case FIELD_AMOUNT:
    append_amount (out, tx->amount_minor, tx->minor_units);
    break;
  case FIELD_CURRENCY:
    append_escaped (out, tx->currency, sizeof tx->currency);
    break;
  case FIELD_LAT:
    append_coordinate (out, tx->lat, no_place);
    break;
  case FIELD_LON:
    append_coordinate (out, tx->lon, no_place);
    break;
  case FIELD_CHANNEL:
    append_escaped (out, tx->channel, sizeof tx->channel);
    break;
  case FIELD_TIMESTAMP_MS:
    g_string_append_printf (out, "%" G_GINT64_FORMAT, tx->timestamp_ms);
    break;
  case FIELD_LITERAL:
  default:
    g_assert_not_reached ();
  }
}

/**
 * stampede_request_template_expand:
 * @self: a template
 * @tx: the transaction to write
 * @out: where to write the body; its contents are replaced
 *
 * Writes the body for @tx.
 */
void
stampede_request_template_expand (StampedeRequestTemplate   *self,
                                  const StampedeTransaction *tx,
                                  GString                   *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (tx != NULL);
  g_return_if_fail (out != NULL);

  g_string_truncate (out, 0);

  for (guint i = 0; i < self->pieces->len; i++) {
    const Piece *piece = &g_array_index (self->pieces, Piece, i);

    if (piece->field == FIELD_LITERAL)
      g_string_append_len (out, self->text + piece->offset, piece->len);
    else
      append_field (out, piece->field, tx);
  }
}
