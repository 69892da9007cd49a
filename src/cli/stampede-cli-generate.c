/* stampede-cli-generate.c — `stampede-cli generate`: the transaction stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stampede-cli.h"
#include "stampede-tx-factory.h"

/* Timestamps start at a fixed instant, 2025-01-01T00:00:00Z, so that the
 * same seed gives the same bytes on any day. */
#define DEFAULT_START_MS G_GINT64_CONSTANT (1735689600000)

#define MAX_COUNT G_GUINT64_CONSTANT (1000000000)

typedef struct {
  char *seed;
  char *count;
  char *stream;
  char *rate;
  char *start_ms;
  char *out;
} GenerateOptions;

static void
generate_options_clear (GenerateOptions *options)
{
  g_clear_pointer (&options->seed, g_free);
  g_clear_pointer (&options->count, g_free);
  g_clear_pointer (&options->stream, g_free);
  g_clear_pointer (&options->rate, g_free);
  g_clear_pointer (&options->start_ms, g_free);
  g_clear_pointer (&options->out, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GenerateOptions, generate_options_clear)

typedef struct {
  guint64 seed;
  guint64 count;
  guint64 stream;
  guint64 start_ms;
  double  rate;
} Plan;

static const char *
kind_to_string (StampedeTxKind kind)
{
  switch (kind) {
  case STAMPEDE_TX_LEGIT:
    return "legit";
  case STAMPEDE_TX_FRAUD:
    return "fraud";
  case STAMPEDE_TX_EDGE:
    return "edge";
  default:
    return "unknown";
  }
}

/* Writes one line: the request body exactly as the engine sends it, with
 * the ground truth, which the engine never sends, added under "truth". */
static void
append_line (GString                   *line,
             const StampedeTransaction *tx)
{
  char body[1024];
  gsize length;

  length = stampede_transaction_to_json (tx, body, sizeof body);
  g_assert (length > 0 && length < sizeof body && body[length - 1] == '}');

  g_string_append_len (line, body, length - 1);
  g_string_append_printf (line, ",\"truth\":{\"kind\":\"%s\",\"typology\":",
                          kind_to_string (tx->kind));
  if (tx->typology != NULL && tx->typology[0] != '\0') {
    g_autofree char *escaped = g_strescape (tx->typology, NULL);

    g_string_append_printf (line, "\"%s\"}}\n", escaped);
  } else {
    g_string_append (line, "null}}\n");
  }
}

static gboolean
write_stream (const Plan  *plan,
              FILE        *file,
              GError     **error)
{
  g_autoptr(StampedeTxFactory) factory = NULL;
  g_autoptr(GString) line = g_string_sized_new (1024);
  StampedeTransaction tx;

  factory = stampede_tx_factory_new (plan->seed, (guint) plan->stream);

  for (guint64 k = 0; k < plan->count; k++) {
    /* Arrival k of an even schedule at the plan's rate. */
    gint64 at_ms = (gint64) plan->start_ms
                   + (gint64) ((double) k * 1000.0 / plan->rate);

    stampede_tx_factory_next (factory, at_ms, &tx);
    g_string_truncate (line, 0);
    append_line (line, &tx);
    if (fwrite (line->str, 1, line->len, file) != line->len) {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s", g_strerror (saved));
      return FALSE;
    }
  }

  return TRUE;
}

static gboolean
parse_plan (const GenerateOptions  *options,
            Plan                   *plan,
            GError                **error)
{
  plan->seed = 1;
  plan->stream = 0;
  plan->rate = 100;
  plan->start_ms = DEFAULT_START_MS;

  if (options->count == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--count: how many transactions to write is required");
    return FALSE;
  }

  return stampede_cli_parse_uint64 ("--count", options->count, MAX_COUNT,
                                    &plan->count, error)
         && (options->seed == NULL
             || stampede_cli_parse_uint64 ("--seed", options->seed,
                                           G_MAXUINT64, &plan->seed, error))
         && (options->stream == NULL
             || stampede_cli_parse_uint64 ("--stream", options->stream,
                                           (1u << 24) - 1, &plan->stream,
                                           error))
         && (options->rate == NULL
             || stampede_cli_parse_double ("--rate", options->rate, 0.001,
                                           1e6, &plan->rate, error))
         && (options->start_ms == NULL
             || stampede_cli_parse_uint64 ("--start-ms", options->start_ms,
                                           G_GUINT64_CONSTANT (1) << 52,
                                           &plan->start_ms, error));
}

static int
write_to (const Plan *plan,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  FILE *file = stdout;

  if (path != NULL) {
    file = fopen (path, "wb");
    if (file == NULL) {
      int saved = errno;

      g_printerr ("stampede-cli generate: could not write %s: %s\n", path,
                  g_strerror (saved));
      return STAMPEDE_EXIT_USAGE;
    }
  }

  if (!write_stream (plan, file, &error)) {
    g_printerr ("stampede-cli generate: could not write %s: %s\n",
                path != NULL ? path : "the standard output", error->message);
    if (path != NULL)
      fclose (file);
    return STAMPEDE_EXIT_USAGE;
  }

  if ((path != NULL && fclose (file) != 0)
      || (path == NULL && fflush (file) != 0)) {
    int saved = errno;

    g_printerr ("stampede-cli generate: could not write %s: %s\n",
                path != NULL ? path : "the standard output",
                g_strerror (saved));
    return STAMPEDE_EXIT_USAGE;
  }

  return STAMPEDE_EXIT_OK;
}

int
stampede_cli_generate (int    argc,
                       char **argv)
{
  g_auto(GenerateOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Plan plan = { 0 };
  const GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &options.seed,
      "Seed of the stream (default 1)", "N" },
    { "count", 'n', 0, G_OPTION_ARG_STRING, &options.count,
      "How many transactions to write (required)", "K" },
    { "stream", 0, 0, G_OPTION_ARG_STRING, &options.stream,
      "Which of a run's streams, one per engine worker (default 0)", "S" },
    { "rate", 'r', 0, G_OPTION_ARG_STRING, &options.rate,
      "Space the timestamps as arrivals at N a second (default 100)", "N" },
    { "start-ms", 0, 0, G_OPTION_ARG_STRING, &options.start_ms,
      "Timestamp of the first, Unix milliseconds (default "
      "1735689600000, 2025-01-01T00:00:00Z)", "MS" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &options.out,
      "Write to FILE instead of the standard output", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("— write the transaction stream as JSON "
                                  "lines");
  g_option_context_set_summary (context,
    "Writes the transactions the engine would send, one JSON object a\n"
    "line: the request body of the wire format plus the ground truth\n"
    "under \"truth\" ({\"kind\": legit|fraud|edge, \"typology\"}), which\n"
    "the engine never sends.  The same flags give the same bytes.");
  g_option_context_set_description (context,
    "Exit status: 0 written, 2 usage error or the file could not be "
    "written.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("generate", "%s", error->message);

  if (argc > 1)
    return stampede_cli_usage_error ("generate", "unexpected argument “%s”",
                                     argv[1]);

  if (!parse_plan (&options, &plan, &error))
    return stampede_cli_usage_error ("generate", "%s", error->message);

  return write_to (&plan, options.out);
}
