/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-png"

#include "svd-png.h"
#include "svd-file.h"
#include "svd-limits.h"
#include "svd-error.h"
#include "svd-output.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* PNG images go through libpng's low-level API rather than the simplified
 * one, because the simplified API turns 16-bit data into linear light; we
 * want the stored code values, unchanged. */

typedef struct {
  jmp_buf jmp;
  char    message[256];
} PngErrorState;

static void
png_error_cb (png_structp      png,
              png_const_charp  msg)
{
  PngErrorState *state = png_get_error_ptr (png);

  g_strlcpy (state->message, msg, sizeof state->message);
  longjmp (state->jmp, 1);
}

static void
png_warning_cb (png_structp      png,
                png_const_charp  msg)
{
  g_debug ("libpng: %s", msg);
}


/* Where the bytes come from: a regular file, streamed (an image at the
 * limit is hundreds of MiB of raw rows; only the decoded image is held), or
 * memory (fuzz-png, and any caller that has the file already). Both go
 * through png_load() below: the same signature check, limits and
 * conversions. */
typedef struct {
  FILE         *fp;    /* NULL: read from data */
  const guint8 *data;
  gsize         size;
  gsize         pos;
} PngSource;

static gboolean
source_read (PngSource *src,
             guint8    *out,
             gsize      n)
{
  if (src->fp != NULL)
    return fread (out, 1, n, src->fp) == n;
  if (n > src->size - src->pos)
    return FALSE;
  memcpy (out, src->data + src->pos, n);
  src->pos += n;
  return TRUE;
}

static void
png_read_cb (png_structp png,
             png_bytep   out,
             png_size_t  n)
{
  /* libpng's own fread callback says the same on a short read. */
  if (!source_read (png_get_io_ptr (png), out, n))
    png_error (png, "Read Error");
}

static SvdImage *
png_load (PngSource       *src,
          const char      *name,
          SvdPixelFormat   format,
          int             *bit_depth,
          GError         **error)
{
  PngErrorState state = { 0 };
  png_structp png = NULL;
  png_infop info = NULL;
  SvdImage *volatile image = NULL;
  guint16 *volatile row16 = NULL;
  /* Freed by hand: a libpng error longjmps past any g_autofree. */
  png_bytep *volatile rows = NULL;
  guint8 sig[8];
  png_uint_32 w, h;
  int depth, color_type;

  if (!source_read (src, sig, 8) || png_sig_cmp (sig, 0, 8) != 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s is not a PNG file", name);
      return NULL;
    }

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &state, png_error_cb, png_warning_cb);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory reading %s", name);
      goto fail;
    }
  if (setjmp (state.jmp))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "Cannot read PNG %s: %s", name, state.message);
      goto fail;
    }

  png_set_read_fn (png, src, png_read_cb);
  png_set_sig_bytes (png, 8);
  png_set_user_limits (png, SVD_PNG_MAX_SIDE, SVD_PNG_MAX_SIDE);
  png_read_info (png, info);
  png_get_IHDR (png, info, &w, &h, &depth, &color_type, NULL, NULL, NULL);
  if ((guint64) w * h > SVD_LIMIT_PNG_PIXELS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "PNG %s is %ux%u, %" G_GUINT64_FORMAT " pixels, above the limit of %" G_GUINT64_FORMAT
                   " (8192x8192, the largest frame SVD reads)", name, (unsigned) w, (unsigned) h,
                   (guint64) w * h, SVD_LIMIT_PNG_PIXELS);
      goto fail;
    }

  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb (png);
  /* Always read RGBA so one row layout serves every case. */
  png_set_add_alpha (png, depth == 16 ? 0xffff : 0xff, PNG_FILLER_AFTER);
  if (depth == 16)
    png_set_swap (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);

  if (bit_depth != NULL)
    *bit_depth = depth == 16 ? 16 : 8;

  {
    g_autoptr(GError) local_error = NULL;
    gsize row_bytes = png_get_rowbytes (png, info);
    int passes_needed = png_get_interlace_type (png, info) != PNG_INTERLACE_NONE;
    guint8 *buf;

    image = svd_image_new (format, (int) w, (int) h, &local_error);
    if (image == NULL)
      {
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
        goto fail;
      }
    image->color.range = SVD_COLOR_RANGE_FULL;
    image->color.transfer = SVD_COLOR_TRANSFER_SRGB;
    image->color.primaries = SVD_COLOR_PRIMARIES_BT709;

    /* Interlaced PNGs need the whole image in memory; straight ones are
     * read row by row. */
    buf = g_try_malloc (row_bytes * (passes_needed ? h : 1));
    if (buf == NULL)
      {
        g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory reading %s", name);
        goto fail;
      }
    row16 = (guint16 *) buf;
    if (passes_needed)
      {
        rows = g_new (png_bytep, h);
        for (png_uint_32 y = 0; y < h; y++)
          rows[y] = buf + y * row_bytes;
        png_read_image (png, rows);
      }

    for (png_uint_32 y = 0; y < h; y++)
      {
        guint8 *src_row = passes_needed ? buf + y * row_bytes : buf;

        if (!passes_needed)
          png_read_row (png, src_row, NULL);

        for (png_uint_32 x = 0; x < w; x++)
          for (int c = 0; c < 4; c++)
            {
              guint v = depth == 16 ? ((guint16 *) src_row)[4 * x + c] : src_row[4 * x + c];
              float maxv = depth == 16 ? 65535.0f : 255.0f;

              if (format == SVD_PIXEL_FORMAT_RGB_F32)
                {
                  if (c < 3)
                    ((float *) (image->data[c] + y * image->stride[c]))[x] = v / maxv;
                }
              else
                {
                  int spp = format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;
                  guint8 v8 = depth == 16 ? (guint8) ((v * 255u + 32767u) / 65535u) : (guint8) v;

                  if (c < spp)
                    image->data[0][y * image->stride[0] + spp * x + c] = v8;
                }
            }
      }
    png_read_end (png, NULL);
  }

  g_free (row16);
  g_free (rows);
  png_destroy_read_struct (&png, &info, NULL);
  return image;

