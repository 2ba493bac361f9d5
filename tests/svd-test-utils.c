/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-test"

#include "svd-test-utils.h"
#include "export/svd-glsl.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *
svd_test_shared_dir (void)
{
  const char *dir = g_getenv ("SVD_SHARED_DIR");

  return dir != NULL ? dir : "../shared";
}

char *
svd_test_shared_path (const char *first,
                      ...)
{
  va_list args;
  GString *path = g_string_new (svd_test_shared_dir ());
  const char *part = first;

  va_start (args, first);
  while (part != NULL)
    {
      g_string_append_c (path, G_DIR_SEPARATOR);
      g_string_append (path, part);
      part = va_arg (args, const char *);
    }
  va_end (args);
  return g_string_free (path, FALSE);
}

/**
 * svd_test_skip_all:
 * @reason: why
 *
 * Skips the whole test program with a clear message. Run on its own it exits
 * 77, the GNU "skipped" status. Under meson's TAP protocol (test_env sets
 * SVD_TEST_PROTOCOL=tap) it prints the TAP skip plan and exits 0, because
 * meson 1.0 reports any non-zero exit of a TAP test as an error.
 */
void
svd_test_skip_all (const char *reason)
{
  printf ("1..0 # SKIP %s\n", reason);
  fflush (stdout);
  exit (g_strcmp0 (g_getenv ("SVD_TEST_PROTOCOL"), "tap") == 0 ? 0 : SVD_TEST_SKIP);
}

/**
 * svd_test_require_shared:
 *
 * Exits with status 77 (skip) when ../shared is missing, saying so: tests
 * read real models, clips and references from there and never ship them.
 */
void
svd_test_require_shared (void)
{
  g_autofree char *models = svd_test_shared_path ("models", NULL);

  if (!g_file_test (models, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *reason = g_strdup_printf ("../shared is missing (looked in %s); the real "
                                                 "models, clips and references live there",
                                                 svd_test_shared_dir ());
      svd_test_skip_all (reason);
    }
}

/**
 * svd_test_cl_context:
 *
 * Returns: (transfer full): a context on the device SVD_DEVICE names (or the
 *   default choice); exits 77 only when no OpenCL device exists at all
 */
SvdClContext *
svd_test_cl_context (void)
{
  g_auto(SvdSettings) settings;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = svd_cl_list_devices (&error);
  SvdClContext *context;

  svd_settings_init (&settings);
  svd_settings_apply_env (&settings);
  if (devices == NULL || devices->len == 0)
    {
      svd_test_skip_all ("no OpenCL device at all (install pocl-opencl-icd)");
    }
  context = svd_cl_context_new (&settings, &error);
  g_assert_no_error (error);
  return context;
}

/* A small xorshift generator: tests must be reproducible across runs. */
void
svd_test_fill_random_rgb (SvdImage *image,
                          guint32   seed)
{
  guint32 s = seed ? seed : 1;

  g_assert_cmpint (image->format, ==, SVD_PIXEL_FORMAT_RGB_F32);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < image->height; y++)
      {
        float *row = (float *) (image->data[c] + y * image->stride[c]);

        for (int x = 0; x < image->width; x++)
          {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            /* Spill a little outside [0, 1] to exercise clamping. */
            row[x] = (s / 4294967296.0f) * 1.2f - 0.1f;
          }
      }
}

/**
 * svd_test_load_npy:
 * @path: a `.npy` file: format 1.0, little-endian float32 ('<f4'), C order,
 *   shape (1, 3, H, W) or (3, H, W)
 * @error: return location for an error
 *
 * Reads the reference arrays in ../shared/reference (see its README).
 *
 * Returns: (transfer full) (nullable): the array as an rgbf32 image
 */
