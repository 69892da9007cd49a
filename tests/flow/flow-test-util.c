/* flow-test-util.c — windows, frames and pixels for the flow canvas tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "flow-test-util.h"

/* A pixel shows an outcome colour when its hue is within this many
 * degrees of the outcome's and it is saturated and bright enough that the
 * dark blue backdrop cannot be it. */
#define HUE_WINDOW     14.0f
#define MIN_SATURATION 0.45f
#define MIN_VALUE      0.45f

GtkWidget *
flow_test_window_new (int                  width,
                      int                  height,
                      StampedeFlowCanvas **canvas)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *child = stampede_flow_canvas_new ();

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  flow_test_run_frames (window, 3);
  g_assert_cmpint (gtk_widget_get_width (child), ==, width);
  g_assert_cmpint (gtk_widget_get_height (child), ==, height);

  *canvas = STAMPEDE_FLOW_CANVAS (child);

  return window;
}

typedef struct {
  GMainLoop *loop;
  guint      left;
} FrameWait;

static gboolean
frame_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       user_data)
{
  FrameWait *wait = user_data;

  if (wait->left > 0 && --wait->left == 0)
    g_main_loop_quit (wait->loop);

  return wait->left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
frames_timeout_cb (gpointer user_data)
{
  g_error ("The window drew no frames for 20 s");

  return G_SOURCE_REMOVE;
}

/* Lets the window draw @n_frames frames.  A tick callback keeps the frame
 * clock running; the timeout is at a high priority because continuous
 * painting can starve default-priority sources. */
void
flow_test_run_frames (GtkWidget *widget,
                      guint      n_frames)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  FrameWait wait = { loop, n_frames };
  guint timeout;

  g_assert_cmpuint (n_frames, >, 0);

  gtk_widget_add_tick_callback (widget, frame_cb, &wait, NULL);
  timeout = g_timeout_add_seconds_full (G_PRIORITY_HIGH, 20,
                                        frames_timeout_cb, NULL, NULL);
  g_main_loop_run (loop);
  g_source_remove (timeout);
}

/* Renders @widget as it is now, the way GTK composites it, and reads the
 * pixels back; saves a PNG into the build directory if @png_name is set. */
FlowImage *
flow_test_capture (GtkWidget  *widget,
                   const char *png_name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  FlowImage *image;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width,
                                                              height));

  image = g_new0 (FlowImage, 1);
  image->width = gdk_texture_get_width (texture);
  image->height = gdk_texture_get_height (texture);
  image->stride = (gsize) image->width * 4;
  image->data = g_malloc (image->stride * image->height);
  gdk_texture_download (texture, image->data, image->stride);

  if (png_name != NULL) {
    const char *dir = g_getenv ("G_TEST_BUILDDIR");
    g_autofree char *path = g_build_filename (dir != NULL ? dir : ".",
                                              png_name, NULL);

    g_assert_true (gdk_texture_save_to_png (texture, path));
    g_test_message ("Saved %s", path);
  }

  return image;
}

void
flow_test_image_free (FlowImage *image)
{
  g_free (image->data);
  g_free (image);
}

/* The light the particles add: @image minus @backdrop, a capture of the
 * same canvas without particles.  Particles are blended additively, so
 * this is their own colour, free of the backdrop's blue that would pull
 * the hue of a faint glow.  A pixel with a saturated channel (a particle's
 * white-hot core) has lost its hue and counts as no light. */
FlowImage *
flow_test_light (const FlowImage *image,
                 const FlowImage *backdrop)
{
  FlowImage *light;
  gsize px, c, n;

  g_assert_cmpint (image->width, ==, backdrop->width);
  g_assert_cmpint (image->height, ==, backdrop->height);

  n = (gsize) image->width * image->height;
  light = g_new0 (FlowImage, 1);
  *light = *image;
  light->data = g_malloc0 (image->stride * image->height);

  for (px = 0; px < n; px++) {
    const guchar *a = image->data + px * 4;
    const guchar *b = backdrop->data + px * 4;

    if (MAX (a[0], MAX (a[1], a[2])) >= 250)
      continue;

    for (c = 0; c < 4; c++)
      light->data[px * 4 + c] = a[c] > b[c] ? a[c] - b[c] : 0;
  }

  return light;
}

static void
rgb_to_hsv (float  r,
            float  g,
            float  b,
            float *h,
            float *s,
            float *v)
{
  float max = MAX (r, MAX (g, b));
  float min = MIN (r, MIN (g, b));
  float d = max - min;

  *v = max;
  *s = max > 0 ? d / max : 0;

  if (d <= 0)
    *h = 0;
  else if (max == r)
    *h = 60.0f * fmodf ((g - b) / d + 6.0f, 6.0f);
  else if (max == g)
    *h = 60.0f * ((b - r) / d + 2.0f);
  else
    *h = 60.0f * ((r - g) / d + 4.0f);
}

