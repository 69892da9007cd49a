/* stampede-flow-canvas.c — the live transaction-flow view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The canvas stacks four layers: a backdrop that GTK draws (background,
 * edges, glows, sinks), the particles, the node faces and glyphs, and the
 * labels on top.  Particles are
 * drawn by a GtkGLArea child whose framebuffer is transparent where no
 * particle shines; without GL they are drawn with cairo instead (the
 * software view), so the canvas is never a blank box.
 *
 * The frame budget.  When the GL renderer is a software one (Mesa's
 * llvmpipe or softpipe, SwiftShader) or the canvas draws its software
 * view, the CPU draws every frame of the whole window: at 1280x720 under
 * llvmpipe that is most of a core at the display's rate, taken from the
 * engine and platform the page is showing, and the presenter must never
 * stall the run it shows.  There the canvas draws at most one frame in
 * each slot of the monotonic clock: the ticks in between move its clock
 * on but queue nothing.  Particles' positions are worked out from the
 * clock, so motion stays right, only coarser.  On hardware GL it draws at
 * the display's rate.  The budget is the "frame-interval" property (0 for
 * the display's rate), so that the widgets around the canvas can keep to
 * the same one; stampede_flow_frame_is_due() puts all of them on the same
 * frames.
 *
 * The budget adapts to what a frame really costs.  A fixed 20 frames a
 * second still took more than a core under llvmpipe at 1280x720, where a
 * frame costs about 55 ms, so the canvas times each frame it asks for:
 * from its tick (the frame clock's update phase) to the frame clock's
 * "after-paint", which covers the layout, the snapshot, the GL render of
 * the particles and the paint of the whole window, the hero counters
 * included.  The slot is then twice the median of the last
 * STAMPEDE_FLOW_FRAME_COST_WINDOW costs, so that drawing takes at most
 * about half the time, rounded up to 10 ms so that jitter does not move
 * it every frame, and kept within 50 ms (20 frames a second, also the
 * budget before any frame is timed) and 200 ms (5 frames a second);
 * see stampede_flow_frame_interval_for_costs().  The costs are wall-clock
 * time, so a machine busy with the run also stretches them and the page
 * backs off further.  On hardware GL nothing is timed and the budget
 * stays 0.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/gl.h>

#include <glib/gi18n.h>

#include "stampede-flow-canvas.h"
#include "stampede-flow-labels.h"
#include "stampede-flow-layout.h"
#include "stampede-flow-particles.h"
#include "stampede-flow-renderer.h"
#include "stampede-flow-scene.h"

/* Seconds of a particle's trail, and how long it glows at its sink. */
#define TRAIL_S 0.12f
#define HOLD_S  0.6f

/* With reduced motion there are no trails and particles move this much
 * slower. */
#define REDUCED_MOTION_SLOWDOWN 1.5f

/* The software view draws at most this many particles a frame, the
 * newest first: cairo on the CPU cannot afford the GL cap. */
#define SOFTWARE_MAX_DRAWN 1500

/* A batch of samples is spread over the time since the previous batch, at
 * most this long, so that arrivals stream in instead of clumping. */
#define MAX_STAGGER_S 0.25

/* A frame after a stall (a hidden window, a busy machine) advances the
 * clock at most this much, so that particles do not jump. */
#define MAX_FRAME_STEP_S 0.1

/* Weight of the newest sample in the agents' running means. */
#define AGENT_MEAN_WEIGHT 0.05f
#define SILENT_AFTER_ANSWERS 5

/* GL_RENDERER of the software rasterisers known to draw with the CPU. */
static const char * const software_renderers[] = {
  "llvmpipe", "softpipe", "SwiftShader",
};

struct _StampedeFlowCanvas {
  GtkWidget             parent_instance;

  GtkWidget            *gl_area;
  StampedeFlowRenderer *renderer;
  gboolean              gl_failed;
  gboolean              force_software;
  gboolean              paused;
  gboolean              reduced_motion;

  StampedeFlowRing      ring;
  guint64               serial;
  double                time_s;
  double                last_batch_s;
  double                live_until_s;
  gint64                last_frame_us;
  gint64                last_drawn_us;
  gint64                frame_interval_us;
  guint                 tick_id;
  GdkFrameClock        *frame_clock;
  gulong                after_paint_id;
  gint64                frame_start_us;
  gint64                frame_costs_us[STAMPEDE_FLOW_FRAME_COST_WINDOW];
  guint                 n_frame_costs;
  guint                 next_frame_cost;
  char                 *gl_renderer;

