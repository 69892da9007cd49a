/* test-app.c — the main window, driven as a user would, over a real engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <gio/gio.h>
#include <string.h>

#include "app-test-util.h"
#include "stampede-admin-page.h"
#include "stampede-application.h"
#include "stampede-format.h"
#include "stampede-presentation-page.h"
#include "stampede-presentation-profile.h"
#include "stampede-session.h"
#include "stampede-window.h"

/* Bounds on waiting; a healthy run takes a fraction of each. */
#define READY_TIMEOUT_S   10
#define FIGURES_TIMEOUT_S 20
#define STOP_TIMEOUT_S    10

/* The run the test starts from the Admin page, and the rate it changes
 * to while the run goes.  The test stops the run long before its end. */
#define RUN_RATE       300
#define RUN_NEW_RATE   450
#define RUN_DURATION_S 30

/* A short run whose final figures the counters must land on. */
#define SHORT_RUN_DURATION_S 2

/* In cinematic mode the pointer hides after three idle seconds. */
#define POINTER_TIMEOUT_S 6

typedef struct {
  StampedeSession  *session;
  StampedeWindow   *window;
  StampedeSnapshot *final;
  StampedeSnapshot *latest;
} Fixture;

typedef gboolean (*Predicate) (Fixture *fixture);

static StampedeApplication *application;

static GtkWidget *
get_named (Fixture    *fixture,
           const char *name)
{
  return app_test_get_named (GTK_WIDGET (fixture->window), name);
}

static const char *
label_text (Fixture    *fixture,
            const char *name)
{
  return app_test_label_text (GTK_WIDGET (fixture->window), name);
}

static guint64
label_count (Fixture    *fixture,
             const char *name)
{
  const char *text = label_text (fixture, name);
  guint64 value = 0;

  if (!app_test_parse_count (text, &value))
    g_error ("Label “%s” shows “%s”, not a count", name, text);

  return value;
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_until (Fixture   *fixture,
            Predicate  predicate,
            guint      timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (50, wake_cb, NULL);
  gboolean done;

  while (!(done = predicate (fixture)) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake_id);

  return done;
}

static void
save_screenshot (Fixture    *fixture,
                 const char *file_name)
{
  app_test_save_screenshot (GTK_WIDGET (fixture->window), file_name);
}

static gboolean
never (Fixture *fixture)
{
  return FALSE;
}

static void
show_page (Fixture    *fixture,
           const char *page)
{
  adw_view_stack_set_visible_child_name (
    ADW_VIEW_STACK (get_named (fixture, "view-stack")), page);

  /* Give the page time to be laid out and to receive figures. */
  wait_until (fixture, never, 1);
}

static void
fixture_open (Fixture         *fixture,
              StampedeSession *session,
              int              width,
              int              height)
{
  fixture->session = session;
  fixture->window = stampede_window_new (GTK_APPLICATION (application),
                                         session);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, height);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_set_up_local (Fixture       *fixture,
                      gconstpointer  data)
{
  fixture_open (fixture, stampede_session_new_local (NULL), 1280, 720);
}

/* A window as large as the test's screen: without a window manager, a
 * request for full screen is not granted, and a mapped window keeps its
 * size. */
static void
fixture_set_up_local_1080p (Fixture       *fixture,
                            gconstpointer  data)
{
  fixture_open (fixture, stampede_session_new_local (NULL), 1920, 1080);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&fixture->final, stampede_snapshot_unref);
  g_clear_pointer (&fixture->latest, stampede_snapshot_unref);

  /* The window let go of the session, and nothing else may hold it. */
  g_assert_finalize_object (fixture->session);
}

static gboolean
session_settled (Fixture *fixture)
{
  StampedeSessionState state = stampede_session_get_state (fixture->session);

  return state == STAMPEDE_SESSION_READY || state == STAMPEDE_SESSION_FAILED;
}

static gboolean
start_sensitive (Fixture *fixture)
{
  return gtk_widget_get_sensitive (get_named (fixture, "admin-start"));
}

