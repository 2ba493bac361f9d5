/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-winograd"

#include "svd-test-utils.h"
#include "engine/svd-winograd.h"
#include "engine/svd-winograd-cl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Winograd F(2x2,3x3) and F(4x4,3x3): the C twin against a direct
 * convolution in double, and opencl/winograd.cl against both, on odd
 * sizes (partial tiles, partial blocks of tiles), odd channel counts and
 * several block shapes; then the fp16-storage path. The kernel must also
 * write nothing outside the image (the engine relies on the zero border). */

static SvdClContext *ctx;

typedef struct {
  int w, h, ic, oc;
} Shape;

static const Shape shapes[] = {
  { 1, 1, 24, 24 },
  { 2, 3, 24, 24 },
  { 37, 53, 24, 24 },
  { 37, 53, 35, 35 },
  { 64, 96, 24, 24 },
  { 131, 9, 16, 16 },
};

static void
fill (float   *v,
      gsize    n,
      float    lo,
      float    hi,
      GRand   *rand)
{
  for (gsize i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (rand, lo, hi);
}

typedef struct {
  float *src, *weight, *bias, *slope;
} Data;

static void
data_init (Data        *d,
           const Shape *s,
           guint32      seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  d->src = g_new (float, (gsize) s->ic * s->w * s->h);
  d->weight = g_new (float, (gsize) s->oc * s->ic * 9);
  d->bias = g_new (float, s->oc);
  d->slope = g_new (float, s->oc);
  /* Feature-map-like magnitudes: activations in [-1, 2], weights ~ 1/√(9 ic). */
  fill (d->src, (gsize) s->ic * s->w * s->h, -1.0f, 2.0f, rand);
  fill (d->weight, (gsize) s->oc * s->ic * 9, -0.15f, 0.15f, rand);
  fill (d->bias, s->oc, -0.2f, 0.2f, rand);
  fill (d->slope, s->oc, 0.0f, 0.3f, rand);
}

static void
data_clear (Data *d)
{
  g_free (d->src);
  g_free (d->weight);
  g_free (d->bias);
  g_free (d->slope);
}

static double
max_diff (const float *a,
          const float *b,
          gsize        n)
{
  double m = 0;

  for (gsize i = 0; i < n; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

static void
test_twin (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &shapes[i];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *want = g_new (float, n);
        g_autofree float *got = g_new (float, n);
        Data d;
        double diff;

        data_init (&d, s, 1 + i);
        svd_direct_conv_ref (d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, want);
        svd_winograd_conv_ref (m, d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, got);
        diff = max_diff (want, got, n);
        g_test_message ("twin F(%d) %dx%d %d→%d: %.3g", m, s->w, s->h, s->ic, s->oc, diff);
        g_assert_cmpfloat (diff, <=, 1e-4);
        data_clear (&d);
      }
}

static cl_kernel
get_kernel (gpointer     data,
            const char  *file,
            const char  *name,
            const char  *options,
            GError     **error)
{
  g_autofree char *source = svd_cl_context_load_source (ctx, file, error);
  const char *sources[] = { source, NULL };
  SvdClBuildInfo info = { 0 };
  cl_program program;
  cl_kernel k;

  if (source == NULL)
    return NULL;
  program = svd_cl_context_build_program (ctx, sources, options, &info, error);
  g_free (info.cache_path);
  if (program == NULL)
    return NULL;
  k = svd_cl_create_kernel (program, name, error);
  clReleaseProgram (program);
  return k;
}

static SvdWinogradShape weights_shape = SVD_WINOGRAD_SHAPE_CPU;

/* The weight transform runs on the device (wino_weights): with doubles it
 * must give the C twin's bits, without them agree within float rounding;
 * for both tile sizes, odd channel counts and block widths, and VGG16's
 * widening shapes (DISTS). */
static void
test_weights_device (void)
{
  static const struct { int ic, oc, ocb; } cases[] = {
    { 24, 24, 0 }, { 35, 35, 0 }, { 3, 7, 0 }, { 64, 128, 0 }, { 16, 48, 8 }, { 24, 24, 5 }, { 9, 30, 3 },
  };
  cl_device_fp_config dfp = 0;
  gboolean fp64;

  /* Either shape: both take wino_weights' layout (the GPU shape with at
   * most 4 output channels per block). */
  if (g_str_has_suffix (g_test_get_path (), "/gpu"))
    weights_shape = SVD_WINOGRAD_SHAPE_GPU;

  clGetDeviceInfo (svd_cl_context_get_info (ctx)->device, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof dfp, &dfp, NULL);
  fp64 = dfp != 0;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int m = 2; m <= 4; m += 2)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(SvdWinogradLayer) layer = NULL;
        Shape s = { 1, 1, cases[i].ic, cases[i].oc };
        gsize n = (gsize) SVD_WINOGRAD_TILE (m) * SVD_WINOGRAD_TILE (m) * s.ic * s.oc;
        g_autofree float *want = g_new (float, n);
        g_autofree float *got = g_new (float, n);
        Data d;
        double diff;

        data_init (&d, &s, 40 + i);
        layer = svd_winograd_layer_new (ctx, get_kernel, NULL, m, s.ic, s.oc, FALSE, FALSE, weights_shape, 0, 0,
                                        cases[i].ocb, d.weight, d.bias, d.slope, &error);
        g_assert_no_error (error);
        /* The caller's weights may go as soon as the layer is made. */
        memset (d.weight, 0xff, (gsize) s.oc * s.ic * 9 * sizeof (float));
        g_assert_true (svd_winograd_layer_read_weights (layer, got, &error));
        g_assert_no_error (error);
        data_clear (&d);
        data_init (&d, &s, 40 + i);
        svd_winograd_transform_weights (m, d.weight, s.ic, s.oc, svd_winograd_layer_get_ocb (layer), want);
        diff = max_diff (want, got, n);
        g_test_message ("weights F(%d) %s-shaped %d→%d ocb %d: %.3g%s", m, svd_winograd_shape_name (weights_shape),
                        s.ic, s.oc, svd_winograd_layer_get_ocb (layer), diff, fp64 ? " (fp64)" : "");
        g_assert_cmpint (svd_winograd_layer_get_shape (layer), ==, weights_shape);
        if (weights_shape == SVD_WINOGRAD_SHAPE_GPU)
          g_assert_cmpint (svd_winograd_layer_get_ocb (layer), <=, 4);
        if (fp64)
          g_assert_cmpmem (want, n * sizeof (float), got, n * sizeof (float));
        else
          g_assert_cmpfloat (diff, <=, 1e-6);
        data_clear (&d);
      }
  weights_shape = SVD_WINOGRAD_SHAPE_CPU;
}

