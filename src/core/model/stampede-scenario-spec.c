/* stampede-scenario-spec.c — scenario files and the built-in scenarios
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "stampede-scenario-spec.h"

G_DEFINE_QUARK (stampede-scenario-error-quark, stampede_scenario_error)

/* The scenario's defaults match those of a run configuration. */
#define DEFAULT_SEED          1
#define DEFAULT_MAX_IN_FLIGHT 1000
#define DEFAULT_TIMEOUT_MS    5000
#define MAX_WORKERS           64

/* Longest latency a fault may add, and longest Retry-After: an hour. */
#define MAX_FAULT_MS       3600000.0
#define MAX_RETRY_AFTER_S  3600.0

static const char * const agent_names[] = {
  "transaction_analyzer", "pattern_detector", "geo_risk", "reasoning", NULL,
};

/*
 * Where each key and value of the source text is.
 *
 * json-glib 1.6 keeps no positions on its nodes, so once it has accepted
 * the text a second, minimal scanner walks the same text and records the
 * line and column of every member's key and value under its JSON pointer
 * ("/stages/2/duration_s"); an error about a node then looks its position
 * up by path.  The scanner also catches duplicate keys, which json-glib
 * silently resolves by keeping the last.  Columns count characters, not
 * bytes, from 1.
 */
typedef struct {
  guint line;
  guint column;
} Position;

typedef struct {
  Position key;
  Position value;
} Located;

typedef struct {
  const char *p;
  const char *end;
  Position    at;
  GHashTable *positions;
  char       *duplicate;
  gboolean    stopped;
} Scanner;

/* Nesting deeper than any scenario needs stops the scanner rather than
 * its stack; errors below that depth report the deepest known position. */
#define MAX_SCAN_DEPTH 256

static void
scan_advance (Scanner *sc)
{
  guchar c = (guchar) *sc->p;

  sc->p++;
  if (c == '\n') {
    sc->at.line++;
    sc->at.column = 1;
  } else if ((c & 0xC0) != 0x80) {
    sc->at.column++;
  }

  /* A character's column is that of its lead byte: do not count the
   * continuation bytes that follow. */
  while (sc->p < sc->end && ((guchar) *sc->p & 0xC0) == 0x80)
    sc->p++;
}

/* Skips white space, and the C-style comments json-glib accepts too. */
static void
scan_space (Scanner *sc)
{
  while (sc->p < sc->end) {
    if (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\r' ||
        *sc->p == '\n') {
      scan_advance (sc);
    } else if (*sc->p == '/' && sc->end - sc->p >= 2 && sc->p[1] == '*') {
      scan_advance (sc);
      scan_advance (sc);
      while (sc->p < sc->end &&
             !(*sc->p == '*' && sc->end - sc->p >= 2 && sc->p[1] == '/'))
        scan_advance (sc);
      if (sc->p < sc->end) {
        scan_advance (sc);
        scan_advance (sc);
      }
    } else {
      break;
    }
  }
}

static gunichar
scan_hex4 (Scanner *sc)
{
  gunichar value = 0;

  for (guint i = 0; i < 4 && sc->p < sc->end; i++) {
    value = value * 16 + (gunichar) g_ascii_xdigit_value (*sc->p);
    scan_advance (sc);
  }

  return value;
}

static void
scan_escape (Scanner *sc,
             GString *out)
{
  char c = *sc->p;
  gunichar u;

  scan_advance (sc);
  switch (c) {
  case 'b': g_string_append_c (out, '\b'); return;
  case 'f': g_string_append_c (out, '\f'); return;
  case 'n': g_string_append_c (out, '\n'); return;
  case 'r': g_string_append_c (out, '\r'); return;
  case 't': g_string_append_c (out, '\t'); return;
  case 'u': break;
  default: g_string_append_c (out, c); return;
  }

  u = scan_hex4 (sc);
  if (u >= 0xD800 && u < 0xDC00 && sc->end - sc->p >= 6 &&
      sc->p[0] == '\\' && sc->p[1] == 'u') {
    gunichar low;

    scan_advance (sc);
    scan_advance (sc);
    low = scan_hex4 (sc);
    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
  }
  g_string_append_unichar (out, u);
}

/* Reads a string token whose opening quote is at sc->p.  json-glib also
 * takes single-quoted strings, in which a backslash is an ordinary
 * character. */
static void
scan_string (Scanner *sc,
             GString *out)
{
  char quote = *sc->p;

  scan_advance (sc);
  while (sc->p < sc->end && *sc->p != quote) {
    const char *start = sc->p;

    if (*sc->p == '\\' && quote == '"') {
      scan_advance (sc);
      if (sc->p < sc->end)
        scan_escape (sc, out);
      continue;
    }
    scan_advance (sc);
    g_string_append_len (out, start, sc->p - start);
  }
  if (sc->p < sc->end)
    scan_advance (sc);
}

static gboolean
at_quote (Scanner *sc)
{
  return sc->p < sc->end && (*sc->p == '"' || *sc->p == '\'');
}

static void
append_pointer_token (GString    *path,
                      const char *key)
{
  g_string_append_c (path, '/');
  for (const char *c = key; *c != '\0'; c++) {
    if (*c == '~')
      g_string_append (path, "~0");
    else if (*c == '/')
      g_string_append (path, "~1");
    else
      g_string_append_c (path, *c);
  }
}

static void scan_value (Scanner *sc,
                        GString *path,
                        guint    depth);

static void
scan_object (Scanner *sc,
             GString *path,
             guint    depth)
{
  gsize len = path->len;

  scan_advance (sc);
  scan_space (sc);

  while (at_quote (sc) && !sc->stopped) {
    g_autoptr(GString) key = g_string_new (NULL);
    Located *located = g_new0 (Located, 1);

    located->key = sc->at;
    scan_string (sc, key);
    append_pointer_token (path, key->str);

    if (g_hash_table_contains (sc->positions, path->str) &&
        sc->duplicate == NULL)
      sc->duplicate = g_strdup (path->str);
    g_hash_table_replace (sc->positions, g_strdup (path->str), located);

    scan_space (sc);
    if (sc->p < sc->end && *sc->p == ':')
      scan_advance (sc);
    scan_value (sc, path, depth + 1);
    g_string_truncate (path, len);

    scan_space (sc);
    if (sc->p < sc->end && *sc->p == ',') {
      scan_advance (sc);
      scan_space (sc);
    }
  }

  if (sc->p < sc->end && *sc->p == '}')
    scan_advance (sc);
}

static void
scan_array (Scanner *sc,
            GString *path,
            guint    depth)
{
  gsize len = path->len;

  scan_advance (sc);
  scan_space (sc);

  for (guint i = 0; sc->p < sc->end && *sc->p != ']' && !sc->stopped; i++) {
    g_string_append_printf (path, "/%u", i);
    scan_value (sc, path, depth + 1);
    g_string_truncate (path, len);

    scan_space (sc);
    if (sc->p < sc->end && *sc->p == ',')
      scan_advance (sc);
    else
      break;
  }

  scan_space (sc);
  if (sc->p < sc->end && *sc->p == ']')
    scan_advance (sc);
}

