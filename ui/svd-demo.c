/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-demo"

#include "svd-config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "core/svd-error.h"
#include "media/svd-writer.h"
#include "svd-demo.h"
#include "metrics/svd-metrics.h"
#include "session/svd-heatmap.h"

/* The demo frame looks like a frame of animation on purpose: flat colours,
 * dark outlines, smooth gradients, fine hatching and small text are what
 * compact restoration models are trained for, and what compression ruins
 * first. Everything is drawn here, so the demo needs no files. */

void
svd_demo_frames_free (SvdDemoFrames *frames)
{
  if (frames == NULL)
    return;

  g_clear_pointer (&frames->reference, svd_image_unref);
  g_clear_pointer (&frames->source, svd_image_unref);
  g_clear_pointer (&frames->difference, svd_image_unref);
  g_clear_pointer (&frames->ssim, svd_image_unref);
  g_free (frames);
}

static void
outline_fill (cairo_t *cr,
              double   r,
              double   g,
              double   b,
              double   line_width)
{
  cairo_set_source_rgb (cr, r, g, b);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.13, 0.12, 0.18);
  cairo_set_line_width (cr, line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke (cr);
}

static void
cloud (cairo_t *cr,
       double   x,
       double   y,
       double   s)
{
  cairo_new_path (cr);
  cairo_arc (cr, x, y, 30 * s, M_PI * 0.5, M_PI * 1.5);
  cairo_arc (cr, x + 40 * s, y - 22 * s, 36 * s, M_PI, M_PI * 2);
  cairo_arc (cr, x + 90 * s, y - 6 * s, 28 * s, M_PI * 1.3, M_PI * 0.5);
  cairo_close_path (cr);
  outline_fill (cr, 1, 1, 1, 3 * s);
}

