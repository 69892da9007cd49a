// flow-particles.vert — places one particle of the flow canvas.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Written in the common subset of GLSL 3.30 core and GLSL ES 3.00; the
// canvas prepends the #version line that fits its context.  Each instance
// is one particle; its four vertices (a triangle strip) make a quad that
// runs from the tail of its trail to just past its head.  The position is
// worked out here from the time uniform, so the CPU does no per-particle
// work per frame.  The path is the same as stampede_flow_layout_point()
// in src/app/flow/stampede-flow-layout.c.

layout(location = 0) in vec4 a_timing;   // spawn s, duration s, seed, route
layout(location = 1) in vec4 a_color;

uniform float u_time;       // seconds on the canvas clock
uniform vec2  u_viewport;   // framebuffer size, device pixels
uniform vec2  u_nodes[10];  // node centres, device pixels, y down
uniform float u_radius;     // glow radius of a particle, device pixels
uniform float u_spread;     // half height of the stream band, device pixels
uniform float u_trail;      // length of a trail, seconds
uniform float u_hold;       // how long a particle glows at its sink, seconds

out vec2  v_local;   // x along the trail (0 at the head), y across
out float v_length;  // trail length
out float v_radius;
out vec4  v_color;

const float NODE_EASE = 0.4;

vec2
curve_point (vec2 a, vec2 b, float s)
{
  float dx = 0.5 * (b.x - a.x);
  float r = 1.0 - s;

  return r * r * r * a
         + 3.0 * r * r * s * vec2 (a.x + dx, a.y)
         + 3.0 * r * s * s * vec2 (b.x - dx, b.y)
         + s * s * s * b;
}

vec2
path_point (vec2 p0, vec2 p1, vec2 p2, vec2 p3, vec2 p4, float u)
{
  vec4 len = max (vec4 (distance (p0, p1), distance (p1, p2),
                        distance (p2, p3), distance (p3, p4)), vec4 (1e-3));
  float at = clamp (u, 0.0, 1.0) * (len.x + len.y + len.z + len.w);
  vec2 a = p0;
  vec2 b = p1;
  float l = len.x;
  float s;

  if (at > len.x) {
    at -= len.x;
    a = p1; b = p2; l = len.y;
    if (at > len.y) {
      at -= len.y;
      a = p2; b = p3; l = len.z;
      if (at > len.z) {
        at -= len.z;
        a = p3; b = p4; l = len.w;
      }
    }
  }

  s = clamp (at / l, 0.0, 1.0);
  s += NODE_EASE * (s * s * (3.0 - 2.0 * s) - s);

  return curve_point (a, b, s);
}

void
main ()
{
  float age = u_time - a_timing.x;
  float duration = a_timing.y;
  int route = int (a_timing.w + 0.5);
  int agent = route - 4 * (route / 4);
  int sink = route / 4;
  vec2 p1 = u_nodes[1 + agent];
  vec2 p4 = u_nodes[6 + sink];
  float u = age / duration;
  // The band narrows into the sink so that arrivals gather there.
  float settle = 1.0 - 0.65 * smoothstep (0.9, 1.0, u);
  vec2 offset = vec2 (0.0, (a_timing.z * 2.0 - 1.0) * u_spread * settle);
  float u_tail = u - u_trail / duration;
  vec2 head, tail, axis, dir, nrm, corner, pos;
  float len, along, fade;

  if (age < 0.0 || age > duration + u_hold) {
    // Not born yet or gone: a degenerate quad draws nothing.
    gl_Position = vec4 (-2.0, -2.0, 0.0, 1.0);
    v_local = vec2 (0.0);
    v_length = 0.0;
    v_radius = 1.0;
    v_color = vec4 (0.0);
    return;
  }

  head = path_point (u_nodes[0], p1, u_nodes[4], u_nodes[5], p4, u) + offset;
  tail = path_point (u_nodes[0], p1, u_nodes[4], u_nodes[5], p4,
                     max (u_tail, 0.0)) + offset;
  axis = head - tail;
  len = length (axis);
  dir = len > 0.01 ? axis / len : vec2 (1.0, 0.0);
  nrm = vec2 (-dir.y, dir.x);

  corner = vec2 ((gl_VertexID & 1) == 1 ? 1.0 : -1.0,
                 (gl_VertexID & 2) == 2 ? 1.0 : -1.0);
  along = corner.x > 0.0 ? u_radius : -(len + u_radius);
  pos = head + dir * along + nrm * (corner.y * u_radius);

  // Fade in at ingestion, linger and fade out at the sink.
  fade = 1.0 - clamp ((age - duration) / u_hold, 0.0, 1.0);
  fade = smoothstep (0.0, 0.03, u) * fade * fade;

  v_local = vec2 (along, corner.y * u_radius);
  v_length = len;
  v_radius = u_radius;
  v_color = vec4 (a_color.rgb, a_color.a * fade);
  gl_Position = vec4 (pos.x / u_viewport.x * 2.0 - 1.0,
                      1.0 - pos.y / u_viewport.y * 2.0, 0.0, 1.0);
}
