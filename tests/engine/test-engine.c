/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-engine"

#include "svd-test-utils.h"
#include "engine/svd-peak.h"
#include "engine/svd-resize.h"

#include <math.h>
#include <string.h>

static SvdClContext *ctx;

static guint32 rng_state = 12345;

static float
frand (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state / 4294967296.0f;
}

/* Weights scaled like a trained net's (He-ish), so activations stay O(1)
 * through the layers and 1e-4 is a meaningful bound. */
static SvdModel *
random_model (int nf,
              int num_conv,
              int scale,
              guint32 seed)
{
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_new (3, 3, nf, num_conv, scale, &error);

  g_assert_no_error (error);
  rng_state = seed;
  for (int i = 0; i < m->n_layers; i++)
    {
      SvdConvLayer *l = &m->layers[i];
      float k = sqrtf (2.0f / (l->in_ch * 9));

      for (int j = 0; j < l->out_ch * l->in_ch * 9; j++)
        l->weight[j] = (frand () * 2.0f - 1.0f) * k;
      for (int j = 0; j < l->out_ch; j++)
        {
          l->bias[j] = (frand () - 0.5f) * 0.2f;
          if (l->slope != NULL)
            l->slope[j] = frand () * 0.3f;
        }
    }
  g_free (m->name);
  m->name = g_strdup_printf ("random-nf%d-s%d", nf, scale);
  return m;
}

static SvdImage *
random_image (int w,
              int h,
              guint32 seed)
{
  g_autoptr(GError) error = NULL;
  SvdImage *im = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);

  g_assert_no_error (error);
  svd_test_fill_random_rgb (im, seed);
  return im;
}

static float
px (const SvdImage *im,
    int             c,
    int             x,
    int             y)
{
  return ((const float *) (im->data[c] + (gsize) y * im->stride[c]))[x];
}

/* The reference's pixel shuffle and residual, checked by hand: with zero
 * conv weights the output is the last bias in PyTorch's PixelShuffle order
 * plus the nearest-upsampled input. */
static void
test_ref_shuffle_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_new (3, 3, 4, 1, 3, &error);
  g_autoptr(SvdImage) in = random_image (5, 4, 7);
  g_autoptr(SvdImage) out = NULL;
  SvdConvLayer *last = &m->layers[m->n_layers - 1];

  for (int o = 0; o < last->out_ch; o++)
    last->bias[o] = o;
  out = svd_model_run_reference (m, in, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->width, ==, 15);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 12; y++)
      for (int x = 0; x < 15; x++)
        {
          float want = (float) (c * 9 + (y % 3) * 3 + (x % 3)) + px (in, c, x / 3, y / 3);

          g_assert_cmpfloat (fabsf (px (out, c, x, y) - want), <=, 1e-6f);
        }
}

/* Zero padding and the tap order, checked by hand on one conv. */
static void
test_ref_conv_padding (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdModel) m = svd_model_new (3, 3, 1, 0, 1, &error);
  g_autoptr(SvdImage) in = random_image (4, 3, 9);
  g_autoptr(SvdImage) out = NULL;

  /* Layer 0: feature = input R at (x + 1, y - 1) (the top-right tap), then
   * PReLU slope 0.5; last layer: adds feature to colour 1 only. */
  m->layers[0].weight[0 * 9 + 0 * 3 + 2] = 1.0f;
  m->layers[0].slope[0] = 0.5f;
  m->layers[1].weight[1 * 9 + 4] = 1.0f;
  out = svd_model_run_reference (m, in, 1, NULL, &error);
  g_assert_no_error (error);
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 4; x++)
      {
        float f = (y - 1 >= 0 && x + 1 < 4) ? px (in, 0, x + 1, y - 1) : 0.0f;

        f = f >= 0 ? f : 0.5f * f;
        g_assert_cmpfloat (fabsf (px (out, 1, x, y) - (px (in, 1, x, y) + f)), <=, 1e-6f);
        g_assert_cmpfloat (fabsf (px (out, 0, x, y) - px (in, 0, x, y)), <=, 1e-6f);
      }
}

static SvdEngine *
make_engine (const char *variant,
             int         max_tile)
{
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  SvdEngine *e;

  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  settings.max_tile = max_tile;
  settings.conv_variant = g_strcmp0 (variant, "pixel") == 0 ? SVD_CONV_VARIANT_PIXEL
                          : g_strcmp0 (variant, "block") == 0 ? SVD_CONV_VARIANT_BLOCK
                                                              : SVD_CONV_VARIANT_AUTO;
  e = svd_engine_new_for_context (ctx, &settings, &error);
  g_assert_no_error (error);
  return e;
}

