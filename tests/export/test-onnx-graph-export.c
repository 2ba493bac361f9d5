/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-onnx-graph-export"

/*
 * The fused chain ONNX with graph steps (issue #27: "fused ONNX export (the
 * graph is kept)"): a SPAN-like graph model, made here in fp16, and the
 * shared SPANF3 model, at any position of a chain with compact models.
 * The written file is read with protobuf-c (one fp32 input and output of
 * dynamic size, the graph's own nodes and shape arithmetic kept, no fp16
 * left, the opset that covers every node), read back as a chain by
 * svd_chain_load_onnx() and run against the original chain at an odd and
 * an even size. ONNX Runtime runs the same files in tests/clients/test-ort.c.
 */

#include "svd.h"
#include "export/svd-onnx-export.h"
#include "model/model-builders.h"
#include "svd-test-utils.h"
#include "onnx.pb-c.h"

#include <string.h>

#define SPAN "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16"

static SvdModel *
span_like (int     opset,
           guint32 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = mb_span_like_onnx (opset, seed);
  SvdModel *m = svd_model_load_from_bytes (bytes, "span-like", &error);

  g_assert_no_error (error);
  g_assert_nonnull (m->graph);
  g_assert_cmpint (m->scale, ==, 2);
  return m;
}

static gint64
file_opset (const Onnx__ModelProto *p)
{
  g_assert_cmpuint (p->n_opset_import, ==, 1);
  g_assert_true (p->opset_import[0]->domain == NULL || p->opset_import[0]->domain[0] == '\0');
  return p->opset_import[0]->version;
}