static gboolean
stop_sensitive (Fixture *fixture)
{
  return gtk_widget_get_sensitive (get_named (fixture, "admin-stop"));
}

static gboolean
tps_positive (Fixture *fixture)
{
  guint64 tps = 0;

  return app_test_parse_count (label_text (fixture, "hero-tps"), &tps) && tps > 0;
}

static gboolean
target_rate_changed (Fixture *fixture)
{
  guint64 rate = 0;

  return app_test_parse_count (label_text (fixture, "analytics-target-rate"), &rate) &&
         rate == RUN_NEW_RATE;
}

static gboolean
run_over (Fixture *fixture)
{
  return start_sensitive (fixture) && !stop_sensitive (fixture);
}

static void
assert_ready (Fixture *fixture)
{
  g_assert_true (wait_until (fixture, session_settled, READY_TIMEOUT_S));
  g_assert_cmpstr (stampede_session_get_error (fixture->session), ==, NULL);
  g_assert_cmpuint (stampede_session_get_state (fixture->session), ==,
                    STAMPEDE_SESSION_READY);
}

static void
test_window (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const pages[] = {
    "presentation", "analytics", "agents", "admin",
  };
  static const char * const heroes[] = {
    "hero-tps", "hero-processed", "hero-fraud-blocked", "hero-fraud-value",
  };
  AdwViewStack *stack;
  g_autoptr(GtkSelectionModel) model = NULL;
  const char *target;

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  stack = ADW_VIEW_STACK (get_named (fixture, "view-stack"));
  model = adw_view_stack_get_pages (stack);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                    G_N_ELEMENTS (pages));
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    g_assert_nonnull (adw_view_stack_get_child_by_name (stack, pages[i]));

  for (guint i = 0; i < G_N_ELEMENTS (heroes); i++)
    g_assert_cmpstr (label_text (fixture, heroes[i]), ==, "—");

  assert_ready (fixture);

  /* Even once connected, an engine that has never run shows no figures. */
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (heroes); i++)
    g_assert_cmpstr (label_text (fixture, heroes[i]), ==, "—");

  target = adw_action_row_get_subtitle (
    ADW_ACTION_ROW (get_named (fixture, "admin-target")));
  g_assert_true (g_str_has_prefix (target, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (target, "/v1/score"));

  g_assert_true (start_sensitive (fixture));
  g_assert_false (stop_sensitive (fixture));
}

static void
test_run (Fixture       *fixture,
          gconstpointer  data)
{
  guint64 processed;
  guint64 arrivals;
  guint64 blocked;
  guint64 declined;
  const char *value;

  assert_ready (fixture);
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (fixture,
                                                         "admin-rate")),
                             RUN_RATE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (fixture,
                                                         "admin-duration")),
                             RUN_DURATION_S);
  g_signal_emit_by_name (get_named (fixture, "admin-start"), "clicked");

  g_assert_true (wait_until (fixture, tps_positive, FIGURES_TIMEOUT_S));

  processed = label_count (fixture, "hero-processed");
  arrivals = label_count (fixture, "analytics-arrivals");
  blocked = label_count (fixture, "hero-fraud-blocked");
  declined = label_count (fixture, "analytics-declined");
  g_assert_cmpuint (processed, >, 0);
  g_assert_cmpuint (processed, <=, arrivals);
  /* Fraud blocked counts declined answers that were fraud. */
  g_assert_cmpuint (blocked, <=, declined);

  value = label_text (fixture, "hero-fraud-value");
  g_assert_true (value[0] == '$');

  /* A new rate goes to the running engine, which then asks for it. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (fixture,
                                                         "admin-rate")),
                             RUN_NEW_RATE);
  g_assert_true (wait_until (fixture, target_rate_changed,
                             FIGURES_TIMEOUT_S));

  save_screenshot (fixture, "stampede-app-presentation.png");
  show_page (fixture, "analytics");
  save_screenshot (fixture, "stampede-app-analytics.png");
  show_page (fixture, "agents");
  save_screenshot (fixture, "stampede-app-agents.png");
  show_page (fixture, "admin");
  save_screenshot (fixture, "stampede-app-admin.png");

  g_assert_true (wait_until (fixture, stop_sensitive, STOP_TIMEOUT_S));
  g_signal_emit_by_name (get_named (fixture, "admin-stop"), "clicked");
  g_assert_true (wait_until (fixture, run_over, STOP_TIMEOUT_S));

  /* Once the run is over, every arrival has an outcome. */
  g_assert_cmpuint (label_count (fixture, "analytics-in-flight"), ==, 0);
  g_assert_cmpuint (label_count (fixture, "analytics-arrivals"), >=,
                    arrivals);
}