static void
scan_value (Scanner *sc,
            GString *path,
            guint    depth)
{
  Located *located;

  scan_space (sc);
  if (sc->p >= sc->end || depth > MAX_SCAN_DEPTH) {
    sc->stopped = TRUE;
    return;
  }

  located = g_hash_table_lookup (sc->positions, path->str);
  if (located == NULL) {
    located = g_new0 (Located, 1);
    located->key = sc->at;
    g_hash_table_insert (sc->positions, g_strdup (path->str), located);
  }
  located->value = sc->at;

  if (*sc->p == '{') {
    scan_object (sc, path, depth);
  } else if (*sc->p == '[') {
    scan_array (sc, path, depth);
  } else if (at_quote (sc)) {
    g_autoptr(GString) ignored = g_string_new (NULL);

    scan_string (sc, ignored);
  } else {
    while (sc->p < sc->end && strchr (",]}/ \t\r\n", *sc->p) == NULL)
      scan_advance (sc);
  }
}

/* Parsing state: where the text came from, and the positions in it. */
typedef struct {
  const char *source;
  GHashTable *positions;
  double      duration;
} Parse;

static Position
position_of (Parse      *ps,
             const char *path,
             gboolean    at_key)
{
  g_autofree char *parent = g_strdup (path);
  Position none = { 1, 1 };

  /* A path the scanner did not reach stands for its nearest ancestor. */
  for (;;) {
    Located *located = g_hash_table_lookup (ps->positions, parent);
    char *slash;

    if (located != NULL)
      return at_key ? located->key : located->value;

    slash = strrchr (parent, '/');
    if (slash == NULL)
      return none;
    *slash = '\0';
    at_key = FALSE;
  }
}

static gboolean G_GNUC_PRINTF (6, 7)
fail_at (Parse       *ps,
         GError     **error,
         int          code,
         const char  *path,
         gboolean     at_key,
         const char  *format,
         ...)
{
  Position pos = position_of (ps, path, at_key);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, STAMPEDE_SCENARIO_ERROR, code, "%s:%u:%u: %s",
               ps->source, pos.line, pos.column, message);

  return FALSE;
}

static gboolean
holds_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);

  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
read_number (Parse       *ps,
             JsonNode    *node,
             const char  *path,
             double      *out,
             GError     **error)
{
  if (!holds_number (node))
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_TYPE, path, FALSE,
                    "“%s” must be a number", strrchr (path, '/') + 1);

  *out = json_node_get_double (node);

  return TRUE;
}

static gboolean
read_range (Parse       *ps,
            JsonNode    *node,
            const char  *path,
            double       min,
            gboolean     min_open,
            double       max,
            double      *out,
            GError     **error)
{
  double value;

  if (!read_number (ps, node, path, &value, error))
    return FALSE;

  if (value < min || (min_open && value == min) || value > max)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "“%s” must be %s %g and at most %g, not %g",
                    strrchr (path, '/') + 1,
                    min_open ? "greater than" : "at least", min, max,
                    value);

  *out = value;

  return TRUE;
}

static gboolean
read_whole (Parse       *ps,
            JsonNode    *node,
            const char  *path,
            gint64       min,
            gint64       max,
            gint64      *out,
            GError     **error)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_TYPE, path, FALSE,
                    "“%s” must be a whole number", strrchr (path, '/') + 1);

  value = json_node_get_int (node);
  if (value < min || value > max)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "“%s” must be from %" G_GINT64_FORMAT " to %"
                    G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                    strrchr (path, '/') + 1, min, max, value);

  *out = value;

  return TRUE;
}

static gboolean
read_string (Parse       *ps,
             JsonNode    *node,
             const char  *path,
             const char **out,
             GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_TYPE, path, FALSE,
                    "“%s” must be a string", strrchr (path, '/') + 1);

  *out = json_node_get_string (node);

  return TRUE;
}

static gboolean
check_object (Parse       *ps,
              JsonNode    *node,
              const char  *path,
              const char  *what,
              GError     **error)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return TRUE;

  return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_TYPE, path, FALSE,
                  "%s must be an object", what);
}

static gboolean
check_array (Parse       *ps,
             JsonNode    *node,
             const char  *path,
             GError     **error)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    return TRUE;

  return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_TYPE, path, FALSE,
                  "“%s” must be an array", strrchr (path, '/') + 1);
}

/* Checks that @object has only the keys in @valid and all of those in
 * @required; both lists end with NULL. */
static gboolean
check_keys (Parse              *ps,
            JsonObject         *object,
            const char         *path,
            const char         *what,
            const char * const *valid,
            const char * const *required,
            GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next) {
    g_autofree char *list = NULL;
    g_autofree char *member_path = NULL;

    if (g_strv_contains (valid, l->data))
      continue;

    list = g_strjoinv (", ", (char **) valid);
    member_path = g_strdup_printf ("%s/%s", path, (const char *) l->data);
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY,
                    member_path, TRUE,
                    "unknown key “%s” in %s (valid keys: %s)",
                    (const char *) l->data, what, list);
  }

  for (guint i = 0; required != NULL && required[i] != NULL; i++) {
    if (!json_object_has_member (object, required[i]))
      return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_MISSING, path,
                      FALSE, "missing key “%s” in %s", required[i], what);
  }

  return TRUE;
}

static gboolean
read_stages (Parse                 *ps,
             JsonNode              *node,
             StampedeScenarioSpec  *spec,
             GError               **error)
{
  g_autoptr(StampedeLoadShape) shape = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;

  if (!check_array (ps, node, "/stages", error))
    return FALSE;

  array = json_node_get_array (node);
  spec->n_stages = json_array_get_length (array);
  spec->stages = g_new0 (StampedeStage, MAX (1, spec->n_stages));

  for (guint i = 0; i < spec->n_stages; i++) {
    g_autofree char *key = NULL;
    g_autofree char *path = NULL;
    int code;

    if (stampede_stage_from_json (json_array_get_element (array, i),
                                  &spec->stages[i], &key, &local_error))
      continue;

    switch (local_error->code) {
    case STAMPEDE_LOAD_SHAPE_ERROR_MISSING:
      code = STAMPEDE_SCENARIO_ERROR_MISSING;
      break;
    case STAMPEDE_LOAD_SHAPE_ERROR_UNKNOWN_KEY:
      code = STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY;
      break;
    case STAMPEDE_LOAD_SHAPE_ERROR_TYPE:
      code = STAMPEDE_SCENARIO_ERROR_TYPE;
      break;
    default:
      code = STAMPEDE_SCENARIO_ERROR_VALUE;
      break;
    }

    path = key != NULL ? g_strdup_printf ("/stages/%u/%s", i, key)
                       : g_strdup_printf ("/stages/%u", i);
    return fail_at (ps, error, code, path,
                    code == STAMPEDE_SCENARIO_ERROR_UNKNOWN_KEY,
                    "stage %u: %s", i, local_error->message);
  }

  shape = stampede_load_shape_new (spec->stages, spec->n_stages,
                                   &local_error);
  if (shape == NULL)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, "/stages",
                    FALSE, "%s", local_error->message);

  ps->duration = stampede_load_shape_duration (shape);

  return TRUE;
}

