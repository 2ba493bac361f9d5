/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-image"

#include "svd-image.h"
#include "svd-error.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_BOXED_TYPE (SvdImage, svd_image, svd_image_ref, svd_image_unref)

/* Largest side we accept: bigger than any video format, small enough that
 * width * height * 16 bytes cannot overflow a gsize on 64-bit hosts. */
#define SVD_IMAGE_MAX_SIDE (1 << 16)

static const SvdPixelFormatInfo format_info[SVD_PIXEL_FORMAT_N_FORMATS] = {
  [SVD_PIXEL_FORMAT_RGB_F32]    = { "rgbf32",    3, 4, 1, 32, 0, 0, FALSE },
  [SVD_PIXEL_FORMAT_YUV420P8]   = { "yuv420p",   3, 1, 1, 8,  1, 1, TRUE },
  [SVD_PIXEL_FORMAT_YUV422P8]   = { "yuv422p",   3, 1, 1, 8,  1, 0, TRUE },
  [SVD_PIXEL_FORMAT_YUV444P8]   = { "yuv444p",   3, 1, 1, 8,  0, 0, TRUE },
  [SVD_PIXEL_FORMAT_YUV420P10]  = { "yuv420p10", 3, 2, 1, 10, 1, 1, TRUE },
  [SVD_PIXEL_FORMAT_YUV422P10]  = { "yuv422p10", 3, 2, 1, 10, 1, 0, TRUE },
  [SVD_PIXEL_FORMAT_YUV444P10]  = { "yuv444p10", 3, 2, 1, 10, 0, 0, TRUE },
  [SVD_PIXEL_FORMAT_RGB8]       = { "rgb24",     1, 1, 3, 8,  0, 0, FALSE },
  [SVD_PIXEL_FORMAT_RGBA8]      = { "rgba",      1, 1, 4, 8,  0, 0, FALSE },
};

/**
 * svd_pixel_format_get_info:
 * @format: a pixel format
 *
 * Returns: (transfer none) (nullable): the layout of @format, or %NULL if
 *   @format is not a valid value.
 */
const SvdPixelFormatInfo *
svd_pixel_format_get_info (SvdPixelFormat format)
{
  if ((int) format < 0 || format >= SVD_PIXEL_FORMAT_N_FORMATS)
    return NULL;
  return &format_info[format];
}

gboolean
svd_pixel_format_from_name (const char     *name,
                            SvdPixelFormat *format)
{
  for (int i = 0; i < SVD_PIXEL_FORMAT_N_FORMATS; i++)
    {
      if (g_strcmp0 (name, format_info[i].name) == 0)
        {
          *format = (SvdPixelFormat) i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * svd_color_info_init_default:
 * @info: (out caller-allocates): the colour info to fill
 * @format: the pixel format
 * @height: the frame height, used to guess the matrix the way players do
 *
 * Fills @info with what players assume for untagged content: BT.709 for HD
 * (height ≥ 720), BT.601 below; limited range for YUV, full for RGB.
 */
void
svd_color_info_init_default (SvdColorInfo   *info,
                             SvdPixelFormat  format,
                             int             height)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (format);
  gboolean hd = height >= 720;

  info->matrix = hd ? SVD_COLOR_MATRIX_BT709 : SVD_COLOR_MATRIX_BT601;
  info->range = (fi != NULL && fi->is_yuv) ? SVD_COLOR_RANGE_LIMITED : SVD_COLOR_RANGE_FULL;
  info->primaries = hd ? SVD_COLOR_PRIMARIES_BT709 : SVD_COLOR_PRIMARIES_BT601_625;
  info->transfer = (fi != NULL && fi->is_yuv) ? SVD_COLOR_TRANSFER_BT709 : SVD_COLOR_TRANSFER_SRGB;
}

const char *
svd_color_matrix_name (SvdColorMatrix matrix)
{
  switch (matrix)
    {
    case SVD_COLOR_MATRIX_BT601: return "bt601";
    case SVD_COLOR_MATRIX_BT709: return "bt709";
    case SVD_COLOR_MATRIX_BT2020_NCL: return "bt2020nc";
    default: return "unknown";
    }
}

const char *
svd_color_range_name (SvdColorRange range)
{
  return range == SVD_COLOR_RANGE_FULL ? "full" : "limited";
}

static gboolean
check_size (SvdPixelFormat  format,
            int             width,
            int             height,
            GError        **error)
{
  if (svd_pixel_format_get_info (format) == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Unknown pixel format %d", (int) format);
      return FALSE;
    }
  if (width <= 0 || height <= 0 || width > SVD_IMAGE_MAX_SIDE || height > SVD_IMAGE_MAX_SIDE)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Image size %dx%d is outside 1x1 to %dx%d",
                   width, height, SVD_IMAGE_MAX_SIDE, SVD_IMAGE_MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

static void
fill_geometry (SvdImage *self)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (self->format);

  self->n_planes = fi->n_planes;
  for (int p = 0; p < fi->n_planes; p++)
    {
      gboolean chroma = fi->is_yuv && p > 0;
      int sx = chroma ? fi->chroma_shift_x : 0;
      int sy = chroma ? fi->chroma_shift_y : 0;

      /* Chroma planes round up, as FFmpeg's AV_CEIL_RSHIFT does. */
      self->plane_width[p] = (self->width + (1 << sx) - 1) >> sx;
      self->plane_height[p] = (self->height + (1 << sy) - 1) >> sy;
    }
}

static SvdImage *
image_alloc_header (SvdPixelFormat format,
                    int            width,
                    int            height)
{
  SvdImage *self = g_new0 (SvdImage, 1);

  self->ref_count = 1;
  self->format = format;
  self->width = width;
  self->height = height;
  self->pts = G_MININT64;
  self->frame_index = -1;
  svd_color_info_init_default (&self->color, format, height);
  fill_geometry (self);
  return self;
}

/**
 * svd_image_get_row_bytes:
 * @self: an image
 * @plane: plane index
 *
 * Returns: the number of meaningful bytes in one row of @plane (without the
 *   stride's padding).
 */
gsize
svd_image_get_row_bytes (const SvdImage *self,
                         int             plane)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (self->format);

  g_return_val_if_fail (plane >= 0 && plane < self->n_planes, 0);
  return (gsize) self->plane_width[plane] * fi->bytes_per_sample * fi->samples_per_pixel;
}

gsize
svd_image_get_plane_size (const SvdImage *self,
                          int             plane)
{
  g_return_val_if_fail (plane >= 0 && plane < self->n_planes, 0);
  return self->stride[plane] * (gsize) self->plane_height[plane];
}

/**
 * svd_image_new:
 * @format: pixel format
 * @width: width in pixels (1 to 65536)
 * @height: height in pixels (1 to 65536)
 * @error: return location for an error
 *
 * Allocates an image with every row aligned to %SVD_IMAGE_ALIGN bytes and
 * the padding zeroed, so SIMD loops and device uploads may read whole
 * strides. The colour metadata gets svd_color_info_init_default()'s guess.
 *
 * Returns: (transfer full) (nullable): a new image, or %NULL with @error set
 *   when the size is out of range or memory is exhausted.
 */
SvdImage *
svd_image_new (SvdPixelFormat  format,
               int             width,
               int             height,
               GError        **error)
{
  SvdImage *self;
  gsize offsets[SVD_IMAGE_MAX_PLANES];
  gsize total = 0;

  if (!check_size (format, width, height, error))
    return NULL;

  self = image_alloc_header (format, width, height);
  for (int p = 0; p < self->n_planes; p++)
    {
      gsize row = svd_image_get_row_bytes (self, p);

      self->stride[p] = (row + SVD_IMAGE_ALIGN - 1) & ~(gsize) (SVD_IMAGE_ALIGN - 1);
      offsets[p] = total;
      total += self->stride[p] * (gsize) self->plane_height[p];
    }

  self->storage = g_try_malloc0 (total + SVD_IMAGE_ALIGN);
  if (self->storage == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "Out of memory allocating a %dx%d %s image (%" G_GSIZE_FORMAT " bytes)",
                   width, height, format_info[format].name, total);
      g_free (self);
      return NULL;
    }

  {
    guintptr base = ((guintptr) self->storage + SVD_IMAGE_ALIGN - 1) & ~(guintptr) (SVD_IMAGE_ALIGN - 1);

    for (int p = 0; p < self->n_planes; p++)
      self->data[p] = (guint8 *) (base + offsets[p]);
  }

  return self;
}

