/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx-export"

#include "svd-config.h"

#include "svd-onnx-export.h"
#include "core/svd-error.h"
#include "core/svd-limits.h"
#include "model/svd-graph.h"
#include "model/svd-model-private.h"
#include "model/svd-onnx-util.h"
#include "onnx.pb-c.h"

#include <string.h>

/*
 * Writes SRVGGNetCompact graphs the way PyTorch exports them: Conv (3x3,
 * pads 1) → PRelu (slopes shaped [C,1,1]) … → Conv → DepthToSpace (CRD, i.e.
 * PixelShuffle's channel order, so the last conv's weights go out as held)
 * → Add with a nearest Resize (asymmetric, floor) of the input → optional
 * Clip. Input "input" [1,3,height,width] with dynamic H/W. A fused chain is
 * the stages' graphs in sequence, names prefixed "sN_", built-in resizes as
 * Resize nodes between them. A graph stage (SPAN and its kin, SvdModel.graph)
 * keeps the model's own ONNX nodes and initializers, names prefixed "sN_g_",
 * its shape arithmetic as written (so the file still takes any size), in
 * fp32: the engine computes graphs in fp32 whatever their storage.
 *
 * Every message is allocated into one list and freed together; the
 * protobuf-c structs only point into it.
 */

typedef struct {
  GPtrArray *allocs;
  GPtrArray *nodes;
  GPtrArray *inits;
  GPtrArray *sources;  /* SvdOnnxUnpacked of graph stages: nodes point into them */
  gboolean   fp16;     /* fp16 weights, activations, input and output */
  gint64     opset;    /* the default domain's opset the file declares */
  gint64     ir_version;
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

/* ---- Graph stages ---------------------------------------------------------- */

/* The default domain's opset @proto imports, or 0. */
static gint64
source_opset (const Onnx__ModelProto *proto)
{
  for (gsize i = 0; i < proto->n_opset_import; i++)
    {
      const char *d = proto->opset_import[i]->domain;

      if (d == NULL || d[0] == '\0' || strcmp (d, "ai.onnx") == 0)
        return proto->opset_import[i]->version;
    }
  return 0;
}

/* Ops whose inputs or attributes changed at opset @since in a way a node
 * cannot be carried across as written: a stage written for an older
 * opset is refused when the fused file's opset is @since or newer (the
 * changes emit_graph_node() makes itself — Unsqueeze/Squeeze axes and
 * Split sizes becoming inputs at 13, Split's num_outputs at 18, Dropout —
 * are not listed). */
static const struct {
  const char *op;
  int         since;
  const char *what;
} breaking_ops[] = {
  { "Slice", 10, "starts, ends and axes became inputs" },
  { "Upsample", 10, "it was deprecated for Resize" },
  { "Resize", 11, "it gained roi and sizes inputs and new coordinate modes" },
  { "Pad", 11, "pads and value became inputs" },
  { "Clip", 11, "min and max became inputs" },
};

typedef struct {
  const char *prefix;   /* "sN_g_" */
  const char *in_src;   /* the model's image input … */
  const char *in_dst;   /* … is this tensor of the fused graph */
  const char *out_src;  /* (nullable) the model's output … */
  const char *out_dst;  /* … is written as this one */
  gint64      opset;    /* the opset the model was written for */
  guint       step;
  const char *model;
} Stage;

static const char *
stage_name (Build       *b,
            const Stage *st,
            const char  *name)
{
  if (name == NULL || name[0] == '\0')
    return "";
  if (st->out_src != NULL && strcmp (name, st->out_src) == 0)
    return st->out_dst;
  if (strcmp (name, st->in_src) == 0)
    return st->in_dst;
  return b_printf (b, "%s%s", st->prefix, name);
}

static gboolean
stage_fail (const Stage            *st,
            const Onnx__NodeProto  *n,
            GError                **error,
            const char             *format,
            ...) G_GNUC_PRINTF (4, 5);

static gboolean
stage_fail (const Stage            *st,
            const Onnx__NodeProto  *n,
            GError                **error,
            const char             *format,
            ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (n != NULL)
    g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "Step %u (%s), ONNX node “%s” (%s): %s", st->step,
                 st->model, svd_onnx_node_label (n), n->op_type != NULL ? n->op_type : "?", msg);
  else
    g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "Step %u (%s): %s", st->step, st->model, msg);
  return FALSE;
}

/* @t renamed @name; float16 and bfloat16 values become fp32 (exactly), the
 * rest shares the source's data. */