/* One fp32 [1, 3, height, width] value of dynamic size. */
static void
assert_dynamic_fp32 (const Onnx__ValueInfoProto *vi,
                     const char                 *name)
{
  const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;

  g_assert_cmpstr (vi->name, ==, name);
  g_assert_cmpint (tt->elem_type, ==, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
  g_assert_cmpuint (tt->shape->n_dim, ==, 4);
  g_assert_cmpint (tt->shape->dim[1]->dim_value, ==, 3);
  for (int d = 2; d < 4; d++)
    g_assert_cmpint (tt->shape->dim[d]->value_case, ==, ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM);
}

/* What every fused file with graph steps holds: fp32 only (no float16
 * initializer, Constant or Cast), every node in the default domain, and
 * node names that say their step. @n_graph_nodes[i] is the number of
 * nodes step i + 1 must have as a graph (0: not a graph step). */
static Onnx__ModelProto *
check_structure (GBytes      *bytes,
                 gint64       opset,
                 const guint *n_graph_nodes,
                 guint        n_steps)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Onnx__ModelProto *p = onnx__model_proto__unpack (NULL, len, data);
  const Onnx__GraphProto *g;
  guint *seen = g_new0 (guint, n_steps);

  g_assert_nonnull (p);
  g = p->graph;
  g_assert_cmpint (file_opset (p), ==, opset);
  /* The IR version of the ONNX release that brought the opset, or newer. */
  g_assert_cmpint (p->ir_version, >=, opset >= 19 ? 9 : opset >= 14 ? 8 : 7);
  g_assert_cmpuint (g->n_input, ==, 1);
  g_assert_cmpuint (g->n_output, ==, 1);
  assert_dynamic_fp32 (g->input[0], "input");
  assert_dynamic_fp32 (g->output[0], "output");
  g_assert_cmpuint (p->n_metadata_props, ==, n_steps);
  for (gsize i = 0; i < g->n_initializer; i++)
    {
      g_assert_cmpint (g->initializer[i]->data_type, !=, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
      g_assert_cmpint (g->initializer[i]->data_type, !=, ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16);
    }
  for (gsize i = 0; i < g->n_node; i++)
    {
      const Onnx__NodeProto *n = g->node[i];
      guint step = 0;
      gboolean graph;
      char prefix[32];

      g_assert_true (n->domain == NULL || n->domain[0] == '\0');
      g_assert_cmpint (sscanf (n->name, "s%u_", &step), ==, 1);
      g_assert_cmpuint (step, >=, 1);
      g_assert_cmpuint (step, <=, n_steps);
      g_snprintf (prefix, sizeof prefix, "s%u_g_", step);
      graph = g_str_has_prefix (n->name, prefix);
      g_assert_cmpint (graph, ==, n_graph_nodes[step - 1] > 0);
      seen[step - 1]++;
      for (gsize a = 0; a < n->n_attribute; a++)
        {
          const Onnx__AttributeProto *at = n->attribute[a];

          if (strcmp (n->op_type, "Cast") == 0 && strcmp (at->name, "to") == 0)
            g_assert_cmpint (at->i, ==, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
          if (at->t != NULL)
            g_assert_cmpint (at->t->data_type, !=, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
          /* From opset 13 the axes are an input. */
          if (opset >= 13 && (strcmp (n->op_type, "Unsqueeze") == 0 || strcmp (n->op_type, "Squeeze") == 0))
            g_assert_cmpstr (at->name, !=, "axes");
        }
      if (opset >= 13 && strcmp (n->op_type, "Unsqueeze") == 0)
        g_assert_cmpuint (n->n_input, ==, 2);
    }
  for (guint s = 0; s < n_steps; s++)
    if (n_graph_nodes[s] > 0)
      g_assert_cmpuint (seen[s], ==, n_graph_nodes[s]);
  g_free (seen);
  return p;
}

static guint
count_nodes (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Onnx__ModelProto *p = onnx__model_proto__unpack (NULL, len, data);
  guint n;

  g_assert_nonnull (p);
  n = (guint) p->graph->n_node;
  onnx__model_proto__free_unpacked (p, NULL);
  return n;
}

static SvdImage *
run_chain (const SvdChain *chain,
           const SvdImage *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new ();
  SvdImage *out;

  for (guint i = 0; i < chain->steps->len; i++)
    {
      SvdChainStep *s = g_ptr_array_index (chain->steps, i);

      g_assert_cmpint (s->type, ==, SVD_CHAIN_STEP_MODEL);
      g_ptr_array_add (models, s->model);
    }
  out = svd_model_run_reference_chain ((SvdModel **) models->pdata, models->len, input, 2, NULL, &error);
  g_assert_no_error (error);
  return out;
}

/* The read-back chain runs like the original on the CPU reference and on
 * the engine (OpenCL where there is a device) at @width x @height. */
static void
compare_runs (const SvdChain *orig,
              const SvdChain *back,
              const SvdImage *input,
              const char     *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) want = run_chain (orig, input);
  g_autoptr(SvdImage) ref = run_chain (back, input);
  g_autoptr(SvdImage) got = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_auto(SvdSettings) settings = { 0 };
  double d_ref, d_engine;

  g_assert_cmpint (ref->width, ==, want->width);
  g_assert_cmpint (ref->height, ==, want->height);
  d_ref = svd_test_max_abs_diff (want, ref);
  svd_settings_init (&settings);
  {
    g_autoptr(SvdClContext) ctx = svd_test_cl_context ();

    engine = svd_engine_new_for_context (ctx, &settings, &error);
  }
  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, back, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (engine, input, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
  g_assert_no_error (error);
  d_engine = svd_test_max_abs_diff (want, got);
  g_test_message ("%s at %dx%d: the fused file read back, CPU reference %.3g, %s %.3g (max abs diff to the "
                  "original chain's CPU reference)", what, input->width, input->height, d_ref,
                  svd_engine_get_device_name (engine), d_engine);
  /* The fp16 weights went to fp32 exactly: the same arithmetic. */
  g_assert_cmpfloat (d_ref, <=, 1e-6);
  g_assert_cmpfloat (d_engine, <=, 2e-3);
}

/* Graph steps first, in the middle (between compact models) and last, at
 * the graph's own opset and at one the compact steps raise it to. */
static void
test_crafted (gconstpointer data)
{
  int opset = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) graph = span_like (opset, 5);
  g_autoptr(SvdModel) compact = mb_random_model (3, 8, 2, 1, 6);
  g_autoptr(GBytes) graph_bytes = mb_span_like_onnx (opset, 5);
  SvdModel *models[4] = { graph, compact, graph, compact };
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint gn = count_nodes (graph_bytes);
  guint n_graph[4] = { gn, 0, gn, 0 };
  Onnx__ModelProto *p;
  gint64 want_opset = MAX (opset, SVD_ONNX_EXPORT_OPSET);

  g_free (compact->name);
  compact->name = g_strdup ("tiny1x");
  chain = svd_chain_new_from_models ("mixed", models, 4, &error);
  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_no_error (error);
  p = check_structure (bytes, want_opset, n_graph, 4);
  {
    /* The shape arithmetic is kept (one Shape per graph step): the file
     * takes any size. */
    guint shapes = 0;

    for (gsize i = 0; i < p->graph->n_node; i++)
      shapes += strcmp (p->graph->node[i]->op_type, "Shape") == 0;
    g_assert_cmpuint (shapes, ==, 2);
  }
  onnx__model_proto__free_unpacked (p, NULL);

  back = svd_chain_load_onnx (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      SvdChainStep *s = g_ptr_array_index (back->steps, i);

      g_assert_cmpint (s->type, ==, SVD_CHAIN_STEP_MODEL);
      g_assert_true ((s->model->graph != NULL) == (i % 2 == 0));
      g_assert_cmpint (s->model->scale, ==, models[i]->scale);
    }
  for (int k = 0; k < 2; k++)
    {
      g_autoptr(SvdImage) input = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, k == 0 ? 13 : 16, k == 0 ? 9 : 10, &error);
      g_autofree char *what = g_strdup_printf ("span-like (opset %d) → tiny1x → span-like → tiny1x", opset);

      g_assert_no_error (error);
      svd_test_fill_random_rgb (input, 11 + k);
      compare_runs (chain, back, input, what);
    }
}

/* A graph model alone: a one-step file, which also loads as one model. */
static void
test_alone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) graph = span_like (17, 8);
  SvdModel *models[1] = { graph };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("alone", models, 1, &error);
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(SvdChain) as_model = NULL;
  g_autoptr(SvdModel) model = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) graph_bytes = mb_span_like_onnx (17, 8);
  g_autoptr(SvdImage) input = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 7, 5, &error);
  guint n_graph[1] = { count_nodes (graph_bytes) };

  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_no_error (error);
  onnx__model_proto__free_unpacked (check_structure (bytes, 17, n_graph, 1), NULL);
  back = svd_chain_load_onnx (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 1);
  model = svd_model_load_from_bytes (bytes, "alone", &error);
  g_assert_no_error (error);
  g_assert_nonnull (model->graph);
  as_model = svd_chain_new_from_models ("as-model", &model, 1, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (input, 3);
  compare_runs (chain, back, input, "span-like alone");
  compare_runs (chain, as_model, input, "span-like alone, loaded as one model");
}

