/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-gui-test"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Long enough for a slow software X server, short enough that a hang fails
 * the test rather than the suite's timeout. */
/* Generous: on a loaded 2-core CI machine PoCL frames take seconds, and
 * a wait only runs this long when the test is failing anyway. */
#define WAIT_TIMEOUT_US (180 * G_USEC_PER_SEC)

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *remaining = user_data;

  if (*remaining > 0)
    (*remaining)--;
  gtk_widget_queue_draw (widget);

  return *remaining > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/**
 * svd_gui_test_wait_frames:
 * @widget: a widget in a shown window
 * @n_frames: how many frame-clock ticks to wait for
 *
 * Spins the main loop until @widget is mapped and its frame clock ticked
 * @n_frames times, so layout and drawing have really happened.
 */
void
svd_gui_test_wait_frames (GtkWidget *widget,
                          guint      n_frames)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;
  guint remaining = n_frames;
  guint id;

  while (!gtk_widget_get_mapped (widget))
    {
      g_main_context_iteration (NULL, FALSE);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }

  id = gtk_widget_add_tick_callback (widget, count_frame_cb, &remaining, NULL);
  while (remaining > 0)
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () > deadline)
        {
          gtk_widget_remove_tick_callback (widget, id);
          g_error ("timed out waiting for %u frames of %s", n_frames, G_OBJECT_TYPE_NAME (widget));
        }
      g_usleep (1000);
    }
}

/**
 * svd_gui_test_wait_until:
 * @predicate: returns %TRUE when the wait is over
 * @data: passed to @predicate
 *
 * Spins the main loop until @predicate holds; fails after 180 s.
 */
void
svd_gui_test_wait_until (gboolean (*predicate) (gpointer data),
                         gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (!predicate (data))
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for a condition");
      g_usleep (1000);
    }
}

/**
 * svd_gui_test_render:
 * @widget: a mapped widget
 *
 * Renders @widget the way the window's own renderer does (GL or cairo),
 * without reading back the X server.
 *
 * Returns: (transfer full): a texture of the widget's size
 */
