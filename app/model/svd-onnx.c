/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx"

/* The ONNX reader. protobuf-c (with Debian's onnx.proto, compiled at build
 * time) decodes the ModelProto; this file then matches the SRVGGNetCompact
 * structure *structurally*, walking back from the graph output:
 *
 *   output ← [Cast] ← [Clip] ← Add(shuffle branch, upsample branch)
 *   upsample branch: graph input, or Resize/Upsample(nearest) of it
 *   shuffle branch:  last Conv → DepthToSpace, or any chain of
 *                    Reshape/Transpose/Unsqueeze/Squeeze that shuffles pixels
 *   last Conv ← act ← Conv ← act ← … ← first Conv ← graph input
 *   act: PRelu (slope from an initializer, Constant or Unsqueeze/Reshape
 *        chain), Relu or LeakyRelu; Cast/Identity nodes are looked through.
 *
 * Shapes, slopes, scales and sizes come from a small evaluator over
 * constants (Constant, Cast, Unsqueeze, Squeeze, Reshape, Transpose, Shape,
 * Gather, Concat, elementwise Add/Sub/Mul/Div, DepthToSpace). The pixel
 * shuffle's channel order is not assumed: the shuffle branch is evaluated on
 * a probe tensor whose values encode (channel, y, x), which yields the
 * permutation whatever the exporter wrote (DCR, CRD, any Transpose perm);
 * the last conv's output channels are then reordered into PyTorch
 * PixelShuffle order. Every node of the graph must be placed; anything else
 * is refused, naming the node, its op and what is supported. */

#include "svd-model-private.h"
#include "core/svd-error.h"
#include "core/svd-limits.h"
#include "model/onnx.pb-c.h"
#include "model/svd-onnx-util.h"
#include "model/svd-onnx-fold.h"

#include <math.h>

#define MAX_NODES      20000
#define MAX_EVAL_DEPTH 256
/* The largest fixed input (H·W) used as the pixel-shuffle probe. */
#define MAX_PROBE_PIXELS 65536
#define PROBE_H        3
#define PROBE_W        5

/* A small dense tensor of the shared constant folder (svd-onnx-fold.h). */
typedef SvdOnnxTens Tens;

typedef struct {
  Onnx__ModelProto *proto;
  Onnx__GraphProto *graph;
  GHashTable       *inits;      /* name -> TensorProto */
  GHashTable       *producer;   /* output name -> NodeProto */
  GHashTable       *inputs;     /* graph input name -> ValueInfoProto */
  GHashTable       *decoded;    /* initializer name -> Tens (shared) */
  GHashTable       *used;       /* NodeProto set: nodes placed */
  SvdOnnxFold       fold;       /* every Tens, under the folder's limits */
  gint64            opset;      /* the default domain's opset */
  gboolean          compact_shape; /* the residual Add and its branches were found */
} Onnx;

typedef struct {
  Onnx       *o;
  GHashTable *memo;  /* name -> Tens */
} Ctx;

static Tens *
tens_new (Onnx         *o,
          int           elem,
          int           ndim,
          const gint64 *dims,
          GError      **error)
{
  return svd_onnx_fold_new (&o->fold, elem, ndim, dims, error);
}

/* ---- The constant evaluator ---------------------------------------------- */

static Tens *eval (Ctx *c, const char *name, int depth, GError **error);

static gboolean
unsupported_eval (const Onnx__NodeProto *n,
                  const char            *why,
                  GError               **error)
{
  g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
               "ONNX node “%s” (%s): %s", svd_onnx_node_label (n), n->op_type, why);
  return FALSE;
}

/* Reads the axes of Unsqueeze/Squeeze from the attribute (opset < 13) or
 * the second input. */
static gboolean
get_axes (Ctx                   *c,
          const Onnx__NodeProto *n,
          int                    depth,
          gint64                *axes,
          int                   *count,
          GError               **error)
{
  Tens *t = NULL;

  if (svd_onnx_attr (n, "axes") == NULL && n->n_input >= 2 && n->input[1][0] &&
      (t = eval (c, n->input[1], depth + 1, error)) == NULL)
    return FALSE;
  return svd_onnx_axes_from (n, t, axes, count, error);
}