/*
 * Faults.  Every kind takes at_s, kind and duration_s; its magnitude has
 * a unit of its own, and a few kinds take more keys.
 */
typedef enum {
  UNIT_SHARE,
  UNIT_MS,
  UNIT_BYTES_PER_S,
  UNIT_NONE,
} MagnitudeUnit;

enum {
  EXTRA_AGENT          = 1 << 0,
  EXTRA_AGENT_REQUIRED = 1 << 1,
  EXTRA_JITTER         = 1 << 2,
  EXTRA_RETRY_AFTER    = 1 << 3,
  EXTRA_STATUS         = 1 << 4,
  EXTRA_FAIL_FIRST     = 1 << 5,
  EXTRA_MODE           = 1 << 6,
};

typedef struct {
  const char    *name;
  MagnitudeUnit  unit;
  gboolean       magnitude_required;
  guint          extras;
} FaultKindInfo;

static const FaultKindInfo fault_kinds[] = {
  { "agent_crash", UNIT_SHARE, FALSE, EXTRA_AGENT | EXTRA_AGENT_REQUIRED },
  { "store_throttle", UNIT_SHARE, FALSE, 0 },
  { "ingestion_lag", UNIT_MS, TRUE, 0 },
  { "rate_limit", UNIT_SHARE, FALSE, EXTRA_RETRY_AFTER },
  { "latency_spike", UNIT_MS, TRUE, EXTRA_AGENT },
  { "partition", UNIT_SHARE, FALSE, EXTRA_MODE },
  { "proxy_latency", UNIT_MS, TRUE, EXTRA_JITTER },
  { "proxy_reset", UNIT_SHARE, FALSE, 0 },
  { "proxy_blackhole", UNIT_NONE, FALSE, 0 },
  { "proxy_bandwidth", UNIT_BYTES_PER_S, TRUE, 0 },
  { "proxy_http_status", UNIT_SHARE, FALSE,
    EXTRA_STATUS | EXTRA_FAIL_FIRST },
};

G_STATIC_ASSERT (G_N_ELEMENTS (fault_kinds) == STAMPEDE_N_FAULT_KINDS);

/**
 * stampede_fault_kind_to_string:
 * @kind: a fault kind
 *
 * Returns: (transfer none): the kind's name in scenario files
 */
const char *
stampede_fault_kind_to_string (StampedeFaultKind kind)
{
  g_return_val_if_fail (kind < STAMPEDE_N_FAULT_KINDS, NULL);

  return fault_kinds[kind].name;
}

/**
 * stampede_fault_kind_from_string:
 * @name: a fault kind's name
 * @kind: (out): where to store the kind
 *
 * Returns: %TRUE when @name names a fault kind
 */
gboolean
stampede_fault_kind_from_string (const char        *name,
                                 StampedeFaultKind *kind)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; i < STAMPEDE_N_FAULT_KINDS; i++) {
    if (strcmp (name, fault_kinds[i].name) == 0) {
      *kind = i;
      return TRUE;
    }
  }

  return FALSE;
}

static GStrv
fault_keys (const FaultKindInfo *info,
            gboolean             required)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();

  g_strv_builder_add_many (keys, "at_s", "kind", "duration_s", NULL);
  if (info->unit != UNIT_NONE && (!required || info->magnitude_required))
    g_strv_builder_add (keys, "magnitude");
  if ((info->extras & EXTRA_AGENT) &&
      (!required || (info->extras & EXTRA_AGENT_REQUIRED)))
    g_strv_builder_add (keys, "agent");
  if (required)
    return g_strv_builder_end (keys);

  if (info->extras & EXTRA_JITTER)
    g_strv_builder_add (keys, "jitter_ms");
  if (info->extras & EXTRA_RETRY_AFTER)
    g_strv_builder_add (keys, "retry_after_s");
  if (info->extras & EXTRA_STATUS)
    g_strv_builder_add (keys, "status");
  if (info->extras & EXTRA_FAIL_FIRST)
    g_strv_builder_add (keys, "fail_first");
  if (info->extras & EXTRA_MODE)
    g_strv_builder_add (keys, "mode");

  return g_strv_builder_end (keys);
}

static gboolean
read_fault_kind (Parse              *ps,
                 JsonObject         *object,
                 const char         *path,
                 guint               index,
                 StampedeFaultKind  *kind,
                 GError            **error)
{
  g_autofree char *kind_path = g_strdup_printf ("%s/kind", path);
  JsonNode *node = json_object_get_member (object, "kind");
  const char *name;

  if (node == NULL)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_MISSING, path,
                    FALSE, "missing key “kind” in fault %u", index);
  if (!read_string (ps, node, kind_path, &name, error))
    return FALSE;

  if (!stampede_fault_kind_from_string (name, kind)) {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    g_auto(GStrv) names = NULL;
    g_autofree char *list = NULL;

    for (guint i = 0; i < STAMPEDE_N_FAULT_KINDS; i++)
      g_strv_builder_add (builder, fault_kinds[i].name);
    names = g_strv_builder_end (builder);
    list = g_strjoinv (", ", names);

    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, kind_path,
                    FALSE, "unknown fault kind “%s” (one of %s)", name,
                    list);
  }

  return TRUE;
}

static gboolean
read_magnitude (Parse                *ps,
                JsonNode             *node,
                const char           *path,
                const FaultKindInfo  *info,
                double               *out,
                GError              **error)
{
  switch (info->unit) {
  case UNIT_SHARE:
    return read_range (ps, node, path, 0, FALSE, 1, out, error);
  case UNIT_MS:
    return read_range (ps, node, path, 0, TRUE, MAX_FAULT_MS, out, error);
  case UNIT_BYTES_PER_S:
    return read_range (ps, node, path, 0, TRUE, 1e12, out, error);
  case UNIT_NONE:
  default:
    g_assert_not_reached ();
  }
}

static gboolean
read_agent (Parse       *ps,
            JsonNode    *node,
            const char  *path,
            char       **out,
            GError     **error)
{
  const char *name;

  if (!read_string (ps, node, path, &name, error))
    return FALSE;

  if (!g_strv_contains (agent_names, name))
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "unknown agent “%s” (one of transaction_analyzer, "
                    "pattern_detector, geo_risk, reasoning)", name);

  *out = g_strdup (name);

  return TRUE;
}

static gboolean
read_mode (Parse       *ps,
           JsonNode    *node,
           const char  *path,
           gboolean    *reset,
           GError     **error)
{
  const char *mode;

  if (!read_string (ps, node, path, &mode, error))
    return FALSE;

  if (strcmp (mode, "silent") != 0 && strcmp (mode, "reset") != 0)
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "“mode” must be “silent” or “reset”, not “%s”", mode);

  *reset = strcmp (mode, "reset") == 0;

  return TRUE;
}

