/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-keys"

#include "svd-config.h"

#include <math.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>

#include "svd-application.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"

/* Presses real keys and drives the real pointer through the X server
 * (XTest), so the viewer's keyboard and mouse habits are checked end to end:
 * key → X → GDK → the viewer's managed shortcut controller → action → state,
 * and button/motion/wheel → gestures → divider, zoom and pan. */

typedef struct {
  SvdApplication *app;
  gboolean        done;
} Fixture;

typedef struct {
  SvdViewer *viewer;
  int        mode;
  int        slot;
  double     zoom;
} Want;

static gboolean
demo_loaded (gpointer data)
{
  return svd_viewer_has_image (data, SVD_VIEWER_SLOT_REFERENCE)
         && svd_viewer_has_image (data, SVD_VIEWER_SLOT_SOURCE);
}

static gboolean
mode_is (gpointer data)
{
  Want *want = data;

  return (int) svd_viewer_get_view_mode (want->viewer) == want->mode;
}

static gboolean
shown_is (gpointer data)
{
  Want *want = data;

  return (int) svd_viewer_get_shown_slot (want->viewer) == want->slot;
}

static gboolean
zoom_is (gpointer data)
{
  Want *want = data;

  return want->zoom < 0 ? svd_viewer_get_zoom (want->viewer) > 1.0
                        : svd_viewer_get_zoom (want->viewer) == want->zoom;
}

typedef struct {
  SvdWindow *window;
  gint64     frame;
} FrameWant;

static gboolean
frame_is (gpointer data)
{
  FrameWant *want = data;

  return svd_window_get_shown_frame (want->window) == want->frame;
}

static void
press (GtkWidget *window,
       KeySym     keysym)
{
  svd_gui_test_x11_press (window, 0, keysym);
}

static void
press_and_wait (GtkWidget *window,
                KeySym     keysym,
                gboolean (*predicate) (gpointer),
                Want      *want)
{
  press (window, keysym);
  svd_gui_test_wait_until (predicate, want);
}

