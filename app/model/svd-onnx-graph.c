/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx-graph"

/* The general ONNX importer: turns a conv + element-wise network (SPAN and
 * its kin) into the graph IR (svd-graph.h) for one input size.
 *
 * Nodes are visited in a topological order (a cycle is refused, naming a
 * node on it). Every value is either a constant (initializers and what
 * folds from them and from the *shape* of the image: Shape, Gather, Mod,
 * Div, Concat, Unsqueeze, Cast, Slice…, evaluated for the given size under
 * the constant folder's limits) or an image tensor of the IR. Ops on image
 * tensors become IR ops; an input that must be a constant (weights, pads,
 * a Reshape's shape, scales) and is not is refused naming the op. Reshape
 * and Transpose of image tensors are followed as a view and must come back
 * to a 4-D image as a pixel shuffle or unshuffle, whose channel order is
 * read off the view itself (whatever the exporter's spelling). */

#include "svd-model-private.h"
#include "core/svd-error.h"
#include "core/svd-limits.h"
#include "model/onnx.pb-c.h"
#include "model/svd-onnx-util.h"
#include "model/svd-onnx-fold.h"
#include "model/svd-graph.h"

#include <math.h>

#define MAX_NODES  20000
#define MAX_DIMS   8
#define MAX_STEPS  16
/* The probe instance: large enough for any padding a real model needs. */
#define PROBE_W    64
#define PROBE_H    64

/* A constant of the shared folder (svd-onnx-fold.h). */
typedef SvdOnnxTens Tens;

typedef struct {
  gboolean transpose;
  int      ndim_in;
  gint64   in[MAX_DIMS];
  int      perm[MAX_DIMS];
} Step;

typedef enum { VAL_CONST, VAL_IMAGE, VAL_VIEW } ValKind;

typedef struct {
  ValKind kind;
  Tens   *c;                  /* VAL_CONST */
  int     tensor;             /* VAL_IMAGE, VAL_VIEW: the 4-D image */
  /* VAL_VIEW: the reshapes and transposes applied to the image */
  int     n_steps;
  Step    steps[MAX_STEPS];
  int     ndim;
  gint64  dims[MAX_DIMS];
  const Onnx__NodeProto *node; /* the node that made it (messages) */
} Val;

typedef struct {
  Onnx__GraphProto *graph;
  gint64            opset;
  GHashTable       *inits;     /* name → TensorProto */
  GHashTable       *values;    /* name → Val */
  GPtrArray        *arena;     /* Val */
  SvdOnnxFold       fold;      /* every Tens, under the folder's limits */
  SvdGraph         *g;
  int               width;
  int               height;
} Imp;

/* ---- Messages ------------------------------------------------------------ */

#define fail svd_onnx_node_error

/* ---- Constants ------------------------------------------------------------- */

static Tens *
tens_new (Imp          *imp,
          int           elem,
          int           ndim,
          const gint64 *dims,
          GError      **error)
{
  return svd_onnx_fold_new (&imp->fold, elem, ndim, dims, error);
}

#define to_i64 svd_onnx_to_i64

/* ---- Values -------------------------------------------------------------- */

static Val *
val_new (Imp                   *imp,
         ValKind                kind,
         const Onnx__NodeProto *node)
{
  Val *v = g_new0 (Val, 1);

  v->kind = kind;
  v->node = node;
  v->tensor = -1;
  g_ptr_array_add (imp->arena, v);
  return v;
}

static Val *
val_const (Imp                   *imp,
           Tens                  *t,
           const Onnx__NodeProto *node)
{
  Val *v = val_new (imp, VAL_CONST, node);

  v->c = t;
  return v;
}

static Val *
val_image (Imp                   *imp,
           int                    tensor,
           const Onnx__NodeProto *node)
{
  Val *v = val_new (imp, VAL_IMAGE, node);
  const SvdGraphTensor *t = svd_graph_tensor (imp->g, tensor);

  v->tensor = tensor;
  v->ndim = 4;
  v->dims[0] = 1;
  v->dims[1] = t->c;
  v->dims[2] = t->h;
  v->dims[3] = t->w;
  return v;
}

/* Input @k of @n, or NULL when absent (empty name or beyond n_input). */
static Val *
input (Imp                   *imp,
       const Onnx__NodeProto *n,
       gsize                  k)
{
  if (k >= n->n_input || n->input[k][0] == '\0')
    return NULL;
  return g_hash_table_lookup (imp->values, n->input[k]);
}

/* Input @k as a constant: refused naming the op when it depends on the
 * image's values (shape arithmetic that does not fold). */
static Tens *
need_const (Imp                   *imp,
            const Onnx__NodeProto *n,
            gsize                  k,
            const char            *what,
            GError               **error)
{
  Val *v = input (imp, n, k);

  if (v == NULL)
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "its %s input is missing", what);
  if (v->kind != VAL_CONST)
    return fail (n, SVD_ERROR_UNSUPPORTED, error,
                 "its %s (“%s”) depends on the image's values%s%s%s, so it does not fold to a constant "
                 "for a given input size; only shape arithmetic on the input's size is supported",
                 what, n->input[k], v->node ? ", through node “" : "", v->node ? svd_onnx_node_label (v->node) : "",
                 v->node ? "”" : "");
  return v->c;
}

/* ---- Folding constant ops ---------------------------------------------------- */

/* Axes of Unsqueeze/Squeeze: attribute before opset 13, else input 1. */
static gboolean
get_axes (Imp                   *imp,
          const Onnx__NodeProto *n,
          gint64                *axes,
          int                   *count,
          GError               **error)
{
  Tens *t = NULL;

  if (svd_onnx_attr (n, "axes") == NULL && input (imp, n, 1) != NULL &&
      (t = need_const (imp, n, 1, "axes", error)) == NULL)
    return FALSE;
  return svd_onnx_axes_from (n, t, axes, count, error);
}

/* New dims for Unsqueeze/Squeeze/Reshape/Flatten of something with @ndim
 * dims @dims and @n elements. */
static gboolean
reshape_dims (Imp                   *imp,
              const Onnx__NodeProto *n,
              int                    ndim,
              const gint64          *dims,
              gsize                  count,
              int                   *out_ndim,
              gint64                *out,
              GError               **error)
{
  const char *op = n->op_type;

  if (strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Squeeze") == 0)
    {
      gint64 axes[MAX_DIMS];
      int na;

      return get_axes (imp, n, axes, &na, error) &&
             svd_onnx_squeeze_dims (n, ndim, dims, axes, na, out_ndim, out, error);
    }
  if (strcmp (op, "Flatten") == 0)
    {
      int axis;
      gint64 a = 1;

      if (!svd_onnx_norm_axis (svd_onnx_attr_int (n, "axis", 1), ndim + 1, &axis))
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "invalid Flatten axis"), FALSE;
      for (int d = 0; d < axis; d++)
        a *= dims[d];
      out[0] = a;
      out[1] = a > 0 ? (gint64) count / a : 0;
      *out_ndim = 2;
      return TRUE;
    }
  {
    Tens *shape = need_const (imp, n, 1, "shape", error);

    return shape != NULL && svd_onnx_reshape_dims (n, ndim, dims, count, shape, out_ndim, out, error);
  }
}

#define transpose_perm svd_onnx_transpose_perm

/* Start, end of a Slice on an axis of length @len (ONNX clamping rules;
 * step 1 or -1). */
static void
slice_range (gint64  len,
             gint64  start,
             gint64  end,
             gint64  step,
             gint64 *s,
             gint64 *e)
{
  if (start < 0)
    start = start < -len ? -1 : start + len;
  if (end < 0)
    end = end < -len ? -1 : end + len;
  if (step > 0)
    {
      start = CLAMP (start, 0, len);
      end = CLAMP (end, 0, len);
    }
  else
    {
      start = CLAMP (start, -1, len - 1);
      end = CLAMP (end, -1, len - 1);
    }
  *s = start;
  *e = end;
}

/* Reads a Slice's starts/ends/axes/steps (inputs from opset 10,
 * attributes before). */
typedef struct {
  int    n;
  int    axes[MAX_DIMS];
  gint64 starts[MAX_DIMS];
  gint64 ends[MAX_DIMS];
  gint64 steps[MAX_DIMS];
} SliceSpec;

static gboolean
slice_spec (Imp                   *imp,
            const Onnx__NodeProto *n,
            int                    rank,
            SliceSpec             *sp,
            GError               **error)
{
  if (imp->opset < 10)
    {
      gsize ns, ne, na = 0;
      const int64_t *s, *e, *a = NULL;

      if (!svd_onnx_attr_ints (n, "starts", &ns, &s) || !svd_onnx_attr_ints (n, "ends", &ne, &e) || ns != ne || ns > MAX_DIMS)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Slice without starts and ends"), FALSE;
      if (svd_onnx_attr_ints (n, "axes", &na, &a) && na != ns)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Slice axes differ in length"), FALSE;
      sp->n = (int) ns;
      for (gsize i = 0; i < ns; i++)
        {
          if (!svd_onnx_norm_axis (a ? a[i] : (gint64) i, rank, &sp->axes[i]))
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "invalid Slice axis"), FALSE;
          sp->starts[i] = s[i];
          sp->ends[i] = e[i];
          sp->steps[i] = 1;
        }
      return TRUE;
    }
  {
    Tens *s = need_const (imp, n, 1, "starts", error), *e, *a = NULL, *st = NULL;

    if (s == NULL || (e = need_const (imp, n, 2, "ends", error)) == NULL)
      return FALSE;
    if (input (imp, n, 3) != NULL && (a = need_const (imp, n, 3, "axes", error)) == NULL)
      return FALSE;
    if (input (imp, n, 4) != NULL && (st = need_const (imp, n, 4, "steps", error)) == NULL)
      return FALSE;
    if (s->n != e->n || s->n > MAX_DIMS || (a && a->n != s->n) || (st && st->n != s->n))
      return fail (n, SVD_ERROR_MODEL_INVALID, error, "Slice inputs differ in length"), FALSE;
    sp->n = (int) s->n;
    for (gsize i = 0; i < s->n; i++)
      {
        if (!svd_onnx_norm_axis (a ? to_i64 (a->v[i]) : (gint64) i, rank, &sp->axes[i]))
          return fail (n, SVD_ERROR_MODEL_INVALID, error, "invalid Slice axis"), FALSE;
        sp->starts[i] = to_i64 (s->v[i]);
        sp->ends[i] = to_i64 (e->v[i]);
        sp->steps[i] = st ? to_i64 (st->v[i]) : 1;
        if (sp->steps[i] == 0)
          return fail (n, SVD_ERROR_MODEL_INVALID, error, "Slice step 0"), FALSE;
      }
  }
  return TRUE;
}

