/* stampede-faults.c — the platform's active faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "stampede-faults.h"

/*
 * The faults an admin injects, each with its own end time.  They are
 * read on every scored request, so the table keeps a count of active
 * faults that the common case, no fault at all, reads without the lock.
 * Magnitudes and extra keys follow docs/scenarios.md.
 */

typedef enum {
  PARTITION_SILENT,
  PARTITION_RESET,
} PartitionMode;

typedef struct {
  guint             id;
  StampedeFaultKind kind;
  double            magnitude;
  double            duration_s;
  gint64            end_us;         /* 0: until cleared */
  gint64            started_real_ms;
  int               agent;          /* −1: every agent */
  double            retry_after_s;
  PartitionMode     mode;
} Fault;

struct _StampedeFaults {
  GMutex  lock;
  GArray *faults;   /* Fault */
  guint   next_id;
  gint    n_active; /* atomic */
};

static const char * const kind_names[] = {
  "agent_crash", "store_throttle", "ingestion_lag", "rate_limit",
  "latency_spike", "partition", NULL,
};

/* The keys each kind takes besides kind, magnitude and duration_s. */
static const char * const extra_keys[][2] = {
  { "agent", NULL },
  { NULL, NULL },
  { NULL, NULL },
  { "retry_after_s", NULL },
  { "agent", NULL },
  { "mode", NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == STAMPEDE_FAULT_N_KINDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (extra_keys) == STAMPEDE_FAULT_N_KINDS);

const char *
stampede_fault_kind_name (StampedeFaultKind kind)
{
  g_return_val_if_fail (kind < STAMPEDE_FAULT_N_KINDS, NULL);

  return kind_names[kind];
}

static gboolean
is_delay (StampedeFaultKind kind)
{
  return kind == STAMPEDE_FAULT_INGESTION_LAG
         || kind == STAMPEDE_FAULT_LATENCY_SPIKE;
}

StampedeFaults *
stampede_faults_new (void)
{
  StampedeFaults *self = g_new0 (StampedeFaults, 1);

  g_mutex_init (&self->lock);
  self->faults = g_array_new (FALSE, FALSE, sizeof (Fault));
  self->next_id = 1;

  return self;
}

void
stampede_faults_free (StampedeFaults *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->faults);
  g_mutex_clear (&self->lock);
  g_free (self);
}

static gboolean
lookup_kind (const char         *name,
             StampedeFaultKind  *out,
             GError            **error)
{
  g_autofree char *valid = NULL;

  for (guint i = 0; i < STAMPEDE_FAULT_N_KINDS; i++) {
    if (strcmp (name, kind_names[i]) == 0) {
      *out = i;
      return TRUE;
    }
  }

  valid = g_strjoinv (", ", (char **) kind_names);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "kind: unknown fault kind “%s” (valid kinds: %s)", name,
               valid);

  return FALSE;
}

static gboolean
check_keys (JsonObject         *params,
            StampedeFaultKind   kind,
            GError            **error)
{
  g_autoptr(GList) members = NULL;

  if (params == NULL)
    return TRUE;

  members = json_object_get_members (params);
  for (GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    const char *extra = extra_keys[kind][0];

    if (strcmp (key, "kind") == 0 || strcmp (key, "magnitude") == 0
        || strcmp (key, "duration_s") == 0
        || (extra != NULL && strcmp (key, extra) == 0))
      continue;

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "unknown key “%s” for a %s fault (valid keys: kind, "
                 "magnitude, duration_s%s%s)", key, kind_names[kind],
                 extra != NULL ? ", " : "", extra != NULL ? extra : "");
    return FALSE;
  }

  return TRUE;
}

/* Reads an optional number; *found says whether it was there. */
static gboolean
get_number (JsonObject  *params,
            const char  *key,
            double      *out,
            gboolean    *found,
            GError     **error)
{
  JsonNode *node = params != NULL ? json_object_get_member (params, key)
                                  : NULL;

  *found = node != NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64
          && json_node_get_value_type (node) != G_TYPE_DOUBLE)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: a number is required", key);
    return FALSE;
  }

  *out = json_node_get_double (node);
  if (!isfinite (*out)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: the number is not finite", key);
    return FALSE;
  }

  return TRUE;
}

