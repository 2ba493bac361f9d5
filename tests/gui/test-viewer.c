/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-viewer"

#include "svd-config.h"

#include <math.h>

#include "svd-application.h"
#include "svd-demo.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"

/* Drives the comparison viewer of the real window, on the built-in demo the
 * app opens with: every view mode through the window's actions, the slot
 * keys' actions, the wipe divider, zoom with nearest-neighbour
 * magnification, and stale-frame rejection. Saves a screenshot per mode. */

typedef struct {
  SvdApplication *app;
  gboolean        done;
} Fixture;

typedef struct {
  guint8 *data;
  int     width;
  int     height;
  gsize   stride;
} Pixels;

static void
pixels_clear (Pixels *p)
{
  g_clear_pointer (&p->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pixels, pixels_clear)

static gboolean
viewer_settled (gpointer data)
{
  return svd_viewer_get_settled (data);
}

static void
render_pixels (GtkWidget *widget,
               Pixels    *out)
{
  g_autoptr(GdkTexture) texture = NULL;

  /* A magnified view's nearest-neighbour tile comes from a thread and
   * replaces the linear picture when it lands: compare final pictures. */
  if (SVD_IS_VIEWER (widget))
    svd_gui_test_wait_until (viewer_settled, widget);
  svd_gui_test_wait_frames (widget, 2);
  texture = svd_gui_test_render (widget);
  out->width = gdk_texture_get_width (texture);
  out->height = gdk_texture_get_height (texture);
  out->stride = (gsize) out->width * 4;
  out->data = g_malloc (out->stride * out->height);
  gdk_texture_download (texture, out->data, out->stride);
}

/* Mean absolute difference per channel over a rectangle of two renders. */
static double
region_diff (const Pixels *a,
             const Pixels *b,
             int x0, int y0, int x1, int y1)
{
  double sum = 0;
  gsize n = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      for (int c = 0; c < 3; c++, n++)
        sum += abs (a->data[y * a->stride + x * 4 + c] - b->data[y * b->stride + x * 4 + c]);

  return sum / MAX (n, 1);
}

/* Largest difference of one channel over a rectangle of two renders. */
static int
region_max_diff (const Pixels *a,
                 const Pixels *b,
                 int x0, int y0, int x1, int y1)
{
  int max = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      for (int c = 0; c < 3; c++)
        max = MAX (max, abs (a->data[y * a->stride + x * 4 + c] - b->data[y * b->stride + x * 4 + c]));

  return max;
}

static double
region_mean (const Pixels *a,
             int x0, int y0, int x1, int y1)
{
  double sum = 0;
  gsize n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      for (int c = 0; c < 3; c++, n++)
        sum += a->data[y * a->stride + x * 4 + c];

  return sum / MAX (n, 1);
}

static gboolean
demo_loaded (gpointer data)
{
  SvdViewer *viewer = data;

  return svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_REFERENCE)
         && svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_SOURCE);
}

static gboolean
magnified (gpointer data)
{
  return svd_viewer_get_magnified (data);
}

static gboolean
demo_gone (gpointer data)
{
  return !svd_viewer_has_image (data, SVD_VIEWER_SLOT_REFERENCE);
}

static gboolean
clip_shown (gpointer data)
{
  return svd_viewer_has_image (data, SVD_VIEWER_SLOT_SOURCE);
}

static gint64 want_frame;

/* want_frame -2: any frame past 100 (the last one, for the clamp test). */
static gboolean
frame_shown (gpointer data)
{
  gint64 shown = svd_window_get_shown_frame (data);

  return want_frame == -2 ? shown > 100 : shown == want_frame;
}

static double
image_diff (const SvdImage *a,
            const SvdImage *b)
{
  double sum = 0;

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width * 4; x++)
      sum += abs (a->data[0][y * a->stride[0] + x] - b->data[0][y * b->stride[0] + x]);

  return sum / ((double) a->width * a->height * 4);
}

