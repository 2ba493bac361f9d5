/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internals shared by the model importers: a bounds-checked byte cursor and
 * half/bfloat16 conversions. Every parser reads through an SvdCursor so that
 * no read can pass the end of the buffer, whatever a file claims. */
#pragma once

#include <glib.h>
#include <string.h>

#include "core/svd-limits.h"
#include "model/svd-state-dict.h"

G_BEGIN_DECLS

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} SvdCursor;

static inline void
svd_cursor_init (SvdCursor    *c,
                 const guint8 *data,
                 gsize         len)
{
  c->data = data;
  c->len = len;
  c->pos = 0;
}

static inline gsize
svd_cursor_remaining (const SvdCursor *c)
{
  return c->len - c->pos;
}

/* Returns a pointer to the next @n bytes and advances, or NULL (cursor
 * unchanged) when fewer than @n remain. */
static inline const guint8 *
svd_cursor_take (SvdCursor *c,
                 gsize      n)
{
  const guint8 *p;

  if (n > c->len - c->pos)
    return NULL;
  p = c->data + c->pos;
  c->pos += n;
  return p;
}

static inline gboolean
svd_cursor_u8 (SvdCursor *c,
               guint8    *out)
{
  const guint8 *p = svd_cursor_take (c, 1);

  if (p == NULL)
    return FALSE;
  *out = p[0];
  return TRUE;
}

static inline gboolean
svd_cursor_u16le (SvdCursor *c,
                  guint16   *out)
{
  const guint8 *p = svd_cursor_take (c, 2);

  if (p == NULL)
    return FALSE;
  *out = (guint16) (p[0] | (p[1] << 8));
  return TRUE;
}

static inline gboolean
svd_cursor_u32le (SvdCursor *c,
                  guint32   *out)
{
  const guint8 *p = svd_cursor_take (c, 4);

  if (p == NULL)
    return FALSE;
  *out = (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
  return TRUE;
}

static inline gboolean
svd_cursor_u64le (SvdCursor *c,
                  guint64   *out)
{
  guint32 lo, hi;
  gsize save = c->pos;

  if (!svd_cursor_u32le (c, &lo) || !svd_cursor_u32le (c, &hi))
    {
      c->pos = save;
      return FALSE;
    }
  *out = ((guint64) hi << 32) | lo;
  return TRUE;
}

static inline guint32
svd_read_u32le (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static inline guint16
svd_read_u16le (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

float    svd_half_to_float      (guint16 h);
guint16  svd_float_to_half      (float   f);
float    svd_bf16_to_float      (guint16 b);
guint16  svd_float_to_bf16      (float   f);

/* Converts @n little-endian elements of @dtype at @src to fp32 at @dst. */
void     svd_convert_to_f32     (SvdStoragePrecision  dtype,
                                 const guint8        *src,
                                 gsize                n,
                                 float               *dst);
gsize    svd_dtype_size         (SvdStoragePrecision  dtype);

/* Makes a tensor, checking the element count against @n_bytes of @dtype;
 * @data is copied and converted. */
SvdTensor *svd_tensor_new_from_le (const char          *name,
                                   SvdStoragePrecision  dtype,
                                   int                  ndim,
                                   const gint64        *shape,
                                   const guint8        *data,
                                   gsize                n_bytes,
                                   GError             **error);
void       svd_tensor_free        (SvdTensor *tensor);

/* Builds a state dict; takes ownership of the tensors. */
SvdStateDict *svd_state_dict_new       (SvdModelFormat     format,
                                        SvdStateDictFlags  flags);
gboolean      svd_state_dict_insert    (SvdStateDict   *self,
                                        SvdTensor      *tensor,
                                        GError        **error);
void          svd_state_dict_set_meta  (SvdStateDict   *self,
                                        const char     *key,
                                        const char     *value);

/* Parsers behind svd_state_dict_load_from_bytes(). Each returns a raw
 * dict of every tensor it found, unwrapped and stripped as @flags say. */
SvdStateDict *svd_safetensors_parse    (const guint8   *data,
                                        gsize           len,
                                        SvdStateDictFlags flags,
                                        GError        **error);
SvdStateDict *svd_pth_parse_zip        (const guint8   *data,
                                        gsize           len,
                                        SvdStateDictFlags flags,
                                        GError        **error);
SvdStateDict *svd_pth_parse_legacy     (const guint8   *data,
                                        gsize           len,
                                        SvdStateDictFlags flags,
                                        GError        **error);

/* Model building from a state dict (svd-model-import.c) and ONNX (svd-onnx.c). */
SvdModel     *svd_onnx_parse           (const guint8   *data,
                                        gsize           len,
                                        GError        **error);
/* The checks svd_onnx_parse() makes before protobuf-c decodes anything
 * (file size, nesting depth, message count): every other caller of
 * onnx__model_proto__unpack() must pass them first. */
/* The [1, 3, h, w] tensor with named dynamic height and width that every
 * graph we write (fused export, a fused chain's stages) takes and gives;
 * every allocation, the strings included, goes into @allocs. */
struct Onnx__ValueInfoProto;
struct Onnx__ValueInfoProto *svd_onnx_value_info_new (GPtrArray  *allocs,
                                                      const char *name,
                                                      const char *height,
                                                      const char *width,
                                                      gboolean    fp16);
gboolean      svd_onnx_check_wire      (const guint8   *data,
                                        gsize           len,
                                        GError        **error);

/* protobuf-c's decode under the same checks and memory cap as
 * svd_onnx_parse(), for the general graph importer. */
typedef struct _SvdOnnxUnpacked SvdOnnxUnpacked;
struct Onnx__ModelProto;
SvdOnnxUnpacked *svd_onnx_unpack       (const guint8   *data,
                                        gsize           len,
                                        GError        **error);
struct Onnx__ModelProto *svd_onnx_unpacked_get_proto (SvdOnnxUnpacked *self);
void          svd_onnx_unpacked_free   (SvdOnnxUnpacked *self);

/* The general graph importer (svd-onnx-graph.c): a model whose graph is
 * run through the graph IR (SvdModel.graph). */
SvdModel     *svd_onnx_graph_load_model (const guint8  *data,
                                         gsize          len,
                                         GError       **error);

G_END_DECLS
