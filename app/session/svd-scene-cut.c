/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-scene-cut"

#include "session/svd-scene-cut.h"

#include <math.h>
#include <string.h>

#include "core/svd-error.h"

/* Scene cuts for planning chunked restores (svd-chunk-job.c). A chunk
 * that starts at a cut costs nothing in quality: the encoder would start
 * a new group of pictures there anyway. The detector is deliberately
 * cheap, since it reads the whole clip once before any restoring: a
 * 64-bin luma histogram from every fourth pixel of every fourth row, and
 * a coarse picture of 16x16-block means. A cut needs both to jump: the
 * histogram alone misses a cut between two shots of similar brightness
 * and takes a fade for one; the block picture alone takes a fast pan for
 * one. */

#define N_BINS 32
#define BLOCK 16
#define STEP 4

struct _SvdSceneCut {
  SvdSceneCutOptions options;
  gboolean           have_prev;
  double             hist[N_BINS];
  double             prev_hist[N_BINS];
  float             *blocks;
  float             *prev_blocks;
  gsize              n_blocks;
  int                bw;
  int                bh;
  gint64             frame;
  gint64             last_cut;
};

/**
 * svd_scene_cut_options_init:
 * @options: (out caller-allocates): the options to fill
 *
 * Defaults tuned on film and animation: a histogram distance of 0.25,
 * a block difference of 12 levels, cuts at least 12 frames apart.
 */
void
svd_scene_cut_options_init (SvdSceneCutOptions *options)
{
  options->threshold = 0.25;
  options->sad_threshold = 12.0;
  options->min_gap = 12;
}

/**
 * svd_scene_cut_new:
 * @options: (nullable): the detector's options; %NULL for the defaults
 *
 * Returns: (transfer full): a detector with no frame seen yet
 */
SvdSceneCut *
svd_scene_cut_new (const SvdSceneCutOptions *options)
{
  SvdSceneCut *self = g_new0 (SvdSceneCut, 1);

  if (options != NULL)
    self->options = *options;
  else
    svd_scene_cut_options_init (&self->options);
  self->last_cut = 0;
  return self;
}

void
svd_scene_cut_free (SvdSceneCut *self)
{
  if (self == NULL)
    return;
  g_free (self->blocks);
  g_free (self->prev_blocks);
  g_free (self);
}

/* One luma sample as 8 bits, whatever the format. RGB frames (the reader
 * converts exotic formats to them) use BT.601 weights; any luma will do
 * for telling shots apart. */
static inline int
luma_at (const SvdImage           *frame,
         const SvdPixelFormatInfo *fi,
         int                       x,
         int                       y)
{
  const guint8 *row = frame->data[0] + (gsize) y * frame->stride[0];

  if (fi->is_yuv)
    {
      if (fi->bytes_per_sample == 2)
        return ((const guint16 *) row)[x] >> (fi->bit_depth - 8);
      return row[x];
    }
  if (frame->format == SVD_PIXEL_FORMAT_RGB_F32)
    {
      float r = ((const float *) (frame->data[0] + (gsize) y * frame->stride[0]))[x];
      float g = ((const float *) (frame->data[1] + (gsize) y * frame->stride[1]))[x];
      float b = ((const float *) (frame->data[2] + (gsize) y * frame->stride[2]))[x];
      float l = (0.299f * r + 0.587f * g + 0.114f * b) * 255.f;

      return (int) CLAMP (l, 0.f, 255.f);
    }
  {
    const guint8 *p = row + (gsize) x * fi->samples_per_pixel;

    return (299 * p[0] + 587 * p[1] + 114 * p[2]) / 1000;
  }
}

/**
 * svd_scene_cut_push:
 * @self: a detector
 * @frame: the next decoded frame, in presentation order
 * @score: (out) (optional): the frame's histogram distance to the frame
 *   before (0 for the first frame)
 *
 * Returns: %TRUE when @frame starts a new scene (never for the first one)
 */