static Tens *
eval_node (Ctx                   *c,
           const Onnx__NodeProto *n,
           int                    depth,
           GError               **error)
{
  Onnx *o = c->o;
  const char *op = n->op_type ? n->op_type : "";
  Tens *x = NULL, *out;

#define IN(k) ((gsize) (k) < n->n_input && n->input[k][0] ? eval (c, n->input[k], depth + 1, error) : NULL)

  if (strcmp (op, "Constant") == 0)
    return svd_onnx_fold_constant (&o->fold, n, error);

  if (n->n_input < 1 || !n->input[0][0])
    {
      unsupported_eval (n, "has no data input", error);
      return NULL;
    }

  if (strcmp (op, "Identity") == 0)
    return IN (0);

  if (strcmp (op, "Cast") == 0)
    return (x = IN (0)) == NULL ? NULL : svd_onnx_fold_cast (&o->fold, n, x, error);

  if (strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Squeeze") == 0 || strcmp (op, "Reshape") == 0)
    {
      gint64 axes[SVD_TENSOR_MAX_DIMS], dims[SVD_TENSOR_MAX_DIMS];
      int na = 0, nd = 0;
      Tens *shape;

      if ((x = IN (0)) == NULL)
        return NULL;
      if (op[0] == 'R')
        {
          if ((shape = IN (1)) == NULL || !svd_onnx_reshape_dims (n, x->ndim, x->dims, x->n, shape, &nd, dims, error))
            return NULL;
        }
      else if (!get_axes (c, n, depth, axes, &na, error) ||
               !svd_onnx_squeeze_dims (n, x->ndim, x->dims, axes, na, &nd, dims, error))
        return NULL;
      if ((out = tens_new (o, x->elem, nd, dims, error)) == NULL)
        return NULL;
      memcpy (out->v, x->v, sizeof (double) * x->n);
      return out;
    }

  if (strcmp (op, "Transpose") == 0)
    return (x = IN (0)) == NULL ? NULL : svd_onnx_fold_transpose (&o->fold, n, x, error);

  if (strcmp (op, "Shape") == 0)
    {
      gint64 start, end, d;

      if ((x = IN (0)) == NULL)
        return NULL;
      start = svd_onnx_attr_int (n, "start", 0);
      end = svd_onnx_attr_int (n, "end", x->ndim);
      if (start < 0)
        start += x->ndim;
      if (end < 0)
        end += x->ndim;
      start = CLAMP (start, 0, x->ndim);
      end = CLAMP (end, start, x->ndim);
      d = end - start;
      if ((out = tens_new (o, ET_INT64, 1, &d, error)) == NULL)
        return NULL;
      for (gint64 i = 0; i < d; i++)
        out->v[i] = (double) x->dims[start + i];
      return out;
    }

  if (strcmp (op, "Gather") == 0)
    {
      Tens *ind;

      if ((x = IN (0)) == NULL || (ind = IN (1)) == NULL)
        return NULL;
      return svd_onnx_fold_gather (&o->fold, n, x, ind, error);
    }

  if (strcmp (op, "Concat") == 0)
    {
      Tens *parts[64];

      if (n->n_input > G_N_ELEMENTS (parts))
        {
          unsupported_eval (n, "Concat of more than 64 inputs", error);
          return NULL;
        }
      for (gsize i = 0; i < n->n_input; i++)
        if ((parts[i] = IN (i)) == NULL)
          {
            if (error != NULL && *error == NULL)
              unsupported_eval (n, "Concat with an empty input", error);
            return NULL;
          }
      return svd_onnx_fold_concat (&o->fold, n, parts, n->n_input, error);
    }

  /* The compact matcher folds these four (a shape computation's
   * arithmetic); the graph importer folds more. */
  if (strcmp (op, "Add") == 0 || strcmp (op, "Sub") == 0 || strcmp (op, "Mul") == 0 ||
      strcmp (op, "Div") == 0)
    {
      Tens *y;

      if ((x = IN (0)) == NULL || (y = IN (1)) == NULL)
        return NULL;
      return svd_onnx_fold_binary (&o->fold, n, x, y, error);
    }

  if (strcmp (op, "DepthToSpace") == 0)
    {
      gint64 s = svd_onnx_attr_int (n, "blocksize", 0), dims[4];
      g_autofree char *mode = svd_onnx_attr_string (n, "mode", "DCR");
      gboolean dcr;
      gint64 C;

      if ((x = IN (0)) == NULL)
        return NULL;
      dcr = strcmp (mode, "DCR") == 0;
      if (!dcr && strcmp (mode, "CRD") != 0)
        {
          unsupported_eval (n, "DepthToSpace mode is neither DCR nor CRD", error);
          return NULL;
        }
      if (x->ndim != 4 || s < 1 || s > 16 || x->dims[1] % (s * s) != 0)
        {
          unsupported_eval (n, "DepthToSpace needs a 4-D input whose channels divide by blocksize²", error);
          return NULL;
        }
      C = x->dims[1] / (s * s);
      dims[0] = x->dims[0];
      dims[1] = C;
      dims[2] = x->dims[2] * s;
      dims[3] = x->dims[3] * s;
      if ((out = tens_new (o, x->elem, 4, dims, error)) == NULL || out->n == 0)
        return out;
      for (gint64 b = 0; b < dims[0]; b++)
        for (gint64 ch = 0; ch < C; ch++)
          for (gint64 y = 0; y < dims[2]; y++)
            for (gint64 xx = 0; xx < dims[3]; xx++)
              {
                gint64 i = y % s, j = xx % s;
                gint64 src_c = dcr ? (i * s + j) * C + ch : ch * s * s + i * s + j;
                gsize src = (((gsize) b * x->dims[1] + src_c) * x->dims[2] + y / s) * x->dims[3] + xx / s;
                gsize dst = (((gsize) b * C + ch) * dims[2] + y) * dims[3] + xx;

                out->v[dst] = x->v[src];
              }
      return out;
    }

  {
    g_autofree char *why = g_strdup_printf (
      "the op is not supported here (an SRVGGNetCompact graph holds Conv, PRelu/Relu/LeakyRelu, "
      "DepthToSpace or Reshape/Transpose pixel shuffle, Resize/Upsample (nearest), Add, Cast, Clip, "
      "and constant-shape ops: Constant, Shape, Gather, Concat, Unsqueeze, Squeeze, Reshape, "
      "Mul, Div%s%s)", n->domain && n->domain[0] ? "; domain " : "", n->domain ? n->domain : "");

    unsupported_eval (n, why, error);
    return NULL;
  }
#undef IN
}

static Tens *
eval (Ctx        *c,
      const char *name,
      int         depth,
      GError    **error)
{
  Tens *t;
  Onnx__NodeProto *n;
  Onnx__TensorProto *tp;

  if ((t = g_hash_table_lookup (c->memo, name)) != NULL)
    return t;
  if (depth > MAX_EVAL_DEPTH)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "ONNX constant expression for “%s” is nested too deeply", name);
      return NULL;
    }
  if ((tp = g_hash_table_lookup (c->o->inits, name)) != NULL)
    {
      if ((t = g_hash_table_lookup (c->o->decoded, name)) == NULL)
        {
          if ((t = svd_onnx_fold_decode (&c->o->fold, tp, name, error)) == NULL)
            return NULL;
          g_hash_table_insert (c->o->decoded, (gpointer) name, t);
        }
    }
  else if ((n = g_hash_table_lookup (c->o->producer, name)) != NULL)
    {
      g_hash_table_add (c->o->used, n);
      if ((t = eval_node (c, n, depth, error)) == NULL)
        return NULL;
    }
  else
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "ONNX value “%s” is not a constant (it depends on the graph input where a "
                   "constant is needed)", name);
      return NULL;
    }
  g_hash_table_insert (c->memo, (gpointer) name, t);
  return t;
}

static void
ctx_init (Ctx  *c,
          Onnx *o)
{
  c->o = o;
  c->memo = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
ctx_clear (Ctx *c)
{
  g_clear_pointer (&c->memo, g_hash_table_unref);
}

/* ---- The structural match ----------------------------------------------- */

static Onnx__NodeProto *
producer_of (Onnx       *o,
             const char *name)
{
  return g_hash_table_lookup (o->producer, name);
}

static gboolean
op_is (const Onnx__NodeProto *n,
       const char            *op)
{
  return n != NULL && n->op_type != NULL && strcmp (n->op_type, op) == 0 &&
         (n->domain == NULL || n->domain[0] == '\0' || strcmp (n->domain, "ai.onnx") == 0);
}

/* Follows Cast and Identity nodes back to the value they pass on. */
static const char *
look_through (Onnx       *o,
              const char *name)
{
  for (int guard = 0; guard < 16; guard++)
    {
      Onnx__NodeProto *n = producer_of (o, name);

      if (n == NULL || !(op_is (n, "Cast") || op_is (n, "Identity")) || n->n_input < 1)
        break;
      g_hash_table_add (o->used, n);
      name = n->input[0];
    }
  return name;
}

static gboolean
fail_node (const Onnx__NodeProto *n,
           int                    code,
           const char            *what,
           GError               **error)
{
  g_set_error (error, SVD_ERROR, code, "ONNX node “%s” (%s): %s", svd_onnx_node_label (n),
               n->op_type ? n->op_type : "?", what);
  return FALSE;
}

typedef struct {
  Onnx__NodeProto *conv;
  Tens            *weight;
  Tens            *bias;     /* may be NULL */
  Onnx__NodeProto *act;      /* activation after this conv (NULL for the last) */
  Tens            *slope;    /* PRelu */
} Layer;

static gboolean
check_conv (Ctx             *c,
            Onnx__NodeProto *n,
            Layer           *l,
            GError         **error)
{
  gsize k;
  const int64_t *v;
  g_autofree char *auto_pad = svd_onnx_attr_string (n, "auto_pad", "NOTSET");

  if (n->n_input < 2 || !n->input[1][0])
    return fail_node (n, SVD_ERROR_MODEL_INVALID, "Conv without weights", error);
  if ((l->weight = eval (c, n->input[1], 0, error)) == NULL)
    return FALSE;
  if (l->weight->ndim != 4 || l->weight->dims[2] != 3 || l->weight->dims[3] != 3)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "only 3×3 convolutions (OIHW weights) are supported", error);
  l->bias = NULL;
  if (n->n_input >= 3 && n->input[2][0])
    {
      if ((l->bias = eval (c, n->input[2], 0, error)) == NULL)
        return FALSE;
      if ((gint64) l->bias->n != l->weight->dims[0])
        return fail_node (n, SVD_ERROR_MODEL_INVALID, "Conv bias length differs from its output channels", error);
    }
  if (svd_onnx_attr_int (n, "group", 1) != 1)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "grouped convolutions are not supported", error);
  if (svd_onnx_attr_ints (n, "strides", &k, &v))
    for (gsize i = 0; i < k; i++)
      if (v[i] != 1)
        return fail_node (n, SVD_ERROR_UNSUPPORTED, "only stride 1 is supported", error);
  if (svd_onnx_attr_ints (n, "dilations", &k, &v))
    for (gsize i = 0; i < k; i++)
      if (v[i] != 1)
        return fail_node (n, SVD_ERROR_UNSUPPORTED, "only dilation 1 is supported", error);
  if (svd_onnx_attr_ints (n, "kernel_shape", &k, &v) && (k != 2 || v[0] != 3 || v[1] != 3))
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "only 3×3 kernels are supported", error);
  if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
    return TRUE;
  if (strcmp (auto_pad, "NOTSET") != 0)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "only zero padding 1 is supported (auto_pad VALID found)", error);
  if (!svd_onnx_attr_ints (n, "pads", &k, &v) || k != 4 || v[0] != 1 || v[1] != 1 || v[2] != 1 || v[3] != 1)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "only zero padding 1 on every side is supported", error);
  return TRUE;
}

