/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue #27: the graph IR, its ONNX importer and its CPU reference. The
 * shared SPANF3 model against ONNX Runtime's outputs; crafted graphs (made
 * here with model-builders.c) that must be refused naming the op; and small
 * graphs whose results are worked out by hand. */
#include "svd-test-utils.h"
#include "model-builders.h"
#include "model/svd-model-private.h"
#include "model/svd-graph.h"
#include "model/svd-onnx-fold.h"
#include "engine/svd-graph-ref.h"

#include <math.h>

#define SPAN "2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16"

static SvdModel *
load_span (void)
{
  g_autofree char *path = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  g_autoptr(GError) error = NULL;
  SvdModel *m;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  m = svd_model_load (path, &error);
  g_assert_no_error (error);
  return m;
}

static void
test_span_info (void)
{
  g_autoptr(SvdModel) m = load_span ();
  const SvdGraph *g;
  int mw, mh;

  if (m == NULL)
    {
      g_test_skip ("no ../shared");
      return;
    }
  g_assert_nonnull (m->graph);
  g_assert_cmpint (m->scale, ==, 2);
  g_assert_cmpint (m->in_ch, ==, 3);
  g_assert_cmpint (m->stored_precision, ==, SVD_STORAGE_FP16);
  g = svd_graph_source_get_probe (m->graph);
  /* 17 3×3 and 6 1×1 convs, as the issue counts them. */
  {
    int k3 = 0, k1 = 0;

    for (guint i = 0; i < g->ops->len; i++)
      {
        const SvdGraphOp *op = svd_graph_op (g, (int) i);

        if (op->type == SVD_GRAPH_OP_CONV)
          {
            k3 += op->kh == 3;
            k1 += op->kh == 1;
          }
      }
    g_assert_cmpint (k3, ==, 17);
    g_assert_cmpint (k1, ==, 6);
  }
  g_assert_cmpuint (svd_model_get_n_params (m), ==, 358800);
  svd_graph_source_get_min_size (m->graph, &mw, &mh);
  g_assert_cmpint (mw, ==, 2);
  g_assert_cmpint (mh, ==, 2);
}

static void
test_span_ort (gconstpointer data)
{
  const char *size = data;
  g_autoptr(SvdModel) m = load_span ();
  g_autofree char *in_path = NULL, *out_path = NULL;
  g_autoptr(SvdImage) in = NULL, want = NULL, got = NULL;
  g_autoptr(GError) error = NULL;
  double diff;

  if (m == NULL)
    {
      g_test_skip ("no ../shared");
      return;
    }
  in_path = svd_test_shared_path ("reference", "inputs", NULL);
  g_free (in_path);
  in_path = g_strdup_printf ("%s/reference/inputs/bbb_crf34_%s.npy", svd_test_shared_dir (), size);
  out_path = g_strdup_printf ("%s/reference/outputs/" SPAN "__bbb_crf34_%s.npy", svd_test_shared_dir (), size);
  in = svd_test_load_npy (in_path, &error);
  g_assert_no_error (error);
  want = svd_test_load_npy (out_path, &error);
  g_assert_no_error (error);
  /* ONNX Runtime was fed the input rounded to half. */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < in->height; y++)
      {
        float *row = (float *) (in->data[c] + (gsize) y * in->stride[c]);

        for (int x = 0; x < in->width; x++)
          row[x] = svd_half_to_float (svd_float_to_half (row[x]));
      }
  got = svd_model_run_reference_chain (&m, 1, in, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->width, ==, want->width);
  g_assert_cmpint (got->height, ==, want->height);
  diff = svd_test_max_abs_diff (got, want);
  g_test_message ("SPANF3 %s: CPU fp32 reference vs ONNX Runtime fp16: max abs %.3g", size, diff);
  g_assert_cmpfloat (diff, <, 1e-2);
}

