/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-frame-reuse"

#include "session/svd-frame-reuse.h"

#include <math.h>
#include <string.h>

struct _SvdFrameReuse {
  double    similar_db;   /* 0 or less: identical frames only */
  SvdImage *input;        /* the last computed input */
  guint64   input_hash;
  SvdImage *output;       /* its chain output */
  gint64    n_reused;
  gint64    n_similar;
  double    worst_psnr;
};

/**
 * svd_frame_reuse_new:
 * @similar_db: also reuse the output for an input whose PSNR-Y against
 *   the last computed input is above this many dB; 0 (or less) for
 *   bit-identical inputs only
 *
 * Returns: (transfer full): a new, empty #SvdFrameReuse
 */
SvdFrameReuse *
svd_frame_reuse_new (double similar_db)
{
  SvdFrameReuse *self = g_new0 (SvdFrameReuse, 1);

  self->similar_db = similar_db > 0 && isfinite (similar_db) ? similar_db : 0;
  self->worst_psnr = INFINITY;
  return self;
}

void
svd_frame_reuse_free (SvdFrameReuse *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->input, svd_image_unref);
  g_clear_pointer (&self->output, svd_image_unref);
  g_free (self);
}

static inline guint64
mix64 (guint64 h)
{
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

/**
 * svd_image_hash_planes:
 * @image: an image
 *
 * A 64-bit hash of the visible bytes of every plane (row by row, so the
 * padding a decoder leaves past each row does not count), with the
 * format and size. Not cryptographic: equal hashes only say that the
 * bytes are worth comparing.
 *
 * Returns: the hash
 */
guint64
svd_image_hash_planes (const SvdImage *image)
{
  guint64 h = mix64 (((guint64) image->format << 48) ^ ((guint64) (guint32) image->width << 24) ^
                     (guint64) (guint32) image->height);

  for (int p = 0; p < image->n_planes; p++)
    {
      gsize row = svd_image_get_row_bytes (image, p);

      for (int y = 0; y < image->plane_height[p]; y++)
        {
          const guint8 *s = image->data[p] + (gsize) y * image->stride[p];
          gsize i = 0;
          guint64 tail = 0;

          /* Four independent lanes keep the multiplies pipelined. */
          for (; i + 32 <= row; i += 32)
            {
              guint64 w[4];

              memcpy (w, s + i, sizeof w);
              h = (h ^ w[0]) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
              h ^= (w[1] * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9)) ^ (h >> 29);
              h = (h ^ w[2]) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
              h ^= (w[3] * G_GUINT64_CONSTANT (0xff51afd7ed558ccd)) ^ (h >> 31);
            }
          for (; i + 8 <= row; i += 8)
            {
              guint64 w;

              memcpy (&w, s + i, sizeof w);
              h = (h ^ w) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
              h ^= h >> 29;
            }
          memcpy (&tail, s + i, row - i);
          h = mix64 (h ^ tail ^ ((guint64) (row - i) << 56));
        }
    }
  return h;
}

static gboolean
same_layout (const SvdImage *a,
             const SvdImage *b)
{
  return a->format == b->format && a->width == b->width && a->height == b->height &&
         a->n_planes == b->n_planes && memcmp (&a->color, &b->color, sizeof a->color) == 0;
}

static gboolean
same_bytes (const SvdImage *a,
            const SvdImage *b)
{
  for (int p = 0; p < a->n_planes; p++)
    {
      gsize row = svd_image_get_row_bytes (a, p);

      for (int y = 0; y < a->plane_height[p]; y++)
        if (memcmp (a->data[p] + (gsize) y * a->stride[p], b->data[p] + (gsize) y * b->stride[p], row) != 0)
          return FALSE;
    }
  return TRUE;
}

/**
 * svd_image_psnr_y:
 * @a: a YUV image
 * @b: a YUV image of the same format and size
 *
 * Returns: the PSNR of the luma planes in dB (peak: the format's largest
 *   sample value); %INFINITY when they are equal; -%INFINITY when the two
 *   cannot be compared (different formats or sizes, or RGB)
 */
double
svd_image_psnr_y (const SvdImage *a,
                  const SvdImage *b)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (a->format);
  double peak, sse = 0, n;

  if (a->format != b->format || a->width != b->width || a->height != b->height || !fi->is_yuv ||
      (fi->bytes_per_sample != 1 && fi->bytes_per_sample != 2))
    return -INFINITY;
  for (int y = 0; y < a->plane_height[0]; y++)
    {
      const guint8 *ra = a->data[0] + (gsize) y * a->stride[0];
      const guint8 *rb = b->data[0] + (gsize) y * b->stride[0];
      guint64 row_sse = 0;

      if (fi->bytes_per_sample == 1)
        for (int x = 0; x < a->plane_width[0]; x++)
          {
            int d = (int) ra[x] - (int) rb[x];

            row_sse += (guint64) (d * d);
          }
      else
        for (int x = 0; x < a->plane_width[0]; x++)
          {
            guint16 va, vb;
            int d;

            memcpy (&va, ra + 2 * x, 2);
            memcpy (&vb, rb + 2 * x, 2);
            d = (int) va - (int) vb;
            row_sse += (guint64) d * (guint64) d;
          }
      sse += (double) row_sse;
    }
  if (sse == 0)
    return INFINITY;
  n = (double) a->plane_width[0] * a->plane_height[0];
  peak = (double) ((1 << fi->bit_depth) - 1);
  return 10.0 * log10 (peak * peak * n / sse);
}

