/* stampede-answer-map.c — reads a target's own answer shape
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stampede-answer-map.h"

struct _StampedeAnswerMap {
  JsonParser  *parser;
  char        *decision;
  char       **decline_values;
  char        *score;
  char        *agent_ms[STAMPEDE_N_AGENTS];
};

/**
 * stampede_answer_map_new:
 * @config: a valid configuration
 *
 * Makes a map from @config's decision, decline values, score and agent
 * pointers.
 *
 * Returns: (transfer full): the map
 */
StampedeAnswerMap *
stampede_answer_map_new (const StampedeRunConfig *config)
{
  StampedeAnswerMap *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->decision_pointer != NULL, NULL);

  self = g_new0 (StampedeAnswerMap, 1);
  self->parser = json_parser_new_immutable ();
  self->decision = g_strdup (config->decision_pointer);
  self->decline_values = g_strdupv (config->decline_values);
  self->score = g_strdup (config->score_pointer);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    self->agent_ms[i] = g_strdup (config->agent_ms_pointers[i]);

  return self;
}

void
stampede_answer_map_free (StampedeAnswerMap *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->parser);
  g_free (self->decision);
  g_strfreev (self->decline_values);
  g_free (self->score);
  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++)
    g_free (self->agent_ms[i]);
  g_free (self);
}

/* Gives the array index a reference token names: decimal digits with no
 * leading zero, as RFC 6901 has it. */
static gboolean
token_index (const char *token,
             guint      *index)
{
  guint64 value = 0;

  if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0'))
    return FALSE;

  for (const char *p = token; *p != '\0'; p++) {
    if (!g_ascii_isdigit (*p))
      return FALSE;
    value = value * 10 + (guint64) (*p - '0');
    if (value > G_MAXUINT)
      return FALSE;
  }

  *index = (guint) value;

  return TRUE;
}

/* Undoes the pointer's escapes in place: "~1" is "/", "~0" is "~". */
static void
unescape_token (char *token)
{
  char *out = token;

  for (const char *p = token; *p != '\0'; p++) {
    if (p[0] == '~' && p[1] == '1') {
      *out++ = '/';
      p++;
    } else if (p[0] == '~' && p[1] == '0') {
      *out++ = '~';
      p++;
    } else {
      *out++ = *p;
    }
  }
  *out = '\0';
}

/**
 * stampede_json_pointer_get:
 * @root: a document
 * @pointer: a JSON pointer (RFC 6901) starting with "/"
 *
 * Finds the value @pointer names in @root.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL when there is
 *   none
 */
JsonNode *
stampede_json_pointer_get (JsonNode   *root,
                           const char *pointer)
{
  g_auto(GStrv) tokens = NULL;
  JsonNode *node = root;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (pointer != NULL && pointer[0] == '/', NULL);

  tokens = g_strsplit (pointer + 1, "/", -1);

  for (guint i = 0; node != NULL && tokens[i] != NULL; i++) {
    guint index;

    unescape_token (tokens[i]);

    if (JSON_NODE_HOLDS_OBJECT (node)) {
      JsonObject *object = json_node_get_object (node);

      node = json_object_get_member (object, tokens[i]);
    } else if (JSON_NODE_HOLDS_ARRAY (node) && token_index (tokens[i],
                                                            &index)) {
      JsonArray *array = json_node_get_array (node);

      node = index < json_array_get_length (array)
             ? json_array_get_element (array, index) : NULL;
    } else {
      node = NULL;
    }
  }

  return node;
}

/* Reads a decision: a string, a boolean or a whole number, compared with
 * the decline values by its text ("true", "1"). */
static gboolean
read_decision (StampedeAnswerMap *self,
               JsonNode          *node,
               StampedeDecision  *decision)
{
  char text[32];
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node)) {
  case G_TYPE_STRING:
    value = json_node_get_string (node);
    break;
  case G_TYPE_BOOLEAN:
    value = json_node_get_boolean (node) ? "true" : "false";
    break;
  case G_TYPE_INT64:
    g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT,
                json_node_get_int (node));
    value = text;
    break;
  default:
    return FALSE;
  }

  *decision = g_strv_contains ((const char * const *) self->decline_values,
                               value)
              ? STAMPEDE_DECISION_DECLINE : STAMPEDE_DECISION_APPROVE;

  return TRUE;
}

static gboolean
read_number (JsonNode *node,
             double   *value)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;

  *value = json_node_get_double (node);

  return isfinite (*value);
}

/**
 * stampede_answer_map_parse:
 * @self: a map
 * @body: the answer's text
 * @len: its length in bytes
 * @answer: (out caller-allocates): where to put what was read
 *
 * Reads an answer through the map.  It is readable when it is JSON and
 * the decision pointer names a string, boolean or whole number; a value
 * among the decline values is a decline, any other an approval.  When a
 * score pointer is set it must name a number.  An agent whose pointer
 * names no number of at least 0 reports no timing.
 *
 * Returns: %TRUE if the answer is readable
 */
gboolean
stampede_answer_map_parse (StampedeAnswerMap *self,
                           const char        *body,
                           gsize              len,
                           StampedeAnswer    *answer)
{
  JsonNode *root;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (body != NULL, FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  memset (answer, 0, sizeof *answer);

  if (!json_parser_load_from_data (self->parser, body, (gssize) len, NULL))
    return FALSE;
  root = json_parser_get_root (self->parser);
  if (root == NULL)
    return FALSE;

  if (!read_decision (self, stampede_json_pointer_get (root, self->decision),
                      &answer->decision))
    return FALSE;

  if (self->score != NULL) {
    if (!read_number (stampede_json_pointer_get (root, self->score),
                      &answer->score))
      return FALSE;
    answer->has_score = TRUE;
  }

  for (guint i = 0; i < STAMPEDE_N_AGENTS; i++) {
    double ms;

    if (self->agent_ms[i] == NULL)
      continue;
    if (read_number (stampede_json_pointer_get (root, self->agent_ms[i]),
                     &ms) && ms >= 0) {
      answer->agent_seen[i] = TRUE;
      answer->agent_ms[i] = ms;
    }
  }

  return TRUE;
}