SvdImage *
svd_test_load_npy (const char  *path,
                   GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  guint16 hlen;
  g_autofree char *header = NULL;
  const char *shape;
  long dims[4] = { 0 };
  int nd = 0;
  const char *p;
  SvdImage *img;
  const float *data;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len < 10 || memcmp (contents, "\x93NUMPY", 6) != 0 || contents[6] != 1)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s is not a version 1 .npy file", path);
      return NULL;
    }
  hlen = (guint8) contents[8] | ((guint8) contents[9] << 8);
  if (10u + hlen > len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s: header runs past the end", path);
      return NULL;
    }
  header = g_strndup (contents + 10, hlen);
  if (strstr (header, "'descr': '<f4'") == NULL || strstr (header, "'fortran_order': False") == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED, "%s: only C-order <f4 arrays are read: %s", path, header);
      return NULL;
    }
  shape = strstr (header, "'shape': (");
  if (shape == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s: no shape", path);
      return NULL;
    }
  p = shape + strlen ("'shape': (");
  while (*p != ')' && *p != '\0' && nd < 4)
    {
      char *end;

      dims[nd++] = strtol (p, &end, 10);
      p = end;
      while (*p == ',' || *p == ' ')
        p++;
    }
  if (nd == 4 && dims[0] == 1)
    {
      dims[0] = dims[1];
      dims[1] = dims[2];
      dims[2] = dims[3];
      nd = 3;
    }
  if (nd != 3 || dims[0] != 3 || dims[1] < 1 || dims[2] < 1 ||
      10u + hlen + (gsize) 3 * dims[1] * dims[2] * 4 != len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "%s: unexpected shape or size: %s", path, header);
      return NULL;
    }
  img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, (int) dims[2], (int) dims[1], error);
  if (img == NULL)
    return NULL;
  data = (const float *) (contents + 10 + hlen);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < img->height; y++)
      memcpy (img->data[c] + y * img->stride[c], data + ((gsize) c * img->height + y) * img->width,
              (gsize) img->width * sizeof (float));
  return img;
}

/**
 * svd_test_max_abs_diff:
 * @a: an rgbf32 image
 * @b: an rgbf32 image of the same size
 *
 * Returns: the largest absolute difference of any sample, or +inf if the
 *   sizes differ or a sample is NaN
 */
double
svd_test_max_abs_diff (const SvdImage *a,
                       const SvdImage *b)
{
  double worst = 0.0;

  if (a->format != SVD_PIXEL_FORMAT_RGB_F32 || b->format != SVD_PIXEL_FORMAT_RGB_F32 ||
      a->width != b->width || a->height != b->height)
    return INFINITY;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < a->height; y++)
      {
        const float *ra = (const float *) (a->data[c] + y * a->stride[c]);
        const float *rb = (const float *) (b->data[c] + y * b->stride[c]);

        for (int x = 0; x < a->width; x++)
          {
            double d = fabs ((double) ra[x] - rb[x]);

            if (isnan (d))
              return INFINITY;
            worst = MAX (worst, d);
          }
      }
  return worst;
}

/**
 * svd_test_load_shared_model:
 * @dir: a folder of ../shared/models ("seed", "other", "variants")
 * @file: the model file in it
 *
 * Returns: (transfer full): the model; the test fails if it does not load
 */
SvdModel *
svd_test_load_shared_model (const char *dir,
                            const char *file)
{
  g_autofree char *path = svd_test_shared_path ("models", dir, file, NULL);
  g_autoptr(GError) error = NULL;
  SvdModel *m = svd_model_load (path, &error);

  g_assert_no_error (error);
  return m;
}

/**
 * svd_test_glsl_compile:
 * @shader: an mpv hook shader (every pass)
 * @dir: a scratch folder
 * @n_passes: (out): the passes checked
 *
 * Compiles each pass of @shader, wrapped as libplacebo wraps it, with
 * glslangValidator; a pass that does not compile fails the test.
 *
 * Returns: %FALSE when glslangValidator is missing (nothing was checked)
 */
gboolean
svd_test_glsl_compile (const char *shader,
                       const char *dir,
                       guint      *n_passes)
{
  g_autoptr(GPtrArray) passes = svd_glsl_split_passes (shader);
  g_autofree char *validator = g_find_program_in_path ("glslangValidator");

  if (validator == NULL)
    return FALSE;
  *n_passes = passes->len;
  for (guint i = 0; i < passes->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *wrapped = svd_glsl_wrap_pass (passes->pdata[i], &error);
      g_autofree char *path = g_strdup_printf ("%s/pass%u.frag", dir, i);
      g_autofree char *out = NULL;
      char *argv[] = { validator, path, NULL };
      int status = 0;

      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (path, wrapped, -1, NULL));
      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("pass %u does not compile:\n%s", i, out);
      g_unlink (path);
    }
  return TRUE;
}

