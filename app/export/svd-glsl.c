/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-glsl"

#include "svd-glsl.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

/*
 * mpv / libplacebo user shaders for SRVGGNetCompact chains, hooked on MAIN
 * (RGB). Each conv is ceil(out/4) passes; a pass computes four output
 * channels from every 4-channel texture of the previous layer, which it
 * binds and reads at the nine 3x3 taps, and `//!SAVE`s them as
 * `PREFIX_L<layer>_<group>`. Reads go through zin() and NAME_tex(), which sample texel
 * centres exactly (so the linear sampler never blends) and returns zero
 * outside the frame: the model's zero padding, not the sampler's clamp. The
 * last conv is saved the same way (3·s² channels); a final output-size pass
 * (`//!WIDTH HOOKED.w S *`) picks PixelShuffle's channel c·s² + i·s + j for
 * its sub-pixel and adds the nearest-upsampled HOOKED (the residual). Without //!SAVE it replaces HOOKED, so the next model of
 * the chain hooks on the upscaled frame.
 */

/**
 * svd_glsl_format_float:
 *
 * Returns: (transfer full): @v as a GLSL float literal that reads back as
 *   the same float: locale-independent, 9 significant digits, always with a
 *   '.' or exponent
 */
char *
svd_glsl_format_float (float v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.9g", (double) v);
  if (strpbrk (buf, ".e") == NULL)
    return g_strconcat (buf, ".0", NULL);
  return g_strdup (buf);
}

static void
append_float (GString *s,
              float    v)
{
  g_autofree char *f = svd_glsl_format_float (v);

  g_string_append (s, f);
}

/* 1 inside the frame, 0 in the zero padding. Reads then go through the
 * NAME_tex() macro at the texel centre, so NAME_mul is honoured. */
static const char zfetch_src[] =
  "float zin(vec2 pos, vec2 size, vec2 off) {\n"
  "  vec2 q = floor(pos * size) + off;\n"
  "  return (any(lessThan(q, vec2(0.0))) || any(greaterThanEqual(q, size))) ? 0.0 : 1.0;\n"
  "}\n";

static void
append_fetch (GString    *s,
              const char *tex,
              int         dx,
              int         dy)
{
  g_string_append_printf (s, "(zin(%s_pos, %s_size, vec2(%d.0, %d.0)) * "
                          "%s_tex((floor(%s_pos * %s_size) + vec2(%d.0, %d.0) + 0.5) * %s_pt))",
                          tex, tex, dx, dy, tex, tex, tex, dx, dy, tex);
}

/* Emits `acc += mat4(...) * v;` for input group @ig of layer @L into
 * output channels [@o0, @o0 + 4). */
static void
append_group (GString            *s,
              const SvdConvLayer *L,
              const char         *acc,
              const char         *tex,
              int                 ig,
              int                 o0,
              gboolean            rgb_only)
{
  for (int ky = 0; ky < 3; ky++)
    for (int kx = 0; kx < 3; kx++)
      {
        gboolean any = FALSE;

        for (int i = 0; i < 4; i++)
          for (int o = 0; o < 4; o++)
            if (ig * 4 + i < L->in_ch && o0 + o < L->out_ch &&
                L->weight[(((gsize) (o0 + o) * L->in_ch + ig * 4 + i) * 3 + ky) * 3 + kx] != 0)
              any = TRUE;
        if (!any)
          continue;
        g_string_append_printf (s, "  %s += mat4(", acc);
        for (int i = 0; i < 4; i++)
          for (int o = 0; o < 4; o++)
            {
              float w = 0;

              if (ig * 4 + i < L->in_ch && o0 + o < L->out_ch)
                w = L->weight[(((gsize) (o0 + o) * L->in_ch + ig * 4 + i) * 3 + ky) * 3 + kx];
              append_float (s, w);
              if (i != 3 || o != 3)
                g_string_append (s, ", ");
            }
        g_string_append (s, ") * ");
        if (rgb_only)
          g_string_append (s, "vec4(");
        append_fetch (s, tex, kx - 1, ky - 1);
        g_string_append (s, rgb_only ? ".rgb, 0.0);\n" : ";\n");
      }
}

