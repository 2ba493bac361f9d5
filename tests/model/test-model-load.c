/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-model-load"

/* Every model in ../shared/models loads with the right shape; every file
 * holding the same network gives the same weights (fp32 exactly, fp16/bf16
 * equal to the fp32 weights rounded by us); ONNX pixel-shuffle layouts
 * (CRD, DCR, Reshape/Transpose) built with protobuf-c import to the same
 * PixelShuffle-ordered model. */

#include "svd-test-utils.h"
#include "model-builders.h"
#include "model/svd-model-private.h"

static const struct {
  const char          *file;
  int                  nf, num_conv, scale;
  SvdModelFormat       format;
  SvdStoragePrecision  precision;
  gboolean             clamp;
  const char          *tier;
} shared_models[] = {
  { "seed/1x_super_34_10.pth", 24, 8, 1, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, "Super (SuperUltraCompact)" },
  { "seed/1x_super_34_10_fp32.onnx", 24, 8, 1, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "seed/1x_super_34_10_fp16.onnx", 24, 8, 1, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP16, FALSE, NULL },
  { "seed/1x_mega_34_10.pth", 35, 8, 1, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, "Mega" },
  { "seed/1x_mega_34_10_fp32_optimized.onnx", 35, 8, 1, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "seed/1x_ultra_34_10.pth", 64, 8, 1, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, "Ultra (UltraCompact)" },
  { "seed/1x_ultra_34_10_fp32.onnx", 64, 8, 1, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, "Ultra (UltraCompact)" },
  { "seed/2x_10_2X-10_mega_.pth", 35, 8, 2, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, "Mega" },
  { "seed/2x_10_2X-10_mega_fp32.onnx", 35, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "seed/2x_10_2X-10_mega_f16.onnx", 35, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP16, FALSE, NULL },
  { "seed/2x_10_2X-10_super_fp32.onnx", 24, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "seed/2x_10_2X-10_super_fp32_optimized.onnx", 24, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "other/realesr-animevideov3.pth", 64, 16, 4, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, "Compact" },
  { "other/2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32.onnx", 24, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, TRUE, NULL },
  { "other/2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp16.onnx", 24, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP16, TRUE, NULL },
  { "variants/mega2x_legacy.pth", 35, 8, 2, SVD_MODEL_FORMAT_PTH_LEGACY, SVD_STORAGE_FP32, FALSE, NULL },
  { "variants/mega2x_params_ema_module.pth", 35, 8, 2, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP32, FALSE, NULL },
  { "variants/mega2x_bare_fp16.pth", 35, 8, 2, SVD_MODEL_FORMAT_PTH, SVD_STORAGE_FP16, FALSE, NULL },
  { "variants/mega2x_f32.safetensors", 35, 8, 2, SVD_MODEL_FORMAT_SAFETENSORS, SVD_STORAGE_FP32, FALSE, NULL },
  { "variants/mega2x_f16.safetensors", 35, 8, 2, SVD_MODEL_FORMAT_SAFETENSORS, SVD_STORAGE_FP16, FALSE, NULL },
  { "variants/mega2x_bf16.safetensors", 35, 8, 2, SVD_MODEL_FORMAT_SAFETENSORS, SVD_STORAGE_BF16, FALSE, NULL },
  { "variants/mega2x_torch113_opset9.onnx", 35, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "variants/mega2x_torch113_opset11.onnx", 35, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
  { "variants/mega2x_torch113_opset13.onnx", 35, 8, 2, SVD_MODEL_FORMAT_ONNX, SVD_STORAGE_FP32, FALSE, NULL },
};

/* Shared models that are not SRVGGNetCompact: they load through the graph
 * IR (issue #27; tests/model/test-graph.c checks their results). */
static const struct {
  const char *file;
  const char *tier;
} refused_models[] = {
  { "other/2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16.onnx", "SPAN-family graph" },
};

static SvdModel *
load_shared (const char *rel)
{
  g_autofree char *path = svd_test_shared_path ("models", rel, NULL);
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_load (path, &error);

  if (m == NULL)
    g_error ("%s: %s", rel, error->message);
  return m;
}

static void
test_every_shared_model (void)
{
  g_autoptr(GDir) dir = NULL;
  guint n_listed = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (shared_models); i++)
    {
      g_autoptr(SvdModel) m = load_shared (shared_models[i].file);
      g_autofree char *base = g_path_get_basename (shared_models[i].file);

      g_test_message ("%s: nf %d, %d convs, x%d, %s %s", shared_models[i].file, m->nf, m->num_conv,
                      m->scale, svd_model_format_name (m->source_format),
                      svd_storage_precision_name (m->stored_precision));
      g_assert_cmpint (m->in_ch, ==, 3);
      g_assert_cmpint (m->out_ch, ==, 3);
      g_assert_cmpint (m->nf, ==, shared_models[i].nf);
      g_assert_cmpint (m->num_conv, ==, shared_models[i].num_conv);
      g_assert_cmpint (m->scale, ==, shared_models[i].scale);
      g_assert_cmpint (m->source_format, ==, shared_models[i].format);
      g_assert_cmpint (m->stored_precision, ==, shared_models[i].precision);
      g_assert_cmpint (m->activation, ==, SVD_ACTIVATION_PRELU);
      g_assert_cmpint (m->clamp_output, ==, shared_models[i].clamp);
      if (m->clamp_output)
        {
          g_assert_cmpfloat (m->clamp_min, ==, 0.0f);
          g_assert_cmpfloat (m->clamp_max, ==, 1.0f);
        }
      if (shared_models[i].tier)
        g_assert_cmpstr (svd_model_get_tier_name (m), ==, shared_models[i].tier);
      g_assert_true (g_str_has_prefix (base, m->name));
      g_assert_nonnull (m->path);
      g_assert_true (svd_model_validate (m, NULL));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (refused_models); i++)
    {
      g_autofree char *path = svd_test_shared_path ("models", refused_models[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdModel) m = svd_model_load (path, &error);

      g_assert_no_error (error);
      g_assert_nonnull (m->graph);
      g_assert_cmpstr (svd_model_get_tier_name (m), ==, refused_models[i].tier);
      g_assert_true (svd_model_validate (m, NULL));
    }

  /* The tables cover every model file the shared folders hold. */
  for (const char *const *sub = (const char *const[]) { "seed", "other", "variants", NULL }; *sub; sub++)
    {
      g_autofree char *path = svd_test_shared_path ("models", *sub, NULL);
      const char *name;

      dir = g_dir_open (path, 0, NULL);
      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *rel = g_build_filename (*sub, name, NULL);
          gboolean found = FALSE;

          for (gsize i = 0; i < G_N_ELEMENTS (shared_models); i++)
            found |= strcmp (shared_models[i].file, rel) == 0;
          for (gsize i = 0; i < G_N_ELEMENTS (refused_models); i++)
            found |= strcmp (refused_models[i].file, rel) == 0;
          if (!found)
            g_error ("%s is not in the test's table", rel);
          n_listed++;
        }
      g_clear_pointer (&dir, g_dir_close);
    }
  g_assert_cmpuint (n_listed, ==, G_N_ELEMENTS (shared_models) + G_N_ELEMENTS (refused_models));
}