static Onnx__TensorProto *
stage_tensor (Build                    *b,
              const Stage              *st,
              const Onnx__NodeProto    *n,
              const Onnx__TensorProto  *t,
              const char               *name,
              GError                  **error)
{
  Onnx__TensorProto *o = b_alloc (b, sizeof *o);
  gsize count = 1;
  float *f;

  *o = *t;
  o->name = (char *) name;
  if (t->n_external_data > 0 || (t->has_data_location && t->data_location ==
                                 ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL))
    return stage_fail (st, n, error, "tensor “%s” keeps its data in another file", t->name), NULL;
  if (t->data_type != ET_FLOAT16 && t->data_type != ET_BFLOAT16)
    return o;
  for (gsize d = 0; d < t->n_dims; d++)
    if (t->dims[d] < 0 || !g_size_checked_mul (&count, count, (gsize) t->dims[d]) ||
        count > SVD_LIMIT_ONNX_FILE_BYTES / 2)
      return stage_fail (st, n, error, "tensor “%s” has an invalid shape", t->name), NULL;
  if (t->raw_data.len > 0 ? t->raw_data.len != 2 * count : t->n_int32_data != count)
    return stage_fail (st, n, error, "tensor “%s” holds %" G_GSIZE_FORMAT " bytes for %" G_GSIZE_FORMAT
                       " 16-bit values", t->name, t->raw_data.len > 0 ? t->raw_data.len : 2 * t->n_int32_data,
                       count), NULL;
  f = b_alloc (b, sizeof (float) * MAX (count, 1));
  for (gsize i = 0; i < count; i++)
    {
      guint16 h = t->raw_data.len > 0 ? svd_read_u16le (t->raw_data.data + 2 * i) : (guint16) t->int32_data[i];

      f[i] = t->data_type == ET_FLOAT16 ? svd_half_to_float (h) : svd_bf16_to_float (h);
    }
  o->data_type = ET_FLOAT;
  o->n_int32_data = 0;
  o->int32_data = NULL;
  o->has_raw_data = TRUE;
  /* raw_data is little-endian; so is every host this builds for. */
  o->raw_data.len = sizeof (float) * count;
  o->raw_data.data = (guint8 *) f;
  return o;
}

/* An int64 initializer made of an ints attribute (axes, split sizes that
 * became inputs); returns its name. */
static const char *
stage_ints_input (Build                      *b,
                  const char                 *node_name,
                  const char                 *what,
                  const Onnx__AttributeProto *a)
{
  char *name = b_printf (b, "%s_%s", node_name, what);
  gint64 dim = (gint64) a->n_ints;

  b_tensor (b, name, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, &dim, 1, a->ints, sizeof (gint64) * a->n_ints);
  return name;
}

/* Copies node @n of a graph stage, renamed, in fp32, carried to the fused
 * file's opset. */
