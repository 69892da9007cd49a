/* stampede-cli-run.c — `stampede-cli run`: one headless load run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "stampede-cli.h"
#include "stampede-engine.h"
#include "stampede-platform.h"

typedef struct {
  GMainLoop         *loop;
  StampedeEngine    *engine;
  StampedeSnapshot  *final;
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
  char     *scale;
  char     *connections;
  char     *abort_below;
  char     *abort_after;
  char     *request_template;
  char     *response_map;
  char     *json;
  char     *csv;
  char     *junit;
  char     *spectrum;
  char     *platform_admin;
  char     *admin_token;
  char     *retry_max;
  char     *retry_base_ms;
  char     *retry_cap_ms;
  char     *transport;
  gboolean  poisson;
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
  g_clear_pointer (&options->scale, g_free);
  g_clear_pointer (&options->connections, g_free);
  g_clear_pointer (&options->abort_below, g_free);
  g_clear_pointer (&options->abort_after, g_free);
  g_clear_pointer (&options->request_template, g_free);
  g_clear_pointer (&options->response_map, g_free);
  g_clear_pointer (&options->json, g_free);
  g_clear_pointer (&options->csv, g_free);
  g_clear_pointer (&options->junit, g_free);
  g_clear_pointer (&options->spectrum, g_free);
  g_clear_pointer (&options->platform_admin, g_free);
  g_clear_pointer (&options->admin_token, g_free);
  g_clear_pointer (&options->retry_max, g_free);
  g_clear_pointer (&options->retry_base_ms, g_free);
  g_clear_pointer (&options->retry_cap_ms, g_free);
  g_clear_pointer (&options->transport, g_free);
  g_clear_pointer (&options->rest, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunOptions, run_options_clear)

static void
print_progress (const StampedeSnapshot *snapshot)
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
    print_progress (snapshot);
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

static gboolean
bad_value (GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_value (GError     **error,
           const char  *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error,
                     g_error_new_valist (G_OPTION_ERROR,
                                         G_OPTION_ERROR_BAD_VALUE,
                                         format, args));
  va_end (args);

  return FALSE;
}

/* A scenario argument is a file when it looks like a path; otherwise it
 * names a built-in. */
static gboolean
names_a_file (const char *scenario)
{
  return strchr (scenario, '/') != NULL
         || g_str_has_suffix (scenario, ".json");
}

static StampedeScenarioSpec *
load_spec (const RunOptions  *options,
           const char        *scenario,
           GError           **error)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  double scale = 1;

  if (options->scale != NULL) {
    if (!stampede_cli_parse_double ("--scale", options->scale, 0,
                                    STAMPEDE_LOAD_SHAPE_MAX_RATE, &scale,
                                    error))
      return NULL;
    if (scale <= 0) {
      bad_value (error, "--scale: must be greater than 0, not %s",
                 options->scale);
      return NULL;
    }
  }

  if (names_a_file (scenario))
    spec = stampede_scenario_spec_new_from_file (scenario, error);
  else
    spec = stampede_scenario_spec_new_builtin (scenario, 1, error);
  if (spec == NULL)
    return NULL;

  if (scale != 1 && !stampede_scenario_spec_scale (spec, scale, error)) {
    g_prefix_error (error, "--scale: ");
    return NULL;
  }

  return g_steal_pointer (&spec);
}

static double
stages_peak_rate (const StampedeRunConfig *config)
{
  double peak = 0;

  for (guint i = 0; i < config->n_stages; i++)
    peak = MAX (peak, stampede_stage_peak_rate (&config->stages[i]));

  return peak;
}

/*
 * The load profile's flags.  --rate and --ramp replace a scenario's stages
 * with a ramp to a constant rate (the stages' peak unless --rate says
 * otherwise) over the same length unless --duration says otherwise.
 * --duration alone cannot shorten a staged scenario: which part of the
 * shape to keep is not obvious, so it asks for --rate instead.
 */
