/* stampede-cli-run.c — `stampede-cli run`: one headless load run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib-unix.h>
#include <math.h>

#include "stampede-cli.h"
#include "stampede-engine.h"
#include "stampede-platform.h"
#include "stampede-report.h"
#include "stampede-scenario.h"

typedef struct {
  GMainLoop         *loop;
  StampedeEngine    *engine;
  StampedeRunConfig *config;
  StampedeSnapshot  *final;
  char              *json_path;
  gint64             last_second;
  guint              n_interrupts;
  gboolean           quiet;
} RunState;

typedef struct {
  char     *rate;
  char     *ramp;
  char     *duration;
  char     *seed;
  char     *workers;
  char     *max_in_flight;
  char     *timeout_ms;
  char     *agent_latency_ms;
  char     *target;
  char     *json;
  gboolean  quiet;
  char    **rest;
} RunOptions;

static void
run_options_clear (RunOptions *options)
{
  g_clear_pointer (&options->rate, g_free);
  g_clear_pointer (&options->ramp, g_free);
  g_clear_pointer (&options->duration, g_free);
  g_clear_pointer (&options->seed, g_free);
  g_clear_pointer (&options->workers, g_free);
  g_clear_pointer (&options->max_in_flight, g_free);
  g_clear_pointer (&options->timeout_ms, g_free);
  g_clear_pointer (&options->agent_latency_ms, g_free);
  g_clear_pointer (&options->target, g_free);
  g_clear_pointer (&options->json, g_free);
  g_clear_pointer (&options->rest, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

static void
print_progress (RunState               *state,
                const StampedeSnapshot *snapshot)
{
  guint64 errors = stampede_snapshot_errors (snapshot);

  g_print ("[%6.1fs] target %8.1f/s  achieved %8.1f/s  tps %8.1f  "
           "p50 %7.2f ms  p99 %8.2f ms  errors %" G_GUINT64_FORMAT
           "  dropped %" G_GUINT64_FORMAT "\n",
           snapshot->elapsed_s, snapshot->target_rate,
           snapshot->achieved_rate, snapshot->completed_rate,
           snapshot->interval.p50, snapshot->interval.p99, errors,
           snapshot->outcomes[STAMPEDE_OUTCOME_DROPPED]);
}

static void
snapshot_cb (StampedeEngine   *engine,
             StampedeSnapshot *snapshot,
             RunState         *state)
{
  gint64 second = (gint64) floor (snapshot->elapsed_s);

  if (state->quiet || snapshot->state != STAMPEDE_RUN_RUNNING)
    return;

  if (second > state->last_second) {
    state->last_second = second;
    print_progress (state, snapshot);
  }
}

static void
finished_cb (StampedeEngine   *engine,
             StampedeSnapshot *final,
             RunState         *state)
{
  g_clear_pointer (&state->final, stampede_snapshot_unref);
  state->final = stampede_snapshot_ref (final);
  g_main_loop_quit (state->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  RunState *state = user_data;

  state->n_interrupts++;
  if (state->n_interrupts == 1) {
    g_printerr ("Stopping: waiting for answers in flight "
                "(interrupt again to quit at once)…\n");
    stampede_engine_stop (state->engine);
    return G_SOURCE_CONTINUE;
  }

  g_main_loop_quit (state->loop);

  return G_SOURCE_CONTINUE;
}

/* Applies the flags that were given on top of the scenario's or the
 * defaults, naming the flag in any error. */
