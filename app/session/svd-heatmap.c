/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-heatmap"

#include "svd-config.h"

#include <math.h>

#include "core/svd-error.h"
#include "svd-heatmap.h"

/* The maps come from the metrics runner (RGB_F32); the reference used
 * to tint the SSIM map is the viewer's RGBA8. */
static gboolean
check_map (const SvdImage *map,
           const SvdImage *reference,
           GError        **error)
{
  if (map->format != SVD_PIXEL_FORMAT_RGB_F32 ||
      (reference != NULL && reference->format != SVD_PIXEL_FORMAT_RGBA8))
    {
      g_set_error_literal (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "Heat maps take an RGB_F32 metrics map and an RGBA8 reference");
      return FALSE;
    }
  if (reference != NULL && (map->width != reference->width || map->height != reference->height))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot draw a %d×%d map over a %d×%d reference",
                   map->width, map->height, reference->width, reference->height);
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
 * @diff_map: |reference − image| per R, G, B sample on the [0, 1] scale, as
 *   svd_metrics_runner_compute() makes it (RGB_F32)
 * @gain: how much to amplify the difference (e.g. 4)
 * @error: return location for an error
 *
 * Returns: (transfer full): the difference × @gain on the 8-bit scale, as an
 *   opaque RGBA8 image, or %NULL on error
 */
SvdImage *
svd_heatmap_difference (const SvdImage *diff_map,
                        int             gain,
                        GError        **error)
{
  SvdImage *out;

  if (!check_map (diff_map, NULL, error))
    return NULL;

  out = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, diff_map->width, diff_map->height, error);
  if (out == NULL)
    return NULL;

  for (int y = 0; y < diff_map->height; y++)
    {
      guint8 *dst = out->data[0] + (gsize) y * out->stride[0];
      const float *p[3];

      for (int c = 0; c < 3; c++)
        p[c] = (const float *) (diff_map->data[c] + (gsize) y * diff_map->stride[c]);
      for (int x = 0; x < diff_map->width; x++)
        {
          for (int c = 0; c < 3; c++)
            {
              double v = isfinite (p[c][x]) ? fabs (p[c][x]) * 255.0 * gain : 255.0;

              dst[x * 4 + c] = (guint8) MIN (255, lround (v));
            }
          dst[x * 4 + 3] = 255;
        }
    }

  return out;
}

/**
 * svd_heatmap_ramp:
 * @t: 0 to 1 (clamped)
 * @rgb: (out caller-allocates) (array fixed-size=3): the colour
 *
 * The SSIM map's perceptually ordered dark-to-bright ramp (black, purple,
 * red, orange, pale yellow); bright means structure was lost. The viewer's
 * colour bar draws the same ramp.
 */
void
svd_heatmap_ramp (double  t,
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

/**
 * svd_heatmap_ssim:
 * @ssim_map: the per-pixel SSIM of luma as svd_metrics_runner_compute()
 *   makes it (a grey RGB_F32 image): the Gaussian SSIM whose mean the
 *   readout shows, so the overlay and the number agree
 * @reference: (nullable): the reference as RGBA8, same size: a little of
 *   its luma keeps the scene recognisable
 * @error: return location for an error
 *
 * Maps 1 − SSIM on a dark-to-bright ramp, scaled so that SSIM 0.5 and
 * below is brightest.
 *
 * Returns: (transfer full): the heat map (RGBA8), or %NULL on error
 */
SvdImage *
svd_heatmap_ssim (const SvdImage *ssim_map,
                  const SvdImage *reference,
                  GError        **error)
{
  SvdImage *out;

  if (!check_map (ssim_map, reference, error))
    return NULL;

  out = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, ssim_map->width, ssim_map->height, error);
  if (out == NULL)
    return NULL;

  for (int y = 0; y < ssim_map->height; y++)
    {
      const float *s = (const float *) (ssim_map->data[0] + (gsize) y * ssim_map->stride[0]);
      const guint8 *ref = reference != NULL ? reference->data[0] + (gsize) y * reference->stride[0] : NULL;
      guint8 *dst = out->data[0] + (gsize) y * out->stride[0];

      for (int x = 0; x < ssim_map->width; x++)
        {
          double ssim = isfinite (s[x]) ? s[x] : 0.0;
          double gray = ref != NULL
                        ? (0.299 * ref[x * 4] + 0.587 * ref[x * 4 + 1] + 0.114 * ref[x * 4 + 2]) * 0.2
                        : 0.0;
          guint8 rgb[3];

          svd_heatmap_ramp ((1 - ssim) * 2, rgb);
          for (int c = 0; c < 3; c++)
            dst[x * 4 + c] = (guint8) MIN (255, lround (rgb[c] * 0.8 + gray));
          dst[x * 4 + 3] = 255;
        }
    }

  return out;
}