static void
check_engine_vs_ref (SvdEngine       *e,
                     SvdModel *const *models,
                     guint            n,
                     const SvdImage  *in,
                     double           tol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) want = svd_model_run_reference_chain (models, n, in, 2, NULL, &error);
  g_autoptr(SvdImage) got = NULL;
  SvdEngineTimings t;
  double d;

  g_assert_no_error (error);
  g_assert_true (svd_test_engine_set_models (e, models, n, &error));
  g_assert_no_error (error);
  g_assert_true (svd_engine_process (e, in, SVD_PIXEL_FORMAT_RGB_F32, &got, &t, NULL, &error));
  g_assert_no_error (error);
  d = svd_test_max_abs_diff (got, want);
  g_test_message ("%s %dx%d, %u stage(s), %s: max abs diff %.3g", svd_engine_get_variant (e),
                  in->width, in->height, n, models[0]->name, d);
  g_assert_cmpfloat (d, <=, tol);
  g_assert_cmpint (t.n_stages, ==, (int) n);
}

/* Odd sizes, every scale, nf that no vector width divides, both kernel
 * variants: OpenCL matches the CPU reference. */
static void
test_cl_synthetic (void)
{
  const int sizes[][2] = { { 1, 1 }, { 37, 53 }, { 97, 3 }, { 2, 70 } };
  const char *variants[] = { "block", "pixel" };
  const int shapes[][2] = { { 24, 1 }, { 35, 2 }, { 5, 3 }, { 7, 4 } };

  for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(SvdEngine) e = make_engine (variants[v], 0);

      /* The settings choose the variant (the engine reads no environment). */
      g_assert_true (g_str_has_prefix (svd_engine_get_variant (e), variants[v]));
      for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
        {
          g_autoptr(SvdModel) m = random_model (shapes[s][0], 3, shapes[s][1], 100 + s);

          for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
            {
              g_autoptr(SvdImage) in = random_image (sizes[i][0], sizes[i][1], 5 + i);

              check_engine_vs_ref (e, &m, 1, in, 1e-4);
            }
        }
    }
}

/* A 3-stage chain across three resolutions, run twice on one engine (the
 * buffers are reused) and on a smaller frame after a larger one. */
static void
test_cl_chain_reuse (void)
{
  g_autoptr(SvdEngine) e = make_engine (NULL, 0);
  SvdModel *chain[3] = { random_model (16, 2, 1, 1), random_model (12, 2, 2, 2), random_model (8, 1, 2, 3) };
  g_autoptr(SvdImage) big = random_image (45, 31, 1);
  g_autoptr(SvdImage) small = random_image (13, 9, 2);
  guint64 now, peak;

  check_engine_vs_ref (e, chain, 3, big, 1e-4);
  svd_engine_get_device_bytes (e, &peak);
  check_engine_vs_ref (e, chain, 3, big, 1e-4);
  check_engine_vs_ref (e, chain, 3, small, 1e-4);
  now = svd_engine_get_device_bytes (e, NULL);
  g_assert_cmpuint (now, <=, peak);
  for (int i = 0; i < 3; i++)
    svd_model_unref (chain[i]);
}

/* Tiles overlapping by the chain's receptive field give the untiled
 * result: every pixel sees the same inputs in the same order. */