/* Nearest upsampling must pick source index ⌊dst / s⌋, which is what the
 * network's F.interpolate(nearest) does. Checks the node's coordinate
 * transform and rounding on a probe length. */
static gboolean
check_nearest_mapping (Onnx            *o,
                       Onnx__NodeProto *n,
                       int              s,
                       GError         **error)
{
  g_autofree char *ctm = svd_onnx_attr_string (n, "coordinate_transformation_mode", "half_pixel");
  g_autofree char *nm = svd_onnx_attr_string (n, "nearest_mode", "round_prefer_floor");
  const int L = 7;

  /* Upsample(nearest), and Resize before opset 11 (which has neither
   * attribute), are asymmetric + floor by definition. */
  if (op_is (n, "Upsample") || o->opset < 11)
    return TRUE;
  for (int dst = 0; dst < L * s; dst++)
    {
      double x, r;
      gint64 src;

      if (strcmp (ctm, "asymmetric") == 0)
        x = (double) dst / s;
      else if (strcmp (ctm, "half_pixel") == 0 || strcmp (ctm, "pytorch_half_pixel") == 0 ||
               (strcmp (ctm, "half_pixel_symmetric") == 0 && o->opset >= 19))
        /* half_pixel_symmetric (opset 19) only differs from half_pixel
         * when the output size is rounded, never at an integer scale. */
        x = (dst + 0.5) / s - 0.5;
      else if (strcmp (ctm, "tf_half_pixel_for_nn") == 0)
        x = (dst + 0.5) / s;
      else if (strcmp (ctm, "align_corners") == 0)
        x = L * s > 1 ? (double) dst * (L - 1) / (L * s - 1) : 0;
      else
        return fail_node (n, SVD_ERROR_UNSUPPORTED, "unknown coordinate_transformation_mode", error);
      if (strcmp (nm, "floor") == 0)
        r = floor (x);
      else if (strcmp (nm, "ceil") == 0)
        r = ceil (x);
      else if (strcmp (nm, "round_prefer_ceil") == 0)
        r = floor (x + 0.5);
      else if (strcmp (nm, "round_prefer_floor") == 0)
        r = x - floor (x) == 0.5 ? floor (x) : floor (x + 0.5);
      else
        return fail_node (n, SVD_ERROR_UNSUPPORTED, "unknown nearest_mode", error);
      src = CLAMP ((gint64) r, 0, L - 1);
      if (src != dst / s)
        return fail_node (n, SVD_ERROR_UNSUPPORTED,
                          "its coordinate transform and rounding do not give the plain nearest "
                          "upsampling (source pixel ⌊x / scale⌋) the network needs", error);
    }
  return TRUE;
}

/* The upsample factor of a Resize/Upsample node whose data input is the
 * graph input @x (with @in_ch channels). */
static gboolean
upsample_factor (Onnx            *o,
                 Onnx__NodeProto *n,
                 const char      *x,
                 int              in_ch,
                 int             *factor,
                 GError         **error)
{
  g_autofree char *mode = svd_onnx_attr_string (n, "mode", "nearest");
  const char *scales_name = NULL, *sizes_name = NULL;
  Ctx c;
  Tens *t;
  double s[4] = { 1, 1, 1, 1 };
  gboolean ok = FALSE;

  if (g_ascii_strcasecmp (mode, "nearest") != 0)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "only nearest upsampling is supported", error);
  if (op_is (n, "Resize") && o->opset < 10)
    return fail_node (n, SVD_ERROR_MODEL_INVALID, "Resize needs opset 10 or later (the file says opset "
                      "below 10, which has Upsample)", error);
  /* Opset 18 may name the axes the scales or sizes apply to. */
  int axes[4] = { 0, 1, 2, 3 }, n_axes = 4;
  {
    gsize na;
    const int64_t *ints;

    if (svd_onnx_attr_ints (n, "axes", &na, &ints))
      {
        if (na < 1 || na > 4)
          return fail_node (n, SVD_ERROR_UNSUPPORTED, "Resize axes must name 1 to 4 of N, C, H, W", error);
        for (gsize i = 0; i < na; i++)
          if (!svd_onnx_norm_axis (ints[i], 4, &axes[i]))
            return fail_node (n, SVD_ERROR_UNSUPPORTED, "Resize axes out of range", error);
        n_axes = (int) na;
      }
  }

  if (op_is (n, "Upsample") && o->opset < 9)
    {
      /* Upsample 7: the scales are an attribute. */
      Onnx__AttributeProto *a = svd_onnx_attr (n, "scales");

      if (a == NULL || a->n_floats != 4)
        return fail_node (n, SVD_ERROR_MODEL_INVALID, "Upsample before opset 9 needs a scales attribute "
                          "of four floats", error);
      for (int i = 0; i < 4; i++)
        s[i] = a->floats[i];
      goto have_scales;
    }
  else if (op_is (n, "Upsample") || o->opset < 11)
    scales_name = n->n_input >= 2 ? n->input[1] : NULL; /* Upsample 9, Resize 10: (X, scales) */
  else
    {
      scales_name = n->n_input >= 3 ? n->input[2] : NULL;
      sizes_name = n->n_input >= 4 ? n->input[3] : NULL;
      /* roi only matters for tf_crop_and_resize, but it must be a
       * constant so that its nodes are placed. */
      if (n->n_input >= 2 && n->input[1][0])
        {
          ctx_init (&c, o);
          t = eval (&c, n->input[1], 0, error);
          ctx_clear (&c);
          if (t == NULL)
            return FALSE;
        }
    }

  ctx_init (&c, o);
  if (scales_name != NULL && scales_name[0] && (t = eval (&c, scales_name, 0, error)) != NULL && t->n > 0)
    {
      if (t->n != (gsize) n_axes)
        {
          ctx_clear (&c);
          return fail_node (n, SVD_ERROR_UNSUPPORTED, "scales must have one value per axis (N, C, H, W)", error);
        }
      for (int i = 0; i < n_axes; i++)
        s[axes[i]] = t->v[i];
      ok = TRUE;
    }
  else if (scales_name != NULL && scales_name[0] && (error == NULL || *error != NULL))
    {
      ctx_clear (&c);
      return FALSE;
    }
  ctx_clear (&c);
  if (!ok && sizes_name != NULL && sizes_name[0])
    {
      /* Sizes are usually computed from Shape(input): evaluate them on a
       * probe input and divide. */
      gint64 dims[4] = { 1, in_ch, PROBE_H, PROBE_W };
      Tens *probe;

      ctx_init (&c, o);
      if ((probe = tens_new (o, ET_FLOAT, 4, dims, error)) == NULL)
        {
          ctx_clear (&c);
          return FALSE;
        }
      g_hash_table_insert (c.memo, (gpointer) x, probe);
      t = eval (&c, sizes_name, 0, error);
      ctx_clear (&c);
      if (t == NULL)
        return FALSE;
      if (t->n != (gsize) n_axes)
        return fail_node (n, SVD_ERROR_UNSUPPORTED, "sizes must have one value per axis (N, C, H, W)", error);
      for (int i = 0; i < n_axes; i++)
        s[axes[i]] = t->v[i] / dims[axes[i]];
      /* Opset 18: with a policy other than stretch, one scale (the
       * smallest or largest of the axes') applies to every axis. */
      if (o->opset >= 18)
        {
          g_autofree char *policy = svd_onnx_attr_string (n, "keep_aspect_ratio_policy", "stretch");
          double one = s[axes[0]];

          if (strcmp (policy, "not_larger") != 0 && strcmp (policy, "not_smaller") != 0 &&
              strcmp (policy, "stretch") != 0)
            return fail_node (n, SVD_ERROR_UNSUPPORTED, "unknown keep_aspect_ratio_policy", error);
          for (int i = 1; i < n_axes; i++)
            one = policy[4] == 'l' ? MIN (one, s[axes[i]]) : MAX (one, s[axes[i]]);
          if (strcmp (policy, "stretch") != 0)
            for (int i = 0; i < n_axes; i++)
              s[axes[i]] = one;
        }
      ok = TRUE;
    }
  if (!ok)
    return fail_node (n, SVD_ERROR_UNSUPPORTED, "neither scales nor sizes could be read", error);