static gboolean
apply_options (const RunOptions   *options,
               StampedeRunConfig  *config,
               GError            **error)
{
  guint64 value;

  if (options->rate != NULL
      && !stampede_cli_parse_double ("--rate", options->rate, 0.001, 1e6,
                                     &config->rate, error))
    return FALSE;
  if (options->ramp != NULL
      && !stampede_cli_parse_double ("--ramp", options->ramp, 0, 7 * 86400.0,
                                     &config->ramp_s, error))
    return FALSE;
  if (options->duration != NULL
      && !stampede_cli_parse_double ("--duration", options->duration, 0.001,
                                     7 * 86400.0, &config->duration_s, error))
    return FALSE;
  if (options->seed != NULL
      && !stampede_cli_parse_uint64 ("--seed", options->seed, G_MAXUINT64,
                                     &config->seed, error))
    return FALSE;

  if (options->workers != NULL) {
    if (!stampede_cli_parse_uint64 ("--workers", options->workers, 64,
                                    &value, error))
      return FALSE;
    config->n_workers = (guint) value;
  }

  if (options->max_in_flight != NULL) {
    if (!stampede_cli_parse_uint64 ("--max-in-flight", options->max_in_flight,
                                    1000000, &value, error))
      return FALSE;
    if (value == 0) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--max-in-flight: must be at least 1");
      return FALSE;
    }
    config->max_in_flight = (guint) value;
  }

  if (options->timeout_ms != NULL) {
    if (!stampede_cli_parse_uint64 ("--timeout-ms", options->timeout_ms,
                                    3600000, &value, error))
      return FALSE;
    if (value == 0) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--timeout-ms: must be at least 1");
      return FALSE;
    }
    config->timeout_ms = (guint) value;
  }

  if (options->target != NULL) {
    g_free (config->target_url);
    config->target_url = g_strdup (options->target);
  }

  return TRUE;
}

static gboolean
start_embedded_platform (const RunOptions   *options,
                         StampedePlatform  **platform_out,
                         char              **url_out,
                         GError            **error)
{
  g_autoptr(StampedePlatform) platform = stampede_platform_new ();
  g_autofree char *base = NULL;
  double latency = 0;

  if (options->agent_latency_ms != NULL
      && !stampede_cli_parse_double ("--agent-latency-ms",
                                     options->agent_latency_ms, 0, 60000,
                                     &latency, error))
    return FALSE;

  stampede_platform_set_agent_latency_ms (platform, latency);
  if (!stampede_platform_start (platform, "127.0.0.1", 0, error))
    return FALSE;

  base = stampede_platform_dup_url (platform);
  *url_out = g_strconcat (base, "/v1/score", NULL);
  *platform_out = g_steal_pointer (&platform);

  return TRUE;
}

static int
exit_status_for (const StampedeSnapshot *final)
{
  guint64 answered = stampede_snapshot_answered (final);
  guint64 unreachable = final->outcomes[STAMPEDE_OUTCOME_TRANSPORT_ERROR];

  /* A run in which nothing answered and every sent transaction failed to
   * connect never reached its target. */
  if (answered == 0 && unreachable > 0) {
    g_printerr ("stampede-cli run: the target was unreachable: none of the "
                "%" G_GUINT64_FORMAT " transactions sent was answered and "
                "%" G_GUINT64_FORMAT " ended in transport_error\n",
                final->arrivals, unreachable);
    return STAMPEDE_EXIT_UNREACHABLE;
  }

  return STAMPEDE_EXIT_OK;
}

static int
run_to_end (RunState *state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint sigint_id, sigterm_id;

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, state);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, state);

  g_signal_connect (state->engine, "snapshot",
                    G_CALLBACK (snapshot_cb), state);
  g_signal_connect (state->engine, "finished",
                    G_CALLBACK (finished_cb), state);

  if (!stampede_engine_start (state->engine, state->config, &error)) {
    g_printerr ("stampede-cli run: %s\n", error->message);
    return STAMPEDE_EXIT_USAGE;
  }

  g_main_loop_run (state->loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (state->final == NULL) {
    g_printerr ("stampede-cli run: interrupted before the run ended; "
                "no summary written\n");
    return STAMPEDE_EXIT_UNREACHABLE;
  }

  text = stampede_report_format_text (state->config, state->final);
  g_print ("\n%s", text);

  if (state->json_path != NULL) {
    if (!stampede_report_write_json (state->config, state->final,
                                     state->json_path, &error)) {
      g_printerr ("stampede-cli run: could not write %s: %s\n",
                  state->json_path, error->message);
      return STAMPEDE_EXIT_USAGE;
    }
    g_print ("Summary written to %s\n", state->json_path);
  }

  return exit_status_for (state->final);
}