  double                represented;
  float                 agent_mean_ms[4];

  StampedeFlowLayout    layout;
  GskRenderNode        *backdrop;
  GskRenderNode        *nodes;
  GskRenderNode        *labels;
};

G_DEFINE_FINAL_TYPE (StampedeFlowCanvas, stampede_flow_canvas, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAUSED,
  PROP_REDUCED_MOTION,
  PROP_FORCE_SOFTWARE,
  PROP_SOFTWARE,
  PROP_REPRESENTED,
  PROP_FRAME_INTERVAL,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_software (StampedeFlowCanvas *self)
{
  return self->force_software || self->gl_failed;
}

/* Works out the frame budget again (see the top of this file). */
static void
update_frame_interval (StampedeFlowCanvas *self)
{
  gboolean cpu;
  gint64 interval;

  cpu = is_software (self)
        || stampede_flow_renderer_name_is_software (self->gl_renderer);
  /* Costs measured on another renderer say nothing about this one. */
  if (!cpu) {
    self->n_frame_costs = 0;
    self->next_frame_cost = 0;
  }
  interval = stampede_flow_frame_interval_for_costs (cpu,
                                                     self->frame_costs_us,
                                                     self->n_frame_costs);
  if (interval == self->frame_interval_us)
    return;

  g_debug ("Flow canvas frame budget: %" G_GINT64_FORMAT " us",
           interval);
  self->frame_interval_us = interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME_INTERVAL]);
}

static void
queue_frame (StampedeFlowCanvas *self)
{
  g_assert (STAMPEDE_IS_FLOW_CANVAS (self));

  if (is_software (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    gtk_gl_area_queue_render (GTK_GL_AREA (self->gl_area));
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (widget);
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double step = (now - self->last_frame_us) / (double) G_USEC_PER_SEC;

  gboolean done;

  if (self->last_frame_us != 0)
    self->time_s += CLAMP (step, 0.0, MAX_FRAME_STEP_S);
  self->last_frame_us = now;

  /* Once the last particle has faded there is nothing to animate; the
   * next arrival starts the clock again.  That last frame is drawn
   * whatever the budget, so that no particle stays behind. */
  done = self->time_s >= self->live_until_s;

  if (done || stampede_flow_frame_is_due (self->last_drawn_us, now,
                                          self->frame_interval_us)) {
    self->last_drawn_us = now;
    if (self->frame_interval_us > 0)
      self->frame_start_us = g_get_monotonic_time ();
    queue_frame (self);
    /* Labels dropped since the last frame are drawn with this one. */
    if (self->labels == NULL)
      gtk_widget_queue_draw (widget);
  }

  if (done) {
    self->tick_id = 0;
    self->last_frame_us = 0;
    return G_SOURCE_REMOVE;
  }

  return G_SOURCE_CONTINUE;
}

static void
update_ticking (StampedeFlowCanvas *self)
{
  gboolean want;

  g_assert (STAMPEDE_IS_FLOW_CANVAS (self));

  want = gtk_widget_get_mapped (GTK_WIDGET (self))
         && !self->paused
         && self->time_s < self->live_until_s;

  if (want && self->tick_id == 0) {
    self->last_frame_us = 0;
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb,
                                                  NULL, NULL);
  } else if (!want && self->tick_id != 0) {
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
    self->tick_id = 0;
  }
}

static void
set_gl_failed (StampedeFlowCanvas *self,
               gboolean            failed)
{
  gboolean was_software = is_software (self);

  self->gl_failed = failed;
  update_frame_interval (self);

  if (was_software != is_software (self)) {
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOFTWARE]);
    gtk_widget_queue_draw (GTK_WIDGET (self));
  }
}

static gboolean
context_is_capable (GdkGLContext *context)
{
  int major = 0, minor = 0;

  gdk_gl_context_get_version (context, &major, &minor);

  /* Instanced arrays and the shaders' GLSL need GL 3.3 or GLES 3.0. */
  if (gdk_gl_context_get_use_es (context))
    return major >= 3;

  return major > 3 || (major == 3 && minor >= 3);
}

