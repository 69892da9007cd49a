/* stampede-window.c — the main window: four pages over one engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-admin-page.h"
#include "stampede-agents-page.h"
#include "stampede-analytics-page.h"
#include "stampede-presentation-page.h"
#include "stampede-scenario.h"
#include "stampede-window.h"

struct _StampedeWindow {
  AdwApplicationWindow      parent_instance;

  AdwHeaderBar             *header_bar;
  AdwToastOverlay          *toast_overlay;
  AdwViewStack             *view_stack;
  GtkRevealer              *problem_revealer;
  GtkLabel                 *problem_label;
  StampedePresentationPage *presentation_page;
  StampedeAnalyticsPage    *analytics_page;
  StampedeAgentsPage       *agents_page;
  StampedeAdminPage        *admin_page;

  StampedeSession          *session;
  StampedeApiClient        *client;
  char                     *pending_scenario;
};

G_DEFINE_FINAL_TYPE (StampedeWindow, stampede_window,
                     ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
show_problem (StampedeWindow *self,
              const char     *message)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  gtk_label_set_label (self->problem_label, message);
  gtk_revealer_set_reveal_child (self->problem_revealer, TRUE);
}

static void
show_toast (StampedeWindow *self,
            const char     *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  g_assert (STAMPEDE_IS_WINDOW (self));

  /* Toast titles are Pango markup in libadwaita 1.2, and an error
   * message may hold any character. */
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static void
start_pending_scenario (StampedeWindow *self)
{
  g_autoptr(StampedeRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  if (self->pending_scenario == NULL || self->client == NULL)
    return;

  name = g_steal_pointer (&self->pending_scenario);
  config = stampede_scenario_new_config (
    name, stampede_session_get_target_url (self->session), &error);
  if (config == NULL) {
    show_toast (self, error->message);
    return;
  }

  stampede_admin_page_start_run (self->admin_page, config);
}

static void
snapshot_cb (StampedeApiClient *client,
             StampedeSnapshot  *snapshot,
             StampedeWindow    *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  stampede_presentation_page_update (self->presentation_page, snapshot);
  stampede_analytics_page_update (self->analytics_page, snapshot);
  stampede_agents_page_update (self->agents_page, snapshot);
  stampede_admin_page_update (self->admin_page, snapshot);
}

static void
stream_closed_cb (StampedeApiClient *client,
                  const GError      *error,
                  StampedeWindow    *self)
{
  g_autofree char *message = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  /* Without an error the app closed the stream itself. */
  if (error == NULL)
    return;

  /* Translators: %s says why the engine's stream of figures ended. */
  message = g_strdup_printf (_("The engine stopped sending figures: %s"),
                             error->message);
  show_problem (self, message);
}

static void
set_client (StampedeWindow    *self,
            StampedeApiClient *client)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  if (self->client == client)
    return;

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);

  if (client != NULL) {
    /* The final figures of a run arrive on a signal of their own. */
    g_signal_connect (client, "snapshot", G_CALLBACK (snapshot_cb), self);
    g_signal_connect (client, "run-finished", G_CALLBACK (snapshot_cb),
                      self);
    g_signal_connect (client, "stream-closed",
                      G_CALLBACK (stream_closed_cb), self);
  }

  stampede_admin_page_set_client (self->admin_page, client);
}

static void
session_state_cb (StampedeWindow *self)
{
  StampedeSession *session = self->session;
  g_autofree char *message = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  stampede_admin_page_set_endpoints (
    self->admin_page, stampede_session_get_engine_url (session),
    stampede_session_get_target_url (session));

  switch (stampede_session_get_state (session)) {
  case STAMPEDE_SESSION_CONNECTING:
    gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
    if (stampede_session_is_local (session))
      message = g_strdup (_("Starting the engine and the platform…"));
    else
      message = g_strdup_printf (_("Connecting to the engine at %s…"),
                                 stampede_session_get_engine_url (session));
    stampede_presentation_page_set_message (self->presentation_page,
                                            message);
    break;

  case STAMPEDE_SESSION_READY:
    gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
    stampede_presentation_page_set_message (
      self->presentation_page, _("Connected · waiting for figures"));
    set_client (self, stampede_session_get_client (session));
    start_pending_scenario (self);
    break;

  case STAMPEDE_SESSION_FAILED:
    set_client (self, NULL);
    show_problem (self, stampede_session_get_error (session));
    stampede_presentation_page_set_message (self->presentation_page,
                                            _("Not connected"));
    break;

  case STAMPEDE_SESSION_NEW:
  default:
    break;
  }
}

static void
retry_clicked_cb (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);

  /* A ready session only lost its stream; anything else starts over. */
  if (self->client != NULL)
    stampede_api_client_connect_stream (self->client);
  else
    stampede_session_start (self->session);
}

static void
admin_error_cb (StampedeWindow *self,
                const char     *message)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  show_toast (self, message);
}

static void
fullscreened_cb (StampedeWindow *self)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  /* Full screen is for an audience: the figures get the whole screen, and
   * the keyboard still switches pages and leaves full screen. */
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !fullscreen);
  if (fullscreen)
    gtk_widget_add_css_class (GTK_WIDGET (self), "presenting");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presenting");
}

