/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-pair-check"

#include "svd-config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "core/svd-image.h"
#include "media/svd-reader.h"
#include "media/svd-session-source.h"

#include "svd-pair-check.h"

/* Pair mode compares whatever two clips it is given: before its numbers
 * are read as a restoration's quality, this says when the two differ in
 * frame rate or length, or are not the same video at all. */

/* Luma of pixel (x, y) in 0..255, for the formats the reader outputs. */
static double
luma_at (const SvdImage *image,
         int             x,
         int             y)
{
  const guint8 *row = image->data[0] + (gsize) y * image->stride[0];

  switch (image->format)
    {
    case SVD_PIXEL_FORMAT_YUV420P8:
    case SVD_PIXEL_FORMAT_YUV422P8:
    case SVD_PIXEL_FORMAT_YUV444P8:
      return row[x];
    case SVD_PIXEL_FORMAT_YUV420P10:
    case SVD_PIXEL_FORMAT_YUV422P10:
    case SVD_PIXEL_FORMAT_YUV444P10:
      return ((const guint16 *) row)[x] / 4.0;
    case SVD_PIXEL_FORMAT_RGB8:
      return 0.299 * row[3 * x] + 0.587 * row[3 * x + 1] + 0.114 * row[3 * x + 2];
    case SVD_PIXEL_FORMAT_RGBA8:
      return 0.299 * row[4 * x] + 0.587 * row[4 * x + 1] + 0.114 * row[4 * x + 2];
    case SVD_PIXEL_FORMAT_RGB_F32:
      {
        const float *r = (const float *) (image->data[0] + (gsize) y * image->stride[0]);
        const float *g = (const float *) (image->data[1] + (gsize) y * image->stride[1]);
        const float *b = (const float *) (image->data[2] + (gsize) y * image->stride[2]);

        return 255.0 * (0.299 * r[x] + 0.587 * g[x] + 0.114 * b[x]);
      }
    case SVD_PIXEL_FORMAT_N_FORMATS:
    default:
      return 0;
    }
}

/* Squared error summed over the input's pixels, the reference shrunk by
 * @scale with a box filter; @n gets the pixel count. */
static double
luma_sse (const SvdImage *input,
          const SvdImage *reference,
          int             scale,
          gint64         *n)
{
  int w = MIN (input->width, reference->width / scale);
  int h = MIN (input->height, reference->height / scale);
  double sse = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double sum = 0, d;

        for (int dy = 0; dy < scale; dy++)
          for (int dx = 0; dx < scale; dx++)
            sum += luma_at (reference, x * scale + dx, y * scale + dy);
        d = luma_at (input, x, y) - sum / (scale * scale);
        sse += d * d;
      }
  *n = (gint64) w * h;
  return sse;
}

/**
 * svd_pair_check_run:
 * @input_path: the Pair session's input
 * @reference_path: its reference
 * @offset: the frame offset the session pairs with
 * @n_frames: how many paired frames to compare, from the first
 * @check: (out caller-allocates): what was found
 * @cancellable: (nullable): stops it between frames
 * @error: opening or decoding failed, or cancelled
 *
 * Opens the two clips as a Pair session does and measures how alike
 * their first paired frames are. Runs on a worker thread.
 *
 * Returns: %TRUE when @check is filled in
 */
gboolean
svd_pair_check_run (const char    *input_path,
                    const char    *reference_path,
                    gint64         offset,
                    guint          n_frames,
                    SvdPairCheck  *check,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(SvdSessionSource) source = NULL;
  const SvdVideoInfo *in, *ref;
  const SvdPairReport *report;
  double sse = 0;
  gint64 pixels = 0;

  g_return_val_if_fail (input_path != NULL && reference_path != NULL && check != NULL, FALSE);

  memset (check, 0, sizeof *check);
  check->psnr_y = NAN;
  source = svd_session_source_new_pair (input_path, reference_path, offset, error);
  if (source == NULL)
    return FALSE;
  in = svd_reader_get_info (svd_session_source_get_input (source));
  ref = svd_reader_get_info (svd_session_source_get_reference (source));
  report = svd_session_source_get_report (source);
  check->input_fps = in->fps;
  check->reference_fps = ref->fps;
  check->input_width = in->width;
  check->input_height = in->height;
  check->reference_width = ref->width;
  check->reference_height = ref->height;
  check->scale = MAX (report->scale, 1);
  check->n_input = report->n_input;
  check->n_reference = report->n_reference;

  for (gint64 i = MAX (report->first_paired, 0);
       report->first_paired >= 0 && i <= report->last_paired && check->n_compared < n_frames; i++)
    {
      g_autoptr(SvdImage) a = NULL;
      g_autoptr(SvdImage) b = NULL;
      gint64 n = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      a = svd_session_source_read_input (source, i, error);
      if (a == NULL)
        return FALSE;
      b = svd_session_source_read_reference (source, i, error);
      if (b == NULL)
        return FALSE;
      sse += luma_sse (a, b, check->scale, &n);
      pixels += n;
      check->n_compared++;
    }
  if (pixels > 0)
    check->psnr_y = sse > 0 ? 10.0 * log10 (255.0 * 255.0 * pixels / sse) : INFINITY;
  return TRUE;
}

/**
 * svd_pair_check_describe:
 * @check: what svd_pair_check_run() found
 *
 * Returns: (transfer full) (nullable): a warning, one sentence per
 *   problem, or %NULL when the pair looks like one video
 */
char *
svd_pair_check_describe (const SvdPairCheck *check)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (check != NULL, NULL);

  if (check->n_compared > 0 && isfinite (check->psnr_y) && check->psnr_y < SVD_PAIR_CHECK_UNRELATED_DB)
    {
      /* Translators: the PSNR-Y of the first frames of the two clips of a
       * pair, and over how many frames; they look like different videos */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "These clips may not be the same video: their first %u frame "
                                                 "differs by %.1f dB PSNR-Y.",
                                                 "These clips may not be the same video: their first %u frames "
                                                 "differ by %.1f dB PSNR-Y.",
                                                 check->n_compared),
                              check->n_compared, check->psnr_y);
    }
  if (check->input_fps > 0 && check->reference_fps > 0 &&
      fabs (check->input_fps - check->reference_fps) > 0.001 * MAX (check->input_fps, check->reference_fps))
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* Translators: the frame rates of the input and of the reference */
      g_string_append_printf (text, _("Their frame rates differ: %.3f fps against %.3f fps in the reference."),
                              check->input_fps, check->reference_fps);
    }
  if (check->n_input != check->n_reference)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* Translators: the frame counts of the input and of the reference */
      g_string_append_printf (text, _("Their lengths differ: %lld frames against %lld in the reference."),
                              (long long) check->n_input, (long long) check->n_reference);
    }
  if (check->reference_width != check->input_width * check->scale ||
      check->reference_height != check->input_height * check->scale)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      /* Translators: the sizes of the input and of the reference, which
       * are not an exact multiple of each other */
      g_string_append_printf (text, _("Their sizes differ: %d×%d against %d×%d in the reference (compared "
                                      "on the overlapping part)."),
                              check->input_width, check->input_height,
                              check->reference_width, check->reference_height);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}