static const Onnx__NodeProto *
find_node (const Onnx__ModelProto *p,
           const char             *op)
{
  for (gsize i = 0; i < p->graph->n_node; i++)
    if (strcmp (p->graph->node[i]->op_type, op) == 0)
      return p->graph->node[i];
  return NULL;
}

/* Nodes carried to a newer opset: an opset-11 Split's sizes become its
 * second input at 13, a Split without sizes gets num_outputs at 18, and
 * Dropout becomes Identity. */
static void
test_split_opsets (void)
{
  g_autoptr(GError) error = NULL;

  for (int k = 0; k < 2; k++)
    {
      g_autoptr(GBytes) gate_bytes = mb_split_gate_onnx (11, k == 0, 13);
      g_autoptr(SvdModel) gate = svd_model_load_from_bytes (gate_bytes, "gate", &error);
      g_autoptr(SvdModel) span = NULL;
      g_autoptr(GBytes) span_bytes = NULL;
      g_autoptr(SvdChain) chain = NULL, back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(SvdImage) input = NULL;
      SvdModel *models[2];
      guint n_graph[2] = { count_nodes (gate_bytes), 0 };
      const Onnx__NodeProto *split;
      Onnx__ModelProto *p;

      g_assert_no_error (error);
      g_assert_nonnull (gate->graph);
      models[0] = gate;
      if (k == 1)
        {
          span = span_like (18, 14);
          span_bytes = mb_span_like_onnx (18, 14);
          n_graph[1] = count_nodes (span_bytes);
          models[1] = span;
        }
      chain = svd_chain_new_from_models ("gate", models, k == 0 ? 1 : 2, &error);
      g_assert_no_error (error);
      bytes = svd_onnx_export_chain (chain, &error);
      g_assert_no_error (error);
      p = check_structure (bytes, k == 0 ? 13 : 18, n_graph, k == 0 ? 1 : 2);
      g_assert_null (find_node (p, "Dropout"));
      g_assert_nonnull (find_node (p, "Identity"));
      split = find_node (p, "Split");
      g_assert_nonnull (split);
      g_assert_cmpuint (split->n_output, ==, 2);
      for (gsize a = 0; a < split->n_attribute; a++)
        g_assert_cmpstr (split->attribute[a]->name, !=, "split");
      if (k == 0)
        {
          g_assert_cmpuint (split->n_input, ==, 2);
          g_assert_cmpstr (split->input[1], ==, "s1_g_/split_split");
        }
      else
        {
          gboolean num_outputs = FALSE;

          g_assert_cmpuint (split->n_input, ==, 1);
          for (gsize a = 0; a < split->n_attribute; a++)
            if (strcmp (split->attribute[a]->name, "num_outputs") == 0)
              num_outputs = split->attribute[a]->i == 2;
          g_assert_true (num_outputs);
        }
      onnx__model_proto__free_unpacked (p, NULL);
      back = svd_chain_load_onnx (bytes, NULL, &error);
      g_assert_no_error (error);
      input = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 11, 7, &error);
      g_assert_no_error (error);
      svd_test_fill_random_rgb (input, 4);
      compare_runs (chain, back, input, k == 0 ? "split gate (opset 11) alone" :
                                                  "split gate (opset 11) → span-like (opset 18)");
    }
}

