/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-glsl"

#include "svd-glsl.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

/*
 * mpv / libplacebo user shaders for SRVGGNetCompact chains, hooked on MAIN
 * (RGB). A pass computes four output channels of one conv and `//!SAVE`s
 * them as `PREFIX_L<layer>_<group>`; it binds the previous layer's
 * 4-channel textures and reads each at the nine 3x3 taps. Reads go through
 * zin() and NAME_tex(), which sample texel centres exactly (so the linear
 * sampler never blends) and return zero outside the frame: the model's
 * zero padding, not the sampler's clamp.
 *
 * mpv on OpenGL gives every bound texture a vertex input besides the
 * position, and Mesa links at most 16 of them: a pass binding 16 textures
 * fails to link (`insufficient contiguous locations … vertex_texcoord15`)
 * and mpv silently shows the unshaded picture. So no pass binds more than
 * SVD_GLSL_MAX_BINDS (15) textures. A conv with more input groups than that
 * (nf 64: 16 groups) is split over its inputs: the first pass sums the
 * first half of the groups into a partial texture `..._p0` (no
 * activation), the next binds that partial plus the other half, adds and
 * applies PReLU. That costs one extra pass per output group of such a conv
 * and one extra texture read per tap group; the MACs stay the same.
 *
 * The last conv is saved the same way (3·s² channels); a final
 * output-size pass (`//!WIDTH HOOKED.w S *`) picks PixelShuffle's channel
 * c·s² + i·s + j for its sub-pixel and adds the nearest-upsampled HOOKED
 * (the residual). Without //!SAVE it replaces HOOKED, so the next model of
 * the chain hooks on the upscaled frame.
 *
 * The first model clamps what it reads from HOOKED to [0, 1], as mpv's own
 * scalers clamp their result: mpv's YUV→RGB conversion puts source pixels
 * at 0 and 255 slightly outside [0, 1], and a model never saw such values
 * in training, so without the clamp black and white would drift.
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

/* What a pass reads at a tap; @clamp_in clamps the chain's input texture
 * (see the top of this file). */
static void
append_fetch (GString    *s,
              const char *tex,
              int         dx,
              int         dy,
              gboolean    clamp_in)
{
  g_string_append_printf (s, "(zin(%s_pos, %s_size, vec2(%d.0, %d.0)) * %s%s_tex((floor(%s_pos * %s_size) + "
                          "vec2(%d.0, %d.0) + 0.5) * %s_pt)%s)",
                          tex, tex, dx, dy, clamp_in ? "clamp(" : "", tex, tex, tex, dx, dy, tex,
                          clamp_in ? ", 0.0, 1.0)" : "");
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
              gboolean            rgb_only,
              gboolean            clamp_in)
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
        append_fetch (s, tex, kx - 1, ky - 1, clamp_in);
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

/* Exact texel read of @tex under the current pixel. */
static void
append_texel (GString    *s,
              const char *tex)
{
  g_string_append_printf (s, "%s_tex((floor(%s_pos * %s_size) + 0.5) * %s_pt)", tex, tex, tex, tex);
}

/**
 * svd_glsl_conv_chunks:
 * @in_groups: a conv's input textures (4 channels each)
 *
 * Returns: the passes each output group of the conv takes so that no pass
 *   binds more than %SVD_GLSL_MAX_BINDS textures: 1 when the inputs fit,
 *   else enough passes of at most %SVD_GLSL_MAX_BINDS - 1 inputs, each
 *   after the first also binding the running partial sum
 */
int
svd_glsl_conv_chunks (int in_groups)
{
  if (in_groups <= SVD_GLSL_MAX_BINDS)
    return 1;
  return (in_groups + SVD_GLSL_MAX_BINDS - 2) / (SVD_GLSL_MAX_BINDS - 1);
}

/**
 * svd_glsl_count_passes:
 * @model: a model the GLSL export accepts
 *
 * Returns: the number of `//!HOOK` passes svd_glsl_export_model() writes
 */
int
svd_glsl_count_passes (const SvdModel *model)
{
  int n = 1;

  for (int l = 0; l < model->n_layers; l++)
    n += (model->layers[l].out_ch + 3) / 4 * svd_glsl_conv_chunks ((model->layers[l].in_ch + 3) / 4);
  return n;
}