static Tens *
fold_node (Imp                   *imp,
           const Onnx__NodeProto *n,
           GError               **error)
{
  const char *op = n->op_type;
  Tens *x = NULL, *out;

  if (strcmp (op, "Constant") == 0)
    return svd_onnx_fold_constant (&imp->fold, n, error);
  if (strcmp (op, "ConstantOfShape") == 0)
    {
      Tens *shape = need_const (imp, n, 0, "shape", error);
      Onnx__AttributeProto *a = svd_onnx_attr (n, "value");
      gint64 dims[MAX_DIMS];
      double v = 0;
      int elem = ET_FLOAT;

      if (shape == NULL)
        return NULL;
      if (shape->n > MAX_DIMS)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "more than 8 dimensions");
      for (gsize i = 0; i < shape->n; i++)
        dims[i] = to_i64 (shape->v[i]);
      if (a != NULL && a->t != NULL)
        {
          Tens *t = svd_onnx_fold_decode (&imp->fold, a->t, NULL, error);

          if (t == NULL)
            return NULL;
          if (t->n != 1)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "value must hold one element");
          v = t->v[0];
          elem = t->elem;
        }
      if ((out = tens_new (imp, elem, (int) shape->n, dims, error)) == NULL)
        return NULL;
      for (gsize i = 0; i < out->n; i++)
        out->v[i] = v;
      return out;
    }

  if ((x = need_const (imp, n, 0, "data", error)) == NULL)
    return NULL;

  if (strcmp (op, "Identity") == 0)
    return x;
  if (strcmp (op, "Cast") == 0)
    return svd_onnx_fold_cast (&imp->fold, n, x, error);
  if (strcmp (op, "Neg") == 0 || strcmp (op, "Floor") == 0 || strcmp (op, "Ceil") == 0 ||
      strcmp (op, "Sqrt") == 0 || strcmp (op, "Reciprocal") == 0 || strcmp (op, "Abs") == 0)
    {
      if ((out = tens_new (imp, x->elem, x->ndim, x->dims, error)) == NULL)
        return NULL;
      for (gsize i = 0; i < x->n; i++)
        out->v[i] = op[0] == 'N' ? -x->v[i] : op[0] == 'F' ? floor (x->v[i]) : op[0] == 'C' ? ceil (x->v[i]) :
                    op[0] == 'S' ? sqrt (x->v[i]) : op[0] == 'A' ? fabs (x->v[i]) : 1.0 / x->v[i];
      return out;
    }
  if (strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Squeeze") == 0 || strcmp (op, "Reshape") == 0 ||
      strcmp (op, "Flatten") == 0)
    {
      gint64 dims[MAX_DIMS];
      int nd;

      if (!reshape_dims (imp, n, x->ndim, x->dims, x->n, &nd, dims, error) ||
          (out = tens_new (imp, x->elem, nd, dims, error)) == NULL)
        return NULL;
      memcpy (out->v, x->v, sizeof (double) * x->n);
      return out;
    }
  if (strcmp (op, "Transpose") == 0)
    return svd_onnx_fold_transpose (&imp->fold, n, x, error);
  if (strcmp (op, "Gather") == 0)
    {
      Tens *ind = need_const (imp, n, 1, "indices", error);

      return ind == NULL ? NULL : svd_onnx_fold_gather (&imp->fold, n, x, ind, error);
    }
  if (strcmp (op, "Concat") == 0)
    {
      Tens *parts[64];

      if (n->n_input > G_N_ELEMENTS (parts))
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "Concat of more than 64 inputs");
      for (gsize i = 0; i < n->n_input; i++)
        if ((parts[i] = need_const (imp, n, i, "operand", error)) == NULL)
          return NULL;
      return svd_onnx_fold_concat (&imp->fold, n, parts, n->n_input, error);
    }
  if (strcmp (op, "Slice") == 0)
    {
      SliceSpec sp;
      gint64 start[MAX_DIMS], step[MAX_DIMS], dims[MAX_DIMS];
      gsize ist[MAX_DIMS], idx[MAX_DIMS] = { 0 };

      if (!slice_spec (imp, n, x->ndim, &sp, error))
        return NULL;
      for (int d = 0; d < x->ndim; d++)
        {
          start[d] = 0;
          step[d] = 1;
          dims[d] = x->dims[d];
        }
      for (int i = 0; i < sp.n; i++)
        {
          int d = sp.axes[i];
          gint64 s, e;

          slice_range (x->dims[d], sp.starts[i], sp.ends[i], sp.steps[i], &s, &e);
          start[d] = s;
          /* -1 ≤ s, e ≤ len: the counts cannot overflow, whatever the
           * step (INT64_MIN is kept off by one so that it negates). */
          step[d] = MAX (sp.steps[i], -G_MAXINT64);
          dims[d] = step[d] > 0 ? (e > s ? (e - s - 1) / step[d] + 1 : 0) :
                                  (s > e ? (s - e - 1) / -step[d] + 1 : 0);
        }
      if ((out = tens_new (imp, x->elem, x->ndim, dims, error)) == NULL || out->n == 0)
        return out;
      svd_onnx_strides (x->ndim, x->dims, ist);
      for (gsize k = 0; k < out->n; k++)
        {
          gsize src = 0;

          for (int d = 0; d < x->ndim; d++)
            src += (gsize) (start[d] + (gint64) idx[d] * step[d]) * ist[d];
          out->v[k] = x->v[src];
          for (int d = x->ndim - 1; d >= 0; d--)
            {
              if (++idx[d] < (gsize) dims[d])
                break;
              idx[d] = 0;
            }
        }
      return out;
    }
  if (svd_onnx_fold_is_binary (op))
    {
      Tens *y = need_const (imp, n, 1, "second operand", error);

      return y ? svd_onnx_fold_binary (&imp->fold, n, x, y, error) : NULL;
    }
  if (strcmp (op, "Range") == 0)
    {
      Tens *lim = need_const (imp, n, 1, "limit", error), *d;
      double st = x->v[0], cnt;
      gint64 len;

      if (lim == NULL || (d = need_const (imp, n, 2, "delta", error)) == NULL)
        return NULL;
      if (x->n != 1 || lim->n != 1 || d->n != 1 || d->v[0] == 0)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Range needs scalar start, limit and delta");
      cnt = ceil ((lim->v[0] - st) / d->v[0]);
      /* A count past the folder's limit is refused by tens_new(), not
       * folded into an empty tensor; NaN counts nothing. */
      len = cnt > 0 ? svd_onnx_to_i64 (MIN (cnt, (double) svd_onnx_fold_max_elements () + 1)) : 0;
      if ((out = tens_new (imp, x->elem, 1, &len, error)) == NULL)
        return NULL;
      for (gint64 i = 0; i < len; i++)
        out->v[i] = st + i * d->v[0];
      return out;
    }
  return fail (n, SVD_ERROR_UNSUPPORTED, error, "the op is not supported on constants");
}

/* ---- Image ops ------------------------------------------------------------- */

/* The flat index in the base image of the view's element at @idx. */
static gsize
view_source (const Val    *v,
             const gint64 *idx)
{
  gint64 cur[MAX_DIMS];
  int nd = v->ndim;
  const gint64 *dims = v->dims;

  memcpy (cur, idx, sizeof (gint64) * nd);
  for (int s = v->n_steps - 1; s >= 0; s--)
    {
      const Step *st = &v->steps[s];
      gint64 prev[MAX_DIMS];

      if (st->transpose)
        {
          for (int d = 0; d < nd; d++)
            prev[st->perm[d]] = cur[d];
        }
      else
        {
          gsize flat = 0;

          for (int d = 0; d < nd; d++)
            flat = flat * (gsize) dims[d] + (gsize) cur[d];
          for (int d = st->ndim_in - 1; d >= 0; d--)
            {
              prev[d] = (gint64) (flat % (gsize) st->in[d]);
              flat /= (gsize) st->in[d];
            }
        }
      nd = st->ndim_in;
      dims = st->in;
      memcpy (cur, prev, sizeof (gint64) * nd);
    }
  /* The base is [1, C, H, W]. */
  return ((gsize) cur[1] * (gsize) dims[2] + (gsize) cur[2]) * (gsize) dims[3] + (gsize) cur[3];
}

/* Turns a view that is back at 4-D into an IR op: identity, pixel
 * unshuffle or pixel shuffle, with the channel order read from the view
 * and checked on the first and last rows and columns. */
