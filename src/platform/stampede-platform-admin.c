/* stampede-platform-admin.c — the platform's admin API and its
 * Prometheus endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "stampede-platform-private.h"

/*
 * The admin API, every route with "Authorization: Bearer TOKEN":
 *
 *   POST   /v1/admin/faults       {"kind", "duration_s", "magnitude", …}
 *                                 → 201 the fault, with its id and end
 *   GET    /v1/admin/faults       → 200 {"faults": [the active faults]}
 *   DELETE /v1/admin/faults       → 200 {"cleared": N}
 *   GET    /v1/admin/faults/ID    → 200 the fault, or 404
 *   DELETE /v1/admin/faults/ID    → 200 {"cleared": 1}, or 404
 *   GET    /v1/admin/degradation  → 200 {"level", "override", "window"}
 *   PUT    /v1/admin/degradation  {"level": a level or "auto"} → 200 the same
 *
 * A bad request is answered 4xx {"error"} naming the key or value at
 * fault.  A partition leaves these routes and /metrics alone, so that an
 * admin can always see and clear it.
 */

#define FAULTS_PATH "/v1/admin/faults"

static void
respond_node (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  _stampede_platform_respond_json (msg, status, g_string_new (text));
}

/* Compares every byte whatever the first difference, so that the time a
 * refusal takes does not tell how much of a guess was right. */
static gboolean
same_secret (const char *a,
             const char *b)
{
  gsize len_a = strlen (a), len_b = strlen (b);
  guint8 diff = len_a != len_b;

  for (gsize i = 0; i < len_a; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i % MAX (len_b, 1)];

  return diff == 0;
}

static gboolean
check_token (StampedePlatform  *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = soup_message_headers_get_one (headers,
                                                     "Authorization");
  g_autofree char *token = stampede_platform_dup_admin_token (self);
  const char *problem = NULL;

  if (header == NULL)
    problem = "the admin API needs an “Authorization: Bearer TOKEN” header";
  else if (g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    problem = "the Authorization header must be “Bearer TOKEN”";
  else if (!same_secret (header + 7, token))
    problem = "the admin token is wrong";

  if (problem == NULL)
    return TRUE;

  soup_message_headers_replace (
    soup_server_message_get_response_headers (msg), "WWW-Authenticate",
    "Bearer realm=\"stampede-platform\"");
  _stampede_platform_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, problem);

  return FALSE;
}

/* Reads the body as a JSON object, or answers 400 and returns NULL. */
static JsonParser *
read_object (SoupServerMessage  *msg,
             JsonObject        **object)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "the body is empty; a JSON object is "
                                      "required");
    return NULL;
  }

  if (!json_parser_load_from_data (parser, data, len, &error)) {
    g_autofree char *text = g_strdup_printf ("the body is not JSON: %s",
                                             error->message);

    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST, text);
    return NULL;
  }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "the body must be a JSON object");
    return NULL;
  }

  *object = json_node_get_object (json_parser_get_root (parser));

  return g_steal_pointer (&parser);
}

static void
post_fault (StampedePlatform  *self,
            SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object = NULL;
  JsonNode *kind;
  guint id;

  parser = read_object (msg, &object);
  if (parser == NULL)
    return;

  kind = json_object_get_member (object, "kind");
  if (kind == NULL || !JSON_NODE_HOLDS_VALUE (kind)
      || json_node_get_value_type (kind) != G_TYPE_STRING) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "kind: a string is required");
    return;
  }

  id = stampede_platform_inject_fault (self, json_node_get_string (kind),
                                       object, &error);
  if (id == 0) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      error->message);
    return;
  }

  node = stampede_faults_to_json (self->faults, g_get_monotonic_time (), id);
  respond_node (msg, SOUP_STATUS_CREATED, node);
}

