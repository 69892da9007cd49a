/* stampede-cli-engine.c — `stampede-cli engine`: serve an engine's API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */


#include "stampede-api-server.h"
#include "stampede-cli.h"
#include "stampede-platform.h"

int
stampede_cli_engine (int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StampedeApiServer) server = NULL;
  g_autoptr(StampedePlatform) platform = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *token = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  gboolean with_platform = FALSE;
  guint port = 0;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Loopback address and port to serve on (default 127.0.0.1:0, any "
      "free port)", "HOST:PORT" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token,
      "Bearer token clients must send (default: from STAMPEDE_TOKEN, or "
      "random)", "TOKEN" },
    { "with-platform", 0, 0, G_OPTION_ARG_NONE, &with_platform,
      "Also serve the reference platform on a free loopback port", NULL },
    { NULL }
  };

  context = g_option_context_new ("— serve a load engine's control API");
  g_option_context_set_summary (context,
    "Serves a load engine on a loopback address until interrupted. It\n"
    "prints its URL and bearer token, one per line, for `stampede\n"
    "--engine URL --token TOKEN` or any HTTP client.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("engine", "%s", error->message);
  if (argc > 1)
    return stampede_cli_usage_error ("engine", "unexpected argument “%s”",
                                     argv[1]);

  if (listen == NULL) {
    host = g_strdup ("127.0.0.1");
  } else if (!stampede_cli_parse_listen (listen, &host, &port, &error)) {
    return stampede_cli_usage_error ("engine", "%s", error->message);
  }

  if (token == NULL)
    token = g_strdup (g_getenv ("STAMPEDE_TOKEN"));
  if (token != NULL && strlen (token) < 16)
    return stampede_cli_usage_error ("engine", "--token: use at least 16 "
                                     "characters");

  server = stampede_api_server_new (token);
  if (!stampede_api_server_start (server, host, port, &error)) {
    g_printerr ("stampede-cli engine: %s\n", error->message);
    return STAMPEDE_EXIT_USAGE;
  }

  url = stampede_api_server_dup_url (server);
  g_print ("%s\n%s\n", url, stampede_api_server_get_token (server));

  if (with_platform) {
    g_autofree char *platform_url = NULL;

    platform = stampede_platform_new ();
    if (!stampede_platform_start (platform, "127.0.0.1", 0, &error)) {
      g_printerr ("stampede-cli engine: could not start the platform: %s\n",
                  error->message);
      return STAMPEDE_EXIT_UNREACHABLE;
    }
    platform_url = stampede_platform_dup_url (platform);
    g_print ("%s/v1/score\n", platform_url);
  }

  stampede_cli_wait_for_signal ();

  stampede_api_server_stop (server);
  if (platform != NULL)
    stampede_platform_stop (platform);

  return STAMPEDE_EXIT_OK;
}