have_scales:
  if (s[0] != 1 || s[1] != 1 || s[2] != s[3] || s[2] != floor (s[2]) || s[2] < 1 || s[2] > 4)
    return fail_node (n, SVD_ERROR_UNSUPPORTED,
                      "only an integer nearest upsample of H and W by the same factor 1–4 is supported",
                      error);
  *factor = (int) s[2];
  return check_nearest_mapping (o, n, *factor, error);
}

/* Evaluates the shuffle branch from the last conv's output (@conv_out,
 * @c_last channels) to @y on a probe whose values encode (channel, y, x),
 * and derives where each output (c, i, j) comes from. */
static gboolean
derive_shuffle (Onnx        *o,
                const char  *conv_out,
                const char  *y,
                int          c_last,
                int          probe_h,
                int          probe_w,
                int         *out_ch,
                int         *scale,
                int        **perm,
                GError     **error)
{
  gint64 dims[4] = { 1, c_last, probe_h, probe_w };
  Tens *probe, *t;
  Ctx c;
  int s, C;

  if (probe_h < 1 || probe_w < 1 || c_last < 1)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The last conv has %d channels and the probe is %d×%d; both must be positive",
                   c_last, probe_h, probe_w);
      return FALSE;
    }
  if ((probe = tens_new (o, ET_FLOAT, 4, dims, error)) == NULL)
    return FALSE;
  for (gsize k = 0; k < probe->n; k++)
    probe->v[k] = (double) k;  /* = (ch·H + y)·W + x */
  ctx_init (&c, o);
  g_hash_table_insert (c.memo, (gpointer) conv_out, probe);
  t = eval (&c, y, 0, error);
  ctx_clear (&c);
  if (t == NULL)
    return FALSE;
  if (t->ndim != 4 || t->dims[0] != 1 || t->dims[2] % probe_h != 0 || t->dims[3] % probe_w != 0 ||
      t->dims[2] / probe_h != t->dims[3] / probe_w)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ops after the last conv do not form a pixel shuffle (NCHW → N, C, H·s, W·s)");
      return FALSE;
    }
  s = (int) (t->dims[2] / probe_h);
  C = (int) t->dims[1];
  if (s < 1 || s > 4 || (gint64) C * s * s != c_last)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The pixel shuffle after the last conv maps %d channels to %d at scale %d", c_last, C, s);
      return FALSE;
    }
  *perm = g_new (int, c_last);
  for (int ch = 0; ch < C; ch++)
    for (int i = 0; i < s; i++)
      for (int j = 0; j < s; j++)
        {
          int src = -1;

          for (int yy = 0; yy < probe_h; yy++)
            for (int xx = 0; xx < probe_w; xx++)
              {
                gsize at = (((gsize) ch * t->dims[2]) + (gsize) (yy * s + i)) * t->dims[3] + (gsize) (xx * s + j);
                double v = t->v[at];
                gint64 k = v >= 0 && v < (double) probe->n ? (gint64) v : -1, sc = k / (probe_h * probe_w), sy = (k / probe_w) % probe_h, sx = k % probe_w;

                if (src < 0)
                  src = (int) sc;
                if (k < 0 || k != floor (v) || sc != src || sy != yy || sx != xx)
                  {
                    g_clear_pointer (perm, g_free);
                    g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                                 "The ops after the last conv move pixels in a way that is not a pixel shuffle");
                    return FALSE;
                  }
              }
          (*perm)[ch * s * s + i * s + j] = src;
        }
  *out_ch = C;
  *scale = s;
  return TRUE;
}

static gboolean
is_shuffle_op (const Onnx__NodeProto *n)
{
  return op_is (n, "DepthToSpace") || op_is (n, "Reshape") || op_is (n, "Transpose") ||
         op_is (n, "Squeeze") || op_is (n, "Unsqueeze") || op_is (n, "Cast") || op_is (n, "Identity");
}

/* Marks the nodes of the shuffle chain, and the constant nodes they read,
 * as placed. */
static void
mark_chain (Onnx       *o,
            const char *from,
            const char *conv_out)
{
  const char *name = from;

  for (int guard = 0; guard < 64 && strcmp (name, conv_out) != 0; guard++)
    {
      Onnx__NodeProto *n = producer_of (o, name);

      if (n == NULL || n->n_input < 1)
        return;
      g_hash_table_add (o->used, n);
      name = n->input[0];
    }
}

