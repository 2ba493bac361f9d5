/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx-export"

#include "svd-config.h"

#include "svd-onnx-export.h"
#include "core/svd-error.h"
#include "model/svd-model-private.h"
#include "onnx.pb-c.h"

#include <string.h>

/*
 * Writes SRVGGNetCompact graphs the way PyTorch exports them: Conv (3x3,
 * pads 1) → PRelu (slopes shaped [C,1,1]) … → Conv → DepthToSpace (CRD, i.e.
 * PixelShuffle's channel order, so the last conv's weights go out as held)
 * → Add with a nearest Resize (asymmetric, floor) of the input → optional
 * Clip. Input "input" [1,3,height,width] with dynamic H/W. A fused chain is
 * the stages' graphs in sequence, names prefixed "sN_", built-in resizes as
 * Resize nodes between them.
 *
 * Every message is allocated into one list and freed together; the
 * protobuf-c structs only point into it.
 */

typedef struct {
  GPtrArray *allocs;
  GPtrArray *nodes;
  GPtrArray *inits;
  gboolean   fp16;   /* fp16 weights, activations, input and output */
} Build;

static void *
b_alloc (Build *b,
         gsize  size)
{
  void *p = g_malloc0 (size);

  g_ptr_array_add (b->allocs, p);
  return p;
}

static char *
b_str (Build      *b,
       const char *s)
{
  char *p = g_strdup (s);

  g_ptr_array_add (b->allocs, p);
  return p;
}

static char *
b_printf (Build      *b,
          const char *fmt,
          ...) G_GNUC_PRINTF (2, 3);

static char *
b_printf (Build      *b,
          const char *fmt,
          ...)
{
  va_list ap;
  char *p;

  va_start (ap, fmt);
  p = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (b->allocs, p);
  return p;
}

static void
b_tensor (Build       *b,
          const char  *name,
          int          data_type,
          const gint64 *dims,
          int          n_dims,
          const void  *data,
          gsize        bytes)
{
  Onnx__TensorProto *t = b_alloc (b, sizeof *t);

  onnx__tensor_proto__init (t);
  t->name = b_str (b, name);
  t->n_dims = n_dims;
  t->dims = b_alloc (b, sizeof (gint64) * MAX (n_dims, 1));
  memcpy (t->dims, dims, sizeof (gint64) * n_dims);
  t->has_data_type = TRUE;
  t->data_type = data_type;
  t->has_raw_data = TRUE;
  t->raw_data.len = bytes;
  /* raw_data is little-endian; so is every host this builds for. */
  t->raw_data.data = b_alloc (b, MAX (bytes, 1));
  memcpy (t->raw_data.data, data, bytes);
  g_ptr_array_add (b->inits, t);
}

/* A float initializer in the graph's precision: fp32 as held, or IEEE half
 * (round to nearest even) when the graph is fp16. */
static void
b_floats (Build        *b,
          const char   *name,
          const gint64 *dims,
          int           n_dims,
          const float  *v,
          gsize         n)
{
  if (!b->fp16)
    {
      b_tensor (b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, dims, n_dims, v, sizeof (float) * n);
      return;
    }
  {
    g_autofree guint8 *h = g_malloc (2 * MAX (n, 1));

    for (gsize i = 0; i < n; i++)
      {
        guint16 x = svd_float_to_half (v[i]);

        h[2 * i] = x & 0xff;
        h[2 * i + 1] = x >> 8;
      }
    b_tensor (b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, dims, n_dims, h, 2 * n);
  }
}

static Onnx__AttributeProto *
b_attr_int (Build      *b,
            const char *name,
            gint64      v)
{
  Onnx__AttributeProto *a = b_alloc (b, sizeof *a);

  onnx__attribute_proto__init (a);
  a->name = b_str (b, name);
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  a->has_i = TRUE;
  a->i = v;
  return a;
}

static Onnx__AttributeProto *
b_attr_ints (Build        *b,
             const char   *name,
             const gint64 *v,
             int           n)
{
  Onnx__AttributeProto *a = b_alloc (b, sizeof *a);

  onnx__attribute_proto__init (a);
  a->name = b_str (b, name);
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  a->n_ints = n;
  a->ints = b_alloc (b, sizeof (gint64) * n);
  memcpy (a->ints, v, sizeof (gint64) * n);
  return a;
}

