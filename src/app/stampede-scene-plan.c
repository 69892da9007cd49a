/* stampede-scene-plan.c — the scenes of a presented scenario
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gi18n.h>

#include "stampede-format.h"
#include "stampede-scene-plan.h"

struct _StampedeScenePlan {
  StampedeScenarioSpec *spec;
  StampedeLoadShape    *shape;
  double                start[STAMPEDE_N_SCENES];
  double                ramp_s;
  double                rate;
};

/* Where the failure and the recovery start in a scenario without faults:
 * the run is cut in thirds. */
#define NO_FAULT_SHARE 3.0

static void
plan_times (StampedeScenePlan *self)
{
  const StampedeScenarioSpec *spec = self->spec;
  double duration = stampede_scenario_spec_duration (spec);
  const StampedeFaultSpec *fault = spec->n_faults > 0 ? &spec->faults[0]
                                                      : NULL;

  self->start[STAMPEDE_SCENE_INTRO] = 0;
  self->start[STAMPEDE_SCENE_RAMP] = 0;
  if (fault != NULL) {
    self->start[STAMPEDE_SCENE_FAILURE] = MIN (fault->at_s, duration);
    self->start[STAMPEDE_SCENE_RECOVERY] =
      fault->duration_s > 0 ? MIN (fault->at_s + fault->duration_s, duration)
                            : duration;
  } else {
    self->start[STAMPEDE_SCENE_FAILURE] = duration / NO_FAULT_SHARE;
    self->start[STAMPEDE_SCENE_RECOVERY] = 2 * duration / NO_FAULT_SHARE;
  }
  self->start[STAMPEDE_SCENE_SUMMARY] = duration;

  /* The engine runs a ramp from nothing followed by a steady rate; a
   * scenario that starts with a ramp from zero keeps its ramp. */
  self->ramp_s = 0;
  if (spec->n_stages > 0 && spec->stages[0].kind == STAMPEDE_STAGE_RAMP
      && spec->stages[0].from == 0)
    self->ramp_s = spec->stages[0].duration_s;

  self->rate = 0;
  for (guint i = 0; i < spec->n_stages; i++)
    self->rate = MAX (self->rate, stampede_stage_peak_rate (&spec->stages[i]));
}

/**
 * stampede_scene_plan_new:
 * @scenario: the name of a built-in scenario
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the plan, or %NULL with @error set
 *   when there is no such scenario
 */
StampedeScenePlan *
stampede_scene_plan_new (const char  *scenario,
                         GError     **error)
{
  g_autoptr(StampedeScenarioSpec) spec = NULL;
  StampedeLoadShape *shape;
  StampedeScenePlan *self;

  g_return_val_if_fail (scenario != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  spec = stampede_scenario_spec_new_builtin (scenario, 1.0, error);
  if (spec == NULL)
    return NULL;

  shape = stampede_scenario_spec_new_load_shape (spec, error);
  if (shape == NULL)
    return NULL;

  self = g_new0 (StampedeScenePlan, 1);
  self->spec = g_steal_pointer (&spec);
  self->shape = shape;
  plan_times (self);

  return self;
}

void
stampede_scene_plan_free (StampedeScenePlan *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->spec, stampede_scenario_spec_free);
  g_clear_pointer (&self->shape, stampede_load_shape_free);
  g_free (self);
}

const StampedeScenarioSpec *
stampede_scene_plan_get_spec (StampedeScenePlan *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->spec;
}

/**
 * stampede_scene_plan_get_start:
 * @self: a plan
 * @scene: a scene
 *
 * Returns: the time into the scenario when @scene starts, in seconds
 */
double
stampede_scene_plan_get_start (StampedeScenePlan *self,
                               StampedeScene      scene)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (scene < STAMPEDE_N_SCENES, 0);

  return self->start[scene];
}

