/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-heatmap"

#include "svd-config.h"

#include <glib/gi18n.h>

#include <math.h>

#include "core/svd-error.h"
#include "svd-heatmap.h"

/* Window of the local SSIM map: 8x8 as in Wang et al.'s block version; the
 * metrics module computes the reported SSIM with its own Gaussian window,
 * this map only shows *where* structure was lost. */
#define SSIM_WINDOW 8

static gboolean
check_pair (const SvdImage *image,
            const SvdImage *reference,
            GError        **error)
{
  if (image->format != SVD_PIXEL_FORMAT_RGBA8 || reference->format != SVD_PIXEL_FORMAT_RGBA8)
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, _("Heat maps need RGBA8 images"));
      return FALSE;
    }
  if (image->width != reference->width || image->height != reference->height)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   _("Cannot compare a %d×%d image with a %d×%d reference; scale it first"),
                   image->width, image->height, reference->width, reference->height);
      return FALSE;
    }

  return TRUE;
}

/**
 * svd_heatmap_resize_bilinear:
 * @image: an RGBA8 image
 * @width: new width
 * @height: new height
 * @error: return location for an error
 *
 * Resizes with pixel-centre-aligned bilinear interpolation, as a player
 * would show a smaller frame stretched.
 *
 * Returns: (transfer full): the resized image, or %NULL on error
 */
SvdImage *
svd_heatmap_resize_bilinear (const SvdImage *image,
                             int             width,
                             int             height,
                             GError        **error)
{
  SvdImage *out;
  double fx = (double) image->width / width;
  double fy = (double) image->height / height;

  g_return_val_if_fail (image->format == SVD_PIXEL_FORMAT_RGBA8, NULL);

  out = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, width, height, error);
  if (out == NULL)
    return NULL;

  for (int y = 0; y < height; y++)
    {
      double sy = CLAMP ((y + 0.5) * fy - 0.5, 0, image->height - 1);
      int y0 = (int) sy, y1 = MIN (y0 + 1, image->height - 1);
      double wy = sy - y0;
      const guint8 *r0 = image->data[0] + (gsize) y0 * image->stride[0];
      const guint8 *r1 = image->data[0] + (gsize) y1 * image->stride[0];
      guint8 *dst = out->data[0] + (gsize) y * out->stride[0];

      for (int x = 0; x < width; x++)
        {
          double sx = CLAMP ((x + 0.5) * fx - 0.5, 0, image->width - 1);
          int x0 = (int) sx, x1 = MIN (x0 + 1, image->width - 1);
          double wx = sx - x0;

          for (int c = 0; c < 4; c++)
            {
              double top = r0[x0 * 4 + c] * (1 - wx) + r0[x1 * 4 + c] * wx;
              double bottom = r1[x0 * 4 + c] * (1 - wx) + r1[x1 * 4 + c] * wx;

              dst[x * 4 + c] = (guint8) lround (top * (1 - wy) + bottom * wy);
            }
        }
    }

  return out;
}

/**
 * svd_heatmap_difference:
 * @image: the compared image (RGBA8)
 * @reference: the reference, same size
 * @gain: how much to amplify the absolute difference (e.g. 4)
 * @error: return location for an error
 *
 * Returns: (transfer full): |image − reference| × @gain per channel, opaque
 */
SvdImage *
svd_heatmap_difference (const SvdImage *image,
                        const SvdImage *reference,
                        int             gain,
                        GError        **error)
{
  SvdImage *out;

  if (!check_pair (image, reference, error))
    return NULL;

  out = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, image->width, image->height, error);
  if (out == NULL)
    return NULL;

  for (int y = 0; y < image->height; y++)
    {
      const guint8 *a = image->data[0] + (gsize) y * image->stride[0];
      const guint8 *b = reference->data[0] + (gsize) y * reference->stride[0];
      guint8 *dst = out->data[0] + (gsize) y * out->stride[0];

      for (int x = 0; x < image->width; x++)
        {
          for (int c = 0; c < 3; c++)
            dst[x * 4 + c] = (guint8) MIN (255, abs (a[x * 4 + c] - b[x * 4 + c]) * gain);
          dst[x * 4 + 3] = 255;
        }
    }

  return out;
}

/* A perceptually ordered dark-to-bright ramp (black, purple, red, orange,
 * pale yellow); bright means structure was lost. */
static void
ramp (double  t,
      guint8 *rgb)
{
  static const double stops[5][3] = {
    { 0, 0, 4 }, { 87, 16, 110 }, { 188, 55, 84 }, { 249, 142, 9 }, { 252, 255, 164 },
  };
  double p = CLAMP (t, 0, 1) * 4;
  int i = MIN ((int) p, 3);
  double f = p - i;

  for (int c = 0; c < 3; c++)
    rgb[c] = (guint8) lround (stops[i][c] * (1 - f) + stops[i + 1][c] * f);
}