static gboolean
problem_shown (Fixture *fixture)
{
  GtkWidget *label = get_named (fixture, "window-problem");
  GtkWidget *revealer = gtk_widget_get_ancestor (label, GTK_TYPE_REVEALER);

  return gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

/* A loopback port that nothing listens on, found by binding and closing. */
static guint16
find_closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);

  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return port;
}

static void
fixture_set_up_unreachable (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *url = NULL;

  url = g_strdup_printf ("http://127.0.0.1:%u", find_closed_port ());
  fixture_open (fixture, stampede_session_new_remote (
    url, "a-token-that-nobody-checks", NULL), 1280, 720);
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_true (wait_until (fixture, session_settled, READY_TIMEOUT_S));
  g_assert_cmpuint (stampede_session_get_state (fixture->session), ==,
                    STAMPEDE_SESSION_FAILED);

  g_assert_true (problem_shown (fixture));
  g_assert_true (g_str_has_prefix (label_text (fixture, "window-problem"),
                                   "Engine at http://127.0.0.1:"));
  g_assert_cmpstr (label_text (fixture, "hero-tps"), ==, "—");
  g_assert_false (start_sensitive (fixture));
  g_assert_false (stop_sensitive (fixture));
}

/* Presenter keys */

/*
 * GTK 4 has no way to make a key event from a program, so a test finds
 * the shortcut that the window binds to a key and activates it, as the
 * window's shortcut controller does when the key is pressed.
 */
static gboolean
press_key (Fixture *fixture,
           guint    keyval)
{
  GtkWidget *widget = GTK_WIDGET (fixture->window);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++) {
    g_autoptr(GtkEventController) controller =
      g_list_model_get_item (controllers, i);
    GListModel *shortcuts;

    if (g_strcmp0 (gtk_event_controller_get_name (controller),
                   "presenter-keys") != 0)
      continue;

    shortcuts = G_LIST_MODEL (controller);
    for (guint j = 0; j < g_list_model_get_n_items (shortcuts); j++) {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (shortcuts, j);
      GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

      if (GTK_IS_KEYVAL_TRIGGER (trigger)
          && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger))
             == keyval
          && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))
             == 0)
        return gtk_shortcut_action_activate (
          gtk_shortcut_get_action (shortcut), 0, widget,
          gtk_shortcut_get_arguments (shortcut));
    }
  }

  g_error ("No presenter key has the key value %u", keyval);
}

static StampedePresentationPage *
presentation_page (Fixture *fixture)
{
  return STAMPEDE_PRESENTATION_PAGE (gtk_widget_get_ancestor (
    get_named (fixture, "presentation-scene"),
    STAMPEDE_TYPE_PRESENTATION_PAGE));
}

static gboolean
run_going (Fixture *fixture)
{
  return stampede_presentation_page_is_running (presentation_page (fixture));
}

static gboolean
processed_positive (Fixture *fixture)
{
  guint64 processed = 0;

  return app_test_parse_count (label_text (fixture, "hero-processed"), &processed)
         && processed > 0;
}

static void
assert_presenting (Fixture  *fixture,
                   gboolean  presenting)
{
  g_assert_cmpint (stampede_window_get_presenting (fixture->window), ==,
                   presenting);
  g_assert_cmpint (gtk_widget_get_visible (get_named (fixture,
                                                      "window-header")),
                   ==, !presenting);
  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (fixture->window),
                                             "presenting"),
                   ==, presenting);
}

