/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-metrics"

#include "svd-metrics.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

/* SSIM constants (Wang et al. 2004) for L = 255. */
#define SSIM_C1 ((0.01 * 255.0) * (0.01 * 255.0))
#define SSIM_C2 ((0.03 * 255.0) * (0.03 * 255.0))

/* ---------------------------------------------------------------------- */
/* Parallel for                                                            */

typedef struct {
  int                  n;
  int                  grain;
  gint                 next;
  SvdMetricsRangeFunc  func;
  gpointer             user_data;
} ParallelJob;

static gpointer
parallel_worker (gpointer data)
{
  ParallelJob *job = data;

  for (;;)
    {
      int chunk = g_atomic_int_add (&job->next, 1);
      int begin = chunk * job->grain;

      if (begin >= job->n)
        break;
      job->func (begin, MIN (job->n, begin + job->grain), job->user_data);
    }
  return NULL;
}

/**
 * svd_metrics_parallel_for:
 * @n: the range [0, n) to cover
 * @threads: threads to use (0: one per core)
 * @grain: size of the chunks handed out (at least 1)
 * @func: called once per chunk
 * @user_data: for @func
 *
 * Runs @func over [0, @n) in chunks of @grain on up to @threads threads,
 * the calling thread included, and returns when all chunks are done.
 * Chunks are claimed dynamically, so uneven work still balances.
 */
void
svd_metrics_parallel_for (int                 n,
                          int                 threads,
                          int                 grain,
                          SvdMetricsRangeFunc func,
                          gpointer            user_data)
{
  ParallelJob job = { n, MAX (grain, 1), 0, func, user_data };
  int n_chunks = (n + job.grain - 1) / job.grain;
  GThread *workers[256];
  int n_workers;

  if (threads <= 0)
    threads = (int) g_get_num_processors ();
  n_workers = CLAMP (MIN (threads, n_chunks) - 1, 0, (int) G_N_ELEMENTS (workers));
  for (int i = 0; i < n_workers; i++)
    workers[i] = g_thread_new ("svd-metrics", parallel_worker, &job);
  parallel_worker (&job);
  for (int i = 0; i < n_workers; i++)
    g_thread_join (workers[i]);
}

/* ---------------------------------------------------------------------- */

/**
 * svd_metrics_psnr_from_mse:
 * @mse: mean squared error on the 8-bit scale
 *
 * Returns: 10 · log10(255² / @mse), +infinity for @mse = 0
 */
double
svd_metrics_psnr_from_mse (double mse)
{
  if (mse <= 0.0)
    return INFINITY;
  return 10.0 * log10 (255.0 * 255.0 / mse);
}

/**
 * svd_metrics_ssim_weights:
 * @weights: (out): the 11 taps
 *
 * The 1-D Gaussian of SSIM: exp(−x² / (2 · 1.5²)) for x = −5…5,
 * normalised to sum 1, as scipy.ndimage.gaussian_filter(sigma=1.5,
 * truncate=3.5) builds it.
 */
void
svd_metrics_ssim_weights (double weights[SVD_SSIM_WINDOW])
{
  double sum = 0.0;

  for (int i = 0; i < SVD_SSIM_WINDOW; i++)
    {
      double x = i - SVD_SSIM_RADIUS;

      weights[i] = exp (-0.5 * x * x / (1.5 * 1.5));
      sum += weights[i];
    }
  for (int i = 0; i < SVD_SSIM_WINDOW; i++)
    weights[i] /= sum;
}

void
svd_metrics_frame_init (SvdMetricsFrame *frame)
{
  memset (frame, 0, sizeof *frame);
  frame->frame_index = -1;
  frame->psnr_rgb = NAN;
  frame->psnr_y = NAN;
  frame->ssim_y = NAN;
  frame->dists = NAN;
}

static gboolean
format_ok (SvdPixelFormat format)
{
  return format == SVD_PIXEL_FORMAT_RGB_F32 || format == SVD_PIXEL_FORMAT_RGB8 ||
         format == SVD_PIXEL_FORMAT_RGBA8;
}

/**
 * svd_metrics_check_pair:
 * @ref: reference image
 * @dist: distorted image
 * @error: return location for an error
 *
 * Returns: %TRUE when both are RGB_F32, RGB8 or RGBA8 of one size
 */