static gboolean
read_fault_member (Parse                *ps,
                   JsonNode             *node,
                   const char           *path,
                   const char           *key,
                   const FaultKindInfo  *info,
                   StampedeFaultSpec    *fault,
                   GError              **error)
{
  gint64 whole;

  if (strcmp (key, "kind") == 0)
    return TRUE;
  if (strcmp (key, "at_s") == 0)
    return read_range (ps, node, path, 0, FALSE,
                       STAMPEDE_LOAD_SHAPE_MAX_DURATION, &fault->at_s,
                       error);
  if (strcmp (key, "duration_s") == 0)
    return read_range (ps, node, path, 0, FALSE,
                       STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                       &fault->duration_s, error);
  if (strcmp (key, "magnitude") == 0)
    return read_magnitude (ps, node, path, info, &fault->magnitude, error);
  if (strcmp (key, "agent") == 0)
    return read_agent (ps, node, path, &fault->agent, error);
  if (strcmp (key, "jitter_ms") == 0)
    return read_range (ps, node, path, 0, FALSE, MAX_FAULT_MS,
                       &fault->jitter_ms, error);
  if (strcmp (key, "retry_after_s") == 0)
    return read_range (ps, node, path, 0, FALSE, MAX_RETRY_AFTER_S,
                       &fault->retry_after_s, error);
  if (strcmp (key, "mode") == 0)
    return read_mode (ps, node, path, &fault->reset, error);

  if (!read_whole (ps, node, path, strcmp (key, "status") == 0 ? 400 : 0,
                   strcmp (key, "status") == 0 ? 599 : G_MAXINT32, &whole,
                   error))
    return FALSE;
  if (strcmp (key, "status") == 0)
    fault->status = (guint) whole;
  else
    fault->fail_first = (guint) whole;

  return TRUE;
}

static void
fault_defaults (StampedeFaultSpec *fault,
                JsonObject        *object)
{
  fault->magnitude = 1;
  fault->retry_after_s = fault->kind == STAMPEDE_FAULT_RATE_LIMIT ? 1 : 0;
  fault->status = fault->kind == STAMPEDE_FAULT_PROXY_HTTP_STATUS ? 503 : 0;

  /* Failing the first N requests is the point of fail_first: the share
   * of the others that fail is then 0 unless the file says otherwise. */
  if (fault->kind == STAMPEDE_FAULT_PROXY_HTTP_STATUS &&
      json_object_has_member (object, "fail_first"))
    fault->magnitude = 0;
}