static void
handle_faults (StampedePlatform  *self,
               SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (strcmp (method, SOUP_METHOD_POST) == 0) {
    post_fault (self, msg);
  } else if (strcmp (method, SOUP_METHOD_GET) == 0) {
    g_autoptr(JsonNode) list = NULL;
    g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
    JsonObject *object = json_object_new ();

    list = stampede_faults_to_json (self->faults, g_get_monotonic_time (), 0);
    json_object_set_member (object, "faults", g_steal_pointer (&list));
    json_node_take_object (node, object);
    respond_node (msg, SOUP_STATUS_OK, node);
  } else if (strcmp (method, SOUP_METHOD_DELETE) == 0) {
    GString *body = g_string_new (NULL);

    g_string_printf (body, "{\"cleared\":%u}",
                     stampede_faults_clear (self->faults));
    _stampede_platform_respond_json (msg, SOUP_STATUS_OK, body);
  } else {
    _stampede_platform_respond_method (msg, "GET, POST, DELETE");
  }
}

static void
handle_fault (StampedePlatform  *self,
              SoupServerMessage *msg,
              const char        *id_text)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *missing = NULL;
  guint64 id = 0;

  if (!g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXUINT, &id, NULL)) {
    g_autofree char *text = g_strdup_printf ("fault id “%s” is not a "
                                             "positive whole number",
                                             id_text);

    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST, text);
    return;
  }

  missing = g_strdup_printf ("no active fault has id %" G_GUINT64_FORMAT,
                             id);
  if (strcmp (method, SOUP_METHOD_GET) == 0) {
    node = stampede_faults_to_json (self->faults, g_get_monotonic_time (),
                                    (guint) id);
    if (node != NULL)
      respond_node (msg, SOUP_STATUS_OK, node);
    else
      _stampede_platform_respond_error (msg, SOUP_STATUS_NOT_FOUND, missing);
  } else if (strcmp (method, SOUP_METHOD_DELETE) == 0) {
    if (stampede_faults_remove (self->faults, (guint) id))
      _stampede_platform_respond_json (msg, SOUP_STATUS_OK,
                                       g_string_new ("{\"cleared\":1}"));
    else
      _stampede_platform_respond_error (msg, SOUP_STATUS_NOT_FOUND, missing);
  } else {
    _stampede_platform_respond_method (msg, "GET, DELETE");
  }
}

static void
respond_degradation (StampedePlatform  *self,
                     SoupServerMessage *msg)
{
  StampedeDegradationWindow window;
  GString *out = g_string_new (NULL);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  stampede_degradation_get_window (self->degradation, g_get_monotonic_time (),
                                   &window);
  g_string_append_printf (out, "{\"level\":\"%s\",\"override\":\"%s\","
                          "\"window\":{\"answers\":%" G_GUINT64_FORMAT
                          ",\"errors\":%" G_GUINT64_FORMAT
                          ",\"error_ratio\":%s",
                          stampede_degradation_level_name (
                            _stampede_platform_level (self)),
                          stampede_degradation_level_name (
                            g_atomic_int_get (&self->override)),
                          window.answers, window.errors,
                          g_ascii_formatd (buf, sizeof buf, "%.4f",
                                           window.error_ratio));
  g_string_append_printf (out, ",\"p99_over_5s\":%s,\"cpu_ratio\":",
                          window.p99_over_enter ? "true" : "false");
  if (window.cpu_ratio >= 0)
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.4f",
                                           window.cpu_ratio));
  else
    g_string_append (out, "null");
  g_string_append (out, "}}");

  _stampede_platform_respond_json (msg, SOUP_STATUS_OK, out);
}

static void
put_degradation (StampedePlatform  *self,
                 SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = NULL;
  StampedeDegradationLevel level;
  JsonNode *node;

  parser = read_object (msg, &object);
  if (parser == NULL)
    return;

  node = json_object_get_member (object, "level");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING
      || !stampede_degradation_level_parse (json_node_get_string (node),
                                            &level)) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "level: one of auto, normal, moderate, "
                                      "severe, critical is required");
    return;
  }

  if (json_object_get_size (object) != 1) {
    _stampede_platform_respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "only the key “level” is allowed");
    return;
  }

  stampede_platform_set_degradation_override (self, level);
  respond_degradation (self, msg);
}

