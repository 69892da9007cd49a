/* stampede-vendor-file.c — other products' figures, from a file the user gives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "stampede-vendor-file.h"

/* A file larger than this is not a list of a few products' figures. */
#define MAX_FILE_SIZE (1024 * 1024)

static gboolean
invalid (GError     **error,
         const char  *path,
         const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               /* Translators: a file name, then what is wrong in it. */
               _("%s: %s"), path, what);

  return FALSE;
}

/* The string at @key, or %NULL when there is none or it is not a string. */
static const char *
get_string (JsonObject *object,
            const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
read_figure (JsonObject  *vendor,
             const char  *key,
             gboolean     is_share,
             double      *value,
             const char  *path,
             guint        index,
             GError     **error)
{
  JsonNode *node = json_object_get_member (vendor, key);
  g_autofree char *what = NULL;

  *value = NAN;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node)
      && (json_node_get_value_type (node) == G_TYPE_DOUBLE
          || json_node_get_value_type (node) == G_TYPE_INT64))
    *value = json_node_get_double (node);

  if (isfinite (*value) && *value >= 0 && (!is_share || *value <= 1))
    return TRUE;

  what = g_strdup_printf (is_share
                          ? _("vendors[%u].%s must be a number from 0 to 1")
                          : _("vendors[%u].%s must be a number of 0 or "
                              "more"),
                          index, key);

  return invalid (error, path, what);
}

static gboolean
read_vendor (JsonNode        *node,
             guint            index,
             StampedeVendor  *vendor,
             const char      *path,
             GError         **error)
{
  g_autofree char *what = NULL;
  JsonObject *object;
  const char *name;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    what = g_strdup_printf (_("vendors[%u] must be an object"), index);
    return invalid (error, path, what);
  }

  object = json_node_get_object (node);
  name = get_string (object, "name");
  if (name == NULL || *name == '\0') {
    what = g_strdup_printf (_("vendors[%u] needs a “name”"), index);
    return invalid (error, path, what);
  }
  vendor->name = g_strdup (name);

  return read_figure (object, "accuracy", TRUE,
                      &vendor->figures.accuracy, path, index, error)
         && read_figure (object, "recall", TRUE,
                         &vendor->figures.recall, path, index, error)
         && read_figure (object, "false_positive_rate", TRUE,
                         &vendor->figures.false_positive_rate, path, index,
                         error)
         && read_figure (object, "latency_ms", FALSE,
                         &vendor->figures.latency_ms, path, index, error);
}

/**
 * stampede_vendor_file_new_from_data:
 * @data: the file's text
 * @length: its length, or -1 when it ends with a NUL
 * @path: where it came from, for messages
 * @error: return location for a #GError
 *
 * Reads other products' figures.  The file must say where they come from.
 *
 * Returns: (transfer full) (nullable): the figures, or %NULL with @error
 *   naming @path and what is wrong
 */
StampedeVendorFile *
stampede_vendor_file_new_from_data (const char  *data,
                                    gssize       length,
                                    const char  *path,
                                    GError     **error)
{
  g_autoptr(StampedeVendorFile) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  JsonObject *root;
  JsonArray *vendors;
  const char *source;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, &parse_error)) {
    invalid (error, path, parse_error->message);
    return NULL;
  }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    invalid (error, path, _("the file must hold a JSON object"));
    return NULL;
  }
  root = json_node_get_object (json_parser_get_root (parser));

  source = get_string (root, "source");
  if (source == NULL || *source == '\0') {
    invalid (error, path, _("“source” must say where the figures come "
                            "from"));
    return NULL;
  }

  if (!json_object_has_member (root, "vendors")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "vendors"))) {
    invalid (error, path, _("“vendors” must be a list"));
    return NULL;
  }
  vendors = json_object_get_array_member (root, "vendors");

  self = g_new0 (StampedeVendorFile, 1);
  self->path = g_strdup (path);
  self->source = g_strdup (source);
  self->n_vendors = json_array_get_length (vendors);
  self->vendors = g_new0 (StampedeVendor, self->n_vendors);

  for (guint i = 0; i < self->n_vendors; i++) {
    if (!read_vendor (json_array_get_element (vendors, i), i,
                      &self->vendors[i], path, error))
      return NULL;
  }

  return g_steal_pointer (&self);
}

/**
 * stampede_vendor_file_new_from_path:
 * @path: a file name
 * @error: return location for a #GError
 *
 * Reads other products' figures from @path.  The file is small; reading
 * it is quick enough for the moment a user picks it.
 *
 * Returns: (transfer full) (nullable): the figures, or %NULL with @error
 *   set
 */
StampedeVendorFile *
stampede_vendor_file_new_from_path (const char  *path,
                                    GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  if (length > MAX_FILE_SIZE) {
    invalid (error, path, _("the file is too large for a list of figures"));
    return NULL;
  }

  return stampede_vendor_file_new_from_data (data, length, path, error);
}

void
stampede_vendor_file_free (StampedeVendorFile *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_vendors; i++)
    g_free (self->vendors[i].name);
  g_free (self->vendors);
  g_free (self->source);
  g_free (self->path);
  g_free (self);
}
