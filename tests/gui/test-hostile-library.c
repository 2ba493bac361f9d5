/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-hostile-library"

#include "svd-config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crafted-models.h"
#include "svd-application.h"
#include "svd-matrix-window.h"
#include "svd-window.h"
#include "svd-gui-test-utils.h"
#include "svd-test-utils.h"

/* Issue #22: the model library reads every file in the user's folders, so
 * one hostile file there took the application down at every scan. A
 * library folder (set in Preferences' setting, as a user would) holds the
 * crafted models of tests/model/crafted-models.c: JSON nesting bombs, a
 * 24 MB safetensors header, a pickle bomb, a zip bomb, terminal escapes in
 * a refused global, FIFOs and symlinks to /dev/zero, the ONNX nesting and
 * constant-folding bombs, an ONNX input of 2^32 × 2^32 (valid: it must
 * load), and one good model.
 * The benchmark matrix window, opened through its action, scans the
 * library: the application survives, lists the good model as usable, and
 * lists each crafted regular file as unusable with the limit it hit. */

static SvdMatrixWindow *the_matrix;
static char *crafted_dir;

static gboolean
library_loaded (gpointer data)
{
  return !svd_matrix_window_is_library_loading (the_matrix);
}

static GtkListBoxRow *
find_row (GtkListBox *list,
          const char *title)
{
  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
        return row;
    }
}

static char *
display_name (const char *file)
{
  return g_strndup (file, strrchr (file, '.') - file);
}

static void
script (SvdApplication *app)
{
  GtkWindow *main_window = svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_WINDOW);
  GSettings *settings = svd_application_get_settings (app);
  const char *folders[] = { crafted_dir, NULL };
  const CraftedModel *crafted;
  GtkListBox *list;
  GtkListBoxRow *good;
  struct rusage ru;
  guint n_crafted;

  g_assert_nonnull (main_window);
  crafted = crafted_models_list (&n_crafted);
  g_settings_set_strv (settings, "model-folders", folders);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.bench-matrix", NULL));
  the_matrix = SVD_MATRIX_WINDOW (svd_gui_test_find_window (GTK_APPLICATION (app), SVD_TYPE_MATRIX_WINDOW));
  g_assert_nonnull (the_matrix);
  svd_gui_test_wait_until (library_loaded, NULL);

  list = svd_matrix_window_get_library_list (the_matrix, 0);
  good = find_row (list, CRAFTED_GOOD_NAME);
  g_assert_nonnull (good);
  g_assert_true (gtk_list_box_row_get_activatable (good));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (good), "error"));
  for (guint i = 0; i < n_crafted; i++)
    {
      g_autofree char *name = display_name (crafted[i].file);
      GtkListBoxRow *row = find_row (list, name);

      if (!crafted[i].regular)
        {
          /* FIFOs and devices are skipped by the scan, never opened. */
          g_assert_null (row);
          continue;
        }
      g_assert_nonnull (row);
      g_test_message ("%s: %s", crafted[i].file, adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
      if (crafted[i].needle == NULL)
        {
          /* Hostile-looking but valid: listed as usable. */
          g_assert_true (gtk_list_box_row_get_activatable (row));
          g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
          continue;
        }
      g_assert_false (gtk_list_box_row_get_activatable (row));
      g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
      g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), crafted[i].needle));
    }

  gtk_menu_button_popup (svd_matrix_window_get_library_button (the_matrix, 0));
  svd_gui_test_wait_frames (GTK_WIDGET (list), 3);
  g_free (svd_gui_test_save_screenshot (GTK_WIDGET (list), "hostile-library"));
  gtk_menu_button_popdown (svd_matrix_window_get_library_button (the_matrix, 0));

  /* The application is still here and responsive. */
  svd_gui_test_wait_frames (GTK_WIDGET (main_window), 2);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (main_window)));
  getrusage (RUSAGE_SELF, &ru);
  g_test_message ("peak RSS of the application after the scan: %ld KB", ru.ru_maxrss);

  gtk_window_close (GTK_WINDOW (the_matrix));
  g_settings_reset (settings, "model-folders");
}

static void
test_hostile_library (void)
{
  svd_gui_test_run_app (script);
}

int
main (int   argc,
      char *argv[])
{
  pid_t pid;
  int status;

  /* The files are built in a child before GTK starts any thread: building
   * them takes a few hundred MB for a moment, which would otherwise count
   * in the application's peak below. */
  crafted_dir = g_dir_make_tmp ("svd-hostile-library-XXXXXX", NULL);
  g_assert_nonnull (crafted_dir);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      crafted_models_write (crafted_dir);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  svd_gui_test_init (&argc, &argv);
  g_test_add_func ("/gui/model-library/hostile-files", test_hostile_library);
  status = g_test_run ();
  svd_test_remove_tree (crafted_dir);
  return status;
}
