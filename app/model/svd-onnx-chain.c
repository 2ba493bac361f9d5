/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-onnx-chain"

#include "svd-config.h"

#include "svd-chain.h"
#include "core/svd-error.h"
#include "model/svd-model-private.h"
#include "onnx.pb-c.h"

#include <string.h>

/*
 * Reads back a whole chain fused into one ONNX (svd export-chain --format
 * onnx, app/export/svd-onnx-export.c): the steps are cut out of the graph
 * and each model segment goes through the single-model importer, so the
 * chain runs exactly as the chain it came from.
 */

static void *
alloc0 (GPtrArray *allocs,
        gsize      size)
{
  void *p = g_malloc0 (size);

  g_ptr_array_add (allocs, p);
  return p;
}

static char *
alloc_str (GPtrArray  *allocs,
           const char *text)
{
  char *p = g_strdup (text);

  g_ptr_array_add (allocs, p);
  return p;
}

/**
 * svd_onnx_value_info_new:
 * @allocs: owns every allocation made here (freed by the caller)
 * @name: the tensor's name
 * @height: @width: the names of its dynamic dimensions
 * @fp16: float16 elements instead of float
 *
 * Returns: (transfer none): a [1, 3, @height, @width] value info
 */
Onnx__ValueInfoProto *
svd_onnx_value_info_new (GPtrArray  *allocs,
                         const char *name,
                         const char *height,
                         const char *width,
                         gboolean    fp16)
{
  Onnx__ValueInfoProto *vi = alloc0 (allocs, sizeof *vi);
  Onnx__TypeProto *tp = alloc0 (allocs, sizeof *tp);
  Onnx__TypeProto__Tensor *tt = alloc0 (allocs, sizeof *tt);
  Onnx__TensorShapeProto *sp = alloc0 (allocs, sizeof *sp);

  onnx__value_info_proto__init (vi);
  onnx__type_proto__init (tp);
  onnx__type_proto__tensor__init (tt);
  onnx__tensor_shape_proto__init (sp);
  vi->name = alloc_str (allocs, name);
  vi->type = tp;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  tp->tensor_type = tt;
  tt->has_elem_type = TRUE;
  tt->elem_type = fp16 ? ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tt->shape = sp;
  sp->n_dim = 4;
  sp->dim = alloc0 (allocs, sizeof (void *) * 4);
  for (int i = 0; i < 4; i++)
    {
      Onnx__TensorShapeProto__Dimension *d = alloc0 (allocs, sizeof *d);

      onnx__tensor_shape_proto__dimension__init (d);
      if (i < 2)
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = i == 0 ? 1 : 3;
        }
      else
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          d->dim_param = alloc_str (allocs, i == 2 ? height : width);
        }
      sp->dim[i] = d;
    }
  return vi;
}


static gboolean
is_op (const Onnx__NodeProto *n,
       const char            *op)
{
  return n != NULL && n->op_type != NULL && strcmp (n->op_type, op) == 0;
}

static const char *
attr_str (const Onnx__NodeProto *n,
          const char            *name,
          char                  *buf,
          gsize                  size)
{
  for (gsize i = 0; i < n->n_attribute; i++)
    if (g_strcmp0 (n->attribute[i]->name, name) == 0 && n->attribute[i]->has_s)
      {
        /* Protobuf bytes carry no NUL: copy by length (g_strlcpy would
         * read on to find one). */
        gsize len = MIN (size - 1, n->attribute[i]->s.len);

        if (len > 0)
          memcpy (buf, n->attribute[i]->s.data, len);
        buf[len] = '\0';
        return buf;
      }
  return NULL;
}

/* Whether any node consuming @name is an Add (a model's residual). */
static gboolean
feeds_add (const Onnx__GraphProto *g,
           const char             *name)
{
  for (gsize i = 0; i < g->n_node; i++)
    for (gsize k = 0; k < g->node[i]->n_input; k++)
      if (strcmp (g->node[i]->input[k], name) == 0 && is_op (g->node[i], "Add"))
        return TRUE;
  return FALSE;
}

static const Onnx__TensorProto *
find_init (const Onnx__GraphProto *g,
           const char             *name)
{
  for (gsize i = 0; i < g->n_initializer; i++)
    if (g_strcmp0 (g->initializer[i]->name, name) == 0)
      return g->initializer[i];
  return NULL;
}

static gboolean
read_resize_scale (const Onnx__GraphProto *g,
                   const Onnx__NodeProto  *n,
                   double                 *scale,
                   GError                **error)
{
  const Onnx__TensorProto *t = n->n_input >= 3 ? find_init (g, n->input[2]) : NULL;
  float v[4];

  if (t == NULL || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ||
      !((t->has_raw_data && t->raw_data.len == sizeof v) || t->n_float_data == 4))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Resize node “%s” needs four constant float scales", n->name ? n->name : "");
      return FALSE;
    }
  if (t->has_raw_data)
    memcpy (v, t->raw_data.data, sizeof v);
  else
    memcpy (v, t->float_data, sizeof v);
  if (v[0] != 1 || v[1] != 1 || v[2] != v[3] || !(v[2] > 0))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Resize node “%s” scales (%g, %g, %g, %g) are not a uniform spatial scale",
                   n->name ? n->name : "", v[0], v[1], v[2], v[3]);
      return FALSE;
    }
  *scale = v[2];
  return TRUE;
}

