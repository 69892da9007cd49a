/* stampede-flow-renderer.c — the GL side of the flow canvas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function here expects the flow canvas's GL context to be current.
 * Particles live in one instance buffer as big as the ring; a particle is
 * uploaded once, when it arrives, and the vertex shader works out where
 * it is from the time uniform.
 */

#include <epoxy/gl.h>
#include <gio/gio.h>

#include "stampede-flow-renderer.h"
#include "stampede-shaders-resources.h"

#define SHADER_PATH "/org/stampede/Stampede/shaders/"

/* GLSL 3.30 core and GLSL ES 3.00 accept the same shader bodies once each
 * gets its own first line. */
#define HEADER_GL "#version 330 core\n"
#define HEADER_ES \
  "#version 300 es\nprecision highp float;\nprecision highp int;\n"

enum {
  U_TIME,
  U_VIEWPORT,
  U_NODES,
  U_RADIUS,
  U_SPREAD,
  U_TRAIL,
  U_HOLD,
  N_UNIFORMS,
};

static const char * const uniform_names[N_UNIFORMS] = {
  "u_time", "u_viewport", "u_nodes", "u_radius", "u_spread", "u_trail",
  "u_hold",
};

struct _StampedeFlowRenderer {
  GLuint program;
  GLuint vao;
  GLuint instances;
  guint  capacity;
  GLint  uniform[N_UNIFORMS];
};

G_DEFINE_QUARK (stampede-flow-renderer-error, stampede_flow_renderer_error)

static char *
shader_info_log (GLuint shader)
{
  GLint length = 0;
  char *log;

  glGetShaderiv (shader, GL_INFO_LOG_LENGTH, &length);
  log = g_malloc0 (MAX (length, 1));
  if (length > 0)
    glGetShaderInfoLog (shader, length, NULL, log);

  return log;
}

static char *
program_info_log (GLuint program)
{
  GLint length = 0;
  char *log;

  glGetProgramiv (program, GL_INFO_LOG_LENGTH, &length);
  log = g_malloc0 (MAX (length, 1));
  if (length > 0)
    glGetProgramInfoLog (program, length, NULL, log);

  return log;
}

static GLuint
compile_shader (GLenum       type,
                const char  *name,
                gboolean     use_es,
                GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const char *sources[2];
  GLint lengths[2];
  GLint status = GL_FALSE;
  gsize size;
  GLuint shader;

  bytes = g_resource_lookup_data (stampede_shaders_get_resource (),
                                  name, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return 0;

  sources[0] = use_es ? HEADER_ES : HEADER_GL;
  lengths[0] = -1;
  sources[1] = g_bytes_get_data (bytes, &size);
  lengths[1] = (GLint) size;

  shader = glCreateShader (type);
  glShaderSource (shader, 2, sources, lengths);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &status);

  if (status != GL_TRUE) {
    g_autofree char *log = shader_info_log (shader);

    g_set_error (error, STAMPEDE_FLOW_RENDERER_ERROR, 0,
                 "Could not compile %s: %s", name, log);
    glDeleteShader (shader);
    return 0;
  }

  return shader;
}

static GLuint
link_program (gboolean   use_es,
              GError   **error)
{
  GLuint vertex, fragment, program;
  GLint status = GL_FALSE;

  vertex = compile_shader (GL_VERTEX_SHADER, SHADER_PATH "flow-particles.vert",
                           use_es, error);
  if (vertex == 0)
    return 0;

  fragment = compile_shader (GL_FRAGMENT_SHADER,
                             SHADER_PATH "flow-particles.frag", use_es, error);
  if (fragment == 0) {
    glDeleteShader (vertex);
    return 0;
  }

  program = glCreateProgram ();
  glAttachShader (program, vertex);
  glAttachShader (program, fragment);
  glLinkProgram (program);
  glDetachShader (program, vertex);
  glDetachShader (program, fragment);
  glDeleteShader (vertex);
  glDeleteShader (fragment);

  glGetProgramiv (program, GL_LINK_STATUS, &status);
  if (status != GL_TRUE) {
    g_autofree char *log = program_info_log (program);

    g_set_error (error, STAMPEDE_FLOW_RENDERER_ERROR, 0,
                 "Could not link the particle shaders: %s", log);
    glDeleteProgram (program);
    return 0;
  }

  return program;
}

/* The instance buffer holds StampedeFlowParticle as they are in memory:
 * four floats of timing and route, then four bytes of colour. */
