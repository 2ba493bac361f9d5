/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the PNG reader (libpng with our size limits and
 * conversions), which reads the user's images in `svd model run`, `svd
 * metrics` and the GUI. It fuzzes svd_png_load_data(), the decoder that
 * svd_png_load_as() runs on the file's stream, so no file is written. An
 * image that loads must be within SVD_PNG_MAX_SIDE and SVD_LIMIT_PNG_PIXELS
 * and load the same (size and bit depth, or the same failure) in every
 * pixel format it offers. */
#include "core/svd-limits.h"
#include "core/svd-png.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const SvdPixelFormat formats[] = {
    SVD_PIXEL_FORMAT_RGB_F32, SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGBA8,
  };
  int w = -1, h = -1, first_depth = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      GError *error = NULL;
      int depth = 0;
      SvdImage *image = svd_png_load_data (data, size, formats[i], &depth, &error);

      g_assert ((image == NULL) == (error != NULL));
      if (image == NULL)
        {
          /* The format is not what fails: every one fails alike. */
          g_assert (w < 0);
          g_clear_error (&error);
          return 0;
        }
      g_assert (image->width > 0 && image->height > 0);
      g_assert (image->width <= SVD_PNG_MAX_SIDE && image->height <= SVD_PNG_MAX_SIDE);
      g_assert ((guint64) image->width * image->height <= SVD_LIMIT_PNG_PIXELS);
      g_assert (depth == 8 || depth == 16);
      g_assert (w < 0 || (w == image->width && h == image->height && depth == first_depth));
      w = image->width;
      h = image->height;
      first_depth = depth;
      svd_image_unref (image);
    }
  return 0;
}