static void
gl_realize_cb (GtkGLArea          *area,
               StampedeFlowCanvas *self)
{
  g_autoptr(GError) error = NULL;
  GdkGLContext *context;

  gtk_gl_area_make_current (area);
  g_clear_pointer (&self->gl_renderer, g_free);
  if (gtk_gl_area_get_error (area) != NULL) {
    g_message ("No OpenGL for the flow canvas (%s); drawing the software view",
               gtk_gl_area_get_error (area)->message);
    set_gl_failed (self, TRUE);
    return;
  }

  context = gtk_gl_area_get_context (area);
  self->gl_renderer = g_strdup ((const char *) glGetString (GL_RENDERER));
  g_debug ("Flow canvas GL renderer: %s",
           self->gl_renderer != NULL ? self->gl_renderer : "(unknown)");
  update_frame_interval (self);

  if (!context_is_capable (context)) {
    g_message ("The flow canvas needs OpenGL 3.3 or OpenGL ES 3.0; "
               "drawing the software view");
    set_gl_failed (self, TRUE);
    return;
  }

  self->renderer = stampede_flow_renderer_new (
      gdk_gl_context_get_use_es (context), self->ring.capacity, &error);
  if (self->renderer == NULL) {
    g_warning ("Flow canvas: %s; drawing the software view", error->message);
    set_gl_failed (self, TRUE);
    return;
  }

  /* A new context starts with an empty buffer. */
  stampede_flow_ring_mark_all_dirty (&self->ring);
  set_gl_failed (self, FALSE);
}

static void
gl_unrealize_cb (GtkGLArea          *area,
                 StampedeFlowCanvas *self)
{
  if (self->renderer == NULL)
    return;

  /* The context still exists: GtkGLArea destroys it after this handler. */
  gtk_gl_area_make_current (area);
  g_clear_pointer (&self->renderer, stampede_flow_renderer_free);
}

static void
fill_uniforms (StampedeFlowCanvas   *self,
               StampedeFlowUniforms *u)
{
  int scale = gtk_widget_get_scale_factor (self->gl_area);
  guint i;

  u->time_s = (float) self->time_s;
  u->viewport[0] = (float) gtk_widget_get_width (self->gl_area) * scale;
  u->viewport[1] = (float) gtk_widget_get_height (self->gl_area) * scale;
  for (i = 0; i < STAMPEDE_FLOW_N_NODES; i++) {
    u->nodes[i][0] = self->layout.node[i].x * scale;
    u->nodes[i][1] = self->layout.node[i].y * scale;
  }
  u->radius = self->layout.particle_radius * scale;
  u->spread = self->layout.spread * scale;
  u->trail_s = self->reduced_motion ? 0.0f : TRAIL_S;
  u->hold_s = HOLD_S;
}

static gboolean
gl_render_cb (GtkGLArea          *area,
              GdkGLContext       *context,
              StampedeFlowCanvas *self)
{
  StampedeFlowUniforms uniforms;

  if (self->renderer == NULL)
    return FALSE;

  fill_uniforms (self, &uniforms);
  stampede_flow_renderer_upload (self->renderer, &self->ring);
  stampede_flow_renderer_draw (self->renderer, &uniforms,
                               stampede_flow_ring_get_count (&self->ring));

  return TRUE;
}

static void
ensure_labels (StampedeFlowCanvas *self)
{
  if (self->labels == NULL)
    self->labels = stampede_flow_labels_build (GTK_WIDGET (self), &self->layout,
                                               self->agent_mean_ms,
                                               self->represented);
}

static void
invalidate_labels (StampedeFlowCanvas *self)
{
  g_clear_pointer (&self->labels, gsk_render_node_unref);

  /* A ticking canvas draws the new labels with its next frame, within
   * its frame budget. */
  if (self->tick_id == 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
stampede_flow_canvas_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (widget);

  if (self->backdrop == NULL)
    self->backdrop = stampede_flow_scene_backdrop (&self->layout);
  gtk_snapshot_append_node (snapshot, self->backdrop);

  if (is_software (self)) {
    StampedeFlowClock clock = {
      .time_s = (float) self->time_s,
      .trail_s = self->reduced_motion ? 0.0f : TRAIL_S,
      .hold_s = HOLD_S,
    };

    stampede_flow_scene_particles (snapshot, &self->layout, &self->ring,
                                   &clock, SOFTWARE_MAX_DRAWN);
  } else {
    gtk_widget_snapshot_child (widget, self->gl_area, snapshot);
  }

  if (self->nodes == NULL)
    self->nodes = stampede_flow_scene_nodes (&self->layout);
  gtk_snapshot_append_node (snapshot, self->nodes);

  ensure_labels (self);
  if (self->labels != NULL)
    gtk_snapshot_append_node (snapshot, self->labels);
}

static void
stampede_flow_canvas_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL) {
    *minimum = 320;
    *natural = 1280;
  } else {
    *minimum = 180;
    *natural = 720;
  }
}