gboolean
svd_metrics_check_pair (const SvdImage  *ref,
                        const SvdImage  *dist,
                        GError         **error)
{
  if (!format_ok (ref->format) || !format_ok (dist->format))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "Metrics take rgbf32, rgb8 or rgba8 images, not %s and %s; convert the frames first",
                   svd_pixel_format_get_info (ref->format)->name,
                   svd_pixel_format_get_info (dist->format)->name);
      return FALSE;
    }
  if (ref->width != dist->width || ref->height != dist->height)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "The reference is %dx%d but the distorted image is %dx%d; "
                   "full-reference metrics need images of one size (scale one of them first)",
                   ref->width, ref->height, dist->width, dist->height);
      return FALSE;
    }
  return TRUE;
}

/* Reads row @y of @image as R, G, B samples on the 8-bit scale. */
static void
read_row (const SvdImage *image,
          int             y,
          gboolean        float_exact,
          double         *r,
          double         *g,
          double         *b)
{
  int w = image->width;

  if (image->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      const float *p[3];
      double *out[3] = { r, g, b };

      for (int c = 0; c < 3; c++)
        p[c] = (const float *) (image->data[c] + (gsize) y * image->stride[c]);
      for (int c = 0; c < 3; c++)
        {
          if (float_exact)
            for (int x = 0; x < w; x++)
              out[c][x] = (double) p[c][x] * 255.0;
          else
            for (int x = 0; x < w; x++)
              out[c][x] = rint (CLAMP ((double) p[c][x], 0.0, 1.0) * 255.0);
        }
    }
  else
    {
      const guint8 *p = image->data[0] + (gsize) y * image->stride[0];
      int step = image->format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;

      for (int x = 0; x < w; x++)
        {
          r[x] = p[step * x + 0];
          g[x] = p[step * x + 1];
          b[x] = p[step * x + 2];
        }
    }
}

static inline double
bt601_y (double r,
         double g,
         double b)
{
  return 16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
}

typedef struct {
  const SvdImage *ref;
  const SvdImage *dist;
  gboolean        float_exact;
  int             width;
  int             height;
  double         *y_ref;
  double         *y_dist;
  double         *sse_rgb;   /* per row */
  double         *sse_y;     /* per row */
  double         *ssim_row;  /* per row, valid positions only */
  SvdImage       *ssim_map;
  SvdImage       *diff_map;
  double          weights[SVD_SSIM_WINDOW];
} ComputeJob;

static void
prepare_rows (int      begin,
              int      end,
              gpointer data)
{
  ComputeJob *job = data;
  int w = job->width;
  g_autofree double *buf = g_new (double, 6 * (gsize) w);
  double *r0 = buf, *g0 = buf + w, *b0 = buf + 2 * w;
  double *r1 = buf + 3 * w, *g1 = buf + 4 * w, *b1 = buf + 5 * w;

  for (int y = begin; y < end; y++)
    {
      double *yr = job->y_ref + (gsize) y * w;
      double *yd = job->y_dist + (gsize) y * w;
      double s_rgb = 0.0, s_y = 0.0;

      read_row (job->ref, y, job->float_exact, r0, g0, b0);
      read_row (job->dist, y, job->float_exact, r1, g1, b1);
      for (int x = 0; x < w; x++)
        {
          double dr = r0[x] - r1[x], dg = g0[x] - g1[x], db = b0[x] - b1[x];
          double dy;

          s_rgb += dr * dr + dg * dg + db * db;
          yr[x] = bt601_y (r0[x], g0[x], b0[x]);
          yd[x] = bt601_y (r1[x], g1[x], b1[x]);
          dy = yr[x] - yd[x];
          s_y += dy * dy;
        }
      job->sse_rgb[y] = s_rgb;
      job->sse_y[y] = s_y;

      if (job->diff_map != NULL)
        {
          double *d[3] = { r0, g0, b0 };
          double *e[3] = { r1, g1, b1 };

          for (int c = 0; c < 3; c++)
            {
              float *out = (float *) (job->diff_map->data[c] + (gsize) y * job->diff_map->stride[c]);

              for (int x = 0; x < w; x++)
                out[x] = (float) (fabs (d[c][x] - e[c][x]) / 255.0);
            }
        }
    }
}