/* Packs nodes [from, to] of @g with the initializers they use into a
 * standalone graph and hands it to the single-model importer, so a fused
 * chain is read by exactly the same structural matcher as one model. */
static SvdModel *
load_segment (const Onnx__ModelProto *proto,
              gsize                   from,
              gsize                   to,
              const char             *input,
              const char             *output,
              const char             *name,
              GError                **error)
{
  const Onnx__GraphProto *g = proto->graph;
  Onnx__ModelProto model = *proto;
  Onnx__GraphProto graph;
  g_autoptr(GPtrArray) inits = g_ptr_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) allocs = g_ptr_array_new_with_free_func (g_free);
  Onnx__ValueInfoProto *in[1], *out[1];
  gsize len;
  guint8 *buf;
  SvdModel *m;

  onnx__graph_proto__init (&graph);
  for (gsize i = from; i <= to; i++)
    for (gsize k = 0; k < g->node[i]->n_input; k++)
      {
        const Onnx__TensorProto *t = find_init (g, g->node[i]->input[k]);

        if (t != NULL && !g_ptr_array_find (inits, t, NULL))
          g_ptr_array_add (inits, (gpointer) t);
      }
  graph.name = (char *) name;
  graph.n_node = to - from + 1;
  graph.node = g->node + from;
  graph.n_initializer = inits->len;
  graph.initializer = (Onnx__TensorProto **) inits->pdata;
  in[0] = svd_onnx_value_info_new (allocs, input, "height", "width", FALSE);
  out[0] = svd_onnx_value_info_new (allocs, output, "out_height", "out_width", FALSE);
  graph.n_input = 1;
  graph.input = in;
  graph.n_output = 1;
  graph.output = out;
  model.graph = &graph;
  model.n_metadata_props = 0;
  model.n_functions = 0;
  model.n_training_info = 0;
  len = onnx__model_proto__get_packed_size (&model);
  buf = g_malloc (len);
  onnx__model_proto__pack (&model, buf);
  bytes = g_bytes_new_take (buf, len);
  m = svd_model_load_from_bytes (bytes, name, error);
  if (m != NULL)
    {
      /* The step's name as written: the loader would take it for a file
       * name and cut it at its last dot ("…_HD_V3.1_Performance…"). */
      g_free (m->name);
      m->name = g_strdup (name);
    }
  return m;
}

/**
 * svd_chain_load_onnx:
 * @bytes: an ONNX file holding one or more SRVGGNetCompact graphs in
 *   sequence, with optional Resize nodes between them, and general graphs
 *   whose nodes are named `sN_g_…` (what svd_onnx_export_chain() writes)
 * @name: (nullable): the chain's name
 * @error: return location for an error
 *
 * Walks the graph from its input: a Resize of the current tensor whose
 * result feeds no Add is a built-in resize step; anything else is a model
 * that ends at the first Add taking the current tensor (or a Resize of it),
 * plus a Clip right after; step N's nodes named `sN_g_…` are a graph model
 * writing `sN_out` (or the graph output). Each model segment goes through
 * svd_model_load_from_bytes().
 *
 * Returns: (transfer full) (nullable): the chain
 */
