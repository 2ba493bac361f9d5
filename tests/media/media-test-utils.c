/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-media-test"

#include "media-test-utils.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

const char *const media_test_clips[] = {
  "bbb_720p_5s_h264_aac.mp4",
  "bbb_720p_30s_vp8_vorbis.webm",
  "bbb_360p_10s_hevc_aac.mp4",
  "sintel_480p_5s_h264_mp3.mp4",
  NULL
};

/* ffmpeg and ffprobe serve as the independent oracle: a real tool, not
 * our own code reading the same files. */
void
media_test_require_ffmpeg (void)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autofree char *ffprobe = g_find_program_in_path ("ffprobe");

  svd_test_require_shared ();
  if (ffmpeg == NULL || ffprobe == NULL)
    {
      printf ("1..0 # SKIP the ffmpeg and ffprobe programs are needed as the test oracle "
              "(apt-get install ffmpeg)\n");
      exit (SVD_TEST_SKIP);
    }
}

char *
media_test_clip_path (const char *name)
{
  return svd_test_shared_path ("clips", name, NULL);
}

/* A folder of our own under the build dir, per test program. */
const char *
media_test_work_dir (void)
{
  static char *dir = NULL;

  if (dir == NULL)
    {
      const char *root = g_getenv ("SVD_BUILD_ROOT");
      g_autofree char *base = g_path_get_basename (g_get_prgname ());
      g_autofree char *name = g_strdup_printf ("media-work-%s", base);

      dir = g_build_filename (root ? root : g_get_tmp_dir (), "tests", name, NULL);
      g_mkdir_with_parents (dir, 0755);
    }
  return dir;
}

char *
media_test_work_path (const char *name)
{
  return g_build_filename (media_test_work_dir (), name, NULL);
}

static char *
run_argv (GPtrArray  *args,
          GError    **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_ptr_array_add (args, NULL);
  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_EXIT_ERROR, 1, "%s failed: %s",
                   (char *) args->pdata[0], err ? err : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* Runs a program; returns its stdout, or NULL with @error set when it
 * failed (non-zero exit). */
char *
media_test_run (GError    **error,
                const char *first,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  return run_argv (args, error);
}

/* Runs ffmpeg (quiet, overwriting) and fails the test if it fails. */
void
media_test_ffmpeg (const char *first,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "ffmpeg");
  g_ptr_array_add (args, (gpointer) "-nostdin");
  g_ptr_array_add (args, (gpointer) "-v");
  g_ptr_array_add (args, (gpointer) "error");
  g_ptr_array_add (args, (gpointer) "-y");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  out = run_argv (args, &error);
  g_assert_no_error (error);
}

/* The meaningful bytes of every plane, row by row (no stride padding). */
GBytes *
media_test_image_bytes (const SvdImage *image)
{
  GByteArray *b = g_byte_array_new ();

  for (int p = 0; p < image->n_planes; p++)
    {
      gsize row = svd_image_get_row_bytes (image, p);

      for (int y = 0; y < image->plane_height[p]; y++)
        g_byte_array_append (b, image->data[p] + y * image->stride[p], row);
    }
  return g_byte_array_free_to_bytes (b);
}

char *
media_test_image_digest (const SvdImage *image)
{
  g_autoptr(GBytes) bytes = media_test_image_bytes (image);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, bytes);
}

/* Frame @index of @path as ffmpeg decodes it, as raw @pix_fmt bytes. */
GBytes *
media_test_ffmpeg_raw_frame (const char *path,
                             gint64      index,
                             const char *pix_fmt)
{
  g_autofree char *raw = NULL;
  g_autofree char *name = g_strdup_printf ("raw-%" G_GINT64_FORMAT "-%d.bin", index, (int) getpid ());
  g_autofree char *select = g_strdup_printf ("select=eq(n\\,%" G_GINT64_FORMAT ")", index);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  raw = media_test_work_path (name);
  media_test_ffmpeg ("-i", path, "-map", "0:v:0", "-vf", select, "-frames:v", "1",
                     "-pix_fmt", pix_fmt, "-f", "rawvideo", raw, NULL);
  g_file_get_contents (raw, &contents, &len, &error);
  g_assert_no_error (error);
  g_unlink (raw);
  return g_bytes_new_take (contents, len);
}

/* Decoded frames' timestamps as ffprobe reports them, in presentation
 * order, in the stream time base. */
GArray *
media_test_ffprobe_frame_pts (const char *path,
                              int        *tb_num,
                              int        *tb_den)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tb = media_test_ffprobe_value (path, "v:0", "stream=time_base");
  g_autofree char *out = media_test_run (&error, "ffprobe", "-v", "error", "-select_streams", "v:0",
                                         "-show_entries", "frame=best_effort_timestamp",
                                         "-of", "csv=p=0", path, NULL);
  g_auto(GStrv) lines = NULL;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_no_error (error);
  g_assert_true (sscanf (tb, "%d/%d", tb_num, tb_den) == 2);
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        {
          gint64 v = g_ascii_strtoll (lines[i], NULL, 10);
          g_array_append_val (pts, v);
        }
    }
  return pts;
}

/* One value from ffprobe: e.g. select "v:0", entries "stream=width". */
char *
media_test_ffprobe_value (const char *path,
                          const char *select,
                          const char *entries)
{
  g_autoptr(GError) error = NULL;
  char *out = media_test_run (&error, "ffprobe", "-v", "error", "-select_streams", select,
                              "-show_entries", entries, "-of", "default=nw=1:nk=1", path, NULL);

  g_assert_no_error (error);
  g_strstrip (out);
  /* Side data and several streams give several lines; keep the first. */
  if (strchr (out, '\n') != NULL)
    *strchr (out, '\n') = '\0';
  return out;
}