static GBytes *
pack (Onnx__ModelProto *p)
{
  gsize len = onnx__model_proto__get_packed_size (p);
  guint8 *buf = g_malloc (len);

  onnx__model_proto__pack (p, buf);
  return g_bytes_new_take (buf, len);
}

/* Broken fused files are refused with a message, never read wrongly: a
 * graph step that does not write its step output, and a graph output
 * without a name. */
static void
test_reader_bad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) graph = span_like (13, 2);
  g_autoptr(SvdModel) compact = mb_random_model (3, 4, 1, 1, 3);
  SvdModel *models[2] = { graph, compact };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("bad", models, 2, &error);
  g_autoptr(GBytes) bytes = NULL;

  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_no_error (error);
  for (int k = 0; k < 2; k++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      Onnx__ModelProto *p = onnx__model_proto__unpack (NULL, len, data);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(SvdChain) back = NULL;
      char *saved = NULL, **slot = NULL;

      g_assert_nonnull (p);
      if (k == 0)
        {
          /* Step 1's output renamed: the compact step reads a tensor no one
           * writes, and step 1 writes none of its names. */
          for (gsize i = 0; i < p->graph->n_node && slot == NULL; i++)
            if (p->graph->node[i]->n_output == 1 && strcmp (p->graph->node[i]->output[0], "s1_out") == 0)
              slot = &p->graph->node[i]->output[0];
          g_assert_nonnull (slot);
          saved = *slot;
          *slot = (char *) "s1_elsewhere";
        }
      else
        {
          slot = &p->graph->output[0]->name;
          saved = *slot;
          *slot = NULL;
        }
      bad = pack (p);
      *slot = saved;
      onnx__model_proto__free_unpacked (p, NULL);
      back = svd_chain_load_onnx (bad, NULL, &error);
      g_assert_null (back);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, k == 0 ? "writes neither “s1_out”" : "one data input and one output"));
      g_clear_error (&error);
    }
}

/* A graph written for an opset whose Pad took its pads as an attribute
 * cannot run under the fused file's opset 13: refused, naming the node,
 * the op and both opsets. */
static void
test_old_opset_refused (void)
{
  g_autoptr(GError) error = NULL;
  MbGraph *g = mb_graph_new ();
  gint64 pads[8] = { 0, 0, 1, 1, 0, 0, 1, 1 }, wd[4] = { 3, 3, 3, 3 };
  float w[81] = { 0 };
  g_autoptr(GBytes) graph_bytes = NULL;
  g_autoptr(SvdModel) graph = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(GBytes) bytes = NULL;

  for (int c = 0; c < 3; c++)
    w[(c * 3 + c) * 9 + 4] = 1;
  mb_graph_floats (g, "w", 4, wd, w);
  mb_graph_node (g, "Pad", "/old_pad", "p", (const char *[]) { "x", NULL });
  mb_graph_attr_ints (g, "pads", pads, 8);
  mb_graph_attr_string (g, "mode", "reflect");
  mb_graph_node (g, "Conv", "/conv", "y", (const char *[]) { "p", "w", NULL });
  graph_bytes = mb_graph_finish (g, "x", NULL, "y", 9);
  graph = svd_model_load_from_bytes (graph_bytes, "old", &error);
  g_assert_no_error (error);
  g_assert_nonnull (graph->graph);
  chain = svd_chain_new_from_models ("old", &graph, 1, &error);
  g_assert_no_error (error);
  bytes = svd_onnx_export_chain (chain, &error);
  g_assert_null (bytes);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
  g_test_message ("%s", error->message);
  for (const char *const *s = (const char *const[]) { "Step 1", "/old_pad", "(Pad)", "opset 9", "opset 11", "13",
                                                        NULL }; *s != NULL; s++)
    if (strstr (error->message, *s) == NULL)
      g_error ("“%s” not in “%s”", *s, error->message);
}