static gboolean
apply_profile (const RunOptions   *options,
               StampedeRunConfig  *config,
               GError            **error)
{
  gboolean replace = options->rate != NULL || options->ramp != NULL;

  if (config->n_stages > 0 && replace) {
    config->rate = stages_peak_rate (config);
    config->ramp_s = 0;
    g_clear_pointer (&config->stages, g_free);
    config->n_stages = 0;
  }

  if (config->n_stages > 0 && options->duration != NULL)
    return bad_value (error, "--duration: the scenario's stages set its "
                      "length (%g s); give --rate as well to replace them "
                      "with a constant rate", config->duration_s);

  if (options->rate != NULL
      && !stampede_cli_parse_double ("--rate", options->rate, 0.001,
                                     STAMPEDE_LOAD_SHAPE_MAX_RATE,
                                     &config->rate, error))
    return FALSE;
  if (options->ramp != NULL
      && !stampede_cli_parse_double ("--ramp", options->ramp, 0,
                                     STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                                     &config->ramp_s, error))
    return FALSE;
  if (options->duration != NULL
      && !stampede_cli_parse_double ("--duration", options->duration, 0.001,
                                     STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                                     &config->duration_s, error))
    return FALSE;

  if (options->poisson)
    config->arrivals = STAMPEDE_ARRIVALS_POISSON;

  return TRUE;
}

static gboolean
parse_count (const char  *flag,
             const char  *text,
             guint64      min,
             guint64      max,
             guint       *out,
             GError     **error)
{
  guint64 value;

  if (!stampede_cli_parse_uint64 (flag, text, max, &value, error))
    return FALSE;
  if (value < min)
    return bad_value (error, "%s: must be at least %" G_GUINT64_FORMAT,
                      flag, min);

  *out = (guint) value;

  return TRUE;
}

static gboolean
apply_limits (const RunOptions   *options,
              StampedeRunConfig  *config,
              GError            **error)
{
  if (options->seed != NULL
      && !stampede_cli_parse_uint64 ("--seed", options->seed, G_MAXUINT64,
                                     &config->seed, error))
    return FALSE;
  if (options->workers != NULL
      && !parse_count ("--workers", options->workers, 0, 64,
                       &config->n_workers, error))
    return FALSE;
  if (options->max_in_flight != NULL
      && !parse_count ("--max-in-flight", options->max_in_flight, 1,
                       1000000, &config->max_in_flight, error))
    return FALSE;
  if (options->timeout_ms != NULL
      && !parse_count ("--timeout-ms", options->timeout_ms, 1, 3600000,
                       &config->timeout_ms, error))
    return FALSE;

  if (options->target != NULL) {
    g_free (config->target_url);
    config->target_url = g_strdup (options->target);
  }

  return TRUE;
}

/* The client retry policy, off unless --retry-max says otherwise; the
 * run configuration checks that the cap is not below the base. */
static gboolean
apply_retries (const RunOptions   *options,
               StampedeRunConfig  *config,
               GError            **error)
{
  if (options->retry_max != NULL
      && !parse_count ("--retry-max", options->retry_max, 0, 10,
                       &config->retry_max, error))
    return FALSE;
  if (options->retry_base_ms != NULL
      && !parse_count ("--retry-base-ms", options->retry_base_ms, 1, 600000,
                       &config->retry_base_ms, error))
    return FALSE;
  if (options->retry_cap_ms != NULL
      && !parse_count ("--retry-cap-ms", options->retry_cap_ms, 1, 600000,
                       &config->retry_cap_ms, error))
    return FALSE;

  return TRUE;
}

/* The transport, libcurl unless --transport says otherwise; the run
 * configuration checks that the raw one has an http:// target. */
static gboolean
apply_transport (const RunOptions   *options,
                 StampedeRunConfig  *config,
                 GError            **error)
{
  if (options->transport == NULL)
    return TRUE;

  if (g_str_equal (options->transport, "curl")) {
    config->transport = STAMPEDE_TRANSPORT_CURL;
    return TRUE;
  }

  if (g_str_equal (options->transport, "raw")) {
    config->transport = STAMPEDE_TRANSPORT_RAW;
    return TRUE;
  }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--transport: “%s” is not “curl” or “raw”",
               options->transport);

  return FALSE;
}

/* The closed model measures how much a target can take; it has no
 * schedule, so the flags that shape one do not apply. */
