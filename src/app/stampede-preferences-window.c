/* stampede-preferences-window.c — presentation profiles and the cost model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-format.h"
#include "stampede-preferences-window.h"
#include "stampede-presentation-profile.h"
#include "stampede-vendor-file.h"

struct _StampedePreferencesWindow {
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *audience_row;
  AdwPreferencesGroup  *figures_group;
  AdwComboRow          *currency_row;
  GtkSwitch            *compact_switch;
  GtkSwitch            *thin_space_switch;
  AdwPreferencesGroup  *rates_group;
  GtkSpinButton        *cost_spin;
  AdwComboRow          *loss_source_row;
  GtkWidget            *loss_row;
  GtkSpinButton        *loss_spin;
  GtkSpinButton        *review_spin;
  AdwActionRow         *vendor_row;
  GtkWidget            *clear_vendor_button;
  AdwActionRow         *vendor_source_row;

  GSettings            *settings;
  GtkSwitch            *hero_switches[STAMPEDE_N_HEROES];
  GtkFileChooserNative *chooser;
  gboolean              syncing;
};

G_DEFINE_FINAL_TYPE (StampedePreferencesWindow, stampede_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static StampedeAudience
current_audience (StampedePreferencesWindow *self)
{
  return g_settings_get_enum (self->settings, "audience");
}

static const char *
key_for (StampedePreferencesWindow *self,
         const char                *what)
{
  return stampede_presentation_profile_key (current_audience (self), what);
}

/* Figures of the current audience */

static void
sync_hero_switches (StampedePreferencesWindow *self)
{
  StampedePresentationProfile profile;

  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  stampede_presentation_profile_load (&profile, self->settings);

  self->syncing = TRUE;
  for (guint h = 0; h < STAMPEDE_N_HEROES; h++)
    gtk_switch_set_active (self->hero_switches[h],
                           stampede_presentation_profile_shows (&profile, h));
  self->syncing = FALSE;
}

static void
hero_switched_cb (GtkSwitch                 *button,
                  GParamSpec                *pspec,
                  StampedePreferencesWindow *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) updated = NULL;
  const char *key = key_for (self, "figures");
  const char *changed = NULL;

  if (self->syncing)
    return;

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    if (self->hero_switches[h] == button)
      changed = stampede_hero_to_string (h);
  }
  g_return_if_fail (changed != NULL);

  /* The figures keep their order; one switched on comes last. */
  names = g_settings_get_strv (self->settings, key);
  for (guint i = 0; names[i] != NULL; i++) {
    if (!g_str_equal (names[i], changed))
      g_strv_builder_add (builder, names[i]);
  }
  if (gtk_switch_get_active (button))
    g_strv_builder_add (builder, changed);

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, key, (const char * const *) updated);
}

static void
build_hero_rows (StampedePreferencesWindow *self)
{
  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  for (guint h = 0; h < STAMPEDE_N_HEROES; h++) {
    GtkWidget *row = adw_action_row_new ();
    GtkWidget *button = gtk_switch_new ();
    g_autofree char *name = g_strdup_printf ("preferences-hero-%s",
                                             stampede_hero_to_string (h));

    gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
    gtk_widget_set_name (button, name);
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                   stampede_hero_get_title (h));
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
    adw_preferences_group_add (self->figures_group, row);

    self->hero_switches[h] = GTK_SWITCH (button);
    g_signal_connect (button, "notify::active",
                      G_CALLBACK (hero_switched_cb), self);
  }
}

/* Currency */

static gboolean
currency_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *code = g_variant_get_string (variant, NULL);
  const StampedeCurrency *list;
  guint n;

  list = stampede_currency_list (&n);
  for (guint i = 0; i < n; i++) {
    if (g_str_equal (list[i].code, code)) {
      g_value_set_uint (value, i);
      return TRUE;
    }
  }

  return FALSE;
}

static GVariant *
currency_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  const StampedeCurrency *list;
  guint n;
  guint selected = g_value_get_uint (value);

  list = stampede_currency_list (&n);
  if (selected >= n)
    return NULL;

  return g_variant_new_string (list[selected].code);
}

static void
build_currencies (StampedePreferencesWindow *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const StampedeCurrency *list;
  guint n;

  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  list = stampede_currency_list (&n);
  for (guint i = 0; i < n; i++) {
    char rate[G_ASCII_DTOSTR_BUF_SIZE];
    g_autofree char *title = NULL;
    GtkWidget *row;

    gtk_string_list_append (names, list[i].code);
    if (i == 0)
      continue;

    g_ascii_formatd (rate, sizeof rate, "%.4g", list[i].per_usd);
    /* Translators: a fixed exchange rate, e.g. "1 USD = 0.92 EUR". */
    title = g_strdup_printf (_("1 USD = %s %s"), rate, list[i].code);
    row = adw_action_row_new ();
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("assumed"));
    adw_preferences_group_add (self->rates_group, row);
  }

  adw_combo_row_set_model (self->currency_row, G_LIST_MODEL (names));
}

/* Bindings that follow the audience */