gboolean
svd_scene_cut_push (SvdSceneCut    *self,
                    const SvdImage *frame,
                    double         *score)
{
  const SvdPixelFormatInfo *fi = svd_pixel_format_get_info (frame->format);
  int bw = MAX (1, frame->width / BLOCK), bh = MAX (1, frame->height / BLOCK);
  double total = 0, dist = 0, sad = 0;
  gboolean cut = FALSE;

  if (self->blocks == NULL || bw != self->bw || bh != self->bh)
    {
      g_free (self->blocks);
      g_free (self->prev_blocks);
      self->bw = bw;
      self->bh = bh;
      self->n_blocks = (gsize) bw * bh;
      self->blocks = g_new0 (float, self->n_blocks);
      self->prev_blocks = g_new0 (float, self->n_blocks);
      self->have_prev = FALSE;
    }
  memset (self->hist, 0, sizeof self->hist);
  memset (self->blocks, 0, self->n_blocks * sizeof (float));
  for (int y = 0; y < frame->height; y += STEP)
    {
      int by = MIN (y * bh / frame->height, bh - 1);

      for (int x = 0; x < frame->width; x += STEP)
        {
          int l = luma_at (frame, fi, x, y);
          int bx = MIN (x * bw / frame->width, bw - 1);

          self->hist[l * N_BINS / 256] += 1;
          self->blocks[(gsize) by * bw + bx] += l;
          total += 1;
        }
    }
  {
    /* Block sums to means: samples per block vary at the edges. */
    g_autofree int *count = g_new0 (int, self->n_blocks);

    for (int y = 0; y < frame->height; y += STEP)
      for (int x = 0; x < frame->width; x += STEP)
        count[(gsize) MIN (y * bh / frame->height, bh - 1) * bw + MIN (x * bw / frame->width, bw - 1)]++;
    for (gsize i = 0; i < self->n_blocks; i++)
      self->blocks[i] = count[i] > 0 ? self->blocks[i] / count[i] : 0;
  }
  for (int i = 0; i < N_BINS; i++)
    self->hist[i] /= MAX (total, 1);

  if (self->have_prev)
    {
      for (int i = 0; i < N_BINS; i++)
        dist += fabs (self->hist[i] - self->prev_hist[i]);
      dist /= 2;
      /* Each picture's mean taken out: a fade moves every block alike
       * and is no cut; a new shot moves them apart. */
      double m = 0, pm = 0;

      for (gsize i = 0; i < self->n_blocks; i++)
        {
          m += self->blocks[i];
          pm += self->prev_blocks[i];
        }
      m /= self->n_blocks;
      pm /= self->n_blocks;
      for (gsize i = 0; i < self->n_blocks; i++)
        sad += fabs ((self->blocks[i] - m) - (self->prev_blocks[i] - pm));
      sad /= self->n_blocks;
      if (dist > self->options.threshold / 2 || sad > self->options.sad_threshold / 2)
        g_debug ("frame %" G_GINT64_FORMAT ": histogram distance %.3f, block difference %.1f",
                 self->frame, dist, sad);
      if (dist > self->options.threshold && sad > self->options.sad_threshold &&
          self->frame - self->last_cut >= self->options.min_gap)
        {
          cut = TRUE;
          self->last_cut = self->frame;
        }
    }
  if (score != NULL)
    *score = dist;
  memcpy (self->prev_hist, self->hist, sizeof self->hist);
  {
    float *t = self->prev_blocks;

    self->prev_blocks = self->blocks;
    self->blocks = t;
  }
  self->have_prev = TRUE;
  self->frame++;
  return cut;
}

/**
 * svd_scene_cut_detect:
 * @reader: a freshly opened reader (positioned at frame 0)
 * @options: (nullable): the detector's options; %NULL for the defaults
 * @progress: (nullable): called every 64 frames
 * @user_data: data for @progress
 * @cancellable: (nullable): checked between frames
 * @error: return location for an error
 *
 * Decodes the whole clip once and finds where its scenes start. The
 * frame indices are the reader's (counted from the packet index), the
 * same the restore job's exact ranges use.
 *
 * Returns: (transfer full) (element-type gint64): the frames that start a
 *   new scene, ascending (never 0), or %NULL with @error set
 */
GArray *
svd_scene_cut_detect (SvdReader                *reader,
                      const SvdSceneCutOptions *options,
                      SvdSceneCutProgressFunc   progress,
                      gpointer                  user_data,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  g_autoptr(SvdSceneCut) detector = svd_scene_cut_new (options);
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gint64));
  const SvdVideoInfo *info = svd_reader_get_info (reader);
  gint64 n = 0;

  for (;;)
    {
      g_autoptr(SvdImage) frame = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!svd_reader_read (reader, &frame, error))
        return NULL;
      if (frame == NULL)
        break;
      if (svd_scene_cut_push (detector, frame, NULL))
        {
          gint64 index = frame->frame_index >= 0 ? frame->frame_index : n;

          g_array_append_val (cuts, index);
        }
      n++;
      if (progress != NULL && n % 64 == 0)
        progress (n, info->n_frames, user_data);
    }
  if (progress != NULL)
    progress (n, info->n_frames, user_data);
  return g_steal_pointer (&cuts);
}

/**
 * svd_scene_cut_split:
 * @n_frames: frames in the clip
 * @cuts: (nullable) (element-type gint64): scene cuts, ascending
 * @max_frames: the longest chunk
 * @min_frames: the shortest chunk a cut may make (except the clip's last)
 *
 * Splits a clip into chunks of exact frame ranges: at scene cuts where
 * that leaves no chunk shorter than @min_frames, and a scene longer than
 * @max_frames into equal parts of at most @max_frames. Without cuts,
 * every @max_frames frames.
 *
 * Returns: (transfer full) (element-type gint64): the first frame of each
 *   chunk, ascending, starting with 0; the last chunk ends at @n_frames
 */
GArray *
svd_scene_cut_split (gint64        n_frames,
                     const GArray *cuts,
                     gint64        max_frames,
                     gint64        min_frames)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 zero = 0;

  max_frames = MAX (max_frames, 1);
  min_frames = CLAMP (min_frames, 1, max_frames);
  /* The scenes: cuts that leave at least min_frames on either side. */
  g_array_append_val (bounds, zero);
  for (guint i = 0; cuts != NULL && i < cuts->len; i++)
    {
      gint64 c = g_array_index (cuts, gint64, i);
      gint64 last = g_array_index (bounds, gint64, bounds->len - 1);

      if (c - last >= min_frames && n_frames - c >= min_frames)
        g_array_append_val (bounds, c);
    }
  g_array_append_val (bounds, n_frames);
  /* Long scenes in equal parts. */
  for (guint i = 0; i + 1 < bounds->len; i++)
    {
      gint64 a = g_array_index (bounds, gint64, i);
      gint64 b = g_array_index (bounds, gint64, i + 1);
      gint64 len = b - a;
      gint64 parts = (len + max_frames - 1) / max_frames;

      for (gint64 p = 0; p < parts; p++)
        {
          gint64 s = a + len * p / parts;

          g_array_append_val (starts, s);
        }
    }
  if (starts->len == 0)
    g_array_append_val (starts, zero);
  return starts;
}