static gboolean
apply_closed_model (const RunOptions   *options,
                    StampedeRunConfig  *config,
                    GError            **error)
{
  if (options->connections == NULL)
    return TRUE;

  if (options->rate != NULL || options->ramp != NULL || options->poisson)
    return bad_value (error, "--connections runs a closed model with no "
                      "schedule; --rate, --ramp and --poisson do not "
                      "apply");

  if (!parse_count ("--connections", options->connections, 1, 10000,
                   &config->connections, error))
    return FALSE;

  /* A scenario's stages are a schedule too: the closed model replaces
   * them and keeps their length unless --duration says otherwise. */
  g_clear_pointer (&config->stages, g_free);
  config->n_stages = 0;

  return TRUE;
}

static gboolean
apply_abort (const RunOptions   *options,
             StampedeRunConfig  *config,
             GError            **error)
{
  if (options->abort_below != NULL) {
    if (!stampede_cli_parse_double ("--abort-below", options->abort_below,
                                    0, 1, &config->abort_below_share, error))
      return FALSE;
    if (config->abort_below_share <= 0)
      return bad_value (error, "--abort-below: the share must be above 0 "
                        "and at most 1");
  }

  if (options->abort_after != NULL) {
    if (!stampede_cli_parse_double ("--abort-after", options->abort_after,
                                    0, STAMPEDE_LOAD_SHAPE_MAX_DURATION,
                                    &config->abort_after_s, error))
      return FALSE;
    if (config->abort_after_s <= 0)
      return bad_value (error, "--abort-after: must be more than 0 s");
  }

  if (config->abort_below_share > 0 && !(config->abort_after_s > 0))
    return bad_value (error, "--abort-below needs --abort-after: for how "
                      "many seconds in a row the rate may fall short");
  if (config->abort_after_s > 0 && !(config->abort_below_share > 0))
    return bad_value (error, "--abort-after needs --abort-below: the share "
                      "of the target rate to stay above");

  return TRUE;
}

static gboolean
read_text_file (const char  *flag,
                const char  *path,
                char       **text,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_file_get_contents (path, text, NULL, &local_error))
    return TRUE;

  return bad_value (error, "%s: %s", flag, local_error->message);
}

/* The response map is the "response" object of a run configuration
 * (see StampedeRunConfig), so it is read, checked and reported on by the
 * same code. */
static gboolean
apply_response_map (const char         *path,
                    StampedeRunConfig  *config,
                    GError            **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) wrapper = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  if (!read_text_file ("--response-map", path, &text, error))
    return FALSE;

  /* An empty document parses to no root at all, which json-glib would
   * then complain about; a map is always an object. */
  if (*g_strstrip (text) == '\0')
    return bad_value (error, "--response-map %s: empty", path);
  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    return bad_value (error, "--response-map %s: %s", path,
                      local_error->message);
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad_value (error, "--response-map %s: not a JSON object", path);

  json_object_set_member (wrapper, "response",
                          json_node_copy (json_parser_get_root (parser)));
  json_node_set_object (node, wrapper);
  if (!stampede_run_config_update_from_json (config, node, &local_error))
    return bad_value (error, "--response-map %s: %s", path,
                      local_error->message);

  return TRUE;
}

static gboolean
apply_mapping (const RunOptions   *options,
               StampedeRunConfig  *config,
               GError            **error)
{
  if (options->request_template != NULL) {
    g_autofree char *text = NULL;

    if (!read_text_file ("--request-template", options->request_template,
                         &text, error))
      return FALSE;
    if (*g_strstrip (text) == '\0')
      return bad_value (error, "--request-template: %s is empty",
                        options->request_template);
    g_free (config->request_template);
    config->request_template = g_steal_pointer (&text);
  }

  if (options->response_map != NULL
      && !apply_response_map (options->response_map, config, error))
    return FALSE;

  return TRUE;
}

/* Applies the flags that were given on top of the scenario's settings or
 * the defaults, naming the flag in any error. */