/* Runs the kernel on padded planes sized as tightly as the kernel allows
 * (whole tiles plus the border, pitch not a multiple of anything) with a
 * NaN sentinel in the output's border and slack; returns the unpadded
 * result and checks the sentinel survived. */
static int block_vw, block_rx, block_ocb;   /* 0: the defaults */
static int band_rows;                       /* 0: one whole run */
static SvdWinogradShape run_shape;          /* the kernels' shape */
static int max_tiles;                       /* GPU shape: 0, the default */

static float *
run_kernel (int          m,
            const Shape *s,
            const Data  *d,
            gboolean     half)
{
  cl_command_queue q = svd_cl_context_get_queue (ctx);
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdWinogradLayer) layer = NULL;
  int ntx = (s->w + m - 1) / m, nty = (s->h + m - 1) / m;
  int pitch = ntx * m + 2 + 3, rows = nty * m + 2, plane = pitch * rows;
  int elem = half ? 2 : 4;
  int nch = MAX (s->ic, s->oc);
  gsize bytes = (gsize) plane * nch * elem;
  g_autofree guint8 *host_src = g_malloc0 (bytes);
  g_autofree guint8 *host_dst = g_malloc (bytes);
  float *out = g_new (float, (gsize) s->oc * s->w * s->h);
  cl_mem src, dst, scratch;

  layer = svd_winograd_layer_new (ctx, get_kernel, NULL, m, s->ic, s->oc, half, half, run_shape, block_vw,
                                  block_rx, block_ocb, d->weight, d->bias, d->slope, &error);
  g_assert_no_error (error);
  g_assert_cmpint (svd_winograd_layer_get_shape (layer), ==, run_shape);
  if (max_tiles != 0)
    {
      g_assert_true (svd_winograd_layer_set_max_tiles (layer, max_tiles, &error));
      g_assert_no_error (error);
    }
  /* The GPU shape reads nothing past the zero border, whatever slack the
   * plane has (the engine's pixel-variant planes have less than these):
   * NaN there would reach the output. */
  if (run_shape == SVD_WINOGRAD_SHAPE_GPU)
    for (int c = 0; c < nch; c++)
      for (int y = 0; y < rows; y++)
        for (int x = 0; x < pitch; x++)
          if (x > s->w + 1 || y > s->h + 1)
            {
              gsize at = (gsize) c * plane + (gsize) y * pitch + x;

              if (half)
                ((guint16 *) host_src)[at] = 0x7e00;
              else
                ((float *) host_src)[at] = NAN;
            }
  for (int c = 0; c < s->ic; c++)
    for (int y = 0; y < s->h; y++)
      for (int x = 0; x < s->w; x++)
        {
          float v = d->src[((gsize) c * s->h + y) * s->w + x];
          gsize at = (gsize) c * plane + (gsize) (y + 1) * pitch + x + 1;

          if (half)
            ((_Float16 *) host_src)[at] = (_Float16) v;
          else
            ((float *) host_src)[at] = v;
        }
  /* NaN everywhere: half 0x7e00, float 0x7fc00000. */
  if (half)
    for (gsize i = 0; i < bytes / 2; i++)
      ((guint16 *) host_dst)[i] = 0x7e00;
  else
    for (gsize i = 0; i < bytes / 4; i++)
      ((float *) host_dst)[i] = NAN;
  src = svd_cl_context_alloc (ctx, CL_MEM_READ_WRITE, bytes, &error);
  g_assert_no_error (error);
  dst = svd_cl_context_alloc (ctx, CL_MEM_READ_WRITE, bytes, &error);
  g_assert_no_error (error);
  scratch = svd_cl_context_alloc (ctx, CL_MEM_READ_WRITE, svd_winograd_layer_scratch_bytes (layer), &error);
  g_assert_no_error (error);
  g_assert_cmpint (clEnqueueWriteBuffer (q, src, CL_TRUE, 0, bytes, host_src, 0, NULL, NULL), ==, CL_SUCCESS);
  g_assert_cmpint (clEnqueueWriteBuffer (q, dst, CL_TRUE, 0, bytes, host_dst, 0, NULL, NULL), ==, CL_SUCCESS);
  /* Whole, or in bands of band_rows tile rows (the engine's cancellable
   * path); either must give the same result. */
  for (int ty = 0, nty = svd_winograd_layer_tile_rows (layer, s->h); ty < nty; ty += band_rows ? band_rows : nty)
    {
      g_assert_true (svd_winograd_layer_run (layer, src, pitch, plane, dst, pitch, plane, scratch, s->w, s->h,
                                             ty, band_rows, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_no_error (error);
  g_assert_cmpint (clEnqueueReadBuffer (q, dst, CL_TRUE, 0, bytes, host_dst, 0, NULL, NULL), ==, CL_SUCCESS);
  for (int c = 0; c < nch; c++)
    for (int y = 0; y < rows; y++)
      for (int x = 0; x < pitch; x++)
        {
          gsize at = (gsize) c * plane + (gsize) y * pitch + x;
          gboolean inside = c < s->oc && y >= 1 && y <= s->h && x >= 1 && x <= s->w;
          float v = half ? (float) ((_Float16 *) host_dst)[at] : ((float *) host_dst)[at];

          if (inside)
            out[((gsize) c * s->h + y - 1) * s->w + x - 1] = v;
          else if (!isnan (v))
            g_error ("F(%d) %dx%d wrote %g outside the image at channel %d (%d, %d)", m, s->w, s->h, v, c,
                     x, y);
        }
  clReleaseMemObject (src);
  clReleaseMemObject (dst);
  clReleaseMemObject (scratch);
  return out;
}

static void
check_kernel (const char *block,
              gsize       first,
              gsize       end)
{
  block_vw = block_rx = block_ocb = 0;
  if (block != NULL)
    g_assert_cmpint (sscanf (block, "%d,%d,%d", &block_vw, &block_rx, &block_ocb), ==, 3);
  for (gsize i = first; i < end; i++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &shapes[i];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *want = g_new (float, n);
        g_autofree float *twin = g_new (float, n);
        g_autofree float *got = NULL;
        Data d;
        double d_ref, d_twin;

        data_init (&d, s, 100 + i);
        svd_direct_conv_ref (d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, want);
        svd_winograd_conv_ref (m, d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, twin);
        got = run_kernel (m, s, &d, FALSE);
        d_ref = max_diff (want, got, n);
        d_twin = max_diff (twin, got, n);
        g_test_message ("kernel F(%d) block %s %dx%d %d→%d: vs direct %.3g, vs twin %.3g", m,
                        block ? block : "default", s->w, s->h, s->ic, s->oc, d_ref, d_twin);
        g_assert_cmpfloat (d_ref, <=, 1e-4);
        g_assert_cmpfloat (d_twin, <=, 1e-4);
        data_clear (&d);
      }
  block_vw = block_rx = block_ocb = 0;
}

static void
test_kernel (void)
{
  check_kernel (NULL, 0, G_N_ELEMENTS (shapes));
}

/* Other block shapes on the odd shapes (37x53, 35 channels; 131x9):
 * narrow vectors, one vector per block, odd channel blocks, scalar lanes. */
static void
test_kernel_blocks (void)
{
  check_kernel ("4,1,3", 3, 4);
  check_kernel ("8,3,5", 3, 4);
  check_kernel ("1,1,1", 5, 6);
  /* Every blocking the auto choice measures, at the device's width. */
  for (int b = 0; b < SVD_WINO_N_BLOCKS; b++)
    {
      int ocb, rx;
      g_autofree char *spec = NULL;

      svd_wino_block_get (b, &ocb, &rx);
      spec = g_strdup_printf ("0,%d,%d", rx, ocb);
      check_kernel (spec, 2, 5);
    }
}

/* The layer in bands of tile rows (as the engine runs it, with a
 * cancellation point after each): the same bits as one whole run, on odd
 * sizes where the last band is short, and nothing written outside. */
static void
test_kernel_bands (void)
{
  const gsize which[] = { 2, 5 };

  for (gsize j = 0; j < G_N_ELEMENTS (which); j++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &shapes[which[j]];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *whole = NULL;
        Data d;

        data_init (&d, s, 300 + which[j]);
        band_rows = 0;
        whole = run_kernel (m, s, &d, FALSE);
        for (int b = 1; b <= 3; b += 2)
          {
            g_autofree float *banded = NULL;

            band_rows = b;
            banded = run_kernel (m, s, &d, FALSE);
            g_test_message ("F(%d) %dx%d in bands of %d tile rows vs whole: %.3g", m, s->w, s->h, b,
                            max_diff (whole, banded, n));
            g_assert_cmpfloat (max_diff (whole, banded, n), ==, 0.0);
          }
        band_rows = 0;
        data_clear (&d);
      }
}

/* fp16 storage: the input rounded to half, the output stored as half;
 * within 1e-3 of the direct convolution of the rounded input (values of
 * magnitude up to ~4, half's spacing there is 2^-9 ≈ 2e-3, so relative). */
static void
test_fp16 (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &shapes[i];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *want = g_new (float, n);
        g_autofree float *got = NULL;
        double worst = 0;
        Data d;

        data_init (&d, s, 200 + i);
        for (gsize j = 0; j < (gsize) s->ic * s->w * s->h; j++)
          d.src[j] = (float) (_Float16) d.src[j];
        svd_direct_conv_ref (d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, want);
        got = run_kernel (m, s, &d, TRUE);
        for (gsize j = 0; j < n; j++)
          worst = MAX (worst, fabs ((double) want[j] - got[j]) / MAX (1.0, fabs (want[j])));
        g_test_message ("fp16 F(%d) %dx%d %d→%d: relative %.3g", m, s->w, s->h, s->ic, s->oc, worst);
        g_assert_cmpfloat (worst, <=, 1e-3);
        data_clear (&d);
      }
}

/* ---- The GPU-shaped variant (wino_gpu_input, _gemm, _output) ----
 *
 * Odd sizes whose tiles run past the image on both sides, channel counts
 * whose output blocks are 4 (24, 64: two and four blocks per work-group),
 * 3 (6 channels) and 1 (35), a widening layer (DISTS's VGG16), and GEMM
 * work-groups cut short in tiles and input channels (12: a step and a
 * half of 8). */
static const Shape gpu_shapes[] = {
  { 1, 1, 24, 24 },
  { 2, 3, 24, 24 },
  { 37, 23, 24, 24 },
  { 37, 53, 35, 35 },
  { 61, 45, 64, 64 },
  { 131, 9, 16, 16 },
  { 13, 11, 6, 6 },
  { 23, 19, 64, 128 },
  { 29, 31, 12, 12 },
};

/* Against the C twin: F(2x2) within 1e-5, F(4x4) (whose transforms
 * multiply values by up to 8 and 1/24 before they cancel) within 1e-4, as
 * the CPU shape; the direct convolution within 1e-4. Both twin and
 * kernels round in float, in different orders. Measured on PoCL: at most
 * 3e-6 and 4.2e-5. */
#define GPU_TWIN_TOL(m) ((m) == 2 ? 1e-5 : 1e-4)

static void
test_gpu_kernel (void)
{
  run_shape = SVD_WINOGRAD_SHAPE_GPU;
  for (gsize i = 0; i < G_N_ELEMENTS (gpu_shapes); i++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &gpu_shapes[i];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *want = g_new (float, n);
        g_autofree float *twin = g_new (float, n);
        g_autofree float *got = NULL;
        g_autofree float *cpu = NULL;
        Data d;
        double d_ref, d_twin, d_cpu;

        data_init (&d, s, 500 + i);
        svd_direct_conv_ref (d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, want);
        svd_winograd_conv_ref (m, d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, twin);
        got = run_kernel (m, s, &d, FALSE);
        d_ref = max_diff (want, got, n);
        d_twin = max_diff (twin, got, n);
        /* The CPU shape with the same channel blocks and scalar lanes
         * does the same operations in the same order. */
        run_shape = SVD_WINOGRAD_SHAPE_CPU;
        block_vw = block_rx = 1;
        block_ocb = 4;
        cpu = run_kernel (m, s, &d, FALSE);
        block_vw = block_rx = block_ocb = 0;
        run_shape = SVD_WINOGRAD_SHAPE_GPU;
        d_cpu = max_diff (cpu, got, n);
        g_test_message ("gpu-shaped F(%d) %dx%d %d→%d: vs direct %.3g, vs twin %.3g, vs cpu-shaped %.3g", m, s->w,
                        s->h, s->ic, s->oc, d_ref, d_twin, d_cpu);
        g_assert_cmpfloat (d_twin, <=, GPU_TWIN_TOL (m));
        /* One compiler (PoCL's) gives the same bits; a GPU's may contract
         * the two kernels' expressions differently. */
        if ((svd_cl_context_get_info (ctx)->type & CL_DEVICE_TYPE_CPU) != 0)
          g_assert_cmpfloat (d_cpu, ==, 0.0);
        else
          g_assert_cmpfloat (d_cpu, <=, 1e-5);
        g_assert_cmpfloat (d_ref, <=, 1e-4);
        data_clear (&d);
      }
  run_shape = SVD_WINOGRAD_SHAPE_CPU;
}

/* Bands of tile rows (the engine's), and chunks of a few tiles that end
 * inside a row of tiles (a band wider than the scratch): the same bits as
 * one whole run. */
static void
test_gpu_bands (void)
{
  const gsize which[] = { 2, 4 };

  run_shape = SVD_WINOGRAD_SHAPE_GPU;
  for (gsize j = 0; j < G_N_ELEMENTS (which); j++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &gpu_shapes[which[j]];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *whole = NULL;
        Data d;

        data_init (&d, s, 600 + which[j]);
        band_rows = 0;
        max_tiles = 0;
        whole = run_kernel (m, s, &d, FALSE);
        for (int b = 1; b <= 3; b += 2)
          for (int mt = 0; mt <= 12; mt += 4)
            {
              g_autofree float *banded = NULL;

              if (mt == 4)
                continue;
              band_rows = b;
              max_tiles = mt;
              banded = run_kernel (m, s, &d, FALSE);
              g_test_message ("gpu-shaped F(%d) %dx%d in bands of %d tile rows, chunks of %d tiles vs whole: %.3g",
                              m, s->w, s->h, b, mt, max_diff (whole, banded, n));
              g_assert_cmpfloat (max_diff (whole, banded, n), ==, 0.0);
            }
        /* Chunks alone, without bands. */
        {
          g_autofree float *chunked = NULL;

          band_rows = 0;
          max_tiles = 4;
          chunked = run_kernel (m, s, &d, FALSE);
          g_assert_cmpfloat (max_diff (whole, chunked, n), ==, 0.0);
        }
        band_rows = 0;
        max_tiles = 0;
        data_clear (&d);
      }
  run_shape = SVD_WINOGRAD_SHAPE_CPU;
}

/* fp16 storage, with the tolerance of test_fp16(). */
static void
test_gpu_fp16 (void)
{
  run_shape = SVD_WINOGRAD_SHAPE_GPU;
  for (gsize i = 0; i < G_N_ELEMENTS (gpu_shapes); i++)
    for (int m = 2; m <= 4; m += 2)
      {
        const Shape *s = &gpu_shapes[i];
        gsize n = (gsize) s->oc * s->w * s->h;
        g_autofree float *want = g_new (float, n);
        g_autofree float *got = NULL;
        double worst = 0;
        Data d;

        data_init (&d, s, 700 + i);
        for (gsize j = 0; j < (gsize) s->ic * s->w * s->h; j++)
          d.src[j] = (float) (_Float16) d.src[j];
        svd_direct_conv_ref (d.src, s->ic, s->oc, s->w, s->h, d.weight, d.bias, d.slope, want);
        got = run_kernel (m, s, &d, TRUE);
        for (gsize j = 0; j < n; j++)
          worst = MAX (worst, fabs ((double) want[j] - got[j]) / MAX (1.0, fabs (want[j])));
        g_test_message ("gpu-shaped fp16 F(%d) %dx%d %d→%d: relative %.3g", m, s->w, s->h, s->ic, s->oc, worst);
        g_assert_cmpfloat (worst, <=, 1e-3);
        data_clear (&d);
      }
  run_shape = SVD_WINOGRAD_SHAPE_CPU;
}

/* Chunks are the GPU shape's: refused for the CPU shape and for counts
 * that are not positive multiples of 4; the scratch follows the chunk. */
static void
test_gpu_max_tiles (void)
{
  const Shape s = { 1, 1, 24, 24 };
  Data d;

  data_init (&d, &s, 800);
  for (int k = 0; k < 2; k++)
    {
      g_autoptr(GError) error = NULL;
      SvdWinogradShape shape = k ? SVD_WINOGRAD_SHAPE_GPU : SVD_WINOGRAD_SHAPE_CPU;
      g_autoptr(SvdWinogradLayer) layer = svd_winograd_layer_new (ctx, get_kernel, NULL, 4, 24, 24, FALSE, FALSE,
                                                                  shape, 0, 0, 0, d.weight, d.bias, d.slope,
                                                                  &error);

      g_assert_no_error (error);
      g_assert_cmpstr (svd_winograd_shape_name (svd_winograd_layer_get_shape (layer)), ==, k ? "gpu" : "cpu");
      if (k == 0)
        {
          g_assert_false (svd_winograd_layer_set_max_tiles (layer, 64, &error));
          g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
          continue;
        }
      g_assert_cmpint (svd_winograd_layer_get_ocb (layer), ==, 4);
      for (int bad = -4; bad <= 6; bad += 2)
        if (bad != 4)
          {
            g_assert_false (svd_winograd_layer_set_max_tiles (layer, bad, &error));
            g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
            g_clear_error (&error);
          }
      g_assert_true (svd_winograd_layer_set_max_tiles (layer, 100, &error));
      /* V (24 channels) and M (24) of 100 tiles of 6 x 6. */
      g_assert_cmpuint (svd_winograd_layer_scratch_bytes (layer), ==, (guint64) 36 * (24 + 24) * 100 * 4);
    }
  data_clear (&d);
}

static void
test_choice_cache (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-wino-XXXXXX", NULL);
  g_autofree char *key = svd_conv_choice_key (64, 64, FALSE, TRUE, svd_conv_size_class (960, 540));
  double ms[SVD_CONV_N_CANDIDATES] = { 5, 4, 3, 2, 1 };
  SvdConvChoice choice = { SVD_CONV_ALGO_DIRECT, 0 };
  SvdConvChoice w4b1 = { SVD_CONV_ALGO_WINO4, 1 }, w2b0 = { SVD_CONV_ALGO_WINO2, 0 };

  g_assert_cmpint (svd_conv_size_class (960, 540), ==, svd_conv_size_class (900, 560));
  g_assert_cmpint (svd_conv_size_class (960, 540), !=, svd_conv_size_class (480, 270));
  g_assert_false (svd_conv_choice_lookup (ctx, dir, key, &choice));
  choice = svd_conv_choice_store (ctx, dir, key, w4b1, ms);
  g_assert_cmpint (choice.algo, ==, SVD_CONV_ALGO_WINO4);
  g_assert_cmpint (choice.block, ==, 1);
  g_assert_true (svd_conv_choice_lookup (ctx, dir, key, &choice));
  g_assert_cmpint (choice.algo, ==, SVD_CONV_ALGO_WINO4);
  g_assert_cmpint (choice.block, ==, 1);
  /* A second process that measured the same key meanwhile gets the first
   * choice back and keeps it, so both run the layer alike. */
  choice = svd_conv_choice_store (ctx, dir, key, w2b0, ms);
  g_assert_cmpint (choice.algo, ==, SVD_CONV_ALGO_WINO4);
  g_assert_cmpint (choice.block, ==, 1);
  g_assert_true (svd_conv_choice_lookup (ctx, dir, key, &choice));
  g_assert_cmpint (choice.algo, ==, SVD_CONV_ALGO_WINO4);
  g_assert_cmpint (choice.block, ==, 1);
  svd_test_remove_tree (dir);
}

/* The blocking is part of the choice: every candidate's name parses back
 * to it, a file from before the blocking was measured ("wino4; ...")
 * reads as the default blocking, and an unknown blocking or trailing text
 * reads as no choice (measured again). */
static void
test_choice_blocking (void)
{
  const char *group = "G";
  const char *key = "K";

  for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
    {
      SvdConvChoice c = svd_conv_candidate (i), back = { -1, -1 };
      g_autofree char *name = svd_conv_choice_name (c);
      g_autofree char *text = g_strdup_printf ("[%s]\n%s=%s; direct 1.000 ms\n", group, key, name);

      g_assert_true (svd_conv_choice_parse (text, strlen (text), group, key, &back));
      g_assert_cmpint (back.algo, ==, c.algo);
      g_assert_cmpint (back.block, ==, c.block);
      if (c.algo != SVD_CONV_ALGO_DIRECT)
        {
          int ocb, rx;
          g_autofree char *suffix = NULL;

          svd_wino_block_get (c.block, &ocb, &rx);
          suffix = g_strdup_printf (":%dx%d", ocb, rx);
          g_assert_true (g_str_has_suffix (name, suffix));
        }
    }
  /* Both blockings of both variants are candidates, direct first. */
  g_assert_cmpint (svd_conv_candidate (0).algo, ==, SVD_CONV_ALGO_DIRECT);
  for (int k = 0; k < 2; k++)
    for (int b = 0; b < SVD_WINO_N_BLOCKS; b++)
      {
        SvdConvChoice c = svd_conv_candidate (1 + k * SVD_WINO_N_BLOCKS + b);

        g_assert_cmpint (c.algo, ==, k == 0 ? SVD_CONV_ALGO_WINO2 : SVD_CONV_ALGO_WINO4);
        g_assert_cmpint (c.block, ==, b);
      }
  g_assert_cmpint (SVD_WINO_N_BLOCKS, >=, 2);
  {
    const char *old = "[G]\nK=wino4; direct 3.000 ms, wino2 2.000 ms, wino4 1.000 ms\n";
    SvdConvChoice back = { -1, -1 };

    g_assert_true (svd_conv_choice_parse (old, strlen (old), group, key, &back));
    g_assert_cmpint (back.algo, ==, SVD_CONV_ALGO_WINO4);
    g_assert_cmpint (back.block, ==, 0);
  }
  {
    const char *bad[] = { "[G]\nK=wino4:7x3\n", "[G]\nK=wino4:16x1x\n", "[G]\nK=wino2:\n",
                          "[G]\nK=direct:16x1\n", "[G]\nK=wino4junk\n" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        SvdConvChoice back = { -1, -1 };

        g_assert_false (svd_conv_choice_parse (bad[i], strlen (bad[i]), group, key, &back));
        g_assert_cmpint (back.block, ==, -1);
      }
  }
}

/* Runs @m on @in with @settings; returns the output. */
static SvdImage *
run_engine (const SvdSettings *settings,
            SvdModel          *m,
            SvdImage          *in,
            SvdEngine        **engine_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdEngine) engine = svd_engine_new_for_context (ctx, settings, &error);
  g_autoptr(SvdChain) chain = svd_chain_new_from_models (NULL, &m, 1, &error);
  SvdImage *out = NULL;

  g_assert_no_error (error);
  g_assert_true (svd_engine_set_chain (engine, chain, &error));
  g_assert_true (svd_engine_process (engine, in, SVD_PIXEL_FORMAT_RGB_F32, &out, NULL, NULL, &error));
  g_assert_no_error (error);
  if (engine_out != NULL)
    *engine_out = g_steal_pointer (&engine);
  return out;
}