static gboolean
read_fault (Parse              *ps,
            JsonNode           *node,
            guint               index,
            StampedeFaultSpec  *fault,
            GError            **error)
{
  g_autofree char *path = g_strdup_printf ("/faults/%u", index);
  g_autofree char *what = NULL;
  g_auto(GStrv) valid = NULL;
  g_auto(GStrv) required = NULL;
  g_autoptr(GList) members = NULL;
  const FaultKindInfo *info;
  JsonObject *object;

  if (!check_object (ps, node, path, "a fault", error))
    return FALSE;

  object = json_node_get_object (node);
  if (!read_fault_kind (ps, object, path, index, &fault->kind,
                        error))
    return FALSE;

  info = &fault_kinds[fault->kind];
  what = g_strdup_printf ("fault %u (%s)", index, info->name);
  valid = fault_keys (info, FALSE);
  required = fault_keys (info, TRUE);
  if (!check_keys (ps, object, path, what, (const char * const *) valid,
                   (const char * const *) required, error))
    return FALSE;

  fault_defaults (fault, object);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next) {
    g_autofree char *member_path = g_strdup_printf ("%s/%s", path,
                                                    (char *) l->data);

    if (!read_fault_member (ps, json_object_get_member (object, l->data),
                            member_path, l->data, info, fault, error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_faults (Parse                 *ps,
             JsonNode              *node,
             StampedeScenarioSpec  *spec,
             GError               **error)
{
  JsonArray *array;

  if (!check_array (ps, node, "/faults", error))
    return FALSE;

  array = json_node_get_array (node);
  spec->n_faults = json_array_get_length (array);
  spec->faults = g_new0 (StampedeFaultSpec, MAX (1, spec->n_faults));

  for (guint i = 0; i < spec->n_faults; i++) {
    if (!read_fault (ps, json_array_get_element (array, i), i,
                     &spec->faults[i], error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_criterion (Parse              *ps,
                JsonNode           *node,
                guint               index,
                StampedeCriterion  *criterion,
                GError            **error)
{
  static const char * const keys[] = { "metric", "op", "value", NULL };
  g_autofree char *path = g_strdup_printf ("/criteria/%u", index);
  g_autofree char *metric_path = g_strdup_printf ("%s/metric", path);
  g_autofree char *op_path = g_strdup_printf ("%s/op", path);
  g_autofree char *value_path = g_strdup_printf ("%s/value", path);
  g_autofree char *what = g_strdup_printf ("criterion %u", index);
  JsonObject *object;
  const char *name;

  if (!check_object (ps, node, path, "a criterion", error))
    return FALSE;

  object = json_node_get_object (node);
  if (!check_keys (ps, object, path, what, keys, keys, error))
    return FALSE;

  if (!read_string (ps, json_object_get_member (object, "metric"),
                    metric_path, &name, error))
    return FALSE;
  if (!stampede_metric_from_string (name, &criterion->metric)) {
    g_autofree char *list = stampede_metric_list_names ();

    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_UNKNOWN_METRIC,
                    metric_path, FALSE,
                    "unknown metric “%s” (valid metrics: %s)", name, list);
  }

  if (!read_string (ps, json_object_get_member (object, "op"), op_path,
                    &name, error))
    return FALSE;
  if (!stampede_op_from_string (name, &criterion->op))
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, op_path,
                    FALSE, "unknown comparison “%s” (one of <, <=, >, >=, "
                    "==)", name);

  return read_number (ps, json_object_get_member (object, "value"),
                      value_path, &criterion->value, error);
}

static gboolean
read_criteria (Parse                 *ps,
               JsonNode              *node,
               StampedeScenarioSpec  *spec,
               GError               **error)
{
  JsonArray *array;

  if (!check_array (ps, node, "/criteria", error))
    return FALSE;

  array = json_node_get_array (node);
  spec->n_criteria = json_array_get_length (array);
  spec->criteria = g_new0 (StampedeCriterion, MAX (1, spec->n_criteria));

  for (guint i = 0; i < spec->n_criteria; i++) {
    if (!read_criterion (ps, json_array_get_element (array, i), i,
                         &spec->criteria[i], error))
      return FALSE;
  }

  return TRUE;
}

static gboolean
read_abort (Parse                 *ps,
            JsonNode              *node,
            StampedeScenarioSpec  *spec,
            GError               **error)
{
  static const char * const keys[] = { "below_share", "after_s", NULL };
  JsonObject *object;

  if (!check_object (ps, node, "/abort", "“abort”", error))
    return FALSE;

  object = json_node_get_object (node);
  if (!check_keys (ps, object, "/abort", "“abort”", keys, keys, error))
    return FALSE;

  spec->has_abort = TRUE;

  return read_range (ps, json_object_get_member (object, "below_share"),
                     "/abort/below_share", 0, TRUE, 1,
                     &spec->abort_below_share, error) &&
         read_range (ps, json_object_get_member (object, "after_s"),
                     "/abort/after_s", 0, TRUE,
                     STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                     &spec->abort_after_s, error);
}

static gboolean
read_cost_model (Parse                 *ps,
                 JsonNode              *node,
                 StampedeScenarioSpec  *spec,
                 GError               **error)
{
  static const char * const keys[] = { "usd_per_hour", NULL };
  JsonObject *object;

  if (!check_object (ps, node, "/cost_model", "“cost_model”", error))
    return FALSE;

  object = json_node_get_object (node);
  if (!check_keys (ps, object, "/cost_model", "“cost_model”", keys, keys,
                   error))
    return FALSE;

  spec->has_cost_model = TRUE;

  return read_range (ps, json_object_get_member (object, "usd_per_hour"),
                     "/cost_model/usd_per_hour", 0, FALSE, 1e9,
                     &spec->usd_per_hour, error);
}

static gboolean
read_target (Parse                 *ps,
             JsonNode              *node,
             StampedeScenarioSpec  *spec,
             GError               **error)
{
  const char *target;
  const char *scheme;

  if (!read_string (ps, node, "/target", &target, error))
    return FALSE;

  scheme = g_uri_peek_scheme (target);
  if (!g_uri_is_valid (target, G_URI_FLAGS_NONE, NULL) ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, "/target",
                    FALSE, "“target” must be an http:// or https:// URL, "
                    "not “%s”", target);

  spec->target = g_strdup (target);

  return TRUE;
}

static gboolean
read_text (Parse       *ps,
           JsonNode    *node,
           const char  *path,
           gboolean     allow_empty,
           char       **out,
           GError     **error)
{
  const char *text;

  if (!read_string (ps, node, path, &text, error))
    return FALSE;

  if (!allow_empty && *text == '\0')
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "“%s” must not be empty", path + 1);

  g_free (*out);
  *out = g_strdup (text);

  return TRUE;
}

static gboolean
read_arrivals (Parse                 *ps,
               JsonNode              *node,
               StampedeScenarioSpec  *spec,
               GError               **error)
{
  const char *name;

  if (!read_string (ps, node, "/arrivals", &name, error))
    return FALSE;

  if (strcmp (name, "uniform") == 0)
    spec->arrivals = STAMPEDE_ARRIVALS_UNIFORM;
  else if (strcmp (name, "poisson") == 0)
    spec->arrivals = STAMPEDE_ARRIVALS_POISSON;
  else
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, "/arrivals",
                    FALSE, "“arrivals” must be “uniform” or “poisson”, "
                    "not “%s”", name);

  return TRUE;
}

static gboolean
read_top_member (Parse                 *ps,
                 const char            *key,
                 JsonNode              *node,
                 StampedeScenarioSpec  *spec,
                 GError               **error)
{
  gint64 whole;

  if (strcmp (key, "name") == 0)
    return read_text (ps, node, "/name", FALSE, &spec->name, error);
  if (strcmp (key, "description") == 0)
    return read_text (ps, node, "/description", TRUE, &spec->description,
                      error);
  if (strcmp (key, "target") == 0)
    return read_target (ps, node, spec, error);
  if (strcmp (key, "arrivals") == 0)
    return read_arrivals (ps, node, spec, error);
  if (strcmp (key, "stages") == 0)
    return read_stages (ps, node, spec, error);
  if (strcmp (key, "faults") == 0)
    return read_faults (ps, node, spec, error);
  if (strcmp (key, "criteria") == 0)
    return read_criteria (ps, node, spec, error);
  if (strcmp (key, "abort") == 0)
    return read_abort (ps, node, spec, error);
  if (strcmp (key, "cost_model") == 0)
    return read_cost_model (ps, node, spec, error);

  if (strcmp (key, "seed") == 0) {
    if (!read_whole (ps, node, "/seed", 0, G_MAXINT64, &whole, error))
      return FALSE;
    spec->seed = (guint64) whole;
  } else if (strcmp (key, "workers") == 0) {
    if (!read_whole (ps, node, "/workers", 0, MAX_WORKERS, &whole, error))
      return FALSE;
    spec->workers = (guint) whole;
  } else if (strcmp (key, "max_in_flight") == 0) {
    if (!read_whole (ps, node, "/max_in_flight", 1, 10000000, &whole,
                     error))
      return FALSE;
    spec->max_in_flight = (guint) whole;
  } else {
    if (!read_whole (ps, node, "/timeout_ms", 1, 3600000, &whole, error))
      return FALSE;
    spec->timeout_ms = (guint) whole;
  }

  return TRUE;
}

static StampedeScenarioSpec *
spec_new (void)
{
  StampedeScenarioSpec *self = g_new0 (StampedeScenarioSpec, 1);

  self->description = g_strdup ("");
  self->seed = DEFAULT_SEED;
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->timeout_ms = DEFAULT_TIMEOUT_MS;

  return self;
}

/* Checks what needs the whole file: a fault must start before the end of
 * the run, or it would never happen. */
static gboolean
check_faults_fit (Parse                       *ps,
                  const StampedeScenarioSpec  *spec,
                  GError                     **error)
{
  for (guint i = 0; i < spec->n_faults; i++) {
    g_autofree char *path = NULL;

    if (spec->faults[i].at_s < ps->duration)
      continue;

    path = g_strdup_printf ("/faults/%u/at_s", i);
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_VALUE, path, FALSE,
                    "the fault starts at %g s, but the stages end at %g s",
                    spec->faults[i].at_s, ps->duration);
  }

  return TRUE;
}

/* A cost per transaction needs a price, which only the cost model gives;
 * without one the criterion could never be judged, so the scenario is
 * refused before the run rather than failed after it. */
static gboolean
check_cost_model (Parse                       *ps,
                  const StampedeScenarioSpec  *spec,
                  GError                     **error)
{
  for (guint i = 0; i < spec->n_criteria; i++) {
    g_autofree char *path = NULL;

    if (spec->has_cost_model ||
        spec->criteria[i].metric != STAMPEDE_METRIC_COST_PER_TX_USD)
      continue;

    path = g_strdup_printf ("/criteria/%u", i);
    return fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_MISSING, path, FALSE,
                    "criterion %u: “cost_per_tx_usd” needs a “cost_model” "
                    "with “usd_per_hour”", i);
  }

  return TRUE;
}

static StampedeScenarioSpec *
read_spec (Parse     *ps,
           JsonNode  *root,
           GError   **error)
{
  static const char * const keys[] = {
    "name", "description", "target", "seed", "arrivals", "workers",
    "max_in_flight", "timeout_ms", "stages", "abort", "faults", "criteria",
    "cost_model", NULL,
  };
  static const char * const required[] = { "name", "stages", NULL };
  g_autoptr(StampedeScenarioSpec) spec = spec_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (root == NULL) {
    fail_at (ps, error, STAMPEDE_SCENARIO_ERROR_SYNTAX, "", FALSE,
             "the text holds no JSON value");
    return NULL;
  }
  if (!check_object (ps, root, "", "a scenario", error))
    return NULL;

  object = json_node_get_object (root);
  if (!check_keys (ps, object, "", "a scenario", keys, required, error))
    return NULL;

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next) {
    if (!read_top_member (ps, l->data, json_object_get_member (object,
                                                               l->data),
                          spec, error))
      return NULL;
  }

  if (!check_faults_fit (ps, spec, error) ||
      !check_cost_model (ps, spec, error))
    return NULL;

  return g_steal_pointer (&spec);
}