/**
 * stampede_scene_plan_scene_at:
 * @self: a plan
 * @time_s: a time into a running scenario, in seconds
 *
 * Returns: the scene that is playing at @time_s; never the intro, and the
 *   summary only once the scenario's time is up
 */
StampedeScene
stampede_scene_plan_scene_at (StampedeScenePlan *self,
                              double             time_s)
{
  g_return_val_if_fail (self != NULL, STAMPEDE_SCENE_INTRO);

  if (time_s >= self->start[STAMPEDE_SCENE_SUMMARY])
    return STAMPEDE_SCENE_SUMMARY;
  if (time_s >= self->start[STAMPEDE_SCENE_RECOVERY])
    return STAMPEDE_SCENE_RECOVERY;
  if (time_s >= self->start[STAMPEDE_SCENE_FAILURE])
    return STAMPEDE_SCENE_FAILURE;

  return STAMPEDE_SCENE_RAMP;
}

/**
 * stampede_scene_get_title:
 * @scene: a scene
 *
 * Returns: the scene's name, translated
 */
const char *
stampede_scene_get_title (StampedeScene scene)
{
  switch (scene) {
  case STAMPEDE_SCENE_INTRO:
    return _("Introduction");
  case STAMPEDE_SCENE_RAMP:
    return _("Ramp");
  case STAMPEDE_SCENE_FAILURE:
    return _("Injected failure");
  case STAMPEDE_SCENE_RECOVERY:
    return _("Recovery");
  case STAMPEDE_SCENE_SUMMARY:
    return _("Summary");
  case STAMPEDE_N_SCENES:
  default:
    g_return_val_if_reached (NULL);
  }
}

static const char *
agent_title (const char *agent)
{
  if (g_strcmp0 (agent, "transaction_analyzer") == 0)
    return _("transaction analyzer");
  if (g_strcmp0 (agent, "pattern_detector") == 0)
    return _("pattern detector");
  if (g_strcmp0 (agent, "geo_risk") == 0)
    return _("geo/risk");
  if (g_strcmp0 (agent, "reasoning") == 0)
    return _("reasoning");

  return agent;
}

static char *
describe_failure (StampedeScenePlan *self)
{
  const StampedeFaultSpec *fault;
  g_autofree char *at = NULL;
  g_autofree char *length = NULL;

  if (self->spec->n_faults == 0)
    return g_strdup (_("This scenario injects no failure; the load holds "
                       "steady"));

  fault = &self->spec->faults[0];
  at = stampede_format_clock (fault->at_s);
  length = stampede_format_clock (fault->duration_s);

  if (fault->kind == STAMPEDE_FAULT_AGENT_CRASH && fault->agent != NULL)
    /* Translators: an agent's name, then times such as "1:00" and
     * "0:20". */
    return g_strdup_printf (_("The scenario takes the %s agent down at %s "
                              "for %s"),
                            agent_title (fault->agent), at, length);

  /* Translators: a fault's name such as "latency_spike", then times. */
  return g_strdup_printf (_("The scenario injects %s at %s for %s"),
                          stampede_fault_kind_to_string (fault->kind), at,
                          length);
}

/**
 * stampede_scene_plan_describe:
 * @self: a plan
 * @scene: a scene
 *
 * Returns: (transfer full): one sentence that says what @scene shows,
 *   with the times and rates of the scenario
 */
char *
stampede_scene_plan_describe (StampedeScenePlan *self,
                              StampedeScene      scene)
{
  g_autofree char *rate = NULL;
  g_autofree char *ramp = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  switch (scene) {
  case STAMPEDE_SCENE_INTRO:
    return g_strdup (_("A fraud-detection platform under live transaction "
                       "load · press Space to start"));

  case STAMPEDE_SCENE_RAMP:
    rate = stampede_format_rate (self->rate);
    ramp = stampede_format_clock (self->ramp_s);
    /* Translators: a rate such as "400", then a time such as "0:20". */
    return g_strdup_printf (_("Traffic climbs to %s transactions a second "
                              "in %s"), rate, ramp);

  case STAMPEDE_SCENE_FAILURE:
    return describe_failure (self);

  case STAMPEDE_SCENE_RECOVERY:
    return g_strdup (_("The failure is over: watch errors and latency "
                       "settle"));

  case STAMPEDE_SCENE_SUMMARY:
    return g_strdup (_("What the run measured"));

  case STAMPEDE_N_SCENES:
  default:
    g_return_val_if_reached (NULL);
  }
}

