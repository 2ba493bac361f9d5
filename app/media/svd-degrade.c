/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-degrade"

#include "svd-degrade.h"
#include "svd-reader.h"
#include "svd-media-compat.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

/* Bump when the degrade recipe changes, so old cache files are not reused. */
#define DEGRADE_RECIPE "svd-degrade-1"

static const char *const filter_names[] = {
  [SVD_SCALE_FILTER_AREA] = "area",
  [SVD_SCALE_FILTER_BILINEAR] = "bilinear",
  [SVD_SCALE_FILTER_BICUBIC] = "bicubic",
  [SVD_SCALE_FILTER_LANCZOS] = "lanczos",
  [SVD_SCALE_FILTER_NEAREST] = "nearest",
};

void
svd_degrade_params_init (SvdDegradeParams *params)
{
  memset (params, 0, sizeof *params);
  params->scale = 2;
  params->filter = SVD_SCALE_FILTER_BICUBIC;
  params->crf = 34;
  params->preset = NULL;
  params->keep_audio = TRUE;
}

gboolean
svd_scale_filter_from_name (const char     *name,
                            SvdScaleFilter *filter)
{
  for (gsize i = 0; i < G_N_ELEMENTS (filter_names); i++)
    {
      if (g_ascii_strcasecmp (name, filter_names[i]) == 0)
        {
          *filter = (SvdScaleFilter) i;
          return TRUE;
        }
    }
  if (g_ascii_strcasecmp (name, "point") == 0)
    {
      *filter = SVD_SCALE_FILTER_NEAREST;
      return TRUE;
    }
  return FALSE;
}

const char *
svd_scale_filter_name (SvdScaleFilter filter)
{
  if ((int) filter < 0 || (gsize) filter >= G_N_ELEMENTS (filter_names))
    return "unknown";
  return filter_names[filter];
}

static int
sws_flags_for (SvdScaleFilter filter)
{
  switch (filter)
    {
    case SVD_SCALE_FILTER_AREA: return SWS_AREA;
    case SVD_SCALE_FILTER_BILINEAR: return SWS_BILINEAR;
    case SVD_SCALE_FILTER_LANCZOS: return SWS_LANCZOS;
    case SVD_SCALE_FILTER_NEAREST: return SWS_POINT;
    case SVD_SCALE_FILTER_BICUBIC:
    default: return SWS_BICUBIC;
    }
}

gboolean
svd_degrade_params_check (const SvdDegradeParams  *params,
                          GError                 **error)
{
  if (params->scale != 1 && params->scale != 2 && params->scale != 4)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Scale %d is not supported: use 1, 2 or 4", params->scale);
      return FALSE;
    }
  if (params->crf < 10 || params->crf > 51)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "CRF %d is outside 10 to 51", params->crf);
      return FALSE;
    }
  if ((int) params->filter < 0 || (gsize) params->filter >= G_N_ELEMENTS (filter_names))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "Unknown scaling filter %d", params->filter);
      return FALSE;
    }
  return TRUE;
}