/* The shared compact Ultra 1x → SPANF3 2x (fp16, opset 20), and SPANF3
 * first. */
static void
test_span (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ultra_path = NULL, *span_path = NULL;
  g_autoptr(SvdModel) ultra = NULL, span = NULL;
  g_autoptr(GBytes) span_bytes = NULL;
  g_autofree char *span_data = NULL;
  gsize span_len = 0;
  const char *sizes[2] = { "37x53", "64x96" };

  if (!g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared is missing");
      return;
    }
  ultra_path = svd_test_shared_path ("models", "seed", "1x_ultra_34_10_fp32.onnx", NULL);
  span_path = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  ultra = svd_model_load (ultra_path, &error);
  g_assert_no_error (error);
  span = svd_model_load (span_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (span->graph);
  g_assert_true (g_file_get_contents (span_path, &span_data, &span_len, NULL));
  span_bytes = g_bytes_new_take (g_steal_pointer (&span_data), span_len);

  for (int order = 0; order < 2; order++)
    {
      SvdModel *models[2] = { order == 0 ? ultra : span, order == 0 ? span : ultra };
      g_autoptr(SvdChain) chain = svd_chain_new_from_models ("span", models, 2, &error);
      g_autoptr(SvdChain) back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      guint n_graph[2] = { 0, 0 };
      Onnx__ModelProto *p;

      g_assert_no_error (error);
      n_graph[order == 0 ? 1 : 0] = count_nodes (span_bytes);
      bytes = svd_onnx_export_chain (chain, &error);
      g_assert_no_error (error);
      /* SPANF3 is written for opset 20 (IR 9): the file runs opset 20. */
      p = check_structure (bytes, 20, n_graph, 2);
      g_assert_cmpint (p->ir_version, ==, 9);
      onnx__model_proto__free_unpacked (p, NULL);
      back = svd_chain_load_onnx (bytes, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->steps->len, ==, 2);
      g_assert_nonnull (((SvdChainStep *) back->steps->pdata[order == 0 ? 1 : 0])->model->graph);
      /* The step names whole, dots and all. */
      for (guint i = 0; i < 2; i++)
        g_assert_cmpstr (((SvdChainStep *) back->steps->pdata[i])->name, ==, models[i]->name);
      g_assert_cmpstr (span->name, ==, "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16");
      g_assert_null (((SvdChainStep *) back->steps->pdata[order == 0 ? 0 : 1])->model->graph);
      /* The odd size on both orders, the even one on the chain. */
      for (int k = 0; k < (order == 0 ? 2 : 1); k++)
        {
          g_autofree char *npy = g_strdup_printf ("%s/reference/inputs/bbb_crf34_%s.npy", svd_test_shared_dir (),
                                                  sizes[k]);
          g_autoptr(SvdImage) input = svd_test_load_npy (npy, &error);

          g_assert_no_error (error);
          compare_runs (chain, back, input, order == 0 ? "Ultra 1x → SPANF3 2x" : "SPANF3 2x → Ultra 1x");
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/export/onnx-graph/crafted-opset11", GINT_TO_POINTER (11), test_crafted);
  g_test_add_data_func ("/export/onnx-graph/crafted-opset17", GINT_TO_POINTER (17), test_crafted);
  g_test_add_func ("/export/onnx-graph/alone", test_alone);
  g_test_add_func ("/export/onnx-graph/split-opsets", test_split_opsets);
  g_test_add_func ("/export/onnx-graph/old-opset-refused", test_old_opset_refused);
  g_test_add_func ("/export/onnx-graph/reader-bad", test_reader_bad);
  g_test_add_func ("/export/onnx-graph/span", test_span);
  return g_test_run ();
}