/* The canvas's size goes in the log: tests/flow/test-flow-labels.c checks
 * that the labels fit at these sizes. */
static void
log_canvas_size (Fixture *fixture)
{
  GtkWidget *canvas = get_named (fixture, "presentation-canvas");

  g_test_message ("Canvas: %dx%d", gtk_widget_get_width (canvas),
                  gtk_widget_get_height (canvas));
}

static void
test_keys (Fixture       *fixture,
           gconstpointer  data)
{
  GtkWidget *blank;

  assert_ready (fixture);
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));

  g_assert_true (press_key (fixture, GDK_KEY_F11));
  assert_presenting (fixture, TRUE);
  g_assert_true (press_key (fixture, GDK_KEY_F11));
  assert_presenting (fixture, FALSE);
  g_assert_true (press_key (fixture, GDK_KEY_f));
  assert_presenting (fixture, TRUE);
  g_assert_true (press_key (fixture, GDK_KEY_Escape));
  assert_presenting (fixture, FALSE);
  /* Out of full screen, Escape is left to the widgets. */
  g_assert_false (press_key (fixture, GDK_KEY_Escape));

  blank = get_named (fixture, "presentation-blank");
  g_assert_false (gtk_widget_get_visible (blank));
  g_assert_true (press_key (fixture, GDK_KEY_b));
  g_assert_true (gtk_widget_get_visible (blank));
  g_assert_true (press_key (fixture, GDK_KEY_b));
  g_assert_false (gtk_widget_get_visible (blank));

  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Introduction");
  g_assert_true (press_key (fixture, GDK_KEY_Right));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==, "Ramp");
  g_assert_true (press_key (fixture, GDK_KEY_Page_Down));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Injected failure");
  g_assert_true (press_key (fixture, GDK_KEY_Left));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==, "Ramp");
  g_assert_true (press_key (fixture, GDK_KEY_Page_Up));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Introduction");

  /* On another page the arrows and the letters belong to its widgets. */
  show_page (fixture, "admin");
  g_assert_false (press_key (fixture, GDK_KEY_Right));
  g_assert_false (press_key (fixture, GDK_KEY_b));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Introduction");
  show_page (fixture, "presentation");

  /* Space plays the scenario from the introduction: a run starts and the
   * scene follows it; Space again stops it. */
  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, run_going, FIGURES_TIMEOUT_S));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==, "Ramp");
  g_assert_true (wait_until (fixture, stop_sensitive, FIGURES_TIMEOUT_S));

  g_assert_true (wait_until (fixture, processed_positive,
                             FIGURES_TIMEOUT_S));
  wait_until (fixture, never, 2);
  save_screenshot (fixture, "stampede-presentation-1280x720.png");
  log_canvas_size (fixture);

  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (g_str_has_prefix (label_text (fixture,
                                               "presentation-caption"),
                                   "Paused"));
  g_assert_true (wait_until (fixture, run_over, STOP_TIMEOUT_S));
}

static void
run_finished_cb (StampedeApiClient *client,
                 StampedeSnapshot  *snapshot,
                 Fixture           *fixture)
{
  g_clear_pointer (&fixture->final, stampede_snapshot_unref);
  fixture->final = stampede_snapshot_ref (snapshot);
}

static gboolean
final_arrived (Fixture *fixture)
{
  return fixture->final != NULL;
}

static gboolean
page_settled (Fixture *fixture)
{
  return stampede_presentation_page_is_settled (presentation_page (fixture));
}

static gboolean
canvas_has_particles (Fixture *fixture)
{
  StampedeFlowCanvas *canvas = stampede_presentation_page_get_canvas (
    presentation_page (fixture));

  return stampede_flow_canvas_get_n_live (canvas) > 0;
}

static void
assert_label (Fixture    *fixture,
              const char *name,
              char       *expected)
{
  g_assert_cmpstr (label_text (fixture, name), ==, expected);
  g_free (expected);
}

