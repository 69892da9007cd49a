// flow-particles.frag — the glow and trail of one particle.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Blended additively (glBlendFunc (GL_ONE, GL_ONE)) over a transparent
// framebuffer.  The colour is written with a smaller alpha than a
// premultiplied colour would carry, so that GTK, which composites the
// area as premultiplied, adds most of the light onto the backdrop instead
// of covering it.

in vec2  v_local;
in float v_length;
in float v_radius;
in vec4  v_color;

out vec4 frag_color;

void
main ()
{
  float d = length (v_local) / v_radius;
  float core = exp (-d * d * 22.0);
  float halo = 0.45 * exp (-d * d * 4.5);
  float t = clamp (-v_local.x / max (v_length, 1e-3), 0.0, 1.0);
  float inside = step (v_local.x, 0.0) * step (-v_length, v_local.x);
  float width = mix (0.32, 0.06, t) * v_radius;
  float trail = inside * 0.55 * (1.0 - t) * (1.0 - t)
                * exp (-(v_local.y * v_local.y) / (width * width));
  float light = (core + halo + trail) * v_color.a;
  vec3 rgb = v_color.rgb * light + vec3 (0.6 * core * v_color.a);

  frag_color = vec4 (rgb, 0.45 * light);
}