static float
rounded (SvdStoragePrecision p,
         float               x)
{
  if (p == SVD_STORAGE_FP16)
    return svd_half_to_float (svd_float_to_half (x));
  if (p == SVD_STORAGE_BF16)
    return svd_bf16_to_float (svd_float_to_bf16 (x));
  return x;
}

/* @b's weights must be @a's rounded to @p (exact for fp32). */
static void
assert_same_weights (const SvdModel      *a,
                     const SvdModel      *b,
                     SvdStoragePrecision  p,
                     const char          *what)
{
  g_assert_cmpint (a->n_layers, ==, b->n_layers);
  for (int l = 0; l < a->n_layers; l++)
    {
      const SvdConvLayer *x = &a->layers[l], *y = &b->layers[l];
      gsize n = (gsize) x->out_ch * x->in_ch * 9;

      g_assert_cmpint (x->out_ch, ==, y->out_ch);
      g_assert_cmpint (x->in_ch, ==, y->in_ch);
      for (gsize k = 0; k < n; k++)
        if (rounded (p, x->weight[k]) != y->weight[k])
          g_error ("%s: layer %d weight %" G_GSIZE_FORMAT ": %.9g, expected %.9g", what, l, k,
                   y->weight[k], rounded (p, x->weight[k]));
      for (int k = 0; k < x->out_ch; k++)
        {
          if (rounded (p, x->bias[k]) != y->bias[k])
            g_error ("%s: layer %d bias %d: %.9g, expected %.9g", what, l, k, y->bias[k], rounded (p, x->bias[k]));
          if (x->slope && rounded (p, x->slope[k]) != y->slope[k])
            g_error ("%s: layer %d slope %d: %.9g, expected %.9g", what, l, k, y->slope[k], rounded (p, x->slope[k]));
        }
    }
}