static gboolean
fixed_input_hw (Onnx__ValueInfoProto *vi,
                int                  *h,
                int                  *w)
{
  Onnx__TypeProto__Tensor *tt;

  if (vi == NULL || vi->type == NULL || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
    return FALSE;
  tt = vi->type->tensor_type;
  if (tt == NULL || tt->shape == NULL || tt->shape->n_dim != 4)
    return FALSE;
  if (tt->shape->dim[2]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
      tt->shape->dim[3]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
    return FALSE;
  /* Each side is bounded before they multiply: 2^32 × 2^32 wraps to 0. */
  if (tt->shape->dim[2]->dim_value < 1 || tt->shape->dim[3]->dim_value < 1 ||
      tt->shape->dim[2]->dim_value > MAX_PROBE_PIXELS || tt->shape->dim[3]->dim_value > MAX_PROBE_PIXELS ||
      tt->shape->dim[2]->dim_value * tt->shape->dim[3]->dim_value > MAX_PROBE_PIXELS)
    return FALSE; /* a probe that large costs too much; hope for 0/-1 dims */
  *h = (int) tt->shape->dim[2]->dim_value;
  *w = (int) tt->shape->dim[3]->dim_value;
  return TRUE;
}

static SvdModel *
match (Onnx    *o,
       GError **error)
{
  Onnx__GraphProto *g = o->graph;
  const char *out, *branch[2], *x = NULL, *conv_out = NULL, *shuffle_end = NULL;
  Onnx__NodeProto *n, *add, *up = NULL, *clip = NULL;
  g_autoptr(GArray) layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  g_autofree int *perm = NULL;
  g_autoptr(SvdModel) model = NULL;
  int factor = 1, out_ch = 0, scale = 1, n_conv, in_ch, nf, probe_h = PROBE_H, probe_w = PROBE_W;
  float clip_min = -G_MAXFLOAT, clip_max = G_MAXFLOAT;
  gboolean any_prelu = FALSE, all_leaky = TRUE;
  float leaky = 0;
  Ctx c;

  if (g->n_output != 1)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph has %zu outputs; an SRVGGNetCompact graph has one", g->n_output);
      return NULL;
    }
  out = look_through (o, g->output[0]->name);
  n = producer_of (o, out);
  if (op_is (n, "Clip") && n->n_input >= 1)
    {
      clip = n;
      g_hash_table_add (o->used, clip);
      out = look_through (o, n->input[0]);
      n = producer_of (o, out);
    }
  if (!op_is (n, "Add") || n->n_input != 2)
    {
      if (n == NULL)
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                     "The ONNX graph output is not computed by any node");
      else
        fail_node (n, SVD_ERROR_UNSUPPORTED,
                   "expected the residual Add (shuffled last conv + upsampled input) before the output",
                   error);
      return NULL;
    }
  add = n;
  g_hash_table_add (o->used, add);
  branch[0] = look_through (o, add->input[0]);
  branch[1] = look_through (o, add->input[1]);

  /* The upsample branch: the graph input itself (scale 1) or a nearest
   * Resize/Upsample of it. Either operand order. */
  for (int b = 0; b < 2 && x == NULL; b++)
    {
      Onnx__NodeProto *p = producer_of (o, branch[b]);

      if (g_hash_table_contains (o->inputs, branch[b]))
        {
          x = branch[b];
          shuffle_end = branch[1 - b];
        }
      else if (p != NULL && (op_is (p, "Resize") || op_is (p, "Upsample")) && p->n_input >= 1 &&
               g_hash_table_contains (o->inputs, look_through (o, p->input[0])))
        {
          up = p;
          x = look_through (o, p->input[0]);
          shuffle_end = branch[1 - b];
        }
    }
  if (x == NULL)
    return fail_node (add, SVD_ERROR_UNSUPPORTED,
                      "neither operand is the graph input or a Resize/Upsample of it", error), NULL;
  if (up != NULL)
    g_hash_table_add (o->used, up);

  /* The shuffle branch back to the last conv. */
  {
    const char *name = shuffle_end;

    for (int guard = 0; guard < 64; guard++)
      {
        Onnx__NodeProto *p = producer_of (o, name);

        if (p == NULL)
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                         "The residual Add's other operand “%s” does not come from a conv", name);
            return NULL;
          }
        if (op_is (p, "Conv"))
          {
            conv_out = name;
            break;
          }
        if (!is_shuffle_op (p) || p->n_input < 1)
          return fail_node (p, SVD_ERROR_UNSUPPORTED,
                            "expected the pixel shuffle after the last conv (DepthToSpace, or "
                            "Reshape/Transpose/Squeeze/Unsqueeze)", error), NULL;
        name = p->input[0];
      }
    if (conv_out == NULL)
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "The pixel shuffle chain is too long");
        return NULL;
      }
  }

  /* The conv chain, back from the last conv to the graph input. */
  ctx_init (&c, o);
  n = producer_of (o, conv_out);
  for (;;)
    {
      Layer l = { 0 };
      const char *prev;
      Onnx__NodeProto *p;

      if (layers->len >= 66 + 2)
        {
          ctx_clear (&c);
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "The ONNX graph has more than 66 convs");
          return NULL;
        }
      l.conv = n;
      g_hash_table_add (o->used, n);
      if (!check_conv (&c, n, &l, error))
        goto fail;
      g_array_prepend_val (layers, l);
      prev = look_through (o, n->input[0]);
      if (strcmp (prev, x) == 0)
        break;
      if (g_hash_table_contains (o->inputs, prev))
        {
          fail_node (n, SVD_ERROR_UNSUPPORTED, "reads a different graph input than the residual add", error);
          goto fail;
        }
      p = producer_of (o, prev);
      if ((op_is (p, "PRelu") || op_is (p, "Relu") || op_is (p, "LeakyRelu")) && p->n_input >= 1)
        {
          Layer *first = &g_array_index (layers, Layer, 0);

          g_hash_table_add (o->used, p);
          first->act = p; /* the activation after the conv before it; moved below */
          if (op_is (p, "PRelu"))
            {
              if (p->n_input < 2 || (first->slope = eval (&c, p->input[1], 0, error)) == NULL)
                {
                  if (error == NULL || *error == NULL)
                    fail_node (p, SVD_ERROR_MODEL_INVALID, "PRelu without a slope", error);
                  goto fail;
                }
            }
          prev = look_through (o, p->input[0]);
          p = producer_of (o, prev);
        }
      else if (p != NULL)
        {
          fail_node (p, SVD_ERROR_UNSUPPORTED,
                     "expected an activation (PRelu, Relu, LeakyRelu) or a Conv here", error);
          goto fail;
        }
      if (!op_is (p, "Conv"))
        {
          if (p != NULL)
            fail_node (p, SVD_ERROR_UNSUPPORTED, "expected a Conv before the activation", error);
          else
            g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                         "The conv chain breaks at “%s”, which no node computes", prev);
          goto fail;
        }
      n = p;
    }
  ctx_clear (&c);
  /* From here on the graph is SRVGGNetCompact-shaped: refusals below
   * are about its details, not a reason to try the general graph IR. */
  o->compact_shape = TRUE;

  /* The activation recorded on layer k follows layer k−1's conv; shift. */
  for (guint i = 0; i + 1 < layers->len; i++)
    {
      Layer *a = &g_array_index (layers, Layer, i);
      Layer *b = &g_array_index (layers, Layer, i + 1);

      a->act = b->act;
      a->slope = b->slope;
    }
  g_array_index (layers, Layer, layers->len - 1).act = NULL;
  g_array_index (layers, Layer, layers->len - 1).slope = NULL;

  if (layers->len < 2)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph has %u conv; an SRVGGNetCompact has at least two", layers->len);
      return NULL;
    }
  for (guint i = 0; i + 1 < layers->len; i++)
    if (g_array_index (layers, Layer, i).act == NULL)
      {
        fail_node (g_array_index (layers, Layer, i + 1).conv, SVD_ERROR_UNSUPPORTED,
                   "two convs follow each other without an activation", error);
        return NULL;
      }

  n_conv = (int) layers->len;
  in_ch = (int) g_array_index (layers, Layer, 0).weight->dims[1];
  nf = (int) g_array_index (layers, Layer, 0).weight->dims[0];
  {
    Layer *last = &g_array_index (layers, Layer, n_conv - 1);
    int c_last = (int) last->weight->dims[0];

    if (strcmp (conv_out, shuffle_end) == 0)
      {
        out_ch = c_last;
        scale = 1;
        perm = g_new (int, c_last);
        for (int i = 0; i < c_last; i++)
          perm[i] = i;
      }
    else
      {
        fixed_input_hw (g_hash_table_lookup (o->inputs, x), &probe_h, &probe_w);
        if (!derive_shuffle (o, conv_out, shuffle_end, c_last, probe_h, probe_w, &out_ch, &scale, &perm, error))
          return NULL;
        mark_chain (o, shuffle_end, conv_out);
      }
  }
  if (up != NULL && !upsample_factor (o, up, x, in_ch, &factor, error))
    return NULL;
  if (factor != scale)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                   "The input is upsampled ×%d but the pixel shuffle scales ×%d", factor, scale);
      return NULL;
    }
  if (clip != NULL)
    {
      Ctx cc;
      Tens *t;

      /* Clip 6 has min/max attributes; from opset 11 they are inputs
       * (and the attributes do not exist). */
      ctx_init (&cc, o);
      if (o->opset < 11)
        {
          clip_min = svd_onnx_attr_float (clip, "min", -G_MAXFLOAT);
          clip_max = svd_onnx_attr_float (clip, "max", G_MAXFLOAT);
          if (clip->n_input > 1)
            goto clip_fail;
        }
      if (o->opset >= 11 && clip->n_input >= 2 && clip->input[1][0])
        {
          if ((t = eval (&cc, clip->input[1], 0, error)) == NULL || t->n != 1)
            goto clip_fail;
          clip_min = (float) t->v[0];
        }
      if (o->opset >= 11 && clip->n_input >= 3 && clip->input[2][0])
        {
          if ((t = eval (&cc, clip->input[2], 0, error)) == NULL || t->n != 1)
            goto clip_fail;
          clip_max = (float) t->v[0];
        }
      ctx_clear (&cc);
      if (FALSE)
        {
clip_fail:
          ctx_clear (&cc);
          if (error == NULL || *error == NULL)
            fail_node (clip, SVD_ERROR_UNSUPPORTED, o->opset < 11 ?
                       "Clip before opset 11 takes its bounds as attributes, not inputs" :
                       "Clip bounds must be scalars", error);
          return NULL;
        }
    }

  /* Every node must have been placed. */
  for (gsize i = 0; i < o->graph->n_node; i++)
    if (!g_hash_table_contains (o->used, o->graph->node[i]))
      {
        fail_node (o->graph->node[i], SVD_ERROR_UNSUPPORTED,
                   "this node is not part of an SRVGGNetCompact graph (supported: Conv, PRelu, Relu, "
                   "LeakyRelu, DepthToSpace or a Reshape/Transpose pixel shuffle, Resize/Upsample "
                   "nearest, Add, Clip, Cast and constant-shape ops)", error);
        return NULL;
      }

  if ((model = svd_model_new (in_ch, out_ch, nf, n_conv - 2, scale, error)) == NULL)
    return NULL;
  for (int i = 0; i < n_conv; i++)
    {
      Layer *l = &g_array_index (layers, Layer, i);
      SvdConvLayer *ml = &model->layers[i];
      gboolean last = i == n_conv - 1;
      gsize per = (gsize) ml->in_ch * 9;

      if (l->weight->dims[0] != ml->out_ch || l->weight->dims[1] != ml->in_ch)
        {
          g_autofree char *why = g_strdup_printf (
            "Conv weights are %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT "×3×3; conv %d of an "
            "SRVGGNetCompact with nf %d needs %d×%d×3×3", l->weight->dims[0], l->weight->dims[1],
            i, nf, ml->out_ch, ml->in_ch);

          fail_node (l->conv, SVD_ERROR_MODEL_INVALID, why, error);
          return NULL;
        }
      for (int oc = 0; oc < ml->out_ch; oc++)
        {
          int src = last ? perm[oc] : oc;

          for (gsize k = 0; k < per; k++)
            ml->weight[(gsize) oc * per + k] = (float) l->weight->v[(gsize) src * per + k];
          ml->bias[oc] = l->bias ? (float) l->bias->v[src] : 0.0f;
        }
      if (last)
        break;
      if (op_is (l->act, "PRelu"))
        {
          any_prelu = TRUE;
          all_leaky = FALSE;
          if (l->slope->n != 1 && l->slope->n != (gsize) ml->out_ch)
            {
              fail_node (l->act, SVD_ERROR_MODEL_INVALID,
                         "PRelu slope length differs from the conv's channels", error);
              return NULL;
            }
          for (int oc = 0; oc < ml->out_ch; oc++)
            ml->slope[oc] = (float) l->slope->v[l->slope->n == 1 ? 0 : oc];
        }
      else if (op_is (l->act, "LeakyRelu"))
        {
          float a = svd_onnx_attr_float (l->act, "alpha", 0.01f);

          if (i > 0 && all_leaky && a != leaky)
            all_leaky = FALSE;
          leaky = a;
          for (int oc = 0; oc < ml->out_ch; oc++)
            ml->slope[oc] = a;
        }
      else
        all_leaky = FALSE;
    }
  model->activation = any_prelu ? SVD_ACTIVATION_PRELU :
                      all_leaky ? SVD_ACTIVATION_LEAKY_RELU : SVD_ACTIVATION_RELU;
  if (model->activation == SVD_ACTIVATION_RELU)
    for (int i = 0; i + 1 < n_conv; i++)
      if (op_is (g_array_index (layers, Layer, i).act, "LeakyRelu"))
        model->activation = SVD_ACTIVATION_PRELU; /* mixed: keep the per-channel slopes */
  model->leaky_slope = model->activation == SVD_ACTIVATION_LEAKY_RELU ? leaky : 0;
  if (clip != NULL)
    {
      model->clamp_output = TRUE;
      model->clamp_min = clip_min;
      model->clamp_max = clip_max;
    }
  {
    int et = g_array_index (layers, Layer, 0).weight->elem;

    model->stored_precision = et == ET_FLOAT16 ? SVD_STORAGE_FP16 :
                              et == ET_BFLOAT16 ? SVD_STORAGE_BF16 : SVD_STORAGE_FP32;
  }
  return g_steal_pointer (&model);