/* scipy.ndimage's "reflect" boundary (d c b a | a b c d | d c b a), the
 * mode skimage uses; only the map's border rows and columns see it. */
static inline int
reflect_index (int i,
               int n)
{
  while (i < 0 || i >= n)
    {
      if (i < 0)
        i = -i - 1;
      else
        i = 2 * n - i - 1;
    }
  return i;
}

/* Band height for the SSIM pass: the 10 halo rows are recomputed per band,
 * so bands are tall enough to make that overhead small. */
#define SSIM_BAND 32

static void
ssim_band (int      band_begin,
           int      band_end,
           gpointer data)
{
  ComputeJob *job = data;
  int w = job->width, h = job->height;
  const double *wt = job->weights;
  int y0 = band_begin * SSIM_BAND, y1 = MIN (h, band_end * SSIM_BAND);
  int rows = y1 - y0 + 2 * SVD_SSIM_RADIUS;
  gsize plane = (gsize) rows * w;
  g_autofree double *hbuf = g_new (double, 5 * plane);
  g_autofree double *ext = g_new (double, 2 * (gsize) (w + 2 * SVD_SSIM_RADIUS));
  double *ha = hbuf, *hb = hbuf + plane, *haa = hbuf + 2 * plane, *hbb = hbuf + 3 * plane;
  double *hab = hbuf + 4 * plane;
  double *ea = ext, *eb = ext + w + 2 * SVD_SSIM_RADIUS;
  gboolean has_valid_cols = w >= SVD_SSIM_WINDOW && h >= SVD_SSIM_WINDOW;

  /* Horizontal pass over the band and its halo. */
  for (int i = 0; i < rows; i++)
    {
      int sy = reflect_index (y0 - SVD_SSIM_RADIUS + i, h);
      const double *a = job->y_ref + (gsize) sy * w;
      const double *b = job->y_dist + (gsize) sy * w;
      gsize o = (gsize) i * w;

      for (int x = 0; x < w + 2 * SVD_SSIM_RADIUS; x++)
        {
          int sx = reflect_index (x - SVD_SSIM_RADIUS, w);

          ea[x] = a[sx];
          eb[x] = b[sx];
        }
      for (int x = 0; x < w; x++)
        {
          double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;

          for (int k = 0; k < SVD_SSIM_WINDOW; k++)
            {
              double va = ea[x + k], vb = eb[x + k];

              sa += wt[k] * va;
              sb += wt[k] * vb;
              saa += wt[k] * (va * va);
              sbb += wt[k] * (vb * vb);
              sab += wt[k] * (va * vb);
            }
          ha[o + x] = sa;
          hb[o + x] = sb;
          haa[o + x] = saa;
          hbb[o + x] = sbb;
          hab[o + x] = sab;
        }
    }

  /* Vertical pass and the SSIM formula. */
  for (int y = y0; y < y1; y++)
    {
      int i0 = y - y0;
      gboolean valid_row = has_valid_cols && y >= SVD_SSIM_RADIUS && y < h - SVD_SSIM_RADIUS;
      float *map = job->ssim_map != NULL
                   ? (float *) (job->ssim_map->data[0] + (gsize) y * job->ssim_map->stride[0])
                   : NULL;
      double row_sum = 0.0;

      for (int x = 0; x < w; x++)
        {
          double ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
          double vx, vy, vxy, s;

          for (int k = 0; k < SVD_SSIM_WINDOW; k++)
            {
              gsize o = (gsize) (i0 + k) * w + x;

              ux += wt[k] * ha[o];
              uy += wt[k] * hb[o];
              uxx += wt[k] * haa[o];
              uyy += wt[k] * hbb[o];
              uxy += wt[k] * hab[o];
            }
          vx = uxx - ux * ux;
          vy = uyy - uy * uy;
          vxy = uxy - ux * uy;
          s = ((2.0 * ux * uy + SSIM_C1) * (2.0 * vxy + SSIM_C2)) /
              ((ux * ux + uy * uy + SSIM_C1) * (vx + vy + SSIM_C2));
          if (map != NULL)
            map[x] = (float) s;
          if (valid_row && x >= SVD_SSIM_RADIUS && x < w - SVD_SSIM_RADIUS)
            row_sum += s;
        }
      job->ssim_row[y] = row_sum;
    }
}