GdkTexture *
svd_gui_test_render (GtkWidget *widget)
{
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width = 0, height = 0;

  /* A widget paintable is empty while its widget waits for a new size
   * allocation (a label that changed its text queues one): then let the
   * frame clock lay it out and take the picture again. Counted in
   * frames, not time, so a slow build (the sanitizers) only waits longer. */
  for (int frame = 0; node == NULL; frame++)
    {
      g_autoptr(GdkPaintable) paintable = NULL;
      GtkSnapshot *snapshot;

      if (frame > 0)
        {
          g_assert_cmpint (frame, <, 100);
          svd_gui_test_wait_frames (widget, 1);
        }
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      g_assert_cmpint (width, >, 0);
      g_assert_cmpint (height, >, 0);
      paintable = gtk_widget_paintable_new (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_assert_nonnull (renderer);

  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/**
 * svd_gui_test_save_screenshot:
 * @widget: a mapped widget
 * @name: file name without extension
 *
 * Saves @widget as `$SVD_SCREENSHOT_DIR/@name.png` (or the current
 * directory).
 *
 * Logs the path with g_test_message().
 *
 * Returns: (transfer full): the path written; free it (a discarded result
 *   leaks, which the sanitizer run reports)
 */
char *
svd_gui_test_save_screenshot (GtkWidget  *widget,
                              const char *name)
{
  g_autoptr(GdkTexture) texture = svd_gui_test_render (widget);
  const char *dir = g_getenv ("SVD_SCREENSHOT_DIR");
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path;

  if (dir == NULL)
    dir = ".";
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return path;
}

/**
 * svd_gui_test_texture_stddev:
 * @texture: a texture
 * @n_colors: (out) (optional): number of distinct colours, capped at 4096
 *
 * Returns: the standard deviation of the luma over all pixels, 0–255
 */
double
svd_gui_test_texture_stddev (GdkTexture *texture,
                             guint      *n_colors)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guint8 *data = g_malloc (stride * height);
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);
  double sum = 0, sum2 = 0, n = (double) width * height;

  /* Cairo layout: B, G, R, A in memory on little-endian machines. */
  gdk_texture_download (texture, data, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = data + y * stride + x * 4;
        double luma = 0.0722 * p[0] + 0.7152 * p[1] + 0.2126 * p[2];
        guint32 rgb = p[0] | (p[1] << 8) | (p[2] << 16);

        sum += luma;
        sum2 += luma * luma;
        if (g_hash_table_size (colors) < 4096)
          g_hash_table_add (colors, GUINT_TO_POINTER (rgb + 1));
      }

  if (n_colors != NULL)
    *n_colors = g_hash_table_size (colors);

  return sqrt (MAX (0.0, sum2 / n - (sum / n) * (sum / n)));
}

/**
 * svd_gui_test_find_window:
 * @app: the application (unused, kept for symmetry with its windows)
 * @type: a window type
 *
 * Returns: (transfer none) (nullable): the first visible window of @type
 */
GtkWindow *
svd_gui_test_find_window (GtkApplication *app,
                          GType           type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  /* All toplevels, not only the app's: the help overlay is transient for
   * the window but need not be registered with the application. */
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

/**
 * svd_gui_test_init:
 * @argc: main()'s argc
 * @argv: main()'s argv
 *
 * g_test_init(), then skips the whole program (svd_test_skip_all()) when
 * there is no display to open windows on.
 *
 * Each test program gets its own data folder, `$XDG_DATA_HOME/NAME`:
 * GtkRecentManager rewrites the whole recently-used.xbel from what it last
 * read, so two GUI tests running at once (meson runs two) dropped each
 * other's entries, and test-errors waited for its Open Recent entry until
 * it timed out. Set before anything asks GLib for the folder (it keeps the
 * first answer).
 */
void
svd_gui_test_init (int    *argc,
                   char ***argv)
{
  const char *data = g_getenv ("XDG_DATA_HOME");

  if (data != NULL && *argc > 0)
    {
      g_autofree char *name = g_path_get_basename ((*argv)[0]);
      g_autofree char *own = g_build_filename (data, name, NULL);

      g_setenv ("XDG_DATA_HOME", own, TRUE);
    }
  g_test_init (argc, argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    svd_test_skip_all ("no display; run under xvfb-run");
}

typedef struct {
  SvdApplication *app;
  void          (*script) (SvdApplication *app);
  gboolean        done;
} AppRun;

static gboolean
app_script_cb (gpointer user_data)
{
  AppRun *run = user_data;

  run->script (run->app);
  run->done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
app_activate_cb (GApplication *app,
                 gpointer      user_data)
{
  /* After the app's own activate handler: its window exists. */
  g_idle_add (app_script_cb, user_data);
}

/**
 * svd_gui_test_run_app:
 * @script: drives the app; it runs on the main loop once the app has
 *   activated, and may spin the loop (svd_gui_test_wait_until())
 *
 * Runs the real application with @script, quits it afterwards and asserts
 * that it exited cleanly after the whole script ran.
 */
void
svd_gui_test_run_app (void (*script) (SvdApplication *app))
{
  AppRun run = { NULL, script, FALSE };
  int status;

  run.app = svd_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (run.app, "activate", G_CALLBACK (app_activate_cb), &run);
  status = g_application_run (G_APPLICATION (run.app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.done);
  g_object_unref (run.app);
}

/**
 * svd_gui_test_find_suggested:
 * @widget: a widget tree, e.g. a dialog
 *
 * Returns: (transfer none) (nullable): the first button styled
 *   "suggested-action" (a dialog's default response) in @widget
 */
GtkWidget *
svd_gui_test_find_suggested (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "suggested-action"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = svd_gui_test_find_suggested (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * svd_gui_test_assert_opaque:
 * @window: a mapped window showing the viewer page
 *
 * While the viewer page is shown the window paints no background of its
 * own (style.css, .viewer-page): every pixel must still be painted by
 * something opaque, or a compositor would show the desktop through it.
 * Fails unless every pixel of @window's render is opaque, but for the outer
 * few pixels (the resize border and the rounded corners).
 */
void
svd_gui_test_assert_opaque (GtkWidget *window)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint8 *data = NULL;
  int width, height, inset = 8, holes = 0, first_x = -1, first_y = -1;

  svd_gui_test_wait_frames (window, 2);
  g_assert_true (gtk_widget_has_css_class (window, "viewer-page"));
  texture = svd_gui_test_render (window);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);
  for (int y = inset; y < height - inset; y++)
    for (int x = inset; x < width - inset; x++)
      if (data[((gsize) y * width + x) * 4 + 3] != 255 && holes++ == 0)
        {
          first_x = x;
          first_y = y;
        }
  g_test_message ("window %dx%d: %d pixels not opaque (the first at %d,%d)", width, height, holes, first_x, first_y);
  g_assert_cmpint (holes, ==, 0);
}

/**
 * svd_gui_test_readout_ready:
 * @window: a window with a session
 * @frame: the frame waited for
 *
 * Returns: whether @frame is shown with chain 1's PSNR/SSIM (or why it failed)
 */
gboolean
svd_gui_test_readout_ready (SvdWindow *window,
                            gint64     frame)
{
  const char *text = svd_window_get_readout (window, 0);

  return svd_window_get_shown_frame (window) == frame &&
         text != NULL && (strstr (text, "PSNR-RGB") != NULL || strstr (text, "failed") != NULL);
}

/**
 * svd_gui_test_dists_ready:
 * @window: a window with a session
 * @frame: the frame waited for
 * @variant: "short256" or "full"
 *
 * Returns: whether chain 1's readout has the DISTS of @frame itself (not an
 *   older frame's) in @variant
 */
gboolean
svd_gui_test_dists_ready (SvdWindow  *window,
                          gint64      frame,
                          const char *variant)
{
  const char *text = svd_window_get_readout (window, 0);
  g_autofree char *prefix = g_strdup_printf ("DISTS (%s) ", variant);
  const char *d = text != NULL ? strstr (text, prefix) : NULL;

  return svd_window_get_shown_frame (window) == frame && d != NULL && g_ascii_isdigit (d[strlen (prefix)]);
}

/**
 * svd_gui_test_cli_metrics:
 * @reference: the reference clip
 * @input: the clip to restore and score
 * @chain: model files for `--chain`, comma-separated
 * @dists_variant: (nullable): `--dists` variant, or %NULL for none
 * @n_frames: frames to compare (`--max-frames`)
 *
 * Runs `svd metrics --json` from the build tree, as a user would, so the
 * GUI's readouts can be checked against the CLI's; asserts that it ran,
 * compared @n_frames frames and used @dists_variant.
 *
 * Returns: (transfer full): its parsed output
 */
JsonParser *
svd_gui_test_cli_metrics (const char *reference,
                          const char *input,
                          const char *chain,
                          const char *dists_variant,
                          int         n_frames)
{
  g_autofree char *svd = g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
  g_autofree char *max = g_strdup_printf ("%d", n_frames);
  const char *argv[] = { svd, "metrics", "--json", "-q", "--chain", chain, "--max-frames", max,
                         reference, input, dists_variant != NULL ? "--dists" : NULL, dists_variant, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();
  JsonObject *root;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (status != 0)
    g_test_message ("svd metrics: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  if (dists_variant != NULL)
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "dists"), "mode"), ==,
                     dists_variant);
  g_assert_cmpint (json_object_get_int_member (root, "n_frames"), ==, n_frames);
  return parser;
}

/**
 * svd_gui_test_cli_frame_value:
 * @parser: svd_gui_test_cli_metrics()'s output
 * @index: an input frame index
 * @member: "psnr_y", "dists", "mse_y"…
 *
 * Returns: that frame's value; asserts the frame is there
 */
double
svd_gui_test_cli_frame_value (JsonParser *parser,
                              gint64      index,
                              const char *member)
{
  JsonArray *frames = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "frames");

  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *f = json_array_get_object_element (frames, i);

      if (json_object_get_int_member (f, "index") == index)
        return json_object_get_double_member (f, member);
    }
  g_assert_not_reached ();
}