/* settings.conv = auto (the default) in the engine: on a frame of at least
 * SVD_CONV_AUTO_MIN_PIXELS the result matches direct convolution, the
 * choice is measured once and cached per device, and a second engine takes
 * it from the cache without measuring; a smaller frame runs direct without
 * measuring. */
static void
test_engine_auto (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-wino-auto-XXXXXX", NULL);
  g_autofree char *path = svd_test_shared_path ("models", "seed", "1x_super_34_10_fp32.onnx", NULL);
  g_autofree char *key = NULL;
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL;
  g_autoptr(SvdImage) small = NULL;
  g_autoptr(SvdImage) direct = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdSettings) settings;
  SvdConvChoice stored = { SVD_CONV_ALGO_DIRECT, 0 };

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs ../shared/models");
      return;
    }
  m = svd_test_load_shared_model ("seed", "1x_super_34_10_fp32.onnx");
  /* 257x256: just over the threshold, odd width (a partial tile). */
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 257, 256, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 7);
  svd_settings_init (&settings);
  g_assert_cmpint (settings.conv, ==, SVD_CONV_MODE_AUTO);
  settings.kernel_cache_dir = g_strdup (dir);
  settings.conv = SVD_CONV_MODE_DIRECT;
  direct = run_engine (&settings, m, in, NULL);
  settings.conv = SVD_CONV_MODE_AUTO;
  for (int round = 0; round < 2; round++)
    {
      g_autoptr(SvdEngine) engine = NULL;
      g_autoptr(SvdImage) out = run_engine (&settings, m, in, &engine);
      SvdEngineLayerInfo info;

      g_assert_cmpfloat (svd_test_max_abs_diff (out, direct), <=, 1e-4);
      g_assert_true (svd_engine_get_layer_info (engine, 0, 1, &info));
      key = (g_free (key), svd_conv_choice_key (info.ic, info.oc, FALSE, FALSE, svd_conv_size_class (257, 256)));
      g_assert_true (svd_conv_choice_lookup (ctx, dir, key, &stored));
      g_assert_cmpstr (info.algo, ==, svd_conv_algo_name (stored.algo));
      if (stored.algo != SVD_CONV_ALGO_DIRECT)
        {
          int max_ocb, rx;

          /* The layer runs the stored blocking (24 output channels: OCB
           * is the largest divisor within the blocking's bound). */
          svd_wino_block_get (stored.block, &max_ocb, &rx);
          g_assert_cmpint (info.block, ==, stored.block);
          g_assert_cmpint (info.rx, ==, rx);
          g_assert_cmpint (info.ocb, <=, max_ocb);
          g_assert_cmpint (info.oc % info.ocb, ==, 0);
        }
      if (round == 0)
        {
          g_autofree char *ini = g_build_filename (dir, "conv-choice.ini", NULL);
          g_autofree char *text = NULL;

          /* Measured: direct and both Winograd variants timed, the latter
           * in every blocking, each written down. */
          g_assert_true (info.tune_ms[0] > 0 && info.tune_ms[1] > 0 && info.tune_ms[2] > 0);
          g_assert_true (g_file_get_contents (ini, &text, NULL, NULL));
          for (int i = 0; i < SVD_CONV_N_CANDIDATES; i++)
            {
              g_autofree char *name = svd_conv_choice_name (svd_conv_candidate (i));
              g_autofree char *needle = g_strdup_printf (" %s ", name);

              g_assert_nonnull (strstr (text, needle));
            }
        }
      else
        /* From the cache: nothing measured. */
        g_assert_true (info.tune_ms[0] == 0 && info.tune_ms[1] == 0 && info.tune_ms[2] == 0);
      /* The first and last convs stay direct. */
      g_assert_true (svd_engine_get_layer_info (engine, 0, 0, &info));
      g_assert_cmpstr (info.algo, ==, "direct");
      g_assert_true (svd_engine_get_layer_info (engine, 0, m->n_layers - 1, &info));
      g_assert_cmpstr (info.algo, ==, "direct");
    }

  /* Below the threshold: direct, nothing measured, nothing stored. */
  small = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 255, 256, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (small, 9);
  {
    g_autoptr(SvdEngine) engine = NULL;
    g_autoptr(SvdImage) out = run_engine (&settings, m, small, &engine);
    SvdEngineLayerInfo info;

    g_assert_nonnull (out);
    for (int li = 0; li < m->n_layers; li++)
      {
        g_assert_true (svd_engine_get_layer_info (engine, 0, li, &info));
        g_assert_cmpstr (info.algo, ==, "direct");
        g_assert_true (info.tune_ms[0] == 0 && info.tune_ms[1] == 0 && info.tune_ms[2] == 0);
      }
    key = (g_free (key), svd_conv_choice_key (24, 24, FALSE, FALSE, svd_conv_size_class (255, 256)));
    g_assert_false (svd_conv_choice_lookup (ctx, dir, key, &stored));
  }
  svd_test_remove_tree (dir);
}

