/* stampede-cli.c — the headless entry point: run, scenarios, generate,
 * engine, platform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "stampede-cli.h"
#include "stampede-cli-platform.h"
#include "stampede-scenario.h"

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static int scenarios_command (int argc, char **argv);

static const Command commands[] = {
  { "run", stampede_cli_run,
    "put a target under load and report what it measured" },
  { "scenarios", scenarios_command,
    "list the built-in scenarios" },
  { "generate", stampede_cli_generate,
    "write a seeded transaction stream as JSON lines" },
  { "engine", stampede_cli_engine,
    "serve a load engine's control API for the app or other clients" },
  { "platform", stampede_cli_platform,
    "serve the reference fraud-detection platform" },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: stampede-cli COMMAND [OPTION…]\n"
           "\n"
           "Commands:\n");

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, commands[i].summary);

  fprintf (stream,
           "\n"
           "“stampede-cli COMMAND --help” describes a command's options.\n"
           "\n"
           STAMPEDE_CLI_EXIT_CODES);
}

static int
scenarios_command (int    argc,
                   char **argv)
{
  const StampedeScenarioInfo *list;
  guint n = 0;

  if (argc > 1)
    return stampede_cli_usage_error ("scenarios",
                                     "unexpected argument “%s”", argv[1]);

  list = stampede_scenario_list (&n);
  /* The name comes first on each line so that scripts can cut it out. */
  for (guint i = 0; i < n; i++)
    g_print ("%-18s %s\n", list[i].name, list[i].summary);

  return STAMPEDE_EXIT_OK;
}

int
stampede_cli_usage_error (const char *command,
                          const char *format,
                          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("stampede-cli %s: %s\n", command, message);
  g_printerr ("Try “stampede-cli %s --help”.\n", command);

  return STAMPEDE_EXIT_USAGE;
}

gboolean
stampede_cli_parse_double (const char  *flag,
                           const char  *text,
                           double       min,
                           double       max,
                           double      *out,
                           GError     **error)
{
  char *end = NULL;
  double value;

  g_return_val_if_fail (flag != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || value != value) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "%s: “%s” is not a number", flag, text);
    return FALSE;
  }

  if (value < min || value > max) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "%s: %s is out of range (%g to %g)", flag, text, min, max);
    return FALSE;
  }

  *out = value;

  return TRUE;
}

gboolean
stampede_cli_parse_uint64 (const char  *flag,
                           const char  *text,
                           guint64      max,
                           guint64     *out,
                           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value = 0;

  g_return_val_if_fail (flag != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, &local_error)) {
    if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR,
                         G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: %s is out of range (0 to %" G_GUINT64_FORMAT ")",
                   flag, text, max);
    else
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: “%s” is not a whole number", flag, text);
    return FALSE;
  }

  *out = value;

  return TRUE;
}

/* Splits HOST:PORT, where an IPv6 host is written in brackets, and
 * resolves "localhost" to the IPv4 loopback address. */
gboolean
stampede_cli_parse_listen (const char  *text,
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

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until SIGINT or SIGTERM, for the commands that serve
 * something until they are told to stop. */
void
stampede_cli_wait_for_signal (void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint_id, sigterm_id;

  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
}

int
main (int    argc,
      char **argv)
{
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("stampede-cli");

  if (argc < 2) {
    print_usage (stderr);
    return STAMPEDE_EXIT_USAGE;
  }

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h")
      || g_str_equal (name, "help")) {
    print_usage (stdout);
    return STAMPEDE_EXIT_OK;
  }

  if (g_str_equal (name, "--version")) {
    g_print ("stampede-cli %s\n", PACKAGE_VERSION);
    return STAMPEDE_EXIT_OK;
  }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (g_str_equal (name, commands[i].name)) {
      g_autofree char *prgname = g_strconcat ("stampede-cli ", name, NULL);

      /* GOption's usage line starts with the program's name. */
      g_set_prgname (prgname);
      return commands[i].run (argc - 1, argv + 1);
    }
  }

  g_printerr ("stampede-cli: unknown command “%s”\n\n", name);
  print_usage (stderr);

  return STAMPEDE_EXIT_USAGE;
}