static void
shoot_clip (GtkWidget *window)
{
  g_autofree char *path = NULL;
  g_autoptr(GdkTexture) png = NULL;
  guint n_colors = 0;

  svd_gui_test_wait_frames (window, 3);
  path = svd_gui_test_save_screenshot (window, "viewer-clip");
  png = gdk_texture_new_from_filename (path, NULL);
  g_assert_nonnull (png);
  /* A decoded video frame has thousands of colours; a blank view a few. */
  g_assert_cmpfloat (svd_gui_test_texture_stddev (png, &n_colors), >, 4.0);
  g_assert_cmpuint (n_colors, >, 1000);
}

static void
set_mode (GtkWidget  *window,
          const char *nick)
{
  g_assert_true (gtk_widget_activate_action (window, "win.view-mode", "s", nick));
}

static void
check_slider (SvdViewer *viewer)
{
  GtkWidget *widget = GTK_WIDGET (viewer);
  g_auto(Pixels) all_right = { 0 };
  g_auto(Pixels) all_left = { 0 };
  g_auto(Pixels) half = { 0 };
  int w, h, band0, band1;
  double left_vs_left, left_vs_right, right_vs_right, right_vs_left;
  int left_max, right_max;

  /* Divider at 0: only the right image (the reference); at 1: only the
   * left one (the source); at 0.5: left half source, right half reference. */
  svd_viewer_set_divider (viewer, 0.0);
  render_pixels (widget, &all_right);
  svd_viewer_set_divider (viewer, 1.0);
  render_pixels (widget, &all_left);
  svd_viewer_set_divider (viewer, 0.5);
  render_pixels (widget, &half);

  w = half.width;
  h = half.height;
  /* A band below the name labels and clear of the divider's knob. */
  band0 = h / 8 + 40;
  band1 = h / 2 - 30;
  left_vs_left = region_diff (&half, &all_left, 20, band0, w / 2 - 20, band1);
  left_vs_right = region_diff (&half, &all_right, 20, band0, w / 2 - 20, band1);
  right_vs_right = region_diff (&half, &all_right, w / 2 + 20, band0, w - 20, band1);
  right_vs_left = region_diff (&half, &all_left, w / 2 + 20, band0, w - 20, band1);
  g_test_message ("slider: left half vs source %.2f, vs reference %.2f; right half vs reference %.2f, vs source %.2f",
                  left_vs_left, left_vs_right, right_vs_right, right_vs_left);
  g_assert_cmpfloat (left_vs_left, <, 0.5);
  g_assert_cmpfloat (right_vs_right, <, 0.5);
  /* Each half draws only its part of the image (plus a texel of margin
   * for the filter): the same pixels as the whole image, right up to the
   * divider's line (x = w / 2 ± 2). */
  left_max = region_max_diff (&half, &all_left, 0, band0, w / 2 - 3, band1);
  right_max = region_max_diff (&half, &all_right, w / 2 + 3, band0, w, band1);
  g_test_message ("slider: largest difference from the whole image: left %d, right %d", left_max, right_max);
  g_assert_cmpint (left_max, <=, 1);
  g_assert_cmpint (right_max, <=, 1);
  /* The degraded source really differs from the reference. */
  g_assert_cmpfloat (left_vs_right, >, 2.0);
  g_assert_cmpfloat (right_vs_left, >, 2.0);
}

/* Fraction of the pixels in the middle of the view (away from the labels)
 * whose colour occurs in @image. Nearest-neighbour magnification only
 * repeats pixels; linear filtering invents blends along every edge. */
static double
colours_from_image (const Pixels   *p,
                    const SvdImage *image)
{
  g_autoptr(GHashTable) colours = g_hash_table_new (NULL, NULL);
  gsize found = 0, n = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        const guint8 *q = image->data[0] + y * image->stride[0] + x * 4;
        g_hash_table_add (colours, GUINT_TO_POINTER (1 + (q[0] << 16 | q[1] << 8 | q[2])));
      }

  /* Downloaded textures are B, G, R, A in memory. */
  for (int y = p->height / 8; y < p->height * 7 / 8; y++)
    for (int x = p->width / 8; x < p->width * 7 / 8; x++, n++)
      {
        const guint8 *q = p->data + y * p->stride + x * 4;
        if (g_hash_table_contains (colours, GUINT_TO_POINTER (1 + (q[2] << 16 | q[1] << 8 | q[0]))))
          found++;
      }

  return (double) found / MAX (n, 1);
}