static gboolean
get_string (JsonObject  *params,
            const char  *key,
            const char **out,
            GError     **error)
{
  JsonNode *node = params != NULL ? json_object_get_member (params, key)
                                  : NULL;

  *out = NULL;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: a string is required", key);
    return FALSE;
  }

  *out = json_node_get_string (node);

  return TRUE;
}

static gboolean
read_duration (JsonObject  *params,
               Fault       *fault,
               GError     **error)
{
  gboolean found;

  if (!get_number (params, "duration_s", &fault->duration_s, &found, error))
    return FALSE;

  if (!found) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "duration_s: required (seconds; 0 lasts until cleared)");
    return FALSE;
  }

  if (fault->duration_s < 0
      || fault->duration_s > STAMPEDE_FAULT_MAX_DURATION_S) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "duration_s: %g is %s; a fault lasts 0 (until cleared) to "
                 "%g s", fault->duration_s,
                 fault->duration_s < 0 ? "negative" : "too long",
                 STAMPEDE_FAULT_MAX_DURATION_S);
    return FALSE;
  }

  return TRUE;
}

/* A share of calls, 0–1 and 1 by default; or a delay in milliseconds,
 * which must be given. */
static gboolean
read_magnitude (JsonObject  *params,
                Fault       *fault,
                GError     **error)
{
  gboolean found;

  fault->magnitude = 1;
  if (!get_number (params, "magnitude", &fault->magnitude, &found, error))
    return FALSE;

  if (is_delay (fault->kind)) {
    if (!found) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "magnitude: required for %s (milliseconds added)",
                   kind_names[fault->kind]);
      return FALSE;
    }
    if (fault->magnitude < 0
        || fault->magnitude > STAMPEDE_FAULT_MAX_DELAY_MS) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "magnitude: %g ms is out of range for %s (0–%g ms)",
                   fault->magnitude, kind_names[fault->kind],
                   STAMPEDE_FAULT_MAX_DELAY_MS);
      return FALSE;
    }
  } else if (fault->magnitude < 0 || fault->magnitude > 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "magnitude: %g is out of range for %s (a share, 0–1)",
                 fault->magnitude, kind_names[fault->kind]);
    return FALSE;
  }

  return TRUE;
}

static gboolean
read_agent (JsonObject  *params,
            Fault       *fault,
            GError     **error)
{
  const char *name;
  g_autoptr(GString) valid = g_string_new (NULL);

  fault->agent = -1;
  if (!get_string (params, "agent", &name, error))
    return FALSE;

  if (name == NULL) {
    if (fault->kind != STAMPEDE_FAULT_AGENT_CRASH)
      return TRUE;
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "agent: required for agent_crash");
    return FALSE;
  }

  for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
    const char *known = stampede_platform_agent_name (i);

    if (strcmp (name, known) == 0) {
      fault->agent = i;
      return TRUE;
    }
    g_string_append_printf (valid, "%s%s", i > 0 ? ", " : "", known);
  }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "agent: unknown agent “%s” (valid agents: %s)", name,
               valid->str);

  return FALSE;
}

static gboolean
read_extras (JsonObject  *params,
             Fault       *fault,
             GError     **error)
{
  const char *mode;
  gboolean found;

  if (!read_agent (params, fault, error))
    return FALSE;

  fault->retry_after_s = 1;
  if (!get_number (params, "retry_after_s", &fault->retry_after_s, &found,
                   error))
    return FALSE;
  if (fault->retry_after_s < 0
      || fault->retry_after_s > STAMPEDE_FAULT_MAX_RETRY_S) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "retry_after_s: %g is out of range (0–%g s)",
                 fault->retry_after_s, STAMPEDE_FAULT_MAX_RETRY_S);
    return FALSE;
  }

  /* "hang" is the same as "silent": the product brief's word for it. */
  fault->mode = PARTITION_SILENT;
  if (!get_string (params, "mode", &mode, error))
    return FALSE;
  if (mode != NULL && strcmp (mode, "reset") == 0) {
    fault->mode = PARTITION_RESET;
  } else if (mode != NULL && strcmp (mode, "silent") != 0
             && strcmp (mode, "hang") != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "mode: unknown partition mode “%s” (valid modes: silent, "
                 "hang, reset)", mode);
    return FALSE;
  }

  return TRUE;
}

