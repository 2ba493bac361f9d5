/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx"

/* The constant folder both ONNX readers share (see svd-onnx-fold.h). */

#include "svd-onnx-fold.h"
#include "svd-onnx-util.h"
#include "svd-model-private.h"
#include "core/svd-error.h"

#include <math.h>

#define MAX_DIMS SVD_ONNX_FOLD_MAX_DIMS

static void
tens_free (SvdOnnxTens *t)
{
  g_free (t->v);
  g_free (t);
}

void
svd_onnx_fold_init (SvdOnnxFold *fold)
{
  fold->arena = g_ptr_array_new_with_free_func ((GDestroyNotify) tens_free);
  fold->bytes = 0;
}

void
svd_onnx_fold_clear (SvdOnnxFold *fold)
{
  g_clear_pointer (&fold->arena, g_ptr_array_unref);
  fold->bytes = 0;
}

/**
 * svd_onnx_to_i64:
 * @v: a value from a file
 *
 * Doubles from a file may be NaN, infinite or beyond int64, and casting
 * those to an integer is undefined. Values beyond the range saturate:
 * ONNX itself writes INT64_MAX for "to the end" in Slice (2^63 as a double,
 * one past the range) and INT64_MIN for "before the start". NaN becomes
 * G_MININT64. Every caller checks the result as a dimension, axis, index,
 * count or bound, where both extremes are refused or clamped without
 * overflow.
 */
gint64
svd_onnx_to_i64 (double v)
{
  if (isnan (v))
    return G_MININT64;
  if (v >= 9223372036854775808.0)   /* 2^63 */
    return G_MAXINT64;
  if (v < -9223372036854775808.0)
    return G_MININT64;
  return (gint64) v;
}

gpointer
svd_onnx_node_error (const Onnx__NodeProto *n,
                     int                    code,
                     GError               **error,
                     const char            *format,
                     ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (n != NULL)
    g_set_error (error, SVD_ERROR, code, "ONNX node “%s” (%s): %s", svd_onnx_node_label (n),
                 n->op_type ? n->op_type : "", msg);
  else
    g_set_error_literal (error, SVD_ERROR, code, msg);
  return NULL;
}

/**
 * svd_onnx_fold_new:
 *
 * A zeroed tensor of @dims in @fold's arena. Each dimension is bounded on
 * its own too, so that a zero elsewhere cannot hide a huge one that later
 * arithmetic multiplies; the folder keeps every value it computes until
 * the reader is done, so its memory is checked before allocating.
 */
SvdOnnxTens *
svd_onnx_fold_new (SvdOnnxFold  *fold,
                   int           elem,
                   int           ndim,
                   const gint64 *dims,
                   GError      **error)
{
  SvdOnnxTens *t;
  gsize n = 1;
  gsize max_elements = svd_onnx_fold_max_elements ();
  gsize max_bytes = svd_onnx_fold_max_bytes ();

  if (ndim < 0 || ndim > MAX_DIMS)
    return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error,
                                "An ONNX tensor has %d dimensions; at most %d are supported", ndim, MAX_DIMS);
  for (int i = 0; i < ndim; i++)
    if (dims[i] < 0 || (guint64) dims[i] > max_elements ||
        !g_size_checked_mul (&n, n, (gsize) dims[i]) || n > max_elements)
      return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error,
                                  "An ONNX tensor has a negative dimension or more than %" G_GSIZE_FORMAT
                                  " elements (the constant folder's limit per tensor)", max_elements);
  /* n ≤ max_elements ≤ 2^23: no overflow. */
  if (MAX (n, 1) * sizeof (double) > max_bytes - fold->bytes)
    return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error,
                                "ONNX constant folding needs more than its memory limit of %" G_GSIZE_FORMAT
                                " %s; a real model needs far less (the graph computes oversized constants)",
                                max_bytes >= ((gsize) 1 << 20) ? max_bytes >> 20 : max_bytes >> 10,
                                max_bytes >= ((gsize) 1 << 20) ? "MiB" : "KiB");
  fold->bytes += MAX (n, 1) * sizeof (double);
  t = g_new0 (SvdOnnxTens, 1);
  t->elem = elem;
  t->ndim = ndim;
  if (ndim > 0)
    memcpy (t->dims, dims, sizeof (gint64) * ndim);
  t->n = n;
  t->v = g_new0 (double, MAX (n, 1));
  g_ptr_array_add (fold->arena, t);
  return t;
}