static void
test_span_too_small (void)
{
  g_autoptr(SvdModel) m = load_span ();
  g_autoptr(SvdImage) in = NULL;
  g_autoptr(SvdImage) out = NULL;
  g_autoptr(GError) error = NULL;

  if (m == NULL)
    {
      g_test_skip ("no ../shared");
      return;
    }
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 1, 1, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 1);
  out = svd_model_run_reference_chain (&m, 1, in, 1, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "at least 2×2"));
  g_assert_nonnull (strstr (error->message, "1×1"));
}

/* ---- Crafted graphs ---------------------------------------------------- */

static const gint64 dims_w11[4] = { 3, 3, 1, 1 };

static void
identity_weights (float *w)
{
  memset (w, 0, sizeof (float) * 9);
  for (int i = 0; i < 3; i++)
    w[i * 3 + i] = 1;
}

static void
expect_refused (GBytes      *bytes,
                const char *const *needles)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_load_from_bytes (bytes, "crafted", &error);

  g_assert_null (m);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  for (int i = 0; needles[i] != NULL; i++)
    if (strstr (error->message, needles[i]) == NULL)
      g_error ("“%s” not in “%s”", needles[i], error->message);
}

static void
test_bad_unsupported_op (void)
{
  MbGraph *g = mb_graph_new ();
  float w[9];

  identity_weights (w);
  mb_graph_floats (g, "w", 4, dims_w11, w);
  mb_graph_node (g, "Conv", "/conv", "c", (const char *[]) { "x", "w", NULL });
  mb_graph_node (g, "Softplus", "/softplus", "y", (const char *[]) { "c", NULL });
  expect_refused (mb_graph_finish (g, "x", NULL, "y", 17), (const char *[]) { "/softplus", "Softplus", NULL });
}

static void
test_bad_dynamic_channels (void)
{
  MbGraph *g = mb_graph_new ();

  mb_graph_node (g, "Relu", "/relu", "y", (const char *[]) { "x", NULL });
  expect_refused (mb_graph_finish (g, "x", "channels", "y", 17),
                  (const char *[]) { "“x”", "dynamic", "channel", NULL });
}

static void
test_bad_cycle (void)
{
  MbGraph *g = mb_graph_new ();

  mb_graph_node (g, "Add", "/add", "a", (const char *[]) { "x", "b", NULL });
  mb_graph_node (g, "Relu", "/relu", "b", (const char *[]) { "a", NULL });
  mb_graph_node (g, "Tanh", "/tanh", "y", (const char *[]) { "a", NULL });
  expect_refused (mb_graph_finish (g, "x", NULL, "y", 17), (const char *[]) { "cycle", "(Add)", NULL });
}

static void
test_bad_shape_arithmetic (void)
{
  /* A Reshape whose shape is computed from the image's values (a Gather of
   * the image), not from its size. */
  MbGraph *g = mb_graph_new ();
  gint64 idx[1] = { 0 };

  mb_graph_ints (g, "i", idx, 1);
  mb_graph_node (g, "Relu", "/relu", "r", (const char *[]) { "x", NULL });
  mb_graph_node (g, "Gather", "/gather", "s", (const char *[]) { "r", "i", NULL });
  mb_graph_node (g, "Reshape", "/reshape", "y", (const char *[]) { "x", "s", NULL });
  expect_refused (mb_graph_finish (g, "x", NULL, "y", 17), (const char *[]) { "/gather", "Gather", NULL });

  /* The same through an op that does run on images: the Reshape is named
   * and the node its shape came from. */
  g = mb_graph_new ();
  mb_graph_node (g, "Relu", "/relu", "r", (const char *[]) { "x", NULL });
  mb_graph_node (g, "Reshape", "/reshape", "y", (const char *[]) { "x", "r", NULL });
  expect_refused (mb_graph_finish (g, "x", NULL, "y", 17),
                  (const char *[]) { "/reshape", "Reshape", "/relu", "does not fold", NULL });
}

