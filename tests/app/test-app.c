/* test-app.c — the main window, driven as a user would, over a real engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <adwaita.h>
#include <gio/gio.h>

#include "stampede-application.h"
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

typedef struct {
  StampedeSession *session;
  StampedeWindow  *window;
} Fixture;

typedef gboolean (*Predicate) (Fixture *fixture);

static StampedeApplication *application;

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_named (child, name);

    if (found != NULL)
      return found;
  }

  return NULL;
}

static GtkWidget *
get_named (Fixture    *fixture,
           const char *name)
{
  GtkWidget *widget = find_named (GTK_WIDGET (fixture->window), name);

  if (widget == NULL)
    g_error ("The window has no widget named “%s”", name);

  return widget;
}

static const char *
label_text (Fixture    *fixture,
            const char *name)
{
  return gtk_label_get_label (GTK_LABEL (get_named (fixture, name)));
}

/* Reads a grouped count such as "12,345"; FALSE for anything else. */
static gboolean
parse_count (const char *text,
             guint64    *value)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++) {
    if (*p != ',')
      g_string_append_c (digits, *p);
  }

  return g_ascii_string_to_unsigned (digits->str, 10, 0, G_MAXUINT64,
                                     value, NULL);
}

static guint64
label_count (Fixture    *fixture,
             const char *name)
{
  const char *text = label_text (fixture, name);
  guint64 value = 0;

  if (!parse_count (text, &value))
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
invalidated_cb (GdkPaintable *paintable,
                gboolean     *drawn)
{
  *drawn = TRUE;
}

static void
save_screenshot (Fixture    *fixture,
                 const char *file_name)
{
  GtkWidget *widget = adw_application_window_get_content (
    ADW_APPLICATION_WINDOW (fixture->window));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  gboolean drawn = FALSE;
  GskRenderer *renderer;

  /* The paintable holds the widget's image from its last frame; wait for
   * a frame drawn after it was made. */
  g_signal_connect (paintable, "invalidate-contents",
                    G_CALLBACK (invalidated_cb), &drawn);
  gtk_widget_queue_draw (widget);
  while (!drawn && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (paintable, invalidated_cb, &drawn);
  g_assert_true (drawn);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width,
                                                              height));

  path = g_test_build_filename (G_TEST_BUILT, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
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
              StampedeSession *session)
{
  fixture->session = session;
  fixture->window = stampede_window_new (GTK_APPLICATION (application),
                                         session);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1280, 720);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_set_up_local (Fixture       *fixture,
                      gconstpointer  data)
{
  fixture_open (fixture, stampede_session_new_local (NULL));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

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

  return parse_count (label_text (fixture, "hero-tps"), &tps) && tps > 0;
}

static gboolean
target_rate_changed (Fixture *fixture)
{
  guint64 rate = 0;

  return parse_count (label_text (fixture, "analytics-target-rate"), &rate) &&
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
    url, "a-token-that-nobody-checks", NULL));
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
  g_test_add ("/stampede/app/unreachable", Fixture, NULL,
              fixture_set_up_unreachable, test_unreachable,
              fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&application);

  return status;
}