/* One conv: per output group, svd_glsl_conv_chunks() passes. */
static void
append_conv (GString        *s,
             const SvdModel *model,
             const char     *name,
             const char     *prefix,
             int             l,
             gboolean        clamp_in)
{
  const SvdConvLayer *L = &model->layers[l];
  int in_groups = (L->in_ch + 3) / 4, out_groups = (L->out_ch + 3) / 4;
  int chunks = svd_glsl_conv_chunks (in_groups);
  int per = (in_groups + chunks - 1) / chunks;
  gboolean activate = L->slope != NULL;

  for (int og = 0; og < out_groups; og++)
    for (int c = 0; c < chunks; c++)
      {
        int g0 = c * per, g1 = MIN (in_groups, g0 + per);
        gboolean final = c + 1 == chunks;
        char partial[64];

        g_string_append_printf (s, "//!HOOK MAIN\n//!DESC %s conv %d/%d channels %d-%d", name, l + 1,
                                model->n_layers, og * 4, MIN (og * 4 + 3, L->out_ch - 1));
        if (chunks > 1)
          g_string_append_printf (s, " inputs %d-%d", g0 * 4, MIN (g1 * 4, L->in_ch) - 1);
        g_string_append_c (s, '\n');
        g_snprintf (partial, sizeof partial, "%sL%d_%d_p%d", prefix, l, og, c - 1);
        if (l == 0)
          g_string_append (s, "//!BIND HOOKED\n");
        else
          {
            if (c > 0)
              g_string_append_printf (s, "//!BIND %s\n", partial);
            for (int g = g0; g < g1; g++)
              g_string_append_printf (s, "//!BIND %sL%d_%d\n", prefix, l - 1, g);
          }
        if (final)
          g_string_append_printf (s, "//!SAVE %sL%d_%d\n", prefix, l, og);
        else
          g_string_append_printf (s, "//!SAVE %sL%d_%d_p%d\n", prefix, l, og, c);
        g_string_append (s, "//!WIDTH HOOKED.w\n//!HEIGHT HOOKED.h\n//!COMPONENTS 4\n\n");
        g_string_append (s, zfetch_src);
        g_string_append (s, "vec4 hook() {\n  vec4 acc = ");
        if (c == 0)
          append_vec4 (s, L->bias, L->out_ch, og * 4);
        else
          append_texel (s, partial);
        g_string_append (s, ";\n");
        for (int ig = g0; ig < g1; ig++)
          {
            char tex[64];

            if (l == 0)
              g_strlcpy (tex, "HOOKED", sizeof tex);
            else
              g_snprintf (tex, sizeof tex, "%sL%d_%d", prefix, l - 1, ig);
            append_group (s, L, "acc", tex, ig, og * 4, l == 0, l == 0 && clamp_in);
          }
        if (final && activate)
          {
            g_string_append (s, "  return max(acc, 0.0) + ");
            append_vec4 (s, L->slope, L->out_ch, og * 4);
            g_string_append (s, " * min(acc, 0.0);\n}\n\n");
          }
        else
          g_string_append (s, "  return acc;\n}\n\n");
      }
}

/* A name as it may appear in a `//` comment or `//!DESC` line: valid UTF-8
 * without control characters, so a newline in a model or chain name cannot
 * start a `//!` directive or GLSL code. */
static char *
comment_text (const char *text)
{
  char *t = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (char *p = t; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        *p = ' ';
      /* Nor look like a directive to a tool that searches for "//!". */
      if (p[0] == '/' && p[1] == '/' && p[2] == '!')
        p[2] = '_';
    }
  return t;
}