/* A TensorProto's values as doubles (exact for fp32/fp16/bf16 and for
 * every integer a shape holds). */
SvdOnnxTens *
svd_onnx_fold_decode (SvdOnnxFold             *fold,
                      const Onnx__TensorProto *tp,
                      const char              *what,
                      GError                 **error)
{
  SvdOnnxTens *t;
  gint64 dims[MAX_DIMS];
  gsize esize, have;
  const char *name = tp->name ? tp->name : what ? what : "?";

  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error,
                                "ONNX tensor “%s” keeps its data in an external file; re-export the model with "
                                "the weights embedded (external data is not supported)", name);
  if (tp->n_dims > MAX_DIMS)
    return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error, "ONNX tensor “%s” has %zu dimensions",
                                name, tp->n_dims);
  for (gsize i = 0; i < tp->n_dims; i++)
    dims[i] = tp->dims[i];
  if ((esize = svd_onnx_elem_size (tp->data_type)) == 0)
    return svd_onnx_node_error (NULL, SVD_ERROR_UNSUPPORTED, error,
                                "ONNX tensor “%s” has data type %d; supported: float, float16, bfloat16, "
                                "double, int32, int64, int8, uint8, bool", name, tp->data_type);
  if ((t = svd_onnx_fold_new (fold, tp->data_type, (int) tp->n_dims, dims, error)) == NULL)
    return NULL;
  if (svd_onnx_tensor_is_raw (tp, t->n))
    {
      gsize need;

      if (!g_size_checked_mul (&need, t->n, esize) || need != tp->raw_data.len)
        return svd_onnx_node_error (NULL, SVD_ERROR_MODEL_INVALID, error,
                                    "ONNX tensor “%s” holds %zu bytes of data; its shape needs %" G_GSIZE_FORMAT,
                                    name, tp->raw_data.len, need);
    }
  /* Typed fields: float_data for float; int32_data for int32, bool and —
   * as the spec says — the 16 bits of each float16/bfloat16. */
  else if ((have = svd_onnx_tensor_n_typed (tp)) != t->n)
    return svd_onnx_node_error (NULL, SVD_ERROR_MODEL_INVALID, error,
                                "ONNX tensor “%s” holds %zu values; its shape needs %" G_GSIZE_FORMAT,
                                name, have, t->n);
  svd_onnx_tensor_values (tp, t->n, t->v);
  return t;
}

SvdOnnxTens *
svd_onnx_fold_constant (SvdOnnxFold           *fold,
                        const Onnx__NodeProto *n,
                        GError               **error)
{
  Onnx__AttributeProto *a;
  SvdOnnxTens *out;

  if ((a = svd_onnx_attr (n, "value")) != NULL && a->t != NULL)
    return svd_onnx_fold_decode (fold, a->t, n->n_output > 0 ? n->output[0] : NULL, error);
  if ((a = svd_onnx_attr (n, "value_float")) != NULL)
    {
      if ((out = svd_onnx_fold_new (fold, ET_FLOAT, 0, NULL, error)) != NULL)
        out->v[0] = a->f;
      return out;
    }
  if ((a = svd_onnx_attr (n, "value_int")) != NULL)
    {
      if ((out = svd_onnx_fold_new (fold, ET_INT64, 0, NULL, error)) != NULL)
        out->v[0] = (double) a->i;
      return out;
    }
  if ((a = svd_onnx_attr (n, "value_floats")) != NULL || (a = svd_onnx_attr (n, "value_ints")) != NULL)
    {
      gboolean f = a->n_floats > 0 || a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
      gint64 d = (gint64) (f ? a->n_floats : a->n_ints);

      if ((out = svd_onnx_fold_new (fold, f ? ET_FLOAT : ET_INT64, 1, &d, error)) != NULL)
        for (gint64 i = 0; i < d; i++)
          out->v[i] = f ? a->floats[i] : (double) a->ints[i];
      return out;
    }
  return svd_onnx_node_error (n, SVD_ERROR_UNSUPPORTED, error, "Constant without a tensor, float or int value");
}

