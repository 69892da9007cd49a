/* stampede-application.c — the Stampede application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-application.h"
#include "stampede-frame-log.h"
#include "stampede-session.h"
#include "stampede-window.h"

/* The scenario that --present starts. */
#define PRESENTATION_SCENARIO "investor"

struct _StampedeApplication {
  AdwApplication  parent_instance;

  char           *engine_url;
  char           *token;
  char           *target_url;
  gboolean        present;

  /* A fixed-rate run for bench/present; 0 for none. */
  double          bench_rate;
  double          bench_duration_s;
};

G_DEFINE_FINAL_TYPE (StampedeApplication, stampede_application,
                     ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "engine", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Drive the engine at URL instead of starting one in this process"),
    N_("URL") },
  { "token", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Bearer token of the engine given with --engine (default: from "
       "STAMPEDE_TOKEN)"), N_("TOKEN") },
  { "target", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Aim runs at URL instead of the embedded platform"), N_("URL") },
  { "present", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the Presentation page full screen and start the investor "
       "scenario"), NULL },
  /* Hidden, for bench/present: start a run at this fixed rate for this
   * many seconds on the Presentation page as soon as the engine is ready,
   * print its final figures as one line on standard output and quit. */
  { "bench-rate", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, NULL,
    "Start a benchmark run at N arrivals a second", "N" },
  { "bench-duration", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_DOUBLE, NULL,
    "Length of the benchmark run in seconds", "S" },
  { NULL }
};

static gboolean
is_http_url (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         g_uri_get_host (uri) != NULL &&
         (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "https") == 0);
}

static int
usage_error (const char *message)
{
  g_printerr ("stampede: %s\n", message);
  g_printerr (_("Run “stampede --help” to see the options.\n"));

  return 2;
}

static int
stampede_application_handle_local_options (GApplication *application,
                                           GVariantDict *options)
{
  StampedeApplication *self = STAMPEDE_APPLICATION (application);

  g_variant_dict_lookup (options, "engine", "s", &self->engine_url);
  g_variant_dict_lookup (options, "token", "s", &self->token);
  g_variant_dict_lookup (options, "target", "s", &self->target_url);
  self->present = g_variant_dict_contains (options, "present");
  g_variant_dict_lookup (options, "bench-rate", "d", &self->bench_rate);
  g_variant_dict_lookup (options, "bench-duration", "d",
                         &self->bench_duration_s);

  if (self->engine_url != NULL && !is_http_url (self->engine_url))
    return usage_error (_("--engine needs an http:// or https:// URL"));
  if (self->target_url != NULL && !is_http_url (self->target_url))
    return usage_error (_("--target needs an http:// or https:// URL"));

  if (self->engine_url != NULL && self->token == NULL)
    self->token = g_strdup (g_getenv ("STAMPEDE_TOKEN"));
  if (self->engine_url != NULL && self->token == NULL)
    return usage_error (_("--engine needs --token, or STAMPEDE_TOKEN set"));
  if (self->engine_url == NULL && self->token != NULL)
    return usage_error (_("--token is only for an engine given with "
                          "--engine"));
  if (self->bench_rate < 0 || self->bench_duration_s < 0
      || (self->bench_rate > 0) != (self->bench_duration_s > 0))
    return usage_error ("--bench-rate and --bench-duration go together, "
                        "each above 0");

  return -1;
}

/* The one line bench/present reads: counts, so that it can work out the
 * rates itself exactly as it does for stampede-cli's summary. */
static void
bench_finished_cb (StampedeApiClient   *client,
                   StampedeSnapshot    *snapshot,
                   StampedeApplication *self)
{
  guint64 dropped = snapshot->outcomes[STAMPEDE_OUTCOME_DROPPED];

  g_print ("stampede-bench sent=%" G_GUINT64_FORMAT
           " answered=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
           " duration_s=%.3f elapsed_s=%.3f p50_ms=%.3f p99_ms=%.3f\n",
           snapshot->arrivals - dropped,
           stampede_snapshot_answered (snapshot), dropped,
           snapshot->duration_s, snapshot->elapsed_s,
           snapshot->run.p50, snapshot->run.p99);
  g_application_quit (G_APPLICATION (self));
}