static gboolean
read_fault (const char  *kind,
            JsonObject  *params,
            Fault       *fault,
            GError     **error)
{
  const char *named;

  if (!lookup_kind (kind, &fault->kind, error)
      || !get_string (params, "kind", &named, error))
    return FALSE;

  if (named != NULL && strcmp (named, kind) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "kind: “%s” in the parameters contradicts “%s”", named,
                 kind);
    return FALSE;
  }

  return check_keys (params, fault->kind, error)
         && read_duration (params, fault, error)
         && read_magnitude (params, fault, error)
         && read_extras (params, fault, error);
}

/**
 * stampede_faults_add:
 * @self: a fault table
 * @now_us: the current monotonic time, microseconds
 * @kind: the kind of fault, as docs/scenarios.md names it
 * @params: (nullable): magnitude, duration_s and the kind's other keys
 * @error: where to say which key or value is wrong
 *
 * Validates a fault and makes it active from @now_us for its duration.
 *
 * Returns: the fault's id, or 0 if @params are not valid
 */
guint
stampede_faults_add (StampedeFaults  *self,
                     gint64           now_us,
                     const char      *kind,
                     JsonObject      *params,
                     GError         **error)
{
  Fault fault = { 0 };

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (kind != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!read_fault (kind, params, &fault, error))
    return 0;

  fault.started_real_ms = g_get_real_time () / 1000;
  if (fault.duration_s > 0)
    fault.end_us = now_us + (gint64) (fault.duration_s * G_USEC_PER_SEC);

  g_mutex_lock (&self->lock);
  fault.id = self->next_id++;
  g_array_append_val (self->faults, fault);
  g_atomic_int_set (&self->n_active, self->faults->len);
  g_mutex_unlock (&self->lock);

  return fault.id;
}

/**
 * stampede_faults_remove:
 * @self: a fault table
 * @id: a fault's id
 *
 * Returns: whether a fault of that id was active
 */
gboolean
stampede_faults_remove (StampedeFaults *self,
                        guint           id)
{
  gboolean found = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->faults->len && !found; i++) {
    if (g_array_index (self->faults, Fault, i).id == id) {
      g_array_remove_index (self->faults, i);
      found = TRUE;
    }
  }
  g_atomic_int_set (&self->n_active, self->faults->len);
  g_mutex_unlock (&self->lock);

  return found;
}

/**
 * stampede_faults_clear:
 * @self: a fault table
 *
 * Returns: how many faults were active
 */
guint
stampede_faults_clear (StampedeFaults *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  n = self->faults->len;
  g_array_set_size (self->faults, 0);
  g_atomic_int_set (&self->n_active, 0);
  g_mutex_unlock (&self->lock);

  return n;
}

static guint
expire_locked (StampedeFaults *self,
               gint64          now_us)
{
  guint n = 0;

  for (guint i = self->faults->len; i > 0; i--) {
    Fault *fault = &g_array_index (self->faults, Fault, i - 1);

    if (fault->end_us != 0 && fault->end_us <= now_us) {
      g_array_remove_index (self->faults, i - 1);
      n++;
    }
  }
  g_atomic_int_set (&self->n_active, self->faults->len);

  return n;
}

/**
 * stampede_faults_expire:
 * @self: a fault table
 * @now_us: the current monotonic time, microseconds
 *
 * Removes the faults whose duration is over.
 *
 * Returns: how many were removed
 */
guint
stampede_faults_expire (StampedeFaults *self,
                        gint64          now_us)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  if (g_atomic_int_get (&self->n_active) == 0)
    return 0;

  g_mutex_lock (&self->lock);
  n = expire_locked (self, now_us);
  g_mutex_unlock (&self->lock);

  return n;
}

