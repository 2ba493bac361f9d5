/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-output"

#include "svd-test-utils.h"
#include "core/svd-output.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The output-safety helper (app/core/svd-output.c) on its own: same-file
 * detection through links, --force, folders, the .part name and which
 * stale .part files are removed (only a dead process's, only our exact
 * name pattern, never a link), and that replacing keeps the mode. */

static char *
make_file (const char *dir,
           const char *name,
           const char *text)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* A PID that belonged to a process that has exited. */
static pid_t
dead_pid (void)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return pid;
}

static void
test_check (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-output-XXXXXX", NULL);
  g_autofree char *in = make_file (dir, "in.mp4", "input");
  g_autofree char *other = make_file (dir, "other.mkv", "old output");
  g_autofree char *sym = g_build_filename (dir, "sym.mkv", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.mkv", NULL);
  g_autofree char *fresh = g_build_filename (dir, "new.mkv", NULL);
  g_autofree char *nodir = g_build_filename (dir, "missing", "out.mkv", NULL);
  const char *inputs[] = { in, NULL };
  GError *error = NULL;

  g_assert_cmpint (symlink ("in.mp4", sym), ==, 0);
  g_assert_cmpint (link (in, hard), ==, 0);

  g_assert_true (svd_output_check (fresh, inputs, SVD_OUTPUT_NONE, &error));
  g_assert_no_error (error);
  g_assert_false (svd_output_check (in, inputs, SVD_OUTPUT_FORCE, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (svd_output_check (sym, inputs, SVD_OUTPUT_FORCE, &error));
  g_assert_nonnull (strstr (error->message, "another name"));
  g_clear_error (&error);
  g_assert_false (svd_output_check (hard, inputs, SVD_OUTPUT_FORCE, &error));
  g_clear_error (&error);
  g_assert_false (svd_output_check (other, inputs, SVD_OUTPUT_NONE, &error));
  g_assert_nonnull (strstr (error->message, "--force"));
  g_clear_error (&error);
  g_assert_true (svd_output_check (other, inputs, SVD_OUTPUT_FORCE, &error));
  g_assert_false (svd_output_check (dir, inputs, SVD_OUTPUT_FORCE, &error));
  g_assert_nonnull (strstr (error->message, "is a folder"));
  g_clear_error (&error);
  g_assert_false (svd_output_check (nodir, inputs, SVD_OUTPUT_NONE, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (svd_output_check ("/dev/null", NULL, SVD_OUTPUT_FORCE, &error));
  g_clear_error (&error);

  g_unlink (sym);
  g_unlink (hard);
  g_unlink (in);
  g_unlink (other);
  g_rmdir (dir);
}

static void
test_stale_parts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-output-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "out.mkv", NULL);
  g_autofree char *tmpl = svd_output_temp_template (out);
  g_autofree char *mine = g_strdup_printf (".out.mkv.svd-%ld-AAAAAA.part", (long) getpid ());
  g_autofree char *dead = g_strdup_printf (".out.mkv.svd-%ld-BBBBBB.part", (long) dead_pid ());
  g_autofree char *dead_other = g_strdup_printf (".other.mkv.svd-%ld-CCCCCC.part", (long) dead_pid ());
  g_autofree char *dead_odd = g_strdup_printf (".out.mkv.svd-%ld-CCCCCC.part.keep", (long) dead_pid ());
  g_autofree char *dead_link = g_strdup_printf (".out.mkv.svd-%ld-DDDDDD.part", (long) dead_pid ());
  g_autofree char *p_mine = make_file (dir, mine, "x");
  g_autofree char *p_dead = make_file (dir, dead, "x");
  g_autofree char *p_other = make_file (dir, dead_other, "x");
  g_autofree char *p_odd = make_file (dir, dead_odd, "x");
  g_autofree char *p_legacy = make_file (dir, ".out.mkv.ABCDEF.part", "x");
  g_autofree char *p_link = g_build_filename (dir, dead_link, NULL);
  g_autofree char *p_target = make_file (dir, "target", "x");

  g_assert_cmpint (symlink ("target", p_link), ==, 0);
  g_assert_true (g_str_has_suffix (tmpl, ".part"));
  g_assert_nonnull (strstr (tmpl, "/.out.mkv.svd-"));
  g_assert_nonnull (strstr (tmpl, "-XXXXXX.part"));

  g_test_expect_message ("svd-output", G_LOG_LEVEL_WARNING, "*left by an earlier run*");
  g_assert_cmpuint (svd_output_remove_stale_parts (out), ==, 1);
  g_test_assert_expected_messages ();
  g_assert_false (g_file_test (p_dead, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (p_mine, G_FILE_TEST_EXISTS));    /* a live process's */
  g_assert_true (g_file_test (p_other, G_FILE_TEST_EXISTS));   /* another output's */
  g_assert_true (g_file_test (p_odd, G_FILE_TEST_EXISTS));     /* not our pattern */
  g_assert_true (g_file_test (p_legacy, G_FILE_TEST_EXISTS));  /* no PID: cannot tell */
  g_assert_true (g_file_test (p_link, G_FILE_TEST_IS_SYMLINK)); /* never a link */
  g_assert_true (g_file_test (p_target, G_FILE_TEST_EXISTS));

  g_unlink (p_mine);
  g_unlink (p_other);
  g_unlink (p_odd);
  g_unlink (p_legacy);
  g_unlink (p_link);
  g_unlink (p_target);
  g_rmdir (dir);
}

static void
test_replace_keeps_mode (void)
{
  g_autofree char *dir = g_dir_make_tmp ("svd-output-XXXXXX", NULL);
  g_autofree char *out = make_file (dir, "out.mkv", "old");
  g_autofree char *part = make_file (dir, ".out.mkv.svd-1-AAAAAA.part", "new");
  g_autofree char *text = NULL;
  GError *error = NULL;
  struct stat st;

  g_assert_cmpint (g_chmod (out, 0640), ==, 0);
  g_assert_cmpint (g_chmod (part, 0600), ==, 0);
  g_assert_true (svd_output_replace (part, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "new");
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_unlink (out);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/output/check", test_check);
  g_test_add_func ("/core/output/stale-parts", test_stale_parts);
  g_test_add_func ("/core/output/replace-keeps-mode", test_replace_keeps_mode);
  return g_test_run ();
}
