/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-habits"

#include "svd-config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>

#include "core/svd-png.h"

#include "svd-application.h"
#include "svd-plot-private.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"
#include "svd-test-utils.h"

/* Issue #24, video-compare's habits, through real keys and pointer events
 * (XTest) on a session over a clip made here (no ../shared): Home, End,
 * Page Up/Down and Ctrl+G move through the frames; a click in the plot
 * seeks; J and the plot's menu action go to the worst measured frame;
 * Toggle's own key flips between the two pictures; V makes the divider
 * follow the pointer; P shows a loupe with the pixel under the pointer;
 * A amplifies the difference view; the shown frame's images are saved as
 * PNG. Each of these was missing on main before. */

#define CLIP_FRAMES 30

static SvdWindow *the_window;
static char *tmp_dir;
static double psnr[CLIP_FRAMES];  /* of chain 1, per frame shown; NAN: never shown */

static gboolean
session_open (gpointer data)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);

  return info != NULL && info->n_frames == CLIP_FRAMES;
}

static gboolean
frame_shown (gpointer data)
{
  gint64 want = GPOINTER_TO_INT (data);

  return svd_window_get_shown_frame (the_window) == want
         && svd_viewer_has_image (svd_window_get_viewer (the_window), SVD_VIEWER_SLOT_CHAIN_1)
         && !svd_window_is_busy (the_window);
}

static void
wait_frame (gint64 frame)
{
  g_test_message ("waiting for frame %" G_GINT64_FORMAT, frame);
  svd_gui_test_wait_until (frame_shown, GINT_TO_POINTER ((int) frame));
  psnr[frame] = the_window->chains[0].last.metrics.psnr_y;
}

/* The worst PSNR-Y of the frames shown so far, as the readout gave it. */
static gint64
worst_shown (void)
{
  gint64 worst = -1;

  for (int i = 0; i < CLIP_FRAMES; i++)
    if (isfinite (psnr[i]) && (worst < 0 || psnr[i] < psnr[worst]))
      worst = i;
  return worst;
}

static void
press (guint keysym)
{
  svd_gui_test_x11_press (GTK_WIDGET (the_window), 0, keysym);
}

/* Moves the real pointer to (x, y) in @widget. */
static void
pointer_to (GtkWidget *widget,
            double     x,
            double     y)
{
  GtkWidget *window = GTK_WIDGET (the_window);
  Display *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  graphene_point_t p;
  Window child;
  int rx, ry;
  double sx, sy;

  g_assert_true (gtk_widget_compute_point (widget, window, &GRAPHENE_POINT_INIT (x, y), &p));
  /* The surface holds the window's shadow margin too. */
  gtk_native_get_surface_transform (GTK_NATIVE (window), &sx, &sy);
  XTranslateCoordinates (dpy, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                         DefaultRootWindow (dpy), (int) round (p.x + sx), (int) round (p.y + sy), &rx, &ry, &child);
  XTestFakeMotionEvent (dpy, -1, rx, ry, CurrentTime);
  XFlush (dpy);
  svd_gui_test_wait_frames (window, 3);
}

static void
click (void)
{
  Display *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (the_window)));

  XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
  XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
  XFlush (dpy);
}

static double
mean_of (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  g_autofree guint8 *px = g_malloc ((gsize) w * h * 4);
  double sum = 0;

  gdk_texture_download (texture, px, (gsize) w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    sum += px[i * 4] + px[i * 4 + 1] + px[i * 4 + 2];
  return sum / ((double) w * h * 3);
}

/* Renders @viewer and returns the mean of its lower-left quarter's
 * centre (the picture, away from labels, legend and loupe). */
static double
picture_mean (GtkWidget *viewer)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) part = NULL;
  int w, h;
  g_autofree guint8 *px = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (svd_viewer_get_settled (SVD_VIEWER (viewer)));
  texture = svd_gui_test_render (viewer);
  w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  px = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, px, (gsize) w * 4);
  /* The middle third of the picture. */
  {
    gsize stride = (gsize) w * 4;
    int x0 = w / 3, y0 = h / 3, cw = w / 3, ch = h / 3;
    g_autofree guint8 *crop = g_malloc ((gsize) cw * ch * 4);

    for (int y = 0; y < ch; y++)
      memcpy (crop + (gsize) y * cw * 4, px + (y0 + y) * stride + (gsize) x0 * 4, (gsize) cw * 4);
    bytes = g_bytes_new_take (g_steal_pointer (&crop), (gsize) cw * ch * 4);
    part = gdk_memory_texture_new (cw, ch, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, (gsize) cw * 4);
  }
  return mean_of (part);
}