void
_stampede_platform_handle_admin (StampedePlatform  *self,
                                 SoupServerMessage *msg,
                                 const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (!check_token (self, msg))
    return;

  if (strcmp (path, FAULTS_PATH) == 0) {
    handle_faults (self, msg);
  } else if (g_str_has_prefix (path, FAULTS_PATH "/")) {
    handle_fault (self, msg, path + strlen (FAULTS_PATH "/"));
  } else if (strcmp (path, "/v1/admin/degradation") == 0) {
    if (strcmp (method, SOUP_METHOD_GET) == 0)
      respond_degradation (self, msg);
    else if (strcmp (method, SOUP_METHOD_PUT) == 0
             || strcmp (method, SOUP_METHOD_POST) == 0)
      put_degradation (self, msg);
    else
      _stampede_platform_respond_method (msg, "GET, PUT, POST");
  } else {
    g_autofree char *text = g_strdup_printf ("no such path: %s", path);

    _stampede_platform_respond_error (msg, SOUP_STATUS_NOT_FOUND, text);
  }
}

/* Prometheus text exposition. */

static void
family (GString    *out,
        const char *name,
        const char *type,
        const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
                          name, type);
}

static void
sample (GString    *out,
        const char *name,
        const char *labels,
        double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isinf (value))
    g_strlcpy (buf, value > 0 ? "+Inf" : "-Inf", sizeof buf);
  else
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);

  if (labels != NULL && labels[0] != '\0')
    g_string_append_printf (out, "%s{%s} %s\n", name, labels, buf);
  else
    g_string_append_printf (out, "%s %s\n", name, buf);
}

static void
histogram (GString       *out,
           const char    *name,
           const char    *labels,
           const guint64 *buckets,
           guint64        count,
           double         sum_s)
{
  g_autofree char *bucket_name = g_strconcat (name, "_bucket", NULL);
  g_autofree char *sum_name = g_strconcat (name, "_sum", NULL);
  g_autofree char *count_name = g_strconcat (name, "_count", NULL);
  const char *sep = labels[0] != '\0' ? "," : "";
  guint64 cumulative = 0;

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_BUCKETS; i++) {
    char le[G_ASCII_DTOSTR_BUF_SIZE];
    g_autofree char *all = NULL;

    cumulative += buckets[i];
    if (isinf (_stampede_platform_bucket_s[i]))
      g_strlcpy (le, "+Inf", sizeof le);
    else
      g_ascii_formatd (le, sizeof le, "%g", _stampede_platform_bucket_s[i]);
    all = g_strdup_printf ("%s%sle=\"%s\"", labels, sep, le);
    sample (out, bucket_name, all, cumulative);
  }

  sample (out, sum_name, labels, sum_s);
  sample (out, count_name, labels, count);
}

static void
write_requests (StampedePlatform *self,
                GString          *out)
{
  const StampedePlatformCounters *c = &self->counters;

  family (out, "stampede_platform_score_requests_total", "counter",
          "Score requests answered, by HTTP status.");
  for (guint i = 100; i < G_N_ELEMENTS (c->status); i++) {
    g_autofree char *labels = NULL;

    if (c->status[i] == 0 && i != 200)
      continue;
    labels = g_strdup_printf ("status=\"%u\"", i);
    sample (out, "stampede_platform_score_requests_total", labels,
            c->status[i]);
  }

  family (out, "stampede_platform_partition_dropped_total", "counter",
          "Score requests a partition held unanswered or reset.");
  sample (out, "stampede_platform_partition_dropped_total", "mode=\"silent\"",
          c->partition_held);
  sample (out, "stampede_platform_partition_dropped_total", "mode=\"reset\"",
          c->partition_reset);

  family (out, "stampede_platform_decisions_total", "counter",
          "Decisions given, by decision.");
  for (guint i = 0; i < G_N_ELEMENTS (c->decisions); i++) {
    g_autofree char *labels = g_strdup_printf (
      "decision=\"%s\"", stampede_platform_decision_name (i));

    sample (out, "stampede_platform_decisions_total", labels,
            c->decisions[i]);
  }

  family (out, "stampede_platform_request_duration_seconds", "histogram",
          "Time from a score request's arrival to its answer.");
  histogram (out, "stampede_platform_request_duration_seconds", "",
             c->request_bucket, c->request_count, c->request_sum_s);
}

