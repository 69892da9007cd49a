/* stampede-cli-platform.c — `stampede-cli platform`: serve the reference
 * fraud platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "stampede-cli.h"
#include "stampede-cli-platform.h"
#include "stampede-platform.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

/* Splits HOST:PORT, where an IPv6 host is written in brackets, and
 * resolves "localhost" to the IPv4 loopback address. */
static gboolean
parse_listen (const char  *text,
              char       **host,
              guint       *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *name = NULL;
  guint64 value;

  if (colon == NULL || colon == text) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--listen: “%s” is not HOST:PORT", text);
    return FALSE;
  }

  if (!stampede_cli_parse_uint64 ("--listen", colon + 1, 65535, &value,
                                  error))
    return FALSE;

  name = g_strndup (text, colon - text);
  if (name[0] == '[' && g_str_has_suffix (name, "]")) {
    char *inner = g_strndup (name + 1, strlen (name) - 2);

    g_free (name);
    name = inner;
  }

  if (g_ascii_strcasecmp (name, "localhost") == 0) {
    g_free (name);
    name = g_strdup ("127.0.0.1");
  }

  *host = g_steal_pointer (&name);
  *port = (guint) value;

  return TRUE;
}

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

int
stampede_cli_platform (int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(StampedePlatform) platform = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *latency_text = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  gboolean allow_remote = FALSE;
  double latency = 0;
  guint port = 8080;
  guint sigint_id, sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to serve on (default 127.0.0.1:8080; port 0 picks "
      "a free one)", "HOST:PORT" },
    { "allow-remote", 0, 0, G_OPTION_ARG_NONE, &allow_remote,
      "Allow a --listen address other than loopback", NULL },
    { "agent-latency-ms", 0, 0, G_OPTION_ARG_STRING, &latency_text,
      "Mean modelled inference latency of each agent (default 0)", "MS" },
    { NULL }
  };

  context = g_option_context_new ("— serve the reference fraud platform");
  g_option_context_set_summary (context,
    "Serves the reference fraud-detection platform until interrupted:\n"
    "POST /v1/score scores a transaction, GET /healthz answers ok. It\n"
    "prints its base URL as its first line.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("platform", "%s", error->message);
  if (argc > 1)
    return stampede_cli_usage_error ("platform", "unexpected argument “%s”",
                                     argv[1]);

  if (listen == NULL)
    host = g_strdup ("127.0.0.1");
  else if (!parse_listen (listen, &host, &port, &error))
    return stampede_cli_usage_error ("platform", "%s", error->message);

  if (!check_host (host, allow_remote, &error)
      || (latency_text != NULL
          && !stampede_cli_parse_double ("--agent-latency-ms", latency_text,
                                         0, 60000, &latency, &error)))
    return stampede_cli_usage_error ("platform", "%s", error->message);

  platform = stampede_platform_new ();
  stampede_platform_set_agent_latency_ms (platform, latency);
  if (!stampede_platform_start (platform, host, port, &error)) {
    g_printerr ("stampede-cli platform: %s\n", error->message);
    return STAMPEDE_EXIT_USAGE;
  }

  url = stampede_platform_dup_url (platform);
  g_print ("%s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  stampede_platform_stop (platform);

  return STAMPEDE_EXIT_OK;
}