static void
test_cl_tiled (void)
{
  g_autoptr(SvdEngine) whole = make_engine (NULL, 0);
  g_autoptr(SvdEngine) tiled = make_engine (NULL, 16);
  SvdModel *chain[2] = { random_model (16, 3, 1, 11), random_model (12, 2, 2, 12) };
  g_autoptr(SvdImage) in = random_image (71, 45, 3);
  g_autoptr(SvdImage) a = NULL;
  g_autoptr(SvdImage) b = NULL;
  g_autoptr(GError) error = NULL;
  SvdEngineTimings t;

  g_assert_true (svd_test_engine_set_models (whole, chain, 2, &error));
  g_assert_true (svd_test_engine_set_models (tiled, chain, 2, &error));
  g_assert_true (svd_engine_process (whole, in, SVD_PIXEL_FORMAT_RGB_F32, &a, NULL, NULL, &error));
  g_assert_true (svd_engine_process (tiled, in, SVD_PIXEL_FORMAT_RGB_F32, &b, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t.n_tiles, >, 4);
  g_test_message ("tiled (%d tiles) vs untiled: %.3g", t.n_tiles, svd_test_max_abs_diff (a, b));
  g_assert_cmpfloat (svd_test_max_abs_diff (a, b), <=, 1e-5);
  for (int i = 0; i < 2; i++)
    svd_model_unref (chain[i]);
}

/* With no OpenCL context the engine runs the CPU reference. */
static void
test_cpu_fallback (void)
{
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdEngine) e = NULL;
  g_autoptr(SvdModel) m = random_model (8, 2, 2, 77);
  g_autoptr(SvdImage) in = random_image (9, 7, 4);
  g_autoptr(SvdImage) got = NULL;
  g_autoptr(SvdImage) want = NULL;
  g_autoptr(SvdImage) rgba = NULL;

  svd_settings_init (&settings);
  settings.device = g_strdup ("cpu-ref");
  e = svd_engine_new (&settings, &error);
  g_assert_no_error (error);
  g_assert_true (svd_engine_is_cpu_fallback (e));
  g_assert_true (svd_test_engine_set_models (e, &m, 1, &error));
  g_assert_true (svd_engine_process (e, in, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
  g_assert_no_error (error);
  want = svd_model_run_reference (m, in, 1, NULL, &error);
  g_assert_cmpfloat (svd_test_max_abs_diff (got, want), ==, 0.0);
  g_assert_true (svd_engine_process (e, in, SVD_PIXEL_FORMAT_RGBA8, &rgba, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rgba->width, ==, 18);
}

static SvdImage *
random_frame (SvdPixelFormat format,
              int            w,
              int            h,
              guint32        seed)
{
  g_autoptr(GError) error = NULL;
  SvdImage *im = svd_image_new (format, w, h, &error);
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (format);

  g_assert_no_error (error);
  rng_state = seed;
  for (int p = 0; p < im->n_planes; p++)
    for (int y = 0; y < im->plane_height[p]; y++)
      {
        guint8 *row = im->data[p] + (gsize) y * im->stride[p];
        int n = im->plane_width[p] * (fi->is_yuv ? 1 : fi->samples_per_pixel);

        for (int x = 0; x < n; x++)
          {
            guint32 v = (guint32) (frand () * (1 << fi->bit_depth));

            if (fi->bytes_per_sample == 2)
              ((guint16 *) row)[x] = v;
            else
              row[x] = v;
          }
      }
  return im;
}

static void
compare_images (const SvdImage *a,
                const SvdImage *b,
                const char     *what)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (a->format);

  g_assert_cmpint (a->format, ==, b->format);
  if (a->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      double d = svd_test_max_abs_diff (a, b);

      if (d > 1e-6)
        g_error ("%s: OpenCL and C twin differ by %g", what, d);
      return;
    }
  for (int p = 0; p < a->n_planes; p++)
    for (int y = 0; y < a->plane_height[p]; y++)
      if (memcmp (a->data[p] + (gsize) y * a->stride[p], b->data[p] + (gsize) y * b->stride[p],
                  (gsize) a->plane_width[p] * fi->bytes_per_sample *
                  (fi->is_yuv ? 1 : fi->samples_per_pixel)) != 0)
        g_error ("%s: plane %d row %d differs between OpenCL and the C twin", what, p, y);
}

/* Every YUV layout, matrix and range, and packed RGB, both directions, at
 * odd sizes: the kernels match their C twins. */
static void
test_color_twins (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdColorKernels) k = svd_color_kernels_new (ctx, &error);
  const SvdPixelFormat formats[] = {
    SVD_PIXEL_FORMAT_YUV420P8, SVD_PIXEL_FORMAT_YUV422P8, SVD_PIXEL_FORMAT_YUV444P8,
    SVD_PIXEL_FORMAT_YUV420P10, SVD_PIXEL_FORMAT_YUV422P10, SVD_PIXEL_FORMAT_YUV444P10,
    SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGBA8,
  };
  const int sizes[][2] = { { 1, 1 }, { 37, 53 }, { 64, 35 } };

  g_assert_no_error (error);
  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      for (int m = 0; m < 3; m++)
        for (int r = 0; r < 2; r++)
          {
            int w = sizes[s][0], h = sizes[s][1];
            g_autoptr(SvdImage) in = random_frame (formats[f], w, h, 1 + f * 7 + s);
            g_autoptr(SvdImage) rgb_cl = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, &error);
            g_autoptr(SvdImage) rgb_ref = NULL;
            g_autoptr(SvdImage) back_cl = svd_image_new (formats[f], w, h, &error);
            g_autoptr(SvdImage) back_ref = NULL;
            g_autofree char *what = g_strdup_printf ("%s %dx%d %s %s", svd_pixel_format_get_info (formats[f])->name,
                                                     w, h, svd_color_matrix_name (m), svd_color_range_name (r));

            if (!svd_pixel_format_get_info (formats[f])->is_yuv && (m > 0 || r > 0))
              continue;
            in->color.matrix = m;
            in->color.range = r;
            back_cl->color = in->color;
            g_assert_true (svd_color_convert_cl (k, in, rgb_cl, &error));
            g_assert_no_error (error);
            rgb_ref = svd_color_to_rgbf32_ref (in, &error);
            compare_images (rgb_cl, rgb_ref, what);

            g_assert_true (svd_color_convert_cl (k, rgb_ref, back_cl, &error));
            g_assert_no_error (error);
            back_ref = svd_color_from_rgbf32_ref (rgb_ref, formats[f], &in->color, &error);
            compare_images (back_cl, back_ref, what);
          }
}