static void
setup_instances (StampedeFlowRenderer *self)
{
  GLsizei stride = sizeof (StampedeFlowParticle);

  glGenVertexArrays (1, &self->vao);
  glBindVertexArray (self->vao);

  glGenBuffers (1, &self->instances);
  glBindBuffer (GL_ARRAY_BUFFER, self->instances);
  glBufferData (GL_ARRAY_BUFFER, (GLsizeiptr) self->capacity * stride,
                NULL, GL_DYNAMIC_DRAW);

  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 4, GL_FLOAT, GL_FALSE, stride,
                         (const void *) G_STRUCT_OFFSET (StampedeFlowParticle,
                                                         spawn_s));
  glVertexAttribDivisor (0, 1);

  glEnableVertexAttribArray (1);
  glVertexAttribPointer (1, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                         (const void *) G_STRUCT_OFFSET (StampedeFlowParticle,
                                                         rgba));
  glVertexAttribDivisor (1, 1);

  glBindVertexArray (0);
  glBindBuffer (GL_ARRAY_BUFFER, 0);
}

/**
 * stampede_flow_renderer_new:
 * @use_es: whether the current context is OpenGL ES
 * @capacity: how many particles the instance buffer holds
 * @error: return location for a #GError
 *
 * Compiles the particle shaders and makes the buffers in the current
 * context.
 *
 * Returns: (transfer full) (nullable): a renderer, or %NULL if the shaders
 *   did not compile or link
 */
StampedeFlowRenderer *
stampede_flow_renderer_new (gboolean   use_es,
                            guint      capacity,
                            GError   **error)
{
  g_autoptr(StampedeFlowRenderer) self = NULL;
  guint i;

  g_return_val_if_fail (capacity > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (StampedeFlowRenderer, 1);
  self->capacity = capacity;
  self->program = link_program (use_es, error);
  if (self->program == 0)
    return NULL;

  for (i = 0; i < N_UNIFORMS; i++)
    self->uniform[i] = glGetUniformLocation (self->program, uniform_names[i]);

  setup_instances (self);

  return g_steal_pointer (&self);
}

void
stampede_flow_renderer_free (StampedeFlowRenderer *self)
{
  if (self == NULL)
    return;

  if (self->instances != 0)
    glDeleteBuffers (1, &self->instances);
  if (self->vao != 0)
    glDeleteVertexArrays (1, &self->vao);
  if (self->program != 0)
    glDeleteProgram (self->program);

  g_free (self);
}

/* Sends the particles that arrived since the last upload. */
void
stampede_flow_renderer_upload (StampedeFlowRenderer *self,
                               StampedeFlowRing     *ring)
{
  guint start[2], count[2];
  guint n, i;

  g_return_if_fail (self != NULL);
  g_return_if_fail (ring != NULL);
  g_return_if_fail (ring->capacity == self->capacity);

  n = stampede_flow_ring_take_dirty (ring, start, count);
  if (n == 0)
    return;

  glBindBuffer (GL_ARRAY_BUFFER, self->instances);
  for (i = 0; i < n; i++)
    glBufferSubData (GL_ARRAY_BUFFER,
                     (GLintptr) start[i] * sizeof (StampedeFlowParticle),
                     (GLsizeiptr) count[i] * sizeof (StampedeFlowParticle),
                     &ring->items[start[i]]);
  glBindBuffer (GL_ARRAY_BUFFER, 0);
}

/* Clears to transparent and draws @n_instances particles additively; the
 * backdrop and labels are GTK's, under and over the area. */
void
stampede_flow_renderer_draw (StampedeFlowRenderer       *self,
                             const StampedeFlowUniforms *uniforms,
                             guint                       n_instances)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (uniforms != NULL);

  glViewport (0, 0, (GLsizei) uniforms->viewport[0],
              (GLsizei) uniforms->viewport[1]);
  glClearColor (0.0f, 0.0f, 0.0f, 0.0f);
  glClear (GL_COLOR_BUFFER_BIT);

  if (n_instances == 0)
    return;

  glUseProgram (self->program);
  glUniform1f (self->uniform[U_TIME], uniforms->time_s);
  glUniform2fv (self->uniform[U_VIEWPORT], 1, uniforms->viewport);
  glUniform2fv (self->uniform[U_NODES], STAMPEDE_FLOW_N_NODES,
                &uniforms->nodes[0][0]);
  glUniform1f (self->uniform[U_RADIUS], uniforms->radius);
  glUniform1f (self->uniform[U_SPREAD], uniforms->spread);
  glUniform1f (self->uniform[U_TRAIL], uniforms->trail_s);
  glUniform1f (self->uniform[U_HOLD], uniforms->hold_s);

  glEnable (GL_BLEND);
  glBlendFunc (GL_ONE, GL_ONE);
  glBindVertexArray (self->vao);
  glDrawArraysInstanced (GL_TRIANGLE_STRIP, 0, 4,
                         (GLsizei) MIN (n_instances, self->capacity));
  glBindVertexArray (0);
  glDisable (GL_BLEND);
  glUseProgram (0);
}