/**
 * svd_frame_reuse_lookup:
 * @self: an #SvdFrameReuse
 * @input: the next input frame
 * @reused: (out) (transfer full) (nullable): the kept output, sharing its
 *   pixels, with @input's timestamp, frame index and colour tags; %NULL
 *   when @input must go through the chain (then store its output with
 *   svd_frame_reuse_store())
 * @error: return location for an error
 *
 * Returns: %FALSE with @error set only when the reused frame could not be
 *   made; not finding one is no error
 */
gboolean
svd_frame_reuse_lookup (SvdFrameReuse   *self,
                        const SvdImage  *input,
                        SvdImage       **reused,
                        GError         **error)
{
  SvdImage *out;
  gboolean exact = FALSE;
  double psnr = INFINITY;

  g_return_val_if_fail (self != NULL && input != NULL && reused != NULL, FALSE);

  *reused = NULL;
  /* An input kept without its output (svd_frame_reuse_store()) has none
   * to give. */
  if (self->input == NULL || self->output == NULL || !same_layout (self->input, input))
    return TRUE;
  exact = svd_image_hash_planes (input) == self->input_hash && same_bytes (input, self->input);
  if (!exact)
    {
      if (self->similar_db <= 0)
        return TRUE;
      psnr = svd_image_psnr_y (input, self->input);
      if (!(psnr > self->similar_db))
        return TRUE;
    }

  out = svd_image_new_for_data (self->output->format, self->output->width, self->output->height,
                                self->output->data, self->output->stride,
                                (GDestroyNotify) svd_image_unref, svd_image_ref (self->output), error);
  if (out == NULL)
    return FALSE;
  out->color = self->output->color;
  out->pts = input->pts;
  out->frame_index = input->frame_index;
  self->n_reused++;
  if (!exact)
    {
      self->n_similar++;
      self->worst_psnr = MIN (self->worst_psnr, psnr);
    }
  *reused = out;
  return TRUE;
}

/**
 * svd_frame_reuse_store:
 * @self: an #SvdFrameReuse
 * @input: an input that went through the chain; a reference is kept, so
 *   its pixels must not change afterwards
 * @output: (nullable): its output; a reference is kept, read only.
 *   %NULL: the caller keeps the output itself (svd_frame_reuse_match());
 *   svd_frame_reuse_lookup() then finds nothing to give
 *
 * Makes @input the frame later inputs are compared with.
 */
void
svd_frame_reuse_store (SvdFrameReuse *self,
                       SvdImage      *input,
                       SvdImage      *output)
{
  g_return_if_fail (self != NULL && input != NULL);

  g_clear_pointer (&self->input, svd_image_unref);
  g_clear_pointer (&self->output, svd_image_unref);
  self->input = svd_image_ref (input);
  self->input_hash = svd_image_hash_planes (input);
  self->output = output != NULL ? svd_image_ref (output) : NULL;
}

/**
 * svd_frame_reuse_match:
 * @self: an #SvdFrameReuse
 * @input: the next input
 *
 * Whether @input is bit-identical to the last stored input, whatever was
 * stored with it: for a caller whose output of that input is still where
 * it left it (the session's engine on the device, when no view needs the
 * display). Counted as reused when it is. Near-duplicates never match.
 *
 * Returns: %TRUE when @input equals the kept input
 */
gboolean
svd_frame_reuse_match (SvdFrameReuse  *self,
                       const SvdImage *input)
{
  g_return_val_if_fail (self != NULL && input != NULL, FALSE);

  if (self->input == NULL || !same_layout (self->input, input) ||
      svd_image_hash_planes (input) != self->input_hash || !same_bytes (input, self->input))
    return FALSE;
  self->n_reused++;
  return TRUE;
}

/* Frames that reused a kept output, identical or similar. */
gint64
svd_frame_reuse_get_n_reused (const SvdFrameReuse *self)
{
  return self->n_reused;
}

/* Of those, the frames that were only similar (not bit-identical). */
gint64
svd_frame_reuse_get_n_similar (const SvdFrameReuse *self)
{
  return self->n_similar;
}

/* The lowest PSNR-Y (dB) of a similar frame against the input whose output
 * it reused: the largest deviation; %INFINITY when none was only similar. */
double
svd_frame_reuse_get_worst_psnr (const SvdFrameReuse *self)
{
  return self->worst_psnr;
}