/**
 * svd_degrade_clip:
 * @clean_path: the clean clip
 * @out_path: where to write the degraded clip (container from the extension)
 * @params: scale, filter, CRF, preset
 * @progress: (nullable): progress callback
 * @progress_data: its data
 * @cancellable: (nullable): cancels between frames; nothing is left behind
 * @error: return location for an error
 *
 * Makes the degraded input the way the seed project built its dataset:
 * each frame is shrunk by @params->scale with the chosen swscale filter
 * (to floor(W / scale) x floor(H / scale)) and re-encoded with libx264 at
 * @params->crf. Timestamps are kept, so frame N of the result pairs with
 * frame N of the clean clip. 4:2:0 needs even sizes; an odd result size is
 * encoded as 4:4:4 instead so the pairing stays exact.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_degrade_clip (const char              *clean_path,
                  const char              *out_path,
                  const SvdDegradeParams  *params,
                  SvdWriterProgressFunc    progress,
                  gpointer                 progress_data,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(SvdSwsContext) sws = NULL;
  const SvdVideoInfo *info;
  SvdWriterOptions wo;
  SvdPixelFormat out_format;
  const SvdPixelFormatInfo *fi;
  int w, h;

  if (!svd_degrade_params_check (params, error))
    return FALSE;
  reader = svd_reader_open (clean_path, NULL, error);
  if (reader == NULL)
    return FALSE;
  info = svd_reader_get_info (reader);
  w = info->width / params->scale;
  h = info->height / params->scale;
  if (w < 2 || h < 2)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” (%dx%d) is too small to shrink by %d", clean_path, info->width, info->height, params->scale);
      return FALSE;
    }
  fi = svd_pixel_format_get_info (info->format);
  out_format = fi->bit_depth > 8 ? SVD_PIXEL_FORMAT_YUV420P10 : SVD_PIXEL_FORMAT_YUV420P8;
  if ((w & 1) || (h & 1))
    out_format = fi->bit_depth > 8 ? SVD_PIXEL_FORMAT_YUV444P10 : SVD_PIXEL_FORMAT_YUV444P8;

  svd_writer_options_init_for_video (&wo, info);
  wo.encoder = "libx264";
  wo.crf = params->crf;
  wo.preset = params->preset ? params->preset : "medium";
  if (!params->keep_audio)
    wo.copy_from = NULL;
  wo.progress = progress;
  wo.progress_data = progress_data;
  wo.cancellable = cancellable;
  writer = svd_writer_new (out_path, &wo, error);
  if (writer == NULL)
    return FALSE;

  for (;;)
    {
      g_autoptr(SvdImage) frame = NULL;
      g_autoptr(SvdImage) small = NULL;
      uint8_t *dst[4] = { NULL };
      int dst_stride[4] = { 0 };
      const uint8_t *src[4] = { NULL };
      int src_stride[4] = { 0 };
      int cs;

      if (!svd_reader_read (reader, &frame, error))
        return FALSE;
      if (frame == NULL)
        break;
      small = svd_image_new (out_format, w, h, error);
      if (small == NULL)
        return FALSE;
      sws = sws_getCachedContext (sws, frame->width, frame->height, svd_pixel_format_to_av (frame->format),
                                  w, h, svd_pixel_format_to_av (out_format),
                                  sws_flags_for (params->filter) | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                  NULL, NULL, NULL);
      if (sws == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "Cannot scale %dx%d to %dx%d",
                       frame->width, frame->height, w, h);
          return FALSE;
        }
      /* Same matrix and range on both sides: only the size changes. */
      cs = frame->color.matrix == SVD_COLOR_MATRIX_BT709 ? SWS_CS_ITU709 :
           frame->color.matrix == SVD_COLOR_MATRIX_BT2020_NCL ? SWS_CS_BT2020 : SWS_CS_ITU601;
      sws_setColorspaceDetails (sws, sws_getCoefficients (cs), frame->color.range == SVD_COLOR_RANGE_FULL,
                                sws_getCoefficients (cs), frame->color.range == SVD_COLOR_RANGE_FULL,
                                0, 1 << 16, 1 << 16);
      for (int p = 0; p < 3; p++)
        {
          src[p] = frame->data[p];
          src_stride[p] = (int) frame->stride[p];
          dst[p] = small->data[p];
          dst_stride[p] = (int) small->stride[p];
        }
      sws_scale (sws, src, src_stride, 0, frame->height, dst, dst_stride);
      small->color = frame->color;
      small->pts = frame->pts;
      small->frame_index = frame->frame_index;
      if (!svd_writer_write (writer, small, error))
        return FALSE;
    }
  return svd_writer_finish (writer, error);
}

/**
 * svd_degrade_cache_path:
 *
 * Returns: (transfer full) (nullable): where svd_degrade_cached() keeps the
 *   degraded version of @clean_path: under the user cache dir, named by a
 *   hash of the clean file's path, size and modification time and of
 *   @params, so a changed source or recipe never reuses a stale file.
 */
char *
svd_degrade_cache_path (const char              *clean_path,
                        const SvdDegradeParams  *params,
                        GError                 **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (clean_path);
  g_autoptr(GFileInfo) finfo = NULL;
  g_autofree char *abs = g_file_get_path (file);
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;

  if (!svd_degrade_params_check (params, error))
    return NULL;
  finfo = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                             G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (finfo == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "“%s” does not exist or cannot be read", clean_path);
      return NULL;
    }
  key = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT "\n%" G_GUINT64_FORMAT ".%u\n%d\n%s\n%d\n%s\n%d",
                         DEGRADE_RECIPE, abs, (gint64) g_file_info_get_size (finfo),
                         g_file_info_get_attribute_uint64 (finfo, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                         g_file_info_get_attribute_uint32 (finfo, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC),
                         params->scale, svd_scale_filter_name (params->filter), params->crf,
                         params->preset ? params->preset : "medium", params->keep_audio);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  dir = g_build_filename (g_get_user_cache_dir (), "svd-studio", "degraded", NULL);
  name = g_strdup_printf ("%.32s-x%d-%s-crf%d.mp4", hash, params->scale,
                          svd_scale_filter_name (params->filter), params->crf);
  return g_build_filename (dir, name, NULL);
}

/**
 * svd_degrade_cached:
 *
 * Like svd_degrade_clip() into svd_degrade_cache_path(), but reuses the
 * file when it exists. The writer's temp-and-rename makes a concurrent or
 * interrupted run harmless: the cache only ever holds complete files.
 *
 * Returns: (transfer full) (nullable): the degraded clip's path
 */
char *
svd_degrade_cached (const char              *clean_path,
                    const SvdDegradeParams  *params,
                    SvdWriterProgressFunc    progress,
                    gpointer                 progress_data,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  g_autofree char *path = svd_degrade_cache_path (clean_path, params, error);
  g_autofree char *dir = NULL;

  if (path == NULL)
    return NULL;
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create the cache folder “%s”: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  if (!svd_degrade_clip (clean_path, path, params, progress, progress_data, cancellable, error))
    return NULL;
  return g_steal_pointer (&path);
}