static void
bind_audience_keys (StampedePreferencesWindow *self)
{
  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  g_settings_unbind (self->currency_row, "selected");
  g_settings_unbind (self->compact_switch, "active");
  g_settings_unbind (self->thin_space_switch, "active");

  g_settings_bind_with_mapping (self->settings, key_for (self, "currency"),
                                self->currency_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                currency_get_mapping, currency_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, key_for (self, "compact"),
                   self->compact_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, key_for (self, "thin-space"),
                   self->thin_space_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  sync_hero_switches (self);
}

static gboolean
enum_get_mapping (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++) {
    if (g_str_equal (nicks[i], nick)) {
      g_value_set_uint (value, i);
      return TRUE;
    }
  }

  return FALSE;
}

static GVariant *
enum_set_mapping (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[selected]);
}

static const char * const audience_nicks[] = { "business", "technical", NULL };
static const char * const loss_nicks[] = { "measured", "modelled", NULL };

/* Other products' figures */

static void
show_vendor_file (StampedePreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings,
                                                 "vendor-file");
  g_autoptr(StampedeVendorFile) file = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  gtk_widget_set_sensitive (self->clear_vendor_button, *path != '\0');

  if (*path == '\0') {
    adw_action_row_set_subtitle (self->vendor_row, _("None"));
    adw_action_row_set_subtitle (self->vendor_source_row,
                                 _("No other product is compared"));
    return;
  }

  adw_action_row_set_subtitle (self->vendor_row, path);
  file = stampede_vendor_file_new_from_path (path, &error);
  adw_action_row_set_subtitle (self->vendor_source_row,
                               file != NULL ? file->source : error->message);
}

static void
chooser_response_cb (GtkNativeDialog           *chooser,
                     int                        response,
                     StampedePreferencesWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    g_settings_set_string (self->settings, "vendor-file", path);

  g_clear_object (&self->chooser);
}

static void
choose_vendor_file_cb (StampedePreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Other Products’ Figures"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON files"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);

  g_signal_connect (self->chooser, "response",
                    G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
clear_vendor_file_cb (StampedePreferencesWindow *self)
{
  g_settings_set_string (self->settings, "vendor-file", "");
}

/* The modelled loss per block matters only when it is used. */
static void
sync_loss_row (StampedePreferencesWindow *self)
{
  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  gtk_widget_set_sensitive (self->loss_row,
                            g_settings_get_enum (self->settings,
                                                 "fraud-loss-source") == 1);
}

static void
settings_changed_cb (StampedePreferencesWindow *self,
                     const char                *key)
{
  if (g_str_equal (key, "fraud-loss-source"))
    sync_loss_row (self);
  else if (g_str_equal (key, "audience"))
    bind_audience_keys (self);
  else if (g_str_equal (key, key_for (self, "figures")))
    sync_hero_switches (self);
  else if (g_str_equal (key, "vendor-file"))
    show_vendor_file (self);
}

static void
bind_settings (StampedePreferencesWindow *self)
{
  g_assert (STAMPEDE_IS_PREFERENCES_WINDOW (self));

  g_settings_bind_with_mapping (self->settings, "audience",
                                self->audience_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                enum_get_mapping, enum_set_mapping,
                                (gpointer) audience_nicks, NULL);
  g_settings_bind_with_mapping (self->settings, "fraud-loss-source",
                                self->loss_source_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                enum_get_mapping, enum_set_mapping,
                                (gpointer) loss_nicks, NULL);
  g_settings_bind (self->settings, "cost-per-transaction", self->cost_spin,
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "fraud-loss-per-block", self->loss_spin,
                   "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "review-cost", self->review_spin,
                   "value", G_SETTINGS_BIND_DEFAULT);

  bind_audience_keys (self);
  show_vendor_file (self);
  sync_loss_row (self);

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
stampede_preferences_window_dispose (GObject *object)
{
  StampedePreferencesWindow *self = STAMPEDE_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self),
                               STAMPEDE_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (stampede_preferences_window_parent_class)->dispose (object);
}

static void
stampede_preferences_window_finalize (GObject *object)
{
  StampedePreferencesWindow *self = STAMPEDE_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (stampede_preferences_window_parent_class)->finalize (object);
}

static void
stampede_preferences_window_class_init (StampedePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stampede_preferences_window_dispose;
  object_class->finalize = stampede_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-preferences-window.ui");

#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, \
                                        StampedePreferencesWindow, name)
  BIND (audience_row);
  BIND (figures_group);
  BIND (currency_row);
  BIND (compact_switch);
  BIND (thin_space_switch);
  BIND (rates_group);
  BIND (cost_spin);
  BIND (loss_source_row);
  BIND (loss_row);
  BIND (loss_spin);
  BIND (review_spin);
  BIND (vendor_row);
  BIND (clear_vendor_button);
  BIND (vendor_source_row);
#undef BIND

  gtk_widget_class_bind_template_callback (widget_class,
                                           choose_vendor_file_cb);
  gtk_widget_class_bind_template_callback (widget_class,
                                           clear_vendor_file_cb);
}

static void
stampede_preferences_window_init (StampedePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  build_hero_rows (self);
  build_currencies (self);

  self->settings = stampede_settings_new ();
  if (self->settings == NULL) {
    /* Without a schema there is nothing to edit or save. */
    gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
    return;
  }

  bind_settings (self);
}

/**
 * stampede_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer full): a new preferences window
 */
StampedePreferencesWindow *
stampede_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (STAMPEDE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
