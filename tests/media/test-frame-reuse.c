/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-frame-reuse"

#include <math.h>
#include <string.h>

#include "svd-test-utils.h"
#include "session/svd-frame-reuse.h"

/* SvdFrameReuse, which lets a restore skip the chain for a repeated frame:
 * only an input equal in every visible byte of every plane (and in its
 * format, size and colour tags) reuses the kept output; the bytes past a
 * row (a decoder's padding) do not count; a similar input is reused only
 * above the threshold, and the largest deviation is the lowest PSNR-Y. */

/* A 16x8 YUV 4:2:0 frame with a pattern, in rows @pad bytes longer than
 * needed (padding filled with @pad_byte). */
static SvdImage *
make_frame (int    pad,
            guint8 pad_byte)
{
  g_autoptr(GError) error = NULL;
  int w = 16, h = 8;
  guint8 *planes[3];
  gsize stride[3];
  guint8 *block;
  gsize total = 0, off[3];
  SvdImage *image;

  for (int p = 0; p < 3; p++)
    {
      int pw = p == 0 ? w : w / 2, ph = p == 0 ? h : h / 2;

      stride[p] = (gsize) (pw + pad);
      off[p] = total;
      total += stride[p] * ph;
    }
  block = g_malloc (total);
  memset (block, pad_byte, total);
  for (int p = 0; p < 3; p++)
    {
      int pw = p == 0 ? w : w / 2, ph = p == 0 ? h : h / 2;

      planes[p] = block + off[p];
      for (int y = 0; y < ph; y++)
        for (int x = 0; x < pw; x++)
          planes[p][y * stride[p] + x] = (guint8) (16 + (x * 7 + y * 13 + p * 50) % 200);
    }
  image = svd_image_new_for_data (SVD_PIXEL_FORMAT_YUV420P8, w, h, planes, stride, g_free, block, &error);
  g_assert_no_error (error);
  svd_color_info_init_default (&image->color, image->format, h);
  image->pts = 0;
  image->frame_index = 0;
  return image;
}

/* A stand-in for a chain output: any image works, reuse never reads it. */
static SvdImage *
make_output (void)
{
  g_autoptr(GError) error = NULL;
  SvdImage *out = svd_image_new (SVD_PIXEL_FORMAT_YUV420P8, 32, 16, &error);

  g_assert_no_error (error);
  return out;
}

static SvdImage *
lookup (SvdFrameReuse *reuse,
        SvdImage      *input)
{
  g_autoptr(GError) error = NULL;
  SvdImage *out = NULL;

  g_assert_true (svd_frame_reuse_lookup (reuse, input, &out, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_exact (void)
{
  g_autoptr(SvdFrameReuse) reuse = svd_frame_reuse_new (0);
  g_autoptr(SvdImage) first = make_frame (0, 0);
  g_autoptr(SvdImage) output = make_output ();
  g_autoptr(SvdImage) same = make_frame (5, 0xAA);
  g_autoptr(SvdImage) chroma = make_frame (0, 0);
  g_autoptr(SvdImage) tagged = make_frame (0, 0);
  g_autoptr(SvdImage) got = NULL;

  g_assert_null (lookup (reuse, first));   /* nothing kept yet */
  svd_frame_reuse_store (reuse, first, output);

  /* Equal pixels in rows with other padding: reused, with the new frame's
   * timestamp and index and the kept output's pixels. */
  same->pts = 41666;
  same->frame_index = 1;
  g_assert_cmpuint (svd_image_hash_planes (same), ==, svd_image_hash_planes (first));
  got = lookup (reuse, same);
  g_assert_nonnull (got);
  g_assert_true (got->data[0] == output->data[0]);
  g_assert_cmpint (got->pts, ==, 41666);
  g_assert_cmpint (got->frame_index, ==, 1);
  g_assert_cmpint (got->width, ==, 32);

  /* One chroma byte differs: run the chain. */
  chroma->data[2][3 * chroma->stride[2] + 5] ^= 1;
  g_assert_null (lookup (reuse, chroma));

  /* Same bytes, other colour tags (the conversion would differ). */
  tagged->color.range = tagged->color.range == SVD_COLOR_RANGE_FULL ? SVD_COLOR_RANGE_LIMITED : SVD_COLOR_RANGE_FULL;
  g_assert_null (lookup (reuse, tagged));

  g_assert_cmpint (svd_frame_reuse_get_n_reused (reuse), ==, 1);
  g_assert_cmpint (svd_frame_reuse_get_n_similar (reuse), ==, 0);
  g_assert_true (isinf (svd_frame_reuse_get_worst_psnr (reuse)));
}

static void
test_similar (void)
{
  g_autoptr(SvdFrameReuse) exact = svd_frame_reuse_new (0);
  g_autoptr(SvdFrameReuse) reuse = svd_frame_reuse_new (40);
  g_autoptr(SvdImage) first = make_frame (0, 0);
  g_autoptr(SvdImage) output = make_output ();
  g_autoptr(SvdImage) near = make_frame (0, 0);
  g_autoptr(SvdImage) nearer = make_frame (0, 0);
  g_autoptr(SvdImage) far = make_frame (0, 0);
  g_autoptr(SvdImage) a = NULL, b = NULL;
  double expected;

  svd_frame_reuse_store (exact, first, output);
  svd_frame_reuse_store (reuse, first, output);
  /* 2 of 128 luma samples off by 1 and 1 by 2: MSE 6/128. */
  near->data[0][0] += 1;
  near->data[0][17] += 1;
  near->data[0][40] += 2;
  expected = 10 * log10 (255.0 * 255.0 * 128 / 6);
  g_assert_cmpfloat_with_epsilon (svd_image_psnr_y (near, first), expected, 1e-9);
  g_assert_true (isinf (svd_image_psnr_y (first, first)));
  nearer->data[0][3] += 1;
  for (int i = 0; i < 128; i++)
    far->data[0][(i / 16) * far->stride[0] + i % 16] += 20;

  g_assert_null (lookup (exact, near));       /* identical only */
  a = lookup (reuse, near);
  b = lookup (reuse, nearer);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_null (lookup (reuse, far));        /* 22.1 dB: below 40 */
  g_assert_cmpint (svd_frame_reuse_get_n_reused (reuse), ==, 2);
  g_assert_cmpint (svd_frame_reuse_get_n_similar (reuse), ==, 2);
  /* The largest deviation is the lower PSNR of the two. */
  g_assert_cmpfloat_with_epsilon (svd_frame_reuse_get_worst_psnr (reuse), expected, 1e-9);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame-reuse/exact", test_exact);
  g_test_add_func ("/frame-reuse/similar", test_similar);
  return g_test_run ();
}