SvdOnnxTens *
svd_onnx_fold_cast (SvdOnnxFold           *fold,
                    const Onnx__NodeProto *n,
                    const SvdOnnxTens     *x,
                    GError               **error)
{
  gint64 to = svd_onnx_attr_int (n, "to", ET_FLOAT);
  SvdOnnxTens *out;

  if ((out = svd_onnx_fold_new (fold, (int) to, x->ndim, x->dims, error)) == NULL)
    return NULL;
  for (gsize i = 0; i < x->n; i++)
    {
      double v = x->v[i];

      if (to == ET_FLOAT16)
        v = svd_half_to_float (svd_float_to_half ((float) v));
      else if (to == ET_BFLOAT16)
        v = svd_bf16_to_float (svd_float_to_bf16 ((float) v));
      else if (to == ET_FLOAT)
        v = (float) v;
      else if (to == ET_BOOL)
        v = v != 0;
      else if (!svd_onnx_is_float_elem ((int) to))
        v = trunc (v);
      out->v[i] = v;
    }
  return out;
}

/* The perm attribute (or the reversal), checked to be a permutation. */
gboolean
svd_onnx_transpose_perm (const Onnx__NodeProto *n,
                         int                    ndim,
                         int                   *perm,
                         GError               **error)
{
  gsize np;
  const int64_t *ints;
  gboolean seen[MAX_DIMS] = { 0 };

  if (svd_onnx_attr_ints (n, "perm", &np, &ints))
    {
      if ((int) np != ndim)
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Transpose perm does not match the rank"),
               FALSE;
      for (gsize i = 0; i < np; i++)
        perm[i] = ints[i] >= 0 && ints[i] < ndim ? (int) ints[i] : -1;
    }
  else
    for (int i = 0; i < ndim; i++)
      perm[i] = ndim - 1 - i;
  for (int i = 0; i < ndim; i++)
    {
      if (perm[i] < 0 || seen[perm[i]])
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Transpose perm is not a permutation"),
               FALSE;
      seen[perm[i]] = TRUE;
    }
  return TRUE;
}

/* Row-major strides of a tensor of NDIM dims (in elements). The caller has
 * checked the element count against the folder's limits, so the products
 * cannot overflow. */
void
svd_onnx_strides (int           ndim,
                  const gint64 *dims,
                  gsize        *st)
{
  gsize s = 1;

  for (int d = ndim - 1; d >= 0; d--)
    {
      st[d] = s;
      s *= (gsize) dims[d];
    }
}

SvdOnnxTens *
svd_onnx_fold_transpose (SvdOnnxFold           *fold,
                         const Onnx__NodeProto *n,
                         const SvdOnnxTens     *x,
                         GError               **error)
{
  int perm[MAX_DIMS];
  gint64 dims[MAX_DIMS];
  gsize ist[MAX_DIMS], idx[MAX_DIMS] = { 0 };
  SvdOnnxTens *out;

  if (!svd_onnx_transpose_perm (n, x->ndim, perm, error))
    return NULL;
  for (int i = 0; i < x->ndim; i++)
    dims[i] = x->dims[perm[i]];
  if ((out = svd_onnx_fold_new (fold, x->elem, x->ndim, dims, error)) == NULL || out->n == 0)
    return out;
  svd_onnx_strides (x->ndim, x->dims, ist);
  for (gsize k = 0; k < out->n; k++)
    {
      gsize src = 0;

      for (int d = 0; d < out->ndim; d++)
        src += idx[d] * ist[perm[d]];
      out->v[k] = x->v[src];
      for (int d = out->ndim - 1; d >= 0; d--)
        {
          if (++idx[d] < (gsize) out->dims[d])
            break;
          idx[d] = 0;
        }
    }
  return out;
}