static void
write_agents (StampedePlatform *self,
              GString          *out)
{
  const StampedePlatformCounters *c = &self->counters;

  family (out, "stampede_platform_agent_latency_seconds", "histogram",
          "Each agent's time, computing plus modelled inference latency.");
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "agent=\"%s\"", stampede_platform_agent_name (i));

    histogram (out, "stampede_platform_agent_latency_seconds", labels,
               c->agent_bucket[i], c->agent_count[i], c->agent_sum_s[i]);
  }

  family (out, "stampede_platform_agent_failures_total", "counter",
          "Agent calls that failed (agent_crash).");
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "agent=\"%s\"", stampede_platform_agent_name (i));

    sample (out, "stampede_platform_agent_failures_total", labels,
            c->agent_failed[i]);
  }

  family (out, "stampede_platform_agent_skipped_total", "counter",
          "Agent calls left out by the degradation level.");
  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "agent=\"%s\"", stampede_platform_agent_name (i));

    sample (out, "stampede_platform_agent_skipped_total", labels,
            c->agent_skipped[i]);
  }
}

static void
write_admission (StampedePlatform *self,
                 GString          *out)
{
  guint depth, max_scoring;

  g_mutex_lock (&self->config_lock);
  depth = self->queue_depth;
  max_scoring = self->max_scoring;
  g_mutex_unlock (&self->config_lock);

  family (out, "stampede_platform_queue_depth", "gauge",
          "Transactions waiting in the ingestion queue.");
  sample (out, "stampede_platform_queue_depth", NULL, self->queue.length);
  family (out, "stampede_platform_queue_capacity", "gauge",
          "Transactions the ingestion queue holds at most.");
  sample (out, "stampede_platform_queue_capacity", NULL, depth);
  family (out, "stampede_platform_in_scoring", "gauge",
          "Transactions being scored.");
  sample (out, "stampede_platform_in_scoring", NULL, self->scoring.length);
  family (out, "stampede_platform_scoring_capacity", "gauge",
          "Transactions that may be scored at once.");
  sample (out, "stampede_platform_scoring_capacity", NULL, max_scoring);
  family (out, "stampede_platform_partition_held", "gauge",
          "Score requests held unanswered by a partition now.");
  sample (out, "stampede_platform_partition_held", NULL, self->held.length);
}