static void
bench_session_cb (StampedeSession     *session,
                  GParamSpec          *pspec,
                  StampedeApplication *self)
{
  switch (stampede_session_get_state (session)) {
  case STAMPEDE_SESSION_READY:
    g_signal_connect_object (stampede_session_get_client (session),
                             "run-finished", G_CALLBACK (bench_finished_cb),
                             self, 0);
    break;

  case STAMPEDE_SESSION_FAILED:
    g_printerr ("stampede: the benchmark run cannot start: %s\n",
                stampede_session_get_error (session));
    g_application_quit (G_APPLICATION (self));
    break;

  case STAMPEDE_SESSION_NEW:
  case STAMPEDE_SESSION_CONNECTING:
  default:
    break;
  }
}

static void
start_bench (StampedeApplication *self,
             StampedeWindow      *window,
             StampedeSession     *session)
{
  g_autoptr(StampedeRunConfig) config = stampede_run_config_new ();

  g_assert (STAMPEDE_IS_APPLICATION (self));

  config->rate = self->bench_rate;
  config->duration_s = self->bench_duration_s;
  config->ramp_s = 0;

  g_signal_connect_object (session, "notify::state",
                           G_CALLBACK (bench_session_cb), self, 0);
  bench_session_cb (session, NULL, self);
  stampede_window_start_run (window, config);
}

static void
stampede_application_activate (GApplication *application)
{
  StampedeApplication *self = STAMPEDE_APPLICATION (application);
  g_autoptr(StampedeSession) session = NULL;
  g_autoptr(GError) error = NULL;
  const char *frame_log;
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL) {
    gtk_window_present (window);
    return;
  }

  if (self->engine_url != NULL)
    session = stampede_session_new_remote (self->engine_url, self->token,
                                           self->target_url);
  else
    session = stampede_session_new_local (self->target_url);

  window = GTK_WINDOW (stampede_window_new (GTK_APPLICATION (self),
                                            session));

  /* bench/present reads the frame timings of the window from this file
   * (see stampede-frame-log.c). */
  frame_log = g_getenv ("STAMPEDE_FRAME_LOG");
  if (frame_log != NULL && *frame_log != '\0'
      && !stampede_frame_log_attach (GTK_WIDGET (window), frame_log, &error))
    g_warning ("%s", error->message);

  if (self->bench_rate > 0)
    start_bench (self, STAMPEDE_WINDOW (window), session);
  if (self->present)
    stampede_window_start_presentation (STAMPEDE_WINDOW (window),
                                        PRESENTATION_SCENARIO);
  gtk_window_present (window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for",
                        gtk_application_get_active_window (application),
                        "application-name", _("Stampede"),
                        "application-icon", STAMPEDE_APPLICATION_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Puts a fraud-detection service under "
                                      "transaction load, measures it and "
                                      "shows it live"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
stampede_application_startup (GApplication *application)
{
  static const char * const quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (stampede_application_parent_class)->startup (
    application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application),
                                         "app.quit", quit_accels);
}

static void
stampede_application_finalize (GObject *object)
{
  StampedeApplication *self = STAMPEDE_APPLICATION (object);

  g_clear_pointer (&self->engine_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->target_url, g_free);

  G_OBJECT_CLASS (stampede_application_parent_class)->finalize (object);
}

static void
stampede_application_class_init (StampedeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = stampede_application_finalize;

  application_class->handle_local_options =
    stampede_application_handle_local_options;
  application_class->startup = stampede_application_startup;
  application_class->activate = stampede_application_activate;
}

static void
stampede_application_init (StampedeApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self),
                                         option_entries);
  g_application_set_option_context_parameter_string (
    G_APPLICATION (self), _("— load-test a fraud-detection service"));
}

/**
 * stampede_application_new:
 *
 * Makes the application.  Each instance runs its own engine (or drives
 * the one given with --engine), so instances are not merged into one
 * over D-Bus: a second launch with other options gets what it asked for.
 *
 * Returns: (transfer full): the application
 */
StampedeApplication *
stampede_application_new (void)
{
  return g_object_new (STAMPEDE_TYPE_APPLICATION,
                       "application-id", STAMPEDE_APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}
