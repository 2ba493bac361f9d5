/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-engine-parity"

#include "svd-test-utils.h"

#include <math.h>
#include <string.h>

/* Every model in ../shared/models against the reference outputs of ONNX
 * Runtime / PyTorch (../shared/reference/README.md), on the CPU reference
 * and on the OpenCL engine; then chains of shared models, OpenCL vs the
 * CPU reference chain. `--conv=wino2|wino4` runs the body convs by Winograd
 * (meson runs the test with each), same tolerances. */

static SvdClContext *ctx;
static SvdEngine *engine;

static const char *inputs[] = { "bbb_crf34_64x96", "bbb_crf34_37x53", "bbb_crf34_1x1" };

typedef struct {
  const char *dir;
  const char *file;
  const char *ref;        /* output name prefix */
  double      tol;
  gboolean    half_input; /* the reference was fed the input rounded to half */
} Case;

static const Case cases[] = {
  { "seed", "1x_mega_34_10.pth", "1x_mega_34_10", 1e-4, FALSE },
  { "seed", "1x_mega_34_10_fp32_optimized.onnx", "1x_mega_34_10_fp32_optimized", 1e-4, FALSE },
  { "seed", "1x_super_34_10.pth", "1x_super_34_10", 1e-4, FALSE },
  { "seed", "1x_super_34_10_fp16.onnx", "1x_super_34_10_fp16", 2e-3, TRUE },
  { "seed", "1x_super_34_10_fp32.onnx", "1x_super_34_10_fp32", 1e-4, FALSE },
  { "seed", "1x_ultra_34_10_fp32.onnx", "1x_ultra_34_10_fp32", 1e-4, FALSE },
  { "seed", "2x_10_2X-10_mega_.pth", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "seed", "2x_10_2X-10_mega_f16.onnx", "2x_10_2X-10_mega_f16", 2e-3, TRUE },
  { "seed", "2x_10_2X-10_mega_fp32.onnx", "2x_10_2X-10_mega_fp32", 1e-4, FALSE },
  { "seed", "2x_10_2X-10_super_fp32.onnx", "2x_10_2X-10_super_fp32", 1e-4, FALSE },
  { "seed", "2x_10_2X-10_super_fp32_optimized.onnx", "2x_10_2X-10_super_fp32_optimized", 1e-4, FALSE },
  { "other", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32.onnx", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32", 1e-4, FALSE },
  { "other", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp16.onnx", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp16", 2e-3, TRUE },
  { "other", "realesr-animevideov3.pth", "realesr-animevideov3", 1e-4, FALSE },
  { "variants", "mega2x_bare_fp16.pth", "mega2x_f16_weights", 1e-4, FALSE },
  { "variants", "mega2x_bf16.safetensors", "mega2x_bf16_weights", 1e-4, FALSE },
  { "variants", "mega2x_f16.safetensors", "mega2x_f16_weights", 1e-4, FALSE },
  { "variants", "mega2x_f32.safetensors", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "variants", "mega2x_legacy.pth", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "variants", "mega2x_params_ema_module.pth", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "variants", "mega2x_torch113_opset11.onnx", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "variants", "mega2x_torch113_opset13.onnx", "2x_10_2X-10_mega_", 1e-4, FALSE },
  { "variants", "mega2x_torch113_opset9.onnx", "2x_10_2X-10_mega_", 1e-4, FALSE },
};

static SvdImage *
load_input (const char *name,
            gboolean    half)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = svd_test_shared_path ("reference", "inputs", file, NULL);
  g_autoptr(GError) error = NULL;
  SvdImage *im = svd_test_load_npy (path, &error);

  g_assert_no_error (error);
  if (half)
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < im->height; y++)
        {
          float *row = (float *) (im->data[c] + (gsize) y * im->stride[c]);

          for (int x = 0; x < im->width; x++)
            row[x] = (float) (_Float16) row[x];
        }
  return im;
}

