/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-decode"

/* Decode speed of the reader (frames/s to SvdImage YUV, no pixel copy)
 * and exact-seek latency, on the shared clips. A benchmark, not a test:
 * `meson test --benchmark --suite media` or run it directly.
 * Prints wall-clock fps and CPU seconds per frame (the latter is less
 * disturbed by a busy machine). */

#include "media-test-utils.h"

#include <stdio.h>
#include <time.h>

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int    argc,
      char **argv)
{
  int threads = argc > 1 ? atoi (argv[1]) : 0;

  svd_test_require_shared ();
  printf ("# decoder threads: %d (0 = auto, %u cores)\n", threads, g_get_num_processors ());
  for (int c = 0; media_test_clips[c] != NULL; c++)
    {
      g_autofree char *path = media_test_clip_path (media_test_clips[c]);
      g_autoptr(GError) error = NULL;
      SvdReaderOptions ro;
      g_autoptr(SvdReader) reader = NULL;
      gint64 t0, n = 0;
      double c0, wall, cpu, open_s;
      SvdImage *image = NULL;

      svd_reader_options_init (&ro);
      ro.threads = threads;
      t0 = g_get_monotonic_time ();
      reader = svd_reader_open (path, &ro, &error);
      g_assert_no_error (error);
      open_s = (g_get_monotonic_time () - t0) / 1e6;

      t0 = g_get_monotonic_time ();
      c0 = cpu_now ();
      while (svd_reader_read (reader, &image, &error) && image != NULL)
        {
          svd_image_unref (image);
          n++;
        }
      wall = (g_get_monotonic_time () - t0) / 1e6;
      cpu = cpu_now () - c0;
      printf ("%-32s %4dx%-4d %5" G_GINT64_FORMAT " frames: open+index %.3f s, decode %.1f fps wall, "
              "%.2f ms CPU/frame\n", media_test_clips[c], svd_reader_get_info (reader)->width,
              svd_reader_get_info (reader)->height, n, open_s, n / wall, cpu * 1000 / n);

      /* Random exact seeks. */
      {
        GRand *rand = g_rand_new_with_seed (42);
        int seeks = 10;

        t0 = g_get_monotonic_time ();
        for (int i = 0; i < seeks; i++)
          {
            g_autoptr(SvdImage) f = svd_reader_seek_frame (reader, g_rand_int_range (rand, 0, (gint32) n), &error);
            g_assert_no_error (error);
          }
        printf ("%-32s exact seek: %.1f ms average over %d random frames\n", "",
                (g_get_monotonic_time () - t0) / 1e3 / seeks, seeks);
        g_rand_free (rand);
      }
    }
  return 0;
}