static void
draw_scene (cairo_t *cr,
            int      width,
            int      height,
            double   t)
{
  cairo_pattern_t *pattern;
  PangoLayout *layout;
  PangoFontDescription *font;
  double u = width / 1280.0;

  cairo_scale (cr, u, u);
  height = (int) ceil (height / u);

  /* Evening sky and sun. */
  pattern = cairo_pattern_create_linear (0, 0, 0, height * 0.7);
  cairo_pattern_add_color_stop_rgb (pattern, 0, 0.16, 0.33, 0.66);
  cairo_pattern_add_color_stop_rgb (pattern, 0.6, 0.56, 0.60, 0.82);
  cairo_pattern_add_color_stop_rgb (pattern, 1, 0.98, 0.74, 0.55);
  cairo_set_source (cr, pattern);
  cairo_paint (cr);
  cairo_pattern_destroy (pattern);

  pattern = cairo_pattern_create_radial (930, 300, 20, 930, 300, 200);
  cairo_pattern_add_color_stop_rgba (pattern, 0, 1, 0.95, 0.7, 1);
  cairo_pattern_add_color_stop_rgba (pattern, 0.35, 1, 0.82, 0.45, 0.9);
  cairo_pattern_add_color_stop_rgba (pattern, 1, 1, 0.7, 0.4, 0);
  cairo_set_source (cr, pattern);
  cairo_arc (cr, 930, 300, 200, 0, 2 * M_PI);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);
  cairo_arc (cr, 930, 300, 62, 0, 2 * M_PI);
  outline_fill (cr, 1, 0.88, 0.42, 4);

  /* @t moves the clouds for the demo clip; 0 is the still demo frame. */
  cloud (cr, 120 + 240 * t, 130, 1.2);
  cloud (cr, 560 - 160 * t, 90, 0.8);
  cloud (cr, 1020 + 120 * t, 150, 1.0);

  /* Mountains, flat-shaded with a lit and a shaded face. */
  cairo_move_to (cr, -20, 520);
  cairo_line_to (cr, 260, 250);
  cairo_line_to (cr, 420, 390);
  cairo_line_to (cr, 600, 220);
  cairo_line_to (cr, 900, 470);
  cairo_line_to (cr, 1300, 330);
  cairo_line_to (cr, 1300, 560);
  cairo_line_to (cr, -20, 560);
  cairo_close_path (cr);
  outline_fill (cr, 0.42, 0.40, 0.62, 4);
  cairo_move_to (cr, 260, 250);
  cairo_line_to (cr, 330, 520);
  cairo_line_to (cr, 420, 390);
  cairo_close_path (cr);
  cairo_move_to (cr, 600, 220);
  cairo_line_to (cr, 700, 520);
  cairo_line_to (cr, 900, 470);
  cairo_close_path (cr);
  cairo_set_source_rgb (cr, 0.32, 0.30, 0.50);
  cairo_fill (cr);
  cairo_move_to (cr, 600, 220);
  cairo_line_to (cr, 560, 258);
  cairo_line_to (cr, 590, 270);
  cairo_line_to (cr, 620, 250);
  cairo_line_to (cr, 650, 266);
  cairo_close_path (cr);
  outline_fill (cr, 0.97, 0.97, 1.0, 3);

  /* Meadow with fine grass hatching. */
  pattern = cairo_pattern_create_linear (0, 500, 0, height);
  cairo_pattern_add_color_stop_rgb (pattern, 0, 0.46, 0.74, 0.33);
  cairo_pattern_add_color_stop_rgb (pattern, 1, 0.20, 0.50, 0.24);
  cairo_set_source (cr, pattern);
  cairo_move_to (cr, -20, 560);
  cairo_curve_to (cr, 300, 500, 800, 600, 1300, 520);
  cairo_line_to (cr, 1300, height + 20);
  cairo_line_to (cr, -20, height + 20);
  cairo_close_path (cr);
  cairo_fill_preserve (cr);
  cairo_pattern_destroy (pattern);
  cairo_set_source_rgb (cr, 0.13, 0.12, 0.18);
  cairo_set_line_width (cr, 4);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, 0.12, 0.36, 0.16, 0.9);
  cairo_set_line_width (cr, 1.5);
  for (int i = 0; i < 160; i++)
    {
      double x = fmod (i * 97.3, 1280);
      double y = 600 + fmod (i * 41.7, height - 610);

      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + 4, y - 14);
      cairo_move_to (cr, x + 6, y);
      cairo_line_to (cr, x + 6, y - 12);
    }
  cairo_stroke (cr);

  /* A little house with a tiled roof and window panes. */
  cairo_rectangle (cr, 150, 500, 220, 150);
  outline_fill (cr, 0.95, 0.90, 0.78, 4);
  cairo_move_to (cr, 130, 505);
  cairo_line_to (cr, 260, 410);
  cairo_line_to (cr, 390, 505);
  cairo_close_path (cr);
  outline_fill (cr, 0.78, 0.25, 0.22, 4);
  cairo_set_source_rgb (cr, 0.55, 0.15, 0.14);
  cairo_set_line_width (cr, 1.5);
  for (int i = 1; i < 8; i++)
    {
      cairo_move_to (cr, 130 + i * 9.5, 505 - i * 7);
      cairo_line_to (cr, 390 - i * 9.5, 505 - i * 7);
    }
  cairo_stroke (cr);
  for (int i = 0; i < 2; i++)
    {
      double wx = 180 + i * 110;

      cairo_rectangle (cr, wx, 535, 60, 50);
      outline_fill (cr, 0.98, 0.86, 0.45, 3);
      cairo_move_to (cr, wx + 30, 535);
      cairo_line_to (cr, wx + 30, 585);
      cairo_move_to (cr, wx, 560);
      cairo_line_to (cr, wx + 60, 560);
      cairo_stroke (cr);
    }
  cairo_rectangle (cr, 245, 595, 40, 55);
  outline_fill (cr, 0.45, 0.28, 0.18, 3);

  /* A test card: fine checkerboard and line pairs, where blocking shows. */
  cairo_rectangle (cr, 880, 560, 300, 120);
  outline_fill (cr, 1, 1, 1, 4);
  for (int y = 0; y < 10; y++)
    for (int x = 0; x < 12; x++)
      if ((x + y) % 2 == 0)
        cairo_rectangle (cr, 890 + x * 6, 570 + y * 6, 6, 6);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_fill (cr);
  for (int i = 0; i < 24; i++)
    {
      double w = 1 + (i / 8);
      cairo_rectangle (cr, 970 + i * (w * 2 + 1) * 1.0, 570, w, 60);
    }
  cairo_fill (cr);
  pattern = cairo_pattern_create_linear (890, 0, 1170, 0);
  cairo_pattern_add_color_stop_rgb (pattern, 0, 0.9, 0.1, 0.2);
  cairo_pattern_add_color_stop_rgb (pattern, 0.5, 0.1, 0.7, 0.3);
  cairo_pattern_add_color_stop_rgb (pattern, 1, 0.1, 0.3, 0.9);
  cairo_set_source (cr, pattern);
  cairo_rectangle (cr, 890, 640, 280, 30);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);

  /* Title with an outline, and small print. */
  layout = pango_cairo_create_layout (cr);
  font = pango_font_description_from_string ("Sans Bold 64px");
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, "SVD Studio", -1);
  cairo_move_to (cr, 470, 560);
  pango_cairo_layout_path (cr, layout);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0.13, 0.12, 0.18);
  cairo_set_line_width (cr, 3);
  cairo_stroke (cr);
  pango_font_description_free (font);

  font = pango_font_description_from_string ("Sans 15px");
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, "demo frame · 0123456789 · the quick brown fox", -1);
  cairo_move_to (cr, 470, 650);
  cairo_set_source_rgb (cr, 1, 1, 1);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

