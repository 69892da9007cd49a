/* stampede-window.c — the main window: four pages over one engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-admin-page.h"
#include "stampede-agents-page.h"
#include "stampede-analytics-page.h"
#include "stampede-fault-session.h"
#include "stampede-preferences-window.h"
#include "stampede-presentation-page.h"
#include "stampede-window.h"

/* In cinematic mode the pointer hides after this long without moving. */
#define POINTER_IDLE_S 3

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
  StampedeFaultSession     *faults;
  char                     *pending_scenario;
  StampedeRunConfig        *pending_run;
  gboolean                  faults_armed;
  gboolean                  pending_scene_run;
  gboolean                  presenting;
  gboolean                  wm_fullscreen;
  guint                     pointer_idle_id;
};

G_DEFINE_FINAL_TYPE (StampedeWindow, stampede_window,
                     ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_PRESENTING,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
show_problem (StampedeWindow *self,
              const char     *message)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  gtk_label_set_label (self->problem_label, message);
  gtk_revealer_set_reveal_child (self->problem_revealer, !self->presenting);
  stampede_presentation_page_show_problem (self->presentation_page, message);
}

static void
hide_problem (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);
  stampede_presentation_page_hide_problem (self->presentation_page);
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

/* Scenario faults */

static void
faults_stopped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!stampede_fault_session_stop_finish (STAMPEDE_FAULT_SESSION (source),
                                           result, &error))
    g_debug ("Could not clear the scenario’s faults, which end by "
             "themselves when their time is up: %s", error->message);
}

/* Ends the faults of the run that is over and clears them in the
 * platform, without waiting for the platform to answer. */
static void
end_faults (StampedeWindow *self)
{
  g_autoptr(StampedeFaultSession) faults = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  faults = g_steal_pointer (&self->faults);
  self->faults_armed = FALSE;
  if (faults == NULL)
    return;

  stampede_fault_session_stop_async (faults, NULL, faults_stopped_cb, NULL);
}

/*
 * The scenario's faults go to the platform that a local session runs; the
 * engine behind the control API knows nothing of them.  A run that starts
 * from a later scene gets the faults as they stand at that time.
 */
static void
prepare_faults (StampedeWindow    *self,
                StampedeRunConfig *config,
                double             start_s)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  StampedeScenePlan *plan;

  g_assert (STAMPEDE_IS_WINDOW (self));

  end_faults (self);

  plan = stampede_presentation_page_get_plan (self->presentation_page);
  if (plan == NULL || config->target_url == NULL
      || !stampede_session_dup_platform_admin (self->session, &url, &token))
    return;

  spec = stampede_scene_plan_dup_spec_from (plan, start_s);
  self->faults = stampede_fault_session_new (spec, config->target_url,
                                             &error);
  if (self->faults == NULL) {
    show_toast (self, error->message);
    return;
  }

  stampede_fault_session_set_platform_admin (self->faults, url, token);
  g_free (config->target_url);
  config->target_url = g_strdup (
    stampede_fault_session_get_target_url (self->faults));
  self->faults_armed = TRUE;
}

/* The schedule of the faults counts from the engine's start of the run,
 * which the first snapshot of the run dates. */
static void
arm_faults (StampedeWindow         *self,
            const StampedeSnapshot *snapshot)
{
  gint64 start_us;

  g_assert (STAMPEDE_IS_WINDOW (self));

  if (!self->faults_armed || snapshot->state != STAMPEDE_RUN_RUNNING)
    return;

  self->faults_armed = FALSE;
  start_us = g_get_monotonic_time ()
             - (gint64) (snapshot->elapsed_s * G_USEC_PER_SEC);
  stampede_fault_session_start (self->faults, start_us);
}

/* Starts the presented scenario from the scene on screen, once the
 * engine can be asked. */
static void
start_scene_run (StampedeWindow *self)
{
  g_autoptr(StampedeRunConfig) config = NULL;
  double start_s = 0;

  g_assert (STAMPEDE_IS_WINDOW (self));

  if (self->client == NULL) {
    self->pending_scene_run = TRUE;
    return;
  }

  self->pending_scene_run = FALSE;
  config = stampede_presentation_page_new_run_config (
    self->presentation_page, stampede_session_get_target_url (self->session),
    &start_s);
  if (config == NULL)
    return;

  prepare_faults (self, config, start_s);
  stampede_presentation_page_set_paused (self->presentation_page, FALSE);
  stampede_admin_page_start_run (self->admin_page, config);
}