static gboolean
apply_options (const RunOptions   *options,
               StampedeRunConfig  *config,
               GError            **error)
{
  return apply_closed_model (options, config, error)
         && apply_profile (options, config, error)
         && apply_limits (options, config, error)
         && apply_retries (options, config, error)
         && apply_transport (options, config, error)
         && apply_abort (options, config, error)
         && apply_mapping (options, config, error);
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

  /* Without the flag the platform keeps its default latency model, the
   * one the app's embedded platform uses, so that both measure alike. */
  if (options->agent_latency_ms != NULL) {
    if (!stampede_cli_parse_double ("--agent-latency-ms",
                                    options->agent_latency_ms, 0, 60000,
                                    &latency, error))
      return FALSE;
    stampede_platform_set_agent_latency_ms (platform, latency);
  }

  if (!stampede_platform_start (platform, "127.0.0.1", 0, error))
    return FALSE;

  base = stampede_platform_dup_url (platform);
  *url_out = g_strconcat (base, "/v1/score", NULL);
  *platform_out = g_steal_pointer (&platform);

  return TRUE;
}

/* Sets up the scenario's faults: a fault proxy in front of the target
 * when it has proxy faults, and the platform's admin API for the others
 * (the embedded platform's unless one is named).  The run then aims at
 * the proxy. */
static StampedeFaultSession *
new_fault_session (const RunOptions            *options,
                   const StampedeScenarioSpec  *spec,
                   StampedeRunConfig           *config,
                   StampedePlatform            *platform,
                   GError                     **error)
{
  g_autoptr(StampedeFaultSession) faults = NULL;

  if ((options->platform_admin == NULL) != (options->admin_token == NULL)) {
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "--platform-admin and --admin-token go together");
    return NULL;
  }

  faults = stampede_fault_session_new (spec, config->target_url, error);
  if (faults == NULL)
    return NULL;

  if (options->platform_admin != NULL) {
    stampede_fault_session_set_platform_admin (faults,
                                               options->platform_admin,
                                               options->admin_token);
  } else if (platform != NULL) {
    g_autofree char *url = stampede_platform_dup_url (platform);
    g_autofree char *token = stampede_platform_dup_admin_token (platform);

    stampede_fault_session_set_platform_admin (faults, url, token);
  }

  g_free (config->target_url);
  config->target_url =
    g_strdup (stampede_fault_session_get_target_url (faults));

  return g_steal_pointer (&faults);
}

static void
print_plan (const StampedeRunConfig    *config,
            const StampedeScenarioSpec *spec)
{
  const char *arrivals = config->arrivals == STAMPEDE_ARRIVALS_POISSON ?
                         "Poisson" : "uniform";

  if (spec != NULL)
    g_print ("Scenario %s\n", spec->name);

  if (config->connections > 0)
    g_print ("Target %s: closed model, %u connections, %.1f s, seed %"
             G_GUINT64_FORMAT "\n", config->target_url, config->connections,
             config->duration_s, config->seed);
  else if (config->n_stages > 0)
    g_print ("Target %s: %u %s over %.1f s, peak %.1f/s, %s arrivals, "
             "seed %" G_GUINT64_FORMAT "\n", config->target_url,
             config->n_stages, config->n_stages == 1 ? "stage" : "stages",
             config->duration_s, stages_peak_rate (config), arrivals,
             config->seed);
  else
    g_print ("Target %s: %.1f/s, ramp %.1f s, %.1f s, %s arrivals, seed %"
             G_GUINT64_FORMAT "\n", config->target_url, config->rate,
             config->ramp_s, config->duration_s, arrivals, config->seed);

  if (spec != NULL && spec->n_faults > 0)
    g_print ("Faults %u scheduled; each is measured in the summary\n",
             spec->n_faults);
}

static int
run_to_end (RunState                   *state,
            const StampedeRunConfig    *config,
            const StampedeScenarioSpec *spec,
            StampedeFaultSession       *faults,
            const StampedeCliOutputs   *outputs)
{
  g_autoptr(GError) error = NULL;
  guint sigint_id, sigterm_id;
  gint64 start_us;

  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, state);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, state);

  g_signal_connect (state->engine, "snapshot",
                    G_CALLBACK (snapshot_cb), state);
  g_signal_connect (state->engine, "finished",
                    G_CALLBACK (finished_cb), state);

  start_us = g_get_monotonic_time ();
  if (!stampede_engine_start (state->engine, config, &error)) {
    g_printerr ("stampede-cli run: %s\n", error->message);
    return STAMPEDE_EXIT_USAGE;
  }
  if (faults != NULL)
    stampede_fault_session_start (faults, start_us);

  g_main_loop_run (state->loop);

  if (faults != NULL)
    stampede_fault_session_stop (faults);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  if (state->final == NULL) {
    g_printerr ("stampede-cli run: interrupted before the run ended; "
                "no summary written\n");
    return STAMPEDE_EXIT_UNREACHABLE;
  }

  return stampede_cli_finish_run (state->engine, config, spec, faults,
                                  state->final, outputs,
                                  state->n_interrupts > 0);
}