static Onnx__AttributeProto *
b_attr_string (Build      *b,
               const char *name,
               const char *v)
{
  Onnx__AttributeProto *a = b_alloc (b, sizeof *a);

  onnx__attribute_proto__init (a);
  a->name = b_str (b, name);
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
  a->has_s = TRUE;
  a->s.data = (guint8 *) b_str (b, v);
  a->s.len = strlen (v);
  return a;
}

static Onnx__AttributeProto *
b_attr_float (Build      *b,
              const char *name,
              float       v)
{
  Onnx__AttributeProto *a = b_alloc (b, sizeof *a);

  onnx__attribute_proto__init (a);
  a->name = b_str (b, name);
  a->has_type = TRUE;
  a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
  a->has_f = TRUE;
  a->f = v;
  return a;
}

/* inputs: NULL-terminated; attrs: NULL-terminated. */
static void
b_node (Build                 *b,
        const char            *op,
        const char            *name,
        const char *const     *inputs,
        const char            *output,
        Onnx__AttributeProto **attrs)
{
  Onnx__NodeProto *n = b_alloc (b, sizeof *n);
  gsize ni = 0, na = 0;

  onnx__node_proto__init (n);
  n->op_type = b_str (b, op);
  n->name = b_str (b, name);
  while (inputs[ni] != NULL)
    ni++;
  n->n_input = ni;
  n->input = b_alloc (b, sizeof (char *) * ni);
  for (gsize i = 0; i < ni; i++)
    n->input[i] = b_str (b, inputs[i]);
  n->n_output = 1;
  n->output = b_alloc (b, sizeof (char *));
  n->output[0] = b_str (b, output);
  while (attrs != NULL && attrs[na] != NULL)
    na++;
  n->n_attribute = na;
  n->attribute = b_alloc (b, sizeof (void *) * MAX (na, 1));
  for (gsize i = 0; i < na; i++)
    n->attribute[i] = attrs[i];
  g_ptr_array_add (b->nodes, n);
}

static void
b_resize (Build      *b,
          const char *prefix,
          const char *input,
          const char *output,
          const char *mode,
          float       scale)
{
  const float scales[4] = { 1, 1, scale, scale };
  const gint64 dim = 4;
  char *scales_name = b_printf (b, "%sresize_scales", prefix);
  const char *in[] = { input, "", scales_name, NULL };
  gboolean nearest = strcmp (mode, "nearest") == 0;
  Onnx__AttributeProto *attrs[5] = {
    b_attr_string (b, "mode", mode),
    /* Nearest: PyTorch's Upsample (asymmetric, floor) — what the importer
     * and the engine's residual do. Linear/cubic: half-pixel centres, as
     * PyTorch's interpolate(align_corners=False). */
    b_attr_string (b, "coordinate_transformation_mode", nearest ? "asymmetric" : "half_pixel"),
    nearest ? b_attr_string (b, "nearest_mode", "floor") : b_attr_float (b, "cubic_coeff_a", -0.75f),
    NULL,
  };

  b_tensor (b, scales_name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, &dim, 1, scales, sizeof scales);
  b_node (b, "Resize", b_printf (b, "%sResize", prefix), in, output, attrs);
}