static void
apply (const Fault          *fault,
       StampedeFaultEffects *out)
{
  out->active[fault->kind] = TRUE;

  switch (fault->kind) {
  case STAMPEDE_FAULT_AGENT_CRASH:
    out->crash[fault->agent] = MAX (out->crash[fault->agent],
                                    fault->magnitude);
    break;
  case STAMPEDE_FAULT_STORE_THROTTLE:
    out->throttle = MAX (out->throttle, fault->magnitude);
    break;
  case STAMPEDE_FAULT_INGESTION_LAG:
    out->lag_ms += fault->magnitude;
    break;
  case STAMPEDE_FAULT_RATE_LIMIT:
    out->rate_limit = MAX (out->rate_limit, fault->magnitude);
    out->retry_after_s = MAX (out->retry_after_s, fault->retry_after_s);
    break;
  case STAMPEDE_FAULT_LATENCY_SPIKE:
    for (guint i = 0; i < STAMPEDE_PLATFORM_N_AGENTS; i++) {
      if (fault->agent < 0 || (guint) fault->agent == i)
        out->spike_ms[i] += fault->magnitude;
    }
    break;
  case STAMPEDE_FAULT_PARTITION:
    if (fault->mode == PARTITION_RESET)
      out->reset = MAX (out->reset, fault->magnitude);
    else
      out->silent = MAX (out->silent, fault->magnitude);
    break;
  case STAMPEDE_FAULT_N_KINDS:
  default:
    g_assert_not_reached ();
  }
}

/**
 * stampede_faults_get_effects:
 * @self: a fault table
 * @now_us: the current monotonic time, microseconds
 * @out: (out caller-allocates): what the active faults do together
 *
 * Expires the faults whose duration is over and combines the others.
 */
void
stampede_faults_get_effects (StampedeFaults       *self,
                             gint64                now_us,
                             StampedeFaultEffects *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  if (g_atomic_int_get (&self->n_active) == 0)
    return;

  g_mutex_lock (&self->lock);
  expire_locked (self, now_us);
  for (guint i = 0; i < self->faults->len; i++)
    apply (&g_array_index (self->faults, Fault, i), out);
  g_mutex_unlock (&self->lock);
}

static JsonNode *
fault_to_json (const Fault *fault,
               gint64       now_us)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, fault->id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_names[fault->kind]);
  json_builder_set_member_name (builder, "magnitude");
  json_builder_add_double_value (builder, fault->magnitude);
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, fault->duration_s);
  json_builder_set_member_name (builder, "started_at_ms");
  json_builder_add_int_value (builder, fault->started_real_ms);

  json_builder_set_member_name (builder, "ends_at_ms");
  if (fault->end_us != 0)
    json_builder_add_int_value (builder, fault->started_real_ms
                                + (gint64) (fault->duration_s * 1000));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "remaining_s");
  if (fault->end_us != 0)
    json_builder_add_double_value (builder, MAX (0, fault->end_us - now_us)
                                   / (double) G_USEC_PER_SEC);
  else
    json_builder_add_null_value (builder);

  if (fault->agent >= 0) {
    json_builder_set_member_name (builder, "agent");
    json_builder_add_string_value (builder,
                                   stampede_platform_agent_name (fault->agent));
  }
  if (fault->kind == STAMPEDE_FAULT_RATE_LIMIT) {
    json_builder_set_member_name (builder, "retry_after_s");
    json_builder_add_double_value (builder, fault->retry_after_s);
  }
  if (fault->kind == STAMPEDE_FAULT_PARTITION) {
    json_builder_set_member_name (builder, "mode");
    json_builder_add_string_value (builder, fault->mode == PARTITION_RESET
                                            ? "reset" : "silent");
  }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * stampede_faults_to_json:
 * @self: a fault table
 * @now_us: the current monotonic time, microseconds
 * @id: a fault's id, or 0 for all of them
 *
 * Describes the active faults, or one of them: its id, kind, magnitude,
 * duration, start and end (wall-clock milliseconds since 1970; %NULL for
 * a fault that lasts until cleared), the seconds it has left and its
 * kind's other keys.
 *
 * Returns: (transfer full) (nullable): an array of objects, or the object
 *   of fault @id, or %NULL if no fault has that id
 */
JsonNode *
stampede_faults_to_json (StampedeFaults *self,
                         gint64          now_us,
                         guint           id)
{
  JsonNode *node = NULL;
  JsonArray *array = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (id == 0)
    array = json_array_new ();

  g_mutex_lock (&self->lock);
  expire_locked (self, now_us);
  for (guint i = 0; i < self->faults->len; i++) {
    const Fault *fault = &g_array_index (self->faults, Fault, i);

    if (id == 0)
      json_array_add_element (array, fault_to_json (fault, now_us));
    else if (fault->id == id)
      node = fault_to_json (fault, now_us);
  }
  g_mutex_unlock (&self->lock);

  if (array != NULL)
    node = json_node_init_array (json_node_alloc (), array);
  g_clear_pointer (&array, json_array_unref);

  return node;
}