/**
 * svd_image_new_for_data:
 * @format: pixel format
 * @width: width in pixels
 * @height: height in pixels
 * @data: (array): start of each plane
 * @stride: (array): bytes per row of each plane
 * @destroy: (nullable): called with @destroy_data when the last reference
 *   goes, e.g. to unref the AVFrame or GBytes that owns @data
 * @destroy_data: data for @destroy
 * @error: return location for an error
 *
 * Wraps memory owned by someone else without copying it. On failure
 * @destroy is called at once, so the caller never leaks its buffer.
 *
 * Returns: (transfer full) (nullable): a new image
 */
SvdImage *
svd_image_new_for_data (SvdPixelFormat  format,
                        int             width,
                        int             height,
                        guint8         *const data[],
                        const gsize     stride[],
                        GDestroyNotify  destroy,
                        gpointer        destroy_data,
                        GError        **error)
{
  SvdImage *self;

  if (!check_size (format, width, height, error))
    goto fail;

  self = image_alloc_header (format, width, height);
  for (int p = 0; p < self->n_planes; p++)
    {
      if (data[p] == NULL || stride[p] < svd_image_get_row_bytes (self, p))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                       "Plane %d of a %dx%d %s image has no data or a stride shorter than a row",
                       p, width, height, format_info[format].name);
          g_free (self);
          goto fail;
        }
      self->data[p] = data[p];
      self->stride[p] = stride[p];
    }
  self->destroy = destroy;
  self->destroy_data = destroy_data;
  return self;

fail:
  if (destroy != NULL)
    destroy (destroy_data);
  return NULL;
}

/**
 * svd_image_copy:
 * @self: an image
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a deep copy of @self with its own,
 *   aligned storage and the same metadata.
 */
SvdImage *
svd_image_copy (const SvdImage  *self,
                GError         **error)
{
  SvdImage *copy = svd_image_new (self->format, self->width, self->height, error);

  if (copy == NULL)
    return NULL;

  copy->color = self->color;
  copy->pts = self->pts;
  copy->frame_index = self->frame_index;
  for (int p = 0; p < self->n_planes; p++)
    {
      gsize row = svd_image_get_row_bytes (self, p);

      for (int y = 0; y < self->plane_height[p]; y++)
        memcpy (copy->data[p] + y * copy->stride[p], self->data[p] + y * self->stride[p], row);
    }
  return copy;
}

SvdImage *
svd_image_ref (SvdImage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
svd_image_unref (SvdImage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  if (self->destroy != NULL)
    self->destroy (self->destroy_data);
  g_free (self->storage);
  g_free (self);
}

/**
 * svd_image_is_writable:
 * @self: an image
 *
 * Returns: %TRUE if the caller holds the only reference, so writing the
 *   pixels cannot be seen by anyone else.
 */
gboolean
svd_image_is_writable (const SvdImage *self)
{
  return g_atomic_int_get (&self->ref_count) == 1;
}