/* json-glib names the text "<data>" in its messages; put the source's
 * name in its place and keep its "line:column: " prefix. */
static void
set_syntax_error (const char  *source,
                  GError      *parse_error,
                  GError     **error)
{
  const char *message = parse_error->message;

  if (g_str_has_prefix (message, "<data>:"))
    message += strlen ("<data>:");

  g_set_error (error, STAMPEDE_SCENARIO_ERROR,
               STAMPEDE_SCENARIO_ERROR_SYNTAX, "%s:%s", source, message);
}

/* json-glib refuses text that is not UTF-8 without saying where; find the
 * first bad byte and count lines and characters up to it the way the
 * scanner does, so the message points at it. */
static gboolean
check_utf8 (const char  *source,
            const char  *data,
            gsize        length,
            GError     **error)
{
  const char *bad = NULL;
  Scanner sc = { 0 };

  if (g_utf8_validate (data, length, &bad))
    return TRUE;

  sc.p = data;
  sc.end = bad;
  sc.at.line = 1;
  sc.at.column = 1;
  while (sc.p < sc.end)
    scan_advance (&sc);

  if (*bad == '\0')
    g_set_error (error, STAMPEDE_SCENARIO_ERROR,
                 STAMPEDE_SCENARIO_ERROR_SYNTAX,
                 "%s:%u:%u: a NUL byte, which JSON text cannot hold", source,
                 sc.at.line, sc.at.column);
  else
    g_set_error (error, STAMPEDE_SCENARIO_ERROR,
                 STAMPEDE_SCENARIO_ERROR_SYNTAX,
                 "%s:%u:%u: byte 0x%02X is not valid UTF-8; scenario files "
                 "must be UTF-8", source, sc.at.line, sc.at.column,
                 (guchar) *bad);

  return FALSE;
}

/* json-glib reads the first value and ignores a second object or array
 * after it, so a file holding two scenarios would silently run the first;
 * anything but white space after the top-level value is refused. */
static gboolean
check_trailing (const char  *source,
                Scanner     *sc,
                GError     **error)
{
  if (sc->stopped)
    return TRUE;

  scan_space (sc);
  if (sc->p >= sc->end)
    return TRUE;

  g_set_error (error, STAMPEDE_SCENARIO_ERROR,
               STAMPEDE_SCENARIO_ERROR_SYNTAX,
               "%s:%u:%u: unexpected content after the scenario; a file "
               "holds one JSON value", source, sc->at.line, sc->at.column);

  return FALSE;
}

/**
 * stampede_scenario_spec_new_from_data:
 * @data: the text of a scenario file
 * @length: its length in bytes, or -1 when it ends with a NUL
 * @source_name: the name errors give for the text, such as a file name
 * @error: return location for a #GError
 *
 * Reads and checks a scenario.  Errors, in the %STAMPEDE_SCENARIO_ERROR
 * domain, start with "SOURCE:LINE:COLUMN: " and name the bad key or
 * value; unknown keys, duplicate keys and unknown metric names are errors.
 *
 * Returns: (transfer full) (nullable): the scenario, or %NULL with @error
 *   set
 */
StampedeScenarioSpec *
stampede_scenario_spec_new_from_data (const char  *data,
                                      gssize       length,
                                      const char  *source_name,
                                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) positions = NULL;
  g_autoptr(GString) path = g_string_new (NULL);
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *duplicate = NULL;
  Parse ps = { source_name, NULL, 0 };
  Scanner sc = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (source_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);

  if (!check_utf8 (source_name, data, length, error))
    return NULL;

  if (!json_parser_load_from_data (parser, data, length, &parse_error)) {
    set_syntax_error (source_name, parse_error, error);
    return NULL;
  }

  positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     g_free);
  sc.p = data;
  sc.end = data + length;
  sc.at.line = 1;
  sc.at.column = 1;
  sc.positions = positions;

  /* json-glib skips a byte order mark, which editors do not show. */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    sc.p += 3;
  scan_value (&sc, path, 0);
  duplicate = g_steal_pointer (&sc.duplicate);
  ps.positions = positions;

  if (!check_trailing (source_name, &sc, error))
    return NULL;

  if (duplicate != NULL) {
    fail_at (&ps, error, STAMPEDE_SCENARIO_ERROR_DUPLICATE_KEY, duplicate,
             TRUE, "duplicate key “%s”", strrchr (duplicate, '/') + 1);
    return NULL;
  }

  return read_spec (&ps, json_parser_get_root (parser), error);
}

/**
 * stampede_scenario_spec_new_from_file:
 * @path: a scenario file
 * @error: return location for a #GError
 *
 * Reads a scenario file (see stampede_scenario_spec_new_from_data()).
 *
 * Returns: (transfer full) (nullable): the scenario, or %NULL with @error
 *   set
 */
StampedeScenarioSpec *
stampede_scenario_spec_new_from_file (const char  *path,
                                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local_error)) {
    g_set_error (error, STAMPEDE_SCENARIO_ERROR, STAMPEDE_SCENARIO_ERROR_IO,
                 "%s: %s", path, local_error->message);
    return NULL;
  }

  return stampede_scenario_spec_new_from_data (data, length, path, error);
}

/**
 * stampede_scenario_spec_free:
 * @self: (transfer full): a scenario
 *
 * Frees @self.
 */
void
stampede_scenario_spec_free (StampedeScenarioSpec *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_faults; i++)
    g_free (self->faults[i].agent);
  g_free (self->faults);
  g_free (self->criteria);
  g_free (self->stages);
  g_free (self->name);
  g_free (self->description);
  g_free (self->target);
  g_free (self);
}

/**
 * stampede_scenario_spec_duration:
 * @self: a scenario
 *
 * Returns: the length of the run in seconds, all stages together
 */
double
stampede_scenario_spec_duration (const StampedeScenarioSpec *self)
{
  double duration = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_stages; i++)
    duration += self->stages[i].duration_s;

  return duration;
}

/**
 * stampede_scenario_spec_new_load_shape:
 * @self: a scenario
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the load shape of @self's stages
 */
StampedeLoadShape *
stampede_scenario_spec_new_load_shape (const StampedeScenarioSpec  *self,
                                       GError                     **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return stampede_load_shape_new (self->stages, self->n_stages, error);
}