fail:
  ctx_clear (&c);
  return NULL;
}

/* ---- Checks before protobuf-c runs ------------------------------------- */

/* protobuf-c decodes a sub-message by recursing, one C stack frame chain
 * per level, with no depth limit: 5,000 nested TypeProto.sequence_type
 * (34 KB) or AttributeProto.g graphs overflow the stack. This scan walks
 * the wire format with an explicit stack before anything is decoded. It
 * knows which fields are sub-messages from protobuf-c's own descriptors of
 * the compiled onnx.proto, so it follows exactly the fields protobuf-c
 * would recurse into (unknown fields are skipped as bytes, as protobuf-c
 * keeps them). It bounds the nesting depth and the number of messages. */

static gboolean
scan_varint (const guint8 *data,
             gsize         end,
             gsize        *pos,
             guint64      *value)
{
  guint64 v = 0;

  for (int shift = 0; shift < 64; shift += 7)
    {
      guint8 b;

      if (*pos >= end)
        return FALSE;
      b = data[(*pos)++];
      v |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *value = v;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
scan_protobuf (const guint8  *data,
               gsize          len,
               GError       **error)
{
  struct {
    const ProtobufCMessageDescriptor *desc;
    gsize                             end;
  } stack[SVD_LIMIT_ONNX_NESTING];
  int top = 0;  /* stack[top] is the message being read; level top + 1 */
  gsize pos = 0, messages = 1;

  stack[0].desc = &onnx__model_proto__descriptor;
  stack[0].end = len;
  for (;;)
    {
      guint64 key, v;
      const ProtobufCFieldDescriptor *f;

      while (top > 0 && pos == stack[top].end)
        top--;
      if (top == 0 && pos == len)
        return TRUE;
      if (!scan_varint (data, stack[top].end, &pos, &key))
        break;
      switch (key & 7)
        {
        case 0:
          if (!scan_varint (data, stack[top].end, &pos, &v))
            goto damaged;
          break;
        case 1:
        case 5:
          if (stack[top].end - pos < ((key & 7) == 1 ? 8u : 4u))
            goto damaged;
          pos += (key & 7) == 1 ? 8 : 4;
          break;
        case 2:
          if (!scan_varint (data, stack[top].end, &pos, &v) || v > stack[top].end - pos)
            goto damaged;
          f = (key >> 3) <= G_MAXUINT32 ?
              protobuf_c_message_descriptor_get_field (stack[top].desc, (unsigned) (key >> 3)) : NULL;
          if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
            {
              pos += v;
              break;
            }
          if (top + 1 >= SVD_LIMIT_ONNX_NESTING)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "The ONNX file nests protobuf messages deeper than the limit of %d levels "
                           "(at byte %" G_GSIZE_FORMAT ", in %s.%s); real models nest 7 deep",
                           SVD_LIMIT_ONNX_NESTING, pos, stack[top].desc->short_name, f->name);
              return FALSE;
            }
          if (++messages > SVD_LIMIT_ONNX_MESSAGES)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "The ONNX file holds more than the limit of %d protobuf messages; "
                           "a compact model has about a thousand", SVD_LIMIT_ONNX_MESSAGES);
              return FALSE;
            }
          top++;
          stack[top].desc = f->descriptor;
          stack[top].end = pos + v;
          break;
        default:
          goto damaged; /* groups (3, 4) are not used by ONNX; 6, 7 do not exist */
        }
    }