static void
stampede_flow_canvas_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (widget);

  gtk_widget_allocate (self->gl_area, width, height, baseline, NULL);

  if (self->layout.width == width && self->layout.height == height)
    return;

  stampede_flow_layout_compute (&self->layout, width, height);
  g_clear_pointer (&self->backdrop, gsk_render_node_unref);
  g_clear_pointer (&self->nodes, gsk_render_node_unref);
  g_clear_pointer (&self->labels, gsk_render_node_unref);
  queue_frame (self);
}

/* The end of a frame the canvas asked for: its cost joins the recent ones
 * and the budget follows them (see the top of this file). */
static void
after_paint_cb (GdkFrameClock      *clock,
                StampedeFlowCanvas *self)
{
  gint64 cost;

  if (self->frame_start_us == 0)
    return;

  cost = g_get_monotonic_time () - self->frame_start_us;
  self->frame_start_us = 0;
  self->frame_costs_us[self->next_frame_cost] = cost;
  self->next_frame_cost = (self->next_frame_cost + 1)
                          % STAMPEDE_FLOW_FRAME_COST_WINDOW;
  if (self->n_frame_costs < STAMPEDE_FLOW_FRAME_COST_WINDOW)
    self->n_frame_costs++;
  update_frame_interval (self);
}

static void
disconnect_frame_clock (StampedeFlowCanvas *self)
{
  if (self->frame_clock == NULL)
    return;

  g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
  g_clear_object (&self->frame_clock);
  self->frame_start_us = 0;
}

static void
stampede_flow_canvas_realize (GtkWidget *widget)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (widget);

  GTK_WIDGET_CLASS (stampede_flow_canvas_parent_class)->realize (widget);

  disconnect_frame_clock (self);
  self->frame_clock = gtk_widget_get_frame_clock (widget);
  if (self->frame_clock == NULL)
    return;

  g_object_ref (self->frame_clock);
  self->after_paint_id = g_signal_connect (self->frame_clock, "after-paint",
                                           G_CALLBACK (after_paint_cb),
                                           self);
}

static void
stampede_flow_canvas_unrealize (GtkWidget *widget)
{
  disconnect_frame_clock (STAMPEDE_FLOW_CANVAS (widget));
  GTK_WIDGET_CLASS (stampede_flow_canvas_parent_class)->unrealize (widget);
}

static void
stampede_flow_canvas_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (stampede_flow_canvas_parent_class)->map (widget);
  update_ticking (STAMPEDE_FLOW_CANVAS (widget));
}

static void
stampede_flow_canvas_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (stampede_flow_canvas_parent_class)->unmap (widget);
  update_ticking (STAMPEDE_FLOW_CANVAS (widget));
}

static void
stampede_flow_canvas_dispose (GObject *object)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (object);

  if (self->tick_id != 0) {
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
    self->tick_id = 0;
  }
  disconnect_frame_clock (self);

  g_clear_pointer (&self->gl_area, gtk_widget_unparent);
  g_clear_pointer (&self->backdrop, gsk_render_node_unref);
  g_clear_pointer (&self->nodes, gsk_render_node_unref);
  g_clear_pointer (&self->labels, gsk_render_node_unref);

  G_OBJECT_CLASS (stampede_flow_canvas_parent_class)->dispose (object);
}

static void
stampede_flow_canvas_finalize (GObject *object)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (object);

  stampede_flow_ring_clear (&self->ring);
  g_clear_pointer (&self->gl_renderer, g_free);

  G_OBJECT_CLASS (stampede_flow_canvas_parent_class)->finalize (object);
}

