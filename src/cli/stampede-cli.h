/* stampede-cli.h — subcommands of stampede-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes, shared by every subcommand and documented in --help. */
typedef enum {
  STAMPEDE_EXIT_OK = 0,
  STAMPEDE_EXIT_CRITERIA_FAILED = 1,
  STAMPEDE_EXIT_USAGE = 2,
  STAMPEDE_EXIT_UNREACHABLE = 3,
} StampedeExit;

int      stampede_cli_run        (int          argc,
                                  char       **argv);
int      stampede_cli_engine     (int          argc,
                                  char       **argv);
int      stampede_cli_usage_error (const char *command,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (2, 3);
gboolean stampede_cli_parse_double (const char *flag,
                                  const char  *text,
                                  double       min,
                                  double       max,
                                  double      *out,
                                  GError     **error);
gboolean stampede_cli_parse_uint64 (const char *flag,
                                  const char  *text,
                                  guint64      max,
                                  guint64     *out,
                                  GError     **error);

G_END_DECLS
