/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-engine-fixture"

#include "svd-test-utils.h"
#include "conv-fixture-expected.h"

#include <math.h>

/* Conv parity that a clone without ../shared can check: the project's own
 * 1x model (models/svd-super-1x.safetensors) on a drawn input, on the CPU
 * reference and on the OpenCL engine (both kernel variants, fp32), against
 * ONNX Runtime's output written down in conv-fixture-expected.h. */

static SvdModel *
load_shipped_model (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("SVD_DATA_DIR") != NULL ? g_getenv ("SVD_DATA_DIR")
                                                                                : g_getenv ("SVD_SOURCE_ROOT"),
                                            "models", "svd-super-1x.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  SvdModel *model = svd_model_load (path, &error);

  g_assert_no_error (error);
  return model;
}

static SvdImage *
drawn_input (void)
{
  SvdImage *in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, CONV_FIXTURE_W, CONV_FIXTURE_H, NULL);

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < CONV_FIXTURE_H; y++)
      for (int x = 0; x < CONV_FIXTURE_W; x++)
        ((float *) (in->data[c] + y * in->stride[c]))[x] = ((37 * x + 23 * y + 71 * c) % 251) / 250.0f;
  return in;
}

static double
max_diff_to_ort (const SvdImage *out)
{
  double worst = 0.0;

  g_assert_cmpint (out->width, ==, CONV_FIXTURE_W);
  g_assert_cmpint (out->height, ==, CONV_FIXTURE_H);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < CONV_FIXTURE_H; y++)
      for (int x = 0; x < CONV_FIXTURE_W; x++)
        {
          float v = ((const float *) (out->data[c] + y * out->stride[c]))[x];
          float e = conv_fixture_expected[(c * CONV_FIXTURE_H + y) * CONV_FIXTURE_W + x];

          worst = MAX (worst, fabs ((double) v - e));
        }
  return worst;
}

static void
test_cpu_reference (void)
{
  g_autoptr(SvdModel) model = load_shipped_model ();
  g_autoptr(SvdImage) in = drawn_input ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) out = svd_model_run_reference (model, in, 0, NULL, &error);
  double d;

  g_assert_no_error (error);
  d = max_diff_to_ort (out);
  g_test_message ("CPU reference vs ONNX Runtime: max abs diff %.3g", d);
  g_assert_cmpfloat (d, <=, 1e-4);
}

static void
test_opencl (void)
{
  g_autoptr(SvdClContext) ctx = svd_test_cl_context ();
  g_autoptr(SvdModel) model = load_shipped_model ();
  g_autoptr(SvdImage) in = drawn_input ();
  const SvdConvVariant variants[] = { SVD_CONV_VARIANT_BLOCK, SVD_CONV_VARIANT_PIXEL };

  for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_auto(SvdSettings) settings;
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdEngine) engine = NULL;
      g_autoptr(SvdImage) out = NULL;
      double d;

      svd_settings_init (&settings);
      svd_settings_apply_env (&settings);
      settings.precision = SVD_PRECISION_FP32;
      settings.conv_variant = variants[v];
      engine = svd_engine_new_for_context (ctx, &settings, &error);
      g_assert_no_error (error);
      g_assert_true (svd_test_engine_set_models (engine, &model, 1, &error));
      g_assert_no_error (error);
      g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error));
      g_assert_no_error (error);
      d = max_diff_to_ort (out);
      g_test_message ("OpenCL (%s) vs ONNX Runtime: max abs diff %.3g", svd_engine_get_variant (engine), d);
      g_assert_cmpfloat (d, <=, 1e-4);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine-fixture/cpu-reference", test_cpu_reference);
  g_test_add_func ("/engine-fixture/opencl", test_opencl);
  return g_test_run ();
}