static void
stampede_flow_canvas_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (object);

  switch (prop_id) {
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_REDUCED_MOTION:
      g_value_set_boolean (value, self->reduced_motion);
      break;
    case PROP_FORCE_SOFTWARE:
      g_value_set_boolean (value, self->force_software);
      break;
    case PROP_SOFTWARE:
      g_value_set_boolean (value, is_software (self));
      break;
    case PROP_REPRESENTED:
      g_value_set_double (value, self->represented);
      break;
    case PROP_FRAME_INTERVAL:
      g_value_set_int64 (value, self->frame_interval_us);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
stampede_flow_canvas_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  StampedeFlowCanvas *self = STAMPEDE_FLOW_CANVAS (object);

  switch (prop_id) {
    case PROP_PAUSED:
      stampede_flow_canvas_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_REDUCED_MOTION:
      stampede_flow_canvas_set_reduced_motion (self,
                                               g_value_get_boolean (value));
      break;
    case PROP_FORCE_SOFTWARE:
      stampede_flow_canvas_set_force_software (self,
                                               g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
stampede_flow_canvas_class_init (StampedeFlowCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stampede_flow_canvas_dispose;
  object_class->finalize = stampede_flow_canvas_finalize;
  object_class->get_property = stampede_flow_canvas_get_property;
  object_class->set_property = stampede_flow_canvas_set_property;

  widget_class->snapshot = stampede_flow_canvas_snapshot;
  widget_class->measure = stampede_flow_canvas_measure;
  widget_class->size_allocate = stampede_flow_canvas_size_allocate;
  widget_class->realize = stampede_flow_canvas_realize;
  widget_class->unrealize = stampede_flow_canvas_unrealize;
  widget_class->map = stampede_flow_canvas_map;
  widget_class->unmap = stampede_flow_canvas_unmap;

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_REDUCED_MOTION] =
    g_param_spec_boolean ("reduced-motion", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_FORCE_SOFTWARE] =
    g_param_spec_boolean ("force-software", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_SOFTWARE] =
    g_param_spec_boolean ("software", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPRESENTED] =
    g_param_spec_double ("represented", NULL, NULL, 0.0, G_MAXDOUBLE, 1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The frame budget in microseconds, 0 for the display's rate; on the
   * CPU it follows the frames' measured cost, and is notified when it
   * moves. */
  properties[PROP_FRAME_INTERVAL] =
    g_param_spec_int64 ("frame-interval", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                        G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "flowcanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
stampede_flow_canvas_init (StampedeFlowCanvas *self)
{
  const char *gdk_gl = g_getenv ("GDK_GL");

  stampede_flow_ring_init (&self->ring, STAMPEDE_FLOW_MAX_PARTICLES);
  self->represented = 1.0;
  stampede_flow_layout_compute (&self->layout, 1280, 720);

  /* GTK 4.8 reads GDK_DEBUG=gl-disable itself; GDK_GL=disable is how
   * users of other GTK versions ask for the same, so honour it too. */
  self->force_software = gdk_gl != NULL && strstr (gdk_gl, "disable") != NULL;
  self->frame_interval_us = self->force_software
                            ? STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US : 0;

  self->gl_area = gtk_gl_area_new ();
  gtk_gl_area_set_auto_render (GTK_GL_AREA (self->gl_area), TRUE);
  gtk_widget_set_can_target (self->gl_area, FALSE);
  gtk_widget_set_parent (self->gl_area, GTK_WIDGET (self));
  g_signal_connect_after (self->gl_area, "realize",
                          G_CALLBACK (gl_realize_cb), self);
  g_signal_connect (self->gl_area, "unrealize",
                    G_CALLBACK (gl_unrealize_cb), self);
  g_signal_connect (self->gl_area, "render", G_CALLBACK (gl_render_cb), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Transaction flow"), -1);
}

GtkWidget *
stampede_flow_canvas_new (void)
{
  return g_object_new (STAMPEDE_TYPE_FLOW_CANVAS, NULL);
}

static void
push_sample (StampedeFlowCanvas       *self,
             const StampedeFlowSample *sample,
             double                    spawn_s)
{
  StampedeFlowParticle *p = stampede_flow_ring_push (&self->ring);
  guint agent = stampede_flow_route_agent (sample->agent_ms, self->serial);
  guint outcome = sample->outcome;
  float rgb[3];
  guint i;

  /* An outcome this canvas does not know is shown as an error. */
  if (outcome >= STAMPEDE_FLOW_N_OUTCOMES)
    outcome = STAMPEDE_FLOW_ERROR;

  p->spawn_s = (float) spawn_s;
  p->duration_s = stampede_flow_duration_s (sample->latency_ms);
  if (self->reduced_motion)
    p->duration_s *= REDUCED_MOTION_SLOWDOWN;
  p->seed = stampede_flow_seed (self->serial);
  p->route = (float) (agent + 4 * stampede_flow_sink_for_outcome (outcome));

  stampede_flow_outcome_rgb (outcome, rgb);
  for (i = 0; i < 3; i++)
    p->rgba[i] = (guint8) lrintf (rgb[i] * 255.0f);
  p->rgba[3] = 255;

  self->live_until_s = MAX (self->live_until_s,
                            spawn_s + p->duration_s + HOLD_S);
  self->serial++;
}

static gboolean
update_agent_means (StampedeFlowCanvas       *self,
                    const StampedeFlowSample *sample)
{
  gboolean any = FALSE;
  guint i;

  for (i = 0; i < 4; i++) {
    float ms = sample->agent_ms[i];
    float *mean = &self->agent_mean_ms[i];

    if (!isfinite (ms) || ms <= 0.0f)
      continue;

    if (*mean > 0.0f)
      *mean += AGENT_MEAN_WEIGHT * (ms - *mean);
    else
      *mean = ms;
    any = TRUE;
  }

  return any;
}

/* An agent that answered none of a batch's answered transactions has
 * stopped reporting (crashed, or skipped by a degraded platform): its old
 * mean would be a figure from before, so its label says so instead.  A
 * few answers are needed before silence means anything. */
static gboolean
mark_silent_agents (StampedeFlowCanvas       *self,
                    const StampedeFlowSample *samples,
                    guint                     n_samples)
{
  guint answered = 0;
  guint reported[4] = { 0 };
  gboolean changed = FALSE;

  for (guint i = 0; i < n_samples; i++) {
    if (samples[i].outcome == STAMPEDE_FLOW_ERROR)
      continue;
    answered++;
    for (guint a = 0; a < 4; a++)
      reported[a] += samples[i].agent_ms[a] > 0.0f;
  }

  if (answered < SILENT_AFTER_ANSWERS)
    return FALSE;

  for (guint a = 0; a < 4; a++) {
    if (reported[a] == 0 && self->agent_mean_ms[a] > 0.0f) {
      self->agent_mean_ms[a] = STAMPEDE_FLOW_AGENT_SILENT;
      changed = TRUE;
    }
  }

  return changed;
}

/**
 * stampede_flow_canvas_add_samples:
 * @self: a #StampedeFlowCanvas
 * @samples: (array length=n_samples): finished transactions
 * @n_samples: the number of @samples
 * @represented: how many transactions each sample stands for;
 *   above 1 the canvas says "1 particle = N transactions"
 *
 * Turns each sample into a particle.  A batch is spread over the time
 * since the previous batch, so that samples sent ten times a second flow
 * as a stream.  Over %STAMPEDE_FLOW_MAX_PARTICLES live particles, the
 * newest replace the oldest.
 */
void
stampede_flow_canvas_add_samples (StampedeFlowCanvas       *self,
                                  const StampedeFlowSample *samples,
                                  guint                     n_samples,
                                  double                    represented)
{
  gboolean agents = FALSE;
  double stagger;
  guint i;

  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));
  g_return_if_fail (samples != NULL || n_samples == 0);
  g_return_if_fail (represented > 0.0);

  if (represented != self->represented) {
    self->represented = represented;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPRESENTED]);
    invalidate_labels (self);
  }

  stagger = CLAMP (self->time_s - self->last_batch_s, 0.0, MAX_STAGGER_S);
  self->last_batch_s = self->time_s;

  for (i = 0; i < n_samples; i++) {
    push_sample (self, &samples[i],
                 self->time_s + stagger * i / MAX (n_samples, 1));
    agents |= update_agent_means (self, &samples[i]);
  }
  agents |= mark_silent_agents (self, samples, n_samples);

  if (agents)
    invalidate_labels (self);

  /* A ticking canvas shows the new particles with its next frame, within
   * its frame budget. */
  if (self->tick_id == 0)
    queue_frame (self);
  update_ticking (self);
}

/**
 * stampede_flow_canvas_get_agent_ms:
 * @self: a #StampedeFlowCanvas
 * @agent: 0 to 3: analyzer, pattern, geo, reasoning
 *
 * Returns: the recent mean time @agent reported, 0 when it has reported
 *   none yet, or %STAMPEDE_FLOW_AGENT_SILENT when it stopped reporting
 */
float
stampede_flow_canvas_get_agent_ms (StampedeFlowCanvas *self,
                                   guint               agent)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), 0.0f);
  g_return_val_if_fail (agent < 4, 0.0f);

  return self->agent_mean_ms[agent];
}

