/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-test"

#include "svd-test-utils.h"

#include <stdio.h>
#include <stdlib.h>

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
      printf ("1..0 # SKIP ../shared is missing (looked in %s); the real models, clips and "
              "references live there\n", svd_test_shared_dir ());
      exit (SVD_TEST_SKIP);
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
      printf ("1..0 # SKIP no OpenCL device at all (install pocl-opencl-icd)\n");
      exit (SVD_TEST_SKIP);
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