static int
resolve_view (Imp                   *imp,
              Val                   *v,
              const Onnx__NodeProto *user,
              GError               **error)
{
  const SvdGraphTensor *base;
  gint64 C, H, W, C2, H2, W2;
  int s, out_t;
  gboolean d2s;
  g_autofree int *table = NULL;
  SvdGraphOp *op;
  gint64 ys[8], xs[8];
  int ny = 0, nx = 0;

  if (v->kind != VAL_VIEW)
    return v->tensor;
  base = svd_graph_tensor (imp->g, v->tensor);
  C = base->c;
  H = base->h;
  W = base->w;
  if (v->ndim != 4 || v->dims[0] != 1)
    return fail (v->node, SVD_ERROR_UNSUPPORTED, error,
                 "the image is reshaped to %d dimensions where “%s” (%s) needs a 4-D image; only "
                 "Reshape/Transpose chains that form a pixel shuffle or unshuffle are supported",
                 v->ndim, svd_onnx_node_label (user), user->op_type), -1;
  C2 = v->dims[1];
  H2 = v->dims[2];
  W2 = v->dims[3];
  if (H2 < H && H2 > 0 && H % H2 == 0 && W2 > 0 && W * H2 == W2 * H && C2 * H2 * W2 == C * H * W)
    {
      s = (int) (H / H2);
      d2s = FALSE;
    }
  else if (H2 >= H && H > 0 && H2 % H == 0 && W * H2 == W2 * H && C2 * H2 * W2 == C * H * W)
    {
      s = (int) (H2 / H);
      d2s = TRUE;
    }
  else
    return fail (v->node, SVD_ERROR_UNSUPPORTED, error,
                 "the Reshape/Transpose chain maps a %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT "×%"
                 G_GINT64_FORMAT " image to %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT "×%" G_GINT64_FORMAT
                 ", which is not a pixel shuffle or unshuffle", C, H, W, C2, H2, W2), -1;
  if (s > 16)
    return fail (v->node, SVD_ERROR_UNSUPPORTED, error, "a pixel shuffle by %d; 1 to 16 are supported", s), -1;

  /* Sample rows and columns: the first few and the last two. */
  for (gint64 y = 0; y < MIN (H2, 4); y++)
    ys[ny++] = y;
  for (gint64 y = MAX (4, H2 - 2); y < H2; y++)
    ys[ny++] = y;
  for (gint64 x = 0; x < MIN (W2, 4); x++)
    xs[nx++] = x;
  for (gint64 x = MAX (4, W2 - 2); x < W2; x++)
    xs[nx++] = x;

  table = g_new (int, d2s ? C : C2);
  for (gint64 k = 0; k < (d2s ? C : C2); k++)
    table[k] = -1;
  for (gint64 c2 = 0; c2 < C2; c2++)
    for (int a = 0; a < ny; a++)
      for (int b = 0; b < nx; b++)
        {
          gint64 idx[4] = { 0, c2, ys[a], xs[b] };
          gsize src = view_source (v, idx);
          gint64 sc = (gint64) (src / (gsize) (H * W)), sy = (gint64) (src / (gsize) W % (gsize) H),
                 sx = (gint64) (src % (gsize) W);

          if (d2s)
            {
              /* out (c2, y, x) = in (table[(c2·s + y % s)·s + x % s], y / s, x / s) */
              gint64 slot = (c2 * s + ys[a] % s) * s + xs[b] % s;

              if (sy != ys[a] / s || sx != xs[b] / s || (table[slot] >= 0 && table[slot] != sc))
                goto not_shuffle;
              table[slot] = (int) sc;
            }
          else
            {
              /* out (c2, y, x) = in (c, y·s + i, x·s + j), table[c2] = (c·s + i)·s + j */
              gint64 i = sy - ys[a] * s, j = sx - xs[b] * s, code = (sc * s + i) * s + j;

              if (i < 0 || i >= s || j < 0 || j >= s || (table[c2] >= 0 && table[c2] != code))
                goto not_shuffle;
              table[c2] = (int) code;
            }
        }
  for (gint64 k = 0; k < (d2s ? C : C2); k++)
    if (table[k] < 0)
      goto not_shuffle;
  if (s == 1)
    {
      for (gint64 k = 0; k < C; k++)
        if (table[k] != k)
          goto not_shuffle;
      return v->tensor;
    }
  out_t = svd_graph_add_tensor (imp->g, (int) C2, (int) H2, (int) W2);
  op = svd_graph_add_op (imp->g, d2s ? SVD_GRAPH_OP_DEPTH_TO_SPACE : SVD_GRAPH_OP_SPACE_TO_DEPTH, &v->tensor, 1,
                         out_t, svd_onnx_node_label (v->node));
  op->s = s;
  op->table = g_steal_pointer (&table);
  return out_t;

not_shuffle:
  return fail (v->node, SVD_ERROR_UNSUPPORTED, error,
               "the Reshape/Transpose chain moves pixels in a way that is not a pixel shuffle or unshuffle"), -1;
}

/* Input @k as an image tensor of the IR. */
static int
need_image (Imp                   *imp,
            const Onnx__NodeProto *n,
            gsize                  k,
            GError               **error)
{
  Val *v = input (imp, n, k);

  if (v == NULL)
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "input %zu is missing", k), -1;
  if (v->kind == VAL_CONST)
    return fail (n, SVD_ERROR_UNSUPPORTED, error,
                 "input “%s” is a constant where an image is expected", n->input[k]), -1;
  return resolve_view (imp, v, n, error);
}

/* Per-channel (or scalar) values from a constant broadcast against an
 * image of @c channels: shapes [], [1], [c,1,1], [1,c,1,1], [1,1,1,1]. */
static float *
per_channel (const Onnx__NodeProto *n,
             const Tens            *t,
             int                    c,
             int                   *count,
             GError               **error)
{
  float *v;
  gint64 chans = 1;

  if (t->ndim > 4)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "a constant operand of %d dimensions", t->ndim);
  for (int d = 0; d < t->ndim; d++)
    {
      int from_end = t->ndim - d; /* 1: W, 2: H, 3: C, 4: N */

      if (from_end == 3)
        chans = t->dims[d];
      else if (t->dims[d] != 1)
        return fail (n, SVD_ERROR_UNSUPPORTED, error,
                     "a constant operand that varies over the batch or the pixels; only scalars and "
                     "per-channel constants broadcast against an image");
    }
  if (chans != 1 && chans != c)
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "a constant of %" G_GINT64_FORMAT
                 " channels against an image of %d", chans, c);
  *count = (int) chans;
  v = g_new (float, chans);
  for (gint64 i = 0; i < chans; i++)
    v[i] = (float) t->v[i];
  return v;
}

static gboolean
add_act (Imp                   *imp,
         const Onnx__NodeProto *n,
         SvdGraphAct            act,
         GError               **error)
{
  int in = need_image (imp, n, 0, error), out;
  const SvdGraphTensor *t;
  SvdGraphOp *op;

  if (in < 0)
    return FALSE;
  t = svd_graph_tensor (imp->g, in);
  out = svd_graph_add_tensor (imp->g, t->c, t->h, t->w);
  op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_ACT, &in, 1, out, svd_onnx_node_label (n));
  op->act = act;
  if (act == SVD_GRAPH_ACT_LEAKY)
    op->alpha = svd_onnx_attr_float (n, "alpha", 0.01f);
  else if (act == SVD_GRAPH_ACT_PRELU)
    {
      Tens *slope = need_const (imp, n, 1, "slope", error);
      int count;
      g_autofree float *v = NULL;

      if (slope == NULL || (v = per_channel (n, slope, t->c, &count, error)) == NULL)
        return FALSE;
      op = svd_graph_op (imp->g, (int) imp->g->ops->len - 1);
      op->slope = g_new (float, t->c);
      for (int c = 0; c < t->c; c++)
        op->slope[c] = v[count == 1 ? 0 : c];
    }
  else if (act == SVD_GRAPH_ACT_CLAMP)
    {
      op->alpha = -G_MAXFLOAT;
      op->beta = G_MAXFLOAT;
      if (imp->opset < 11)
        {
          op->alpha = svd_onnx_attr_float (n, "min", -G_MAXFLOAT);
          op->beta = svd_onnx_attr_float (n, "max", G_MAXFLOAT);
        }
      else
        {
          Tens *lo = input (imp, n, 1) ? need_const (imp, n, 1, "min", error) : NULL;
          Tens *hi = input (imp, n, 2) ? need_const (imp, n, 2, "max", error) : NULL;

          if ((input (imp, n, 1) && lo == NULL) || (input (imp, n, 2) && hi == NULL))
            return FALSE;
          op = svd_graph_op (imp->g, (int) imp->g->ops->len - 1);
          if ((lo && lo->n != 1) || (hi && hi->n != 1))
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "Clip bounds must be scalars"), FALSE;
          if (lo)
            op->alpha = (float) lo->v[0];
          if (hi)
            op->beta = (float) hi->v[0];
        }
    }
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
  return TRUE;
}

static gboolean
add_binary (Imp                   *imp,
            const Onnx__NodeProto *n,
            GError               **error)
{
  Val *a = input (imp, n, 0), *b = input (imp, n, 1);
  SvdGraphBinary bop;
  gboolean div = strcmp (n->op_type, "Div") == 0;
  SvdGraphOp *op;
  int out;

  if (a == NULL || b == NULL)
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "needs two operands"), FALSE;
  bop = n->op_type[0] == 'A' ? SVD_GRAPH_BIN_ADD : n->op_type[0] == 'S' ? SVD_GRAPH_BIN_SUB : SVD_GRAPH_BIN_MUL;
  if (a->kind != VAL_CONST && b->kind != VAL_CONST)
    {
      int in[2] = { need_image (imp, n, 0, error), -1 };
      const SvdGraphTensor *t0, *t1;

      if (div)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "dividing by an image is not supported"), FALSE;
      if (in[0] < 0 || (in[1] = need_image (imp, n, 1, error)) < 0)
        return FALSE;
      t0 = svd_graph_tensor (imp->g, in[0]);
      t1 = svd_graph_tensor (imp->g, in[1]);
      if (t0->c != t1->c || t0->h != t1->h || t0->w != t1->w)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "operands of %d×%d×%d and %d×%d×%d; images must match "
                     "(only constants broadcast)", t0->c, t0->h, t0->w, t1->c, t1->h, t1->w), FALSE;
      out = svd_graph_add_tensor (imp->g, t0->c, t0->h, t0->w);
      op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_BINARY, in, 2, out, svd_onnx_node_label (n));
      op->binop = bop;
    }
  else
    {
      gboolean konst_first = a->kind == VAL_CONST;
      int in = need_image (imp, n, konst_first ? 1 : 0, error), count;
      const SvdGraphTensor *t;
      float *k;

      if (in < 0)
        return FALSE;
      if (div && konst_first)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "dividing a constant by an image is not supported"), FALSE;
      t = svd_graph_tensor (imp->g, in);
      if ((k = per_channel (n, konst_first ? a->c : b->c, t->c, &count, error)) == NULL)
        return FALSE;
      if (div)
        for (int i = 0; i < count; i++)
          k[i] = 1.0f / k[i];
      out = svd_graph_add_tensor (imp->g, t->c, t->h, t->w);
      op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_BINARY, &in, 1, out, svd_onnx_node_label (n));
      op->binop = bop;
      op->konst = k;
      op->n_konst = count;
      op->konst_first = konst_first;
    }
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
  return TRUE;
}