damaged:
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "Not a valid ONNX file: the protobuf does not decode (truncated or damaged)");
  return FALSE;
}

gboolean
svd_onnx_check_wire (const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  if (len > SVD_LIMIT_ONNX_FILE_BYTES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX file is %" G_GSIZE_FORMAT " bytes, above the limit of %" G_GSIZE_FORMAT
                   " MiB; compact models are a few MB", len, SVD_LIMIT_ONNX_FILE_BYTES >> 20);
      return FALSE;
    }
  return scan_protobuf (data, len, error);
}

/* protobuf-c allocator with a cap: a hostile file must not make it ask for
 * more than a bounded multiple of its own size. */
typedef struct {
  gsize    used;
  gsize    cap;
  gboolean over;  /* an allocation was refused for the cap */
} Budget;

static void *
budget_alloc (void   *data,
              size_t  size)
{
  Budget *b = data;
  gsize *p;

  if (size > b->cap - b->used || size > G_MAXSIZE - sizeof (gsize) * 2)
    {
      b->over = TRUE;
      return NULL;
    }
  p = g_try_malloc (size + sizeof (gsize) * 2);
  if (p == NULL)
    return NULL;
  b->used += size;
  p[0] = size;
  return p + 2;
}

static void
budget_free (void *data,
             void *ptr)
{
  Budget *b = data;
  gsize *p;

  if (ptr == NULL)
    return;
  p = (gsize *) ptr - 2;
  b->used -= p[0];
  g_free (p);
}

/* The decode with the budget above, for the general graph importer
 * (svd-onnx-graph.c): the same wire checks and memory cap. */
struct _SvdOnnxUnpacked {
  Budget             budget;
  ProtobufCAllocator alloc;
  Onnx__ModelProto  *proto;
};

SvdOnnxUnpacked *
svd_onnx_unpack (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  SvdOnnxUnpacked *u;

  if (!svd_onnx_check_wire (data, len, error))
    return NULL;
  u = g_new0 (SvdOnnxUnpacked, 1);
  u->budget.cap = MIN (SVD_LIMIT_ONNX_DECODE_FACTOR * len + SVD_LIMIT_ONNX_DECODE_BASE, SVD_LIMIT_ONNX_DECODE_MAX);
  u->alloc.alloc = budget_alloc;
  u->alloc.free = budget_free;
  u->alloc.allocator_data = &u->budget;
  u->proto = onnx__model_proto__unpack (&u->alloc, len, data);
  if (u->proto == NULL)
    {
      if (u->budget.over)
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                     "Decoding the ONNX file needs more than its memory limit of %" G_GSIZE_FORMAT " MiB",
                     u->budget.cap >> 20);
      else
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "Not a valid ONNX file: the protobuf does not decode (truncated or damaged)");
      g_free (u);
      return NULL;
    }
  return u;
}

Onnx__ModelProto *
svd_onnx_unpacked_get_proto (SvdOnnxUnpacked *self)
{
  return self->proto;
}

void
svd_onnx_unpacked_free (SvdOnnxUnpacked *self)
{
  if (self == NULL)
    return;
  onnx__model_proto__free_unpacked (self->proto, &self->alloc);
  g_free (self);
}

static SvdModel *onnx_parse (const guint8 *data, gsize len, gboolean *try_graph, GError **error);

/* The matcher tests "did that fail?" through *error, so it always gets a
 * real GError location even when the caller passed NULL. */
SvdModel *
svd_onnx_parse (const guint8  *data,
                gsize          len,
                GError       **error)
{
  g_autoptr(GError) local = NULL;
  gboolean try_graph = FALSE;
  SvdModel *model = onnx_parse (data, len, &try_graph, &local);

  /* Graphs that are not SRVGGNetCompact-shaped at all (SPAN and other
   * conv + element-wise networks) go to the general graph IR; a graph
   * recognised as compact keeps the compact matcher's verdict. */
  if (model == NULL && try_graph)
    {
      g_autoptr(GError) graph_error = NULL;

      model = svd_onnx_graph_load_model (data, len, &graph_error);
      if (model == NULL)
        {
          g_autoptr(GError) both = g_error_new (SVD_ERROR, graph_error->code,
                                                "%s (not an SRVGGNetCompact graph either: %s)",
                                                graph_error->message, local ? local->message : "");

          g_clear_error (&local);
          local = g_steal_pointer (&both);
        }
      else
        g_clear_error (&local);
    }
  if (model == NULL)
    {
      if (local == NULL)
        g_set_error (&local, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "The ONNX graph could not be matched");
      g_propagate_error (error, g_steal_pointer (&local));
    }
  return model;
}

