/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-glsl"

#include "svd.h"
#include "export/svd-glsl.h"
#include "svd-test-utils.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static SvdModel *
random_model (int     nf,
              int     num_conv,
              int     scale,
              guint32 seed)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, num_conv, scale, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  g_assert_no_error (error);
  for (int l = 0; l < m->n_layers; l++)
    {
      SvdConvLayer *L = &m->layers[l];
      float k = 1.0f / sqrtf ((float) L->in_ch * 9);

      for (int i = 0; i < L->out_ch * L->in_ch * 9; i++)
        L->weight[i] = (float) g_rand_double_range (rand, -k, k);
      for (int i = 0; i < L->out_ch; i++)
        {
          L->bias[i] = (float) g_rand_double_range (rand, -0.05, 0.05);
          if (L->slope != NULL)
            L->slope[i] = (float) g_rand_double_range (rand, 0.0, 0.3);
        }
    }
  g_free (m->name);
  m->name = g_strdup_printf ("tiny%dx", scale);
  return m;
}

/* Literals read back as the same float in any locale and always look like
 * floats to GLSL (the seed project printed np.float32(…) here). */
static void
test_float_literals (void)
{
  const float values[] = { 0.0f, -0.0f, 1.0f, -3.0f, 0.1f, 1e-7f, -2.5e-12f, 123456789.0f, 3.14159274f };

  setlocale (LC_NUMERIC, "de_DE.UTF-8");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *s = svd_glsl_format_float (values[i]);

      g_assert_nonnull (strpbrk (s, ".e"));
      g_assert_null (strchr (s, ','));
      g_assert_cmpfloat (strtof (s, NULL) == values[i] || g_ascii_strtod (s, NULL) == values[i], ==, TRUE);
      g_assert_cmpfloat ((float) g_ascii_strtod (s, NULL), ==, values[i]);
    }
  setlocale (LC_NUMERIC, "C");
}

static gboolean
compile_passes (const char *shader,
                const char *dir,
                guint      *n_passes)
{
  if (!svd_test_glsl_compile (shader, dir, n_passes))
    {
      g_test_skip ("glslangValidator is missing: install glslang-tools (build-aux/install-deps.sh)");
      return FALSE;
    }
  return TRUE;
}

static void
test_compile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) a = random_model (8, 2, 1, 11);
  g_autoptr(SvdModel) b = random_model (6, 2, 2, 12);
  SvdModel *models[2] = { a, b };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("tiny", models, 2, &error);
  g_autofree char *shader = svd_glsl_export_chain (chain, &error);
  g_autofree char *dir = g_dir_make_tmp ("svd-glsl-XXXXXX", NULL);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_null (strstr (shader, "np."));
  if (!compile_passes (shader, dir, &n))
    return;
  /* Per model: (1 + 2 convs) x 2 groups of nf, the last conv's
   * ceil(3·s²/4) groups, the shuffle pass: 6 + 1 + 1 and 6 + 3 + 1. */
  g_assert_cmpuint (n, ==, 8 + 10);
  g_rmdir (dir);
}

/* A Compact-sized model (nf 64, 16 body convs, 4x): mpv on OpenGL links a
 * pass only when it binds at most 15 textures (16 failed with
 * "insufficient contiguous locations"), so the 16 feature textures of an
 * nf-64 conv are split over two passes. */
static void
test_bind_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = random_model (64, 16, 4, 31);
  g_autofree char *shader = svd_glsl_export_model (m, "C_", &error);
  g_autoptr(GPtrArray) passes = NULL;
  int want;

  g_assert_no_error (error);
  passes = svd_glsl_split_passes (shader);
  g_assert_cmpint (svd_glsl_max_binds (shader), <=, 15);
  g_assert_cmpint (SVD_GLSL_MAX_BINDS, ==, 15);
  g_assert_cmpint (svd_glsl_conv_chunks (15), ==, 1);
  g_assert_cmpint (svd_glsl_conv_chunks (16), ==, 2);
  g_assert_cmpint (svd_glsl_conv_chunks (28), ==, 2);
  g_assert_cmpint (svd_glsl_conv_chunks (29), ==, 3);
  /* conv 1: 16 groups from RGB; 16 body convs: 16 groups x 2 passes; the
   * last conv: 48 channels = 12 groups x 2 passes; the shuffle pass. */
  want = 16 + 16 * 16 * 2 + 12 * 2 + 1;
  g_assert_cmpuint (passes->len, ==, (guint) want);
  g_assert_cmpint (svd_glsl_count_passes (m), ==, want);
  for (guint i = 0; i < passes->len; i++)
    {
      const char *p = g_ptr_array_index (passes, i);
      int n = 0;

      for (const char *q = strstr (p, "//!BIND "); q != NULL; q = strstr (q + 1, "//!BIND "))
        n++;
      g_assert_cmpint (n, >=, 1);
      g_assert_cmpint (n, <=, 15);
    }
}