/**
 * svd_demo_draw_reference:
 * @width: frame width
 * @height: frame height
 * @error: return location for an error
 *
 * Draws the demo scene. Safe to call from any thread.
 *
 * Returns: (transfer full): an opaque RGBA8 frame, or %NULL on error
 */
SvdImage *
svd_demo_draw_reference (int      width,
                         int      height,
                         GError **error)
{
  return svd_demo_draw_reference_at (width, height, 0, error);
}

/**
 * svd_demo_draw_reference_at:
 * @width: frame width
 * @height: frame height
 * @t: animation time, 0 to 1
 * @error: return location for an error
 *
 * Draws the demo scene at time @t. Safe to call from any thread.
 *
 * Returns: (transfer full): an opaque RGBA8 frame, or %NULL on error
 */
SvdImage *
svd_demo_draw_reference_at (int      width,
                            int      height,
                            double   t,
                            GError **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  SvdImage *image;
  const guint8 *pixels;
  int stride;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   _("Could not create a %d×%d drawing surface: %s"), width, height,
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }

  cr = cairo_create (surface);
  draw_scene (cr, width, height, t);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  image = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, width, height, error);
  if (image == NULL)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }

  /* Cairo's RGB24 is a native-endian 0xXXRRGGBB word per pixel. */
  pixels = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *src = (const guint32 *) (pixels + (gsize) y * stride);
      guint8 *dst = image->data[0] + (gsize) y * image->stride[0];

      for (int x = 0; x < width; x++)
        {
          dst[x * 4 + 0] = (src[x] >> 16) & 0xff;
          dst[x * 4 + 1] = (src[x] >> 8) & 0xff;
          dst[x * 4 + 2] = src[x] & 0xff;
          dst[x * 4 + 3] = 255;
        }
    }
  cairo_surface_destroy (surface);
  image->frame_index = 0;

  return image;
}

/**
 * svd_demo_degrade:
 * @reference: an RGBA8 frame
 * @factor: downscale factor (2 halves each side)
 * @error: return location for an error
 *
 * Imitates a low-bitrate, low-resolution encode: box downscale by @factor,
 * then in every 8x8 block keep the block mean but only half of the detail,
 * quantized to steps of 24, which gives the soft, blocky look of starved
 * DCT coefficients.
 *
 * Returns: (transfer full): the degraded, smaller frame, or %NULL
 */
SvdImage *
svd_demo_degrade (const SvdImage *reference,
                  int             factor,
                  GError        **error)
{
  int w = reference->width / factor, h = reference->height / factor;
  SvdImage *small = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, w, h, error);

  if (small == NULL)
    return NULL;

  for (int y = 0; y < h; y++)
    {
      guint8 *dst = small->data[0] + (gsize) y * small->stride[0];

      for (int x = 0; x < w; x++)
        for (int c = 0; c < 4; c++)
          {
            int sum = 0;

            for (int j = 0; j < factor; j++)
              for (int i = 0; i < factor; i++)
                sum += reference->data[0][(gsize) (y * factor + j) * reference->stride[0] + (x * factor + i) * 4 + c];
            dst[x * 4 + c] = (guint8) (sum / (factor * factor));
          }
    }

  for (int by = 0; by < h; by += 8)
    for (int bx = 0; bx < w; bx += 8)
      for (int c = 0; c < 3; c++)
        {
          int bw = MIN (8, w - bx), bh = MIN (8, h - by);
          double mean = 0;

          for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
              mean += small->data[0][(gsize) (by + y) * small->stride[0] + (bx + x) * 4 + c];
          mean /= bw * bh;

          for (int y = 0; y < bh; y++)
            for (int x = 0; x < bw; x++)
              {
                guint8 *p = &small->data[0][(gsize) (by + y) * small->stride[0] + (bx + x) * 4 + c];
                double detail = (*p - mean) * 0.5;

                *p = (guint8) CLAMP (lround (mean + round (detail / 24) * 24), 0, 255);
              }
        }

  return small;
}

typedef struct {
  int width;
  int height;
} RenderJob;