SvdOnnxTens *
svd_onnx_fold_gather (SvdOnnxFold           *fold,
                      const Onnx__NodeProto *n,
                      const SvdOnnxTens     *x,
                      const SvdOnnxTens     *ind,
                      GError               **error)
{
  int axis, nd = 0;
  gint64 dims[MAX_DIMS];
  gsize outer = 1, inner = 1, k = 0;
  SvdOnnxTens *out;

  if (!svd_onnx_norm_axis (svd_onnx_attr_int (n, "axis", 0), x->ndim, &axis) ||
      x->ndim - 1 + ind->ndim > MAX_DIMS)
    return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "invalid Gather axis");
  for (int d = 0; d < axis; d++)
    {
      dims[nd++] = x->dims[d];
      outer *= (gsize) x->dims[d];
    }
  for (int d = 0; d < ind->ndim; d++)
    dims[nd++] = ind->dims[d];
  for (int d = axis + 1; d < x->ndim; d++)
    {
      dims[nd++] = x->dims[d];
      inner *= (gsize) x->dims[d];
    }
  /* An empty result must not loop over the other (possibly huge, then
   * wrapped) extents. */
  if ((out = svd_onnx_fold_new (fold, x->elem, nd, dims, error)) == NULL || out->n == 0)
    return out;
  for (gsize a = 0; a < outer; a++)
    for (gsize i = 0; i < ind->n; i++)
      {
        gint64 j = svd_onnx_to_i64 (ind->v[i]);

        /* j ≥ G_MININT64 and dims ≥ 0: no overflow. */
        if (j < 0)
          j += x->dims[axis];
        if (j < 0 || j >= x->dims[axis])
          return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Gather index out of range");
        for (gsize b = 0; b < inner; b++)
          out->v[k++] = x->v[(a * (gsize) x->dims[axis] + (gsize) j) * inner + b];
      }
  return out;
}

SvdOnnxTens *
svd_onnx_fold_concat (SvdOnnxFold           *fold,
                      const Onnx__NodeProto *n,
                      SvdOnnxTens *const    *parts,
                      gsize                  n_parts,
                      GError               **error)
{
  int axis;
  gint64 dims[MAX_DIMS];
  gsize outer = 1, k = 0;
  SvdOnnxTens *out;

  if (n_parts == 0)
    return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Concat without inputs");
  if (!svd_onnx_norm_axis (svd_onnx_attr_int (n, "axis", 0), parts[0]->ndim, &axis))
    return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "invalid Concat axis");
  memcpy (dims, parts[0]->dims, sizeof dims);
  dims[axis] = 0;
  for (gsize i = 0; i < n_parts; i++)
    {
      if (parts[i]->ndim != parts[0]->ndim)
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Concat inputs differ in rank");
      for (int d = 0; d < parts[0]->ndim; d++)
        if (d != axis && parts[i]->dims[d] != parts[0]->dims[d])
          return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Concat inputs differ in shape");
      /* Each part passed the folder's limits: no overflow. */
      dims[axis] += parts[i]->dims[axis];
    }
  if ((out = svd_onnx_fold_new (fold, parts[0]->elem, parts[0]->ndim, dims, error)) == NULL || out->n == 0)
    return out;
  for (int d = 0; d < axis; d++)
    outer *= (gsize) dims[d];
  for (gsize a = 0; a < outer; a++)
    for (gsize i = 0; i < n_parts; i++)
      {
        gsize chunk = parts[i]->n / MAX (outer, 1);

        memcpy (out->v + k, parts[i]->v + a * chunk, sizeof (double) * chunk);
        k += chunk;
      }
  return out;
}