/* A tiny graph of the IR's other ops: Pad(edge) → 1×1 conv (identity) →
 * Slice (crop back) → Sigmoid → Mul by per-channel constants → Clip, then
 * Resize nearest ×2. Values checked against a hand computation. */
static void
test_small_ops (void)
{
  MbGraph *g = mb_graph_new ();
  float w[9];
  gint64 pads[8] = { 0, 0, 1, 1, 0, 0, 1, 1 }, starts[2] = { 1, 1 }, ends[2] = { -1, -1 }, axes[2] = { 2, 3 };
  gint64 kdims[4] = { 1, 3, 1, 1 }, sdims[1] = { 4 };
  float k[3] = { 1, 2, 3 }, sc[4] = { 1, 1, 2, 2 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL, out = NULL;
  g_autoptr(GError) error = NULL;

  identity_weights (w);
  mb_graph_floats (g, "w", 4, dims_w11, w);
  mb_graph_ints (g, "pads", pads, 8);
  mb_graph_ints (g, "starts", starts, 2);
  mb_graph_ints (g, "ends", ends, 2);
  mb_graph_ints (g, "axes", axes, 2);
  mb_graph_floats (g, "k", 4, kdims, k);
  mb_graph_floats (g, "scales", 1, sdims, sc);
  mb_graph_node (g, "Pad", "/pad", "p", (const char *[]) { "x", "pads", NULL });
  mb_graph_attr_string (g, "mode", "edge");
  mb_graph_node (g, "Conv", "/conv", "c", (const char *[]) { "p", "w", NULL });
  mb_graph_node (g, "Slice", "/slice", "s", (const char *[]) { "c", "starts", "ends", "axes", NULL });
  mb_graph_node (g, "Sigmoid", "/sigmoid", "g", (const char *[]) { "s", NULL });
  mb_graph_node (g, "Mul", "/mul", "m", (const char *[]) { "g", "k", NULL });
  mb_graph_node (g, "Clip", "/clip", "cl", (const char *[]) { "m", NULL });
  mb_graph_node (g, "Resize", "/resize", "y", (const char *[]) { "cl", "", "scales", NULL });
  mb_graph_attr_string (g, "mode", "nearest");
  mb_graph_attr_string (g, "coordinate_transformation_mode", "asymmetric");
  mb_graph_attr_string (g, "nearest_mode", "floor");
  bytes = mb_graph_finish (g, "x", NULL, "y", 17);
  m = svd_model_load_from_bytes (bytes, "small", &error);
  g_assert_no_error (error);
  g_assert_nonnull (m->graph);
  g_assert_cmpint (m->scale, ==, 2);

  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 5, 3, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 7);
  out = svd_model_run_reference_chain (&m, 1, in, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 10);
  g_assert_cmpint (out->height, ==, 6);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 6; y++)
      for (int x = 0; x < 10; x++)
        {
          float v = ((const float *) (in->data[c] + (gsize) (y / 2) * in->stride[c]))[x / 2];
          float want = k[c] / (1 + expf (-v));
          float got = ((const float *) (out->data[c] + (gsize) y * out->stride[c]))[x];

          g_assert_cmpfloat_with_epsilon (got, want, 1e-6);
        }
}

/* Found by fuzz-onnx: an activation's import kept a pointer to its input
 * tensor across adding the output tensor, whose array could move (a
 * heap-use-after-free the sanitizer suite catches). Twenty PRelu and Relu
 * nodes take the tensor table through several reallocations. */