static void
render_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RenderJob *job = task_data;
  g_autoptr(SvdDemoFrames) frames = g_new0 (SvdDemoFrames, 1);
  g_autoptr(SvdImage) stretched = NULL;
  g_autoptr(SvdImage) ssim_map = NULL;
  g_autoptr(SvdImage) diff_map = NULL;
  SvdMetricsFrame metrics;
  GError *error = NULL;

  frames->reference = svd_demo_draw_reference (job->width, job->height, &error);
  if (frames->reference == NULL || g_task_return_error_if_cancelled (task))
    goto fail;
  frames->source = svd_demo_degrade (frames->reference, 2, &error);
  if (frames->source == NULL || g_task_return_error_if_cancelled (task))
    goto fail;
  stretched = svd_heatmap_resize_bilinear (frames->source, job->width, job->height, &error);
  if (stretched == NULL || g_task_return_error_if_cancelled (task))
    goto fail;
  /* The session's overlays: the metrics' Gaussian SSIM map and difference
   * (here on the CPU reference), coloured by the heat map. */
  if (!svd_metrics_compute (frames->reference, stretched, NULL, &metrics, &ssim_map, &diff_map, &error) ||
      g_task_return_error_if_cancelled (task))
    goto fail;
  frames->mean_ssim = metrics.ssim_y;
  frames->difference = g_steal_pointer (&diff_map);
  frames->ssim = svd_heatmap_ssim (ssim_map, frames->reference, &error);
  if (frames->ssim == NULL)
    goto fail;

  g_task_return_pointer (task, g_steal_pointer (&frames), (GDestroyNotify) svd_demo_frames_free);
  return;

fail:
  if (error != NULL)
    g_task_return_error (task, error);
}

/**
 * svd_demo_render_async:
 * @width: frame width
 * @height: frame height
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: for @callback
 *
 * Draws and degrades the demo frame and computes its overlays on a worker
 * thread.
 */
void
svd_demo_render_async (int                  width,
                       int                  height,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RenderJob *job = g_new0 (RenderJob, 1);

  job->width = width;
  job->height = height;
  g_task_set_source_tag (task, svd_demo_render_async);
  g_task_set_task_data (task, job, g_free);
  g_task_run_in_thread (task, render_thread);
}

/**
 * svd_demo_render_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full): the demo frames, or %NULL on error
 */
SvdDemoFrames *
svd_demo_render_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Bump when the drawing changes, so an old cached clip is not reused. */
#define DEMO_CLIP_VERSION 1

static void
clip_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const int *size = task_data;  /* width, height, frames */
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "svd-studio", "demo", NULL);
  g_autofree char *name = g_strdup_printf ("demo-%dx%d-%d-v%d.mp4", size[0], size[1], size[2], DEMO_CLIP_VERSION);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(SvdWriter) writer = NULL;
  SvdWriterOptions wo;
  GError *error = NULL;

  /* Made once per user; the writer renames a complete file into place, so
   * an existing one is always whole. */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_task_return_pointer (task, g_steal_pointer (&path), g_free);
      return;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not create %s: %s"), dir, g_strerror (saved));
      return;
    }
  svd_writer_options_init (&wo);
  wo.encoder = "libx264";
  wo.crf = 16;        /* the clean reference: nearly lossless */
  wo.preset = "veryfast";
  wo.pix_fmt = "yuv420p";
  wo.fps_num = 24;
  wo.fps_den = 1;
  wo.frames_total = size[2];
  wo.cancellable = cancellable;
  writer = svd_writer_new (path, &wo, &error);
  if (writer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (int i = 0; i < size[2]; i++)
    {
      g_autoptr(SvdImage) frame = svd_demo_draw_reference_at (size[0], size[1], (double) i / size[2], &error);

      if (frame == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      frame->pts = (gint64) i * G_USEC_PER_SEC / 24;
      frame->frame_index = i;
      if (g_task_return_error_if_cancelled (task))
        return;
      if (!svd_writer_write (writer, frame, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (!svd_writer_finish (writer, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

/**
 * svd_demo_clip_async:
 * @width: frame width
 * @height: frame height
 * @n_frames: clip length
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: for @callback
 *
 * Draws the animated demo scene into an H.264 clip in the user cache
 * folder, on a worker thread, or finds the one made before.
 */
void
svd_demo_clip_async (int                  width,
                     int                  height,
                     int                  n_frames,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  int *size = g_new (int, 3);

  size[0] = width;
  size[1] = height;
  size[2] = n_frames;
  g_task_set_source_tag (task, svd_demo_clip_async);
  g_task_set_task_data (task, size, g_free);
  g_task_run_in_thread (task, clip_thread);
}

/**
 * svd_demo_clip_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full): the clip's path, or %NULL on error
 */
char *
svd_demo_clip_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