static gboolean
add_conv (Imp                   *imp,
          const Onnx__NodeProto *n,
          GError               **error)
{
  int in = need_image (imp, n, 0, error), out, kh, kw, pad[4] = { 0, 0, 0, 0 };
  Tens *w, *b = NULL;
  const SvdGraphTensor *t;
  gsize k;
  const int64_t *v;
  g_autofree char *auto_pad = svd_onnx_attr_string (n, "auto_pad", "NOTSET");
  SvdGraphOp *op;
  gint64 oh, ow;

  if (in < 0 || (w = need_const (imp, n, 1, "weight", error)) == NULL)
    return FALSE;
  if (input (imp, n, 2) != NULL && (b = need_const (imp, n, 2, "bias", error)) == NULL)
    return FALSE;
  t = svd_graph_tensor (imp->g, in);
  if (w->ndim != 4)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "only 2-D convolutions (OIHW weights) are supported"), FALSE;
  if (svd_onnx_attr_int (n, "group", 1) != 1)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "grouped convolutions are not supported"), FALSE;
  if (w->dims[1] != t->c)
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "weights for %" G_GINT64_FORMAT
                 " input channels on an image of %d", w->dims[1], t->c), FALSE;
  if (w->dims[0] < 1 || w->dims[0] > SVD_GRAPH_MAX_CHANNELS || w->dims[2] < 1 || w->dims[3] < 1 ||
      w->dims[2] > SVD_GRAPH_MAX_KERNEL || w->dims[3] > SVD_GRAPH_MAX_KERNEL)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "a %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT " kernel with %"
                 G_GINT64_FORMAT " outputs is out of the supported range", w->dims[2], w->dims[3], w->dims[0]), FALSE;
  if (b != NULL && (gint64) b->n != w->dims[0])
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "bias length differs from the output channels"), FALSE;
  kh = (int) w->dims[2];
  kw = (int) w->dims[3];
  if (svd_onnx_attr_ints (n, "strides", &k, &v))
    for (gsize i = 0; i < k; i++)
      if (v[i] != 1)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "only stride 1 is supported"), FALSE;
  if (svd_onnx_attr_ints (n, "dilations", &k, &v))
    for (gsize i = 0; i < k; i++)
      if (v[i] != 1)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "only dilation 1 is supported"), FALSE;
  if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
    {
      gboolean upper = auto_pad[5] == 'U';

      pad[0] = upper ? (kh - 1) / 2 : kh / 2;
      pad[2] = kh - 1 - pad[0];
      pad[1] = upper ? (kw - 1) / 2 : kw / 2;
      pad[3] = kw - 1 - pad[1];
    }
  else if (strcmp (auto_pad, "VALID") == 0)
    ;
  else if (strcmp (auto_pad, "NOTSET") == 0)
    {
      if (svd_onnx_attr_ints (n, "pads", &k, &v))
        {
          if (k != 4)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "pads must have 4 values"), FALSE;
          /* ONNX: [top, left, bottom, right]. */
          for (int i = 0; i < 4; i++)
            {
              if (v[i] < 0 || v[i] > SVD_GRAPH_MAX_KERNEL)
                return fail (n, SVD_ERROR_UNSUPPORTED, error, "padding out of range"), FALSE;
              pad[i] = (int) v[i];
            }
        }
    }
  else
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "unknown auto_pad"), FALSE;
  oh = (gint64) t->h + pad[0] + pad[2] - kh + 1;
  ow = (gint64) t->w + pad[1] + pad[3] - kw + 1;
  if (oh < 1 || ow < 1)
    return fail (n, SVD_ERROR_INVALID_ARGUMENT, error, "a %d×%d kernel does not fit a %d×%d image",
                 kh, kw, t->w, t->h), FALSE;
  out = svd_graph_add_tensor (imp->g, (int) w->dims[0], (int) oh, (int) ow);
  op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_CONV, &in, 1, out, svd_onnx_node_label (n));
  op->kh = kh;
  op->kw = kw;
  memcpy (op->pad, pad, sizeof pad);
  op->weight = g_new (float, w->n);
  for (gsize i = 0; i < w->n; i++)
    op->weight[i] = (float) w->v[i];
  if (b != NULL)
    {
      op->bias = g_new (float, b->n);
      for (gsize i = 0; i < b->n; i++)
        op->bias[i] = (float) b->v[i];
    }
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
  return TRUE;
}

static gboolean
add_pad (Imp                   *imp,
         const Onnx__NodeProto *n,
         GError               **error)
{
  int in = need_image (imp, n, 0, error), out;
  g_autofree char *mode = svd_onnx_attr_string (n, "mode", "constant");
  gint64 pads[8] = { 0 };
  int axes[4] = { 0, 1, 2, 3 }, na = 4;
  float value = 0;
  const SvdGraphTensor *t;
  SvdGraphOp *op;
  SvdGraphPadMode pm;

  if (in < 0)
    return FALSE;
  t = svd_graph_tensor (imp->g, in);
  if (strcmp (mode, "constant") == 0)
    pm = SVD_GRAPH_PAD_CONSTANT;
  else if (strcmp (mode, "reflect") == 0)
    pm = SVD_GRAPH_PAD_REFLECT;
  else if (strcmp (mode, "edge") == 0)
    pm = SVD_GRAPH_PAD_EDGE;
  else
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "pad mode “%s”; constant, reflect and edge are supported",
                 mode), FALSE;
  if (imp->opset < 11)
    {
      gsize k;
      const int64_t *v;

      if (!svd_onnx_attr_ints (n, "pads", &k, &v) || k != 8)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Pad needs 8 pads for a 4-D image"), FALSE;
      for (int i = 0; i < 8; i++)
        pads[i] = v[i];
      value = svd_onnx_attr_float (n, "value", 0);
    }
  else
    {
      Tens *p = need_const (imp, n, 1, "pads", error), *cv = NULL, *ax = NULL;

      if (p == NULL)
        return FALSE;
      if (input (imp, n, 2) != NULL && (cv = need_const (imp, n, 2, "constant_value", error)) == NULL)
        return FALSE;
      if (input (imp, n, 3) != NULL && (ax = need_const (imp, n, 3, "axes", error)) == NULL)
        return FALSE;
      if (ax != NULL)
        {
          if (ax->n < 1 || ax->n > 4)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "Pad axes must name 1 to 4 axes"), FALSE;
          na = (int) ax->n;
          for (int i = 0; i < na; i++)
            if (!svd_onnx_norm_axis (to_i64 (ax->v[i]), 4, &axes[i]))
              return fail (n, SVD_ERROR_MODEL_INVALID, error, "Pad axis out of range"), FALSE;
        }
      if (p->n != (gsize) 2 * na)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Pad needs %d pads", 2 * na), FALSE;
      for (int i = 0; i < na; i++)
        {
          pads[axes[i]] = to_i64 (p->v[i]);
          pads[axes[i] + 4] = to_i64 (p->v[i + na]);
        }
      if (cv != NULL && cv->n >= 1)
        value = (float) cv->v[0];
    }
  if (pads[0] || pads[1] || pads[4] || pads[5])
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "padding the batch or the channels is not supported"), FALSE;
  for (int i = 0; i < 8; i++)
    if (pads[i] < 0 || pads[i] > SVD_GRAPH_MAX_SIDE)
      return fail (n, SVD_ERROR_UNSUPPORTED, error, "negative or huge padding"), FALSE;
  if (pm == SVD_GRAPH_PAD_REFLECT && (pads[2] >= t->h || pads[6] >= t->h || pads[3] >= t->w || pads[7] >= t->w))
    return fail (n, SVD_ERROR_INVALID_ARGUMENT, error,
                 "reflect padding by %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT " needs an image larger than this "
                 "%d×%d one", MAX (pads[3], pads[7]), MAX (pads[2], pads[6]), t->w, t->h), FALSE;
  if (t->h + pads[2] + pads[6] > SVD_GRAPH_MAX_SIDE || t->w + pads[3] + pads[7] > SVD_GRAPH_MAX_SIDE)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "the padded image is too large"), FALSE;
  if (pads[2] == 0 && pads[3] == 0 && pads[6] == 0 && pads[7] == 0)
    {
      g_hash_table_insert (imp->values, n->output[0], val_image (imp, in, n));
      return TRUE;
    }
  out = svd_graph_add_tensor (imp->g, t->c, (int) (t->h + pads[2] + pads[6]), (int) (t->w + pads[3] + pads[7]));
  op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_PAD, &in, 1, out, svd_onnx_node_label (n));
  op->pad[0] = (int) pads[2];
  op->pad[1] = (int) pads[3];
  op->pad[2] = (int) pads[6];
  op->pad[3] = (int) pads[7];
  op->pad_mode = pm;
  op->alpha = value;
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
  return TRUE;
}

