/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx"

/* What both ONNX readers need alike (see svd-onnx-util.h). */

#include "svd-onnx-util.h"
#include "svd-model-private.h"
#include "core/svd-limits.h"

const char *
svd_onnx_node_label (const Onnx__NodeProto *n)
{
  return n->name != NULL && n->name[0] ? n->name : (n->n_output > 0 ? n->output[0] : "?");
}

gboolean
svd_onnx_is_float_elem (int elem)
{
  return elem == ET_FLOAT || elem == ET_FLOAT16 || elem == ET_BFLOAT16 || elem == ET_DOUBLE;
}

gboolean
svd_onnx_norm_axis (gint64  axis,
                    int     rank,
                    int    *out)
{
  if (axis < -rank || axis >= rank)
    return FALSE;
  *out = (int) (axis < 0 ? axis + rank : axis);
  return TRUE;
}

/* ---- The constant folder's limits ------------------------------------------ */

static gsize fold_max_elements = SVD_LIMIT_ONNX_FOLD_ELEMENTS;
static gsize fold_max_bytes = SVD_LIMIT_ONNX_FOLD_BYTES;

gsize
svd_onnx_fold_max_elements (void)
{
  return fold_max_elements;
}

gsize
svd_onnx_fold_max_bytes (void)
{
  return fold_max_bytes;
}

/**
 * svd_onnx_fold_lower_limits_for_fuzzing:
 * @max_elements: elements in one folded tensor
 * @max_bytes: bytes of folded values held at once
 *
 * For fuzz-onnx only (called once, before any parsing): lowers the
 * constant folder's limits for the rest of the process, so that an input
 * at the limit (a folding bomb) costs a millisecond instead of seconds of
 * element-wise work under ASan. Either limit only ever goes down: a value
 * above the current one, or above %SVD_LIMIT_ONNX_FOLD_ELEMENTS and
 * %SVD_LIMIT_ONNX_FOLD_BYTES, is ignored, so no caller can weaken them.
 * Nothing but the fuzz target calls this; the real limits are tested in
 * tests/model.
 */
void
svd_onnx_fold_lower_limits_for_fuzzing (gsize max_elements,
                                        gsize max_bytes)
{
  fold_max_elements = MIN (fold_max_elements, MAX (max_elements, 1));
  fold_max_bytes = MIN (fold_max_bytes, MAX (max_bytes, sizeof (double)));
}

/* ---- Attributes ----------------------------------------------------------- */

Onnx__AttributeProto *
svd_onnx_attr (const Onnx__NodeProto *n,
               const char            *name)
{
  for (gsize i = 0; i < n->n_attribute; i++)
    if (n->attribute[i]->name != NULL && strcmp (n->attribute[i]->name, name) == 0)
      return n->attribute[i];
  return NULL;
}

gint64
svd_onnx_attr_int (const Onnx__NodeProto *n,
                   const char            *name,
                   gint64                 dflt)
{
  Onnx__AttributeProto *a = svd_onnx_attr (n, name);

  return a != NULL && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT ? a->i : dflt;
}

float
svd_onnx_attr_float (const Onnx__NodeProto *n,
                     const char            *name,
                     float                  dflt)
{
  Onnx__AttributeProto *a = svd_onnx_attr (n, name);

  return a != NULL && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT ? a->f : dflt;
}