/* The engine's pixel variant (SVD_CONV_VARIANT=pixel, GPUs by default)
 * runs its Winograd layers GPU-shaped: a real model, body convs forced to
 * F(4x4) and F(2x2), against the block variant running direct, within
 * 1e-4, on an odd size; fp16 storage against the block variant's F(4x4)
 * fp16, within the fp16 parity tests' 2e-3. Every layer says its shape. */
static void
test_engine_gpu_shape (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-wino-gpu-XXXXXX", NULL);
  g_autofree char *path = svd_test_shared_path ("models", "seed", "1x_super_34_10_fp32.onnx", NULL);
  g_autoptr(SvdModel) m = NULL;
  g_autoptr(SvdImage) in = NULL;
  g_autoptr(SvdImage) direct = NULL;
  g_autoptr(SvdImage) half_block = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *cpu_key = NULL;
  g_auto(SvdSettings) settings;
  SvdConvChoice stored = { SVD_CONV_ALGO_DIRECT, 0 };

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs ../shared/models");
      return;
    }
  m = svd_test_load_shared_model ("seed", "1x_super_34_10_fp32.onnx");
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 61, 45, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 11);
  svd_settings_init (&settings);
  settings.kernel_cache_dir = g_strdup (dir);
  settings.conv_variant = SVD_CONV_VARIANT_BLOCK;
  settings.conv = SVD_CONV_MODE_DIRECT;
  direct = run_engine (&settings, m, in, NULL);
  settings.conv_variant = SVD_CONV_VARIANT_PIXEL;
  for (int k = 0; k < 2; k++)
    {
      g_autoptr(SvdEngine) engine = NULL;
      g_autoptr(SvdImage) out = NULL;
      const char *algo = k == 0 ? "wino4" : "wino2";
      SvdEngineLayerInfo info;
      double diff;

      settings.conv = k == 0 ? SVD_CONV_MODE_WINO4 : SVD_CONV_MODE_WINO2;
      out = run_engine (&settings, m, in, &engine);
      g_assert_cmpstr (svd_engine_get_variant (engine), ==, "pixel");
      diff = svd_test_max_abs_diff (out, direct);
      g_test_message ("Super 1x 61x45, pixel variant, %s vs block direct: %.3g", algo, diff);
      g_assert_cmpfloat (diff, <=, 1e-4);
      for (int li = 0; li < m->n_layers; li++)
        {
          gboolean body = li > 0 && li < m->n_layers - 1;

          g_assert_true (svd_engine_get_layer_info (engine, 0, li, &info));
          g_assert_cmpstr (info.algo, ==, body ? algo : "direct");
          g_assert_cmpstr (info.shape, ==, "gpu");
        }
    }

  settings.precision = SVD_PRECISION_FP16;
  settings.conv = SVD_CONV_MODE_WINO4;
  settings.conv_variant = SVD_CONV_VARIANT_BLOCK;
  {
    g_autoptr(SvdEngine) engine = NULL;
    SvdEngineLayerInfo info;

    half_block = run_engine (&settings, m, in, &engine);
    g_assert_true (svd_engine_get_layer_info (engine, 0, 1, &info));
    g_assert_cmpstr (info.algo, ==, "wino4");
    g_assert_cmpstr (info.shape, ==, "cpu");
  }
  settings.conv_variant = SVD_CONV_VARIANT_PIXEL;
  {
    g_autoptr(SvdEngine) engine = NULL;
    g_autoptr(SvdImage) out = run_engine (&settings, m, in, &engine);
    SvdEngineLayerInfo info;
    double diff = svd_test_max_abs_diff (out, half_block);

    g_test_message ("Super 1x 61x45 fp16, wino4 gpu-shaped vs cpu-shaped: %.3g", diff);
    g_assert_cmpfloat (diff, <=, 2e-3);
    g_assert_true (svd_engine_get_layer_info (engine, 0, 1, &info));
    g_assert_cmpstr (info.shape, ==, "gpu");
  }

  /* auto on the pixel variant: direct and both GPU-shaped Winograd
   * variants measured on a frame over the threshold, the result within
   * 1e-4 of direct whichever wins. */
  settings.precision = SVD_PRECISION_FP32;
  settings.conv_variant = SVD_CONV_VARIANT_BLOCK;
  settings.conv = SVD_CONV_MODE_DIRECT;
  g_clear_pointer (&in, svd_image_unref);
  g_clear_pointer (&direct, svd_image_unref);
  in = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, 257, 256, &error);
  g_assert_no_error (error);
  svd_test_fill_random_rgb (in, 13);
  direct = run_engine (&settings, m, in, NULL);
  settings.conv_variant = SVD_CONV_VARIANT_PIXEL;
  settings.conv = SVD_CONV_MODE_AUTO;
  {
    g_autoptr(SvdEngine) engine = NULL;
    g_autoptr(SvdImage) out = run_engine (&settings, m, in, &engine);
    SvdEngineLayerInfo info;
    double diff = svd_test_max_abs_diff (out, direct);

    g_assert_true (svd_engine_get_layer_info (engine, 0, 1, &info));
    g_test_message ("Super 1x 257x256, pixel variant, auto chose %s (%s-shaped; direct %.2f, wino2 %.2f, wino4 "
                    "%.2f ms): %.3g", info.algo, info.shape, info.tune_ms[0], info.tune_ms[1], info.tune_ms[2], diff);
    g_assert_cmpfloat (diff, <=, 1e-4);
    g_assert_true (info.tune_ms[0] > 0 && info.tune_ms[1] > 0 && info.tune_ms[2] > 0);
    g_assert_cmpstr (info.shape, ==, "gpu");
    /* Cached as the GPU shape's choice: the block variant on this device
     * measures its own. */
    key = svd_conv_choice_key_for_shape (24, 24, FALSE, FALSE, SVD_WINOGRAD_SHAPE_GPU,
                                         svd_conv_size_class (257, 256));
    g_assert_true (svd_conv_choice_lookup (ctx, dir, key, &stored));
    g_assert_cmpstr (info.algo, ==, svd_conv_algo_name (stored.algo));
    /* One blocking on the GPU shape: the others are not measured. */
    g_assert_cmpint (stored.block, ==, 0);
    cpu_key = svd_conv_choice_key (24, 24, FALSE, FALSE, svd_conv_size_class (257, 256));
    g_assert_cmpstr (key, !=, cpu_key);
    g_assert_false (svd_conv_choice_lookup (ctx, dir, cpu_key, &stored));
  }
  svd_test_remove_tree (dir);
}

