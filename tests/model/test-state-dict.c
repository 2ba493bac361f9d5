/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-state-dict"

/* The state-dict readers on the real files in ../shared: every weights
 * variant of the 2x Mega model gives the seed .pth's weights (fp32 ones
 * exactly, fp16/bf16 ones equal to the fp32 weights rounded by us), the
 * deflated realesr file and the DISTS files (legacy and zip) load. */

#include "svd-test-utils.h"
#include "model/svd-state-dict.h"
#include "model/svd-model-private.h"

#include <math.h>

static SvdStateDict *
load (const char        *rel,
      SvdStateDictFlags  flags)
{
  g_autofree char *path = svd_test_shared_path (rel, NULL);
  g_autoptr(GError) error = NULL;
  SvdStateDict *d = svd_state_dict_load_with_flags (path, flags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  return d;
}

static float
round_to (SvdStoragePrecision p,
          float               x)
{
  if (p == SVD_STORAGE_FP16)
    return svd_half_to_float (svd_float_to_half (x));
  if (p == SVD_STORAGE_BF16)
    return svd_bf16_to_float (svd_float_to_bf16 (x));
  return x;
}

static void
test_mega_variants (void)
{
  static const struct {
    const char          *file;
    SvdStoragePrecision  precision;
    SvdModelFormat       format;
  } variants[] = {
    { "models/variants/mega2x_legacy.pth", SVD_STORAGE_FP32, SVD_MODEL_FORMAT_PTH_LEGACY },
    { "models/variants/mega2x_params_ema_module.pth", SVD_STORAGE_FP32, SVD_MODEL_FORMAT_PTH },
    { "models/variants/mega2x_f32.safetensors", SVD_STORAGE_FP32, SVD_MODEL_FORMAT_SAFETENSORS },
    { "models/variants/mega2x_bare_fp16.pth", SVD_STORAGE_FP16, SVD_MODEL_FORMAT_PTH },
    { "models/variants/mega2x_f16.safetensors", SVD_STORAGE_FP16, SVD_MODEL_FORMAT_SAFETENSORS },
    { "models/variants/mega2x_bf16.safetensors", SVD_STORAGE_BF16, SVD_MODEL_FORMAT_SAFETENSORS },
  };
  g_autoptr(SvdStateDict) seed = load ("models/seed/2x_10_2X-10_mega_.pth", SVD_STATE_DICT_DEFAULT);

  g_assert_cmpint (svd_state_dict_get_format (seed), ==, SVD_MODEL_FORMAT_PTH);
  g_assert_cmpuint (svd_state_dict_get_n_tensors (seed), ==, 2 * 10 + 9);
  for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(SvdStateDict) d = load (variants[v].file, SVD_STATE_DICT_DEFAULT);
      gsize n_compared = 0, n_changed_by_rounding = 0;

      g_test_message ("%s: %u tensors", variants[v].file, svd_state_dict_get_n_tensors (d));
      g_assert_cmpint (svd_state_dict_get_format (d), ==, variants[v].format);
      g_assert_cmpuint (svd_state_dict_get_n_tensors (d), ==, svd_state_dict_get_n_tensors (seed));
      for (guint i = 0; i < svd_state_dict_get_n_tensors (seed); i++)
        {
          const SvdTensor *a = svd_state_dict_get_nth (seed, i);
          const SvdTensor *b = svd_state_dict_lookup (d, a->name);

          g_assert_nonnull (b);
          g_assert_cmpint (b->dtype, ==, variants[v].precision);
          g_assert_cmpint (a->ndim, ==, b->ndim);
          for (int k = 0; k < a->ndim; k++)
            g_assert_cmpint (a->shape[k], ==, b->shape[k]);
          for (gsize k = 0; k < a->n_elements; k++)
            {
              float want = round_to (variants[v].precision, a->data[k]);

              if (want != b->data[k])
                g_error ("%s: %s[%" G_GSIZE_FORMAT "] is %.9g, expected %.9g",
                         variants[v].file, a->name, k, b->data[k], want);
              n_changed_by_rounding += want != a->data[k];
              n_compared++;
            }
        }
      /* Rounding to half or bfloat16 really changes the weights, so the
       * comparison above saw converted values, not copies. */
      if (variants[v].precision != SVD_STORAGE_FP32)
        g_assert_cmpuint (n_changed_by_rounding, >, n_compared / 4);
    }
}