static void
test_final_figures (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (STAMPEDE_SETTINGS_SCHEMA);
  const StampedeSnapshot *final;
  guint64 answered;
  guint64 finished = 0;
  guint64 judged;
  char text[64];

  /* Figures in full, so that the test can write them itself. */
  g_settings_set_boolean (settings, "business-compact", FALSE);

  assert_ready (fixture);
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));
  g_signal_connect (stampede_session_get_client (fixture->session),
                    "run-finished", G_CALLBACK (run_finished_cb), fixture);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (fixture,
                                                         "admin-rate")),
                             RUN_RATE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (get_named (fixture,
                                                         "admin-duration")),
                             SHORT_RUN_DURATION_S);
  g_signal_emit_by_name (get_named (fixture, "admin-start"), "clicked");

  /* The engine's sampled transactions reach the flow canvas. */
  g_assert_true (wait_until (fixture, canvas_has_particles,
                             FIGURES_TIMEOUT_S));

  g_assert_true (wait_until (fixture, final_arrived, FIGURES_TIMEOUT_S));
  g_assert_true (wait_until (fixture, page_settled, STOP_TIMEOUT_S));
  final = fixture->final;

  answered = final->outcomes[STAMPEDE_OUTCOME_OK]
             + final->outcomes[STAMPEDE_OUTCOME_DECLINED];
  for (guint i = 0; i < STAMPEDE_N_OUTCOMES; i++)
    finished += final->outcomes[i];
  judged = final->true_pos + final->false_pos + final->true_neg
           + final->false_neg;
  g_assert_cmpuint (answered, >, 0);
  g_assert_cmpuint (judged, >, 0);

  assert_label (fixture, "hero-processed", stampede_format_count (answered));
  assert_label (fixture, "hero-fraud-blocked",
                stampede_format_count (final->true_pos));
  assert_label (fixture, "hero-fraud-value",
                stampede_format_usd (final->fraud_value_blocked));
  assert_label (fixture, "hero-tps",
                stampede_format_rate (final->completed_rate));
  assert_label (fixture, "hero-availability",
                stampede_format_percent_down (
                  (double) answered
                  / (finished - final->outcomes[STAMPEDE_OUTCOME_DROPPED]),
                  2));
  assert_label (fixture, "hero-accuracy",
                stampede_format_percent_down (
                  (double) (final->true_pos + final->true_neg) / judged, 1));

  /* The narrative tells the same figures. */
  g_snprintf (text, sizeof text, " %s ",
              label_text (fixture, "hero-fraud-blocked"));
  if (final->true_pos > 0)
    g_assert_nonnull (strstr (label_text (fixture, "presentation-narrative"),
                              text));

  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Summary");
  g_settings_reset (settings, "business-compact");
}

static gboolean
pointer_hidden (Fixture *fixture)
{
  GdkCursor *cursor = gtk_widget_get_cursor (GTK_WIDGET (fixture->window));

  return cursor != NULL && g_strcmp0 (gdk_cursor_get_name (cursor),
                                      "none") == 0;
}

static gboolean
window_is_1080p (Fixture *fixture)
{
  return gtk_widget_get_width (GTK_WIDGET (fixture->window)) == 1920
         && gtk_widget_get_height (GTK_WIDGET (fixture->window)) == 1080;
}

static void
test_presenting (Fixture       *fixture,
                 gconstpointer  data)
{

  assert_ready (fixture);
  g_assert_true (press_key (fixture, GDK_KEY_F11));
  if (!wait_until (fixture, window_is_1080p, READY_TIMEOUT_S))
    g_error ("The window is %dx%d, not 1920x1080 (surface %dx%d)",
             gtk_widget_get_width (GTK_WIDGET (fixture->window)),
             gtk_widget_get_height (GTK_WIDGET (fixture->window)),
             gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (fixture->window))),
             gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (fixture->window))));
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));
  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, processed_positive,
                             FIGURES_TIMEOUT_S));

  /* The pointer hides once it has been still for a while. */
  g_assert_false (pointer_hidden (fixture));
  g_assert_true (wait_until (fixture, pointer_hidden, POINTER_TIMEOUT_S));
  save_screenshot (fixture, "stampede-presentation-1920x1080.png");

  /* Stopping leads to the summary, which holds the final figures. */
  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, run_over, STOP_TIMEOUT_S));
  g_assert_true (wait_until (fixture, page_settled, STOP_TIMEOUT_S));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Summary");
  save_screenshot (fixture, "stampede-summary-1920x1080.png");
}