static gboolean
settled (gpointer data)
{
  return svd_viewer_get_settled (data);
}

static gboolean
difference_shown (gpointer data)
{
  SvdViewer *viewer = data;

  return viewer->overlays[SVD_VIEWER_OVERLAY_DIFFERENCE][SVD_VIEWER_SLOT_CHAIN_1].texture != NULL
         && svd_viewer_get_settled (viewer);
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = g_build_filename (tmp_dir, "habits.mp4", NULL);
  const char *chain[] = { "bicubic:2", NULL };
  SvdSessionSetup setup = { 0 };
  GtkWidget *window;
  SvdViewer *viewer;
  GtkWidget *vw;
  gint64 worst;

  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  window = GTK_WIDGET (the_window);
  viewer = svd_window_get_viewer (the_window);
  vw = GTK_WIDGET (viewer);
  svd_test_make_tone_clip (clip, 96, 64, CLIP_FRAMES);
  for (int i = 0; i < CLIP_FRAMES; i++)
    psnr[i] = NAN;

  setup.mode = SVD_REFERENCE_SYNTHESIZE;
  setup.input_path = clip;
  svd_degrade_params_init (&setup.degrade);
  setup.degrade.scale = 2;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (session_open, NULL);
  svd_window_set_chain_paths (the_window, 0, chain);
  wait_frame (0);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  svd_gui_test_wait_frames (window, 5);
  if (!svd_gui_test_x11_focus (window))
    {
      g_test_skip ("needs an X11 display (GDK_BACKEND=x11 under xvfb-run)");
      return;
    }

  /* Frames: End, Page Up (−10), Page Down (+10), Home. */
  press (XK_End);
  wait_frame (CLIP_FRAMES - 1);
  press (XK_Page_Up);
  wait_frame (CLIP_FRAMES - 11);
  press (XK_Page_Up);
  press (XK_Page_Down);
  wait_frame (CLIP_FRAMES - 11);
  press (XK_Home);
  wait_frame (0);

  /* Ctrl+G asks for a frame number. */
  {
    GtkWindow *dialog;

    svd_gui_test_x11_press (window, XK_Control_L, XK_g);
    svd_gui_test_wait_frames (window, 3);
    dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (dialog);
    /* Frames are numbered from 1 in the dialog: number 8 is index 7. */
    gtk_spin_button_set_value (g_object_get_data (G_OBJECT (dialog), "spin"), 8);
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "go");
    gtk_window_destroy (dialog);
    wait_frame (7);
  }

  /* Visit frames 0–9 so the plot has more points. */
  for (int i = 0; i < 10; i++)
    {
      svd_window_go_to_frame (the_window, i);
      wait_frame (i);
    }

  /* A click in the plot seeks to the frame under the pointer. */
  {
    SvdPlot *plot = svd_window_get_plot (the_window);
    int pw = gtk_widget_get_width (GTK_WIDGET (plot));
    double x = -1, x0 = -1, x1 = -1;

    /* The middle of the span frame 17 covers. */
    for (int px = 0; px < pw; px++)
      if (svd_plot_frame_at (plot, px + 0.5) == 17)
        {
          x0 = x0 < 0 ? px : x0;
          x1 = px;
        }
    x = (x0 + x1) / 2;
    g_assert_cmpfloat (x, >=, 0);
    g_test_message ("plot %dx%d mapped %d, window %dx%d, click at x %.1f",
                    pw, gtk_widget_get_height (GTK_WIDGET (plot)), gtk_widget_get_mapped (GTK_WIDGET (plot)),
                    gtk_widget_get_width (window), gtk_widget_get_height (window), x);
    /* The plot may sit in the readouts' scrolled pane: scroll it into
     * view and click in the part of it that shows. */
    {
      GtkWidget *sw = gtk_widget_get_ancestor (GTK_WIDGET (plot), GTK_TYPE_SCROLLED_WINDOW);
      graphene_rect_t pb, sb;
      double y = gtk_widget_get_height (GTK_WIDGET (plot)) / 2.0;

      if (sw != NULL)
        {
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (sw));

          gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
          svd_gui_test_wait_frames (window, 3);
          g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (plot), window, &pb));
          g_assert_true (gtk_widget_compute_bounds (sw, window, &sb));
          g_assert_true (graphene_rect_intersection (&pb, &sb, &sb));
          y = sb.origin.y + sb.size.height / 2 - pb.origin.y;
        }
      pointer_to (GTK_WIDGET (plot), x, y);
    }
    click ();
    wait_frame (17);
  }

  /* J: the worst measured frame of the compared chain, by the plot's
   * metric (PSNR-Y); the plot menu's action names chain and metric. */
  worst = worst_shown ();
  g_test_message ("worst PSNR-Y of the frames shown: frame %" G_GINT64_FORMAT ", %.3f dB", worst, psnr[worst]);
  svd_viewer_select_slot (viewer, SVD_VIEWER_SLOT_CHAIN_1);
  press (XK_j);
  wait_frame (worst);
  svd_window_go_to_frame (the_window, 3);
  wait_frame (3);
  g_assert_true (gtk_widget_activate_action (window, "win.worst-frame", "(ii)", 0, 0));
  wait_frame (worst);

  /* Toggle's own key flips between the two pictures. */
  press (XK_s);
  press (XK_1);
  press (XK_t);
  svd_gui_test_wait_frames (window, 3);
  g_assert_cmpint (svd_viewer_get_view_mode (viewer), ==, SVD_VIEW_MODE_TOGGLE);
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_CHAIN_1);
  press (XK_t);
  svd_gui_test_wait_frames (window, 3);
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_SOURCE);
  press (XK_t);
  svd_gui_test_wait_frames (window, 3);
  g_assert_cmpint (svd_viewer_get_shown_slot (viewer), ==, SVD_VIEWER_SLOT_CHAIN_1);

  /* V: in the slider, the divider follows the pointer. */
  press (XK_w);
  svd_gui_test_wait_frames (window, 3);
  pointer_to (vw, gtk_widget_get_width (vw) * 0.5, gtk_widget_get_height (vw) * 0.3);
  press (XK_v);
  svd_gui_test_wait_frames (window, 3);
  g_assert_true (svd_viewer_get_follow_mouse (viewer));
  pointer_to (vw, gtk_widget_get_width (vw) * 0.3, gtk_widget_get_height (vw) * 0.3);
  g_test_message ("divider with the pointer at 30 %%: %.3f", svd_viewer_get_divider (viewer));
  g_assert_cmpfloat (fabs (svd_viewer_get_divider (viewer) - 0.3), <, 0.01);
  pointer_to (vw, gtk_widget_get_width (vw) * 0.7, gtk_widget_get_height (vw) * 0.3);
  g_assert_cmpfloat (fabs (svd_viewer_get_divider (viewer) - 0.7), <, 0.01);
  press (XK_v);
  svd_gui_test_wait_frames (window, 3);
  pointer_to (vw, gtk_widget_get_width (vw) * 0.4, gtk_widget_get_height (vw) * 0.3);
  g_assert_cmpfloat (fabs (svd_viewer_get_divider (viewer) - 0.7), <, 0.01);

  /* P: the loupe, and the pixel it reads: chain 1's, on the right of the
   * divider. */
  {
    SvdImage *image = svd_viewer_get_image (viewer, SVD_VIEWER_SLOT_CHAIN_1);
    graphene_point_t p;
    SvdViewerSlot slot;
    int px, py;
    guint8 rgb[3];
    g_autoptr(GdkTexture) before = NULL;
    g_autoptr(GdkTexture) after = NULL;
    const guint8 *want;
    int iw, ix = 0, iy = 0;

    g_assert_nonnull (image);
    svd_viewer_set_divider (viewer, 0.05);
    iw = image->width;
    /* A pixel right of the divider, in the middle row. */
    ix = (int) (iw * 0.85), iy = image->height / 2;
    svd_viewer_content_to_widget (viewer, ix + 0.5, iy + 0.5, &p);
    pointer_to (vw, p.x, p.y);
    svd_gui_test_wait_until (settled, viewer);
    before = svd_gui_test_render (vw);
    press (XK_p);
    svd_gui_test_wait_frames (window, 3);
    g_assert_true (svd_viewer_get_loupe (viewer));
    g_assert_true (svd_viewer_pick (viewer, p.x, p.y, &slot, &px, &py, rgb));
    want = image->data[0] + image->stride[0] * (gsize) iy + (gsize) ix * 4;
    g_test_message ("loupe at (%d, %d) of %s: %u %u %u", px, py, svd_viewer_slot_get_label (slot),
                    rgb[0], rgb[1], rgb[2]);
    g_assert_cmpint (slot, ==, SVD_VIEWER_SLOT_CHAIN_1);
    g_assert_cmpint (px, ==, ix);
    g_assert_cmpint (py, ==, iy);
    g_assert_cmpmem (rgb, 3, want, 3);
    after = svd_gui_test_render (vw);
    g_assert_cmpfloat (fabs (mean_of (after) - mean_of (before)), >, 0.01);
    press (XK_p);
    svd_gui_test_wait_frames (window, 3);
    g_assert_false (svd_viewer_get_loupe (viewer));
  }

  /* A: the difference view's amplification, ×4 (the default) → ×8 → ×1;
   * brighter, then darker. */
  pointer_to (window, 2, 2);
  press (XK_d);
  svd_gui_test_wait_until (difference_shown, viewer);
  svd_gui_test_wait_frames (window, 3);
  {
    double m4, m8, m1;

    g_assert_cmpint (svd_viewer_get_amplification (viewer), ==, 4);
    m4 = picture_mean (vw);
    press (XK_a);
    svd_gui_test_wait_frames (window, 3);
    /* The overlay is drawn again at the new gain (its tiles too). */
    svd_gui_test_wait_until (settled, viewer);
    g_assert_cmpint (svd_viewer_get_amplification (viewer), ==, 8);
    m8 = picture_mean (vw);
    press (XK_a);
    svd_gui_test_wait_frames (window, 3);
    svd_gui_test_wait_until (settled, viewer);
    g_assert_cmpint (svd_viewer_get_amplification (viewer), ==, 1);
    m1 = picture_mean (vw);
    g_test_message ("difference view mean: ×1 %.2f, ×4 %.2f, ×8 %.2f", m1, m4, m8);
    g_assert_cmpfloat (m8, >, m4);
    g_assert_cmpfloat (m1, <, m4);
    g_free (svd_gui_test_save_screenshot (window, "habits-difference"));
  }

  /* The shown frame's images as PNG files, the same pixels. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) paths = svd_window_save_frame_pair (the_window, tmp_dir, &error);
    SvdViewerSlot slots[] = { SVD_VIEWER_SLOT_REFERENCE, SVD_VIEWER_SLOT_SOURCE, SVD_VIEWER_SLOT_CHAIN_1 };

    g_assert_no_error (error);
    g_assert_cmpuint (paths->len, ==, 3);
    for (guint i = 0; i < paths->len; i++)
      {
        g_autoptr(SvdImage) png = svd_png_load_as (paths->pdata[i], SVD_PIXEL_FORMAT_RGBA8, NULL, &error);
        SvdImage *shown = svd_viewer_get_image (viewer, slots[i]);

        g_assert_no_error (error);
        g_test_message ("saved %s", (char *) paths->pdata[i]);
        g_assert_cmpint (png->width, ==, shown->width);
        g_assert_cmpint (png->height, ==, shown->height);
        for (int y = 0; y < png->height; y++)
          g_assert_cmpmem (png->data[0] + png->stride[0] * y, png->width * 4,
                           shown->data[0] + shown->stride[0] * y, shown->width * 4);
        g_unlink (paths->pdata[i]);
      }
  }
  g_unlink (clip);
}

static void
test_habits (void)
{
  g_autoptr(GError) error = NULL;

  tmp_dir = g_dir_make_tmp ("svd-habits-XXXXXX", &error);
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

  g_test_add_func ("/gui/viewer/video-compare-habits", test_habits);

  return g_test_run ();
}