/* The run configuration names its fields; a user of `run` knows the
 * flags, so a message about a field that a flag sets names the flag. */
static char *
dup_flag_message (const char *message)
{
  static const char * const fields[][2] = {
    { "target_url:", "--target:" },
    { "ramp_s:", "--ramp:" },
    { "duration_s:", "--duration:" },
    { "rate:", "--rate:" },
    { "connections:", "--connections:" },
    { "n_workers:", "--workers:" },
    { "max_in_flight:", "--max-in-flight:" },
    { "timeout_ms:", "--timeout-ms:" },
    { "abort.below_share:", "--abort-below:" },
    { "abort.after_s:", "--abort-after:" },
    { "retry.max:", "--retry-max:" },
    { "retry.base_ms:", "--retry-base-ms:" },
    { "retry.cap_ms:", "--retry-cap-ms:" },
    { "transport:", "--transport:" },
    { "request_template:", "--request-template:" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++) {
    if (g_str_has_prefix (message, fields[i][0]))
      return g_strconcat (fields[i][1], message + strlen (fields[i][0]),
                          NULL);
  }

  return g_strdup (message);
}

static gboolean
same_file (const char *a,
           const char *b)
{
  GStatBuf sa, sb;

  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0
         && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Whether @path could be written once the run is over, so that a typo
 * costs a second rather than a whole run. */
static gboolean
check_output (const char  *flag,
              const char  *path,
              const char  *scenario,
              GError     **error)
{
  g_autofree char *parent = NULL;

  if (path == NULL)
    return TRUE;
  if (*path == '\0')
    return bad_value (error, "%s: the file name is empty", flag);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return bad_value (error, "%s %s: is a directory", flag, path);
  if (scenario != NULL && names_a_file (scenario) && same_file (path, scenario))
    return bad_value (error, "%s %s: is the scenario file; it would be "
                      "overwritten", flag, path);

  parent = g_path_get_dirname (path);
  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    return bad_value (error, "%s %s: the directory %s does not exist", flag,
                      path, parent);
  if (g_access (parent, W_OK) != 0)
    return bad_value (error, "%s %s: the directory %s is not writable: %s",
                      flag, path, parent, g_strerror (errno));

  return TRUE;
}

static gboolean
check_outputs (const RunOptions  *options,
               GError           **error)
{
  const char *scenario = options->rest != NULL ? options->rest[0] : NULL;

  return check_output ("--json", options->json, scenario, error)
         && check_output ("--csv", options->csv, scenario, error)
         && check_output ("--junit", options->junit, scenario, error)
         && check_output ("--spectrum", options->spectrum, scenario, error);
}

static GOptionContext *
new_option_context (RunOptions *o)
{
  const GOptionEntry entries[] = {
    { "rate", 'r', 0, G_OPTION_ARG_STRING, &o->rate,
      "Arrivals per second after the ramp (default 100); replaces a "
      "scenario's stages", "N" },
    { "ramp", 0, 0, G_OPTION_ARG_STRING, &o->ramp,
      "Seconds of linear ramp from 0 to the rate (default 0)", "S" },
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &o->duration,
      "Length of the run in seconds, ramp included (default 10)", "S" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &o->scale,
      "Multiply every rate of the scenario by F (times stay)", "F" },
    { "poisson", 0, 0, G_OPTION_ARG_NONE, &o->poisson,
      "Poisson arrivals instead of evenly spaced ones", NULL },
    { "connections", 'c', 0, G_OPTION_ARG_STRING, &o->connections,
      "Closed model: N connections each send again once answered", "N" },
    { "target", 't', 0, G_OPTION_ARG_STRING, &o->target,
      "URL to POST transactions to (default: the scenario's, else the "
      "embedded platform)", "URL" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &o->seed,
      "Seed of the transaction stream (default 1)", "N" },
    { "workers", 0, 0, G_OPTION_ARG_STRING, &o->workers,
      "Worker threads (default: one per CPU)", "N" },
    { "max-in-flight", 0, 0, G_OPTION_ARG_STRING, &o->max_in_flight,
      "Cap on requests awaiting an answer (default 1000)", "N" },
    { "timeout-ms", 0, 0, G_OPTION_ARG_STRING, &o->timeout_ms,
      "An answer later than this is a timeout (default 5000)", "MS" },
    { "abort-below", 0, 0, G_OPTION_ARG_STRING, &o->abort_below,
      "Abort when the achieved rate stays below SHARE of the target…",
      "SHARE" },
    { "abort-after", 0, 0, G_OPTION_ARG_STRING, &o->abort_after,
      "… for S seconds in a row", "S" },
    { "request-template", 0, 0, G_OPTION_ARG_FILENAME, &o->request_template,
      "Send this body with {{field}} placeholders instead of the wire "
      "format", "FILE" },
    { "response-map", 0, 0, G_OPTION_ARG_FILENAME, &o->response_map,
      "JSON pointers to the decision, decline values, score and agent "
      "timings of the target's answer", "FILE" },
    { "agent-latency-ms", 0, 0, G_OPTION_ARG_STRING, &o->agent_latency_ms,
      "Mean modelled inference latency of each embedded agent (default: "
      "the platform's model, log-normal with a median of 2 ms for the "
      "scoring agents and 6 ms for the reasoning agent)", "MS" },
    { "retry-max", 0, 0, G_OPTION_ARG_STRING, &o->retry_max,
      "Send a transaction again up to N times after a 429, 503, transport "
      "error or timeout (default 0: no retries)", "N" },
    { "retry-base-ms", 0, 0, G_OPTION_ARG_STRING, &o->retry_base_ms,
      "First back-off before a retry, doubled each time (default 50)",
      "MS" },
    { "retry-cap-ms", 0, 0, G_OPTION_ARG_STRING, &o->retry_cap_ms,
      "Longest wait before a retry, Retry-After included (default 2000)",
      "MS" },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &o->transport,
      "How requests are sent: curl (default, any URL) or raw (the "
      "engine's own HTTP/1.1 client, http:// only, less CPU a request)",
      "curl|raw" },
    { "platform-admin", 0, 0, G_OPTION_ARG_STRING, &o->platform_admin,
      "Base URL of the platform's admin API, for the scenario's "
      "platform-side faults (default: the embedded platform's)", "URL" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &o->admin_token,
      "Bearer token of that admin API", "TOKEN" },
    { "json", 'j', 0, G_OPTION_ARG_FILENAME, &o->json,
      "Write the summary, criteria included, as JSON to FILE", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &o->csv,
      "Write the per-second series as CSV to FILE", "FILE" },
    { "junit", 0, 0, G_OPTION_ARG_FILENAME, &o->junit,
      "Write a JUnit XML report (one test case per criterion) to FILE",
      "FILE" },
    { "spectrum", 0, 0, G_OPTION_ARG_FILENAME, &o->spectrum,
      "Write the latency percentile spectrum as CSV to FILE", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      "Print only the summary", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->rest,
      NULL, "[SCENARIO|FILE.json]" },
    { NULL }
  };
  GOptionContext *context;

  context = g_option_context_new ("— run a load test headless");
  g_option_context_set_summary (context,
    "Sends transactions to a fraud-detection service and prints a progress\n"
    "line a second, a summary and the verdict of each success criterion.\n"
    "SCENARIO is a built-in (see “stampede-cli scenarios”); an argument\n"
    "that contains “/” or ends in “.json” is a scenario file\n"
    "(docs/scenarios.md).  With no target the embedded reference platform\n"
    "is started and used.  Flags override the scenario's settings.");
  g_option_context_set_description (context, STAMPEDE_CLI_EXIT_CODES);
  g_option_context_add_main_entries (context, entries, NULL);

  return context;
}