fail:
  g_free (row16);
  g_free (rows);
  if (image != NULL)
    svd_image_unref (image);
  if (png != NULL)
    png_destroy_read_struct (&png, info ? &info : NULL, NULL);
  return NULL;
}

static gboolean
check_format (SvdPixelFormat   format,
              GError         **error)
{
  if (format != SVD_PIXEL_FORMAT_RGB_F32 && format != SVD_PIXEL_FORMAT_RGB8 &&
      format != SVD_PIXEL_FORMAT_RGBA8)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "PNG images load as rgbf32, rgb24 or rgba only");
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_png_load_as:
 * @path: a PNG file
 * @format: %SVD_PIXEL_FORMAT_RGB_F32 (code value / max code, so 8-bit v
 *   becomes exactly v/255.0f), %SVD_PIXEL_FORMAT_RGB8 or
 *   %SVD_PIXEL_FORMAT_RGBA8 (16-bit input is rounded to 8 bits)
 * @bit_depth: (out) (optional): the file's bit depth per channel (8 or 16)
 * @error: return location for an error
 *
 * Loads any PNG (grey, palette, RGB, with or without alpha, 1–16 bits).
 * Grey becomes RGB; alpha is dropped for RGB formats (composited on
 * nothing: videos have no alpha). The file must be a regular file; it is
 * streamed, with the same checks as svd_png_load_data().
 *
 * Returns: (transfer full) (nullable): the image, colour tagged sRGB full
 *   range
 */
SvdImage *
svd_png_load_as (const char      *path,
                 SvdPixelFormat   format,
                 int             *bit_depth,
                 GError         **error)
{
  PngSource src = { 0 };
  SvdImage *image;

  if (!check_format (format, error))
    return NULL;
  /* A FIFO named .png would block here forever, a device read forever. */
  src.fp = svd_file_fopen_regular (path, error);
  if (src.fp == NULL)
    return NULL;
  image = png_load (&src, path, format, bit_depth, error);
  fclose (src.fp);
  return image;
}

/**
 * svd_png_load_data:
 * @data: (array length=size): a whole PNG file's bytes
 * @size: their number
 * @format: as for svd_png_load_as()
 * @bit_depth: (out) (optional): the image's bit depth per channel (8 or 16)
 * @error: return location for an error
 *
 * svd_png_load_as() from memory: the same decoder, limits
 * (%SVD_PNG_MAX_SIDE, %SVD_LIMIT_PNG_PIXELS) and conversions; errors name
 * the image "PNG data".
 *
 * Returns: (transfer full) (nullable): the image, colour tagged sRGB full
 *   range
 */