/**
 * stampede_flow_canvas_clear:
 * @self: a #StampedeFlowCanvas
 *
 * Removes every particle and forgets the agents' means, for a new run.
 */
void
stampede_flow_canvas_clear (StampedeFlowCanvas *self)
{
  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));

  stampede_flow_ring_reset (&self->ring);
  memset (self->agent_mean_ms, 0, sizeof self->agent_mean_ms);
  self->live_until_s = self->time_s;

  invalidate_labels (self);
  queue_frame (self);
  update_ticking (self);
}

/**
 * stampede_flow_canvas_advance:
 * @self: a #StampedeFlowCanvas
 * @seconds: how far to move the canvas clock
 *
 * Moves the animation on by @seconds.  With the canvas paused this gives
 * exact frames for recording a video offline, or for tests.
 */
void
stampede_flow_canvas_advance (StampedeFlowCanvas *self,
                              double              seconds)
{
  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));
  g_return_if_fail (seconds >= 0.0);

  self->time_s += seconds;
  queue_frame (self);
  update_ticking (self);
}

/**
 * stampede_flow_canvas_get_n_live:
 * @self: a #StampedeFlowCanvas
 *
 * Returns: how many particles are on screen at the current time
 */
guint
stampede_flow_canvas_get_n_live (StampedeFlowCanvas *self)
{
  guint count, live = 0;
  guint i;

  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), 0);

  count = stampede_flow_ring_get_count (&self->ring);
  for (i = 0; i < count; i++) {
    const StampedeFlowParticle *p;
    float age;

    p = stampede_flow_ring_get_newest (&self->ring, i);
    age = (float) self->time_s - p->spawn_s;

    /* In single precision, as the shader sees it. */
    if (age >= 0.0f && age <= p->duration_s + HOLD_S)
      live++;
  }

  return live;
}