static void
start_pending_scenario (StampedeWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  if (self->pending_scenario != NULL) {
    name = g_steal_pointer (&self->pending_scenario);
    if (!stampede_presentation_page_set_scenario (self->presentation_page,
                                                  name, &error)) {
      show_toast (self, error->message);
      return;
    }
    self->pending_scene_run = TRUE;
  }

  if (self->pending_scene_run)
    start_scene_run (self);
}

/* Starts the run asked for with stampede_window_start_run(), once the
 * engine can be asked. */
static void
start_pending_run (StampedeWindow *self)
{
  g_autoptr(StampedeRunConfig) config = NULL;

  g_assert (STAMPEDE_IS_WINDOW (self));

  if (self->client == NULL || self->pending_run == NULL)
    return;

  config = g_steal_pointer (&self->pending_run);
  if (config->target_url == NULL)
    config->target_url = g_strdup (
      stampede_session_get_target_url (self->session));

  adw_view_stack_set_visible_child_name (self->view_stack, "presentation");
  stampede_admin_page_start_run (self->admin_page, config);
}

static void
snapshot_cb (StampedeApiClient *client,
             StampedeSnapshot  *snapshot,
             StampedeWindow    *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  arm_faults (self, snapshot);
  stampede_presentation_page_update (self->presentation_page, snapshot);
  stampede_analytics_page_update (self->analytics_page, snapshot);
  stampede_agents_page_update (self->agents_page, snapshot);
  stampede_admin_page_update (self->admin_page, snapshot);
}

static void
run_finished_cb (StampedeApiClient *client,
                 StampedeSnapshot  *snapshot,
                 StampedeWindow    *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  end_faults (self);
  stampede_presentation_page_finish (self->presentation_page, snapshot);
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

  if (self->client != NULL) {
    g_signal_handlers_disconnect_by_data (self->client, self);
    stampede_presentation_page_disconnect (self->presentation_page);
    end_faults (self);
  }
  g_set_object (&self->client, client);

  if (client != NULL) {
    /* The final figures of a run arrive on a signal of their own. */
    g_signal_connect (client, "snapshot", G_CALLBACK (snapshot_cb), self);
    g_signal_connect (client, "run-finished", G_CALLBACK (run_finished_cb),
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
  stampede_presentation_page_set_engine_local (
    self->presentation_page, stampede_session_is_local (session));

  switch (stampede_session_get_state (session)) {
  case STAMPEDE_SESSION_CONNECTING:
    hide_problem (self);
    if (stampede_session_is_local (session))
      message = g_strdup (_("Starting the engine and the platform…"));
    else
      message = g_strdup_printf (_("Connecting to the engine at %s…"),
                                 stampede_session_get_engine_url (session));
    stampede_presentation_page_set_message (self->presentation_page,
                                            message);
    break;

  case STAMPEDE_SESSION_READY:
    hide_problem (self);
    stampede_presentation_page_set_faults_injected (
      self->presentation_page, stampede_session_is_local (session));
    stampede_presentation_page_set_message (
      self->presentation_page, _("Connected · waiting for figures"));
    set_client (self, stampede_session_get_client (session));
    start_pending_scenario (self);
    start_pending_run (self);
    break;

  case STAMPEDE_SESSION_FAILED:
    set_client (self, NULL);
    show_problem (self, stampede_session_get_error (session));
    stampede_presentation_page_set_message (self->presentation_page,
                                            _("Not connected"));
    break;

  case STAMPEDE_SESSION_NEW:
  default:
    set_client (self, NULL);
    break;
  }
}

static void
retry_clicked_cb (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  hide_problem (self);

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
  stampede_presentation_page_show_problem (self->presentation_page, message);
}

/* Cinematic mode */

static gboolean
pointer_idle_cb (gpointer user_data)
{
  StampedeWindow *self = user_data;

  self->pointer_idle_id = 0;
  if (self->presenting)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "none");

  return G_SOURCE_REMOVE;
}

static void
wake_pointer (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  g_clear_handle_id (&self->pointer_idle_id, g_source_remove);
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);

  if (self->presenting)
    self->pointer_idle_id = g_timeout_add_seconds (POINTER_IDLE_S,
                                                   pointer_idle_cb, self);
}

static void
pointer_moved_cb (GtkEventControllerMotion *motion,
                  double                    x,
                  double                    y,
                  StampedeWindow           *self)
{
  wake_pointer (self);
}

/*
 * Cinematic mode gives the audience the whole screen: the window asks to
 * go full screen, and whether or not a window manager grants it (a kiosk
 * or a virtual display for recording has none), the chrome hides, the
 * window fills the monitor and the pointer hides when idle.
 */