static gboolean
emit_graph_node (Build                  *b,
                 const Stage            *st,
                 const Onnx__NodeProto  *n,
                 guint                   index,
                 GError                **error)
{
  Onnx__NodeProto *o = b_alloc (b, sizeof *o);
  const char *op = n->op_type != NULL ? n->op_type : "";
  gboolean dropout = strcmp (op, "Dropout") == 0;
  gboolean squeeze = strcmp (op, "Unsqueeze") == 0 || strcmp (op, "Squeeze") == 0;
  gboolean split = strcmp (op, "Split") == 0;
  const char *extra_input = NULL;
  gboolean has_split_input = split && n->n_input >= 2 && n->input[1][0] != '\0';
  gsize na = 0;

  if (n->domain != NULL && n->domain[0] != '\0' && strcmp (n->domain, "ai.onnx") != 0)
    return stage_fail (st, n, error, "ops of domain “%s” cannot be exported", n->domain);
  for (guint i = 0; i < G_N_ELEMENTS (breaking_ops); i++)
    if (strcmp (op, breaking_ops[i].op) == 0 && st->opset < breaking_ops[i].since &&
        b->opset >= breaking_ops[i].since)
      return stage_fail (st, n, error, "the model is written for opset %" G_GINT64_FORMAT ", and at opset %d %s; "
                         "the fused file runs opset %" G_GINT64_FORMAT " (re-export the model with opset %d or "
                         "newer)", st->opset, breaking_ops[i].since, breaking_ops[i].what, b->opset,
                         breaking_ops[i].since);
  if (dropout && n->n_output > 1 && n->output[1][0] != '\0')
    return stage_fail (st, n, error, "a Dropout mask is not an image");

  onnx__node_proto__init (o);
  /* Dropout is the identity at inference, whatever the opset spells its
   * ratio as. */
  o->op_type = (char *) (dropout ? "Identity" : op);
  o->name = b_printf (b, "%s%s", st->prefix, n->name != NULL && n->name[0] ? n->name : b_printf (b, "node%u", index));
  o->n_output = dropout ? MIN (n->n_output, 1) : n->n_output;
  o->output = b_alloc (b, sizeof (char *) * MAX (o->n_output, 1));
  for (gsize i = 0; i < o->n_output; i++)
    o->output[i] = (char *) stage_name (b, st, n->output[i]);
  o->attribute = b_alloc (b, sizeof (void *) * (n->n_attribute + 1));
  for (gsize i = 0; i < n->n_attribute && !dropout; i++)
    {
      Onnx__AttributeProto *a = n->attribute[i];
      const char *an = a->name != NULL ? a->name : "";

      if (a->g != NULL || a->n_graphs > 0 || a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH ||
          a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS)
        return stage_fail (st, n, error, "subgraphs cannot be exported");
      if (strcmp (op, "Cast") == 0 && strcmp (an, "to") == 0 && (a->i == ET_FLOAT16 || a->i == ET_BFLOAT16))
        a = b_attr_int (b, "to", ET_FLOAT);
      else if ((strcmp (op, "Constant") == 0 || strcmp (op, "ConstantOfShape") == 0) && a->t != NULL)
        {
          Onnx__AttributeProto *c = b_alloc (b, sizeof *c);

          *c = *a;
          if ((c->t = stage_tensor (b, st, n, a->t, a->t->name, error)) == NULL)
            return FALSE;
          a = c;
        }
      else if (((squeeze && strcmp (an, "axes") == 0) || (split && strcmp (an, "split") == 0)) && b->opset >= 13)
        {
          /* Opset 13 made these inputs. */
          extra_input = stage_ints_input (b, o->name, an, a);
          continue;
        }
      o->attribute[na++] = a;
    }
  /* Opset 18's Split takes its part count from num_outputs when no sizes
   * are given. */
  if (split && !has_split_input && extra_input == NULL && b->opset >= 18 && st->opset < 18 &&
      svd_onnx_attr (n, "num_outputs") == NULL)
    o->attribute[na++] = b_attr_int (b, "num_outputs", (gint64) n->n_output);
  o->n_attribute = na;
  o->n_input = dropout ? MIN (n->n_input, 1) : n->n_input;
  if (extra_input != NULL)
    o->n_input = MAX (o->n_input, 2);
  o->input = b_alloc (b, sizeof (char *) * MAX (o->n_input, 1));
  for (gsize i = 0; i < o->n_input; i++)
    o->input[i] = (char *) (i < n->n_input ? stage_name (b, st, n->input[i]) : "");
  if (extra_input != NULL)
    o->input[1] = (char *) extra_input;
  g_ptr_array_add (b->nodes, o);
  return TRUE;
}

/* Emits graph model @m (its ONNX, @proto) as step @step, reading @input
 * and writing @output. */
static gboolean
b_graph_model (Build                   *b,
               const SvdModel          *m,
               const Onnx__ModelProto  *proto,
               guint                    step,
               const char              *input,
               const char              *output,
               GError                 **error)
{
  const Onnx__GraphProto *g = proto->graph;
  const Onnx__ValueInfoProto *vi = NULL;
  Stage st = { 0 };
  GHashTable *inits;

  st.prefix = b_printf (b, "s%u_g_", step);
  st.step = step;
  st.model = m->name != NULL ? m->name : "model";
  st.opset = source_opset (proto);
  st.in_dst = input;
  st.out_dst = output;
  if (g->n_sparse_initializer > 0)
    return stage_fail (&st, NULL, error, "sparse initializers cannot be exported");
  inits = g_hash_table_new (g_str_hash, g_str_equal);
  for (gsize i = 0; i < g->n_initializer; i++)
    if (g->initializer[i]->name != NULL)
      g_hash_table_add (inits, g->initializer[i]->name);
  for (gsize i = 0; i < g->n_input && vi == NULL; i++)
    if (g->input[i]->name != NULL && !g_hash_table_contains (inits, g->input[i]->name))
      vi = g->input[i];
  g_hash_table_unref (inits);
  if (vi == NULL || g->n_output != 1 || g->output[0]->name == NULL)
    return stage_fail (&st, NULL, error, "the ONNX graph needs one image input and one output");
  if (vi->type != NULL && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
      vi->type->tensor_type != NULL && vi->type->tensor_type->has_elem_type &&
      vi->type->tensor_type->elem_type != ET_FLOAT && vi->type->tensor_type->elem_type != ET_FLOAT16 &&
      vi->type->tensor_type->elem_type != ET_BFLOAT16)
    return stage_fail (&st, NULL, error, "the model's input is neither float, float16 nor bfloat16");
  st.in_src = vi->name;
  /* A model whose output is its input: every use reads the input and an
   * Identity writes the output. */
  st.out_src = strcmp (g->output[0]->name, vi->name) == 0 ? NULL : g->output[0]->name;

  for (gsize i = 0; i < g->n_initializer; i++)
    {
      const Onnx__TensorProto *t = g->initializer[i];
      Onnx__TensorProto *o;

      if (t->name == NULL || strcmp (t->name, vi->name) == 0)
        continue;
      if ((o = stage_tensor (b, &st, NULL, t, stage_name (b, &st, t->name), error)) == NULL)
        return FALSE;
      g_ptr_array_add (b->inits, o);
    }
  for (gsize i = 0; i < g->n_node; i++)
    if (!emit_graph_node (b, &st, g->node[i], (guint) i, error))
      return FALSE;
  if (st.out_src == NULL)
    {
      const char *in[] = { input, NULL };

      b_node (b, "Identity", b_printf (b, "%sIdentity", st.prefix), in, output, NULL);
    }
  return TRUE;
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
  opset.version = b->opset;
  model.has_ir_version = TRUE;
  model.ir_version = b->ir_version;
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
  b->opset = SVD_ONNX_EXPORT_OPSET;
  b->ir_version = 7;
  b->allocs = g_ptr_array_new_with_free_func (g_free);
  b->nodes = g_ptr_array_new ();
  b->inits = g_ptr_array_new ();
  b->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) svd_onnx_unpacked_free);
}