/**
 * stampede_scenario_spec_scale:
 * @self: a scenario
 * @factor: what to multiply every rate by, greater than 0
 * @error: return location for a #GError
 *
 * Multiplies every rate of every stage by @factor, to fit a scenario to a
 * machine; times, faults and criteria stay as they are.
 *
 * Returns: %TRUE, or %FALSE with @error set and @self unchanged when a
 *   scaled rate would be out of range
 */
gboolean
stampede_scenario_spec_scale (StampedeScenarioSpec  *self,
                              double                 factor,
                              GError               **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(isfinite (factor) && factor > 0)) {
    g_set_error (error, STAMPEDE_SCENARIO_ERROR,
                 STAMPEDE_SCENARIO_ERROR_VALUE,
                 "the scale must be a number greater than 0, not %g",
                 factor);
    return FALSE;
  }

  for (guint i = 0; i < self->n_stages; i++) {
    double peak = stampede_stage_peak_rate (&self->stages[i]) * factor;

    if (peak > STAMPEDE_LOAD_SHAPE_MAX_RATE) {
      g_set_error (error, STAMPEDE_SCENARIO_ERROR,
                   STAMPEDE_SCENARIO_ERROR_VALUE,
                   "scale %g asks stage %u of “%s” for %g arrivals/s, "
                   "more than %g", factor, i, self->name, peak,
                   STAMPEDE_LOAD_SHAPE_MAX_RATE);
      return FALSE;
    }
  }

  for (guint i = 0; i < self->n_stages; i++)
    stampede_stage_scale (&self->stages[i], factor);

  return TRUE;
}

static void
add_number (JsonBuilder *builder,
            const char  *key,
            double       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_double_value (builder, value);
}

static void
add_whole (JsonBuilder *builder,
           const char  *key,
           gint64       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value);
}

static void
fault_to_json (const StampedeFaultSpec *fault,
               JsonBuilder             *builder)
{
  const FaultKindInfo *info = &fault_kinds[fault->kind];

  json_builder_begin_object (builder);
  add_number (builder, "at_s", fault->at_s);
  add_string (builder, "kind", info->name);
  add_number (builder, "duration_s", fault->duration_s);
  if (info->unit != UNIT_NONE)
    add_number (builder, "magnitude", fault->magnitude);
  if ((info->extras & EXTRA_AGENT) && fault->agent != NULL)
    add_string (builder, "agent", fault->agent);
  if (info->extras & EXTRA_JITTER)
    add_number (builder, "jitter_ms", fault->jitter_ms);
  if (info->extras & EXTRA_RETRY_AFTER)
    add_number (builder, "retry_after_s", fault->retry_after_s);
  if (info->extras & EXTRA_STATUS)
    add_whole (builder, "status", fault->status);
  if (info->extras & EXTRA_FAIL_FIRST)
    add_whole (builder, "fail_first", fault->fail_first);
  if (info->extras & EXTRA_MODE)
    add_string (builder, "mode", fault->reset ? "reset" : "silent");
  json_builder_end_object (builder);
}