static gboolean
banner_shown (Fixture *fixture)
{
  return gtk_revealer_get_reveal_child (
    GTK_REVEALER (get_named (fixture, "presentation-banner")));
}

typedef struct {
  Fixture *fixture;
  char    *old_engine_url;
} Restart;

static gboolean
restarted (Fixture *fixture)
{
  Restart *restart = g_object_get_data (G_OBJECT (fixture->window),
                                        "test-restart");

  return stampede_session_get_state (fixture->session)
           == STAMPEDE_SESSION_READY
         && g_strcmp0 (stampede_session_get_engine_url (fixture->session),
                       restart->old_engine_url) != 0
         && run_going (fixture);
}

static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();
  StampedeAdminPage *admin;
  Restart restart = { fixture, NULL };

  assert_ready (fixture);
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));
  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, run_going, FIGURES_TIMEOUT_S));
  g_assert_true (wait_until (fixture, stop_sensitive, FIGURES_TIMEOUT_S));

  /* The engine refuses a second run: the page says so calmly. */
  g_assert_false (banner_shown (fixture));
  admin = STAMPEDE_ADMIN_PAGE (gtk_widget_get_ancestor (
    get_named (fixture, "admin-start"), STAMPEDE_TYPE_ADMIN_PAGE));
  config->target_url = g_strdup (
    stampede_session_get_target_url (fixture->session));
  stampede_admin_page_start_run (admin, config);
  g_assert_true (wait_until (fixture, banner_shown, READY_TIMEOUT_S));
  g_assert_true (strlen (label_text (fixture,
                                     "presentation-banner-label")) > 0);

  /* "r" starts new services and plays the scenario again. */
  restart.old_engine_url = g_strdup (
    stampede_session_get_engine_url (fixture->session));
  g_object_set_data (G_OBJECT (fixture->window), "test-restart", &restart);
  g_assert_true (press_key (fixture, GDK_KEY_r));
  g_assert_false (banner_shown (fixture));
  g_assert_true (wait_until (fixture, restarted, FIGURES_TIMEOUT_S));
  g_assert_true (wait_until (fixture, stop_sensitive, FIGURES_TIMEOUT_S));

  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, run_over, STOP_TIMEOUT_S));
  g_object_set_data (G_OBJECT (fixture->window), "test-restart", NULL);
  g_free (restart.old_engine_url);
}

static gboolean
high_contrast_shown (Fixture *fixture)
{
  return gtk_widget_has_css_class (GTK_WIDGET (fixture->window),
                                   "high-contrast");
}

static void
test_high_contrast (Fixture       *fixture,
                    gconstpointer  data)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) a11y = NULL;

  schema = g_settings_schema_source_lookup (
    source, "org.gnome.desktop.a11y.interface", TRUE);
  if (schema == NULL) {
    g_test_skip ("No schema for the desktop's high contrast setting");
    return;
  }

  /* Without a settings portal, libadwaita follows the desktop's key. */
  a11y = g_settings_new ("org.gnome.desktop.a11y.interface");
  g_assert_false (high_contrast_shown (fixture));
  g_settings_set_boolean (a11y, "high-contrast", TRUE);
  g_assert_true (wait_until (fixture, high_contrast_shown, READY_TIMEOUT_S));
  g_settings_reset (a11y, "high-contrast");
}

static void
latest_cb (StampedeApiClient *client,
           StampedeSnapshot  *snapshot,
           Fixture           *fixture)
{
  g_clear_pointer (&fixture->latest, stampede_snapshot_unref);
  fixture->latest = stampede_snapshot_ref (snapshot);
}

