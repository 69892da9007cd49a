/* stampede-cli-platform.c — `stampede-cli platform`: serve the reference
 * fraud platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "stampede-cli.h"
#include "stampede-cli-platform.h"
#include "stampede-platform.h"

/* The platform is a test target with no authentication: serving it
 * beyond this machine must be asked for explicitly. */
static gboolean
check_host (const char  *host,
            gboolean     allow_remote,
            GError     **error)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (address == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--listen: “%s” is not an IP address or localhost", host);
    return FALSE;
  }

  if (!allow_remote && !g_inet_address_get_is_loopback (address)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--listen: “%s” is not a loopback address; add "
                 "--allow-remote to serve other machines", host);
    return FALSE;
  }

  return TRUE;
}

/* Applies each --agent-latency: MODEL for every agent, or AGENT=MODEL for
 * one; later ones win. */
static gboolean
apply_latencies (StampedePlatform  *platform,
                 char             **specs,
                 GError           **error)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++) {
    const char *equals = strchr (specs[i], '=');
    g_autofree char *agent = NULL;
    const char *model = specs[i];

    if (equals != NULL) {
      agent = g_strndup (specs[i], equals - specs[i]);
      model = equals + 1;
    }

    if (!stampede_platform_set_agent_latency (platform, agent, model,
                                              error)) {
      g_prefix_error (error, "--agent-latency: ");
      return FALSE;
    }
  }

  return TRUE;
}

static gboolean
parse_count (const char  *flag,
             const char  *text,
             guint       *out,
             GError     **error)
{
  guint64 value;

  if (text == NULL)
    return TRUE;

  if (!stampede_cli_parse_uint64 (flag, text, 1000000, &value, error))
    return FALSE;
  if (value == 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "%s: must be at least 1", flag);
    return FALSE;
  }

  *out = (guint) value;

  return TRUE;
}

/* Everything the command line sets on the platform before it starts. */
typedef struct {
  char  *latency_ms;
  char **latencies;
  char  *queue_depth;
  char  *max_scoring;
  char  *admin_token;
  char  *degradation;
} Settings;

static void
settings_clear (Settings *settings)
{
  g_clear_pointer (&settings->latency_ms, g_free);
  g_clear_pointer (&settings->latencies, g_strfreev);
  g_clear_pointer (&settings->queue_depth, g_free);
  g_clear_pointer (&settings->max_scoring, g_free);
  g_clear_pointer (&settings->admin_token, g_free);
  g_clear_pointer (&settings->degradation, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Settings, settings_clear)

static gboolean
configure (StampedePlatform  *platform,
           const Settings    *settings,
           GError           **error)
{
  double latency;
  guint depth = 4096, max_scoring = 1024;
  StampedeDegradationLevel level = STAMPEDE_DEGRADATION_AUTO;

  if (settings->latency_ms != NULL) {
    if (!stampede_cli_parse_double ("--agent-latency-ms",
                                    settings->latency_ms, 0, 60000,
                                    &latency, error))
      return FALSE;
    stampede_platform_set_agent_latency_ms (platform, latency);
  }

  if (!apply_latencies (platform, settings->latencies, error)
      || !parse_count ("--queue-depth", settings->queue_depth, &depth,
                       error)
      || !parse_count ("--max-scoring", settings->max_scoring,
                       &max_scoring, error))
    return FALSE;
  stampede_platform_set_admission (platform, depth, max_scoring);

  if (settings->degradation != NULL
      && !stampede_degradation_level_parse (settings->degradation, &level)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--degradation: “%s” is not one of auto, normal, moderate, "
                 "severe, critical", settings->degradation);
    return FALSE;
  }
  stampede_platform_set_degradation_override (platform, level);

  if (settings->admin_token != NULL) {
    /* As for `engine --token`: a short token is easy to guess. */
    if (strlen (settings->admin_token) < 16) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--admin-token: use at least 16 characters");
      return FALSE;
    }
    stampede_platform_set_admin_token (platform, settings->admin_token);
  }

  return TRUE;
}

int
stampede_cli_platform (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(StampedePlatform) platform = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Settings) settings = { 0 };
  g_autofree char *listen = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  gboolean allow_remote = FALSE;
  guint port = 8080;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to serve on (default 127.0.0.1:8080; port 0 picks "
      "a free one)", "HOST:PORT" },
    { "allow-remote", 0, 0, G_OPTION_ARG_NONE, &allow_remote,
      "Allow a --listen address other than loopback", NULL },
    { "agent-latency", 0, 0, G_OPTION_ARG_STRING_ARRAY, &settings.latencies,
      "Modelled inference latency: none, fixed:MS or "
      "lognormal:MEDIAN_MS,SIGMA, for every agent or, as AGENT=MODEL, for "
      "one (repeatable; default lognormal:2,0.5 for the scoring agents and "
      "lognormal:6,0.6 for reasoning)", "[AGENT=]MODEL" },
    { "agent-latency-ms", 0, 0, G_OPTION_ARG_STRING, &settings.latency_ms,
      "Mean modelled latency of every agent, log-normal (sigma 0.5); 0 for "
      "none", "MS" },
    { "queue-depth", 0, 0, G_OPTION_ARG_STRING, &settings.queue_depth,
      "Transactions the ingestion queue holds before answering 503 "
      "(default 4096)", "N" },
    { "max-scoring", 0, 0, G_OPTION_ARG_STRING, &settings.max_scoring,
      "Transactions scored at once (default 1024)", "N" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &settings.admin_token,
      "Bearer token of the admin API (default: random)", "TOKEN" },
    { "degradation", 0, 0, G_OPTION_ARG_STRING, &settings.degradation,
      "Force a degradation level: normal, moderate, severe, critical, or "
      "auto to measure it (default)", "LEVEL" },
    { NULL }
  };

  context = g_option_context_new ("— serve the reference fraud platform");
  g_option_context_set_summary (context,
    "Serves the reference fraud-detection platform until interrupted:\n"
    "POST /v1/score scores a transaction, GET /healthz answers ok, GET\n"
    "/metrics reports in Prometheus text format, and /v1/admin/faults\n"
    "injects faults (Authorization: Bearer TOKEN). It prints its base URL\n"
    "as its first line and \"admin-token TOKEN\" as its second.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("platform", "%s", error->message);
  if (argc > 1)
    return stampede_cli_usage_error ("platform", "unexpected argument “%s”",
                                     argv[1]);

  if (listen == NULL)
    host = g_strdup ("127.0.0.1");
  else if (!stampede_cli_parse_listen (listen, &host, &port, &error))
    return stampede_cli_usage_error ("platform", "%s", error->message);

  platform = stampede_platform_new ();
  if (!check_host (host, allow_remote, &error)
      || !configure (platform, &settings, &error))
    return stampede_cli_usage_error ("platform", "%s", error->message);

  if (!stampede_platform_start (platform, host, port, &error)) {
    g_printerr ("stampede-cli platform: %s\n", error->message);
    return STAMPEDE_EXIT_USAGE;
  }

  url = stampede_platform_dup_url (platform);
  token = stampede_platform_dup_admin_token (platform);
  g_print ("%s\nadmin-token %s\n", url, token);
  fflush (stdout);

  stampede_cli_wait_for_signal ();
  stampede_platform_stop (platform);

  return STAMPEDE_EXIT_OK;
}
