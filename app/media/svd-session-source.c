/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-session-source"

#include "svd-session-source.h"
#include "core/svd-error.h"

#include <glib/gstdio.h>
#include <string.h>

struct _SvdSessionSource {
  SvdReferenceMode mode;
  char            *input_path;
  char            *reference_path;
  SvdReader       *input;
  SvdReader       *reference;
  GArray          *map;      /* gint64 per input frame: reference index or -1 */
  SvdPairReport    report;
  /* The reference is the input's own file, unshifted: each frame is its
   * own reference, decoded once (the last input read is kept for it). */
  gboolean         reference_is_input;
  SvdImage        *last_input;
  guint64          n_decoded;
};

const char *
svd_reference_mode_name (SvdReferenceMode mode)
{
  switch (mode)
    {
    case SVD_REFERENCE_PAIR: return "pair";
    case SVD_REFERENCE_SYNTHESIZE: return "synthesize";
    case SVD_REFERENCE_NONE:
    default: return "none";
    }
}

void
svd_session_source_free (SvdSessionSource *self)
{
  if (self == NULL)
    return;
  g_free (self->input_path);
  g_free (self->reference_path);
  g_clear_pointer (&self->input, svd_reader_free);
  g_clear_pointer (&self->reference, svd_reader_free);
  g_clear_pointer (&self->map, g_array_unref);
  g_clear_pointer (&self->last_input, svd_image_unref);
  g_free (self->report.summary);
  g_free (self);
}

SvdSessionSource *
svd_session_source_new_none (const char  *input_path,
                             GError     **error)
{
  g_autoptr(SvdSessionSource) self = g_new0 (SvdSessionSource, 1);

  self->mode = SVD_REFERENCE_NONE;
  self->input_path = g_strdup (input_path);
  self->input = svd_reader_open (input_path, NULL, error);
  if (self->input == NULL)
    return NULL;
  self->report.n_input = svd_reader_get_info (self->input)->n_frames;
  self->report.first_paired = self->report.last_paired = -1;
  self->report.scale = 1;
  self->report.summary = g_strdup ("No reference: PSNR, SSIM and DISTS are unavailable.");
  return g_steal_pointer (&self);
}

static gboolean
find_scale (SvdSessionSource  *self,
            GError           **error)
{
  const SvdVideoInfo *in = svd_reader_get_info (self->input);
  const SvdVideoInfo *ref = svd_reader_get_info (self->reference);
  static const int scales[] = { 1, 2, 4 };

  for (gsize i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      int s = scales[i];

      /* floor(W / s) is how a downscaler sizes its output, so a reference
       * up to s - 1 pixels larger than input × s still pairs. */
      if (ref->width >= in->width * s && ref->width < in->width * s + s &&
          ref->height >= in->height * s && ref->height < in->height * s + s)
        {
          self->report.scale = s;
          self->report.crop_x = ref->width - in->width * s;
          self->report.crop_y = ref->height - in->height * s;
          return TRUE;
        }
    }
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "The reference “%s” is %dx%d and the input “%s” %dx%d: the reference must be "
               "1×, 2× or 4× the input's size",
               self->reference_path, ref->width, ref->height, self->input_path, in->width, in->height);
  return FALSE;
}

/* Matches every input frame to the reference frame shown at the same time
 * (relative to each clip's first frame), then applies the offset. */