/* Which outcome colour a BGRA pixel shows, or -1. */
int
flow_test_classify (const guchar *bgra)
{
  float h, s, v;
  int best = -1;
  float best_d = HUE_WINDOW;
  guint i;

  rgb_to_hsv (bgra[2] / 255.0f, bgra[1] / 255.0f, bgra[0] / 255.0f,
              &h, &s, &v);
  if (s < MIN_SATURATION || v < MIN_VALUE)
    return -1;

  for (i = 0; i < STAMPEDE_FLOW_N_OUTCOMES; i++) {
    float rgb[3], rh, rs, rv, d;

    stampede_flow_outcome_rgb (i, rgb);
    rgb_to_hsv (rgb[0], rgb[1], rgb[2], &rh, &rs, &rv);
    d = fabsf (h - rh);
    d = MIN (d, 360.0f - d);
    if (d < best_d) {
      best_d = d;
      best = (int) i;
    }
  }

  return best;
}

static void
box_bounds (const FlowImage *image,
            const FlowBox   *box,
            int              bounds[4])
{
  bounds[0] = MAX (0, (int) floorf (box->cx - box->half_w));
  bounds[1] = MAX (0, (int) floorf (box->cy - box->half_h));
  bounds[2] = MIN (image->width, (int) ceilf (box->cx + box->half_w));
  bounds[3] = MIN (image->height, (int) ceilf (box->cy + box->half_h));
}

guint
flow_test_count (const FlowImage *image,
                 const FlowBox   *box,
                 int              outcome)
{
  int b[4], x, y;
  guint n = 0;

  box_bounds (image, box, b);
  for (y = b[1]; y < b[3]; y++)
    for (x = b[0]; x < b[2]; x++)
      if (flow_test_classify (image->data + y * image->stride + x * 4)
          == outcome)
        n++;

  return n;
}

guint
flow_test_count_any (const FlowImage *image,
                     const FlowBox   *box)
{
  guint n = 0;
  int i;

  for (i = 0; i < STAMPEDE_FLOW_N_OUTCOMES; i++)
    n += flow_test_count (image, box, i);

  return n;
}

/* Pixels of @box whose brightest channel is at least @min_value. */
guint
flow_test_count_bright (const FlowImage *image,
                        const FlowBox   *box,
                        float            min_value)
{
  int b[4], x, y;
  guint n = 0;

  box_bounds (image, box, b);
  for (y = b[1]; y < b[3]; y++)
    for (x = b[0]; x < b[2]; x++) {
      const guchar *p = image->data + y * image->stride + x * 4;

      if (MAX (p[0], MAX (p[1], p[2])) >= min_value * 255.0f)
        n++;
    }

  return n;
}

/* Adds @n samples of @outcome that route through @agent and take
 * @latency_ms.  An empty batch first makes the real one arrive all at
 * once rather than spread over the time since the previous batch. */
void
flow_test_add_batch (StampedeFlowCanvas *canvas,
                     guint               outcome,
                     guint               agent,
                     float               latency_ms,
                     guint               n)
{
  g_autofree StampedeFlowSample *samples = g_new0 (StampedeFlowSample, n);
  guint i;

  for (i = 0; i < n; i++) {
    samples[i].outcome = outcome;
    samples[i].latency_ms = latency_ms;
    samples[i].agent_ms[agent] = 2.0f;
    samples[i].agent_ms[3] = 0.5f;
  }

  stampede_flow_canvas_add_samples (canvas, NULL, 0, 1.0);
  stampede_flow_canvas_add_samples (canvas, samples, n, 1.0);
}

/* Where a particle of the batch is at @u: the stream's centre, as tall as
 * the band the particles spread over. */
FlowBox
flow_test_particle_box (const StampedeFlowLayout *layout,
                        guint                     agent,
                        guint                     outcome,
                        float                     u)
{
  StampedeFlowPoint p;

  p = stampede_flow_layout_point (layout, agent,
                                  stampede_flow_sink_for_outcome (outcome),
                                  u);

  return (FlowBox) {
    p.x, p.y, layout->particle_radius, layout->spread + layout->particle_radius
  };
}

FlowBox
flow_test_sink_box (const StampedeFlowLayout *layout,
                    guint                     outcome)
{
  guint node = STAMPEDE_FLOW_NODE_SINK_APPROVED
               + stampede_flow_sink_for_outcome (outcome);

  return (FlowBox) {
    layout->node[node].x, layout->node[node].y,
    layout->radius[node], layout->spread + layout->particle_radius
  };
}

/* The fraction of a particle's journey at which it is halfway along @leg
 * (0: ingestion to agent, 1: agent to reasoning, 2: reasoning to decision,
 * 3: decision to sink), clear of the nodes' faces.  Legs share the time in
 * proportion to their straight lengths. */
float
flow_test_leg_middle (const StampedeFlowLayout *layout,
                      guint                     agent,
                      guint                     outcome,
                      guint                     leg)
{
  StampedeFlowPoint p[5] = {
    layout->node[STAMPEDE_FLOW_NODE_INGESTION],
    layout->node[STAMPEDE_FLOW_NODE_ANALYZER + agent],
    layout->node[STAMPEDE_FLOW_NODE_REASONING],
    layout->node[STAMPEDE_FLOW_NODE_DECISION],
    layout->node[STAMPEDE_FLOW_NODE_SINK_APPROVED
                 + stampede_flow_sink_for_outcome (outcome)],
  };
  float length[4], total = 0, before = 0;
  guint i;

  g_assert_cmpuint (leg, <, 4);

  for (i = 0; i < 4; i++) {
    length[i] = hypotf (p[i + 1].x - p[i].x, p[i + 1].y - p[i].y);
    total += length[i];
    if (i < leg)
      before += length[i];
  }

  return (before + 0.5f * length[leg]) / total;
}