static gboolean
add_slice (Imp                   *imp,
           const Onnx__NodeProto *n,
           GError               **error)
{
  int in = need_image (imp, n, 0, error), out;
  SliceSpec sp;
  gint64 start[4] = { 0 }, len[4];
  const SvdGraphTensor *t;
  SvdGraphOp *op;

  if (in < 0 || !slice_spec (imp, n, 4, &sp, error))
    return FALSE;
  t = svd_graph_tensor (imp->g, in);
  len[0] = 1;
  len[1] = t->c;
  len[2] = t->h;
  len[3] = t->w;
  for (int i = 0; i < sp.n; i++)
    {
      int d = sp.axes[i];
      gint64 s, e, full = d == 0 ? 1 : d == 1 ? t->c : d == 2 ? t->h : t->w;

      if (sp.steps[i] != 1)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "Slice with a step other than 1 on an image"), FALSE;
      slice_range (full, sp.starts[i], sp.ends[i], 1, &s, &e);
      if (e <= s)
        return fail (n, SVD_ERROR_INVALID_ARGUMENT, error, "the Slice leaves nothing of a %d×%d image", t->w,
                     t->h), FALSE;
      start[d] = s;
      len[d] = e - s;
    }
  if (len[0] != 1)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "Slice of the batch"), FALSE;
  if (len[1] != t->c)
    {
      int c_out = svd_graph_add_tensor (imp->g, (int) len[1], t->h, t->w);

      op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_SLICE_CHANNELS, &in, 1, c_out, svd_onnx_node_label (n));
      op->c0 = (int) start[1];
      in = c_out;
    }
  if (len[2] != t->h || len[3] != t->w)
    {
      out = svd_graph_add_tensor (imp->g, (int) len[1], (int) len[2], (int) len[3]);
      op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_CROP, &in, 1, out, svd_onnx_node_label (n));
      op->pad[0] = (int) start[2];
      op->pad[1] = (int) start[3];
      in = out;
    }
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, in, n));
  return TRUE;
}

static gboolean
add_resize (Imp                   *imp,
            const Onnx__NodeProto *n,
            GError               **error)
{
  int in = need_image (imp, n, 0, error), out;
  g_autofree char *mode = svd_onnx_attr_string (n, "mode", "nearest");
  g_autofree char *ctm = NULL, *nm = NULL;
  const SvdGraphTensor *t;
  double sc[4] = { 1, 1, 1, 1 };
  gint64 size[4];
  gboolean have_sizes = FALSE, upsample = strcmp (n->op_type, "Upsample") == 0;
  SvdGraphOp *op;

  if (in < 0)
    return FALSE;
  t = svd_graph_tensor (imp->g, in);
  size[0] = 1;
  size[1] = t->c;
  size[2] = t->h;
  size[3] = t->w;
  if (svd_onnx_attr_int (n, "antialias", 0) != 0)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "antialiased resize is not supported"), FALSE;
  if (svd_onnx_attr (n, "axes") != NULL)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "Resize with axes is not supported"), FALSE;
  if (upsample && imp->opset < 9)
    {
      Onnx__AttributeProto *a = svd_onnx_attr (n, "scales");

      if (a == NULL || a->n_floats != 4)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "Upsample needs four scales"), FALSE;
      for (int i = 0; i < 4; i++)
        sc[i] = a->floats[i];
    }
  else
    {
      gsize si = upsample || imp->opset < 11 ? 1 : 2;
      Tens *s = NULL, *z = NULL;

      if (input (imp, n, si) != NULL && (s = need_const (imp, n, si, "scales", error)) == NULL)
        return FALSE;
      if (!upsample && imp->opset >= 11 && input (imp, n, 3) != NULL &&
          (z = need_const (imp, n, 3, "sizes", error)) == NULL)
        return FALSE;
      if (s != NULL && s->n == 4)
        for (int i = 0; i < 4; i++)
          sc[i] = s->v[i];
      else if (z != NULL && z->n == 4)
        {
          for (int i = 0; i < 4; i++)
            size[i] = to_i64 (z->v[i]);
          have_sizes = TRUE;
        }
      else
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "neither 4 scales nor 4 sizes"), FALSE;
    }
  if (!have_sizes)
    for (int i = 0; i < 4; i++)
      {
        double v = floor ((double) size[i] * sc[i]);

        if (!(sc[i] > 0 && v >= 1 && v <= SVD_GRAPH_MAX_SIDE))
          return fail (n, SVD_ERROR_UNSUPPORTED, error, "a resize to an empty or huge image"), FALSE;
        size[i] = (gint64) v;
      }
  if (size[0] != 1 || size[1] != t->c)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "resizing the batch or the channels"), FALSE;
  if (size[2] < 1 || size[3] < 1 || size[2] > SVD_GRAPH_MAX_SIDE || size[3] > SVD_GRAPH_MAX_SIDE)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "a resize to an empty or huge image"), FALSE;
  out = svd_graph_add_tensor (imp->g, t->c, (int) size[2], (int) size[3]);
  op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_RESIZE, &in, 1, out, svd_onnx_node_label (n));
  if (g_ascii_strcasecmp (mode, "linear") == 0 || g_ascii_strcasecmp (mode, "bilinear") == 0)
    op->linear = TRUE;
  else if (g_ascii_strcasecmp (mode, "nearest") != 0)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "resize mode “%s”; nearest and linear are supported", mode), FALSE;
  if (upsample || imp->opset < 11)
    {
      op->coord = SVD_GRAPH_COORD_ASYMMETRIC;
      op->round = SVD_GRAPH_FLOOR;
      return g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n)), TRUE;
    }
  ctm = svd_onnx_attr_string (n, "coordinate_transformation_mode", "half_pixel");
  nm = svd_onnx_attr_string (n, "nearest_mode", "round_prefer_floor");
  if (strcmp (ctm, "half_pixel") == 0 || strcmp (ctm, "half_pixel_symmetric") == 0)
    op->coord = SVD_GRAPH_COORD_HALF_PIXEL;
  else if (strcmp (ctm, "pytorch_half_pixel") == 0)
    op->coord = SVD_GRAPH_COORD_PYTORCH_HALF_PIXEL;
  else if (strcmp (ctm, "asymmetric") == 0)
    op->coord = SVD_GRAPH_COORD_ASYMMETRIC;
  else if (strcmp (ctm, "align_corners") == 0)
    op->coord = SVD_GRAPH_COORD_ALIGN_CORNERS;
  else
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "coordinate_transformation_mode “%s”", ctm), FALSE;
  if (strcmp (ctm, "half_pixel_symmetric") == 0 && (size[2] % t->h != 0 || size[3] % t->w != 0))
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "half_pixel_symmetric at a fractional scale"), FALSE;
  if (strcmp (nm, "round_prefer_floor") == 0)
    op->round = SVD_GRAPH_ROUND_PREFER_FLOOR;
  else if (strcmp (nm, "round_prefer_ceil") == 0)
    op->round = SVD_GRAPH_ROUND_PREFER_CEIL;
  else if (strcmp (nm, "floor") == 0)
    op->round = SVD_GRAPH_FLOOR;
  else if (strcmp (nm, "ceil") == 0)
    op->round = SVD_GRAPH_CEIL;
  else
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "nearest_mode “%s”", nm), FALSE;
  g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
  return TRUE;
}

static gboolean
add_channel_op (Imp                   *imp,
                const Onnx__NodeProto *n,
                GError               **error)
{
  gboolean concat = strcmp (n->op_type, "Concat") == 0;
  int axis;

  if (concat)
    {
      int in[SVD_GRAPH_MAX_INPUTS], c = 0, out;
      const SvdGraphTensor *t0;

      if (n->n_input < 1 || n->n_input > SVD_GRAPH_MAX_INPUTS)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "Concat of 1 to %d images", SVD_GRAPH_MAX_INPUTS), FALSE;
      if (!svd_onnx_norm_axis (svd_onnx_attr_int (n, "axis", 1), 4, &axis) || axis != 1)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "Concat of images on an axis other than the channels"), FALSE;
      for (gsize i = 0; i < n->n_input; i++)
        if ((in[i] = need_image (imp, n, i, error)) < 0)
          return FALSE;
      t0 = svd_graph_tensor (imp->g, in[0]);
      for (gsize i = 0; i < n->n_input; i++)
        {
          const SvdGraphTensor *t = svd_graph_tensor (imp->g, in[i]);

          if (t->h != t0->h || t->w != t0->w)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "Concat of images of different sizes"), FALSE;
          c += t->c;
        }
      if (c > SVD_GRAPH_MAX_CHANNELS)
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "more than %d channels", SVD_GRAPH_MAX_CHANNELS), FALSE;
      out = svd_graph_add_tensor (imp->g, c, t0->h, t0->w);
      svd_graph_add_op (imp->g, SVD_GRAPH_OP_CONCAT, in, (int) n->n_input, out, svd_onnx_node_label (n));
      g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
      return TRUE;
    }
  /* Split */
  {
    int in = need_image (imp, n, 0, error), c0 = 0;
    gint64 split[64];
    const SvdGraphTensor *t;
    gsize ns = n->n_output;

    if (in < 0)
      return FALSE;
    t = svd_graph_tensor (imp->g, in);
    if (!svd_onnx_norm_axis (svd_onnx_attr_int (n, "axis", 0), 4, &axis) || axis != 1)
      return fail (n, SVD_ERROR_UNSUPPORTED, error, "Split of images on an axis other than the channels"), FALSE;
    if (ns < 1 || ns > G_N_ELEMENTS (split))
      return fail (n, SVD_ERROR_UNSUPPORTED, error, "Split into 1 to 64 parts"), FALSE;
    {
      gsize k;
      const int64_t *v;
      Tens *s = NULL;

      if (svd_onnx_attr_ints (n, "split", &k, &v))
        {
          if (k != ns)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "split sizes differ from the outputs"), FALSE;
          for (gsize i = 0; i < k; i++)
            split[i] = v[i];
        }
      else if (input (imp, n, 1) != NULL)
        {
          if ((s = need_const (imp, n, 1, "split", error)) == NULL)
            return FALSE;
          if (s->n != ns)
            return fail (n, SVD_ERROR_MODEL_INVALID, error, "split sizes differ from the outputs"), FALSE;
          for (gsize i = 0; i < ns; i++)
            split[i] = to_i64 (s->v[i]);
        }
      else
        {
          if (t->c % (gint64) ns != 0)
            return fail (n, SVD_ERROR_UNSUPPORTED, error, "uneven Split"), FALSE;
          for (gsize i = 0; i < ns; i++)
            split[i] = t->c / (gint64) ns;
        }
    }
    for (gsize i = 0; i < ns; i++)
      {
        int out;
        SvdGraphOp *op;

        if (split[i] < 1 || split[i] > t->c - c0)
          return fail (n, SVD_ERROR_MODEL_INVALID, error, "split sizes exceed the channels"), FALSE;
        out = svd_graph_add_tensor (imp->g, (int) split[i], t->h, t->w);
        op = svd_graph_add_op (imp->g, SVD_GRAPH_OP_SLICE_CHANNELS, &in, 1, out, svd_onnx_node_label (n));
        op->c0 = c0;
        c0 += (int) split[i];
        if (n->output[i][0])
          g_hash_table_insert (imp->values, n->output[i], val_image (imp, out, n));
      }
    if (c0 != t->c)
      return fail (n, SVD_ERROR_MODEL_INVALID, error, "split sizes do not add up to the channels"), FALSE;
    return TRUE;
  }
}