int
stampede_cli_run (int    argc,
                  char **argv)
{
  g_auto(RunOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StampedeRunConfig) config = NULL;
  g_autoptr(StampedePlatform) platform = NULL;
  g_autoptr(StampedeEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  const char *scenario = NULL;
  RunState state = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "rate", 'r', 0, G_OPTION_ARG_STRING, &options.rate,
      "Arrivals per second after the ramp (default 100)", "N" },
    { "ramp", 0, 0, G_OPTION_ARG_STRING, &options.ramp,
      "Seconds of linear ramp from 0 to the rate (default 0)", "S" },
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &options.duration,
      "Length of the run in seconds, ramp included (default 10)", "S" },
    { "target", 't', 0, G_OPTION_ARG_STRING, &options.target,
      "URL to POST transactions to (default: the embedded platform)", "URL" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &options.seed,
      "Seed of the transaction stream (default 1)", "N" },
    { "workers", 0, 0, G_OPTION_ARG_STRING, &options.workers,
      "Worker threads (default: one per CPU)", "N" },
    { "max-in-flight", 0, 0, G_OPTION_ARG_STRING, &options.max_in_flight,
      "Cap on requests awaiting an answer (default 1000)", "N" },
    { "timeout-ms", 0, 0, G_OPTION_ARG_STRING, &options.timeout_ms,
      "An answer later than this is a timeout (default 2000)", "MS" },
    { "agent-latency-ms", 0, 0, G_OPTION_ARG_STRING,
      &options.agent_latency_ms,
      "Mean modelled inference latency of each embedded agent (default 0)",
      "MS" },
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &options.json,
      "Write the summary as JSON to FILE", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options.quiet,
      "Print only the summary", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.rest,
      NULL, "[SCENARIO]" },
    { NULL }
  };

  context = g_option_context_new ("[SCENARIO] — run a load test headless");
  g_option_context_set_summary (context,
    "Sends transactions to a fraud-detection service on an open-model\n"
    "schedule and prints a progress line a second and a summary. With no\n"
    "--target the embedded reference platform is started and used.\n"
    "Flags override the scenario's settings.");
  g_option_context_set_description (context,
    "Exit status: 0 completed, 1 criteria failed, 2 bad usage or\n"
    "configuration, 3 target unreachable or run aborted.");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("run", "%s", error->message);

  if (options.rest != NULL && options.rest[0] != NULL) {
    if (options.rest[1] != NULL)
      return stampede_cli_usage_error ("run", "unexpected argument “%s”",
                                       options.rest[1]);
    scenario = options.rest[0];
  }

  if (scenario != NULL) {
    config = stampede_scenario_new_config (scenario, NULL, &error);
    if (config == NULL)
      return stampede_cli_usage_error ("run", "%s (see “stampede-cli "
                                       "scenarios”)", error->message);
  } else {
    config = stampede_run_config_new ();
  }

  if (!apply_options (&options, config, &error))
    return stampede_cli_usage_error ("run", "%s", error->message);

  if (options.target == NULL) {
    g_autofree char *url = NULL;

    if (!start_embedded_platform (&options, &platform, &url, &error)) {
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        return stampede_cli_usage_error ("run", "%s", error->message);
      g_printerr ("stampede-cli run: could not start the embedded "
                  "platform: %s\n", error->message);
      return STAMPEDE_EXIT_UNREACHABLE;
    }
    g_free (config->target_url);
    config->target_url = g_steal_pointer (&url);
  } else if (options.agent_latency_ms != NULL) {
    return stampede_cli_usage_error ("run", "--agent-latency-ms applies "
                                     "only to the embedded platform, not "
                                     "with --target");
  }

  if (!stampede_run_config_validate (config, &error))
    return stampede_cli_usage_error ("run", "%s", error->message);

  if (!options.quiet)
    g_print ("Target %s: %.1f/s, ramp %.1f s, %.1f s, seed %"
             G_GUINT64_FORMAT "\n", config->target_url, config->rate,
             config->ramp_s, config->duration_s, config->seed);

  loop = g_main_loop_new (NULL, FALSE);
  engine = stampede_engine_new ();
  state.loop = loop;
  state.engine = engine;
  state.config = config;
  state.json_path = options.json;
  state.last_second = 0;
  state.quiet = options.quiet;

  status = run_to_end (&state);

  g_clear_pointer (&state.final, stampede_snapshot_unref);
  if (platform != NULL)
    stampede_platform_stop (platform);

  return status;
}
