/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SvdPixelFormat:
 * @SVD_PIXEL_FORMAT_RGB_F32: planar float RGB (three planes, R, G, B),
 *   nominal range [0, 1]. The engine's working format.
 * @SVD_PIXEL_FORMAT_YUV420P8: 8-bit planar YUV, chroma halved both ways.
 * @SVD_PIXEL_FORMAT_YUV422P8: 8-bit planar YUV, chroma halved horizontally.
 * @SVD_PIXEL_FORMAT_YUV444P8: 8-bit planar YUV, full-size chroma.
 * @SVD_PIXEL_FORMAT_YUV420P10: 10-bit planar YUV in little-endian 16-bit
 *   words (the low 10 bits), as FFmpeg's yuv420p10le.
 * @SVD_PIXEL_FORMAT_YUV422P10: as above, 4:2:2.
 * @SVD_PIXEL_FORMAT_YUV444P10: as above, 4:4:4.
 * @SVD_PIXEL_FORMAT_RGB8: packed 8-bit R, G, B.
 * @SVD_PIXEL_FORMAT_RGBA8: packed 8-bit R, G, B, A (memory order), which
 *   maps to `GDK_MEMORY_R8G8B8A8` without a copy.
 */
typedef enum {
  SVD_PIXEL_FORMAT_RGB_F32,
  SVD_PIXEL_FORMAT_YUV420P8,
  SVD_PIXEL_FORMAT_YUV422P8,
  SVD_PIXEL_FORMAT_YUV444P8,
  SVD_PIXEL_FORMAT_YUV420P10,
  SVD_PIXEL_FORMAT_YUV422P10,
  SVD_PIXEL_FORMAT_YUV444P10,
  SVD_PIXEL_FORMAT_RGB8,
  SVD_PIXEL_FORMAT_RGBA8,
  SVD_PIXEL_FORMAT_N_FORMATS
} SvdPixelFormat;

typedef enum {
  SVD_COLOR_MATRIX_BT601,
  SVD_COLOR_MATRIX_BT709,
  SVD_COLOR_MATRIX_BT2020_NCL,
} SvdColorMatrix;

typedef enum {
  SVD_COLOR_RANGE_LIMITED,
  SVD_COLOR_RANGE_FULL,
} SvdColorRange;

typedef enum {
  SVD_COLOR_PRIMARIES_UNSPECIFIED,
  SVD_COLOR_PRIMARIES_BT709,
  SVD_COLOR_PRIMARIES_BT601_525,
  SVD_COLOR_PRIMARIES_BT601_625,
  SVD_COLOR_PRIMARIES_BT2020,
} SvdColorPrimaries;

typedef enum {
  SVD_COLOR_TRANSFER_UNSPECIFIED,
  SVD_COLOR_TRANSFER_BT709,
  SVD_COLOR_TRANSFER_SRGB,
  SVD_COLOR_TRANSFER_PQ,
  SVD_COLOR_TRANSFER_HLG,
} SvdColorTransfer;

/**
 * SvdColorInfo:
 *
 * How pixel values map to colour. For RGB formats only @primaries and
 * @transfer matter; @matrix and @range describe YUV.
 */
typedef struct {
  SvdColorMatrix    matrix;
  SvdColorRange     range;
  SvdColorPrimaries primaries;
  SvdColorTransfer  transfer;
} SvdColorInfo;

/**
 * SvdPixelFormatInfo:
 * @name: short stable name, as used on the command line ("yuv420p10")
 * @n_planes: 1 or 3
 * @bytes_per_sample: 1, 2 (10-bit) or 4 (float)
 * @samples_per_pixel: samples per pixel in plane 0 (3 or 4 for packed RGB)
 * @bit_depth: significant bits per sample (8, 10 or 32 for float)
 * @chroma_shift_x: log2 of the horizontal chroma subsampling
 * @chroma_shift_y: log2 of the vertical chroma subsampling
 * @is_yuv: %TRUE for the YUV formats
 */
typedef struct {
  const char *name;
  int         n_planes;
  int         bytes_per_sample;
  int         samples_per_pixel;
  int         bit_depth;
  int         chroma_shift_x;
  int         chroma_shift_y;
  gboolean    is_yuv;
} SvdPixelFormatInfo;

#define SVD_IMAGE_MAX_PLANES 3
#define SVD_IMAGE_ALIGN 64

/**
 * SvdImage:
 * @format: the pixel format
 * @width: width in pixels of plane 0
 * @height: height in pixels of plane 0
 * @n_planes: number of planes used
 * @data: start of each plane
 * @stride: bytes between the starts of two rows of each plane
 * @plane_width: width of each plane in pixels (chroma may be smaller)
 * @plane_height: height of each plane in rows
 * @color: colour metadata
 * @pts: presentation time in microseconds, or %G_MININT64 if unknown
 * @frame_index: frame number in its clip, or -1
 *
 * A reference-counted image or video frame. The fields are read-only for
 * everyone but the creator; pixel data may be written by the holder of the
 * only reference. An #SvdImage may cross threads: references are atomic.
 */
typedef struct _SvdImage SvdImage;
struct _SvdImage {
  SvdPixelFormat format;
  int            width;
  int            height;
  int            n_planes;
  guint8        *data[SVD_IMAGE_MAX_PLANES];
  gsize          stride[SVD_IMAGE_MAX_PLANES];
  int            plane_width[SVD_IMAGE_MAX_PLANES];
  int            plane_height[SVD_IMAGE_MAX_PLANES];
  SvdColorInfo   color;
  gint64         pts;
  gint64         frame_index;

  /*< private >*/
  gint           ref_count;
  gpointer       storage;
  GDestroyNotify destroy;
  gpointer       destroy_data;
};

#define SVD_TYPE_IMAGE (svd_image_get_type ())

GType                     svd_image_get_type            (void) G_GNUC_CONST;
const SvdPixelFormatInfo *svd_pixel_format_get_info     (SvdPixelFormat format);
gboolean                  svd_pixel_format_from_name    (const char     *name,
                                                         SvdPixelFormat *format);
void                      svd_color_info_init_default   (SvdColorInfo   *info,
                                                         SvdPixelFormat  format,
                                                         int             height);
const char               *svd_color_matrix_name         (SvdColorMatrix  matrix);
const char               *svd_color_range_name          (SvdColorRange   range);

SvdImage   *svd_image_new            (SvdPixelFormat  format,
                                      int             width,
                                      int             height,
                                      GError        **error);
SvdImage   *svd_image_new_for_data   (SvdPixelFormat  format,
                                      int             width,
                                      int             height,
                                      guint8         *const data[],
                                      const gsize     stride[],
                                      GDestroyNotify  destroy,
                                      gpointer        destroy_data,
                                      GError        **error);
SvdImage   *svd_image_copy           (const SvdImage *self,
                                      GError        **error);
SvdImage   *svd_image_ref            (SvdImage       *self);
void        svd_image_unref          (SvdImage       *self);
gsize       svd_image_get_plane_size (const SvdImage *self,
                                      int             plane);
gsize       svd_image_get_row_bytes  (const SvdImage *self,
                                      int             plane);
gboolean    svd_image_is_writable    (const SvdImage *self);

static inline float *
svd_image_rgb_plane (SvdImage *self,
                     int       c)
{
  return (float *) self->data[c];
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdImage, svd_image_unref)

G_END_DECLS