/* Reshape, Transpose, Unsqueeze, Squeeze, Flatten of an image: followed as
 * a view until it comes back to 4-D. */
static gboolean
add_view (Imp                   *imp,
          const Onnx__NodeProto *n,
          Val                   *x,
          GError               **error)
{
  Val *v = val_new (imp, VAL_VIEW, n);
  Step *st;
  gsize count = 1;

  *v = *x;
  v->kind = VAL_VIEW;
  v->node = n;
  if (v->n_steps >= MAX_STEPS)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "more than %d Reshape/Transpose steps in a row", MAX_STEPS), FALSE;
  st = &v->steps[v->n_steps++];
  st->ndim_in = v->ndim;
  memcpy (st->in, v->dims, sizeof (gint64) * v->ndim);
  for (int d = 0; d < v->ndim; d++)
    count *= (gsize) v->dims[d];
  if (strcmp (n->op_type, "Transpose") == 0)
    {
      st->transpose = TRUE;
      if (!transpose_perm (n, v->ndim, st->perm, error))
        return FALSE;
      for (int d = 0; d < v->ndim; d++)
        v->dims[d] = st->in[st->perm[d]];
    }
  else if (!reshape_dims (imp, n, st->ndim_in, st->in, count, &v->ndim, v->dims, error))
    return FALSE;
  /* Back to the same 4-D shape with nothing moved: the image itself. */
  g_hash_table_insert (imp->values, n->output[0], v);
  return TRUE;
}

static gboolean
is_const_only (const char *op)
{
  static const char *ops[] = { "Shape", "Size", "Gather", "ConstantOfShape", "Range", "Floor", "Ceil", "Neg",
                               "Sqrt", "Reciprocal", "Abs", "Mod", "Min", "Max", "Pow", "Equal", "Less",
                               "Greater" };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (op, ops[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
visit (Imp                   *imp,
       const Onnx__NodeProto *n,
       GError               **error)
{
  const char *op = n->op_type;
  gboolean all_const = TRUE;
  Val *x;

  if (n->domain != NULL && n->domain[0] && strcmp (n->domain, "ai.onnx") != 0)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "ops of domain “%s” are not supported", n->domain), FALSE;
  if (n->n_output < 1 || !n->output[0][0])
    return fail (n, SVD_ERROR_MODEL_INVALID, error, "has no output"), FALSE;
  for (gsize i = 0; i < n->n_input; i++)
    {
      Val *v = input (imp, n, i);

      if (n->input[i][0] && v == NULL)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "reads “%s”, which nothing provides", n->input[i]), FALSE;
      if (v != NULL && v->kind != VAL_CONST)
        all_const = FALSE;
    }
  if (strcmp (op, "Shape") == 0 || strcmp (op, "Size") == 0)
    {
      Val *v = input (imp, n, 0);
      gint64 d, start, end, n_el = 1;
      int ndim;
      const gint64 *dims;
      Tens *t;

      if (v == NULL)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "has no input"), FALSE;
      ndim = v->kind == VAL_CONST ? v->c->ndim : v->ndim;
      dims = v->kind == VAL_CONST ? v->c->dims : v->dims;
      if (op[1] == 'i')
        {
          for (int i = 0; i < ndim; i++)
            n_el *= dims[i];
          if ((t = tens_new (imp, ET_INT64, 0, NULL, error)) == NULL)
            return FALSE;
          t->v[0] = (double) n_el;
        }
      else
        {
          start = svd_onnx_attr_int (n, "start", 0);
          end = svd_onnx_attr_int (n, "end", ndim);
          if (start < 0)
            start += ndim;
          if (end < 0)
            end += ndim;
          start = CLAMP (start, 0, ndim);
          end = CLAMP (end, start, ndim);
          d = end - start;
          if ((t = tens_new (imp, ET_INT64, 1, &d, error)) == NULL)
            return FALSE;
          for (gint64 i = 0; i < d; i++)
            t->v[i] = (double) dims[start + i];
        }
      g_hash_table_insert (imp->values, n->output[0], val_const (imp, t, n));
      return TRUE;
    }
  if (all_const && (n->n_input > 0 || strcmp (op, "Constant") == 0))
    {
      static const char *image_only[] = { "Conv", "Relu", "PRelu", "LeakyRelu", "Sigmoid", "Tanh", "Clip",
                                          "Pad", "DepthToSpace", "SpaceToDepth", "Resize", "Upsample", "Split" };
      Tens *t;

      for (guint i = 0; i < G_N_ELEMENTS (image_only); i++)
        if (strcmp (op, image_only[i]) == 0)
          return fail (n, SVD_ERROR_UNSUPPORTED, error, "the op runs on constants only; it is supported on "
                       "images"), FALSE;
      if ((t = fold_node (imp, n, error)) == NULL)
        return FALSE;
      g_hash_table_insert (imp->values, n->output[0], val_const (imp, t, n));
      return TRUE;
    }
  if (strcmp (op, "Constant") == 0)
    {
      Tens *t = fold_node (imp, n, error);

      if (t == NULL)
        return FALSE;
      g_hash_table_insert (imp->values, n->output[0], val_const (imp, t, n));
      return TRUE;
    }
  if (is_const_only (op))
    return fail (n, SVD_ERROR_UNSUPPORTED, error,
                 "the op computes on the image's values; it is supported only in shape arithmetic on "
                 "constants (the input's size)"), FALSE;

  x = input (imp, n, 0);
  if (x == NULL)
    return fail (n, SVD_ERROR_UNSUPPORTED, error, "the op is not supported without an image input"), FALSE;
  if (strcmp (op, "Identity") == 0 || strcmp (op, "Dropout") == 0 ||
      (strcmp (op, "Cast") == 0 && svd_onnx_is_float_elem ((int) svd_onnx_attr_int (n, "to", ET_FLOAT))))
    {
      g_hash_table_insert (imp->values, n->output[0], x);
      return TRUE;
    }
  if (strcmp (op, "Conv") == 0)
    return add_conv (imp, n, error);
  if (strcmp (op, "Relu") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_RELU, error);
  if (strcmp (op, "PRelu") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_PRELU, error);
  if (strcmp (op, "LeakyRelu") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_LEAKY, error);
  if (strcmp (op, "Sigmoid") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_SIGMOID, error);
  if (strcmp (op, "Tanh") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_TANH, error);
  if (strcmp (op, "Clip") == 0)
    return add_act (imp, n, SVD_GRAPH_ACT_CLAMP, error);
  if (strcmp (op, "Add") == 0 || strcmp (op, "Sub") == 0 || strcmp (op, "Mul") == 0 || strcmp (op, "Div") == 0)
    return add_binary (imp, n, error);
  if (strcmp (op, "Concat") == 0 || strcmp (op, "Split") == 0)
    return add_channel_op (imp, n, error);
  if (strcmp (op, "Pad") == 0)
    return add_pad (imp, n, error);
  if (strcmp (op, "Slice") == 0)
    return add_slice (imp, n, error);
  if (strcmp (op, "Resize") == 0 || strcmp (op, "Upsample") == 0)
    return add_resize (imp, n, error);
  if (strcmp (op, "Reshape") == 0 || strcmp (op, "Transpose") == 0 || strcmp (op, "Unsqueeze") == 0 ||
      strcmp (op, "Squeeze") == 0 || strcmp (op, "Flatten") == 0)
    {
      if (x->kind == VAL_CONST)
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "a constant reshaped by an image"), FALSE;
      return add_view (imp, n, x, error);
    }
  if (strcmp (op, "DepthToSpace") == 0 || strcmp (op, "SpaceToDepth") == 0)
    {
      int in = need_image (imp, n, 0, error), s = (int) svd_onnx_attr_int (n, "blocksize", 0), out, C;
      g_autofree char *mode = svd_onnx_attr_string (n, "mode", "DCR");
      gboolean d2s = op[0] == 'D', dcr = d2s ? strcmp (mode, "DCR") == 0 : TRUE;
      const SvdGraphTensor *t;
      SvdGraphOp *gop;

      if (in < 0)
        return FALSE;
      t = svd_graph_tensor (imp->g, in);
      if (s < 1 || s > 16 || (d2s && strcmp (mode, "DCR") != 0 && strcmp (mode, "CRD") != 0))
        return fail (n, SVD_ERROR_UNSUPPORTED, error, "blocksize 1 to 16 and mode DCR or CRD"), FALSE;
      if (d2s ? t->c % (s * s) != 0 : (t->h % s != 0 || t->w % s != 0))
        return fail (n, SVD_ERROR_MODEL_INVALID, error, "the %s does not divide by the block size",
                     d2s ? "channel count" : "image size"), FALSE;
      C = d2s ? t->c / (s * s) : t->c;
      out = d2s ? svd_graph_add_tensor (imp->g, C, t->h * s, t->w * s) :
                  svd_graph_add_tensor (imp->g, t->c * s * s, t->h / s, t->w / s);
      gop = svd_graph_add_op (imp->g, d2s ? SVD_GRAPH_OP_DEPTH_TO_SPACE : SVD_GRAPH_OP_SPACE_TO_DEPTH, &in, 1, out,
                              svd_onnx_node_label (n));
      gop->s = s;
      gop->table = g_new (int, C * s * s);
      /* D2S: table[(c·s + i)·s + j] = source channel; DCR reads
       * (i·s + j)·C + c, CRD c·s² + i·s + j. S2D (ONNX's is DCR):
       * output channel (i·s + j)·C + c holds (c, i, j). */
      for (int c = 0; c < C; c++)
        for (int i = 0; i < s; i++)
          for (int j = 0; j < s; j++)
            {
              if (d2s)
                gop->table[(c * s + i) * s + j] = dcr ? (i * s + j) * C + c : (c * s + i) * s + j;
              else
                gop->table[(i * s + j) * C + c] = (c * s + i) * s + j;
            }
      g_hash_table_insert (imp->values, n->output[0], val_image (imp, out, n));
      return TRUE;
    }
  {
    return fail (n, SVD_ERROR_UNSUPPORTED, error,
                 "the op is not supported (the graph IR runs Conv, Relu, PRelu, LeakyRelu, Sigmoid, Tanh, "
                 "Clip, Add, Sub, Mul, Div by a constant, Concat, Split, Slice, Pad, DepthToSpace, "
                 "SpaceToDepth, Reshape/Transpose pixel shuffles, Resize/Upsample, and shape arithmetic "
                 "on constants)"), FALSE;
  }
}