/* Returns a NUL-terminated copy (attribute strings are bytes). */
char *
svd_onnx_attr_string (const Onnx__NodeProto *n,
                      const char            *name,
                      const char            *dflt)
{
  Onnx__AttributeProto *a = svd_onnx_attr (n, name);

  if (a == NULL || a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
    return g_strdup (dflt);
  if (a->s.data == NULL)
    return g_strdup ("");
  return g_strndup ((const char *) a->s.data, a->s.len);
}

gboolean
svd_onnx_attr_ints (const Onnx__NodeProto  *n,
                    const char             *name,
                    gsize                  *count,
                    const int64_t         **ints)
{
  Onnx__AttributeProto *a = svd_onnx_attr (n, name);

  if (a == NULL || a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
    return FALSE;
  *count = a->n_ints;
  *ints = a->ints;
  return TRUE;
}

/* ---- TensorProto data ------------------------------------------------------ */

/* Bytes per element in raw_data, or 0 for a type neither reader supports. */
gsize
svd_onnx_elem_size (int data_type)
{
  switch (data_type)
    {
    case ET_FLOAT: case ET_INT32: return 4;
    case ET_INT64: case ET_DOUBLE: return 8;
    case ET_FLOAT16: case ET_BFLOAT16: return 2;
    case ET_BOOL: case ET_UINT8: case ET_INT8: return 1;
    default: return 0;
    }
}

/* Whether @tp's @n values are in raw_data (else in the typed fields). */
gboolean
svd_onnx_tensor_is_raw (const Onnx__TensorProto *tp,
                        gsize                    n)
{
  return tp->raw_data.len > 0 || (tp->n_float_data == 0 && tp->n_int32_data == 0 &&
                                  tp->n_int64_data == 0 && tp->n_double_data == 0 && n > 0);
}

/* How many values the typed field for @tp's type holds: float_data for
 * float; int32_data for int32, bool and — as the spec says — the 16 bits of
 * each float16/bfloat16. */
gsize
svd_onnx_tensor_n_typed (const Onnx__TensorProto *tp)
{
  return tp->data_type == ET_FLOAT ? tp->n_float_data :
         tp->data_type == ET_INT64 ? tp->n_int64_data :
         tp->data_type == ET_DOUBLE ? tp->n_double_data : tp->n_int32_data;
}

/* Converts @n values of @tp to doubles. The caller has checked the type
 * (svd_onnx_elem_size), and that raw_data holds exactly n × that many bytes
 * or the typed field exactly @n values (svd_onnx_tensor_is_raw says which). */
void
svd_onnx_tensor_values (const Onnx__TensorProto *tp,
                        gsize                    n,
                        double                  *v)
{
  if (svd_onnx_tensor_is_raw (tp, n))
    {
      const guint8 *p = tp->raw_data.data;

      for (gsize i = 0; i < n; i++)
        switch (tp->data_type)
          {
          case ET_FLOAT:
            {
              float f;
              guint32 b = svd_read_u32le (p + 4 * i);

              memcpy (&f, &b, 4);
              v[i] = f;
            }
            break;
          case ET_FLOAT16: v[i] = svd_half_to_float (svd_read_u16le (p + 2 * i)); break;
          case ET_BFLOAT16: v[i] = svd_bf16_to_float (svd_read_u16le (p + 2 * i)); break;
          case ET_INT32: v[i] = (gint32) svd_read_u32le (p + 4 * i); break;
          case ET_INT64:
          case ET_DOUBLE:
            {
              guint64 b = svd_read_u32le (p + 8 * i) | ((guint64) svd_read_u32le (p + 8 * i + 4) << 32);

              if (tp->data_type == ET_INT64)
                v[i] = (double) (gint64) b;
              else
                memcpy (&v[i], &b, 8);
            }
            break;
          case ET_INT8: v[i] = (gint8) p[i]; break;
          default: v[i] = p[i]; break;
          }
      return;
    }
  for (gsize i = 0; i < n; i++)
    switch (tp->data_type)
      {
      case ET_FLOAT: v[i] = tp->float_data[i]; break;
      case ET_INT64: v[i] = (double) tp->int64_data[i]; break;
      case ET_DOUBLE: v[i] = tp->double_data[i]; break;
      case ET_FLOAT16: v[i] = svd_half_to_float ((guint16) tp->int32_data[i]); break;
      case ET_BFLOAT16: v[i] = svd_bf16_to_float ((guint16) tp->int32_data[i]); break;
      default: v[i] = tp->int32_data[i]; break;
      }
}