static void
test_many_prelu (void)
{
  MbGraph *g = mb_graph_new ();
  gint64 sdims[3] = { 3, 1, 1 };
  float slope[3] = { 0.25f, 0.5f, 0.75f };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL, out = NULL;
  g_autoptr(GError) error = NULL;
  char names[21][8];

  mb_graph_floats (g, "slope", 3, sdims, slope);
  g_strlcpy (names[0], "x", sizeof names[0]);
  for (int i = 1; i <= 20; i++)
    {
      g_autofree char *node = g_strdup_printf ("/act%d", i);

      g_snprintf (names[i], sizeof names[i], "t%d", i);
      if (i == 20)
        g_strlcpy (names[i], "y", sizeof names[i]);
      if (i % 2)
        mb_graph_node (g, "PRelu", node, names[i], (const char *[]) { names[i - 1], "slope", NULL });
      else
        mb_graph_node (g, "Relu", node, names[i], (const char *[]) { names[i - 1], NULL });
    }
  bytes = mb_graph_finish (g, "x", NULL, "y", 17);
  m = svd_model_load_from_bytes (bytes, "many-prelu", &error);
  g_assert_no_error (error);
  g_assert_nonnull (m->graph);

  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 4, 3, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 3);
  out = svd_model_run_reference_chain (&m, 1, in, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 4);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 3; y++)
      for (int x = 0; x < 4; x++)
        g_assert_cmpfloat_with_epsilon (((const float *) (out->data[c] + (gsize) y * out->stride[c]))[x],
                                        MAX (0.0f, ((const float *) (in->data[c] + (gsize) y * in->stride[c]))[x]),
                                        1e-6);
}

/* Slice bounds at the ends of int64, as PyTorch writes `x[:, :, 1:]`
 * (ends = INT64_MAX, "to the end") and as a hostile file may write its
 * steps. INT64_MAX becomes 2^63 as a double, one past the int64 range:
 * the graph importer cast it to int64 (undefined; INT64_MIN on x86), so
 * the crop came out empty and the model was refused. A step of INT64_MAX
 * on a constant overflowed the element count. Here: Pad one row and
 * column at the start (edge), Slice them off with ends INT64_MAX, and
 * multiply by k[::INT64_MAX] (k's first value, 3): the model is 3·x. */
static void
test_slice_int64_bounds (void)
{
  MbGraph *g = mb_graph_new ();
  gint64 pads[8] = { 0, 0, 1, 1, 0, 0, 0, 0 }, starts[2] = { 1, 1 }, ends[2] = { G_MAXINT64, G_MAXINT64 };
  gint64 axes[2] = { 2, 3 }, kstart[1] = { 0 }, kend[1] = { G_MAXINT64 }, kaxis[1] = { 1 }, kstep[1] = { G_MAXINT64 };
  gint64 kdims[4] = { 1, 3, 1, 1 };
  float k[3] = { 3, 5, 7 };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL, out = NULL;
  g_autoptr(GError) error = NULL;

  mb_graph_ints (g, "pads", pads, 8);
  mb_graph_ints (g, "starts", starts, 2);
  mb_graph_ints (g, "ends", ends, 2);
  mb_graph_ints (g, "axes", axes, 2);
  mb_graph_floats (g, "k", 4, kdims, k);
  mb_graph_ints (g, "kstart", kstart, 1);
  mb_graph_ints (g, "kend", kend, 1);
  mb_graph_ints (g, "kaxis", kaxis, 1);
  mb_graph_ints (g, "kstep", kstep, 1);
  mb_graph_node (g, "Pad", "/pad", "p", (const char *[]) { "x", "pads", NULL });
  mb_graph_attr_string (g, "mode", "edge");
  mb_graph_node (g, "Slice", "/slice", "s", (const char *[]) { "p", "starts", "ends", "axes", NULL });
  mb_graph_node (g, "Slice", "/kslice", "k1", (const char *[]) { "k", "kstart", "kend", "kaxis", "kstep", NULL });
  mb_graph_node (g, "Mul", "/mul", "y", (const char *[]) { "s", "k1", NULL });
  bytes = mb_graph_finish (g, "x", NULL, "y", 17);
  m = svd_model_load_from_bytes (bytes, "slice-int64", &error);
  g_assert_no_error (error);
  g_assert_nonnull (m->graph);
  g_assert_cmpint (m->scale, ==, 1);

  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 5, 4, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 9);
  out = svd_model_run_reference_chain (&m, 1, in, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 5);
  g_assert_cmpint (out->height, ==, 4);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 4; y++)
      for (int x = 0; x < 5; x++)
        g_assert_cmpfloat_with_epsilon (((const float *) (out->data[c] + (gsize) y * out->stride[c]))[x],
                                        3 * ((const float *) (in->data[c] + (gsize) y * in->stride[c]))[x], 1e-6);
}