static void
append_vec4 (GString     *s,
             const float *v,
             int          n,
             int          o0)
{
  g_string_append (s, "vec4(");
  for (int o = 0; o < 4; o++)
    {
      append_float (s, o0 + o < n ? v[o0 + o] : 0.0f);
      if (o != 3)
        g_string_append (s, ", ");
    }
  g_string_append (s, ")");
}

static void
append_binds (GString    *s,
              const char *prefix,
              int         layer,
              int         groups)
{
  if (layer == 0)
    g_string_append (s, "//!BIND HOOKED\n");
  else
    for (int g = 0; g < groups; g++)
      g_string_append_printf (s, "//!BIND %sL%d_%d\n", prefix, layer - 1, g);
}

static const char *
input_tex (const char *prefix,
           int         layer,
           int         g,
           char       *buf,
           gsize       size)
{
  if (layer == 0)
    return "HOOKED";
  g_snprintf (buf, size, "%sL%d_%d", prefix, layer - 1, g);
  return buf;
}

/**
 * svd_glsl_export_model:
 * @model: a model
 * @prefix: texture name prefix, unique per model in a chain (e.g. "S1")
 * @error: return location for an error
 *
 * Returns: (transfer full): the model's passes
 */
char *
svd_glsl_export_model (const SvdModel  *model,
                       const char      *prefix,
                       GError         **error)
{
  GString *s;
  int s2 = model->scale * model->scale;

  if (!svd_model_validate (model, error))
    return NULL;
  if (model->in_ch != 3 || model->out_ch != 3)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "mpv shaders hook RGB: the model must have 3 channels");
      return NULL;
    }
  if ((model->nf + 3) / 4 > SVD_GLSL_MAX_BINDS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s” has nf %d: a pass would bind %d textures, more than the %d every GPU allows; "
                   "the GLSL export handles nf up to %d", model->name, model->nf, (model->nf + 3) / 4,
                   SVD_GLSL_MAX_BINDS, 4 * SVD_GLSL_MAX_BINDS);
      return NULL;
    }
  for (int l = 0; l < model->n_layers; l++)
    {
      const SvdConvLayer *L = &model->layers[l];
      gsize n = (gsize) L->out_ch * L->in_ch * 9;

      for (gsize i = 0; i < n; i++)
        if (!isfinite (L->weight[i]))
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "Layer %d has a non-finite weight", l);
            return NULL;
          }
    }

  s = g_string_new (NULL);
  for (int l = 0; l + 1 < model->n_layers; l++)
    {
      const SvdConvLayer *L = &model->layers[l];
      int in_groups = (L->in_ch + 3) / 4, out_groups = (L->out_ch + 3) / 4;

      for (int og = 0; og < out_groups; og++)
        {
          g_string_append_printf (s, "//!HOOK MAIN\n//!DESC %s conv %d/%d channels %d-%d\n", model->name, l + 1,
                                  model->n_layers, og * 4, MIN (og * 4 + 3, L->out_ch - 1));
          append_binds (s, prefix, l, in_groups);
          g_string_append_printf (s, "//!SAVE %sL%d_%d\n//!WIDTH HOOKED.w\n//!HEIGHT HOOKED.h\n"
                                  "//!COMPONENTS 4\n\n", prefix, l, og);
          g_string_append (s, zfetch_src);
          g_string_append (s, "vec4 hook() {\n  vec4 acc = ");
          append_vec4 (s, L->bias, L->out_ch, og * 4);
          g_string_append (s, ";\n");
          for (int ig = 0; ig < in_groups; ig++)
            {
              char buf[64];

              append_group (s, L, "acc", input_tex (prefix, l, ig, buf, sizeof buf), ig, og * 4, l == 0);
            }
          g_string_append (s, "  return max(acc, 0.0) + ");
          append_vec4 (s, L->slope, L->out_ch, og * 4);
          g_string_append (s, " * min(acc, 0.0);\n}\n\n");
        }
    }

  /* The last conv at the source size, saved as ceil(3·s²/4) textures like
   * the body convs (mpv binds at most 16 textures per pass, so the shuffle
   * pass cannot also read nf/4 feature textures for nf 64); then PixelShuffle
   * and the residual in one output-size pass. */
  {
    int l = model->n_layers - 1;
    const SvdConvLayer *L = &model->layers[l];
    int in_groups = (L->in_ch + 3) / 4, out_groups = (L->out_ch + 3) / 4;

    for (int og = 0; og < out_groups; og++)
      {
        g_string_append_printf (s, "//!HOOK MAIN\n//!DESC %s conv %d/%d channels %d-%d\n", model->name, l + 1,
                                model->n_layers, og * 4, MIN (og * 4 + 3, L->out_ch - 1));
        append_binds (s, prefix, l, in_groups);
        g_string_append_printf (s, "//!SAVE %sL%d_%d\n//!WIDTH HOOKED.w\n//!HEIGHT HOOKED.h\n"
                                "//!COMPONENTS 4\n\n", prefix, l, og);
        g_string_append (s, zfetch_src);
        g_string_append (s, "vec4 hook() {\n  vec4 acc = ");
        append_vec4 (s, L->bias, L->out_ch, og * 4);
        g_string_append (s, ";\n");
        for (int ig = 0; ig < in_groups; ig++)
          {
            char buf[64];

            append_group (s, L, "acc", input_tex (prefix, l, ig, buf, sizeof buf), ig, og * 4, FALSE);
          }
        g_string_append (s, "  return acc;\n}\n\n");
      }

    g_string_append_printf (s, "//!HOOK MAIN\n//!DESC %s pixel shuffle x%d + residual\n//!BIND HOOKED\n",
                            model->name, model->scale);
    for (int og = 0; og < out_groups; og++)
      g_string_append_printf (s, "//!BIND %sL%d_%d\n", prefix, l, og);
    g_string_append_printf (s, "//!WIDTH HOOKED.w %d *\n//!HEIGHT HOOKED.h %d *\n//!COMPONENTS 4\n\n",
                            model->scale, model->scale);
    g_string_append_printf (s, "vec4 hook() {\n  float ch[%d];\n", out_groups * 4);
    for (int og = 0; og < out_groups; og++)
      g_string_append_printf (s, "  vec4 g%d = %sL%d_%d_tex((floor(%sL%d_%d_pos * %sL%d_%d_size) + 0.5) * %sL%d_%d_pt);\n"
                              "  ch[%d] = g%d.x; ch[%d] = g%d.y; ch[%d] = g%d.z; ch[%d] = g%d.w;\n",
                              og, prefix, l, og, prefix, l, og, prefix, l, og, prefix, l, og,
                              og * 4, og, og * 4 + 1, og, og * 4 + 2, og, og * 4 + 3, og);
    /* Sub-pixel (i, j) of the source texel under this output pixel. */
    g_string_append_printf (s,
                            "  vec2 o = floor(HOOKED_pos * HOOKED_size * %d.0);\n"
                            "  int sub = int(mod(o.y, %d.0)) * %d + int(mod(o.x, %d.0));\n"
                            "  vec3 base = HOOKED_tex((floor(HOOKED_pos * HOOKED_size) + 0.5) * HOOKED_pt).rgb;\n"
                            "  vec3 res = base + vec3(ch[sub], ch[%d + sub], ch[%d + sub]);\n",
                            model->scale, model->scale, model->scale, model->scale, s2, 2 * s2);
    if (model->clamp_output)
      {
        g_string_append (s, "  res = clamp(res, ");
        append_float (s, model->clamp_min);
        g_string_append (s, ", ");
        append_float (s, model->clamp_max);
        g_string_append (s, ");\n");
      }
    g_string_append (s, "  return vec4(res, 1.0);\n}\n\n");
  }
  return g_string_free (s, FALSE);
}