/**
 * stampede_scene_plan_new_config:
 * @self: a plan
 * @scene: the scene to start from
 * @target_url: (nullable): where the run aims
 * @start_s: (out): where to store the time into the scenario at which the
 *   run starts
 *
 * Makes the run that plays the scenario from @scene on.  The engine runs
 * a ramp from nothing followed by a steady rate, so a run that starts in
 * the intro or the ramp plays the whole scenario, and a later scene starts
 * at the steady rate of its time and lasts what is left of the scenario;
 * the summary plays the whole scenario again.
 *
 * Returns: (transfer full): the configuration
 */
StampedeRunConfig *
stampede_scene_plan_new_config (StampedeScenePlan *self,
                                StampedeScene      scene,
                                const char        *target_url,
                                double            *start_s)
{
  StampedeRunConfig *config;
  double from = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (scene < STAMPEDE_N_SCENES, NULL);
  g_return_val_if_fail (start_s != NULL, NULL);

  if (scene == STAMPEDE_SCENE_FAILURE || scene == STAMPEDE_SCENE_RECOVERY)
    from = self->start[scene];
  if (from < self->ramp_s)
    from = 0;

  config = stampede_run_config_new ();
  config->target_url = g_strdup (target_url);
  config->seed = self->spec->seed;
  config->duration_s = self->start[STAMPEDE_SCENE_SUMMARY] - from;
  if (self->spec->max_in_flight > 0)
    config->max_in_flight = self->spec->max_in_flight;
  if (self->spec->timeout_ms > 0)
    config->timeout_ms = self->spec->timeout_ms;
  if (self->spec->workers > 0)
    config->n_workers = self->spec->workers;

  if (from == 0) {
    config->rate = self->rate;
    config->ramp_s = self->ramp_s;
  } else {
    config->rate = stampede_load_shape_rate_at (self->shape, from);
    config->ramp_s = 0;
  }

  *start_s = from;

  return config;
}

/**
 * stampede_scene_plan_dup_spec_from:
 * @self: a plan
 * @start_s: the time into the scenario at which a run starts, from
 *   stampede_scene_plan_new_config()
 *
 * Makes the scenario as a run that starts at @start_s plays it: its
 * faults move earlier by @start_s, a fault already under way keeps what
 * is left of it, and a fault already over is left out.
 *
 * Returns: (transfer full): the scenario
 */
StampedeScenarioSpec *
stampede_scene_plan_dup_spec_from (StampedeScenePlan *self,
                                   double             start_s)
{
  g_autofree char *data = NULL;
  StampedeScenarioSpec *spec;
  gsize length;
  guint kept = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (start_s >= 0, NULL);

  /* The scenario's own text is the one deep copy it has. */
  data = stampede_scenario_spec_to_data (self->spec, &length);
  spec = stampede_scenario_spec_new_from_data (data, length, self->spec->name,
                                               NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  for (guint i = 0; i < spec->n_faults; i++) {
    StampedeFaultSpec fault = spec->faults[i];
    double end_s = fault.at_s + fault.duration_s;

    if (fault.duration_s > 0 && end_s <= start_s) {
      g_free (fault.agent);
      continue;
    }

    if (fault.at_s < start_s) {
      if (fault.duration_s > 0)
        fault.duration_s = end_s - start_s;
      fault.at_s = start_s;
    }
    fault.at_s -= start_s;
    spec->faults[kept++] = fault;
  }
  spec->n_faults = kept;

  return spec;
}