/* The shared constant folder's conversion of file values to int64:
 * saturating (2^63 is INT64_MAX as a double, "to the end" in a Slice),
 * NaN to INT64_MIN, never an undefined cast. And a Range whose count is
 * past the folder's limit is refused naming the limit; it used to fold
 * into an empty tensor. */
static void
test_fold_int64 (void)
{
  MbGraph *g = mb_graph_new ();
  float lim[1] = { 1e12f }, zero[1] = { 0 }, one[1] = { 1 };
  gint64 d1[1] = { 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_cmpint (svd_onnx_to_i64 (9223372036854775808.0), ==, G_MAXINT64);
  g_assert_cmpint (svd_onnx_to_i64 ((double) G_MAXINT64), ==, G_MAXINT64);
  g_assert_cmpint (svd_onnx_to_i64 (1e300), ==, G_MAXINT64);
  g_assert_cmpint (svd_onnx_to_i64 (INFINITY), ==, G_MAXINT64);
  g_assert_cmpint (svd_onnx_to_i64 (-INFINITY), ==, G_MININT64);
  g_assert_cmpint (svd_onnx_to_i64 ((double) G_MININT64), ==, G_MININT64);
  g_assert_cmpint (svd_onnx_to_i64 (-1e300), ==, G_MININT64);
  g_assert_cmpint (svd_onnx_to_i64 (NAN), ==, G_MININT64);
  g_assert_cmpint (svd_onnx_to_i64 (4.5e18), ==, (gint64) 4500000000000000000);
  g_assert_cmpint (svd_onnx_to_i64 (-3.7), ==, -3);

  mb_graph_floats (g, "start", 1, d1, zero);
  mb_graph_floats (g, "limit", 1, d1, lim);
  mb_graph_floats (g, "delta", 1, d1, one);
  mb_graph_node (g, "Range", "/range", "r", (const char *[]) { "start", "limit", "delta", NULL });
  mb_graph_node (g, "Mul", "/mul", "y", (const char *[]) { "x", "r", NULL });
  bytes = mb_graph_finish (g, "x", NULL, "y", 17);
  m = svd_model_load_from_bytes (bytes, "range", &error);
  g_assert_null (m);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "elements (the constant folder's limit per tensor)"));
}

/* A SPAN-family model is a chain stage like any other: a mixed chain
 * (compact 1x → SPANF3 2x) runs; the preset keeps it; AnimeJaNai gets the
 * model file itself; the model library lists it; the mpv GLSL and fused
 * ONNX exports refuse it plainly. */