double
stampede_flow_canvas_get_represented (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), 1.0);

  return self->represented;
}

gboolean
stampede_flow_canvas_get_paused (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), FALSE);

  return self->paused;
}

/* Pausing freezes the clock; samples still arrive and wait at ingestion. */
void
stampede_flow_canvas_set_paused (StampedeFlowCanvas *self,
                                 gboolean            paused)
{
  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  update_ticking (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
stampede_flow_canvas_get_reduced_motion (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), FALSE);

  return self->reduced_motion;
}

/* With reduced motion particles leave no trails and move slower. */
void
stampede_flow_canvas_set_reduced_motion (StampedeFlowCanvas *self,
                                         gboolean            reduced_motion)
{
  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));

  reduced_motion = !!reduced_motion;
  if (self->reduced_motion == reduced_motion)
    return;

  self->reduced_motion = reduced_motion;
  queue_frame (self);
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[PROP_REDUCED_MOTION]);
}

gboolean
stampede_flow_canvas_get_force_software (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), FALSE);

  return self->force_software;
}

void
stampede_flow_canvas_set_force_software (StampedeFlowCanvas *self,
                                         gboolean            force_software)
{
  gboolean was_software;

  g_return_if_fail (STAMPEDE_IS_FLOW_CANVAS (self));

  force_software = !!force_software;
  if (self->force_software == force_software)
    return;

  was_software = is_software (self);
  self->force_software = force_software;
  update_frame_interval (self);

  /* The GL buffer kept the particles that arrived meanwhile only if they
   * were uploaded; send them all again on the way back. */
  stampede_flow_ring_mark_all_dirty (&self->ring);
  queue_frame (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[PROP_FORCE_SOFTWARE]);
  if (was_software != is_software (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOFTWARE]);
}

/**
 * stampede_flow_canvas_get_software:
 * @self: a #StampedeFlowCanvas
 *
 * Returns: whether the particles are drawn by the CPU, because GL is
 *   missing, failed or was turned off
 */
