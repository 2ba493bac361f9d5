/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-difference-levels"

#include "svd-config.h"

#include <math.h>
#include <glib/gstdio.h>

#include "svd-application.h"
#include "svd-viewer-private.h"
#include "svd-window-private.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #24: the Difference view at ×1 and ×2 showed no difference above
 * 64 of 255 levels (the session drew the overlay at ×4 in 8 bits and the
 * viewer scaled it down). A pair made here differs by about 200 levels
 * everywhere: at ×1 the picture shows that difference, at ×2 it is
 * white, and the loupe's pixel says the same. */

static SvdWindow *the_window;
static char *tmp_dir;

static void
make_solid_clip (const char *path,
                 const char *colour,
                 int         width,
                 int         height)
{
  g_autofree char *source = g_strdup_printf ("color=c=%s:size=%dx%d:rate=25", colour, width, height);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "3",
                         "-c:v", "ffv1", "-pix_fmt", "yuv444p", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
difference_shown (gpointer data)
{
  SvdViewer *viewer = data;

  return viewer->overlays[SVD_VIEWER_OVERLAY_DIFFERENCE][SVD_VIEWER_SLOT_CHAIN_1].texture != NULL
         && !svd_window_is_busy (the_window) && svd_viewer_get_settled (viewer);
}

static gboolean
chain_shown (gpointer data)
{
  return svd_viewer_has_image (data, SVD_VIEWER_SLOT_CHAIN_1) && !svd_window_is_busy (the_window);
}

/* The viewer's pixel at its centre, as drawn (grey: one channel). */
static int
centre_level (SvdViewer *viewer)
{
  g_autoptr(GdkTexture) texture = svd_gui_test_render (GTK_WIDGET (viewer));
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guint8 *px = g_malloc ((gsize) w * h * 4);
  const guint8 *p;

  gdk_texture_download (texture, px, (gsize) w * 4);
  p = px + ((gsize) (h / 2) * w + w / 2) * 4;
  return p[1];
}

static void
script (SvdApplication *app)
{
  g_autofree char *ref = g_build_filename (tmp_dir, "reference.mkv", NULL);
  g_autofree char *in = g_build_filename (tmp_dir, "input.mkv", NULL);
  const char *chain[] = { "bicubic:2", NULL };
  SvdSessionSetup setup = { 0 };
  SvdViewer *viewer;
  SvdImage *reference, *output;
  int expected, level;
  guint8 rgb[3];
  graphene_point_t c;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  viewer = svd_window_get_viewer (the_window);
  /* Grey 230 against grey 30, the input at half size for bicubic:2. */
  make_solid_clip (ref, "0xE6E6E6", 96, 64);
  make_solid_clip (in, "0x1E1E1E", 48, 32);
  setup.mode = SVD_REFERENCE_PAIR;
  setup.input_path = in;
  setup.reference_path = ref;
  gtk_window_set_default_size (GTK_WINDOW (the_window), 1100, 720);
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (the_window, 0, chain);
  svd_gui_test_wait_until (chain_shown, viewer);
  svd_viewer_set_view_mode (viewer, SVD_VIEW_MODE_DIFFERENCE);
  svd_gui_test_wait_until (difference_shown, viewer);
  g_assert_cmpint (svd_viewer_get_view_mode (viewer), ==, SVD_VIEW_MODE_DIFFERENCE);

  /* The difference the two shown pictures have, at the centre. */
  reference = svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_REFERENCE);
  output = svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1);
  g_assert_nonnull (reference);
  g_assert_nonnull (output);
  {
    const guint8 *a = reference->data[0] + reference->stride[0] * (gsize) (reference->height / 2)
                      + (gsize) (reference->width / 2) * 4;
    const guint8 *b = output->data[0] + output->stride[0] * (gsize) (output->height / 2)
                      + (gsize) (output->width / 2) * 4;

    expected = abs ((int) a[1] - (int) b[1]);
  }
  g_test_message ("reference − chain 1 at the centre: %d levels", expected);
  g_assert_cmpint (expected, >=, 150);

  svd_viewer_content_to_widget (viewer, reference->width / 2 + 0.5, reference->height / 2 + 0.5, &c);
  for (int gain = 1; gain <= 8; gain *= 2)
    {
      int want = MIN (255, expected * gain);
      g_autofree char *shot = g_strdup_printf ("difference-x%d", gain);

      svd_viewer_set_amplification (viewer, gain);
      svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
      svd_gui_test_wait_until (difference_shown, viewer);
      level = centre_level (viewer);
      g_assert_true (svd_viewer_pick (viewer, c.x, c.y, NULL, NULL, NULL, rgb));
      g_test_message ("×%d: drawn %d, loupe %u, expected %d", gain, level, rgb[1], want);
      g_assert_cmpint (abs (level - want), <=, 2);
      g_assert_cmpint (abs ((int) rgb[1] - want), <=, 2);
      if (gain == 1)
        g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), shot));
    }
  svd_viewer_set_amplification (viewer, 4);
  g_unlink (ref);
  g_unlink (in);
}

static void
test_difference_levels (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("svd-difference-XXXXXX", &error);
  g_assert_no_error (error);
  svd_gui_test_run_app (script);
  g_assert_cmpint (g_rmdir (tmp_dir), ==, 0);
  g_clear_pointer (&tmp_dir, g_free);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_ffmpeg_cli ();

  g_test_add_func ("/gui/viewer/difference-levels", test_difference_levels);

  return g_test_run ();
}