/* Kahn's order over the nodes; a node left over sits on a cycle. */
static GPtrArray *
topo_order (Imp     *imp,
            GError **error)
{
  Onnx__GraphProto *g = imp->graph;
  g_autoptr(GHashTable) producer = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree int *pending = g_new0 (int, g->n_node);
  g_autoptr(GHashTable) index = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GQueue) ready = g_queue_new ();

  for (gsize i = 0; i < g->n_node; i++)
    {
      Onnx__NodeProto *n = g->node[i];

      if (n->op_type == NULL)
        return fail (NULL, SVD_ERROR_MODEL_INVALID, error, "ONNX node %zu has no op_type", i);
      g_hash_table_insert (index, n, GSIZE_TO_POINTER (i));
      g_ptr_array_add (users, g_array_new (FALSE, FALSE, sizeof (gsize)));
      for (gsize k = 0; k < n->n_output; k++)
        if (n->output[k][0])
          {
            if (g_hash_table_contains (producer, n->output[k]) || g_hash_table_contains (imp->inits, n->output[k]))
              return fail (n, SVD_ERROR_MODEL_INVALID, error, "writes a value that something else already defines");
            g_hash_table_insert (producer, n->output[k], n);
          }
    }
  for (gsize i = 0; i < g->n_node; i++)
    {
      Onnx__NodeProto *n = g->node[i];

      for (gsize k = 0; k < n->n_input; k++)
        {
          Onnx__NodeProto *p = n->input[k][0] ? g_hash_table_lookup (producer, n->input[k]) : NULL;

          if (p != NULL)
            {
              gsize pi = GPOINTER_TO_SIZE (g_hash_table_lookup (index, p));

              g_array_append_val ((GArray *) users->pdata[pi], i);
              pending[i]++;
            }
        }
    }
  for (gsize i = 0; i < g->n_node; i++)
    if (pending[i] == 0)
      g_queue_push_tail (ready, GSIZE_TO_POINTER (i + 1));
  while (!g_queue_is_empty (ready))
    {
      gsize i = GPOINTER_TO_SIZE (g_queue_pop_head (ready)) - 1;
      GArray *u = users->pdata[i];

      g_ptr_array_add (order, g->node[i]);
      for (guint k = 0; k < u->len; k++)
        if (--pending[g_array_index (u, gsize, k)] == 0)
          g_queue_push_tail (ready, GSIZE_TO_POINTER (g_array_index (u, gsize, k) + 1));
    }
  if (order->len != g->n_node)
    for (gsize i = 0; i < g->n_node; i++)
      if (pending[i] > 0)
        return fail (g->node[i], SVD_ERROR_MODEL_INVALID, error,
                     "lies on a cycle (it depends on its own output); an ONNX graph must be acyclic");
  return g_steal_pointer (&order);
}

static SvdGraph *
import (Onnx__ModelProto *proto,
        int               width,
        int               height,
        GError          **error)
{
  Imp imp = { 0 };
  g_autoptr(GPtrArray) order = NULL;
  g_autoptr(SvdGraph) g = svd_graph_new ();
  Onnx__ValueInfoProto *vi = NULL;
  Onnx__TypeProto__Tensor *tt;
  gboolean has_opset = FALSE;
  SvdGraph *result = NULL;
  int in_ch;

  imp.graph = proto->graph;
  if (imp.graph == NULL || imp.graph->n_node == 0)
    return fail (NULL, SVD_ERROR_INVALID_INPUT, error, "The ONNX file has no graph");
  if (imp.graph->n_node > MAX_NODES)
    return fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX graph has %zu nodes; at most %d are supported",
                 imp.graph->n_node, MAX_NODES);
  for (gsize i = 0; i < proto->n_opset_import; i++)
    if (proto->opset_import[i]->domain == NULL || proto->opset_import[i]->domain[0] == '\0' ||
        strcmp (proto->opset_import[i]->domain, "ai.onnx") == 0)
      {
        imp.opset = proto->opset_import[i]->version;
        has_opset = TRUE;
      }
  if (!has_opset || imp.opset < SVD_LIMIT_ONNX_OPSET_MIN || imp.opset > SVD_LIMIT_ONNX_OPSET_MAX)
    return fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX file uses opset %" G_GINT64_FORMAT
                 "; supported opsets are %d to %d", imp.opset, SVD_LIMIT_ONNX_OPSET_MIN, SVD_LIMIT_ONNX_OPSET_MAX);
  imp.inits = g_hash_table_new (g_str_hash, g_str_equal);
  imp.values = g_hash_table_new (g_str_hash, g_str_equal);
  imp.arena = g_ptr_array_new_with_free_func (g_free);
  svd_onnx_fold_init (&imp.fold);
  imp.g = g;
  imp.width = width;
  imp.height = height;

  for (gsize i = 0; i < imp.graph->n_initializer; i++)
    if (imp.graph->initializer[i]->name != NULL)
      g_hash_table_insert (imp.inits, imp.graph->initializer[i]->name, imp.graph->initializer[i]);
  for (gsize i = 0; i < imp.graph->n_input; i++)
    if (imp.graph->input[i]->name != NULL && !g_hash_table_contains (imp.inits, imp.graph->input[i]->name))
      {
        if (vi != NULL)
          {
            fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX graph has more than one image input");
            goto out;
          }
        vi = imp.graph->input[i];
      }
  if (vi == NULL || imp.graph->n_output != 1 || imp.graph->output[0]->name == NULL)
    {
      fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX graph must have one image input and one output");
      goto out;
    }
  tt = vi->type != NULL && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ? vi->type->tensor_type : NULL;
  if (tt == NULL || tt->shape == NULL || tt->shape->n_dim != 4)
    {
      fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX graph input “%s” is not a 4-D (N, C, H, W) tensor",
            vi->name);
      goto out;
    }
  if (tt->shape->dim[1]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
      tt->shape->dim[1]->dim_value < 1 || tt->shape->dim[1]->dim_value > SVD_GRAPH_MAX_CHANNELS)
    {
      fail (NULL, SVD_ERROR_UNSUPPORTED, error,
            "The ONNX graph input “%s” has a dynamic or invalid channel count%s%s%s; the graph IR needs "
            "static channel counts", vi->name,
            tt->shape->dim[1]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? " (“" : "",
            tt->shape->dim[1]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ?
            tt->shape->dim[1]->dim_param : "",
            tt->shape->dim[1]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? "”)" : "");
      goto out;
    }
  for (int d = 2; d < 4; d++)
    if (tt->shape->dim[d]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
        tt->shape->dim[d]->dim_value != (d == 2 ? height : width))
      {
        fail (NULL, SVD_ERROR_UNSUPPORTED, error, "The ONNX graph takes only a fixed %" G_GINT64_FORMAT "×%"
              G_GINT64_FORMAT " input", (gint64) tt->shape->dim[3]->dim_value,
              (gint64) tt->shape->dim[2]->dim_value);
        goto out;
      }
  in_ch = (int) tt->shape->dim[1]->dim_value;
  if (width < 1 || height < 1 || width > SVD_GRAPH_MAX_SIDE || height > SVD_GRAPH_MAX_SIDE)
    {
      fail (NULL, SVD_ERROR_INVALID_ARGUMENT, error, "A %d×%d input is out of range", width, height);
      goto out;
    }
  g->input = svd_graph_add_tensor (g, in_ch, height, width);
  g_hash_table_insert (imp.values, vi->name, val_image (&imp, g->input, NULL));
  {
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init (&it, imp.inits);
    while (g_hash_table_iter_next (&it, &k, &v))
      {
        /* Every initializer is decoded once, under the folder's budget. */
        Tens *t = svd_onnx_fold_decode (&imp.fold, v, NULL, error);

        if (t == NULL)
          goto out;
        g_hash_table_insert (imp.values, k, val_const (&imp, t, NULL));
      }
  }
  if ((order = topo_order (&imp, error)) == NULL)
    goto out;
  for (guint i = 0; i < order->len; i++)
    if (!visit (&imp, order->pdata[i], error))
      goto out;
  {
    Onnx__NodeProto fake = ONNX__NODE_PROTO__INIT;
    Val *v = g_hash_table_lookup (imp.values, imp.graph->output[0]->name);
    char *inputs[1] = { imp.graph->output[0]->name };

    fake.name = (char *) "graph output";
    fake.op_type = (char *) "Output";
    fake.n_input = 1;
    fake.input = inputs;
    if (v == NULL)
      {
        fail (NULL, SVD_ERROR_MODEL_INVALID, error, "The ONNX graph output “%s” is not computed by any node",
              imp.graph->output[0]->name);
        goto out;
      }
    if ((g->output = need_image (&imp, &fake, 0, error)) < 0)
      goto out;
  }
  if (!svd_graph_validate (g, error))
    goto out;
  result = g_steal_pointer (&g);