/* What the session and `svd metrics` convert decoded frames with: on the
 * device (one upload, two read-backs, buffers reused across sizes) it gives
 * the C twins' float RGB and their RGBA8 bit for bit. */
static void
test_frame_converter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdFrameConverter) dev = svd_frame_converter_new (ctx, &error);
  g_autoptr(SvdFrameConverter) cpu = svd_frame_converter_new (NULL, &error);
  const SvdPixelFormat formats[] = {
    SVD_PIXEL_FORMAT_YUV420P8, SVD_PIXEL_FORMAT_YUV422P10, SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGB_F32,
  };
  const int sizes[][2] = { { 64, 35 }, { 37, 53 }, { 130, 9 } };

  g_assert_no_error (error);
  g_assert_true (svd_frame_converter_uses_device (dev));
  g_assert_false (svd_frame_converter_uses_device (cpu));
  for (gsize f = 0; f < G_N_ELEMENTS (formats); f++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        g_autoptr(SvdImage) in = random_frame (formats[f] == SVD_PIXEL_FORMAT_RGB_F32 ? SVD_PIXEL_FORMAT_RGB8 : formats[f],
                                               sizes[s][0], sizes[s][1], 5 + f * 3 + s);
        g_autoptr(SvdImage) rgb_dev = NULL, rgb_cpu = NULL, disp_dev = NULL, disp_cpu = NULL;
        g_autofree char *what = g_strdup_printf ("converter %s %dx%d", svd_pixel_format_get_info (formats[f])->name,
                                                 sizes[s][0], sizes[s][1]);

        if (formats[f] == SVD_PIXEL_FORMAT_RGB_F32)
          {
            SvdImage *rgb = svd_color_to_rgbf32_ref (in, &error);

            g_assert_no_error (error);
            svd_image_unref (in);
            in = rgb;
          }
        in->frame_index = 7;
        in->pts = 1234;
        g_assert_true (svd_frame_converter_convert (dev, in, &rgb_dev, &disp_dev, &error));
        g_assert_no_error (error);
        g_assert_true (svd_frame_converter_convert (cpu, in, &rgb_cpu, &disp_cpu, &error));
        g_assert_no_error (error);
        compare_images (rgb_dev, rgb_cpu, what);
        compare_images (disp_dev, disp_cpu, what);
        g_assert_cmpint (disp_dev->format, ==, SVD_PIXEL_FORMAT_RGBA8);
        g_assert_cmpint (rgb_dev->frame_index, ==, 7);
        g_assert_cmpint (disp_dev->pts, ==, 1234);
        if (formats[f] == SVD_PIXEL_FORMAT_RGB_F32)
          g_assert_true (rgb_dev == in);
        g_clear_pointer (&disp_dev, svd_image_unref);
        /* The display alone, from the float RGB (as for a chain's output). */
        g_assert_true (svd_frame_converter_convert (dev, rgb_cpu, NULL, &disp_dev, &error));
        g_assert_no_error (error);
        compare_images (disp_dev, disp_cpu, what);
      }
}

/* YUV → RGB → YUV at 4:4:4 returns the codes (within rounding), so the
 * matrices and ranges are inverses of each other; a grey limited-range
 * pixel maps to the expected value. */