static double
luma (const guint8 *p)
{
  return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/**
 * svd_heatmap_ssim:
 * @image: the compared image (RGBA8)
 * @reference: the reference, same size
 * @mean_ssim: (out) (optional): the mean of the map
 * @error: return location for an error
 *
 * Computes the SSIM of luma in an 8x8 window centred on every pixel (sums
 * from integral images, so the cost does not depend on the window) and
 * maps 1 − SSIM, scaled so that SSIM 0.5 and below is brightest.
 *
 * Returns: (transfer full): the heat map, or %NULL on error
 */
SvdImage *
svd_heatmap_ssim (const SvdImage *image,
                  const SvdImage *reference,
                  double         *mean_ssim,
                  GError        **error)
{
  const double c1 = (0.01 * 255) * (0.01 * 255);
  const double c2 = (0.03 * 255) * (0.03 * 255);
  int w = image->width, h = image->height;
  gsize iw = (gsize) w + 1;
  g_autofree double *sa = NULL, *sb = NULL, *saa = NULL, *sbb = NULL, *sab = NULL;
  SvdImage *out;
  double total = 0;

  if (!check_pair (image, reference, error))
    return NULL;

  sa = g_try_new0 (double, iw * (h + 1));
  sb = g_try_new0 (double, iw * (h + 1));
  saa = g_try_new0 (double, iw * (h + 1));
  sbb = g_try_new0 (double, iw * (h + 1));
  sab = g_try_new0 (double, iw * (h + 1));
  if (sa == NULL || sb == NULL || saa == NULL || sbb == NULL || sab == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   _("Not enough memory for a %d×%d SSIM map"), w, h);
      return NULL;
    }

  for (int y = 0; y < h; y++)
    {
      const guint8 *a = image->data[0] + (gsize) y * image->stride[0];
      const guint8 *b = reference->data[0] + (gsize) y * reference->stride[0];
      double ra = 0, rb = 0, raa = 0, rbb = 0, rab = 0;

      for (int x = 0; x < w; x++)
        {
          double la = luma (a + x * 4), lb = luma (b + x * 4);
          gsize i = (gsize) (y + 1) * iw + x + 1, up = (gsize) y * iw + x + 1;

          ra += la; rb += lb; raa += la * la; rbb += lb * lb; rab += la * lb;
          sa[i] = sa[up] + ra;
          sb[i] = sb[up] + rb;
          saa[i] = saa[up] + raa;
          sbb[i] = sbb[up] + rbb;
          sab[i] = sab[up] + rab;
        }
    }

  out = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, w, h, error);
  if (out == NULL)
    return NULL;

  for (int y = 0; y < h; y++)
    {
      int y0 = MAX (0, y - SSIM_WINDOW / 2), y1 = MIN (h, y + SSIM_WINDOW / 2);
      const guint8 *ref = reference->data[0] + (gsize) y * reference->stride[0];
      guint8 *dst = out->data[0] + (gsize) y * out->stride[0];

      for (int x = 0; x < w; x++)
        {
          int x0 = MAX (0, x - SSIM_WINDOW / 2), x1 = MIN (w, x + SSIM_WINDOW / 2);
          double n = (double) (x1 - x0) * (y1 - y0);
#define BOX(s) (s[(gsize) y1 * iw + x1] - s[(gsize) y0 * iw + x1] - s[(gsize) y1 * iw + x0] + s[(gsize) y0 * iw + x0])
          double ma = BOX (sa) / n, mb = BOX (sb) / n;
          double va = MAX (0, BOX (saa) / n - ma * ma);
          double vb = MAX (0, BOX (sbb) / n - mb * mb);
          double cov = BOX (sab) / n - ma * mb;
#undef BOX
          double ssim = ((2 * ma * mb + c1) * (2 * cov + c2))
                        / ((ma * ma + mb * mb + c1) * (va + vb + c2));
          guint8 rgb[3];
          /* A little of the reference's luma keeps the scene recognisable. */
          double gray = luma (ref + x * 4) * 0.2;

          total += ssim;
          ramp ((1 - ssim) * 2, rgb);
          for (int c = 0; c < 3; c++)
            dst[x * 4 + c] = (guint8) MIN (255, lround (rgb[c] * 0.8 + gray));
          dst[x * 4 + 3] = 255;
        }
    }

  if (mean_ssim != NULL)
    *mean_ssim = total / ((double) w * h);

  return out;
}
