/* stampede-cli.h — subcommands of stampede-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "stampede-engine.h"
#include "stampede-fault-session.h"
#include "stampede-scenario-spec.h"

G_BEGIN_DECLS

/* Exit codes, shared by every subcommand and documented in --help and the
 * README. */
typedef enum {
  STAMPEDE_EXIT_OK = 0,
  STAMPEDE_EXIT_CRITERIA_FAILED = 1,
  STAMPEDE_EXIT_USAGE = 2,
  STAMPEDE_EXIT_UNREACHABLE = 3,
  STAMPEDE_EXIT_ABORTED = 3,
} StampedeExit;

/* The text every command's --help ends with. */
#define STAMPEDE_CLI_EXIT_CODES \
  "Exit status:\n" \
  "  0  the run completed and every success criterion held (or it had\n" \
  "     none)\n" \
  "  1  the run completed but a success criterion failed\n" \
  "  2  usage or configuration error: a bad flag, scenario file or\n" \
  "     output file\n" \
  "  3  the target was unreachable, or the run was aborted by its abort\n" \
  "     rule or interrupted\n"

/**
 * StampedeCliOutputs:
 * @json: (nullable): where to write the JSON summary
 * @csv: (nullable): where to write the per-second series
 * @junit: (nullable): where to write the JUnit report
 * @spectrum: (nullable): where to write the percentile spectrum
 *
 * What `run` writes once a run has ended.
 */
typedef struct {
  const char *json;
  const char *csv;
  const char *junit;
  const char *spectrum;
} StampedeCliOutputs;

int      stampede_cli_run          (int          argc,
                                    char       **argv);
int      stampede_cli_engine       (int          argc,
                                    char       **argv);
int      stampede_cli_generate     (int          argc,
                                    char       **argv);
int      stampede_cli_finish_run   (StampedeEngine             *engine,
                                    const StampedeRunConfig    *config,
                                    const StampedeScenarioSpec *spec,
                                    StampedeFaultSession       *faults,
                                    const StampedeSnapshot     *final,
                                    const StampedeCliOutputs   *outputs,
                                    gboolean                    interrupted);
gboolean stampede_cli_parse_listen (const char  *text,
                                    char       **host,
                                    guint       *port,
                                    GError     **error);
void     stampede_cli_wait_for_signal (void);
int      stampede_cli_usage_error  (const char  *command,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (2, 3);
gboolean stampede_cli_parse_double (const char  *flag,
                                    const char  *text,
                                    double       min,
                                    double       max,
                                    double      *out,
                                    GError     **error);
gboolean stampede_cli_parse_uint64 (const char  *flag,
                                    const char  *text,
                                    guint64      max,
                                    guint64     *out,
                                    GError     **error);

G_END_DECLS