/**
 * svd_test_remove_tree:
 * @path: a file or a folder a test made
 *
 * Removes @path, and everything under it when it is a folder.
 */
void
svd_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          svd_test_remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

/* Returns ffmpeg's standard output, or NULL (saying why in the test log)
 * when it failed. */
static char *
run_ffmpeg (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
    {
      g_test_message ("ffmpeg could not run: %s", error->message);
      return NULL;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("ffmpeg failed: %s", err);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * svd_test_require_ffmpeg_cli:
 *
 * Skips the whole test program when the ffmpeg program is missing.
 */
void
svd_test_require_ffmpeg_cli (void)
{
  g_autofree char *ffmpeg = g_find_program_in_path ("ffmpeg");

  if (ffmpeg == NULL)
    svd_test_skip_all ("ffmpeg is not installed; it makes the clip and reads its packets");
}

/**
 * svd_test_make_tone_clip:
 * @path: the MP4 to write
 * @width: @height: its size
 * @n_frames: its frames, at 25 fps
 *
 * Makes a small clip with ffmpeg: lavfi's testsrc as H.264 and a 440 Hz
 * sine as AAC, so tests of audio stream copy need no ../shared.
 */
void
svd_test_make_tone_clip (const char *path,
                         int         width,
                         int         height,
                         int         n_frames)
{
  g_autofree char *size = g_strdup_printf ("testsrc=size=%dx%d:rate=25", width, height);
  g_autofree char *frames = g_strdup_printf ("%d", n_frames);
  g_autofree char *seconds = g_strdup_printf ("%.2f", n_frames / 25.0);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y",
                         "-f", "lavfi", "-i", size,
                         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                         "-frames:v", frames, "-t", seconds, "-c:v", "libx264", "-preset", "ultrafast",
                         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", path, NULL };
  g_autofree char *out = run_ffmpeg (argv);

  g_assert_nonnull (out);
}

/**
 * svd_test_audio_packets:
 * @path: a media file
 *
 * Reads the packets of the first audio stream with `ffmpeg -c copy -f
 * framemd5`, keeping each packet's size and MD5 (the timestamps' time base
 * and the side data that may follow depend on the container).
 *
 * Returns: (transfer full): one "size,md5" string per packet; empty when
 *   the file has no audio stream
 */
GStrv
svd_test_audio_packets (const char *path)
{
  const char *argv[] = { "ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-c", "copy",
                         "-f", "framemd5", "-", NULL };
  g_autofree char *text = run_ffmpeg (argv);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr(GStrvBuilder) packets = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *packet = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], ",", -1);
      g_assert_cmpuint (g_strv_length (fields), >=, 6);
      packet = g_strdup_printf ("%s,%s", g_strstrip (fields[4]), g_strstrip (fields[5]));
      g_strv_builder_add (packets, packet);
    }
  return g_strv_builder_end (packets);
}

/**
 * svd_test_assert_same_audio:
 * @source: the file the audio came from
 * @copy: a file that should carry it unchanged
 *
 * Asserts that @copy's first audio stream has @source's packets, as many
 * and byte for byte (a stream copy), and that there are some.
 */
void
svd_test_assert_same_audio (const char *source,
                            const char *copy)
{
  g_auto(GStrv) want = svd_test_audio_packets (source);
  g_auto(GStrv) got = svd_test_audio_packets (copy);

  g_test_message ("audio packets: %u in %s, %u in %s", g_strv_length (want), source, g_strv_length (got), copy);
  g_assert_cmpuint (g_strv_length (want), >, 5);
  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (want));
  for (guint i = 0; want[i] != NULL; i++)
    g_assert_cmpstr (got[i], ==, want[i]);
}

/* Sets a chain of @models only (what most engine tests run). */
gboolean
svd_test_engine_set_models (SvdEngine       *engine,
                            SvdModel *const *models,
                            guint            n_models,
                            GError         **error)
{
  g_autoptr(SvdChain) chain = svd_chain_new_from_models (NULL, models, n_models, error);

  return chain != NULL && svd_engine_set_chain (engine, chain, error);
}