/* Emits one model; returns the name of its output. */
static const char *
b_model (Build          *b,
         const SvdModel *m,
         const char     *prefix,
         const char     *input,
         const char     *output)
{
  const char *x = input;
  const gint64 pads[4] = { 1, 1, 1, 1 }, kernel[2] = { 3, 3 };
  char *conv_out = NULL;

  for (int l = 0; l < m->n_layers; l++)
    {
      const SvdConvLayer *L = &m->layers[l];
      gint64 wdims[4] = { L->out_ch, L->in_ch, 3, 3 }, bdim = L->out_ch, sdims[3] = { L->out_ch, 1, 1 };
      char *w = b_printf (b, "%sbody.%d.weight", prefix, l);
      char *bias = b_printf (b, "%sbody.%d.bias", prefix, l);
      const char *in[] = { x, w, bias, NULL };
      Onnx__AttributeProto *attrs[] = {
        b_attr_ints (b, "kernel_shape", kernel, 2),
        b_attr_ints (b, "pads", pads, 4),
        NULL,
      };

      b_floats (b, w, wdims, 4, L->weight, (gsize) L->out_ch * L->in_ch * 9);
      b_floats (b, bias, &bdim, 1, L->bias, L->out_ch);
      conv_out = b_printf (b, "%sconv%d", prefix, l);
      b_node (b, "Conv", b_printf (b, "%sConv_%d", prefix, l), in, conv_out, attrs);
      x = conv_out;
      if (L->slope != NULL)
        {
          char *s = b_printf (b, "%sbody.%d.prelu", prefix, l);
          const char *pin[] = { x, s, NULL };
          char *act = b_printf (b, "%sact%d", prefix, l);

          b_floats (b, s, sdims, 3, L->slope, L->out_ch);
          b_node (b, "PRelu", b_printf (b, "%sPRelu_%d", prefix, l), pin, act, NULL);
          x = act;
        }
    }

  {
    const char *up = input;
    char *sum = m->clamp_output ? b_printf (b, "%sadd", prefix) : (char *) output;
    const char *ain[3] = { NULL, NULL, NULL };

    if (m->scale > 1)
      {
        char *shuf = b_printf (b, "%sshuffle", prefix);
        const char *din[] = { x, NULL };
        Onnx__AttributeProto *attrs[] = {
          b_attr_int (b, "blocksize", m->scale),
          b_attr_string (b, "mode", "CRD"),
          NULL,
        };

        b_node (b, "DepthToSpace", b_printf (b, "%sDepthToSpace", prefix), din, shuf, attrs);
        x = shuf;
        up = b_printf (b, "%sbase", prefix);
        b_resize (b, prefix, input, up, "nearest", (float) m->scale);
      }
    ain[0] = x;
    ain[1] = up;
    b_node (b, "Add", b_printf (b, "%sAdd", prefix), ain, sum, NULL);
    if (m->clamp_output)
      {
        char *lo = b_printf (b, "%sclip_min", prefix), *hi = b_printf (b, "%sclip_max", prefix);
        const char *cin[] = { sum, lo, hi, NULL };

        b_floats (b, lo, NULL, 0, &m->clamp_min, 1);
        b_floats (b, hi, NULL, 0, &m->clamp_max, 1);
        b_node (b, "Clip", b_printf (b, "%sClip", prefix), cin, output, NULL);
      }
  }
  return output;
}

static Onnx__ValueInfoProto *
b_value_info (Build      *b,
              const char *name,
              const char *h,
              const char *w)
{
  return svd_onnx_value_info_new (b->allocs, name, h, w, b->fp16);
}

static GBytes *
b_finish (Build      *b,
          const char *graph_name,
          const char *input,
          const char *output,
          Onnx__StringStringEntryProto **meta,
          gsize       n_meta)
{
  Onnx__ModelProto model;
  Onnx__GraphProto graph;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1] = { &opset };
  Onnx__ValueInfoProto *in[1], *out[1];
  gsize len;
  guint8 *buf;

  onnx__model_proto__init (&model);
  onnx__graph_proto__init (&graph);
  onnx__operator_set_id_proto__init (&opset);
  opset.domain = (char *) "";
  opset.has_version = TRUE;
  opset.version = SVD_ONNX_EXPORT_OPSET;
  model.has_ir_version = TRUE;
  model.ir_version = 7;
  model.producer_name = (char *) "SVD Studio";
  model.producer_version = (char *) SVD_VERSION;
  model.n_opset_import = 1;
  model.opset_import = opsets;
  model.graph = &graph;
  model.n_metadata_props = n_meta;
  model.metadata_props = meta;
  graph.name = (char *) graph_name;
  graph.n_node = b->nodes->len;
  graph.node = (Onnx__NodeProto **) b->nodes->pdata;
  graph.n_initializer = b->inits->len;
  graph.initializer = (Onnx__TensorProto **) b->inits->pdata;
  in[0] = b_value_info (b, input, "height", "width");
  out[0] = b_value_info (b, output, "out_height", "out_width");
  graph.n_input = 1;
  graph.input = in;
  graph.n_output = 1;
  graph.output = out;

  len = onnx__model_proto__get_packed_size (&model);
  buf = g_malloc (len);
  onnx__model_proto__pack (&model, buf);
  return g_bytes_new_take (buf, len);
}

static void
b_init (Build *b)
{
  b->fp16 = FALSE;
  b->allocs = g_ptr_array_new_with_free_func (g_free);
  b->nodes = g_ptr_array_new ();
  b->inits = g_ptr_array_new ();
}

static void
b_clear (Build *b)
{
  g_ptr_array_unref (b->nodes);
  g_ptr_array_unref (b->inits);
  g_ptr_array_unref (b->allocs);
}