static void
test_same_weights_everywhere (void)
{
  static const struct {
    const char *reference;
    const char *file;
  } pairs[] = {
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_legacy.pth" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_params_ema_module.pth" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_bare_fp16.pth" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_f32.safetensors" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_f16.safetensors" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_bf16.safetensors" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_torch113_opset9.onnx" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_torch113_opset11.onnx" },
    { "seed/2x_10_2X-10_mega_.pth", "variants/mega2x_torch113_opset13.onnx" },
    { "seed/2x_10_2X-10_mega_.pth", "seed/2x_10_2X-10_mega_fp32.onnx" },
    { "seed/2x_10_2X-10_mega_.pth", "seed/2x_10_2X-10_mega_f16.onnx" },
    { "seed/1x_super_34_10.pth", "seed/1x_super_34_10_fp32.onnx" },
    { "seed/1x_super_34_10.pth", "seed/1x_super_34_10_fp16.onnx" },
    { "seed/1x_ultra_34_10.pth", "seed/1x_ultra_34_10_fp32.onnx" },
    { "seed/1x_mega_34_10.pth", "seed/1x_mega_34_10_fp32_optimized.onnx" },
    { "seed/2x_10_2X-10_super_fp32.onnx", "seed/2x_10_2X-10_super_fp32_optimized.onnx" },
    { "other/2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32.onnx", "other/2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp16.onnx" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr(SvdModel) a = load_shared (pairs[i].reference);
      g_autoptr(SvdModel) b = load_shared (pairs[i].file);

      g_test_message ("%s == %s (%s)", pairs[i].file, pairs[i].reference,
                      svd_storage_precision_name (b->stored_precision));
      assert_same_weights (a, b, b->stored_precision, pairs[i].file);
    }
}