static char *
export_model (const SvdModel  *model,
              const char      *prefix,
              gboolean         clamp_in,
              GError         **error)
{
  GString *s;
  int s2 = model->scale * model->scale;
  g_autofree char *name = NULL;

  if (model->graph != NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Model “%s” is a %s, not SRVGGNetCompact: the mpv GLSL export covers compact models only",
                   model->name, svd_model_get_tier_name (model));
      return NULL;
    }
  if (!svd_model_validate (model, error))
    return NULL;
  if (model->in_ch != 3 || model->out_ch != 3)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "mpv shaders hook RGB: the model must have 3 channels");
      return NULL;
    }
  if (model->nf > SVD_GLSL_MAX_NF || (3 * s2 + 3) / 4 + 1 > SVD_GLSL_MAX_BINDS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s” has nf %d and scale %d: the GLSL export handles nf up to %d and scales whose "
                   "pixel shuffle binds at most %d textures (up to 4x)", model->name, model->nf, model->scale,
                   SVD_GLSL_MAX_NF, SVD_GLSL_MAX_BINDS);
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

  name = comment_text (model->name);
  s = g_string_new (NULL);
  for (int l = 0; l < model->n_layers; l++)
    append_conv (s, model, name, prefix, l, clamp_in);

  /* PixelShuffle and the residual in one output-size pass; it binds
   * HOOKED and the last conv's ceil(3·s²/4) textures (13 at 4x). */
  {
    int l = model->n_layers - 1;
    const SvdConvLayer *L = &model->layers[l];
    int out_groups = (L->out_ch + 3) / 4;

    g_string_append_printf (s, "//!HOOK MAIN\n//!DESC %s pixel shuffle x%d + residual\n//!BIND HOOKED\n",
                            name, model->scale);
    for (int og = 0; og < out_groups; og++)
      g_string_append_printf (s, "//!BIND %sL%d_%d\n", prefix, l, og);
    g_string_append_printf (s, "//!WIDTH HOOKED.w %d *\n//!HEIGHT HOOKED.h %d *\n//!COMPONENTS 4\n\n",
                            model->scale, model->scale);
    g_string_append_printf (s, "vec4 hook() {\n  float ch[%d];\n", out_groups * 4);
    for (int og = 0; og < out_groups; og++)
      {
        char tex[64];

        g_snprintf (tex, sizeof tex, "%sL%d_%d", prefix, l, og);
        g_string_append_printf (s, "  vec4 g%d = ", og);
        append_texel (s, tex);
        g_string_append_printf (s, ";\n  ch[%d] = g%d.x; ch[%d] = g%d.y; ch[%d] = g%d.z; ch[%d] = g%d.w;\n",
                                og * 4, og, og * 4 + 1, og, og * 4 + 2, og, og * 4 + 3, og);
      }
    /* Sub-pixel (i, j) of the source texel under this output pixel. */
    g_string_append_printf (s,
                            "  vec2 o = floor(HOOKED_pos * HOOKED_size * %d.0);\n"
                            "  int sub = int(mod(o.y, %d.0)) * %d + int(mod(o.x, %d.0));\n"
                            "  vec3 base = %sHOOKED_tex((floor(HOOKED_pos * HOOKED_size) + 0.5) * HOOKED_pt).rgb%s;\n"
                            "  vec3 res = base + vec3(ch[sub], ch[%d + sub], ch[%d + sub]);\n",
                            model->scale, model->scale, model->scale, model->scale,
                            clamp_in ? "clamp(" : "", clamp_in ? ", 0.0, 1.0)" : "", s2, 2 * s2);
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
 * svd_glsl_export_model:
 * @model: a model
 * @prefix: texture name prefix, unique per model in a chain (e.g. "S1")
 * @error: return location for an error
 *
 * The model reads HOOKED clamped to [0, 1], as the first model of a chain.
 *
 * Returns: (transfer full): the model's passes
 */
char *
svd_glsl_export_model (const SvdModel  *model,
                       const char      *prefix,
                       GError         **error)
{
  return export_model (model, prefix, TRUE, error);
}

/**
 * svd_glsl_max_binds:
 * @shader: passes as svd_glsl_export_chain() writes them
 *
 * Returns: the most `//!BIND` lines of any one pass
 */
int
svd_glsl_max_binds (const char *shader)
{
  g_autoptr(GPtrArray) passes = svd_glsl_split_passes (shader);
  int most = 0;

  for (guint i = 0; i < passes->len; i++)
    {
      const char *p = g_ptr_array_index (passes, i);
      int n = 0;

      while ((p = strstr (p, "//!BIND ")) != NULL)
        {
          n++;
          p += 8;
        }
      most = MAX (most, n);
    }
  return most;
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
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) cost = g_string_new (NULL);
  g_autofree char *name = comment_text (chain->name);
  GString *s;
  int passes = 0;
  double gflop = 0, scale = 1;

  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *st = g_ptr_array_index (chain->steps, i);
      g_autofree char *prefix = g_strdup_printf ("SVD%u_", i + 1);
      g_autofree char *part = NULL;
      g_autofree char *step_name = NULL;
      int n;

      if (st->type != SVD_CHAIN_STEP_MODEL || st->model == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Step %u (%s): the GLSL export runs learned models only; mpv scales with its own "
                       "--scale filter", i + 1, st->name);
          return NULL;
        }
      part = export_model (st->model, prefix, i == 0, error);
      if (part == NULL)
        return NULL;
      g_string_append (body, part);
      n = svd_glsl_count_passes (st->model);
      passes += n;
      /* MACs per source pixel of this step, at its own input size. */
      gflop += 2.0 * (double) svd_model_get_macs_per_pixel (st->model) * 1920 * 1080 * scale * scale / 1e9;
      step_name = comment_text (st->model->name);
      g_string_append_printf (cost, "//   %u. %s: nf %d, %d body convs, %dx, %d passes\n",
                              i + 1, step_name, st->model->nf, st->model->n_layers - 2, st->model->scale, n);
      scale *= st->model->scale;
    }

  s = g_string_new (NULL);
  g_string_append_printf (s, "// %s: generated by SVD Studio: SRVGGNetCompact chain as mpv user shaders.\n"
                          "// Load with --glsl-shaders=FILE (mpv) or custom_shader_path (libplacebo).\n"
                          "// %d passes in all, binding at most %d textures each (mpv on OpenGL links\n"
                          "// at most %d). Expected cost: %.0f GFLOP per 1920x1080 source frame, the\n"
                          "// same MACs as the model run natively, plus one texture fetch per 3x3 tap\n"
                          "// and input group; an nf-64 conv takes two passes per output group.\n%s",
                          name, passes, svd_glsl_max_binds (body->str), SVD_GLSL_MAX_BINDS, gflop,
                          passes > 256 ? "// Above 256 passes: mpv's vo=gpu keeps 256 compiled passes and recompiles\n"
                                         "// them on every redraw (seen with mpv 0.35); a smaller tier avoids that.\n" : "");
  g_string_append (s, cost->str);
  g_string_append_c (s, '\n');
  g_string_append (s, body->str);
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
  const char *p = g_str_has_prefix (shader, "//!HOOK") ? shader : strstr (shader, "\n//!HOOK");

  /* Directives start a line (mpv reads them only there). */
  if (p != NULL && *p == '\n')
    p++;
  while (p != NULL)
    {
      const char *next = strstr (p, "\n//!HOOK");

      if (next != NULL)
        next++;

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