static void
set_presenting (StampedeWindow *self,
                gboolean        presenting)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  presenting = !!presenting;
  if (self->presenting == presenting)
    return;

  self->presenting = presenting;
  gtk_widget_set_visible (GTK_WIDGET (self->header_bar), !presenting);

  /* In front of an audience, problems show in the page's calm banner
   * rather than in the window's bar. */
  if (presenting)
    gtk_revealer_set_reveal_child (self->problem_revealer, FALSE);

  if (presenting)
    gtk_widget_add_css_class (GTK_WIDGET (self), "presenting");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presenting");

  wake_pointer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTING]);
}

static void
fullscreened_cb (StampedeWindow *self)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  /* Follow the window manager both ways: leaving full screen by its own
   * means leaves cinematic mode too. */
  if (fullscreen)
    set_presenting (self, TRUE);
  else if (self->wm_fullscreen)
    set_presenting (self, FALSE);

  self->wm_fullscreen = fullscreen;
}

static void
high_contrast_cb (StampedeWindow *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (adw_style_manager_get_high_contrast (style))
    gtk_widget_add_css_class (GTK_WIDGET (self), "high-contrast");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "high-contrast");
}

/*
 * Full screen is a request that the window manager may ignore, and a bare
 * X server has none; a window as large as the monitor still gives the
 * audience the whole screen.
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
enter_presenting (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "presentation");
  set_presenting (self, TRUE);
  fill_monitor (self);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
leave_presenting (StampedeWindow *self)
{
  g_assert (STAMPEDE_IS_WINDOW (self));

  set_presenting (self, FALSE);
  gtk_window_unfullscreen (GTK_WINDOW (self));
}

/* Presenter keys */

static gboolean
presentation_shown (StampedeWindow *self)
{
  return g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack),
                    "presentation") == 0;
}

static gboolean
toggle_presenting_key_cb (GtkWidget *widget,
                          GVariant  *args,
                          gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  /* "f" is a letter that a text field on another page may want; F11
   * works everywhere. */
  if (g_variant_get_boolean (args) && !self->presenting
      && !presentation_shown (self))
    return FALSE;

  if (self->presenting)
    leave_presenting (self);
  else
    enter_presenting (self);

  return TRUE;
}

static gboolean
leave_presenting_key_cb (GtkWidget *widget,
                         GVariant  *args,
                         gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  if (!self->presenting && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
    return FALSE;

  leave_presenting (self);

  return TRUE;
}

static gboolean
play_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  if (!presentation_shown (self))
    return FALSE;

  /* The engine cannot pause a run: pausing stops it, and playing again
   * starts the scenario anew from the scene on screen. */
  if (stampede_presentation_page_is_running (self->presentation_page)) {
    stampede_presentation_page_set_paused (self->presentation_page, TRUE);
    stampede_admin_page_stop_run (self->admin_page);
  } else {
    start_scene_run (self);
  }

  return TRUE;
}

static gboolean
step_scene_key_cb (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  if (!presentation_shown (self))
    return FALSE;

  stampede_presentation_page_step_scene (self->presentation_page,
                                         g_variant_get_int32 (args));

  return TRUE;
}

static gboolean
blank_key_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);
  StampedePresentationPage *page = self->presentation_page;

  if (!presentation_shown (self))
    return FALSE;

  stampede_presentation_page_set_blank (
    page, !stampede_presentation_page_get_blank (page));

  return TRUE;
}

static gboolean
restart_key_cb (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  if (!presentation_shown (self))
    return FALSE;

  /* New services, a new stream, and the scenario again from the scene on
   * screen once the engine answers. */
  hide_problem (self);
  self->pending_scene_run = TRUE;
  stampede_session_restart (self->session);

  return TRUE;
}

static void
add_key (GtkShortcutController *controller,
         guint                  keyval,
         GtkShortcutFunc        callback,
         GVariant              *args)
{
  GtkShortcut *shortcut;

  shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (keyval, 0),
                               gtk_callback_action_new (callback, NULL,
                                                        NULL));
  if (args != NULL)
    gtk_shortcut_set_arguments (shortcut, args);
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

/*
 * A presenter's keys, and a clicker's (which sends Page Up, Page Down and
 * the arrows), work on the Presentation page wherever the focus is, so
 * they are caught before any widget sees them; on other pages they go to
 * the widgets as usual.
 */