static void
test_raw_keeps_wrappers (void)
{
  g_autoptr(SvdStateDict) raw = load ("models/variants/mega2x_params_ema_module.pth", SVD_STATE_DICT_RAW);
  g_autoptr(SvdStateDict) def = load ("models/variants/mega2x_params_ema_module.pth", SVD_STATE_DICT_DEFAULT);

  g_assert_null (svd_state_dict_lookup (raw, "body.0.weight"));
  g_assert_nonnull (svd_state_dict_lookup (raw, "params_ema.module.body.0.weight"));
  g_assert_nonnull (svd_state_dict_lookup (def, "body.0.weight"));
}

static void
test_realesr_deflate (void)
{
  g_autoptr(SvdStateDict) d = load ("models/other/realesr-animevideov3.pth", SVD_STATE_DICT_DEFAULT);
  const gint64 w0[] = { 64, 3, 3, 3 };
  const gint64 wl[] = { 48, 64, 3, 3 };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (svd_state_dict_require (d, "body.0.weight", 4, w0, &error));
  g_assert_no_error (error);
  g_assert_nonnull (svd_state_dict_require (d, "body.34.weight", 4, wl, &error));
  g_assert_no_error (error);
  /* A wrong expectation names the key and both shapes. */
  g_assert_null (svd_state_dict_require (d, "body.0.weight", 4, wl, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_MODEL_INVALID);
  g_assert_nonnull (strstr (error->message, "body.0.weight"));
  g_assert_nonnull (strstr (error->message, "[64, 3, 3, 3]"));
}

static void
test_dists_files (void)
{
  g_autoptr(SvdStateDict) ab = load ("reference/DISTS_weights.pt", SVD_STATE_DICT_DEFAULT);
  g_autoptr(SvdStateDict) vgg = load ("reference/dists_vgg16_random_seed20261121.pth", SVD_STATE_DICT_DEFAULT);
  const SvdTensor *alpha = svd_state_dict_lookup (ab, "alpha");
  const SvdTensor *beta = svd_state_dict_lookup (ab, "beta");
  const SvdTensor *f0 = svd_state_dict_lookup (vgg, "features.0.weight");
  double sum = 0;

  g_assert_cmpint (svd_state_dict_get_format (ab), ==, SVD_MODEL_FORMAT_PTH_LEGACY);
  g_assert_nonnull (alpha);
  g_assert_nonnull (beta);
  /* DISTS α/β cover the 3 input channels and the 1472 VGG channels. */
  g_assert_cmpuint (alpha->n_elements, ==, 1475);
  g_assert_cmpuint (beta->n_elements, ==, 1475);
  for (gsize i = 0; i < alpha->n_elements; i++)
    {
      g_assert_true (isfinite (alpha->data[i]));
      sum += fabs (alpha->data[i]);
    }
  g_assert_cmpfloat (sum, >, 0);
  g_assert_nonnull (f0);
  g_assert_cmpint (f0->ndim, ==, 4);
  g_assert_cmpint (f0->shape[0], ==, 64);
  g_assert_nonnull (svd_state_dict_lookup (vgg, "features.28.bias"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  svd_test_require_shared ();
  g_test_add_func ("/state-dict/mega-variants", test_mega_variants);
  g_test_add_func ("/state-dict/raw-keeps-wrappers", test_raw_keeps_wrappers);
  g_test_add_func ("/state-dict/realesr-deflate", test_realesr_deflate);
  g_test_add_func ("/state-dict/dists-files", test_dists_files);
  return g_test_run ();
}
