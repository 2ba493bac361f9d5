/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The metric ground truth of ../shared/reference/metrics: pairs.txt lists
 * the pairs, expected.json their values. Shared by the metrics tests. */
#pragma once

#include "svd-test-utils.h"

#include <json-glib/json-glib.h>

typedef struct {
  char   *reference;
  char   *distorted;
  int     width;
  int     height;
  double  psnr_rgb;
  double  psnr_y;
  double  ssim_y;
  double  dists_full;
  double  dists_short256;
} ExpectedPair;

static inline void
expected_pair_free (gpointer data)
{
  ExpectedPair *p = data;

  g_free (p->reference);
  g_free (p->distorted);
  g_free (p);
}

/* Every pair of pairs.txt with its values from expected.json. A pair in
 * pairs.txt without values (or the reverse) fails the test: the two files
 * must agree. */
static inline GPtrArray *
expected_pairs_load (void)
{
  g_autofree char *pairs_path = svd_test_shared_path ("reference", "metrics", "pairs.txt", NULL);
  g_autofree char *json_path = svd_test_shared_path ("reference", "metrics", "expected.json", NULL);
  g_autofree char *pairs_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (expected_pair_free);
  JsonArray *array;

  g_assert_true (g_file_get_contents (pairs_path, &pairs_text, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));

  lines = g_strsplit (pairs_text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) parts = NULL;
      ExpectedPair *pair = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      parts = g_strsplit_set (lines[i], " \t", -1);
      g_assert_cmpuint (g_strv_length (parts), ==, 2);
      for (guint j = 0; j < json_array_get_length (array); j++)
        {
          JsonObject *o = json_array_get_object_element (array, j);

          if (g_strcmp0 (json_object_get_string_member (o, "reference"), parts[0]) == 0 &&
              g_strcmp0 (json_object_get_string_member (o, "distorted"), parts[1]) == 0)
            {
              pair = g_new0 (ExpectedPair, 1);
              pair->reference = g_strdup (parts[0]);
              pair->distorted = g_strdup (parts[1]);
              pair->width = json_object_get_int_member (o, "width");
              pair->height = json_object_get_int_member (o, "height");
              pair->psnr_rgb = json_object_get_double_member (o, "psnr_rgb");
              pair->psnr_y = json_object_get_double_member (o, "psnr_y");
              pair->ssim_y = json_object_get_double_member (o, "ssim_y");
              pair->dists_full = json_object_get_double_member (o, "dists_full_random_vgg");
              pair->dists_short256 = json_object_get_double_member (o, "dists_short256_random_vgg");
            }
        }
      if (pair == NULL)
        g_error ("pairs.txt lists %s %s but expected.json has no values for it", parts[0], parts[1]);
      g_ptr_array_add (out, pair);
    }
  g_assert_cmpuint (out->len, ==, json_array_get_length (array));
  return out;
}

static inline SvdImage *
expected_load_image (const char     *name,
                     SvdPixelFormat  format)
{
  g_autofree char *path = svd_test_shared_path ("reference", "metrics", name, NULL);
  g_autoptr(GError) error = NULL;
  SvdImage *image = svd_png_load_as (path, format, NULL, &error);

  g_assert_no_error (error);
  return image;
}
