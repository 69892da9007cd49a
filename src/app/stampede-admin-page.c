/* stampede-admin-page.c — start, stop and steer runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-admin-page.h"

/*
 * A spin button changes its value once per click or key repeat; the rate
 * goes to the engine only once the value has rested this long, so that a
 * held key sends one request rather than dozens.
 */
#define RATE_SETTLE_MS 250

struct _StampedeAdminPage {
  AdwBin             parent_instance;

  AdwActionRow      *engine_row;
  AdwActionRow      *target_row;
  GtkLabel          *state_label;
  GtkSpinButton     *rate_spin;
  GtkSpinButton     *duration_spin;
  GtkButton         *start_button;
  GtkButton         *stop_button;

  StampedeApiClient *client;
  GCancellable      *cancellable;
  char              *target_url;
  guint              rate_source_id;
  StampedeRunState   state;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (StampedeAdminPage, stampede_admin_page, ADW_TYPE_BIN)

enum {
  SIGNAL_ERROR,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static const char *
describe_state (StampedeRunState state)
{
  switch (state) {
  case STAMPEDE_RUN_RUNNING:
    return _("Running");

  case STAMPEDE_RUN_STOPPING:
    return _("Stopping");

  case STAMPEDE_RUN_FINISHED:
    return _("Finished");

  case STAMPEDE_RUN_IDLE:
  default:
    return _("Idle");
  }
}

static void
sync_controls (StampedeAdminPage *self)
{
  gboolean connected = self->client != NULL;
  gboolean going;

  g_assert (STAMPEDE_IS_ADMIN_PAGE (self));

  going = self->state == STAMPEDE_RUN_RUNNING ||
          self->state == STAMPEDE_RUN_STOPPING;

  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button),
                            connected && !self->busy && !going);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button),
                            connected && !self->busy &&
                            self->state == STAMPEDE_RUN_RUNNING);
  gtk_widget_set_sensitive (GTK_WIDGET (self->duration_spin), !going);

  if (connected)
    gtk_label_set_label (self->state_label, describe_state (self->state));
  else
    gtk_label_set_label (self->state_label, _("Not connected"));
}

static void
report_error (StampedeAdminPage *self,
              const char        *what,
              const GError      *error)
{
  g_autofree char *message = NULL;

  g_assert (STAMPEDE_IS_ADMIN_PAGE (self));

  /* Translators: what was asked of the engine, then why it failed. */
  message = g_strdup_printf (_("%s: %s"), what, error->message);
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
}

static void
start_run_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(StampedeAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stampede_api_client_start_run_finish (STAMPEDE_API_CLIENT (source),
                                             result, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    self->busy = FALSE;
    report_error (self, _("Could not start the run"), error);
    sync_controls (self);
    return;
  }

  /* The stream confirms the state within a tenth of a second; until then
   * the page already knows that the engine accepted the run. */
  self->busy = FALSE;
  self->state = STAMPEDE_RUN_RUNNING;
  sync_controls (self);
}

static void
stop_run_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StampedeAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stampede_api_client_stop_run_finish (STAMPEDE_API_CLIENT (source),
                                            result, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    self->busy = FALSE;
    report_error (self, _("Could not stop the run"), error);
    sync_controls (self);
    return;
  }

  self->busy = FALSE;
  sync_controls (self);
}

static void
set_rate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StampedeAdminPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stampede_api_client_set_rate_finish (STAMPEDE_API_CLIENT (source),
                                            result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    report_error (self, _("Could not change the rate"), error);
}

static gboolean
send_rate_cb (gpointer user_data)
{
  StampedeAdminPage *self = STAMPEDE_ADMIN_PAGE (user_data);

  self->rate_source_id = 0;

  if (self->client != NULL && self->state == STAMPEDE_RUN_RUNNING)
    stampede_api_client_set_rate_async (
      self->client, gtk_spin_button_get_value (self->rate_spin),
      self->cancellable, set_rate_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
rate_changed_cb (StampedeAdminPage *self)
{
  g_assert (STAMPEDE_IS_ADMIN_PAGE (self));

  if (self->state != STAMPEDE_RUN_RUNNING)
    return;

  g_clear_handle_id (&self->rate_source_id, g_source_remove);
  self->rate_source_id = g_timeout_add (RATE_SETTLE_MS, send_rate_cb, self);
}

static void
start_clicked_cb (StampedeAdminPage *self)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();

  g_assert (STAMPEDE_IS_ADMIN_PAGE (self));

  config->rate = gtk_spin_button_get_value (self->rate_spin);
  config->duration_s = gtk_spin_button_get_value (self->duration_spin);
  config->ramp_s = 0;
  if (self->target_url != NULL) {
    g_free (config->target_url);
    config->target_url = g_strdup (self->target_url);
  }

  stampede_admin_page_start_run (self, config);
}

static void
stop_clicked_cb (StampedeAdminPage *self)
{
  g_assert (STAMPEDE_IS_ADMIN_PAGE (self));

  stampede_admin_page_stop_run (self);
}

static void
stampede_admin_page_dispose (GObject *object)
{
  StampedeAdminPage *self = STAMPEDE_ADMIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->rate_source_id, g_source_remove);
  g_clear_object (&self->client);

  gtk_widget_dispose_template (GTK_WIDGET (self), STAMPEDE_TYPE_ADMIN_PAGE);

  G_OBJECT_CLASS (stampede_admin_page_parent_class)->dispose (object);
}