static void
write_degradation (StampedePlatform *self,
                   GString          *out)
{
  StampedeDegradationLevel level = _stampede_platform_level (self);
  StampedeDegradationWindow window;

  stampede_degradation_get_window (self->degradation, g_get_monotonic_time (),
                                   &window);

  family (out, "stampede_platform_degradation_level", "gauge",
          "Degradation level: 0 normal, 1 moderate, 2 severe, 3 critical.");
  sample (out, "stampede_platform_degradation_level", NULL, level);
  family (out, "stampede_platform_degradation_info", "gauge",
          "The degradation level by name; 1 for the level in force.");
  for (int i = 0; i < STAMPEDE_DEGRADATION_N_LEVELS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "level=\"%s\"", stampede_degradation_level_name (i));

    sample (out, "stampede_platform_degradation_info", labels, i == level);
  }
  family (out, "stampede_platform_degradation_overridden", "gauge",
          "1 when the level is forced rather than measured.");
  sample (out, "stampede_platform_degradation_overridden", NULL,
          g_atomic_int_get (&self->override) != STAMPEDE_DEGRADATION_AUTO);
  family (out, "stampede_platform_degradation_changes_total", "counter",
          "Changes of the degradation level.");
  sample (out, "stampede_platform_degradation_changes_total", NULL,
          self->counters.level_changes);
  family (out, "stampede_platform_scored_total", "counter",
          "Transactions scored, by the degradation level they met.");
  for (int i = 0; i < STAMPEDE_DEGRADATION_N_LEVELS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "level=\"%s\"", stampede_degradation_level_name (i));

    sample (out, "stampede_platform_scored_total", labels,
            self->counters.by_level[i]);
  }

  family (out, "stampede_platform_window_answers", "gauge",
          "Score answers in the degradation window.");
  sample (out, "stampede_platform_window_answers", NULL, window.answers);
  family (out, "stampede_platform_window_error_ratio", "gauge",
          "Share of errors (5xx, 429) in the degradation window.");
  sample (out, "stampede_platform_window_error_ratio", NULL,
          window.error_ratio);
  family (out, "stampede_platform_window_cpu_ratio", "gauge",
          "Process CPU over the window against all cores; -1 if unknown.");
  sample (out, "stampede_platform_window_cpu_ratio", NULL, window.cpu_ratio);
}

static void
write_faults_and_store (StampedePlatform *self,
                        GString          *out)
{
  StampedeFaultEffects faults;
  const StampedePlatformCounters *c = &self->counters;

  stampede_faults_get_effects (self->faults, g_get_monotonic_time (),
                               &faults);
  family (out, "stampede_platform_fault_active", "gauge",
          "1 while a fault of the kind is active.");
  for (guint i = 0; i < STAMPEDE_FAULT_N_KINDS; i++) {
    g_autofree char *labels = g_strdup_printf (
      "kind=\"%s\"", stampede_fault_kind_name (i));

    sample (out, "stampede_platform_fault_active", labels, faults.active[i]);
  }

  family (out, "stampede_platform_store_operations_total", "counter",
          "Card-store operations attempted.");
  sample (out, "stampede_platform_store_operations_total", NULL,
          c->store_ops);
  family (out, "stampede_platform_store_throttled_total", "counter",
          "Card-store operations answered \"throttled\".");
  sample (out, "stampede_platform_store_throttled_total", NULL,
          c->store_throttled);
  family (out, "stampede_platform_store_retries_total", "counter",
          "Card-store operations retried after a back-off.");
  sample (out, "stampede_platform_store_retries_total", NULL,
          c->store_retries);
  family (out, "stampede_platform_store_gave_up_total", "counter",
          "Transactions scored without history after the last retry.");
  sample (out, "stampede_platform_store_gave_up_total", NULL,
          c->store_gave_up);

  family (out, "stampede_platform_card_store_size", "gauge",
          "Cards whose history the store holds.");
  sample (out, "stampede_platform_card_store_size", NULL,
          stampede_card_store_get_size (self->cards));
  family (out, "stampede_platform_card_store_capacity", "gauge",
          "Cards the store holds at most.");
  sample (out, "stampede_platform_card_store_capacity", NULL,
          stampede_card_store_get_capacity (self->cards));
  family (out, "stampede_platform_card_store_evictions_total", "counter",
          "Cards evicted, least recently used first.");
  sample (out, "stampede_platform_card_store_evictions_total", NULL,
          stampede_card_store_get_evictions (self->cards));
}

void
_stampede_platform_handle_metrics (StampedePlatform  *self,
                                   SoupServerMessage *msg)
{
  GString *out = g_string_sized_new (16 * 1024);
  gsize len;

  write_requests (self, out);
  write_agents (self, out);
  write_admission (self, out);
  write_degradation (self, out);
  write_faults_and_store (self, out);

  len = out->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain; version=0.0.4",
                                    SOUP_MEMORY_TAKE,
                                    g_string_free (out, FALSE), len);
}
