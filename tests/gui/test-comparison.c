/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-comparison"

#include "svd-config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "media/svd-writer.h"

#include "svd-application.h"
#include "svd-export-private.h"
#include "svd-plot-private.h"
#include "svd-viewer-private.h"
#include "svd-window.h"
#include "svd-window-private.h"
#include "svd-gui-test-utils.h"
#include "svd-gui-test-x11.h"

#include <X11/keysym.h>
#include "svd-test-utils.h"

/* Issue #24, the window side, under Xvfb on the shared BBB clip
 * (Synthesize, shrunk 4× to 320 × 180):
 * - the picture first: with four chains the window keeps its size and the
 *   viewer most of it; at the minimum size a usable viewer and seek bar
 *   remain; the readouts' columns line up across chains; "DISTS
 *   unavailable" is said once, in a banner; the New Session dialog shows
 *   its options whole;
 * - numbers: frames counted from 1 in the transport, the plot and the
 *   export; "1 frame", not "1 frames"; the subtitle gives the opened
 *   clip's size; the first frame of a chain is a warm-up;
 * - playback at the clip's rate that drops late frames (a test clock makes
 *   the chains "slow" by a known amount), Loop, Space and L;
 * - Pair mode warns when the clips differ in rate or length, or are not
 *   the same video;
 * - a clip opened from the command line is a full session. */

#define PAIR_W 320
#define PAIR_H 180

static SvdWindow *the_window;
static SvdApplication *the_app;
static guint want_slot;
static gint64 want_frame;

static gboolean
session_open (gpointer data)
{
  return svd_window_get_session_info (the_window) != NULL;
}

static gboolean
readout_ready (gpointer data)
{
  const char *text = svd_window_get_readout (the_window, want_slot);

  return text != NULL && strstr (text, "PSNR-RGB") != NULL && !svd_window_is_busy (the_window);
}

static gboolean
frame_shown (gpointer data)
{
  static gint64 last_log;

  if (g_get_monotonic_time () - last_log > 10 * G_USEC_PER_SEC)
    {
      last_log = g_get_monotonic_time ();
      g_test_message ("waiting for frame %lld: shown %lld, busy %d", (long long) want_frame,
                      (long long) svd_window_get_shown_frame (the_window), svd_window_is_busy (the_window));
    }
  return svd_window_get_shown_frame (the_window) == want_frame && !svd_window_is_busy (the_window);
}

static gboolean
not_playing (gpointer data)
{
  return !svd_window_get_playing (the_window);
}

static gboolean
playing (gpointer data)
{
  return svd_window_get_playing (the_window);
}

static gboolean
shown_a_few (gpointer data)
{
  gint64 shown = 0;

  g_object_get (the_window, "frames-shown", &shown, NULL);
  return shown >= 4 || !svd_window_get_playing (the_window);
}

static gboolean
looping (gpointer data)
{
  return the_window->loop;
}

/* Shown a frame at or before want_frame: playback went round. */
static gboolean
wrapped (gpointer data)
{
  gint64 shown = svd_window_get_shown_frame (the_window);

  return shown >= 0 && shown <= want_frame;
}

static gboolean
banner_says (gpointer data)
{
  const char *text = svd_window_get_banner_text (the_window);

  return text != NULL && strstr (text, data) != NULL;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

/* The labels in @root that show @text (whole or cut). */
static GPtrArray *
labels_starting (GtkWidget  *root,
                 const char *text)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GPtrArray *found = g_ptr_array_new ();

  collect (root, GTK_TYPE_LABEL, all);
  for (guint i = 0; i < all->len; i++)
    if (g_str_has_prefix (gtk_label_get_text (all->pdata[i]), text) && gtk_widget_get_mapped (all->pdata[i]))
      g_ptr_array_add (found, all->pdata[i]);
  return found;
}

/* The New Session dialog's mode options are shown whole, in the row and
 * in its open list (libadwaita 1.2 cuts them at 20 characters). */
static void
check_setup_options (GtkWindow *dialog)
{
  const char *full = "Synthesize: degrade this clip, compare with it";
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GPtrArray) popovers = g_ptr_array_new ();

  collect (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, rows);
  g_assert_cmpuint (rows->len, >, 0);
  /* The mode row comes first; open its list. */
  g_assert_true (gtk_widget_activate (rows->pdata[0]));
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 5);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (dialog), "new-session-options"));
  labels = labels_starting (GTK_WIDGET (dialog), "Synthesize");
  g_test_message ("%u labels show the Synthesize option", labels->len);
  /* One in the row, one in the list. */
  g_assert_cmpuint (labels->len, >=, 2);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = labels->pdata[i];

      g_assert_cmpstr (gtk_label_get_text (label), ==, full);
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (label)));
    }
  collect (GTK_WIDGET (dialog), GTK_TYPE_POPOVER, popovers);
  for (guint i = 0; i < popovers->len; i++)
    gtk_popover_popdown (popovers->pdata[i]);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
}