static void
build_map (SvdSessionSource *self,
           gint64            offset)
{
  SvdPairReport *r = &self->report;
  gint64 n_in = svd_reader_get_info (self->input)->n_frames;
  gint64 n_ref = svd_reader_get_info (self->reference)->n_frames;
  gint64 in0 = svd_reader_frame_pts_us (self->input, 0);
  gint64 ref0 = svd_reader_frame_pts_us (self->reference, 0);

  self->map = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) n_in);
  r->n_input = n_in;
  r->n_reference = n_ref;
  r->offset = offset;
  r->first_paired = r->last_paired = -1;
  for (gint64 i = 0; i < n_in; i++)
    {
      gint64 t = svd_reader_frame_pts_us (self->input, i) - in0;
      gint64 j = svd_reader_frame_at_time (self->reference, ref0 + t);
      gint64 best = -1;

      /* The nearest of j and j + 1, within half a reference frame. */
      for (gint64 k = j; k <= j + 1 && k < n_ref; k++)
        {
          gint64 d = ABS (svd_reader_frame_pts_us (self->reference, k) - ref0 - t);

          if (d * 2 <= svd_reader_frame_duration_us (self->reference, k) &&
              (best < 0 || d < ABS (svd_reader_frame_pts_us (self->reference, best) - ref0 - t)))
            best = k;
        }
      if (best >= 0)
        {
          best += offset;
          if (best < 0 || best >= n_ref)
            best = -1;
        }
      g_array_append_val (self->map, best);
      if (best >= 0)
        {
          r->n_paired++;
          if (r->first_paired < 0)
            r->first_paired = i;
          r->last_paired = i;
        }
    }
  r->lengths_differ = r->n_paired != n_in || n_in != n_ref;
  if (r->n_paired == 0)
    r->summary = g_strdup_printf ("No input frame has a reference frame (input %" G_GINT64_FORMAT
                                  " frames, reference %" G_GINT64_FORMAT ", offset %" G_GINT64_FORMAT ")",
                                  n_in, n_ref, offset);
  else
    r->summary = g_strdup_printf ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " input frames paired "
                                  "(frames %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT "), reference %" G_GINT64_FORMAT
                                  " frames at %d×, offset %" G_GINT64_FORMAT "%s",
                                  r->n_paired, n_in, r->first_paired, r->last_paired, n_ref, r->scale, offset,
                                  r->lengths_differ ? "; the clips' lengths differ" : "");
}

/**
 * svd_session_source_new_pair:
 * @input_path: the degraded clip
 * @reference_path: the reference clip, 1×, 2× or 4× the input's size
 * @frame_offset: added to the matched reference index (positive when the
 *   reference has extra frames at its start)
 *
 * Pairs two clips by timestamp. Frames of one clip without a partner
 * (different lengths, or the offset) are reported, not an error; an
 * input frame without a partner has no reference
 * (svd_session_source_read_reference() says so).
 *
 * Returns: (transfer full) (nullable): the source, or %NULL when a clip
 *   cannot be read or the sizes do not pair.
 */