static void
test_model (gconstpointer data)
{
  const Case *cs = data;
  g_autoptr(SvdModel) m = svd_test_load_shared_model (cs->dir, cs->file);
  g_autoptr(GError) error = NULL;

  g_assert_true (svd_test_engine_set_models (engine, &m, 1, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(SvdImage) in = load_input (inputs[i], cs->half_input);
      g_autofree char *file = g_strdup_printf ("%s__%s.npy", cs->ref, inputs[i]);
      g_autofree char *path = svd_test_shared_path ("reference", "outputs", file, NULL);
      g_autoptr(SvdImage) want = svd_test_load_npy (path, &error);
      g_autoptr(SvdImage) ref = NULL;
      g_autoptr(SvdImage) cl = NULL;
      double d_ref, d_cl;

      g_assert_no_error (error);
      ref = svd_model_run_reference (m, in, 0, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &cl, NULL, NULL, &error));
      g_assert_no_error (error);
      d_ref = svd_test_max_abs_diff (ref, want);
      d_cl = svd_test_max_abs_diff (cl, want);
      g_test_message ("%s on %s: CPU reference %.3g, OpenCL %.3g (tolerance %g)", cs->file, inputs[i],
                      d_ref, d_cl, cs->tol);
      g_assert_cmpfloat (d_ref, <=, cs->tol);
      g_assert_cmpfloat (d_cl, <=, cs->tol);
    }
}

static void
check_chain (const char *const *files,
             guint               n)
{
  SvdModel *models[3];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      const char *slash = strchr (files[i], '/');
      g_autofree char *dir = g_strndup (files[i], slash - files[i]);

      models[i] = svd_test_load_shared_model (dir, slash + 1);
    }
  g_assert_true (svd_test_engine_set_models (engine, models, n, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(SvdImage) in = load_input (inputs[i], FALSE);
      g_autoptr(SvdImage) ref = svd_model_run_reference_chain (models, n, in, 0, NULL, &error);
      g_autoptr(SvdImage) cl = NULL;
      double d;

      g_assert_no_error (error);
      g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &cl, NULL, NULL, &error));
      g_assert_no_error (error);
      d = svd_test_max_abs_diff (cl, ref);
      g_test_message ("chain of %u on %s: OpenCL vs CPU reference %.3g", n, inputs[i], d);
      g_assert_cmpfloat (d, <=, 1e-4);
    }
  for (guint i = 0; i < n; i++)
    svd_model_unref (models[i]);
}

static void
test_chain2 (void)
{
  const char *files[] = { "seed/1x_super_34_10_fp32.onnx", "seed/2x_10_2X-10_mega_fp32.onnx" };

  check_chain (files, 2);
}

static void
test_chain3 (void)
{
  const char *files[] = { "seed/1x_ultra_34_10_fp32.onnx", "seed/2x_10_2X-10_mega_fp32.onnx",
                          "seed/2x_10_2X-10_super_fp32.onnx" };

  check_chain (files, 3);
}

int
main (int    argc,
      char **argv)
{
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  ctx = svd_test_cl_context ();
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--conv=") && !svd_conv_mode_from_string (argv[i] + 7, &settings.conv))
      g_error ("Unknown %s", argv[i]);
  engine = svd_engine_new_for_context (ctx, &settings, &error);
  g_assert_no_error (error);
  g_test_message ("device: %s, %s kernels, conv mode %d", svd_engine_get_device_name (engine),
                  svd_engine_get_variant (engine), settings.conv);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/engine/parity/%s/%s", cases[i].dir, cases[i].file);

      g_test_add_data_func (name, &cases[i], test_model);
    }
  g_test_add_func ("/engine/parity/chain-2", test_chain2);
  g_test_add_func ("/engine/parity/chain-3", test_chain3);
  ret = g_test_run ();
  svd_engine_free (engine);
  svd_cl_context_unref (ctx);
  return ret;
}