/**
 * svd_glsl_export_chain:
 * Returns: (transfer full) (nullable): one mpv user shader file running
 *   the chain's models in order
 */
char *
svd_glsl_export_chain (const SvdChain  *chain,
                       GError         **error)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "// %s — generated by SVD Studio: SRVGGNetCompact chain as mpv user shaders.\n"
                          "// Load with --glsl-shaders=FILE (mpv) or custom_shader_path (libplacebo).\n\n",
                          chain->name);
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *st = g_ptr_array_index (chain->steps, i);
      g_autofree char *prefix = g_strdup_printf ("SVD%u_", i + 1);
      g_autofree char *part = NULL;

      if (st->type != SVD_CHAIN_STEP_MODEL || st->model == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Step %u (%s): the GLSL export runs learned models only; mpv scales with its own "
                       "--scale filter", i + 1, st->name);
          g_string_free (s, TRUE);
          return NULL;
        }
      part = svd_glsl_export_model (st->model, prefix, error);
      if (part == NULL)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      g_string_append (s, part);
    }
  return g_string_free (s, FALSE);
}

/**
 * svd_glsl_split_passes:
 * Returns: (transfer full) (element-type utf8): each `//!HOOK` pass
 */
GPtrArray *
svd_glsl_split_passes (const char *shader)
{
  GPtrArray *passes = g_ptr_array_new_with_free_func (g_free);
  const char *p = strstr (shader, "//!HOOK");

  while (p != NULL)
    {
      const char *next = strstr (p + 1, "//!HOOK");

      g_ptr_array_add (passes, next ? g_strndup (p, next - p) : g_strdup (p));
      p = next;
    }
  return passes;
}