static double
binop (const char *op,
       int         elem,
       double      a,
       double      b)
{
  if (strcmp (op, "Add") == 0) return a + b;
  if (strcmp (op, "Sub") == 0) return a - b;
  if (strcmp (op, "Mul") == 0) return a * b;
  if (strcmp (op, "Div") == 0)
    {
      if (svd_onnx_is_float_elem (elem))
        return a / b;
      return b != 0 ? trunc (a / b) : 0;
    }
  if (strcmp (op, "Mod") == 0)
    {
      double r;

      if (b == 0)
        return 0;
      /* Integer Mod (fmod = 0) takes the divisor's sign, like Python. */
      r = fmod (a, b);
      if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
      return r;
    }
  if (strcmp (op, "Min") == 0) return MIN (a, b);
  if (strcmp (op, "Max") == 0) return MAX (a, b);
  if (strcmp (op, "Pow") == 0) return pow (a, b);
  if (strcmp (op, "Equal") == 0) return a == b;
  if (strcmp (op, "Less") == 0) return a < b;
  if (strcmp (op, "Greater") == 0) return a > b;
  return NAN;
}

gboolean
svd_onnx_fold_is_binary (const char *op)
{
  static const char *ops[] = { "Add", "Sub", "Mul", "Div", "Mod", "Min", "Max", "Pow", "Equal", "Less",
                               "Greater" };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (strcmp (op, ops[i]) == 0)
      return TRUE;
  return FALSE;
}

/* An element-wise binary op with numpy broadcasting (right-aligned). */
SvdOnnxTens *
svd_onnx_fold_binary (SvdOnnxFold           *fold,
                      const Onnx__NodeProto *n,
                      const SvdOnnxTens     *x,
                      const SvdOnnxTens     *y,
                      GError               **error)
{
  gint64 dims[MAX_DIMS];
  gsize xs[MAX_DIMS], ys[MAX_DIMS], idx[MAX_DIMS] = { 0 };
  int nd = MAX (x->ndim, y->ndim);
  SvdOnnxTens *out;
  int elem = x->elem;

  for (int d = 0; d < nd; d++)
    {
      int dx = d - (nd - x->ndim), dy = d - (nd - y->ndim);
      gint64 a = dx >= 0 ? x->dims[dx] : 1, b = dy >= 0 ? y->dims[dy] : 1;

      if (a != b && a != 1 && b != 1)
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "operands do not broadcast");
      dims[d] = a == 1 ? b : a;  /* 1 broadcasts to 0 too */
    }
  {
    gsize sx = 1, sy = 1;

    for (int d = nd - 1; d >= 0; d--)
      {
        int dx = d - (nd - x->ndim), dy = d - (nd - y->ndim);

        xs[d] = dx >= 0 && x->dims[dx] != 1 ? sx : 0;
        ys[d] = dy >= 0 && y->dims[dy] != 1 ? sy : 0;
        if (dx >= 0)
          sx *= (gsize) x->dims[dx];
        if (dy >= 0)
          sy *= (gsize) y->dims[dy];
      }
  }
  if (strcmp (n->op_type, "Equal") == 0 || strcmp (n->op_type, "Less") == 0 ||
      strcmp (n->op_type, "Greater") == 0)
    elem = ET_BOOL;
  if ((out = svd_onnx_fold_new (fold, elem, nd, dims, error)) == NULL)
    return NULL;
  for (gsize k = 0; k < out->n; k++)
    {
      gsize ix = 0, iy = 0;

      for (int d = 0; d < nd; d++)
        {
          ix += idx[d] * xs[d];
          iy += idx[d] * ys[d];
        }
      out->v[k] = binop (n->op_type, x->elem, x->v[ix], y->v[iy]);
      for (int d = nd - 1; d >= 0; d--)
        {
          if (++idx[d] < (gsize) dims[d])
            break;
          idx[d] = 0;
        }
    }
  return out;
}

/* The axes of Unsqueeze/Squeeze: the attribute before opset 13, else @t
 * (input 1, NULL when absent). */