static gboolean
none_chain_ready (gpointer data)
{
  const char *text = svd_window_get_readout (SVD_WINDOW (data), 0);

  return text != NULL && strstr (text, "no metrics without a reference") != NULL;
}

static gboolean
run_script_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (fx->app)));
  SvdViewer *viewer;
  GSettings *settings = svd_application_get_settings (fx->app);
  static const char *modes[] = { "slider", "side-by-side", "toggle", "difference", "ssim" };
  double mean_luma[G_N_ELEMENTS (modes)];
  g_auto(Pixels) nearest = { 0 };
  g_autoptr(SvdImage) stale = NULL;
  g_autoptr(SvdImage) reference = NULL;
  guint64 serial;
  double found;
  g_autofree char *clip = NULL;

  g_assert_true (SVD_IS_WINDOW (window));
  viewer = svd_window_get_viewer (SVD_WINDOW (window));
  svd_gui_test_wait_until (demo_loaded, viewer);
  svd_gui_test_wait_frames (window, 3);

  /* Every mode, through the window's stateful action (the mode buttons). */
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *name = g_strdup_printf ("viewer-%s", modes[i]);
      g_autofree char *path = NULL;
      g_autofree char *saved = NULL;
      g_auto(Pixels) px = { 0 };

      set_mode (window, modes[i]);
      g_assert_cmpint (svd_viewer_get_view_mode (viewer), ==, i);
      saved = g_settings_get_string (settings, "view-mode");
      g_assert_cmpstr (saved, ==, modes[i]);

      svd_gui_test_wait_frames (window, 3);
      path = svd_gui_test_save_screenshot (window, name);
      render_pixels (GTK_WIDGET (viewer), &px);
      mean_luma[i] = region_mean (&px, 0, px.height / 8, px.width, px.height * 7 / 8);
      g_test_message ("%s: mean %.1f", modes[i], mean_luma[i]);
    }
  /* The difference of a decent encode is mostly black; the scene is not. */
  g_assert_cmpfloat (mean_luma[3], <, mean_luma[0] / 3);
  g_assert_cmpfloat (fabs (mean_luma[4] - mean_luma[3]), >, 1.0);

  /* Toggle keys (R, S, 1–4) as actions: no chain yet, so 1 is refused. */
  set_mode (window, "toggle");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.select", "i", SVD_VIEWER_SLOT_REFERENCE));
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_REFERENCE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.select", "i", SVD_VIEWER_SLOT_SOURCE));
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_SOURCE);
  g_assert_false (svd_viewer_select_slot (viewer, SVD_VIEWER_SLOT_CHAIN_1));
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_SOURCE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (viewer), "viewer.mode", "i", -1));
  g_assert_cmpint (svd_viewer_get_view_mode (viewer), ==, SVD_VIEW_MODE_DIFFERENCE);

  set_mode (window, "slider");
  check_slider (viewer);
  svd_gui_test_assert_opaque (window);
  svd_viewer_set_divider (viewer, 0.35);
  svd_gui_test_wait_frames (window, 2);
  g_free (svd_gui_test_save_screenshot (window, "viewer-slider-divider"));

  /* Zoom: 1:1 and fit through the window's actions, then 800 % on the
   * half-size source (16 screen pixels per source pixel). */
  g_assert_true (gtk_widget_activate_action (window, "win.zoom-original", NULL));
  g_assert_cmpfloat (svd_viewer_get_zoom (viewer), ==, 1.0);
  g_assert_true (gtk_widget_activate_action (window, "win.zoom-in", NULL));
  g_assert_cmpfloat (svd_viewer_get_zoom (viewer), >, 1.0);
  g_assert_true (gtk_widget_activate_action (window, "win.zoom-fit", NULL));
  g_assert_cmpfloat (svd_viewer_get_zoom (viewer), ==, 0);

  /* 800 % on the reference's title and test card: edges everywhere. */
  set_mode (window, "toggle");
  g_assert_true (svd_viewer_select_slot (viewer, SVD_VIEWER_SLOT_REFERENCE));
  svd_viewer_set_zoom (viewer, 8.0);
  svd_viewer_set_center (viewer, 700, 610);
  svd_gui_test_wait_until (magnified, viewer);
  render_pixels (GTK_WIDGET (viewer), &nearest);
  reference = svd_demo_draw_reference (1280, 720, NULL);
  g_assert_nonnull (reference);
  found = colours_from_image (&nearest, reference);
  g_test_message ("800 %%: %.4f of the shown pixels have a colour of the image", found);
  g_assert_cmpfloat (found, >, 0.99);
  g_free (svd_gui_test_save_screenshot (window, "viewer-zoom-800"));

  /* Panning keeps the zoom and moves the view; a small pan reuses the
   * tile's margin, a large one gets a new tile. */
  svd_viewer_pan (viewer, -2000, 0);
  svd_gui_test_wait_until (magnified, viewer);
  g_assert_cmpfloat (svd_viewer_get_zoom (viewer), ==, 8.0);
  g_assert_true (svd_viewer_select_slot (viewer, SVD_VIEWER_SLOT_SOURCE));

  set_mode (window, "side-by-side");
  svd_viewer_set_zoom (viewer, 3.0);
  svd_gui_test_wait_until (magnified, viewer);
  svd_gui_test_wait_frames (window, 2);
  g_free (svd_gui_test_save_screenshot (window, "viewer-side-by-side-zoom-300"));
  svd_viewer_set_zoom (viewer, 0);
  set_mode (window, "slider");

  /* A frame that arrives after a newer one was asked for is dropped. */
  serial = svd_viewer_get_serial (viewer);
  svd_viewer_begin_frame (viewer, serial + 1);
  stale = svd_image_new (SVD_PIXEL_FORMAT_RGBA8, 16, 16, NULL);
  g_assert_false (svd_viewer_set_image (viewer, SVD_VIEWER_SLOT_CHAIN_1, serial, stale));
  g_assert_false (svd_viewer_has_image (viewer, SVD_VIEWER_SLOT_CHAIN_1));

  /* Dark mode: the header bar and action bar follow the style manager. */
  {
    AdwStyleManager *style = adw_style_manager_get_default ();
    g_auto(Pixels) light = { 0 };
    g_auto(Pixels) dark = { 0 };

    render_pixels (window, &light);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    svd_gui_test_wait_frames (window, 3);
    render_pixels (window, &dark);
    g_free (svd_gui_test_save_screenshot (window, "viewer-dark"));
    g_test_message ("header bar mean: light %.1f, dark %.1f",
                    region_mean (&light, 0, 0, light.width, 40), region_mean (&dark, 0, 0, dark.width, 40));
    g_assert_cmpfloat (region_mean (&dark, 0, 0, dark.width, 40), <, 100);
    g_assert_cmpfloat (region_mean (&light, 0, 0, light.width, 40), >, 150);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  }

  /* Opening a real clip shows its first frame as the source. */
  clip = g_build_filename (g_getenv ("SVD_SHARED_DIR"), "clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  if (g_file_test (clip, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GFile) file = g_file_new_for_path (clip);
      SvdImage *frame;
      SvdImage *first;

      svd_window_open_file (SVD_WINDOW (window), file);
      svd_gui_test_wait_until (demo_gone, viewer);
      svd_gui_test_wait_until (clip_shown, viewer);
      frame = svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_SOURCE);
      g_assert_cmpint (frame->width, ==, 1280);
      g_assert_cmpint (frame->height, ==, 720);
      g_assert_cmpint (svd_viewer_get_view_mode (viewer), ==, SVD_VIEW_MODE_TOGGLE);
      g_assert_cmpint (frame->frame_index, ==, 0);
      g_assert_cmpint (svd_window_get_shown_frame (SVD_WINDOW (window)), ==, 0);
      first = svd_image_ref (frame);
      shoot_clip (window);

      /* Five quick steps: older requests are dropped, frame 5 arrives. */
      for (int i = 0; i < 5; i++)
        g_assert_true (gtk_widget_activate_action (window, "win.next-frame", NULL));
      want_frame = 5;
      svd_gui_test_wait_until (frame_shown, window);
      frame = svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_SOURCE);
      g_assert_cmpint (frame->frame_index, ==, 5);
      g_test_message ("frame 5 vs frame 0: mean abs difference %.2f", image_diff (frame, first));
      g_assert_cmpfloat (image_diff (frame, first), >, 0.1);

      /* Seek far and step back. */
      g_assert_true (gtk_widget_activate_action (window, "win.go-to-frame", "x", (gint64) 100));
      want_frame = 100;
      svd_gui_test_wait_until (frame_shown, window);
      g_assert_true (gtk_widget_activate_action (window, "win.previous-frame", NULL));
      want_frame = 99;
      svd_gui_test_wait_until (frame_shown, window);
      g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_SOURCE)->frame_index, ==, 99);
      svd_gui_test_wait_frames (window, 2);
      g_free (svd_gui_test_save_screenshot (window, "viewer-clip-frame-99"));

      /* Past the end clamps to the last frame. */
      g_assert_true (gtk_widget_activate_action (window, "win.go-to-frame", "x", G_GINT64_CONSTANT (1) << 40));
      want_frame = -2;
      svd_gui_test_wait_until (frame_shown, window);
      g_test_message ("last frame: %" G_GINT64_FORMAT, svd_window_get_shown_frame (SVD_WINDOW (window)));

      /* A clip opened without a reference is a session in "none" mode,
       * not a viewer of its own: a chain runs on it, timed, without
       * metrics. */
      {
        const SvdSessionInfo *info = svd_window_get_session_info (SVD_WINDOW (window));
        const char *chain[] = { "builtin:bicubic:2", NULL };

        g_assert_nonnull (info);
        g_assert_cmpint (info->mode, ==, SVD_REFERENCE_NONE);
        g_assert_null (info->reference_path);
        g_assert_cmpint (info->width, ==, 1280);
        svd_window_set_chain_paths (SVD_WINDOW (window), 0, chain);
        svd_gui_test_wait_until (none_chain_ready, window);
        g_test_message ("chain on a clip without reference: %s", svd_window_get_readout (SVD_WINDOW (window), 0));
        g_assert_cmpint (svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1)->width, ==, 2560);
      }
      svd_image_unref (first);
    }
  else
    g_test_message ("%s is missing: not opening a real clip", clip);

  g_action_group_activate_action (G_ACTION_GROUP (fx->app), "quit", NULL);
  fx->done = TRUE;

  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app,
             gpointer      user_data)
{
  g_idle_add (run_script_cb, user_data);
}