static double
x_in (GtkWidget *widget,
      GtkWidget *ancestor)
{
  graphene_point_t p;

  g_assert_true (gtk_widget_compute_point (widget, ancestor, &GRAPHENE_POINT_INIT (0, 0), &p));
  return p.x;
}

/* Four chains (the last with two stages): the window keeps its size, the
 * viewer keeps most of it, the cells line up, DISTS is explained once. */
static void
check_four_chains (void)
{
  const char *chains[4][3] = {
    { "bicubic:4", NULL }, { "lanczos:4", NULL }, { "bilinear:4", NULL }, { "bicubic:2", "bicubic:2", NULL },
  };
  int width = gtk_widget_get_width (GTK_WIDGET (the_window));
  int height = gtk_widget_get_height (GTK_WIDGET (the_window));
  const char *banner;
  SvdReadoutCell cells[] = { SVD_READOUT_PSNR_RGB, SVD_READOUT_PSNR_Y, SVD_READOUT_SSIM, SVD_READOUT_MEAN,
                             SVD_READOUT_TIME };

  g_test_message ("window before the chains: %d × %d", width, height);
  for (guint i = 0; i < 4; i++)
    {
      svd_window_set_chain_paths (the_window, i, chains[i]);
      want_slot = i;
      svd_gui_test_wait_until (readout_ready, NULL);
      if (i == 0)
        {
          /* One frame seen: said in the singular, not "1 frames". */
          const char *text = svd_window_get_readout (the_window, 0);

          g_test_message ("chain 1 after its first frame: %s", text);
          g_assert_null (strstr (text, "1 frames"));
          g_assert_nonnull (strstr (text, "1 frame:"));
          /* The first frame built the chain's kernels: a warm-up, said
           * apart from the frame's time. */
          g_test_message ("speed: %s", gtk_inscription_get_text (the_window->speed_label));
          g_assert_nonnull (strstr (gtk_inscription_get_text (the_window->speed_label), "warm-up: kernels built in"));
        }
    }
  for (want_slot = 0; want_slot < 4; want_slot++)
    svd_gui_test_wait_until (readout_ready, NULL);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);

  g_test_message ("window with four chains: %d × %d, viewer %d px high",
                  gtk_widget_get_width (GTK_WIDGET (the_window)), gtk_widget_get_height (GTK_WIDGET (the_window)),
                  gtk_widget_get_height (GTK_WIDGET (the_window->viewer)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (the_window)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (the_window)), ==, height);
  g_assert_cmpint (2 * gtk_widget_get_height (GTK_WIDGET (the_window->viewer)), >=, height);

  /* "DISTS unavailable" once, in the banner, not in each readout. */
  banner = svd_window_get_banner_text (the_window);
  g_test_message ("banner: %s", banner);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, "DISTS unavailable"));
  g_assert_null (strstr (strstr (banner, "DISTS unavailable") + 1, "DISTS unavailable"));
  for (guint i = 0; i < 4; i++)
    g_assert_null (strstr (svd_window_get_readout (the_window, i), "DISTS"));

  /* The columns line up: each cell starts where the same cell of the
   * other chains does and is as wide, whatever the chain's stages. */
  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      GtkWidget *first = svd_readout_get_cell_widget (the_window->chains[0].readout, cells[c]);

      for (guint i = 1; i < 4; i++)
        {
          GtkWidget *other = svd_readout_get_cell_widget (the_window->chains[i].readout, cells[c]);

          g_assert_cmpfloat (fabs (x_in (first, the_window->readout_box) - x_in (other, the_window->readout_box)),
                             <, 0.5);
          g_assert_cmpint (gtk_widget_get_width (first), ==, gtk_widget_get_width (other));
        }
    }
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-4-chains-1100x720-light"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-4-chains-1100x720-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* The readouts fold away (F9): the viewer takes their place. */
  {
    int before = gtk_widget_get_height (GTK_WIDGET (the_window->viewer));

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.show-readouts", NULL));
    svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
    g_assert_false (gtk_widget_get_visible (the_window->readout_pane));
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (the_window->viewer)), >, before);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.show-readouts", NULL));
    svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
    g_assert_true (gtk_widget_get_visible (the_window->readout_pane));
  }
}