static void
test_mode_names (void)
{
  SvdConvMode mode = SVD_CONV_MODE_DIRECT;

  g_assert_true (svd_conv_mode_from_string ("wino4", &mode));
  g_assert_cmpint (mode, ==, SVD_CONV_MODE_WINO4);
  g_assert_true (svd_conv_mode_from_string ("auto", &mode));
  g_assert_cmpint (mode, ==, SVD_CONV_MODE_AUTO);
  g_assert_false (svd_conv_mode_from_string ("wino3", &mode));
  g_assert_false (svd_conv_mode_from_string (NULL, &mode));
  g_assert_cmpint (mode, ==, SVD_CONV_MODE_AUTO);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/winograd/twin", test_twin);
  ctx = svd_test_cl_context ();
  g_test_add_func ("/winograd/weights-device", test_weights_device);
  g_test_add_func ("/winograd/kernel", test_kernel);
  g_test_add_func ("/winograd/kernel-blocks", test_kernel_blocks);
  g_test_add_func ("/winograd/kernel-bands", test_kernel_bands);
  g_test_add_func ("/winograd/fp16", test_fp16);
  g_test_add_func ("/winograd/weights-device/gpu", test_weights_device);
  g_test_add_func ("/winograd/gpu/kernel", test_gpu_kernel);
  g_test_add_func ("/winograd/gpu/bands", test_gpu_bands);
  g_test_add_func ("/winograd/gpu/fp16", test_gpu_fp16);
  g_test_add_func ("/winograd/gpu/max-tiles", test_gpu_max_tiles);
  g_test_add_func ("/winograd/gpu/engine", test_engine_gpu_shape);
  g_test_add_func ("/winograd/choice-cache", test_choice_cache);
  g_test_add_func ("/winograd/choice-blocking", test_choice_blocking);
  g_test_add_func ("/winograd/engine-auto", test_engine_auto);
  g_test_add_func ("/winograd/mode-names", test_mode_names);
  ret = g_test_run ();
  svd_cl_context_unref (ctx);
  return ret;
}
