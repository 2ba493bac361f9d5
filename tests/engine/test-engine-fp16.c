/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-engine-fp16"

#include "svd-test-utils.h"

#include <math.h>
#include <string.h>

/* The fp16 path (settings.precision = fp16): feature maps stored as IEEE
 * half on the device, arithmetic in fp32 (opencl/conv.cl). Checked, for
 * both kernel variants (block for CPUs, pixel for GPUs), against the
 * ONNX Runtime / PyTorch fp32 reference outputs in ../shared with the
 * stated fp16 tolerance, against the fp32 engine by PSNR, and for its
 * memory: feature maps take half the bytes. */

/* The stated tolerance of the fp16 path, also in README.md and
 * models/FORMATS.md: max abs error on outputs in [0, 1]. Rounding each
 * stored activation to 11 significant bits costs at most 2^-11 relative
 * per layer; the worst seen on the shared models is printed below. */
#define FP16_TOLERANCE 1e-3
/* ...and the whole image stays this close to the fp32 result. */
#define FP16_MIN_PSNR 80.0

static SvdClContext *ctx;

static const char *inputs[] = { "bbb_crf34_64x96", "bbb_crf34_37x53", "bbb_crf34_1x1" };

typedef struct {
  const char *dir;
  const char *file;
  const char *ref;
} Case;

static const Case cases[] = {
  { "seed", "1x_super_34_10_fp32.onnx", "1x_super_34_10_fp32" },
  { "seed", "1x_mega_34_10_fp32_optimized.onnx", "1x_mega_34_10_fp32_optimized" },
  { "seed", "1x_ultra_34_10_fp32.onnx", "1x_ultra_34_10_fp32" },
  { "seed", "2x_10_2X-10_super_fp32.onnx", "2x_10_2X-10_super_fp32" },
  { "seed", "2x_10_2X-10_mega_fp32.onnx", "2x_10_2X-10_mega_fp32" },
  { "other", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32.onnx", "2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp32" },
  { "other", "realesr-animevideov3.pth", "realesr-animevideov3" },
};

/* --conv=wino2|wino4 (meson runs the test with wino4 too): the body convs
 * by Winograd, fp16 storage included; -1: settings as the environment says. */
static int conv_mode = -1;

static SvdEngine *
new_engine (SvdPrecision precision,
            const char  *variant)
{
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  SvdEngine *engine;

  /* The kernel variant is chosen when the engine is made. */
  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  settings.precision = precision;
  settings.conv_variant = g_strcmp0 (variant, "pixel") == 0 ? SVD_CONV_VARIANT_PIXEL : SVD_CONV_VARIANT_BLOCK;
  if (conv_mode >= 0)
    settings.conv = conv_mode;
  engine = svd_engine_new_for_context (ctx, &settings, &error);
  g_assert_no_error (error);
  return engine;
}

static SvdImage *
load_npy (const char *dir,
          const char *name)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = svd_test_shared_path ("reference", dir, file, NULL);
  g_autoptr(GError) error = NULL;
  SvdImage *im = svd_test_load_npy (path, &error);

  g_assert_no_error (error);
  return im;
}

static double
psnr (const SvdImage *a,
      const SvdImage *b)
{
  double se = 0.0;
  gsize n = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < a->height; y++)
      {
        const float *ra = (const float *) (a->data[c] + y * a->stride[c]);
        const float *rb = (const float *) (b->data[c] + y * b->stride[c]);

        for (int x = 0; x < a->width; x++, n++)
          se += ((double) ra[x] - rb[x]) * ((double) ra[x] - rb[x]);
      }
  return se == 0.0 ? INFINITY : 10.0 * log10 (n / se);
}