static void
criteria_to_json (const StampedeScenarioSpec *self,
                  JsonBuilder                *builder)
{
  json_builder_set_member_name (builder, "criteria");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_criteria; i++) {
    const StampedeCriterion *criterion = &self->criteria[i];

    json_builder_begin_object (builder);
    add_string (builder, "metric",
                stampede_metric_to_string (criterion->metric));
    add_string (builder, "op", stampede_op_to_string (criterion->op));
    add_number (builder, "value", criterion->value);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

/**
 * stampede_scenario_spec_to_json:
 * @self: a scenario
 * @builder: a builder where an object value may be added
 *
 * Adds @self as an object in the scenario file format, defaults written
 * out, so that reading it back gives the same scenario.
 */
void
stampede_scenario_spec_to_json (const StampedeScenarioSpec *self,
                                JsonBuilder                *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_begin_object (builder);
  add_string (builder, "name", self->name);
  add_string (builder, "description", self->description);
  if (self->target != NULL)
    add_string (builder, "target", self->target);
  add_whole (builder, "seed", (gint64) self->seed);
  add_string (builder, "arrivals",
              self->arrivals == STAMPEDE_ARRIVALS_POISSON ? "poisson"
                                                          : "uniform");
  add_whole (builder, "workers", self->workers);
  add_whole (builder, "max_in_flight", self->max_in_flight);
  add_whole (builder, "timeout_ms", self->timeout_ms);

  json_builder_set_member_name (builder, "stages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_stages; i++)
    stampede_stage_to_json (&self->stages[i], builder);
  json_builder_end_array (builder);

  if (self->has_abort) {
    json_builder_set_member_name (builder, "abort");
    json_builder_begin_object (builder);
    add_number (builder, "below_share", self->abort_below_share);
    add_number (builder, "after_s", self->abort_after_s);
    json_builder_end_object (builder);
  }

  json_builder_set_member_name (builder, "faults");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->n_faults; i++)
    fault_to_json (&self->faults[i], builder);
  json_builder_end_array (builder);

  criteria_to_json (self, builder);

  if (self->has_cost_model) {
    json_builder_set_member_name (builder, "cost_model");
    json_builder_begin_object (builder);
    add_number (builder, "usd_per_hour", self->usd_per_hour);
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
}

/**
 * stampede_scenario_spec_to_data:
 * @self: a scenario
 * @length: (out) (optional): where to store the text's length
 *
 * Returns: (transfer full): @self as the text of a scenario file
 */
char *
stampede_scenario_spec_to_data (const StampedeScenarioSpec *self,
                                gsize                      *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  stampede_scenario_spec_to_json (self, builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  return json_generator_to_data (generator, length);
}

/**
 * stampede_scenario_spec_evaluate:
 * @self: a scenario
 * @summary: the summary of a run of it
 *
 * Evaluates the scenario's criteria against @summary, with its cost model
 * when it has one.
 *
 * Returns: (transfer full): the verdicts
 */
StampedeCriteriaResult *
stampede_scenario_spec_evaluate (const StampedeScenarioSpec *self,
                                 JsonNode                   *summary)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (summary != NULL, NULL);

  return stampede_criteria_evaluate (self->criteria, self->n_criteria,
                                     summary,
                                     self->has_cost_model ?
                                     self->usd_per_hour : -1);
}

/*
 * The five scenarios of the product brief, at scale 1, in the file format
 * so that they go through the same checks as a user's file.  Their
 * shapes and criteria follow the brief's "Test Scenarios" section; where
 * it states a goal that no metric measures ("no memory leaks", "visually
 * stunning"), the criteria come from its "Performance Targets" table
 * instead (docs/scenarios.md says which).  None has a cost model: a price
 * per hour is the user's assumption to make.
 */
static const char builtin_peak[] =
  "{\"name\": \"peak\","
  " \"description\": \"Peak load: ramp from 0 to 10,000 TPS over 5 minutes,"
  " hold it for 20 minutes, ramp down over 5 minutes.\","
  " \"stages\": ["
  "  {\"kind\": \"ramp\", \"from\": 0, \"to\": 10000, \"duration_s\": 300},"
  "  {\"kind\": \"sustained\", \"rate\": 10000, \"duration_s\": 1200},"
  "  {\"kind\": \"ramp\", \"from\": 10000, \"to\": 0, \"duration_s\": 300}],"
  " \"criteria\": ["
  "  {\"metric\": \"data_loss\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"p95_ms\", \"op\": \"<\", \"value\": 2000},"
  "  {\"metric\": \"p99_ms\", \"op\": \"<\", \"value\": 5000},"
  "  {\"metric\": \"error_rate\", \"op\": \"<\", \"value\": 0.001}]}";

static const char builtin_sustained[] =
  "{\"name\": \"sustained\","
  " \"description\": \"Sustained load: a constant 2,000 TPS for two"
  " hours.\","
  " \"stages\": ["
  "  {\"kind\": \"sustained\", \"rate\": 2000, \"duration_s\": 7200}],"
  " \"criteria\": ["
  "  {\"metric\": \"data_loss\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"p99_ms\", \"op\": \"<\", \"value\": 2000},"
  "  {\"metric\": \"error_rate\", \"op\": \"<\", \"value\": 0.001},"
  "  {\"metric\": \"availability\", \"op\": \">=\", \"value\": 0.999}]}";

static const char builtin_burst[] =
  "{\"name\": \"burst\","
  " \"description\": \"Burst traffic: 1,000 TPS with 30-second bursts of"
  " 10,000 TPS every 3 minutes, for 15 minutes.\","
  " \"stages\": ["
  "  {\"kind\": \"burst\", \"base\": 1000, \"peak\": 10000,"
  "   \"duration_s\": 900, \"burst_s\": 30, \"every_s\": 180}],"
  " \"criteria\": ["
  "  {\"metric\": \"data_loss\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"dropped_share\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"availability\", \"op\": \">=\", \"value\": 0.999}]}";

static const char builtin_failure_recovery[] =
  "{\"name\": \"failure-recovery\","
  " \"description\": \"Failure recovery: a constant 3,000 TPS for 45"
  " minutes while an agent crashes, the store throttles, latency spikes"
  " and the model API rate-limits, two minutes each.\","
  " \"stages\": ["
  "  {\"kind\": \"sustained\", \"rate\": 3000, \"duration_s\": 2700}],"
  " \"faults\": ["
  "  {\"at_s\": 300, \"kind\": \"agent_crash\", \"duration_s\": 120,"
  "   \"magnitude\": 1, \"agent\": \"geo_risk\"},"
  "  {\"at_s\": 900, \"kind\": \"store_throttle\", \"duration_s\": 120,"
  "   \"magnitude\": 0.5},"
  "  {\"at_s\": 1500, \"kind\": \"latency_spike\", \"duration_s\": 120,"
  "   \"magnitude\": 500},"
  "  {\"at_s\": 2100, \"kind\": \"rate_limit\", \"duration_s\": 120,"
  "   \"magnitude\": 0.5, \"retry_after_s\": 1}],"
  " \"criteria\": ["
  "  {\"metric\": \"data_loss\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"availability\", \"op\": \">=\", \"value\": 0.99},"
  "  {\"metric\": \"p99_ms\", \"op\": \"<\", \"value\": 5000}]}";

static const char builtin_investor[] =
  "{\"name\": \"investor\","
  " \"description\": \"Investor demo: ramp to 400 TPS over 20 s, hold for"
  " two minutes; the geo/risk agent crashes for 20 s in the middle and the"
  " platform recovers.\","
  " \"stages\": ["
  "  {\"kind\": \"ramp\", \"from\": 0, \"to\": 400, \"duration_s\": 20},"
  "  {\"kind\": \"sustained\", \"rate\": 400, \"duration_s\": 120}],"
  " \"faults\": ["
  "  {\"at_s\": 60, \"kind\": \"agent_crash\", \"duration_s\": 20,"
  "   \"magnitude\": 1, \"agent\": \"geo_risk\"}],"
  " \"criteria\": ["
  "  {\"metric\": \"data_loss\", \"op\": \"==\", \"value\": 0},"
  "  {\"metric\": \"avg_ms\", \"op\": \"<\", \"value\": 500},"
  "  {\"metric\": \"p95_ms\", \"op\": \"<\", \"value\": 1000},"
  "  {\"metric\": \"p99_ms\", \"op\": \"<\", \"value\": 2000},"
  "  {\"metric\": \"error_rate\", \"op\": \"<\", \"value\": 0.001},"
  "  {\"metric\": \"availability\", \"op\": \">=\", \"value\": 0.999},"
  "  {\"metric\": \"accuracy\", \"op\": \">\", \"value\": 0.9}]}";

static const StampedeScenarioBuiltin builtins[] = {
  { "peak", "Ramp 0 → 10,000 TPS in 5 min, hold 20 min, ramp down 5 min" },
  { "sustained", "2,000 TPS for 2 hours" },
  { "burst", "1,000 TPS with 30 s bursts of 10,000 TPS every 3 min, "
    "15 min" },
  { "failure-recovery", "3,000 TPS for 45 min with four injected faults" },
  { "investor", "Ramp to 400 TPS in 20 s, hold 2 min, an agent crash "
    "in the middle" },
};

static const char * const builtin_texts[] = {
  builtin_peak,
  builtin_sustained,
  builtin_burst,
  builtin_failure_recovery,
  builtin_investor,
};

G_STATIC_ASSERT (G_N_ELEMENTS (builtins) == G_N_ELEMENTS (builtin_texts));

/**
 * stampede_scenario_spec_list_builtins:
 * @n_builtins: (out): where to store the number of built-in scenarios
 *
 * Returns: (transfer none) (array length=n_builtins): the built-in
 *   scenarios, with their summaries at scale 1
 */
const StampedeScenarioBuiltin *
stampede_scenario_spec_list_builtins (guint *n_builtins)
{
  g_return_val_if_fail (n_builtins != NULL, NULL);

  *n_builtins = G_N_ELEMENTS (builtins);

  return builtins;
}

/**
 * stampede_scenario_spec_new_builtin:
 * @name: a built-in scenario's name
 * @scale: what to multiply every rate by; 1 for the brief's figures
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the scenario, or %NULL with @error
 *   set when there is no built-in of that name or @scale is out of range
 */
StampedeScenarioSpec *
stampede_scenario_spec_new_builtin (const char  *name,
                                    double       scale,
                                    GError     **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++) {
    g_autoptr(StampedeScenarioSpec) spec = NULL;
    g_autofree char *source = NULL;

    if (strcmp (builtins[i].name, name) != 0)
      continue;

    source = g_strdup_printf ("built-in scenario %s", name);
    spec = stampede_scenario_spec_new_from_data (builtin_texts[i], -1,
                                                 source, error);
    if (spec == NULL || !stampede_scenario_spec_scale (spec, scale, error))
      return NULL;

    return g_steal_pointer (&spec);
  }

  g_set_error (error, STAMPEDE_SCENARIO_ERROR,
               STAMPEDE_SCENARIO_ERROR_UNKNOWN_SCENARIO,
               "no built-in scenario is called “%s” (one of peak, "
               "sustained, burst, failure-recovery, investor)", name);

  return NULL;
}