static void
free_plane (gpointer data)
{
  g_free (data);
}

/**
 * svd_metrics_new_grey_map:
 * @width: width
 * @height: height
 * @error: return location for an error
 *
 * Creates a "grey" %SVD_PIXEL_FORMAT_RGB_F32 image whose three planes are
 * one buffer, so a one-channel map (SSIM) costs one plane of memory yet
 * reads as a normal RGB image everywhere.
 *
 * Returns: (transfer full) (nullable): the image
 */
SvdImage *
svd_metrics_new_grey_map (int      width,
                          int      height,
                          GError **error)
{
  gsize stride = ((gsize) width * sizeof (float) + SVD_IMAGE_ALIGN - 1) / SVD_IMAGE_ALIGN * SVD_IMAGE_ALIGN;
  guint8 *plane;
  guint8 *data[3];
  gsize strides[3] = { stride, stride, stride };

  if (width <= 0 || height <= 0 || width > 65536 || height > 65536)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Bad map size %dx%d", width, height);
      return NULL;
    }
  plane = g_try_malloc0 (stride * height);
  if (plane == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "Out of memory for a %dx%d metrics map", width, height);
      return NULL;
    }
  data[0] = data[1] = data[2] = plane;
  return svd_image_new_for_data (SVD_PIXEL_FORMAT_RGB_F32, width, height, data, strides,
                                 free_plane, plane, error);
}

/**
 * svd_metrics_compute:
 * @ref: the reference image
 * @dist: the distorted image, same size
 * @options: (nullable): options, %NULL for the defaults
 * @frame: (out caller-allocates): the values; DISTS fields are left unset
 * @ssim_map: (out) (optional) (transfer full): per-pixel SSIM as a grey
 *   RGB_F32 image (see svd_metrics_new_grey_map()); pixels within 5 of the
 *   border use mirrored windows and are for display only (they are not in
 *   the mean)
 * @diff_map: (out) (optional) (transfer full): |ref − dist| per R, G, B
 *   sample on the [0, 1] scale, as an RGB_F32 image
 * @error: return location for an error
 *
 * The CPU reference of PSNR (RGB and Y), SSIM (Y) and the maps: float64
 * arithmetic throughout, separable Gaussian, threads over rows. The sums
 * are formed per row and added in row order, so the result does not depend
 * on the number of threads.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_metrics_compute (const SvdImage           *ref,
                     const SvdImage           *dist,
                     const SvdMetricsOptions  *options,
                     SvdMetricsFrame          *frame,
                     SvdImage                **ssim_map,
                     SvdImage                **diff_map,
                     GError                  **error)
{
  SvdMetricsOptions defaults = { 0 };
  g_autoptr(SvdImage) smap = NULL;
  g_autoptr(SvdImage) dmap = NULL;
  ComputeJob job = { 0 };
  gsize n;
  double sse_rgb = 0.0, sse_y = 0.0, ssim_sum = 0.0;
  int w, h, n_bands;

  if (options == NULL)
    options = &defaults;
  if (!svd_metrics_check_pair (ref, dist, error))
    return FALSE;
  w = ref->width;
  h = ref->height;
  n = (gsize) w * h;

  if (ssim_map != NULL)
    {
      smap = svd_metrics_new_grey_map (w, h, error);
      if (smap == NULL)
        return FALSE;
    }
  if (diff_map != NULL)
    {
      dmap = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, w, h, error);
      if (dmap == NULL)
        return FALSE;
    }

  job.ref = ref;
  job.dist = dist;
  job.float_exact = options->float_exact;
  job.width = w;
  job.height = h;
  job.y_ref = g_try_new (double, n);
  job.y_dist = g_try_new (double, n);
  job.sse_rgb = g_new0 (double, h);
  job.sse_y = g_new0 (double, h);
  job.ssim_row = g_new0 (double, h);
  job.ssim_map = smap;
  job.diff_map = dmap;
  svd_metrics_ssim_weights (job.weights);
  if (job.y_ref == NULL || job.y_dist == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "Out of memory for the luma planes of a %dx%d image", w, h);
      g_free (job.y_ref);
      g_free (job.y_dist);
      g_free (job.sse_rgb);
      g_free (job.sse_y);
      g_free (job.ssim_row);
      return FALSE;
    }

  svd_metrics_parallel_for (h, options->threads, 16, prepare_rows, &job);
  n_bands = (h + SSIM_BAND - 1) / SSIM_BAND;
  svd_metrics_parallel_for (n_bands, options->threads, 1, ssim_band, &job);

  for (int y = 0; y < h; y++)
    {
      sse_rgb += job.sse_rgb[y];
      sse_y += job.sse_y[y];
      ssim_sum += job.ssim_row[y];
    }

  svd_metrics_frame_init (frame);
  frame->width = w;
  frame->height = h;
  frame->frame_index = dist->frame_index;
  frame->mse_rgb = sse_rgb / (3.0 * n);
  frame->mse_y = sse_y / n;
  frame->psnr_rgb = svd_metrics_psnr_from_mse (frame->mse_rgb);
  frame->psnr_y = svd_metrics_psnr_from_mse (frame->mse_y);
  frame->has_ssim = w >= SVD_SSIM_WINDOW && h >= SVD_SSIM_WINDOW;
  if (frame->has_ssim)
    frame->ssim_y = ssim_sum / ((double) (w - 2 * SVD_SSIM_RADIUS) * (h - 2 * SVD_SSIM_RADIUS));

  g_free (job.y_ref);
  g_free (job.y_dist);
  g_free (job.sse_rgb);
  g_free (job.sse_y);
  g_free (job.ssim_row);
  if (ssim_map != NULL)
    *ssim_map = g_steal_pointer (&smap);
  if (diff_map != NULL)
    *diff_map = g_steal_pointer (&dmap);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Clip aggregates                                                         */