out:
  g_clear_pointer (&imp.inits, g_hash_table_unref);
  g_clear_pointer (&imp.values, g_hash_table_unref);
  g_clear_pointer (&imp.arena, g_ptr_array_unref);
  svd_onnx_fold_clear (&imp.fold);
  return result;
}

SvdGraph *
svd_onnx_graph_import (const guint8  *data,
                       gsize          len,
                       int            width,
                       int            height,
                       GError       **error)
{
  SvdOnnxUnpacked *u = svd_onnx_unpack (data, len, error);
  SvdGraph *g;
  g_autoptr(GError) local = NULL;

  if (u == NULL)
    return NULL;
  g = import (svd_onnx_unpacked_get_proto (u), width, height, &local);
  svd_onnx_unpacked_free (u);
  if (g == NULL)
    {
      if (local == NULL)
        g_set_error (&local, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "The ONNX graph could not be imported");
      g_propagate_error (error, g_steal_pointer (&local));
    }
  return g;
}

/* ---- The model side ------------------------------------------------------- */

struct _SvdGraphSource {
  GBytes   *onnx;
  SvdGraph *probe;
  int       min_w;
  int       min_h;
  char     *family;
};

void
svd_graph_source_free (SvdGraphSource *self)
{
  if (self == NULL)
    return;
  g_bytes_unref (self->onnx);
  svd_graph_free (self->probe);
  g_free (self->family);
  g_free (self);
}

gboolean
svd_graph_source_validate (const SvdGraphSource *self,
                           GError              **error)
{
  return svd_graph_validate (self->probe, error);
}

const SvdGraph *
svd_graph_source_get_probe (const SvdGraphSource *self)
{
  return self->probe;
}

const char *
svd_graph_source_get_family (const SvdGraphSource *self)
{
  return self->family;
}

void
svd_graph_source_get_min_size (const SvdGraphSource *self,
                               int                  *width,
                               int                  *height)
{
  *width = self->min_w;
  *height = self->min_h;
}

GBytes *
svd_graph_source_get_bytes (const SvdGraphSource *self)
{
  return self->onnx;
}

SvdGraph *
svd_model_graph_at (const SvdModel *model,
                    int             width,
                    int             height,
                    GError        **error)
{
  gsize len;
  const guint8 *data;
  g_autoptr(GError) local = NULL;
  SvdGraph *g;
  const SvdGraphSource *src = model->graph;

  g_return_val_if_fail (src != NULL, NULL);
  if (width < src->min_w || height < src->min_h)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Model “%s” needs an input of at least %d×%d pixels; this one is %d×%d", model->name,
                   src->min_w, src->min_h, width, height);
      return NULL;
    }
  data = g_bytes_get_data (src->onnx, &len);
  g = svd_onnx_graph_import (data, len, width, height, &local);
  if (g == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "Model “%s” at %d×%d: ", model->name, width,
                                  height);
      return NULL;
    }
  return g;
}

/* The smallest side the graph takes, along one axis with the other at the
 * probe size (reflect padding, crops and pixel unshuffles set it). */
static int
min_side (Onnx__ModelProto *proto,
          gboolean          horizontal)
{
  for (int s = 1; s <= 64; s++)
    {
      g_autoptr(SvdGraph) g = import (proto, horizontal ? s : PROBE_W, horizontal ? PROBE_H : s, NULL);

      if (g != NULL)
        return s;
    }
  return 65;
}

SvdModel *
svd_onnx_graph_load_model (const guint8  *data,
                           gsize          len,
                           GError       **error)
{
  SvdOnnxUnpacked *u = svd_onnx_unpack (data, len, error);
  Onnx__ModelProto *proto;
  g_autoptr(SvdGraph) probe = NULL;
  g_autoptr(SvdGraph) other = NULL;
  g_autoptr(SvdModel) model = NULL;
  const SvdGraphTensor *in, *out, *in2, *out2;
  SvdGraphSource *src;
  int scale;

  if (u == NULL)
    return NULL;
  proto = svd_onnx_unpacked_get_proto (u);
  {
    /* Our own fused chain export (svd.step.N metadata) stands for its
     * steps (svd_chain_load_onnx()), not for one model. */
    int steps = 0;

    for (gsize i = 0; i < proto->n_metadata_props; i++)
      if (proto->metadata_props[i]->key != NULL && g_str_has_prefix (proto->metadata_props[i]->key, "svd.step."))
        steps++;
    if (steps >= 2)
      {
        svd_onnx_unpacked_free (u);
        g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                     "The ONNX file is a fused chain of %d steps (svd export-chain), not one model", steps);
        return NULL;
      }
  }
  probe = import (proto, PROBE_W, PROBE_H, error);
  if (probe == NULL)
    {
      svd_onnx_unpacked_free (u);
      return NULL;
    }
  /* The scale must be one whole factor, the same at another (odd) size. */
  other = import (proto, PROBE_W + 13, PROBE_H + 7, error);
  if (other == NULL)
    {
      svd_onnx_unpacked_free (u);
      return NULL;
    }
  in = svd_graph_tensor (probe, probe->input);
  out = svd_graph_tensor (probe, probe->output);
  in2 = svd_graph_tensor (other, other->input);
  out2 = svd_graph_tensor (other, other->output);
  scale = out->w / in->w;
  if (scale < 1 || scale > 4 || out->w != in->w * scale || out->h != in->h * scale ||
      out2->w != in2->w * scale || out2->h != in2->h * scale)
    {
      svd_onnx_unpacked_free (u);
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph maps %d×%d to %d×%d and %d×%d to %d×%d; a chain stage scales by a whole "
                   "factor of 1 to 4", in->w, in->h, out->w, out->h, in2->w, in2->h, out2->w, out2->h);
      return NULL;
    }
  if (in->c != 3 || out->c != 3)
    {
      svd_onnx_unpacked_free (u);
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph maps %d channels to %d; RGB models (3 → 3) are supported", in->c, out->c);
      return NULL;
    }
  src = g_new0 (SvdGraphSource, 1);
  src->onnx = g_bytes_new (data, len);
  src->min_w = min_side (proto, TRUE);
  src->min_h = min_side (proto, FALSE);
  {
    gboolean tanh = FALSE, mul = FALSE, d2s = FALSE;

    for (guint i = 0; i < probe->ops->len; i++)
      {
        const SvdGraphOp *op = svd_graph_op (probe, (int) i);

        tanh |= op->act == SVD_GRAPH_ACT_TANH || op->act == SVD_GRAPH_ACT_SIGMOID;
        mul |= op->type == SVD_GRAPH_OP_BINARY && op->binop == SVD_GRAPH_BIN_MUL && op->n_in == 2;
        d2s |= op->type == SVD_GRAPH_OP_DEPTH_TO_SPACE;
      }
    src->family = g_strdup (tanh && mul && d2s ? "SPAN-family graph" : "Graph");
  }
  model = g_new0 (SvdModel, 1);
  model->ref_count = 1;
  model->in_ch = 3;
  model->out_ch = 3;
  model->scale = scale;
  model->activation = SVD_ACTIVATION_RELU;
  model->source_format = SVD_MODEL_FORMAT_ONNX;
  model->name = g_strdup ("model");
  {
    /* The precision of the weights: the first conv's initializer type. */
    int et = ET_FLOAT;

    for (gsize i = 0; i < proto->graph->n_initializer; i++)
      if (proto->graph->initializer[i]->n_dims == 4)
        {
          et = proto->graph->initializer[i]->data_type;
          break;
        }
    model->stored_precision = et == ET_FLOAT16 ? SVD_STORAGE_FP16 :
                              et == ET_BFLOAT16 ? SVD_STORAGE_BF16 : SVD_STORAGE_FP32;
  }
  model->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < proto->n_metadata_props; i++)
    if (proto->metadata_props[i]->key != NULL && proto->metadata_props[i]->value != NULL)
      g_hash_table_insert (model->metadata, g_utf8_make_valid (proto->metadata_props[i]->key, -1),
                           g_utf8_make_valid (proto->metadata_props[i]->value, -1));
  if (proto->producer_name != NULL && proto->producer_name[0])
    g_hash_table_insert (model->metadata, g_strdup ("onnx.producer"), g_utf8_make_valid (proto->producer_name, -1));
  g_hash_table_insert (model->metadata, g_strdup ("graph.ops"), svd_graph_describe_ops (probe));
  g_hash_table_insert (model->metadata, g_strdup ("graph.min_size"),
                       g_strdup_printf ("%dx%d", src->min_w, src->min_h));
  src->probe = g_steal_pointer (&probe);
  model->graph = src;
  svd_onnx_unpacked_free (u);
  return g_steal_pointer (&model);
}