gboolean
stampede_flow_canvas_get_software (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), FALSE);

  return is_software (self);
}

/**
 * stampede_flow_canvas_get_gl_renderer:
 * @self: a #StampedeFlowCanvas
 *
 * Returns: (nullable): GL_RENDERER of the canvas's GL context, or %NULL
 *   before the canvas has one
 */
const char *
stampede_flow_canvas_get_gl_renderer (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), NULL);

  return self->gl_renderer;
}

/**
 * stampede_flow_canvas_get_frame_interval:
 * @self: a #StampedeFlowCanvas
 *
 * The canvas's frame budget, see the top of stampede-flow-canvas.c.
 *
 * Returns: the least time between two frames the canvas draws while it
 *   animates, in microseconds, or 0 to draw at the display's rate
 */
gint64
stampede_flow_canvas_get_frame_interval (StampedeFlowCanvas *self)
{
  g_return_val_if_fail (STAMPEDE_IS_FLOW_CANVAS (self), 0);

  return self->frame_interval_us;
}

/**
 * stampede_flow_renderer_name_is_software:
 * @name: (nullable): a GL_RENDERER string
 *
 * Returns: whether @name is a GL renderer that draws with the CPU; %NULL,
 *   an unknown renderer, is not
 */
gboolean
stampede_flow_renderer_name_is_software (const char *name)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (software_renderers); i++) {
    if (strstr (name, software_renderers[i]) != NULL)
      return TRUE;
  }

  return FALSE;
}

static int
compare_costs (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/**
 * stampede_flow_frame_interval_for_costs:
 * @cpu: whether the CPU draws every frame
 * @costs_us: (array length=n_costs): recent frames' costs in microseconds
 * @n_costs: the number of costs, at most %STAMPEDE_FLOW_FRAME_COST_WINDOW
 *   are used
 *
 * The frame budget for frames that cost @costs_us (see the top of
 * stampede-flow-canvas.c): twice their median (the mean of the middle two
 * of an even number), rounded up to 10 ms, within
 * %STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US and
 * %STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US; the former without
 * costs, and 0 (the display's rate) when the GPU draws.
 *
 * Returns: the frame budget in microseconds
 */
gint64
stampede_flow_frame_interval_for_costs (gboolean      cpu,
                                        const gint64 *costs_us,
                                        guint         n_costs)
{
  gint64 sorted[STAMPEDE_FLOW_FRAME_COST_WINDOW];
  const gint64 step = 10 * G_TIME_SPAN_MILLISECOND;
  gint64 median, interval;

  g_return_val_if_fail (n_costs == 0 || costs_us != NULL, 0);

  if (!cpu)
    return 0;
  if (n_costs == 0)
    return STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US;

  n_costs = MIN (n_costs, STAMPEDE_FLOW_FRAME_COST_WINDOW);
  memcpy (sorted, costs_us, n_costs * sizeof (gint64));
  qsort (sorted, n_costs, sizeof (gint64), compare_costs);
  if (n_costs % 2 == 1)
    median = sorted[n_costs / 2];
  else
    median = (sorted[n_costs / 2 - 1] + sorted[n_costs / 2]) / 2;

  interval = MAX (median, 0) * 2;
  interval = (interval + step - 1) / step * step;

  return CLAMP (interval, STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_US,
                STAMPEDE_FLOW_SOFTWARE_FRAME_INTERVAL_MAX_US);
}

/**
 * stampede_flow_frame_is_due:
 * @last_us: the frame time of the last frame drawn, 0 for none
 * @now_us: the frame time of this frame
 * @interval_us: the frame budget, 0 for the display's rate
 *
 * Under a frame budget, the first frame in each @interval_us slot of the
 * monotonic clock is drawn.  Slots rather than the time since the last
 * frame put every widget on the same budget on the same frames, and a
 * display whose frames come a little early or late still gets one frame
 * in each slot.
 *
 * Returns: whether the frame at @now_us should be drawn
 */
gboolean
stampede_flow_frame_is_due (gint64 last_us,
                            gint64 now_us,
                            gint64 interval_us)
{
  if (interval_us <= 0 || last_us <= 0)
    return TRUE;

  return now_us / interval_us != last_us / interval_us;
}