static void
test_color_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) in = svd_image_new (SVD_PIXEL_FORMAT_YUV444P10, 2, 1, &error);
  g_autoptr(SvdImage) rgb = NULL;
  g_autoptr(SvdImage) back = NULL;

  for (int p = 0; p < 3; p++)
    {
      ((guint16 *) in->data[p])[0] = p == 0 ? 940 : 512;   /* limited white */
      ((guint16 *) in->data[p])[1] = p == 0 ? 300 : (p == 1 ? 400 : 600);
    }
  in->color.matrix = SVD_COLOR_MATRIX_BT709;
  in->color.range = SVD_COLOR_RANGE_LIMITED;
  rgb = svd_color_to_rgbf32_ref (in, &error);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (fabsf (px (rgb, c, 0, 0) - 1.0f), <=, 1e-6f);
  back = svd_color_from_rgbf32_ref (rgb, SVD_PIXEL_FORMAT_YUV444P10, &in->color, &error);
  for (int p = 0; p < 3; p++)
    g_assert_cmpint (abs (((guint16 *) back->data[p])[1] - ((guint16 *) in->data[p])[1]), <=, 1);
}

/* Built-in resize steps in a chain (model → bicubic 2x → model): OpenCL vs
 * the C twins, every filter, odd sizes; nearest must equal replication. */
static void
test_cl_resize_steps (void)
{
  g_autoptr(SvdEngine) e = make_engine (NULL, 0);
  g_autoptr(SvdModel) m = random_model (8, 2, 1, 31);
  const int sizes[][2] = { { 1, 1 }, { 37, 53 }, { 5, 2 } };

  for (int f = SVD_RESIZE_NEAREST; f <= SVD_RESIZE_LANCZOS; f++)
    for (int scale = 2; scale <= 3; scale++)
      for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(SvdImage) in = random_image (sizes[i][0], sizes[i][1], 40 + i);
          g_autoptr(SvdChain) steps = svd_chain_new (NULL);
          g_autoptr(SvdImage) a = svd_model_run_reference (m, in, 1, NULL, &error);
          g_autoptr(SvdImage) b = svd_resize_ref (a, f, scale, &error);
          g_autoptr(SvdImage) want = svd_model_run_reference (m, b, 1, NULL, &error);
          g_autoptr(SvdImage) got = NULL;
          double d;

          g_assert_no_error (error);
          if (f == SVD_RESIZE_NEAREST)
            for (int c = 0; c < 3; c++)
              for (int y = 0; y < b->height; y++)
                for (int x = 0; x < b->width; x++)
                  g_assert_cmpfloat (px (b, c, x, y), ==, px (a, c, x / scale, y / scale));
          g_assert_true (svd_chain_add_model (steps, m, &error));
          svd_chain_add_resize (steps, f, scale);
          g_assert_true (svd_chain_add_model (steps, m, &error));
          g_assert_true (svd_engine_set_chain (e, steps, &error));
          g_assert_no_error (error);
          g_assert_true (svd_engine_process (e, in, SVD_PIXEL_FORMAT_RGB_F32, &got, NULL, NULL, &error));
          g_assert_no_error (error);
          d = svd_test_max_abs_diff (got, want);
          if (d > 1e-5)
            g_error ("resize filter %d x%d at %dx%d: OpenCL vs twin %g", f, scale, in->width, in->height, d);
        }
}

static void
test_peak_twin (void)
{
  double err = 1.0;
  g_autoptr(GError) error = NULL;
  double gflops = svd_cl_measure_fma_peak (ctx, &err, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (gflops, >, 0.0);
  g_test_message ("FMA peak %.1f GFLOP/s, twin rel. error %.3g", gflops, err);
  g_assert_cmpfloat (err, <=, 1e-5);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  ctx = svd_test_cl_context ();
  g_test_message ("device: %s", svd_cl_context_get_info (ctx)->name);
  g_test_add_func ("/engine/ref/shuffle-order", test_ref_shuffle_order);
  g_test_add_func ("/engine/ref/conv-padding", test_ref_conv_padding);
  g_test_add_func ("/engine/cl/synthetic-vs-ref", test_cl_synthetic);
  g_test_add_func ("/engine/cl/chain-reuse", test_cl_chain_reuse);
  g_test_add_func ("/engine/cl/tiled", test_cl_tiled);
  g_test_add_func ("/engine/cl/resize-steps", test_cl_resize_steps);
  g_test_add_func ("/engine/cpu-fallback", test_cpu_fallback);
  g_test_add_func ("/engine/color/twins", test_color_twins);
  g_test_add_func ("/engine/color/roundtrip", test_color_roundtrip);
  g_test_add_func ("/engine/color/frame-converter", test_frame_converter);
  g_test_add_func ("/engine/peak/twin", test_peak_twin);
  ret = g_test_run ();
  svd_cl_context_unref (ctx);
  return ret;
}