gboolean
svd_onnx_axes_from (const Onnx__NodeProto *n,
                    const SvdOnnxTens     *t,
                    gint64                *axes,
                    int                   *count,
                    GError               **error)
{
  gsize na;
  const int64_t *ints;

  *count = 0;
  if (svd_onnx_attr_ints (n, "axes", &na, &ints))
    {
      if (na > MAX_DIMS)
        return svd_onnx_node_error (n, SVD_ERROR_UNSUPPORTED, error, "too many axes"), FALSE;
      for (gsize i = 0; i < na; i++)
        axes[i] = ints[i];
      *count = (int) na;
    }
  else if (t != NULL)
    {
      if (t->n > MAX_DIMS)
        return svd_onnx_node_error (n, SVD_ERROR_UNSUPPORTED, error, "too many axes"), FALSE;
      for (gsize i = 0; i < t->n; i++)
        axes[i] = svd_onnx_to_i64 (t->v[i]);
      *count = (int) t->n;
    }
  return TRUE;
}

/* The dims after Unsqueeze (n's op starts with U) or Squeeze. */
gboolean
svd_onnx_squeeze_dims (const Onnx__NodeProto *n,
                       int                    ndim,
                       const gint64          *dims,
                       const gint64          *axes,
                       int                    na,
                       int                   *out_ndim,
                       gint64                *out,
                       GError               **error)
{
  gboolean mark[MAX_DIMS] = { 0 };
  int nd = 0;

  if (n->op_type[0] == 'U')
    {
      int rank = ndim + na, k = 0;

      if (na == 0 || rank > MAX_DIMS)
        return svd_onnx_node_error (n, SVD_ERROR_UNSUPPORTED, error, "Unsqueeze needs 1 to 8 output dimensions"),
               FALSE;
      for (int i = 0; i < na; i++)
        {
          int a;

          if (!svd_onnx_norm_axis (axes[i], rank, &a) || mark[a])
            return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "invalid Unsqueeze axes"), FALSE;
          mark[a] = TRUE;
        }
      for (int d = 0; d < rank; d++)
        out[d] = mark[d] ? 1 : dims[k++];
      *out_ndim = rank;
      return TRUE;
    }
  for (int i = 0; i < na; i++)
    {
      int a;

      if (!svd_onnx_norm_axis (axes[i], ndim, &a) || dims[a] != 1)
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "invalid Squeeze axes"), FALSE;
      mark[a] = TRUE;
    }
  for (int d = 0; d < ndim; d++)
    if (!(na == 0 ? dims[d] == 1 : mark[d]))
      out[nd++] = dims[d];
  *out_ndim = nd;
  return TRUE;
}

/* The dims after Reshape to @shape of something with @ndim dims @dims and
 * @count elements (0 copies, -1 infers; allowzero). */
gboolean
svd_onnx_reshape_dims (const Onnx__NodeProto *n,
                       int                    ndim,
                       const gint64          *dims,
                       gsize                  count,
                       const SvdOnnxTens     *shape,
                       int                   *out_ndim,
                       gint64                *out,
                       GError               **error)
{
  int infer = -1;
  gsize known = 1;
  gboolean allowzero = svd_onnx_attr_int (n, "allowzero", 0) != 0;

  if (shape->n > MAX_DIMS)
    return svd_onnx_node_error (n, SVD_ERROR_UNSUPPORTED, error, "Reshape to more than 8 dimensions"), FALSE;
  for (gsize i = 0; i < shape->n; i++)
    {
      gint64 d = svd_onnx_to_i64 (shape->v[i]);

      if (d == 0 && !allowzero)
        {
          if ((int) i >= ndim)
            return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error,
                                        "Reshape copies a dimension the input lacks"), FALSE;
          d = dims[i];
        }
      if (d == -1)
        {
          if (infer >= 0)
            return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Reshape with two -1 dimensions"), FALSE;
          infer = (int) i;
          d = 1;
        }
      else if (d < 0 || (d > 0 && known > G_MAXSIZE / (gsize) d))
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Reshape with an invalid dimension"), FALSE;
      out[i] = d;
      known *= (gsize) d;
    }
  if (infer >= 0)
    {
      if (known == 0 || count % known != 0)
        return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Reshape cannot infer its -1 dimension"),
               FALSE;
      out[infer] = (gint64) (count / known);
      known = count;
    }
  if (known != count)
    return svd_onnx_node_error (n, SVD_ERROR_MODEL_INVALID, error, "Reshape changes the number of elements"), FALSE;
  *out_ndim = (int) shape->n;
  return TRUE;
}