static void
test_viewer_demo (void)
{
  Fixture fx = { 0 };
  g_autoptr(GSettings) settings = g_settings_new (SVD_APP_ID);

  g_settings_set_int (settings, "window-width", 1200);
  g_settings_set_int (settings, "window-height", 760);
  g_settings_set_boolean (settings, "window-maximized", FALSE);

  fx.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fx.app, "activate", G_CALLBACK (activate_cb), &fx);
  g_assert_cmpint (g_application_run (G_APPLICATION (fx.app), 0, NULL), ==, 0);
  g_assert_true (fx.done);
  g_object_unref (fx.app);
}

/* The demo's degradation is real: the stretched source measurably differs
 * from the reference, the SSIM map is below 1, and frames are opaque. */
static void
test_demo_frames (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) reference = svd_demo_draw_reference (320, 180, &error);
  g_autoptr(SvdImage) source = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (reference->width, ==, 320);
  for (int y = 0; y < reference->height; y++)
    for (int x = 0; x < reference->width; x++)
      g_assert_cmpint (reference->data[0][y * reference->stride[0] + x * 4 + 3], ==, 255);

  source = svd_demo_degrade (reference, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (source->width, ==, 160);
  g_assert_cmpint (source->height, ==, 90);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gui/viewer/demo-frames", test_demo_frames);
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    g_test_add_func ("/gui/viewer/demo", test_viewer_demo);
  else
    g_test_message ("no display: skipping the window tests; run under xvfb-run");

  return g_test_run ();
}
