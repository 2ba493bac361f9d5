/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-gui-test"

#include "svd-config.h"

#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>

#include "svd-gui-test-x11.h"
#include "svd-gui-test-utils.h"

/* Real key presses through the X server (XTest): key → X → GDK → the
 * widget's shortcut controllers → action, the path a user's key takes. */

/**
 * svd_gui_test_x11_focus:
 * @window: a mapped toplevel
 *
 * Gives @window the X input focus (no window manager runs under Xvfb to
 * do it) and waits a few frames for GDK to see it.
 *
 * Returns: %FALSE if the display is not X11 (the caller skips)
 */
gboolean
svd_gui_test_x11_focus (GtkWidget *window)
{
  Display *dpy;

  if (!GDK_IS_X11_DISPLAY (gtk_widget_get_display (window)))
    return FALSE;
  dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  XSetInputFocus (dpy, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                  RevertToParent, CurrentTime);
  XFlush (dpy);
  svd_gui_test_wait_frames (window, 3);

  return TRUE;
}

/**
 * svd_gui_test_x11_press:
 * @window: a widget on an X11 display
 * @modifier_keysym: a modifier held during the press (e.g. XK_Alt_L), or 0
 * @keysym: the key pressed and released
 */
void
svd_gui_test_x11_press (GtkWidget *window,
                        guint      modifier_keysym,
                        guint      keysym)
{
  Display *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (window));
  KeyCode code = XKeysymToKeycode (dpy, keysym);
  KeyCode mod = modifier_keysym != 0 ? XKeysymToKeycode (dpy, modifier_keysym) : 0;

  g_assert_cmpint (code, !=, 0);
  if (modifier_keysym != 0)
    {
      g_assert_cmpint (mod, !=, 0);
      XTestFakeKeyEvent (dpy, mod, True, CurrentTime);
    }
  XTestFakeKeyEvent (dpy, code, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, False, CurrentTime);
  if (modifier_keysym != 0)
    XTestFakeKeyEvent (dpy, mod, False, CurrentTime);
  XFlush (dpy);
}