/*
 * Full screen is a request that the window manager may ignore, and a bare
 * X server (a kiosk, a virtual display for recording) has none; a window
 * as large as the monitor still gives the audience the whole screen.
 */
static void
fill_monitor (StampedeWindow *self)
{
  GListModel *monitors;
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  g_assert (STAMPEDE_IS_WINDOW (self));

  monitors = gdk_display_get_monitors (
    gtk_widget_get_display (GTK_WIDGET (self)));
  monitor = g_list_model_get_item (monitors, 0);
  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width,
                               geometry.height);
}

static void
toggle_fullscreen_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

static void
leave_fullscreen_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  gtk_window_unfullscreen (GTK_WINDOW (widget));
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

static void
stampede_window_constructed (GObject *object)
{
  StampedeWindow *self = STAMPEDE_WINDOW (object);

  G_OBJECT_CLASS (stampede_window_parent_class)->constructed (object);

  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  session_state_cb (self);

  if (stampede_session_get_state (self->session) == STAMPEDE_SESSION_NEW)
    stampede_session_start (self->session);
}

static void
stampede_window_dispose (GObject *object)
{
  StampedeWindow *self = STAMPEDE_WINDOW (object);

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->session);

  gtk_widget_dispose_template (GTK_WIDGET (self), STAMPEDE_TYPE_WINDOW);

  G_OBJECT_CLASS (stampede_window_parent_class)->dispose (object);
}

static void
stampede_window_finalize (GObject *object)
{
  StampedeWindow *self = STAMPEDE_WINDOW (object);

  g_clear_pointer (&self->pending_scenario, g_free);

  G_OBJECT_CLASS (stampede_window_parent_class)->finalize (object);
}

static void
stampede_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StampedeWindow *self = STAMPEDE_WINDOW (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
stampede_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  StampedeWindow *self = STAMPEDE_WINDOW (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;

  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
add_page_shortcut (GtkWidgetClass *widget_class,
                   guint           keyval,
                   const char     *page)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, GDK_ALT_MASK,
                                       "window.show-page", "s", page);
}

static void
stampede_window_class_init (StampedeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = stampede_window_constructed;
  object_class->dispose = stampede_window_dispose;
  object_class->finalize = stampede_window_finalize;
  object_class->get_property = stampede_window_get_property;
  object_class->set_property = stampede_window_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, STAMPEDE_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/org/stampede/Stampede/ui/stampede-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        header_bar);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        view_stack);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        problem_revealer);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        problem_label);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        presentation_page);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        analytics_page);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        agents_page);
  gtk_widget_class_bind_template_child (widget_class, StampedeWindow,
                                        admin_page);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, admin_error_cb);

  gtk_widget_class_install_action (widget_class, "window.toggle-fullscreen",
                                   NULL, toggle_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "window.leave-fullscreen",
                                   NULL, leave_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "window.show-page", "s",
                                   show_page_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0,
                                       "window.toggle-fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "window.leave-fullscreen", NULL);
  add_page_shortcut (widget_class, GDK_KEY_1, "presentation");
  add_page_shortcut (widget_class, GDK_KEY_2, "analytics");
  add_page_shortcut (widget_class, GDK_KEY_3, "agents");
  add_page_shortcut (widget_class, GDK_KEY_4, "admin");
}

static void
stampede_window_init (StampedeWindow *self)
{
  /* The page types must be known before the template names them. */
  g_type_ensure (STAMPEDE_TYPE_PRESENTATION_PAGE);
  g_type_ensure (STAMPEDE_TYPE_ANALYTICS_PAGE);
  g_type_ensure (STAMPEDE_TYPE_AGENTS_PAGE);
  g_type_ensure (STAMPEDE_TYPE_ADMIN_PAGE);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "notify::fullscreened",
                    G_CALLBACK (fullscreened_cb), NULL);
}

/**
 * stampede_window_new:
 * @application: the application
 * @session: the engine the window shows and drives
 *
 * Makes the main window; the session is started if it has not been.
 *
 * Returns: (transfer full): the window
 */
StampedeWindow *
stampede_window_new (GtkApplication  *application,
                     StampedeSession *session)
{
  g_return_val_if_fail (application == NULL ||
                        GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (STAMPEDE_IS_SESSION (session), NULL);

  return g_object_new (STAMPEDE_TYPE_WINDOW,
                       "application", application,
                       "session", session,
                       NULL);
}

/**
 * stampede_window_get_session:
 * @self: a #StampedeWindow
 *
 * Returns: (transfer none): the window's session
 */
StampedeSession *
stampede_window_get_session (StampedeWindow *self)
{
  g_return_val_if_fail (STAMPEDE_IS_WINDOW (self), NULL);

  return self->session;
}

/**
 * stampede_window_start_presentation:
 * @self: a #StampedeWindow
 * @scenario: the name of a built-in scenario
 *
 * Shows the Presentation page full screen and starts @scenario as soon as
 * the engine is reachable.
 */
void
stampede_window_start_presentation (StampedeWindow *self,
                                    const char     *scenario)
{
  g_return_if_fail (STAMPEDE_IS_WINDOW (self));
  g_return_if_fail (scenario != NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, "presentation");
  fill_monitor (self);
  gtk_window_fullscreen (GTK_WINDOW (self));

  g_free (self->pending_scenario);
  self->pending_scenario = g_strdup (scenario);
  start_pending_scenario (self);
}