SvdImage *
svd_png_load_data (const guint8    *data,
                   gsize            size,
                   SvdPixelFormat   format,
                   int             *bit_depth,
                   GError         **error)
{
  PngSource src = { NULL, data, size, 0 };

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  if (!check_format (format, error))
    return NULL;
  return png_load (&src, "PNG data", format, bit_depth, error);
}

/**
 * svd_png_load:
 * @path: a PNG file
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the image as planar float RGB in
 *   [0, 1] (code value / 255 or / 65535)
 */
SvdImage *
svd_png_load (const char  *path,
              GError     **error)
{
  return svd_png_load_as (path, SVD_PIXEL_FORMAT_RGB_F32, NULL, error);
}

static inline guint
quantize (float v,
          guint maxv)
{
  float s = CLAMP (v, 0.0f, 1.0f) * (float) maxv + 0.5f;

  return (guint) s;
}

/**
 * svd_png_save:
 * @image: an rgbf32, rgb24 or rgba image
 * @path: where to write
 * @bit_depth: 8 or 16 (16 only for rgbf32)
 * @error: return location for an error
 *
 * Writes an RGB PNG. The file is written under a temporary name in the same
 * directory and renamed, so a failure leaves no partial file behind.
 */
gboolean
svd_png_save (const SvdImage  *image,
              const char      *path,
              int              bit_depth,
              GError         **error)
{
  PngErrorState state = { 0 };
  png_structp png = NULL;
  png_infop info = NULL;
  g_autofree char *tmp = svd_output_temp_template (path);
  guint8 *volatile row = NULL;
  FILE *volatile fp = NULL;
  int fd;
  int bytes = bit_depth == 16 ? 2 : 1;

  if ((bit_depth != 8 && bit_depth != 16) ||
      (image->format != SVD_PIXEL_FORMAT_RGB_F32 &&
       (bit_depth != 8 || (image->format != SVD_PIXEL_FORMAT_RGB8 && image->format != SVD_PIXEL_FORMAT_RGBA8))))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "PNG output takes rgbf32 at 8 or 16 bits, or rgb24/rgba at 8 bits");
      return FALSE;
    }

  /* Hidden and named after this process, as the video writer's; a
   * replaced PNG keeps its mode (svd_output_replace()). */
  svd_output_remove_stale_parts (path);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create %s: %s", tmp, g_strerror (saved));
      return FALSE;
    }
  fp = fdopen (fd, "wb");
  if (fp == NULL)
    {
      close (fd);
      g_unlink (tmp);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write %s", tmp);
      return FALSE;
    }

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &state, png_error_cb, png_warning_cb);
  if (png == NULL || (info = png_create_info_struct (png)) == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY, "Out of memory writing %s", path);
      goto fail;
    }
  if (setjmp (state.jmp))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write PNG %s: %s", path, state.message);
      goto fail;
    }

  png_init_io (png, fp);
  png_set_IHDR (png, info, image->width, image->height, bit_depth, PNG_COLOR_TYPE_RGB,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level (png, 3);
  png_write_info (png, info);
  if (bit_depth == 16)
    png_set_swap (png);

  row = g_malloc ((gsize) image->width * 3 * bytes);
  for (int y = 0; y < image->height; y++)
    {
      for (int x = 0; x < image->width; x++)
        for (int c = 0; c < 3; c++)
          {
            if (image->format == SVD_PIXEL_FORMAT_RGB_F32)
              {
                float v = ((const float *) (image->data[c] + y * image->stride[c]))[x];

                if (bit_depth == 16)
                  ((guint16 *) row)[3 * x + c] = (guint16) quantize (v, 65535);
                else
                  row[3 * x + c] = (guint8) quantize (v, 255);
              }
            else
              {
                int spp = image->format == SVD_PIXEL_FORMAT_RGBA8 ? 4 : 3;

                row[3 * x + c] = image->data[0][y * image->stride[0] + spp * x + c];
              }
          }
      png_write_row (png, row);
    }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  row = NULL;

  if (fflush (fp) != 0 || fsync (fileno (fp)) != 0 || fclose (fp) != 0)
    {
      int saved = errno;

      fp = NULL;
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write %s: %s", path, g_strerror (saved));
      g_unlink (tmp);
      return FALSE;
    }
  if (!svd_output_replace (tmp, path, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;

fail:
  g_free (row);
  if (png != NULL)
    png_destroy_write_struct (&png, info ? &info : NULL);
  if (fp != NULL)
    fclose (fp);
  g_unlink (tmp);
  return FALSE;
}