static void
test_span_integration (void)
{
  g_autoptr(SvdModel) span = load_span ();
  g_autoptr(SvdModel) compact = NULL;
  g_autoptr(SvdChain) chain = NULL;
  g_autoptr(SvdChain) single = NULL;
  g_autoptr(SvdChain) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) in = NULL, out = NULL;
  g_autoptr(SvdModelEntry) entry = NULL;
  g_autofree char *dir = NULL, *span_path = NULL, *glsl = NULL, *preset = NULL, *aj = NULL;
  g_autofree char *copy = NULL, *orig = NULL;
  gsize copy_len, orig_len;
  SvdModel *models[2];

  if (span == NULL)
    {
      g_test_skip ("no ../shared");
      return;
    }
  span_path = svd_test_shared_path ("models", "other", SPAN ".onnx", NULL);
  compact = mb_random_model (3, 8, 2, 1, 3);
  models[0] = compact;
  models[1] = span;
  chain = svd_chain_new_from_models ("mixed", models, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (svd_chain_get_scale (chain), ==, 2.0);
  g_assert_cmpfloat (svd_chain_get_gflop (chain, 64, 48), >, 0.0);

  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 21, 13, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 5);
  out = svd_model_run_reference_chain (models, 2, in, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 42);
  g_assert_cmpint (out->height, ==, 26);

  glsl = svd_glsl_export_chain (chain, &error);
  g_assert_null (glsl);
  g_assert_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "covers compact models only"));
  g_clear_error (&error);

  dir = g_dir_make_tmp ("svd-graph-XXXXXX", &error);
  g_assert_no_error (error);
  {
    /* The fused ONNX keeps the graph (tests/export/test-onnx-graph-export.c
     * checks the file): it reads back as the same two steps. */
    g_autofree char *onnx = g_build_filename (dir, "fused.onnx", NULL);
    g_autoptr(SvdChain) fused = NULL;

    g_assert_true (svd_chain_export (chain, SVD_CHAIN_EXPORT_ONNX, NULL, onnx, &error));
    g_assert_no_error (error);
    fused = svd_chain_parse (onnx, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fused->steps->len, ==, 2);
    g_assert_null (((SvdChainStep *) fused->steps->pdata[0])->model->graph);
    g_assert_nonnull (((SvdChainStep *) fused->steps->pdata[1])->model->graph);
  }

  aj = g_build_filename (dir, "aj", NULL);
  g_assert_true (svd_chain_export (chain, SVD_CHAIN_EXPORT_ANIMEJANAI, NULL, aj, &error));
  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (aj, "onnx", SPAN ".onnx", NULL);

    g_assert_true (g_file_get_contents (file, &copy, &copy_len, &error));
    g_assert_true (g_file_get_contents (span_path, &orig, &orig_len, &error));
    g_assert_cmpmem (copy, copy_len, orig, orig_len);
  }

  single = svd_chain_parse (span_path, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  preset = g_build_filename (dir, "span.json", NULL);
  g_assert_true (svd_chain_export (single, SVD_CHAIN_EXPORT_PRESET, NULL, preset, &error));
  g_assert_no_error (error);
  back = svd_chain_parse (preset, NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->steps->len, ==, 1);
  g_assert_nonnull (((SvdChainStep *) back->steps->pdata[0])->model->graph);

  entry = svd_model_entry_new_for_path (span_path, NULL);
  g_assert_null (entry->error);
  g_assert_cmpstr (entry->tier, ==, "SPAN-family");
  g_assert_cmpint (entry->scale, ==, 2);
  g_assert_cmpfloat (svd_model_entry_gflop (entry, 960, 540), >, 90.0);
  svd_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/span/info", test_span_info);
  g_test_add_data_func ("/graph/span/ort/37x53", "37x53", test_span_ort);
  g_test_add_data_func ("/graph/span/ort/64x96", "64x96", test_span_ort);
  g_test_add_func ("/graph/span/too-small", test_span_too_small);
  g_test_add_func ("/graph/bad/unsupported-op", test_bad_unsupported_op);
  g_test_add_func ("/graph/bad/dynamic-channels", test_bad_dynamic_channels);
  g_test_add_func ("/graph/bad/cycle", test_bad_cycle);
  g_test_add_func ("/graph/bad/shape-arithmetic", test_bad_shape_arithmetic);
  g_test_add_func ("/graph/small-ops", test_small_ops);
  g_test_add_func ("/graph/many-prelu", test_many_prelu);
  g_test_add_func ("/graph/slice-int64-bounds", test_slice_int64_bounds);
  g_test_add_func ("/graph/fold-int64", test_fold_int64);
  g_test_add_func ("/graph/span/integration", test_span_integration);
  return g_test_run ();
}