static void
check_model (const Case *cs,
             const char *variant)
{
  g_autoptr(SvdModel) m = svd_test_load_shared_model (cs->dir, cs->file);
  g_autoptr(SvdEngine) half = new_engine (SVD_PRECISION_FP16, variant);
  g_autoptr(SvdEngine) full = new_engine (SVD_PRECISION_FP32, variant);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_suffix (svd_engine_get_variant (half), "-fp16"));
  g_assert_true (svd_test_engine_set_models (half, &m, 1, &error));
  g_assert_no_error (error);
  g_assert_true (svd_test_engine_set_models (full, &m, 1, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(SvdImage) in = load_npy ("inputs", inputs[i]);
      g_autofree char *ref_name = g_strdup_printf ("%s__%s", cs->ref, inputs[i]);
      g_autoptr(SvdImage) want = load_npy ("outputs", ref_name);
      g_autoptr(SvdImage) out16 = NULL;
      g_autoptr(SvdImage) out32 = NULL;
      double d16, d32, p;

      g_assert_true (svd_engine_process (half, in, SVD_PIXEL_FORMAT_RGB_F32, &out16, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (svd_engine_process (full, in, SVD_PIXEL_FORMAT_RGB_F32, &out32, NULL, NULL, &error));
      g_assert_no_error (error);
      d16 = svd_test_max_abs_diff (out16, want);
      d32 = svd_test_max_abs_diff (out32, want);
      p = psnr (out16, out32);
      g_test_message ("%s (%s) on %s: fp16 max abs %.3g (tolerance %g), fp32 %.3g; fp16 vs fp32 PSNR %.1f dB",
                      cs->file, variant, inputs[i], d16, FP16_TOLERANCE, d32, p);
      g_assert_cmpfloat (d16, <=, FP16_TOLERANCE);
      g_assert_cmpfloat (d32, <=, 1e-4);
      /* A 1x1 image is one value per channel; PSNR means little there. */
      if (in->width * in->height > 1)
        g_assert_cmpfloat (p, >=, FP16_MIN_PSNR);
      /* The path must really round: identical outputs would mean the
       * feature maps were not stored as half. */
      if (in->width * in->height > 1)
        g_assert_cmpfloat (svd_test_max_abs_diff (out16, out32), >, 0.0);
    }
}

static void
test_block (gconstpointer data)
{
  check_model (data, "block");
}

static void
test_pixel (gconstpointer data)
{
  check_model (data, "pixel");
}

/* A 2-stage chain on a larger real image: feature memory halves and the
 * output stays within the tolerance of the fp32 engine. */
static void
test_chain_memory (void)
{
  SvdModel *models[2];
  g_autoptr(SvdEngine) half = new_engine (SVD_PRECISION_FP16, "block");
  g_autoptr(SvdEngine) full = new_engine (SVD_PRECISION_FP32, "block");
  g_autoptr(SvdImage) small = load_npy ("inputs", "bbb_crf34_64x96");
  g_autoptr(SvdImage) in = NULL;
  g_autoptr(SvdImage) out16 = NULL;
  g_autoptr(SvdImage) out32 = NULL;
  g_autoptr(GError) error = NULL;
  guint64 peak16 = 0, peak32 = 0;
  double d;

  /* A real frame crop, mirrored into a 3 x 3 mosaic (no seams). */
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, small->width * 3, small->height * 3, &error);
  g_assert_no_error (error);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < in->height; y++)
      for (int x = 0; x < in->width; x++)
        {
          int ty = y / small->height, tx = x / small->width;
          int sy = y % small->height, sx = x % small->width;

          if (ty % 2)
            sy = small->height - 1 - sy;
          if (tx % 2)
            sx = small->width - 1 - sx;
          ((float *) (in->data[c] + (gsize) y * in->stride[c]))[x] =
            ((const float *) (small->data[c] + (gsize) sy * small->stride[c]))[sx];
        }
  models[0] = svd_test_load_shared_model ("seed", "1x_super_34_10_fp32.onnx");
  models[1] = svd_test_load_shared_model ("seed", "2x_10_2X-10_mega_fp32.onnx");
  g_assert_true (svd_test_engine_set_models (half, models, 2, &error));
  g_assert_no_error (error);
  g_assert_true (svd_test_engine_set_models (full, models, 2, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (half, in, SVD_PIXEL_FORMAT_RGB_F32, &out16, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (full, in, SVD_PIXEL_FORMAT_RGB_F32, &out32, NULL, NULL, &error));
  g_assert_no_error (error);
  svd_engine_get_device_bytes (half, &peak16);
  svd_engine_get_device_bytes (full, &peak32);
  d = svd_test_max_abs_diff (out16, out32);
  g_test_message ("chain 1x Super -> 2x Mega at %dx%d: fp16 vs fp32 max abs %.3g, PSNR %.1f dB; "
                  "device memory at peak fp16 %.1f MiB, fp32 %.1f MiB",
                  in->width, in->height, d, psnr (out16, out32), peak16 / 1048576.0, peak32 / 1048576.0);
  g_assert_cmpfloat (d, <=, FP16_TOLERANCE);
  /* Feature maps dominate (images and weights stay fp32): the total
   * drops to about 60 %. */
  g_assert_cmpuint (peak16 * 10, <, peak32 * 7);
  svd_model_unref (models[0]);
  svd_model_unref (models[1]);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--conv="))
      {
        SvdConvMode mode;

        if (!svd_conv_mode_from_string (argv[i] + 7, &mode))
          g_error ("Unknown %s", argv[i]);
        conv_mode = mode;
      }
  svd_test_require_shared ();
  ctx = svd_test_cl_context ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *block = g_strdup_printf ("/engine/fp16/block/%s", cases[i].file);
      g_autofree char *pixel = g_strdup_printf ("/engine/fp16/pixel/%s", cases[i].file);

      g_test_add_data_func (block, &cases[i], test_block);
      g_test_add_data_func (pixel, &cases[i], test_pixel);
    }
  g_test_add_func ("/engine/fp16/chain-memory", test_chain_memory);
  ret = g_test_run ();
  svd_cl_context_unref (ctx);
  return ret;
}
