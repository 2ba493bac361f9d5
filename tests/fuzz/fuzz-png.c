/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the PNG reader (svd_png_load_as(): libpng with our
 * size limit and conversions), which reads the user's images in `svd
 * model run`, `svd metrics` and the GUI. The reader streams from a file,
 * so each input is written to one temporary file first. An image that
 * loads must be within SVD_PNG_MAX_SIDE and SVD_LIMIT_PNG_PIXELS and load
 * the same in every pixel format it offers. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "core/svd-limits.h"
#include "core/svd-png.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *path;

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const SvdPixelFormat formats[] = {
    SVD_PIXEL_FORMAT_RGB_F32, SVD_PIXEL_FORMAT_RGB8, SVD_PIXEL_FORMAT_RGBA8,
  };
  int w = -1, h = -1;

  if (path == NULL)
    {
      int fd = g_file_open_tmp ("fuzz-png-XXXXXX.png", &path, NULL);

      g_assert (fd >= 0);
      close (fd);
    }
  /* Not g_file_set_contents: it fsyncs a file that exists, 20 ms a go. */
  {
    FILE *fp = fopen (path, "wb");

    if (fp == NULL || fwrite (data, 1, size, fp) != size || fclose (fp) != 0)
      g_error ("cannot write %s", path);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      GError *error = NULL;
      int depth = 0;
      SvdImage *image = svd_png_load_as (path, formats[i], &depth, &error);

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
      g_assert (w < 0 || (w == image->width && h == image->height));
      w = image->width;
      h = image->height;
      svd_image_unref (image);
    }
  return 0;
}
