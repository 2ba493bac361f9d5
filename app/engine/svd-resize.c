/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-resize"

#include "svd-resize.h"
#include "core/svd-error.h"

#include <math.h>
#include <string.h>

int
svd_resize_filter_support (SvdResizeFilter filter)
{
  switch (filter)
    {
    case SVD_RESIZE_NEAREST: return 0;
    case SVD_RESIZE_BILINEAR: return 1;
    case SVD_RESIZE_BICUBIC: return 2;
    case SVD_RESIZE_LANCZOS:
    default: return 3;
    }
}

/* Twin of weight() in opencl/resize.cl: same operations in the same order
 * (the kernel disables FMA contraction; float sin is libm's, within an ulp
 * of the device's, hence the test's 1e-5 tolerance for Lanczos). */
static float
weight (SvdResizeFilter filter,
        float           t)
{
  t = fabsf (t);
  switch (filter)
    {
    case SVD_RESIZE_BILINEAR:
      return t < 1.0f ? 1.0f - t : 0.0f;
    case SVD_RESIZE_BICUBIC:
      if (t < 1.0f)
        return ((1.5f * t - 2.5f) * t) * t + 1.0f;
      if (t < 2.0f)
        return ((-0.5f * t + 2.5f) * t - 4.0f) * t + 2.0f;
      return 0.0f;
    default:
      if (t < 1e-6f)
        return 1.0f;
      if (t >= 3.0f)
        return 0.0f;
      {
        float px = 3.14159265358979f * t;

        return 3.0f * sinf (px) * sinf (px / 3.0f) / (px * px);
      }
    }
}

/**
 * svd_resize_ref:
 * @input: planar float RGB
 * @filter: the filter
 * @scale: integer factor, 1 to 4
 * @error: return location for an error
 *
 * The C twin of opencl/resize.cl.
 *
 * Returns: (transfer full) (nullable): the upscaled image
 */
SvdImage *
svd_resize_ref (const SvdImage  *in,
                SvdResizeFilter  filter,
                int              scale,
                GError         **error)
{
  int sw = in->width, sh = in->height, dw = sw * scale, dh = sh * scale;
  int support = svd_resize_filter_support (filter);
  g_autoptr(SvdImage) out = NULL;

  if (in->format != SVD_PIXEL_FORMAT_RGB_F32 || scale < 1 || scale > 4)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Resize steps take planar float RGB and a factor of 1 to 4");
      return NULL;
    }
  out = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, dw, dh, error);
  if (out == NULL)
    return NULL;
  out->color = in->color;
  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      {
        if (filter == SVD_RESIZE_NEAREST)
          {
            for (int c = 0; c < 3; c++)
              ((float *) (out->data[c] + (gsize) y * out->stride[c]))[x] =
                ((const float *) (in->data[c] + (gsize) (y / scale) * in->stride[c]))[x / scale];
            continue;
          }
        {
          float cx = (x + 0.5f) / scale - 0.5f, cy = (y + 0.5f) / scale - 0.5f;
          int x0 = (int) floorf (cx) - support + 1, y0 = (int) floorf (cy) - support + 1;
          float wx[6], wy[6], sx = 0.0f, sy = 0.0f;
          float acc[3] = { 0.0f, 0.0f, 0.0f };

          for (int i = 0; i < 2 * support; i++)
            {
              wx[i] = weight (filter, (x0 + i) - cx);
              sx += wx[i];
              wy[i] = weight (filter, (y0 + i) - cy);
              sy += wy[i];
            }
          for (int j = 0; j < 2 * support; j++)
            {
              int yy = CLAMP (y0 + j, 0, sh - 1);

              for (int i = 0; i < 2 * support; i++)
                {
                  int xx = CLAMP (x0 + i, 0, sw - 1);
                  float w = (wx[i] / sx) * (wy[j] / sy);

                  for (int c = 0; c < 3; c++)
                    {
                      float t = w * ((const float *) (in->data[c] + (gsize) yy * in->stride[c]))[xx];

                      acc[c] = acc[c] + t;
                    }
                }
            }
          for (int c = 0; c < 3; c++)
            ((float *) (out->data[c] + (gsize) y * out->stride[c]))[x] = acc[c];
        }
      }
  return g_steal_pointer (&out);
}