/* The window at its smallest, then at full HD, in light and dark. */
static void
check_sizes (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  int width, height;

  gtk_window_set_default_size (GTK_WINDOW (the_window), 1, 1);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 10);
  width = gtk_widget_get_width (GTK_WIDGET (the_window));
  height = gtk_widget_get_height (GTK_WIDGET (the_window));
  g_test_message ("minimum window: %d × %d; viewer %d × %d; seek bar %d px wide", width, height,
                  gtk_widget_get_width (GTK_WIDGET (the_window->viewer)),
                  gtk_widget_get_height (GTK_WIDGET (the_window->viewer)),
                  gtk_widget_get_width (GTK_WIDGET (the_window->seek_scale)));
  /* A picture and a seek bar one can use, with four chains' readouts. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (the_window->viewer)), >=, 120);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (the_window->seek_scale)), >=, 160);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-minimum-light"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-minimum-dark"));

  gtk_window_set_default_size (GTK_WINDOW (the_window), 1920, 1080);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 10);
  g_test_message ("full HD window: %d × %d; viewer %d px high", gtk_widget_get_width (GTK_WIDGET (the_window)),
                  gtk_widget_get_height (GTK_WIDGET (the_window)),
                  gtk_widget_get_height (GTK_WIDGET (the_window->viewer)));
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-full-hd-dark"));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 5);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "window-full-hd-light"));

  gtk_window_set_default_size (GTK_WINDOW (the_window), 1100, 720);
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 10);
}

/* One frame numbering: the transport, the plot and the export count from 1. */
static void
check_numbers (void)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);
  g_autoptr(GPtrArray) spins = g_ptr_array_new ();
  g_autofree char *position = NULL;
  GtkWindow *dialog;
  GtkSpinButton *first, *last;
  double lo, hi;

  want_frame = 4;
  svd_window_go_to_frame (the_window, want_frame);
  svd_gui_test_wait_until (frame_shown, NULL);
  position = g_strdup_printf ("Frame 5 of %lld", (long long) info->n_frames);
  g_assert_cmpstr (gtk_inscription_get_text (the_window->position_label), ==, position);
  g_assert_cmpint (svd_plot_get_last_frame_number (svd_window_get_plot (the_window)), ==, info->n_frames);

  dialog = svd_window_export (the_window);
  g_assert_nonnull (dialog);
  collect (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON, spins);
  g_assert_cmpuint (spins->len, ==, 3);  /* CRF, first and last frame */
  first = spins->pdata[1];
  last = spins->pdata[2];
  gtk_spin_button_get_range (first, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 1);
  g_assert_cmpfloat (hi, ==, info->n_frames);
  g_assert_cmpfloat (gtk_spin_button_get_value (first), ==, 1);
  g_assert_cmpfloat (gtk_spin_button_get_value (last), ==, info->n_frames);
  gtk_window_close (dialog);
}

/* Playback keeps the clip's rate: with chains three frame times slow,
 * two of every three frames are dropped, and every frame is either shown
 * or dropped; when the chains are fast enough none is. */