static SvdModel *
onnx_parse (const guint8  *data,
            gsize          len,
            gboolean      *try_graph,
            GError       **error)
{
  Budget budget = { 0, SVD_LIMIT_ONNX_DECODE_MAX, FALSE };
  ProtobufCAllocator alloc = { budget_alloc, budget_free, &budget };
  Onnx o = { 0 };
  SvdModel *model = NULL;

  if (!svd_onnx_check_wire (data, len, error))
    return NULL;
  /* len ≤ 64 MiB: no overflow. */
  budget.cap = MIN (SVD_LIMIT_ONNX_DECODE_FACTOR * len + SVD_LIMIT_ONNX_DECODE_BASE, SVD_LIMIT_ONNX_DECODE_MAX);
  o.proto = onnx__model_proto__unpack (&alloc, len, data);
  if (o.proto == NULL)
    {
      if (budget.over)
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                     "Decoding the ONNX file needs more than its memory limit of %" G_GSIZE_FORMAT
                     " MiB (%d bytes per byte of file plus %" G_GSIZE_FORMAT " MiB)",
                     budget.cap >> 20, SVD_LIMIT_ONNX_DECODE_FACTOR, SVD_LIMIT_ONNX_DECODE_BASE >> 20);
      else
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "Not a valid ONNX file: the protobuf does not decode (truncated or damaged)");
      return NULL;
    }
  o.graph = o.proto->graph;
  if (o.graph == NULL || o.graph->n_node == 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "The ONNX file has no graph");
      goto out;
    }
  if (o.graph->n_node > MAX_NODES)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph has %zu nodes; a compact model has fewer than %d", o.graph->n_node, MAX_NODES);
      goto out;
    }
  {
    gboolean has_opset = FALSE;

    for (gsize i = 0; i < o.proto->n_opset_import; i++)
      if (o.proto->opset_import[i]->domain == NULL || o.proto->opset_import[i]->domain[0] == '\0' ||
          strcmp (o.proto->opset_import[i]->domain, "ai.onnx") == 0)
        {
          gint64 v = o.proto->opset_import[i]->version;

          /* Below 7 Add/Mul broadcast by attribute, Upsample and Cast
           * differ; above the newest opset we know, ops may have changed
           * meaning. Either way the match below would be a guess. */
          if (v < SVD_LIMIT_ONNX_OPSET_MIN || v > SVD_LIMIT_ONNX_OPSET_MAX)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "The ONNX file uses opset %" G_GINT64_FORMAT "; supported opsets are %d to %d",
                           v, SVD_LIMIT_ONNX_OPSET_MIN, SVD_LIMIT_ONNX_OPSET_MAX);
              goto out;
            }
          if (has_opset && v != o.opset)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                           "The ONNX file declares two opsets for the default domain (%" G_GINT64_FORMAT
                           " and %" G_GINT64_FORMAT ")", o.opset, v);
              goto out;
            }
          o.opset = v;
          has_opset = TRUE;
        }
    /* The spec requires it; a file without one is damaged or cut short. */
    if (!has_opset)
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                     "The ONNX file declares no opset for the default domain (truncated or damaged)");
        goto out;
      }
  }
  o.inits = g_hash_table_new (g_str_hash, g_str_equal);
  o.producer = g_hash_table_new (g_str_hash, g_str_equal);
  o.inputs = g_hash_table_new (g_str_hash, g_str_equal);
  o.decoded = g_hash_table_new (g_str_hash, g_str_equal);
  o.used = g_hash_table_new (g_direct_hash, g_direct_equal);
  svd_onnx_fold_init (&o.fold);

  for (gsize i = 0; i < o.graph->n_initializer; i++)
    if (o.graph->initializer[i]->name != NULL)
      g_hash_table_insert (o.inits, o.graph->initializer[i]->name, o.graph->initializer[i]);
  /* Graph inputs that are also initializers (older exporters list them)
   * are constants, not inputs. */
  for (gsize i = 0; i < o.graph->n_input; i++)
    if (o.graph->input[i]->name != NULL && !g_hash_table_contains (o.inits, o.graph->input[i]->name))
      g_hash_table_insert (o.inputs, o.graph->input[i]->name, o.graph->input[i]);
  for (gsize i = 0; i < o.graph->n_node; i++)
    {
      Onnx__NodeProto *n = o.graph->node[i];

      if (n->op_type == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "ONNX node %zu has no op_type", i);
          goto out;
        }
      for (gsize k = 0; k < n->n_output; k++)
        if (n->output[k][0])
          {
            if (g_hash_table_contains (o.producer, n->output[k]) || g_hash_table_contains (o.inits, n->output[k]) ||
                g_hash_table_contains (o.inputs, n->output[k]))
              {
                fail_node (n, SVD_ERROR_MODEL_INVALID, "writes a value that something else already defines", error);
                goto out;
              }
            g_hash_table_insert (o.producer, n->output[k], n);
          }
    }
  /* Every edge must have a source (nodes may be listed in any order). */
  for (gsize i = 0; i < o.graph->n_node; i++)
    {
      Onnx__NodeProto *n = o.graph->node[i];

      for (gsize k = 0; k < n->n_input; k++)
        if (n->input[k][0] && !g_hash_table_contains (o.producer, n->input[k]) &&
            !g_hash_table_contains (o.inits, n->input[k]) && !g_hash_table_contains (o.inputs, n->input[k]))
          {
            g_autofree char *why = g_strdup_printf (
              "reads “%s”, which no node, initializer or graph input provides (broken edge)", n->input[k]);

            fail_node (n, SVD_ERROR_MODEL_INVALID, why, error);
            goto out;
          }
    }
  for (gsize i = 0; i < o.graph->n_output; i++)
    if (o.graph->output[i]->name == NULL || !g_hash_table_contains (o.producer, o.graph->output[i]->name))
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID,
                     "The ONNX graph output “%s” is not computed by any node",
                     o.graph->output[i]->name ? o.graph->output[i]->name : "");
        goto out;
      }

  model = match (&o, error);
  if (model == NULL)
    {
      *try_graph = !o.compact_shape;
      goto out;
    }
  model->source_format = SVD_MODEL_FORMAT_ONNX;
  model->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < o.proto->n_metadata_props; i++)
    if (o.proto->metadata_props[i]->key != NULL && o.proto->metadata_props[i]->value != NULL)
      g_hash_table_insert (model->metadata, g_utf8_make_valid (o.proto->metadata_props[i]->key, -1),
                           g_utf8_make_valid (o.proto->metadata_props[i]->value, -1));
  if (o.proto->producer_name != NULL && o.proto->producer_name[0])
    g_hash_table_insert (model->metadata, g_strdup ("onnx.producer"),
                         g_utf8_make_valid (o.proto->producer_name, -1));
  if (o.proto->producer_version != NULL && o.proto->producer_version[0])
    g_hash_table_insert (model->metadata, g_strdup ("onnx.producer_version"),
                         g_utf8_make_valid (o.proto->producer_version, -1));
  for (gsize i = 0; i < o.proto->n_opset_import; i++)
    if (o.proto->opset_import[i]->domain == NULL || o.proto->opset_import[i]->domain[0] == '\0')
      g_hash_table_insert (model->metadata, g_strdup ("onnx.opset"),
                           g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) o.proto->opset_import[i]->version));
  if (!svd_model_validate (model, error))
    g_clear_pointer (&model, svd_model_unref);

out:
  g_clear_pointer (&o.inits, g_hash_table_unref);
  g_clear_pointer (&o.producer, g_hash_table_unref);
  g_clear_pointer (&o.inputs, g_hash_table_unref);
  g_clear_pointer (&o.decoded, g_hash_table_unref);
  g_clear_pointer (&o.used, g_hash_table_unref);
  svd_onnx_fold_clear (&o.fold);
  onnx__model_proto__free_unpacked (o.proto, &alloc);
  return model;
}