/* Enough answers to see that one agent has stopped answering. */
#define CRASH_ANSWERS 200

static guint64 analyzer_goal;

static gboolean
analyzer_answered (Fixture *fixture)
{
  return fixture->latest != NULL
         && fixture->latest->state == STAMPEDE_RUN_RUNNING
         && fixture->latest->agent_count[STAMPEDE_AGENT_ANALYZER]
            >= analyzer_goal;
}

static void
test_failure_scene (Fixture       *fixture,
                    gconstpointer  data)
{
  const StampedeSnapshot *snapshot;
  guint64 analyzer;
  guint64 geo;

  assert_ready (fixture);
  g_assert_true (wait_until (fixture, start_sensitive, READY_TIMEOUT_S));
  g_signal_connect (stampede_session_get_client (fixture->session),
                    "snapshot", G_CALLBACK (latest_cb), fixture);

  /* The investor scenario takes the geo/risk agent down from 1:00 to
   * 1:20; played from the failure scene, the run starts at 1:00. */
  g_assert_true (press_key (fixture, GDK_KEY_Right));
  g_assert_true (press_key (fixture, GDK_KEY_Right));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Injected failure");
  g_assert_cmpstr (label_text (fixture, "presentation-caption"), ==,
                   "The scenario takes the geo/risk agent down at 1:00 for "
                   "0:20");

  g_assert_true (press_key (fixture, GDK_KEY_space));
  analyzer_goal = CRASH_ANSWERS;
  g_assert_true (wait_until (fixture, analyzer_answered, FIGURES_TIMEOUT_S));
  g_assert_cmpstr (label_text (fixture, "presentation-scene"), ==,
                   "Injected failure");
  analyzer = fixture->latest->agent_count[STAMPEDE_AGENT_ANALYZER];
  geo = fixture->latest->agent_count[STAMPEDE_AGENT_GEO];

  /* The fault reaches the platform a moment after the run starts; from
   * then on the platform scores without the crashed agent, which reports
   * no timing. */
  analyzer_goal = analyzer + CRASH_ANSWERS;
  g_assert_true (wait_until (fixture, analyzer_answered, FIGURES_TIMEOUT_S));
  snapshot = fixture->latest;
  g_assert_cmpuint (snapshot->agent_count[STAMPEDE_AGENT_GEO], ==, geo);

  g_assert_true (wait_until (fixture, stop_sensitive, FIGURES_TIMEOUT_S));
  g_assert_true (press_key (fixture, GDK_KEY_space));
  g_assert_true (wait_until (fixture, run_over, STOP_TIMEOUT_S));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);

  /* A registered application loads the app's style sheet and actions, as
   * the real program does; it is not unique, so tests may run side by
   * side with a running Stampede. */
  application = stampede_application_new ();
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/stampede/app/window", Fixture, NULL,
              fixture_set_up_local, test_window, fixture_tear_down);
  g_test_add ("/stampede/app/run", Fixture, NULL,
              fixture_set_up_local, test_run, fixture_tear_down);
  g_test_add ("/stampede/app/keys", Fixture, NULL,
              fixture_set_up_local, test_keys, fixture_tear_down);
  g_test_add ("/stampede/app/final-figures", Fixture, NULL,
              fixture_set_up_local, test_final_figures, fixture_tear_down);
  g_test_add ("/stampede/app/presenting", Fixture, NULL,
              fixture_set_up_local_1080p, test_presenting,
              fixture_tear_down);
  g_test_add ("/stampede/app/failure-scene", Fixture, NULL,
              fixture_set_up_local, test_failure_scene, fixture_tear_down);
  g_test_add ("/stampede/app/restart", Fixture, NULL,
              fixture_set_up_local, test_restart, fixture_tear_down);
  g_test_add ("/stampede/app/high-contrast", Fixture, NULL,
              fixture_set_up_local, test_high_contrast, fixture_tear_down);
  g_test_add ("/stampede/app/unreachable", Fixture, NULL,
              fixture_set_up_unreachable, test_unreachable,
              fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