struct _SvdMetricsAccumulator {
  guint  n_frames;
  double sum_psnr_rgb;
  double sum_psnr_y;
  double sum_mse_rgb;
  double sum_mse_y;
  guint  n_ssim;
  double sum_ssim;
  guint  n_dists;
  double sum_dists;
};

SvdMetricsAccumulator *
svd_metrics_accumulator_new (void)
{
  return g_new0 (SvdMetricsAccumulator, 1);
}

void
svd_metrics_accumulator_free (SvdMetricsAccumulator *self)
{
  g_free (self);
}

void
svd_metrics_accumulator_add (SvdMetricsAccumulator *self,
                             const SvdMetricsFrame *frame)
{
  self->n_frames++;
  self->sum_psnr_rgb += frame->psnr_rgb;
  self->sum_psnr_y += frame->psnr_y;
  self->sum_mse_rgb += frame->mse_rgb;
  self->sum_mse_y += frame->mse_y;
  if (frame->has_ssim)
    {
      self->n_ssim++;
      self->sum_ssim += frame->ssim_y;
    }
  if (frame->has_dists)
    {
      self->n_dists++;
      self->sum_dists += frame->dists;
    }
}

/**
 * svd_metrics_accumulator_get:
 * @self: an accumulator
 * @summary: (out caller-allocates): the aggregates; NaN where no frame
 *   contributed
 */
void
svd_metrics_accumulator_get (SvdMetricsAccumulator *self,
                             SvdMetricsSummary     *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->n_frames = self->n_frames;
  summary->n_ssim = self->n_ssim;
  summary->n_dists = self->n_dists;
  summary->psnr_rgb_mean = summary->psnr_y_mean = NAN;
  summary->psnr_rgb_of_mean_mse = summary->psnr_y_of_mean_mse = NAN;
  summary->ssim_y_mean = summary->dists_mean = NAN;
  if (self->n_frames > 0)
    {
      summary->psnr_rgb_mean = self->sum_psnr_rgb / self->n_frames;
      summary->psnr_y_mean = self->sum_psnr_y / self->n_frames;
      summary->psnr_rgb_of_mean_mse = svd_metrics_psnr_from_mse (self->sum_mse_rgb / self->n_frames);
      summary->psnr_y_of_mean_mse = svd_metrics_psnr_from_mse (self->sum_mse_y / self->n_frames);
    }
  if (self->n_ssim > 0)
    summary->ssim_y_mean = self->sum_ssim / self->n_ssim;
  if (self->n_dists > 0)
    summary->dists_mean = self->sum_dists / self->n_dists;
}