/**
 * svd_glsl_wrap_pass:
 * @pass: one pass with its `//!` header
 *
 * Wraps a pass in the declarations mpv and libplacebo give it (for each
 * bound texture NAME: NAME_raw, NAME_pos, NAME_size, NAME_pt, NAME_tex,
 * NAME_texOff) and a main() calling hook(), so a GLSL compiler can check
 * it on its own.
 *
 * Returns: (transfer full): a complete `#version 450` fragment shader
 */
char *
svd_glsl_wrap_pass (const char  *pass,
                    GError     **error)
{
  g_auto(GStrv) lines = g_strsplit (pass, "\n", -1);
  GString *s = g_string_new ("#version 450\nlayout(location = 0) out vec4 out_color;\n");
  GString *body = g_string_new (NULL);
  int n_binds = 0;

  for (int i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "//!BIND "))
        {
          const char *t = lines[i] + 8;

          g_string_append_printf (s,
                                  "layout(binding = %d) uniform sampler2D %s_raw;\n"
                                  "layout(location = %d) in vec2 %s_pos;\n"
                                  "uniform vec2 %s_size;\nuniform vec2 %s_pt;\n"
                                  "#define %s_tex(pos) texture(%s_raw, pos)\n"
                                  "#define %s_texOff(off) %s_tex(%s_pos + %s_pt * (off))\n",
                                  n_binds, t, n_binds, t, t, t, t, t, t, t, t, t);
          n_binds++;
        }
      else if (!g_str_has_prefix (lines[i], "//!"))
        g_string_append_printf (body, "%s\n", lines[i]);
    }
  if (n_binds == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The pass binds no texture");
      g_string_free (body, TRUE);
      g_string_free (s, TRUE);
      return NULL;
    }
  g_string_append (s, body->str);
  g_string_append (s, "void main() { out_color = hook(); }\n");
  g_string_free (body, TRUE);
  return g_string_free (s, FALSE);
}