static void
check_playback (void)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);
  gint64 period_us = (gint64) (1e6 / info->fps);
  gint64 shown = 0, dropped = 0;
  double fps = 0;
  g_autofree char *speed = NULL;

  /* One chain, so the run is short. */
  for (guint i = 1; i < 4; i++)
    svd_window_set_chain (the_window, i, NULL);
  want_frame = 0;
  svd_window_go_to_frame (the_window, 0);
  svd_gui_test_wait_until (frame_shown, NULL);
  g_assert_false (the_window->loop);

  /* Space plays, through the X server. */
  svd_window_set_test_clock (the_window, 3 * period_us);
  g_assert_true (svd_gui_test_x11_focus (GTK_WIDGET (the_window)));
  gtk_widget_grab_focus (GTK_WIDGET (the_window->viewer));
  svd_gui_test_x11_press (GTK_WIDGET (the_window), 0, XK_space);
  svd_gui_test_wait_until (playing, NULL);
  /* The speed beside the seek bar says how many were dropped. */
  svd_gui_test_wait_until (shown_a_few, NULL);
  speed = g_strdup (gtk_inscription_get_text (the_window->speed_label));
  g_test_message ("speed label while playing slow chains: %s", speed);
  g_assert_nonnull (strstr (speed, "of 25.00 fps"));
  g_assert_nonnull (strstr (speed, "dropped"));
  svd_gui_test_wait_until (not_playing, NULL);
  g_object_get (the_window, "frames-shown", &shown, "frames-dropped", &dropped, "shown-fps", &fps, NULL);
  g_test_message ("chains 3 frame times slow: %lld shown, %lld dropped, %.2f fps shown of %.2f; "
                  "speed label: %s", (long long) shown, (long long) dropped, fps, info->fps,
                  gtk_inscription_get_text (the_window->speed_label));
  g_assert_cmpint (shown + dropped, ==, info->n_frames - 1);
  /* About two of every three (the first frames and the end round it). */
  g_assert_cmpint (2 * dropped, >=, 3 * shown);
  g_assert_cmpfloat (fabs (fps - info->fps / 3), <, 0.05 * info->fps);
  g_assert_cmpint (svd_window_get_shown_frame (the_window), ==, info->n_frames - 1);

  /* Chains twice as fast as the clip: every frame, at the clip's rate. */
  want_frame = info->n_frames - 21;
  svd_window_go_to_frame (the_window, want_frame);
  svd_gui_test_wait_until (frame_shown, NULL);
  svd_window_set_test_clock (the_window, period_us / 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.play", NULL));
  svd_gui_test_wait_until (not_playing, NULL);
  g_object_get (the_window, "frames-shown", &shown, "frames-dropped", &dropped, NULL);
  g_test_message ("chains fast enough: %lld shown, %lld dropped", (long long) shown, (long long) dropped);
  g_assert_cmpint (dropped, ==, 0);
  g_assert_cmpint (shown, ==, 20);

  /* L loops: past the last frame, playback goes on from the first. (The
   * viewer takes L for its loupe when it has the focus; here the play
   * button has it.) */
  gtk_widget_grab_focus (the_window->play_button);
  svd_gui_test_x11_press (GTK_WIDGET (the_window), 0, XK_l);
  svd_gui_test_wait_until (looping, NULL);
  want_frame = info->n_frames - 3;
  svd_window_go_to_frame (the_window, want_frame);
  svd_gui_test_wait_until (frame_shown, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (the_window), "win.play", NULL));
  want_frame = 2;
  svd_gui_test_wait_until (wrapped, NULL);
  g_assert_true (svd_window_get_playing (the_window));
  gtk_widget_grab_focus (GTK_WIDGET (the_window->viewer));
  svd_gui_test_x11_press (GTK_WIDGET (the_window), 0, XK_space);
  svd_gui_test_wait_until (not_playing, NULL);
  svd_window_set_test_clock (the_window, 0);
}

/* A clip drawn here: a pattern that moves; @seed changes the picture. */
static void
make_clip (const char *path,
           int         fps,
           int         n_frames,
           int         seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdWriter) writer = NULL;
  SvdWriterOptions wo;

  svd_writer_options_init (&wo);
  wo.encoder = "libx264";
  wo.preset = "ultrafast";
  wo.crf = 18;
  wo.fps_num = fps;
  wo.fps_den = 1;
  writer = svd_writer_new (path, &wo, &error);
  g_assert_no_error (error);
  for (int i = 0; i < n_frames; i++)
    {
      g_autoptr(SvdImage) image = svd_image_new (SVD_PIXEL_FORMAT_YUV420P8, PAIR_W, PAIR_H, &error);

      g_assert_no_error (error);
      for (int y = 0; y < PAIR_H; y++)
        for (int x = 0; x < PAIR_W; x++)
          image->data[0][y * image->stride[0] + x] =
            seed == 0 ? 16 + (x + 2 * y + 3 * i) % 200
                      : (((x / 16) + (y / 16) + i) % 2 ? 230 : 20);
      for (int p = 1; p < 3; p++)
        for (int y = 0; y < PAIR_H / 2; y++)
          memset (image->data[p] + y * image->stride[p], 128, PAIR_W / 2);
      image->pts = (gint64) i * G_USEC_PER_SEC / fps;
      image->frame_index = i;
      g_assert_true (svd_writer_write (writer, image, &error));
      g_assert_no_error (error);
    }
  g_assert_true (svd_writer_finish (writer, &error));
  g_assert_no_error (error);
}

/* The Pair session on reference @data is open and checked. */
static gboolean
pair_checked (gpointer data)
{
  return session_open (NULL) && g_strcmp0 (svd_window_get_session_info (the_window)->reference_path, data) == 0 &&
         the_window->pair_checked;
}

/* Pair mode: two unrelated clips at other rates and lengths are called
 * so; a clip paired with itself is not. */