/* Works out the configuration from the scenario and the flags; on error
 * prints it and sets *status. */
static StampedeRunConfig *
plan_run (const RunOptions       *options,
          StampedeScenarioSpec  **spec_out,
          int                    *status)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(StampedeRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *scenario = NULL;

  *status = STAMPEDE_EXIT_USAGE;

  if (options->rest != NULL && options->rest[0] != NULL) {
    if (options->rest[1] != NULL) {
      stampede_cli_usage_error ("run", "unexpected argument “%s”",
                                options->rest[1]);
      return NULL;
    }
    scenario = options->rest[0];
  }

  if (scenario == NULL && options->scale != NULL) {
    stampede_cli_usage_error ("run", "--scale: applies to a scenario; name "
                              "one (see “stampede-cli scenarios”)");
    return NULL;
  }

  if (scenario != NULL) {
    spec = load_spec (options, scenario, &error);
    if (spec == NULL) {
      stampede_cli_usage_error ("run", "%s", error->message);
      return NULL;
    }
    config = stampede_run_config_new_from_spec (spec);
  } else {
    config = stampede_run_config_new ();
  }

  if (!apply_options (options, config, &error)) {
    stampede_cli_usage_error ("run", "%s", error->message);
    return NULL;
  }

  *spec_out = g_steal_pointer (&spec);
  *status = STAMPEDE_EXIT_OK;

  return g_steal_pointer (&config);
}