static void
b_clear (Build *b)
{
  g_ptr_array_unref (b->nodes);
  g_ptr_array_unref (b->inits);
  g_ptr_array_unref (b->sources);
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

/* The IR version the ONNX release that brought opset @opset wrote. */
static gint64
ir_for_opset (gint64 opset)
{
  return opset <= 13 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : opset <= 22 ? 10 : 11;
}

/* Reads the ONNX of every graph step of @chain into b->sources (one slot
 * per step, NULL for the others) under the parsers' limits, and raises the
 * file's opset and IR version to the highest a step was written for:
 * every node of the fused file runs under one opset. */
static gboolean
read_graph_steps (Build           *b,
                  const SvdChain  *chain,
                  GError         **error)
{
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (chain->steps, i);
      SvdOnnxUnpacked *u = NULL;

      if (s->type == SVD_CHAIN_STEP_MODEL && s->model != NULL && s->model->graph != NULL)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (svd_graph_source_get_bytes (s->model->graph), &len);
          const Onnx__ModelProto *proto;
          gint64 opset;

          if ((u = svd_onnx_unpack (data, len, error)) == NULL)
            {
              g_prefix_error (error, "Step %u (%s): ", i + 1, s->name);
              return FALSE;
            }
          proto = svd_onnx_unpacked_get_proto (u);
          opset = source_opset (proto);
          if (proto->graph == NULL || opset < SVD_LIMIT_ONNX_OPSET_MIN || opset > SVD_LIMIT_ONNX_OPSET_MAX)
            {
              svd_onnx_unpacked_free (u);
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "Step %u (%s): the model's ONNX uses opset %" G_GINT64_FORMAT "; supported opsets are "
                           "%d to %d", i + 1, s->name, opset, SVD_LIMIT_ONNX_OPSET_MIN, SVD_LIMIT_ONNX_OPSET_MAX);
              return FALSE;
            }
          b->opset = MAX (b->opset, opset);
          if (proto->has_ir_version)
            b->ir_version = MAX (b->ir_version, proto->ir_version);
        }
      g_ptr_array_add (b->sources, u);
    }
  b->ir_version = MAX (b->ir_version, ir_for_opset (b->opset));
  return TRUE;
}

/**
 * svd_onnx_export_chain:
 * @chain: a chain whose model steps have their models
 * @error: return location for an error
 *
 * Compact steps are written as svd_onnx_export_model() writes them; a
 * graph step (SvdModel.graph: SPAN and its kin) keeps its model's own
 * nodes and initializers, names prefixed `sN_g_`, in fp32, with its shape
 * arithmetic, so the file still takes any input size. The file's opset is
 * 13, or the highest a graph step was written for.
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
  if (!read_graph_steps (&b, chain, error))
    {
      b_clear (&b);
      return NULL;
    }
  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (chain->steps, i);
      char *prefix = b_printf (&b, "s%u_", i + 1);
      const char *out = i + 1 == chain->steps->len ? "output" : b_printf (&b, "s%u_out", i + 1);
      Onnx__StringStringEntryProto *e = b_alloc (&b, sizeof *e);

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
          if (s->model->graph != NULL)
            {
              if (!b_graph_model (&b, s->model, svd_onnx_unpacked_get_proto (g_ptr_array_index (b.sources, i)),
                                  i + 1, x, out, error))
                {
                  b_clear (&b);
                  return NULL;
                }
              x = out;
            }
          else
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