static void
stampede_admin_page_finalize (GObject *object)
{
  StampedeAdminPage *self = STAMPEDE_ADMIN_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->target_url, g_free);

  G_OBJECT_CLASS (stampede_admin_page_parent_class)->finalize (object);
}

static void
stampede_admin_page_class_init (StampedeAdminPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stampede_admin_page_dispose;
  object_class->finalize = stampede_admin_page_finalize;

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-admin-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        engine_row);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        target_row);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        state_label);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        rate_spin);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        duration_spin);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        start_button);
  gtk_widget_class_bind_template_child (widget_class, StampedeAdminPage,
                                        stop_button);
  gtk_widget_class_bind_template_callback (widget_class, rate_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_clicked_cb);
}

static void
stampede_admin_page_init (StampedeAdminPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = STAMPEDE_RUN_IDLE;

  gtk_widget_init_template (GTK_WIDGET (self));
  stampede_admin_page_set_endpoints (self, NULL, NULL);
  sync_controls (self);
}

/**
 * stampede_admin_page_set_client:
 * @self: a #StampedeAdminPage
 * @client: (nullable): the engine's client, or %NULL while there is none
 *
 * Sets the client that the page's requests go through.
 */
void
stampede_admin_page_set_client (StampedeAdminPage *self,
                                StampedeApiClient *client)
{
  g_return_if_fail (STAMPEDE_IS_ADMIN_PAGE (self));
  g_return_if_fail (client == NULL || STAMPEDE_IS_API_CLIENT (client));

  g_set_object (&self->client, client);
  sync_controls (self);
}

/**
 * stampede_admin_page_set_endpoints:
 * @self: a #StampedeAdminPage
 * @engine_url: (nullable): the engine's URL, %NULL while it is not known
 * @target_url: (nullable): where runs aim, %NULL for the engine's default
 *
 * Shows where the engine is and what the runs the page starts aim at.
 */
void
stampede_admin_page_set_endpoints (StampedeAdminPage *self,
                                   const char        *engine_url,
                                   const char        *target_url)
{
  g_return_if_fail (STAMPEDE_IS_ADMIN_PAGE (self));

  g_free (self->target_url);
  self->target_url = g_strdup (target_url);

  adw_action_row_set_subtitle (self->engine_row,
                               engine_url != NULL ? engine_url
                                                  : _("Not connected"));
  adw_action_row_set_subtitle (self->target_row,
                               target_url != NULL ? target_url
                                                  : _("The engine’s default"));
}

/**
 * stampede_admin_page_update:
 * @self: a #StampedeAdminPage
 * @snapshot: the latest snapshot from the engine's stream
 *
 * Follows the run state so that only the buttons that make sense are
 * sensitive.
 */
void
stampede_admin_page_update (StampedeAdminPage      *self,
                            const StampedeSnapshot *snapshot)
{
  g_return_if_fail (STAMPEDE_IS_ADMIN_PAGE (self));
  g_return_if_fail (snapshot != NULL);

  if (self->state == snapshot->state)
    return;

  self->state = snapshot->state;
  sync_controls (self);
}

/**
 * stampede_admin_page_start_run:
 * @self: a #StampedeAdminPage
 * @config: what the run is to do
 *
 * Asks the engine to start a run; a refusal is reported through the
 * "error" signal.  Does nothing without a client or while a request is
 * pending.
 */
void
stampede_admin_page_start_run (StampedeAdminPage       *self,
                               const StampedeRunConfig *config)
{
  g_return_if_fail (STAMPEDE_IS_ADMIN_PAGE (self));
  g_return_if_fail (config != NULL);

  if (self->client == NULL || self->busy)
    return;

  /* Keep the controls in step with what the run was asked to do; the
   * rate handler ignores the change, as no run is going yet. */
  gtk_spin_button_set_value (self->rate_spin, config->rate);
  gtk_spin_button_set_value (self->duration_spin, config->duration_s);

  self->busy = TRUE;
  sync_controls (self);
  stampede_api_client_start_run_async (self->client, config,
                                       self->cancellable, start_run_cb,
                                       g_object_ref (self));
}

/**
 * stampede_admin_page_stop_run:
 * @self: a #StampedeAdminPage
 *
 * Asks the engine to stop the run, as the Stop button does; a refusal is
 * reported through the "error" signal.  Does nothing without a client or
 * while a request is pending.
 */
void
stampede_admin_page_stop_run (StampedeAdminPage *self)
{
  g_return_if_fail (STAMPEDE_IS_ADMIN_PAGE (self));

  if (self->client == NULL || self->busy)
    return;

  self->busy = TRUE;
  sync_controls (self);
  stampede_api_client_stop_run_async (self->client, self->cancellable,
                                      stop_run_cb, g_object_ref (self));
}