/* The header states the pass count and the cost; the chain's input (and
 * only the chain's input) is clamped to [0, 1]; a newline in a name cannot
 * start a directive or code. */
static void
test_header_clamp_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) a = random_model (8, 2, 1, 41);
  g_autoptr(SvdModel) b = random_model (6, 2, 2, 42);
  SvdModel *models[2] = { a, b };
  g_autoptr(SvdChain) chain = NULL;
  g_autofree char *shader = NULL;
  g_autofree char *passes_line = NULL;
  g_autoptr(GPtrArray) passes = NULL;
  g_auto(GStrv) lines = NULL;

  g_free (a->name);
  a->name = g_strdup ("evil\n//!HOOK MAIN\nvec4 hook() { return vec4(1.0); }");
  chain = svd_chain_new_from_models ("chain\n//!BIND X\r\nname", models, 2, &error);
  g_assert_no_error (error);
  shader = svd_glsl_export_chain (chain, &error);
  g_assert_no_error (error);
  passes = svd_glsl_split_passes (shader);
  passes_line = g_strdup_printf ("// %u passes in all, binding at most", passes->len);
  g_assert_nonnull (strstr (shader, passes_line));
  g_assert_nonnull (strstr (shader, "GFLOP per 1920x1080 source frame"));
  g_assert_cmpuint (passes->len, ==, (guint) (svd_glsl_count_passes (a) + svd_glsl_count_passes (b)));
  /* Only the generated directives start lines: exactly one //!HOOK per
   * pass, no //!BIND X. */
  lines = g_strsplit (shader, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_assert_false (g_str_has_prefix (lines[i], "//!BIND X"));
      g_assert_null (strchr (lines[i], '\r'));
      g_assert_false (g_str_has_prefix (lines[i], "vec4 hook() { return"));
    }
  g_assert_null (strstr (shader, "\n//!HOOK MAIN\nvec4 hook() { return vec4(1.0)"));
  /* Model 1 reads HOOKED clamped; model 2 reads model 1's output as is. */
  for (guint i = 0; i < passes->len; i++)
    {
      const char *p = g_ptr_array_index (passes, i);
      gboolean reads_hooked = strstr (p, "HOOKED_tex(") != NULL;

      if (!reads_hooked)
        continue;
      if (strstr (p, "//!SAVE SVD1_") != NULL || strstr (p, "//!BIND SVD1_L") != NULL)
        g_assert_nonnull (strstr (p, "clamp(HOOKED_tex("));
      else
        g_assert_null (strstr (p, "clamp(HOOKED_tex("));
    }
}

/* The seed's Super 2x model compiles pass by pass. */
static void
test_compile_super (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autofree char *shader = NULL;
  g_autofree char *dir = g_dir_make_tmp ("svd-glsl-XXXXXX", NULL);
  guint n = 0;

  if (!g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared is missing");
      return;
    }
  path = svd_test_shared_path ("models", "seed", "2x_10_2X-10_super_fp32.onnx", NULL);
  m = svd_model_load (path, &error);
  g_assert_no_error (error);
  shader = svd_glsl_export_model (m, "S_", &error);
  g_assert_no_error (error);
  if (compile_passes (shader, dir, &n))
    g_assert_cmpuint (n, ==, 9 * 6 + 3 + 1);
  g_rmdir (dir);
}