static void
add_presenter_keys (StampedeWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *keys = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_name (controller, "presenter-keys");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (keys, GTK_SHORTCUT_SCOPE_LOCAL);

  add_key (keys, GDK_KEY_F11, toggle_presenting_key_cb,
           g_variant_new_boolean (FALSE));
  add_key (keys, GDK_KEY_f, toggle_presenting_key_cb,
           g_variant_new_boolean (TRUE));
  add_key (keys, GDK_KEY_Escape, leave_presenting_key_cb, NULL);
  add_key (keys, GDK_KEY_space, play_key_cb, NULL);
  add_key (keys, GDK_KEY_Return, play_key_cb, NULL);
  add_key (keys, GDK_KEY_KP_Enter, play_key_cb, NULL);
  add_key (keys, GDK_KEY_Right, step_scene_key_cb, g_variant_new_int32 (1));
  add_key (keys, GDK_KEY_Page_Down, step_scene_key_cb,
           g_variant_new_int32 (1));
  add_key (keys, GDK_KEY_Left, step_scene_key_cb, g_variant_new_int32 (-1));
  add_key (keys, GDK_KEY_Page_Up, step_scene_key_cb,
           g_variant_new_int32 (-1));
  add_key (keys, GDK_KEY_b, blank_key_cb, NULL);
  add_key (keys, GDK_KEY_r, restart_key_cb, NULL);

  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
toggle_fullscreen_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  StampedeWindow *self = STAMPEDE_WINDOW (widget);

  if (self->presenting)
    leave_presenting (self);
  else
    enter_presenting (self);
}

static void
leave_fullscreen_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  leave_presenting (STAMPEDE_WINDOW (widget));
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
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  StampedePreferencesWindow *preferences;

  preferences = stampede_preferences_window_new (GTK_WINDOW (widget));
  gtk_window_present (GTK_WINDOW (preferences));
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

  g_clear_handle_id (&self->pointer_idle_id, g_source_remove);
  end_faults (self);
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
  g_clear_pointer (&self->pending_run, stampede_run_config_free);

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

  case PROP_PRESENTING:
    g_value_set_boolean (value, self->presenting);
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
  properties[PROP_PRESENTING] =
    g_param_spec_boolean ("presenting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
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
  gtk_widget_class_install_action (widget_class, "window.preferences", NULL,
                                   preferences_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma,
                                       GDK_CONTROL_MASK,
                                       "window.preferences", NULL);
  add_page_shortcut (widget_class, GDK_KEY_1, "presentation");
  add_page_shortcut (widget_class, GDK_KEY_2, "analytics");
  add_page_shortcut (widget_class, GDK_KEY_3, "agents");
  add_page_shortcut (widget_class, GDK_KEY_4, "admin");
}

static void
stampede_window_init (StampedeWindow *self)
{
  GtkEventController *motion;

  /* The page types must be known before the template names them. */
  g_type_ensure (STAMPEDE_TYPE_PRESENTATION_PAGE);
  g_type_ensure (STAMPEDE_TYPE_ANALYTICS_PAGE);
  g_type_ensure (STAMPEDE_TYPE_AGENTS_PAGE);
  g_type_ensure (STAMPEDE_TYPE_ADMIN_PAGE);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (self, "notify::fullscreened",
                    G_CALLBACK (fullscreened_cb), NULL);

  add_presenter_keys (self);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (pointer_moved_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  g_signal_connect_object (adw_style_manager_get_default (),
                           "notify::high-contrast",
                           G_CALLBACK (high_contrast_cb), self,
                           G_CONNECT_SWAPPED);
  high_contrast_cb (self);
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
 * stampede_window_get_presenting:
 * @self: a #StampedeWindow
 *
 * Returns: whether the window is in cinematic mode
 */
gboolean
stampede_window_get_presenting (StampedeWindow *self)
{
  g_return_val_if_fail (STAMPEDE_IS_WINDOW (self), FALSE);

  return self->presenting;
}

/**
 * stampede_window_start_presentation:
 * @self: a #StampedeWindow
 * @scenario: the name of a built-in scenario
 *
 * Shows the Presentation page in cinematic mode and plays @scenario as
 * soon as the engine is reachable.
 */
void
stampede_window_start_presentation (StampedeWindow *self,
                                    const char     *scenario)
{
  g_return_if_fail (STAMPEDE_IS_WINDOW (self));
  g_return_if_fail (scenario != NULL);

  enter_presenting (self);

  g_free (self->pending_scenario);
  self->pending_scenario = g_strdup (scenario);
  if (self->client != NULL)
    start_pending_scenario (self);
}

/**
 * stampede_window_start_run:
 * @self: a #StampedeWindow
 * @config: the run; without a target it aims at the session's
 *
 * Shows the Presentation page and starts @config as soon as the engine is
 * reachable, as the Admin page's Start button would.
 */
void
stampede_window_start_run (StampedeWindow          *self,
                           const StampedeRunConfig *config)
{
  g_return_if_fail (STAMPEDE_IS_WINDOW (self));
  g_return_if_fail (config != NULL);

  g_clear_pointer (&self->pending_run, stampede_run_config_free);
  self->pending_run = stampede_run_config_copy (config);
  start_pending_run (self);
}