static gboolean
run_script_cb (gpointer user_data)
{
  Fixture *fx = user_data;
  GtkWidget *window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (fx->app)));
  Display *dpy;
  Want want = { 0 };

  want.viewer = svd_window_get_viewer (SVD_WINDOW (window));
  svd_gui_test_wait_until (demo_loaded, want.viewer);
  svd_gui_test_wait_frames (window, 3);

  /* No window manager runs under Xvfb: give the window the focus. */
  if (!svd_gui_test_x11_focus (window))
    {
      g_test_skip ("needs an X11 display (GDK_BACKEND=x11 under xvfb-run)");
      g_action_group_activate_action (G_ACTION_GROUP (fx->app), "quit", NULL);
      fx->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));

  want.mode = SVD_VIEW_MODE_DIFFERENCE;
  press_and_wait (window, XK_d, mode_is, &want);
  want.mode = SVD_VIEW_MODE_SSIM;
  press_and_wait (window, XK_h, mode_is, &want);
  want.mode = SVD_VIEW_MODE_SIDE_BY_SIDE;
  press_and_wait (window, XK_b, mode_is, &want);
  want.mode = SVD_VIEW_MODE_TOGGLE;
  press_and_wait (window, XK_m, mode_is, &want);
  want.slot = SVD_VIEWER_SLOT_REFERENCE;
  press_and_wait (window, XK_r, shown_is, &want);
  want.slot = SVD_VIEWER_SLOT_SOURCE;
  press_and_wait (window, XK_s, shown_is, &want);
  /* No chain has a frame yet: 1 must leave the source shown. */
  press (window, XK_1);
  svd_gui_test_wait_frames (window, 3);
  g_assert_cmpint (svd_viewer_get_shown_slot (want.viewer), ==, SVD_VIEWER_SLOT_SOURCE);

  want.zoom = 1.0;
  press_and_wait (window, XK_0, zoom_is, &want);
  want.zoom = -1;
  press_and_wait (window, XK_equal, zoom_is, &want);
  want.zoom = 0;
  press_and_wait (window, XK_f, zoom_is, &want);
  want.mode = SVD_VIEW_MODE_SLIDER;
  press_and_wait (window, XK_w, mode_is, &want);

  /* The pointer: drag the divider, wheel-zoom, drag to pan. */
  {
    GtkWidget *viewer = GTK_WIDGET (want.viewer);
    Window child;
    int rx, ry;
    graphene_point_t p;
    double w = gtk_widget_get_width (viewer), h = gtk_widget_get_height (viewer);
    double x, y;

    g_assert_true (gtk_widget_compute_point (viewer, window, &GRAPHENE_POINT_INIT (0, 0), &p));
    XTranslateCoordinates (dpy, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                           DefaultRootWindow (dpy), (int) p.x, (int) p.y, &rx, &ry, &child);

    /* Grab the divider's knob in the middle and drag it to a quarter. */
    x = rx + w * svd_viewer_get_divider (want.viewer);
    y = ry + h / 2;
    XTestFakeMotionEvent (dpy, -1, (int) x, (int) y, CurrentTime);
    XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
    XFlush (dpy);
    svd_gui_test_wait_frames (window, 2);
    for (int i = 1; i <= 10; i++)
      {
        XTestFakeMotionEvent (dpy, -1, (int) (x - i * w / 40), (int) y, CurrentTime);
        XFlush (dpy);
        svd_gui_test_wait_frames (window, 1);
      }
    XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
    XFlush (dpy);
    svd_gui_test_wait_frames (window, 2);
    g_test_message ("divider after the drag: %.3f", svd_viewer_get_divider (want.viewer));
    g_assert_cmpfloat (fabs (svd_viewer_get_divider (want.viewer) - 0.25), <, 0.02);
    g_assert_cmpfloat (svd_viewer_get_zoom (want.viewer), ==, 0);

    /* Wheel up over the image zooms in (button 4 is "scroll up"). */
    XTestFakeMotionEvent (dpy, -1, (int) (rx + w * 0.6), (int) (ry + h * 0.4), CurrentTime);
    XTestFakeButtonEvent (dpy, 4, True, CurrentTime);
    XTestFakeButtonEvent (dpy, 4, False, CurrentTime);
    XFlush (dpy);
    want.zoom = -1;
    svd_gui_test_wait_until (zoom_is, &want);

    /* Dragging away from the divider pans: the image follows the pointer. */
    {
      graphene_point_t before, after;
      double zoom = svd_viewer_get_zoom (want.viewer);

      svd_viewer_content_to_widget (want.viewer, 640, 360, &before);
      XTestFakeButtonEvent (dpy, 1, True, CurrentTime);
      XFlush (dpy);
      svd_gui_test_wait_frames (window, 2);
      for (int i = 1; i <= 10; i++)
        {
          XTestFakeMotionEvent (dpy, -1, (int) (rx + w * 0.6 + i * 10), (int) (ry + h * 0.4 + i * 5), CurrentTime);
          XFlush (dpy);
          svd_gui_test_wait_frames (window, 1);
        }
      XTestFakeButtonEvent (dpy, 1, False, CurrentTime);
      XFlush (dpy);
      svd_gui_test_wait_frames (window, 2);
      svd_viewer_content_to_widget (want.viewer, 640, 360, &after);
      g_test_message ("pan moved the content by (%.1f, %.1f)", after.x - before.x, after.y - before.y);
      g_assert_cmpfloat (fabs (after.x - before.x - 100), <, 2);
      g_assert_cmpfloat (fabs (after.y - before.y - 50), <, 2);
      g_assert_cmpfloat (svd_viewer_get_zoom (want.viewer), ==, zoom);

      /* The keyboard does the same: Shift+arrows pan by an eighth of the
       * view (while the viewer has the focus), [ and ] move the divider. */
      gtk_widget_grab_focus (viewer);
      svd_gui_test_wait_frames (window, 2);
      before = after;
      svd_gui_test_x11_press (window, XK_Shift_L, XK_Left);
      svd_gui_test_x11_press (window, XK_Shift_L, XK_Up);
      svd_gui_test_wait_frames (window, 3);
      svd_viewer_content_to_widget (want.viewer, 640, 360, &after);
      g_test_message ("Shift+Left, Shift+Up moved the content by (%.1f, %.1f)", after.x - before.x, after.y - before.y);
      g_assert_cmpfloat (fabs (after.x - before.x - w / 8), <, 1);
      g_assert_cmpfloat (fabs (after.y - before.y - h / 8), <, 1);
      g_assert_cmpfloat (svd_viewer_get_zoom (want.viewer), ==, zoom);
      press (window, XK_bracketright);
      press (window, XK_bracketright);
      svd_gui_test_wait_frames (window, 3);
      g_test_message ("divider after ] ]: %.3f", svd_viewer_get_divider (want.viewer));
      g_assert_cmpfloat (fabs (svd_viewer_get_divider (want.viewer) - (0.25 + 2 / 20.0)), <, 0.02);
    }
  }

  /* Arrow keys step through a real clip, when ../shared has one. */
  {
    g_autofree char *clip = g_build_filename (g_getenv ("SVD_SHARED_DIR"), "clips",
                                              "bbb_720p_5s_h264_aac.mp4", NULL);

    if (g_file_test (clip, G_FILE_TEST_EXISTS))
      {
        g_autoptr(GFile) file = g_file_new_for_path (clip);
        FrameWant fw = { SVD_WINDOW (window), 0 };

        svd_window_open_file (SVD_WINDOW (window), file);
        svd_gui_test_wait_until (frame_is, &fw);
        g_test_message ("clip open, focus on %s", G_OBJECT_TYPE_NAME (gtk_root_get_focus (GTK_ROOT (window))));
        fw.frame = 2;
        press (window, XK_Right);
        press (window, XK_Right);
        svd_gui_test_wait_until (frame_is, &fw);
        fw.frame = 1;
        press (window, XK_Left);
        svd_gui_test_wait_until (frame_is, &fw);
      }
    else
      g_test_message ("%s is missing: not stepping through a clip", clip);
  }

  /* Ctrl+Q, the app accelerator, closes the window and ends the run. */
  svd_gui_test_x11_press (window, XK_Control_L, XK_q);
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
test_keys (void)
{
  Fixture fx = { 0 };

  fx.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (fx.app, "activate", G_CALLBACK (activate_cb), &fx);
  g_assert_cmpint (g_application_run (G_APPLICATION (fx.app), 0, NULL), ==, 0);
  g_assert_true (fx.done);
  g_object_unref (fx.app);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP needs an X display; run under xvfb-run\n");
      return 0;
    }

  g_test_add_func ("/gui/viewer/keys", test_keys);

  return g_test_run ();
}