static SvdModel *
load_bytes (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_load_from_bytes (bytes, "tiny.onnx", &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static void
test_onnx_shuffle_layouts (void)
{
  for (int scale = 1; scale <= 4; scale++)
    {
      g_autoptr(SvdModel) ref = mb_random_model (3, 4, 1, scale, 42 + scale);
      MbOnnxOptions crd = { .shuffle = MB_SHUFFLE_CRD };
      MbOnnxOptions dcr = { .shuffle = MB_SHUFFLE_DCR };
      MbOnnxOptions rsh = { .shuffle = MB_SHUFFLE_RESHAPE_DCR, .slope_constant = TRUE, .sizes_from_shape = TRUE };
      MbOnnxOptions fd = { .shuffle = MB_SHUFFLE_CRD, .float_data = TRUE, .resize_axes = TRUE };
      g_autoptr(GBytes) b1 = mb_onnx (ref, &crd);
      g_autoptr(GBytes) b2 = mb_onnx (ref, &dcr);
      g_autoptr(GBytes) b3 = mb_onnx (ref, &rsh);
      g_autoptr(GBytes) b4 = mb_onnx (ref, &fd);
      g_autoptr(SvdModel) m1 = load_bytes (b1);
      g_autoptr(SvdModel) m2 = load_bytes (b2);
      g_autoptr(SvdModel) m3 = load_bytes (b3);
      g_autoptr(SvdModel) m4 = load_bytes (b4);

      g_assert_cmpint (m2->scale, ==, scale);
      assert_same_weights (ref, m1, SVD_STORAGE_FP32, "CRD");
      assert_same_weights (ref, m2, SVD_STORAGE_FP32, "DCR");
      assert_same_weights (ref, m3, SVD_STORAGE_FP32, "Reshape/Transpose DCR");
      assert_same_weights (ref, m4, SVD_STORAGE_FP32, "float_data, opset 18 Resize axes");
      if (scale > 1)
        {
          /* The DCR file really stores another order: reading it as CRD
           * would give different weights. */
          const SvdConvLayer *last = &ref->layers[ref->n_layers - 1];
          gsize per = (gsize) last->in_ch * 9;
          gboolean differs = FALSE;

          for (int c = 0; c < last->out_ch; c++)
            {
              int ch = c / (scale * scale), i = (c / scale) % scale, j = c % scale;
              int dcr_index = (i * scale + j) * 3 + ch;

              differs |= dcr_index != c;
              g_assert_cmpfloat (m2->layers[ref->n_layers - 1].weight[c * per], ==, last->weight[c * per]);
            }
          g_assert_true (differs);
        }
    }
}

/* Every opset the importer accepts, each written the way that opset
 * spells the upsample: Upsample with a scales attribute (7, 8), with a
 * scales input (9, 10), Resize with roi/scales (11+), half_pixel_symmetric
 * (19+), axes (18+). The weights must come back unchanged. */
static void
test_onnx_opsets (void)
{
  static const struct {
    int         opset;
    gboolean    upsample, axes;
    const char *ctm;
  } cases[] = {
    { 7, TRUE }, { 8, TRUE }, { 9, TRUE }, { 10, TRUE }, { 11 }, { 13 }, { 17 },
    { 18, FALSE, TRUE }, { 19, FALSE, FALSE, "half_pixel_symmetric" }, { 20 },
    { 21, FALSE, FALSE, "half_pixel" }, { 22 }, { 23 }, { 23, FALSE, TRUE },
    { 23, FALSE, FALSE, "half_pixel_symmetric" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SvdModel) ref = mb_random_model (3, 4, 1, 2, 60 + (guint32) i);
      MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .opset = cases[i].opset, .upsample = cases[i].upsample,
                          .resize_axes = cases[i].axes, .resize_ctm = cases[i].ctm };
      g_autoptr(GBytes) b = mb_onnx (ref, &o);
      g_autoptr(SvdModel) m = load_bytes (b);
      g_autofree char *what = g_strdup_printf ("opset %d", cases[i].opset);

      g_assert_cmpint (m->scale, ==, 2);
      g_assert_cmpstr (g_hash_table_lookup (m->metadata, "onnx.opset"), ==, what + 6);
      assert_same_weights (ref, m, SVD_STORAGE_FP32, what);
    }
}

static void
test_onnx_fp16_int32_data (void)
{
  g_autoptr(SvdModel) ref = mb_random_model (3, 8, 2, 2, 7);
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .fp16 = TRUE };
  g_autoptr(GBytes) b = mb_onnx (ref, &o);
  g_autoptr(SvdModel) m = load_bytes (b);

  g_assert_cmpint (m->stored_precision, ==, SVD_STORAGE_FP16);
  assert_same_weights (ref, m, SVD_STORAGE_FP16, "fp16 in int32_data");
}

static void
test_generated_state_dicts (void)
{
  g_autoptr(SvdModel) ref = mb_random_model (3, 6, 3, 3, 99);
  GBytes *files[] = {
    mb_safetensors (ref, SVD_STORAGE_FP32, NULL, "{\"tier\":\"test\",\"recipe\":\"none\"}"),
    mb_pth_zip (ref, NULL),
    mb_pth_zip (ref, "params_ema"),
    mb_pth_legacy (ref),
  };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdModel) m = svd_model_load_from_bytes (files[i], "tiny.pth", &error);

      g_assert_no_error (error);
      g_assert_cmpint (m->nf, ==, 6);
      g_assert_cmpint (m->num_conv, ==, 3);
      g_assert_cmpint (m->scale, ==, 3);
      g_assert_cmpstr (m->name, ==, "tiny");
      assert_same_weights (ref, m, SVD_STORAGE_FP32, "generated state dict");
      if (i == 0)
        {
          g_assert_nonnull (m->metadata);
          g_assert_cmpstr (g_hash_table_lookup (m->metadata, "tier"), ==, "test");
        }
      g_bytes_unref (files[i]);
    }
}