/**
 * svd_onnx_export_model_precision:
 * @model: a model
 * @fp16: write an fp16 graph: fp16 input, output, weights and arithmetic,
 *   what TensorRT builds with `--stronglyTyped` (AnimeJaNai's engine
 *   flags); %FALSE writes fp32
 * @error: return location for an error
 *
 * Returns: (transfer full): a standalone ONNX file (opset 13, dynamic
 *   height and width) of the model
 */
GBytes *
svd_onnx_export_model_precision (const SvdModel  *model,
                                 gboolean         fp16,
                                 GError         **error)
{
  Build b;
  GBytes *bytes;

  if (model->graph != NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Model “%s” is a %s: the ONNX export writes SRVGGNetCompact models only (use the model's own "
                   "file)", model->name, svd_model_get_tier_name (model));
      return NULL;
    }
  if (!svd_model_validate (model, error))
    return NULL;
  b_init (&b);
  b.fp16 = fp16;
  b_model (&b, model, "", "input", "output");
  bytes = b_finish (&b, model->name != NULL ? model->name : "model", "input", "output", NULL, 0);
  b_clear (&b);
  return bytes;
}

/**
 * svd_onnx_export_model:
 * @model: a model
 * @error: return location for an error
 *
 * Returns: (transfer full): a standalone fp32 ONNX file (opset 13, dynamic
 *   height and width) of the model
 */
GBytes *
svd_onnx_export_model (const SvdModel  *model,
                       GError         **error)
{
  return svd_onnx_export_model_precision (model, FALSE, error);
}

/**
 * svd_onnx_export_chain:
 * @chain: a chain whose model steps have their models
 * @error: return location for an error
 *
 * Returns: (transfer full): one fp32 ONNX graph running the whole chain;
 *   the step names are kept in the metadata (`svd.step.N`)
 */
GBytes *
svd_onnx_export_chain (const SvdChain  *chain,
                       GError         **error)
{
  g_autoptr(GPtrArray) meta = g_ptr_array_new ();
  const char *x = "input";
  Build b;
  GBytes *bytes;

  b_init (&b);
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (chain->steps, i);
      char *prefix = b_printf (&b, "s%u_", i + 1);
      const char *out = i + 1 == chain->steps->len ? "output" : b_printf (&b, "s%u_out", i + 1);
      Onnx__StringStringEntryProto *e = b_alloc (&b, sizeof *e);

      if (s->type == SVD_CHAIN_STEP_MODEL && s->model != NULL && s->model->graph != NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Step %u (%s) is a %s: the fused chain ONNX covers SRVGGNetCompact steps only; export "
                       "the chain as a preset or for AnimeJaNai, which keep the model's own file", i + 1, s->name,
                       svd_model_get_tier_name (s->model));
          b_clear (&b);
          return NULL;
        }
      if (s->type == SVD_CHAIN_STEP_MODEL)
        {
          if (s->model == NULL || !svd_model_validate (s->model, error))
            {
              if (s->model == NULL)
                g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                             "Step %u (%s) has no loaded model", i + 1, s->name);
              b_clear (&b);
              return NULL;
            }
          x = b_model (&b, s->model, prefix, x, out);
        }
      else
        {
          const char *mode = s->filter == SVD_RESIZE_NEAREST ? "nearest" :
                             s->filter == SVD_RESIZE_BILINEAR ? "linear" :
                             s->filter == SVD_RESIZE_BICUBIC ? "cubic" : NULL;

          if (mode == NULL)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "Step %u: ONNX Resize has no %s filter; use nearest, bilinear or bicubic",
                           i + 1, svd_resize_filter_name (s->filter));
              b_clear (&b);
              return NULL;
            }
          b_resize (&b, prefix, x, out, mode, (float) s->resize_scale);
          x = out;
        }
      onnx__string_string_entry_proto__init (e);
      e->key = b_printf (&b, "svd.step.%u", i + 1);
      e->value = b_str (&b, s->name);
      g_ptr_array_add (meta, e);
    }
  bytes = b_finish (&b, chain->name, "input", "output",
                    (Onnx__StringStringEntryProto **) meta->pdata, meta->len);
  b_clear (&b);
  return bytes;
}

gboolean
svd_onnx_save (GBytes      *bytes,
               const char  *path,
               GError     **error)
{
  g_autoptr(GError) local = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!g_file_set_contents (path, data, len, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}