int
stampede_cli_run (int    argc,
                  char **argv)
{
  g_auto(RunOptions) options = { 0 };
  g_autoptr(GOptionContext) context = new_option_context (&options);
  g_autoptr(GError) error = NULL;
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  g_autoptr(StampedeRunConfig) config = NULL;
  g_autoptr(StampedePlatform) platform = NULL;
  g_autoptr(StampedeEngine) engine = NULL;
  g_autoptr(StampedeFaultSession) faults = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  StampedeCliOutputs outputs = { 0 };
  RunState state = { 0 };
  int status;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return stampede_cli_usage_error ("run", "%s", error->message);

  if (!check_outputs (&options, &error))
    return stampede_cli_usage_error ("run", "%s", error->message);
  config = plan_run (&options, &spec, &status);
  if (config == NULL)
    return status;

  if (config->target_url == NULL) {
    g_autofree char *url = NULL;

    if (!start_embedded_platform (&options, &platform, &url, &error)) {
      if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        return stampede_cli_usage_error ("run", "%s", error->message);
      g_printerr ("stampede-cli run: could not start the embedded "
                  "platform: %s\n", error->message);
      return STAMPEDE_EXIT_UNREACHABLE;
    }
    config->target_url = g_steal_pointer (&url);
  } else if (options.agent_latency_ms != NULL) {
    return stampede_cli_usage_error ("run", "--agent-latency-ms applies "
                                     "only to the embedded platform, not "
                                     "to another target");
  }

  if (!stampede_run_config_validate (config, &error)) {
    g_autofree char *message = dup_flag_message (error->message);

    return stampede_cli_usage_error ("run", "%s", message);
  }

  if (spec != NULL && spec->n_faults > 0) {
    faults = new_fault_session (&options, spec, config, platform, &error);
    if (faults == NULL)
      return stampede_cli_usage_error ("run", "%s", error->message);
  } else if (options.platform_admin != NULL || options.admin_token != NULL) {
    return stampede_cli_usage_error ("run", "--platform-admin and "
                                     "--admin-token apply only to a "
                                     "scenario with faults");
  }

  if (!options.quiet)
    print_plan (config, spec);

  outputs.json = options.json;
  outputs.csv = options.csv;
  outputs.junit = options.junit;
  outputs.spectrum = options.spectrum;

  loop = g_main_loop_new (NULL, FALSE);
  engine = stampede_engine_new ();
  state.loop = loop;
  state.engine = engine;
  state.quiet = options.quiet;

  status = run_to_end (&state, config, spec, faults, &outputs);

  g_clear_pointer (&state.final, stampede_snapshot_unref);
  if (platform != NULL)
    stampede_platform_stop (platform);

  return status;
}