static void
test_other_activations (void)
{
  g_autoptr(SvdModel) ref = mb_random_model (3, 4, 2, 2, 23);

  /* ONNX Relu and LeakyRelu in place of the first PRelu. */
  for (int k = 0; k < 2; k++)
    {
      MbOnnxOptions o = { .shuffle = MB_SHUFFLE_CRD, .replace_act_op = k ? "LeakyRelu" : "Relu" };
      g_autoptr(GBytes) b = mb_onnx (ref, &o);
      g_autoptr(SvdModel) m = load_bytes (b);
      float want = k ? 0.01f : 0.0f;

      for (int c = 0; c < m->nf; c++)
        {
          g_assert_cmpfloat (m->layers[0].slope[c], ==, want);
          g_assert_cmpfloat (m->layers[1].slope[c], ==, ref->layers[1].slope[c]);
        }
      /* Mixed activations keep per-channel slopes. */
      g_assert_cmpint (m->activation, ==, SVD_ACTIVATION_PRELU);
    }

  /* A state dict without odd-index weights is a ReLU net. */
  {
    g_autoptr(SvdModel) relu = mb_random_model (3, 4, 2, 2, 29);
    g_autoptr(GBytes) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(SvdModel) m = NULL;

    relu->activation = SVD_ACTIVATION_RELU;
    for (int l = 0; l + 1 < relu->n_layers; l++)
      memset (relu->layers[l].slope, 0, sizeof (float) * relu->layers[l].out_ch);
    b = mb_safetensors (relu, SVD_STORAGE_FP32, NULL, NULL);
    m = svd_model_load_from_bytes (b, "relu.safetensors", &error);
    g_assert_no_error (error);
    g_assert_cmpint (m->activation, ==, SVD_ACTIVATION_RELU);
    g_assert_cmpint (m->num_conv, ==, 2);
    assert_same_weights (relu, m, SVD_STORAGE_FP32, "ReLU state dict");
  }
}

static void
test_pth_strided_view (void)
{
  /* w[i][j] = storage[1 + i·1 + j·2] over storage 0..7: a transposed,
   * offset view that must be gathered, not copied as-is. */
  g_autoptr(GBytes) b = mb_pth_zip_strided (1);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdStateDict) sd = svd_state_dict_load_from_data (d, len, SVD_STATE_DICT_DEFAULT, &error);
  const SvdTensor *w;
  const float want[] = { 1, 3, 5, 2, 4, 6 };

  g_assert_no_error (error);
  w = svd_state_dict_lookup (sd, "w");
  g_assert_nonnull (w);
  g_assert_cmpint (w->ndim, ==, 2);
  g_assert_cmpint (w->shape[0], ==, 2);
  g_assert_cmpint (w->shape[1], ==, 3);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (w->data[i], ==, want[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model-load/onnx-shuffle-layouts", test_onnx_shuffle_layouts);
  g_test_add_func ("/model-load/onnx-fp16-int32-data", test_onnx_fp16_int32_data);
  g_test_add_func ("/model-load/onnx-opsets", test_onnx_opsets);
  g_test_add_func ("/model-load/generated-state-dicts", test_generated_state_dicts);
  g_test_add_func ("/model-load/other-activations", test_other_activations);
  g_test_add_func ("/model-load/pth-strided-view", test_pth_strided_view);
  if (g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_add_func ("/model-load/every-shared-model", test_every_shared_model);
      g_test_add_func ("/model-load/same-weights-everywhere", test_same_weights_everywhere);
    }
  else
    g_test_message ("SKIP shared-model cases: %s is missing", svd_test_shared_dir ());
  return g_test_run ();
}