SvdChain *
svd_chain_load_onnx (GBytes      *bytes,
                     const char  *name,
                     GError     **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Onnx__ModelProto *proto = NULL;
  g_autoptr(SvdChain) chain = NULL;
  const Onnx__GraphProto *g;
  const char *cur = NULL;
  gsize p = 0;
  guint step_no = 0;

  /* protobuf-c recurses without a depth limit: check first. */
  if (!svd_onnx_check_wire (data, len, error))
    return NULL;
  proto = onnx__model_proto__unpack (NULL, len, data);

  if (proto == NULL || proto->graph == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID, "Not an ONNX model (the protobuf does not parse)");
      if (proto != NULL)
        onnx__model_proto__free_unpacked (proto, NULL);
      return NULL;
    }
  g = proto->graph;
  chain = svd_chain_new (name != NULL ? name : (g->name != NULL ? g->name : "chain"));
  for (gsize i = 0; i < g->n_input && cur == NULL; i++)
    if (find_init (g, g->input[i]->name) == NULL)
      cur = g->input[i]->name;
  if (cur == NULL || g->n_output != 1 || g->output[0]->name == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX graph needs one data input and one output");
      goto fail;
    }

  while (p < g->n_node)
    {
      const Onnx__NodeProto *n = g->node[p];
      g_autofree char *step_name = NULL;
      g_autofree char *graph_prefix = NULL;

      step_no++;
      graph_prefix = g_strdup_printf ("s%u_g_", step_no);
      for (gsize k = 0; k < proto->n_metadata_props; k++)
        {
          g_autofree char *key = g_strdup_printf ("svd.step.%u", step_no);

          if (g_strcmp0 (proto->metadata_props[k]->key, key) == 0)
            step_name = g_strdup (proto->metadata_props[k]->value);
        }
      if (n->name != NULL && g_str_has_prefix (n->name, graph_prefix))
        {
          /* A graph step (SPAN and its kin): the nodes named sN_g_…, kept
           * as the model wrote them, writing sN_out or the graph output. */
          g_autofree char *step_out = g_strdup_printf ("s%u_out", step_no);
          const char *out = NULL;
          gsize q = p;
          SvdModel *m;

          while (q + 1 < g->n_node && g->node[q + 1]->name != NULL && g_str_has_prefix (g->node[q + 1]->name, graph_prefix))
            q++;
          for (gsize i = p; i <= q && out == NULL; i++)
            for (gsize k = 0; k < g->node[i]->n_output; k++)
              if (strcmp (g->node[i]->output[k], step_out) == 0 ||
                  g_strcmp0 (g->node[i]->output[k], g->output[0]->name) == 0)
                out = g->node[i]->output[k];
          if (out == NULL)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "Step %u of the ONNX chain (a graph, nodes %zu to %zu) writes neither “%s” nor the graph "
                           "output", step_no, p, q, step_out);
              goto fail;
            }
          m = load_segment (proto, p, q, cur, out, step_name != NULL ? step_name : "model", error);
          if (m == NULL)
            {
              g_prefix_error (error, "Step %u of the ONNX chain: ", step_no);
              goto fail;
            }
          if (!svd_chain_add_model (chain, m, error))
            {
              svd_model_unref (m);
              goto fail;
            }
          svd_model_unref (m);
          cur = out;
          p = q + 1;
          continue;
        }
      if (is_op (n, "Resize") && n->n_input >= 1 && strcmp (n->input[0], cur) == 0 && !feeds_add (g, n->output[0]))
        {
          char mode[32] = "nearest";
          SvdResizeFilter filter;
          double scale;

          attr_str (n, "mode", mode, sizeof mode);
          if (strcmp (mode, "nearest") == 0)
            filter = SVD_RESIZE_NEAREST;
          else if (strcmp (mode, "linear") == 0)
            filter = SVD_RESIZE_BILINEAR;
          else if (strcmp (mode, "cubic") == 0)
            filter = SVD_RESIZE_BICUBIC;
          else
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "Resize mode “%s” is not supported", mode);
              goto fail;
            }
          if (!read_resize_scale (g, n, &scale, error))
            goto fail;
          svd_chain_add_resize (chain, filter, scale);
          cur = n->output[0];
          p++;
          continue;
        }

      {
        g_autoptr(GPtrArray) resized = g_ptr_array_new ();
        gsize q;
        SvdModel *m;

        for (q = p; q < g->n_node; q++)
          {
            const Onnx__NodeProto *e = g->node[q];

            if ((is_op (e, "Resize") || is_op (e, "Upsample")) && e->n_input >= 1 && strcmp (e->input[0], cur) == 0)
              g_ptr_array_add (resized, e->output[0]);
            if (is_op (e, "Add") && e->n_input == 2)
              {
                gboolean hit = FALSE;

                for (int k = 0; k < 2; k++)
                  {
                    hit |= strcmp (e->input[k], cur) == 0;
                    for (guint r = 0; r < resized->len; r++)
                      hit |= strcmp (e->input[k], g_ptr_array_index (resized, r)) == 0;
                  }
                if (hit)
                  break;
              }
          }
        if (q == g->n_node)
          {
            g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                         "Step %u of the ONNX chain (from node %zu) has no residual Add of its input",
                         step_no, p);
            goto fail;
          }
        if (q + 1 < g->n_node && is_op (g->node[q + 1], "Clip") &&
            strcmp (g->node[q + 1]->input[0], g->node[q]->output[0]) == 0)
          q++;
        m = load_segment (proto, p, q, cur, g->node[q]->output[0],
                          step_name != NULL ? step_name : "model", error);
        if (m == NULL)
          {
            g_prefix_error (error, "Step %u of the ONNX chain: ", step_no);
            goto fail;
          }
        if (!svd_chain_add_model (chain, m, error))
          {
            svd_model_unref (m);
            goto fail;
          }
        svd_model_unref (m);
        cur = g->node[q]->output[0];
        p = q + 1;
      }
    }
  if (strcmp (cur, g->output[0]->name) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "The ONNX chain ends in “%s”, not in the graph output “%s”", cur, g->output[0]->name);
      goto fail;
    }
  onnx__model_proto__free_unpacked (proto, NULL);
  return g_steal_pointer (&chain);

fail:
  onnx__model_proto__free_unpacked (proto, NULL);
  return NULL;
}