SvdSessionSource *
svd_session_source_new_pair (const char  *input_path,
                             const char  *reference_path,
                             gint64       frame_offset,
                             GError     **error)
{
  g_autoptr(SvdSessionSource) self = g_new0 (SvdSessionSource, 1);

  self->mode = SVD_REFERENCE_PAIR;
  self->input_path = g_strdup (input_path);
  self->reference_path = g_strdup (reference_path);
  self->input = svd_reader_open (input_path, NULL, error);
  if (self->input == NULL)
    return NULL;
  self->reference = svd_reader_open (reference_path, NULL, error);
  if (self->reference == NULL)
    return NULL;
  if (!find_scale (self, error))
    return NULL;
  build_map (self, frame_offset);
  {
    GStatBuf a, b;

    self->reference_is_input = frame_offset == 0 && g_stat (input_path, &a) == 0 &&
                               g_stat (reference_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  }
  return g_steal_pointer (&self);
}

/**
 * svd_session_source_new_synthesize:
 * @clean_path: the clean clip; it becomes the reference
 * @params: how to degrade it (see svd_degrade_clip())
 *
 * Makes (or reuses from the cache) the degraded input, then pairs it with
 * the clean clip one to one.
 *
 * Returns: (transfer full) (nullable): the source
 */
SvdSessionSource *
svd_session_source_new_synthesize (const char              *clean_path,
                                   const SvdDegradeParams  *params,
                                   SvdWriterProgressFunc    progress,
                                   gpointer                 progress_data,
                                   GCancellable            *cancellable,
                                   GError                 **error)
{
  SvdDegradeParams p = *params;
  g_autofree char *degraded = NULL;
  SvdSessionSource *self;

  /* The cache only needs the pictures. */
  p.keep_audio = FALSE;
  degraded = svd_degrade_cached (clean_path, &p, progress, progress_data, cancellable, error);
  if (degraded == NULL)
    return NULL;
  self = svd_session_source_new_pair (degraded, clean_path, 0, error);
  if (self == NULL)
    return NULL;
  self->mode = SVD_REFERENCE_SYNTHESIZE;
  return self;
}

SvdReferenceMode
svd_session_source_get_mode (SvdSessionSource *self)
{
  return self->mode;
}

const char *
svd_session_source_get_input_path (SvdSessionSource *self)
{
  return self->input_path;
}

const char *
svd_session_source_get_reference_path (SvdSessionSource *self)
{
  return self->reference_path;
}

SvdReader *
svd_session_source_get_input (SvdSessionSource *self)
{
  return self->input;
}

SvdReader *
svd_session_source_get_reference (SvdSessionSource *self)
{
  return self->reference;
}

const SvdPairReport *
svd_session_source_get_report (SvdSessionSource *self)
{
  return &self->report;
}

/**
 * svd_session_source_reference_index:
 *
 * Returns: the reference frame paired with input frame @input_index, or -1
 *   when it has none (mode None, or outside the paired range).
 */
gint64
svd_session_source_reference_index (SvdSessionSource *self,
                                    gint64            input_index)
{
  if (self->map == NULL || input_index < 0 || input_index >= (gint64) self->map->len)
    return -1;
  return g_array_index (self->map, gint64, input_index);
}

SvdImage *
svd_session_source_read_input (SvdSessionSource  *self,
                               gint64             input_index,
                               GError           **error)
{
  SvdImage *image = svd_reader_seek_frame (self->input, input_index, error);

  if (image == NULL)
    return NULL;
  self->n_decoded++;
  if (self->reference_is_input)
    {
      g_clear_pointer (&self->last_input, svd_image_unref);
      self->last_input = svd_image_ref (image);
    }
  return image;
}

/**
 * svd_session_source_get_n_decoded:
 *
 * Returns: how many frames the source decoded (input and reference): a
 *   clip paired with itself decodes each frame once
 */
guint64
svd_session_source_get_n_decoded (SvdSessionSource *self)
{
  return self->n_decoded;
}

/**
 * svd_session_source_read_reference:
 *
 * Returns: (transfer full) (nullable): the reference frame for input frame
 *   @input_index, or %NULL with %SVD_ERROR_UNAVAILABLE when there is none
 *   (the message says why, for the metrics panel).
 */
SvdImage *
svd_session_source_read_reference (SvdSessionSource  *self,
                                   gint64             input_index,
                                   GError           **error)
{
  gint64 j;

  if (self->mode == SVD_REFERENCE_NONE)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                   "There is no reference clip, so PSNR, SSIM and DISTS cannot be computed. "
                   "Open a reference (Pair) or make the input from a clean clip (Synthesize).");
      return NULL;
    }
  j = svd_session_source_reference_index (self, input_index);
  if (j < 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNAVAILABLE,
                   "Input frame %" G_GINT64_FORMAT " has no reference frame: %s",
                   input_index, self->report.summary);
      return NULL;
    }
  /* The clip is its own reference: the frame just read is it. */
  if (self->reference_is_input && self->last_input != NULL && self->last_input->frame_index == j)
    return svd_image_ref (self->last_input);
  {
    SvdImage *image = svd_reader_seek_frame (self->reference, j, error);

    if (image != NULL)
      self->n_decoded++;
    return image;
  }
}
