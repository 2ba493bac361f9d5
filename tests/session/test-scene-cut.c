/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The scene-cut detector and the chunk splitter that plan chunked
 * restores (issue #25), on pictures made here: a cut between two shots
 * is found, a fade and a pan are not, and the chunks are exact ranges
 * that start at the cuts where the length rules allow. */
#include <math.h>
#include <string.h>

#include "session/svd-scene-cut.h"

/* A 128x72 YUV 4:2:0 picture. Shot 0 is a horizontal ramp, shot 1 a
 * vertical one the other way; @phase moves the picture sideways
 * (wrapping round, as a pan), @gain and @offset set its brightness. */
static SvdImage *
picture (int    shot,
         int    phase,
         double gain,
         int    offset)
{
  SvdImage *img = svd_image_new (SVD_PIXEL_FORMAT_YUV420P8, 128, 72, NULL);

  for (int y = 0; y < img->height; y++)
    for (int x = 0; x < img->width; x++)
      {
        int xs = (x + phase) % img->width;
        double v = shot == 0 ? 30 + 180.0 * xs / img->width : 220 - 180.0 * y / img->height;

        v += ((xs / 3 + y / 3) % 2) * 8;   /* a little texture */
        img->data[0][y * img->stride[0] + x] = (guint8) CLAMP (v * gain + offset, 0, 255);
      }
  for (int p = 1; p < 3; p++)
    for (int y = 0; y < img->plane_height[p]; y++)
      memset (img->data[p] + y * img->stride[p], 128, img->plane_width[p]);
  return img;
}

static gboolean
push (SvdSceneCut *d,
      SvdImage    *img)
{
  gboolean cut = svd_scene_cut_push (d, img, NULL);

  svd_image_unref (img);
  return cut;
}

static void
test_cut_found (void)
{
  g_autoptr(SvdSceneCut) d = svd_scene_cut_new (NULL);
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Two shots, each panning slowly. */
  for (gint64 i = 0; i < 60; i++)
    {
      gboolean cut = push (d, picture (i < 30 ? 0 : 1, (int) i, 1.0, 0));

      if (cut)
        g_array_append_val (cuts, i);
    }
  g_assert_cmpuint (cuts->len, ==, 1);
  g_assert_cmpint (g_array_index (cuts, gint64, 0), ==, 30);
}

static void
test_fade_and_pan_are_no_cut (void)
{
  g_autoptr(SvdSceneCut) d = svd_scene_cut_new (NULL);

  /* A fade in from black over 20 frames, then a fast pan. */
  for (int i = 0; i < 20; i++)
    g_assert_false (push (d, picture (0, 0, (i + 1) / 20.0, 0)));
  for (int i = 0; i < 40; i++)
    g_assert_false (push (d, picture (0, i * 2, 1.0, 0)));
}

static void
test_min_gap (void)
{
  SvdSceneCutOptions o;
  g_autoptr(SvdSceneCut) d = NULL;
  int n = 0;

  svd_scene_cut_options_init (&o);
  o.min_gap = 10;
  d = svd_scene_cut_new (&o);
  /* A strobe: the shot changes every 3 frames; at most one cut per 10. */
  for (int i = 0; i < 30; i++)
    n += push (d, picture ((i / 3) % 2, 0, 1.0, 0));
  g_assert_cmpint (n, >=, 1);
  g_assert_cmpint (n, <=, 3);
}

static GArray *
split (gint64        n,
       const gint64 *cuts,
       guint         n_cuts,
       gint64        max,
       gint64        min)
{
  g_autoptr(GArray) c = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_array_append_vals (c, cuts, n_cuts);
  return svd_scene_cut_split (n, c, max, min);
}

static void
assert_starts (GArray       *starts,
               const gint64 *expect,
               guint         n)
{
  g_assert_cmpuint (starts->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (starts, gint64, i), ==, expect[i]);
  g_array_unref (starts);
}

static void
test_split (void)
{
  /* No cuts: every 30 frames. */
  assert_starts (split (300, NULL, 0, 30, 7), (gint64[]) { 0, 30, 60, 90, 120, 150, 180, 210, 240, 270 }, 10);
  /* A remainder is spread evenly, never a tiny last chunk. */
  assert_starts (split (100, NULL, 0, 30, 7), (gint64[]) { 0, 25, 50, 75 }, 4);
  /* Cuts start chunks; a long scene is split evenly. */
  assert_starts (split (200, (gint64[]) { 40, 100 }, 2, 60, 15), (gint64[]) { 0, 40, 100, 150 }, 4);
  /* A cut too close to the last boundary or the end is skipped. */
  assert_starts (split (120, (gint64[]) { 5, 50, 115 }, 3, 60, 15), (gint64[]) { 0, 50, 85 }, 3);
  /* A clip shorter than a chunk: one chunk. */
  assert_starts (split (10, NULL, 0, 30, 7), (gint64[]) { 0 }, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scene-cut/cut-found", test_cut_found);
  g_test_add_func ("/scene-cut/fade-and-pan", test_fade_and_pan_are_no_cut);
  g_test_add_func ("/scene-cut/min-gap", test_min_gap);
  g_test_add_func ("/scene-cut/split", test_split);
  return g_test_run ();
}