static char *
run_libplacebo (const char *in_png,
                const char *shader,
                const char *out_png,
                int         w,
                int         h)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autofree char *vf = g_strdup_printf ("format=rgba,hwupload,libplacebo=w=%d:h=%d:custom_shader_path=%s:"
                                         "format=rgba64le,hwdownload,format=rgba64le", w, h, shader);
  g_autofree char *out = NULL;
  g_autofree char *filters = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  char *list_argv[] = { ffmpeg, "-hide_banner", "-filters", NULL };
  char *argv[] = { ffmpeg, "-hide_banner", "-loglevel", "error", "-y", "-init_hw_device", "vulkan=vk:0",
                   "-filter_hw_device", "vk", "-i", (char *) in_png, "-vf", vf, "-frames:v", "1",
                   "-update", "1", (char *) out_png, NULL };

  if (ffmpeg == NULL)
    return g_strdup ("ffmpeg is not installed");
  if (!g_spawn_sync (NULL, list_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &filters, NULL, &status, NULL) ||
      strstr (filters, " libplacebo ") == NULL)
    return g_strdup ("this FFmpeg has no libplacebo filter");
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &out, &status, &error))
    return g_strdup (error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    return g_strdup_printf ("ffmpeg's libplacebo filter failed (no Vulkan device? install mesa-vulkan-drivers "
                            "for lavapipe): %s", out);
  return NULL;
}

/* The shader runs in FFmpeg's libplacebo filter on lavapipe and matches the
 * CPU reference. */
static void
test_libplacebo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) a = random_model (8, 2, 1, 21);
  g_autoptr(SvdModel) b = random_model (6, 2, 2, 22);
  SvdModel *models[2] = { a, b };
  g_autoptr(SvdChain) chain = svd_chain_new_from_models ("tiny", models, 2, &error);
  g_autofree char *shader = svd_glsl_export_chain (chain, &error);
  g_autofree char *dir = g_dir_make_tmp ("svd-glsl-XXXXXX", NULL);
  g_autofree char *shader_path = g_build_filename (dir, "chain.glsl", NULL);
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *why = NULL;
  g_autoptr(SvdImage) rgb = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 40, 30, &error);
  g_autoptr(SvdImage) in8 = NULL;
  g_autoptr(SvdImage) want = NULL;
  g_autoptr(SvdImage) got = NULL;
  SvdMetricsOptions opts = { 0 };
  SvdMetricsFrame frame;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (shader_path, shader, -1, NULL));
  svd_test_fill_random_rgb (rgb, 5);
  g_assert_true (svd_png_save (rgb, in_path, 8, &error));
  /* The reference sees the same 8-bit input the filter sees. */
  in8 = svd_png_load_as (in_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  want = svd_model_run_reference_chain (models, 2, in8, 2, NULL, &error);
  g_assert_no_error (error);
  /* The filter writes an integer format, which holds [0, 1]. */
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < want->height; y++)
      {
        float *row = (float *) (want->data[c] + (gsize) y * want->stride[c]);

        for (int x = 0; x < want->width; x++)
          row[x] = CLAMP (row[x], 0.0f, 1.0f);
      }

  why = run_libplacebo (in_path, shader_path, out_path, 80, 60);
  if (why != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("cannot run the shader: %s", why);

      g_test_skip (msg);
      return;
    }
  got = svd_png_load_as (out_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  svd_metrics_frame_init (&frame);
  opts.float_exact = TRUE;
  g_assert_true (svd_metrics_compute (want, got, &opts, &frame, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("mpv GLSL chain in FFmpeg libplacebo (lavapipe) vs CPU reference: PSNR RGB %.2f dB", frame.psnr_rgb);
  g_assert_cmpfloat (frame.psnr_rgb, >=, 45.0);
  g_unlink (shader_path);
  g_unlink (in_path);
  g_unlink (out_path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/glsl/float-literals", test_float_literals);
  g_test_add_func ("/glsl/compile", test_compile);
  g_test_add_func ("/glsl/compile-super", test_compile_super);
  g_test_add_func ("/glsl/bind-limit", test_bind_limit);
  g_test_add_func ("/glsl/header-clamp-names", test_header_clamp_names);
  g_test_add_func ("/glsl/libplacebo", test_libplacebo);
  return g_test_run ();
}