static void
check_pair (const char *dir)
{
  g_autofree char *a = g_build_filename (dir, "a.mkv", NULL);
  g_autofree char *b = g_build_filename (dir, "b.mkv", NULL);
  SvdSessionSetup setup = { 0 };
  const char *banner;

  make_clip (a, 25, 30, 0);
  make_clip (b, 30, 40, 1);
  setup.mode = SVD_REFERENCE_PAIR;
  setup.input_path = a;
  setup.reference_path = b;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (banner_says, "not be the same video");
  banner = svd_window_get_banner_text (the_window);
  g_test_message ("unrelated pair: %s", banner);
  g_assert_nonnull (strstr (banner, "frame rates differ"));
  g_assert_nonnull (strstr (banner, "lengths differ"));
  svd_gui_test_wait_frames (GTK_WIDGET (the_window), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (the_window), "pair-unrelated"));

  /* The same clip on both sides: nothing to warn about. */
  setup.reference_path = a;
  svd_window_start_session (the_window, &setup);
  svd_gui_test_wait_until (pair_checked, a);
  banner = svd_window_get_banner_text (the_window);
  g_test_message ("same clip: %s", banner != NULL ? banner : "(no banner)");
  g_assert_true (banner == NULL || strstr (banner, "same video") == NULL);
  g_assert_true (banner == NULL || strstr (banner, "differ") == NULL);

  g_unlink (a);
  g_unlink (b);
}

static gboolean
opened_alone (gpointer data)
{
  const SvdSessionInfo *info = svd_window_get_session_info (the_window);

  return info != NULL && info->mode == SVD_REFERENCE_NONE && info->input_path != NULL &&
         g_str_has_suffix (info->input_path, data);
}

/* `svd-studio clip.mp4` opens a full session: transport, seek bar,
 * chains. */
static void
check_command_line_open (const char *clip)
{
  g_autoptr(GFile) file = g_file_new_for_path (clip);

  /* What SvdApplication's "open" does with the command line's file. */
  svd_window_open_file (the_window, file);
  svd_gui_test_wait_until (opened_alone, "bbb_720p_5s_h264_aac.mp4");
  g_assert_cmpint (svd_window_get_session_info (the_window)->mode, ==, SVD_REFERENCE_NONE);
  want_frame = 0;
  svd_gui_test_wait_until (frame_shown, NULL);
  g_assert_true (gtk_widget_get_visible (the_window->session_box));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (the_window->seek_scale)));
  g_assert_true (gtk_widget_get_mapped (the_window->play_button));
  g_assert_true (gtk_widget_is_sensitive (the_window->play_button));
  g_assert_nonnull (svd_window_edit_chains (the_window));
}

static void
script (SvdApplication *app)
{
  g_autofree char *clip = svd_test_shared_path ("clips", "bbb_720p_5s_h264_aac.mp4", NULL);
  g_autofree char *dir = g_dir_make_tmp ("svd-comparison-XXXXXX", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (clip);
  GSettings *settings = svd_application_get_settings (app);
  GtkWindow *dialog;
  const char *subtitle;

  the_app = app;
  the_window = SVD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  /* DISTS without its weights, wherever this runs. */
  g_settings_set_string (settings, "vgg16-weights-path", "/nonexistent/vgg16-397923af.pth");
  g_settings_set_string (settings, "dists-weights-path", "/nonexistent/dists.pt");
  gtk_window_set_default_size (GTK_WINDOW (the_window), 1100, 720);

  svd_window_set_up_session (the_window, file);
  dialog = svd_gui_test_find_window (GTK_APPLICATION (app), ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  svd_gui_test_wait_frames (GTK_WIDGET (dialog), 3);
  check_setup_options (dialog);
  g_signal_emit_by_name (svd_gui_test_find_suggested (GTK_WIDGET (dialog)), "clicked");
  svd_gui_test_wait_until (session_open, NULL);
  want_frame = 0;
  svd_gui_test_wait_until (frame_shown, NULL);

  /* The subtitle names the clip the user opened, at its size. */
  subtitle = adw_window_title_get_subtitle (ADW_WINDOW_TITLE (the_window->window_title));
  g_test_message ("subtitle: %s", subtitle);
  g_assert_nonnull (strstr (subtitle, "1280×720"));
  g_assert_true (strstr (subtitle, "320×180") == NULL || strstr (subtitle, "1280×720") < strstr (subtitle, "320×180"));

  check_four_chains ();
  check_sizes ();
  check_numbers ();
  check_playback ();
  check_pair (dir);
  check_command_line_open (clip);
  g_rmdir (dir);
}

static void
test_comparison (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  svd_gui_test_init (&argc, &argv);
  svd_test_require_shared ();

  g_test_add_func ("/gui/comparison/layout-numbers-playback-pair", test_comparison);

  return g_test_run ();
}
