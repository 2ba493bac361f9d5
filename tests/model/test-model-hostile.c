/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-model-hostile"

/* Hostile ONNX files (issue #22), each generated here, given to a child
 * `svd model info FILE`: it must exit on its own (no signal), refuse the
 * file with a message that names the limit, and stay under 512 MB of
 * resident memory (the child's ru_maxrss from wait4()). Outside ASan the
 * child also runs under a 2 GiB address-space limit, so that a build
 * without the limits fails fast (abort on a refused allocation) instead of
 * eating the machine. Also: a FIFO and a symlink to /dev/zero named .onnx
 * are refused at once, without blocking or reading, and so is a file over
 * the model file size limit. */

#include "svd-test-utils.h"
#include "model-builders.h"
#include "model/svd-graph.h"
#include "model/svd-model-private.h"
#include "model/svd-onnx-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define MAX_RSS_KB (512 * 1024)

static char *tmpdir;

typedef struct {
  int    status;
  long   maxrss_kb;
  char  *err;
} Child;

static void
child_clear (Child *c)
{
  g_clear_pointer (&c->err, g_free);
}

/* Runs `svd model info PATH` with stdout to /dev/null and stderr to a file. */
static void
run_info (const char *path,
          Child      *c)
{
  g_autofree char *svd = g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
  g_autofree char *errpath = g_build_filename (tmpdir, "stderr.txt", NULL);
  struct rusage ru;
  pid_t pid;

  g_assert_true (g_file_test (svd, G_FILE_TEST_IS_EXECUTABLE));
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int out = open ("/dev/null", O_WRONLY);
      int err = open (errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

      if (!UNDER_ASAN)
        {
          struct rlimit rl = { (rlim_t) 2 << 30, (rlim_t) 2 << 30 };

          setrlimit (RLIMIT_AS, &rl);
        }
      dup2 (out, 1);
      dup2 (err, 2);
      execl (svd, svd, "model", "info", path, (char *) NULL);
      _exit (127);
    }
  g_assert_cmpint (wait4 (pid, &c->status, 0, &ru), ==, pid);
  c->maxrss_kb = ru.ru_maxrss;
  g_assert_true (g_file_get_contents (errpath, &c->err, NULL, NULL));
  g_test_message ("%s: %s %d, max RSS %ld KB: %s", path,
                  WIFEXITED (c->status) ? "exit" : "signal",
                  WIFEXITED (c->status) ? WEXITSTATUS (c->status) : WTERMSIG (c->status),
                  c->maxrss_kb, c->err);
}

static char *
write_tmp (const char *name,
           GBytes     *bytes)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, len, &error));
  g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", name, len);
  return path;
}

/* The child exited by itself (no signal: no SIGSEGV, SIGFPE, abort or
 * OOM kill) with @code (-1: any non-zero), under 512 MB, and its stderr
 * holds every needle. */
static void
assert_clean (const Child        *c,
              int                 code,
              const char *const  *needles)
{
  long limit = UNDER_ASAN ? 2 * MAX_RSS_KB : MAX_RSS_KB;  /* ASan's shadow and quarantine */

  g_assert_true (WIFEXITED (c->status));
  if (code < 0)
    g_assert_cmpint (WEXITSTATUS (c->status), !=, 0);
  else
    g_assert_cmpint (WEXITSTATUS (c->status), ==, code);
  g_assert_cmpint (c->maxrss_kb, <, limit);
  for (gsize i = 0; needles != NULL && needles[i]; i++)
    if (strstr (c->err, needles[i]) == NULL)
      g_error ("stderr “%s” does not mention “%s”", c->err, needles[i]);
}

static void
test_nested_types (void)
{
  g_autoptr(GBytes) b = mb_onnx_nested_types (5000);
  g_autofree char *path = write_tmp ("nested-types.onnx", b);
  Child c = { 0 };

  g_assert_cmpuint (g_bytes_get_size (b), <, 40000);
  run_info (path, &c);
  assert_clean (&c, -1, (const char *[]) { "nests", "limit of 32 levels", NULL });
  child_clear (&c);
}

static void
test_nested_graphs (void)
{
  g_autoptr(GBytes) b = mb_onnx_nested_graphs (8000);
  g_autofree char *path = write_tmp ("nested-graphs.onnx", b);
  Child c = { 0 };

  run_info (path, &c);
  assert_clean (&c, -1, (const char *[]) { "nests", "limit of 32 levels", NULL });
  child_clear (&c);
}

static void
test_fold_bomb (void)
{
  g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 23);
  /* 200 adds of 64 MiB (the constant evaluator recurses at most 256 deep):
   * 12.5 GB if every intermediate were kept. */
  MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 200 };
  g_autoptr(GBytes) b = mb_onnx (m, &o);
  g_autofree char *path = write_tmp ("fold-bomb.onnx", b);
  Child c = { 0 };

  g_assert_cmpuint (g_bytes_get_size (b), <, 300000);
  run_info (path, &c);
  assert_clean (&c, -1, (const char *[]) { "constant folding", "memory limit of 256 MiB", NULL });
  child_clear (&c);
}

/* H = W = 2^32 wrapped to 0 in the fixed-size check, then a division by
 * the probe height 0 (SIGFPE). Such a shape cannot be a real fixed size:
 * the model loads as one with a free input size. */
/* fuzz-onnx lowers the constant folder's limits for its own process
 * (svd_onnx_fold_lower_limits_for_fuzzing()): both importers obey the
 * lowered limits, and no call can raise them above the real ones. Run in
 * a child, since the limits are the process's. */
static void
test_fold_fuzz_knob (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 23);
      /* Tiles of 2^14 values (128 KiB as doubles), added six times; a
       * fixed 16×16 input, which the graph importer needs. */
      MbOnnxOptions o = { .shuffle = MB_SHUFFLE_DCR, .fold_bomb_adds = 6, .fold_bomb_log2 = 14,
                          .input_h = 16, .input_w = 16 };
      g_autoptr(GBytes) b = mb_onnx (m, &o);
      gsize len;
      const guint8 *data = g_bytes_get_data (b, &len);

      for (int lowered = 0; lowered < 2; lowered++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GError) graph_error = NULL;
          g_autoptr(SvdModel) r = svd_onnx_parse (data, len, &error);
          g_autoptr(SvdGraph) g = svd_onnx_graph_import (data, len, 16, 16, &graph_error);

          /* A 1-D weight: refused either way, but for the budget only
           * under the lowered limits (512 KiB). */
          g_assert_null (r);
          g_assert_null (g);
          g_assert_nonnull (error);
          g_assert_nonnull (graph_error);
          g_assert_true ((strstr (error->message, "constant folding needs more than") != NULL) == lowered);
          g_assert_true ((strstr (graph_error->message, "constant folding needs more than") != NULL) == lowered);

          /* Asking for more than the limits in force changes nothing. */
          svd_onnx_fold_lower_limits_for_fuzzing (G_MAXSIZE, G_MAXSIZE);
          g_assert_cmpuint (svd_onnx_fold_max_elements (), ==, lowered ? SVD_LIMIT_ONNX_FOLD_ELEMENTS / 512
                                                                        : SVD_LIMIT_ONNX_FOLD_ELEMENTS);
          g_assert_cmpuint (svd_onnx_fold_max_bytes (), ==, lowered ? SVD_LIMIT_ONNX_FOLD_BYTES / 512
                                                                     : SVD_LIMIT_ONNX_FOLD_BYTES);
          svd_onnx_fold_lower_limits_for_fuzzing (SVD_LIMIT_ONNX_FOLD_ELEMENTS / 512,
                                                  SVD_LIMIT_ONNX_FOLD_BYTES / 512);
        }
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_huge_input_shape (void)
{
  static const gint64 sides[] = { (gint64) 1 << 32, (gint64) 1 << 31, G_MAXINT64 };

  for (gsize i = 0; i < 2 * G_N_ELEMENTS (sides); i++)
    {
      g_autoptr(SvdModel) m = mb_random_model (3, 4, 1, 2, 29);
      MbOnnxOptions o = { .shuffle = i % 2 ? MB_SHUFFLE_RESHAPE_DCR : MB_SHUFFLE_DCR,
                          .input_h = sides[i / 2], .input_w = sides[i / 2] };
      g_autoptr(GBytes) b = mb_onnx (m, &o);
      g_autofree char *path = write_tmp ("huge-input.onnx", b);
      Child c = { 0 };

      run_info (path, &c);
      assert_clean (&c, 0, NULL);
      child_clear (&c);
    }
}

static void
test_not_regular (void)
{
  g_autofree char *fifo = g_build_filename (tmpdir, "fifo.onnx", NULL);
  g_autofree char *zero = g_build_filename (tmpdir, "zero.onnx", NULL);
  Child c = { 0 };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("/dev/zero", zero), ==, 0);
  run_info (fifo, &c);
  assert_clean (&c, -1, (const char *[]) { "fifo.onnx", "only regular files are read", NULL });
  child_clear (&c);
  run_info (zero, &c);
  assert_clean (&c, -1, (const char *[]) { "zero.onnx", "only regular files are read", NULL });
  child_clear (&c);
  g_remove (fifo);
  g_remove (zero);
}

/* A (sparse) model file over SVD_LIMIT_MODEL_FILE_BYTES is refused from
 * its size, before anything is mapped or read. */
static void
test_file_too_large (void)
{
  g_autofree char *big = g_build_filename (tmpdir, "big.onnx", NULL);
  int fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Child c = { 0 };

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "\x08\x07", 2), ==, 2);
  g_assert_cmpint (ftruncate (fd, ((off_t) 256 << 20) + 1), ==, 0);
  close (fd);
  run_info (big, &c);
  assert_clean (&c, -1, (const char *[]) { "268435457 bytes", "above the limit of 268435456 bytes", NULL });
  child_clear (&c);
  g_remove (big);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("svd-hostile-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/model-hostile/nested-types", test_nested_types);
  g_test_add_func ("/model-hostile/nested-graphs", test_nested_graphs);
  g_test_add_func ("/model-hostile/fold-bomb", test_fold_bomb);
  g_test_add_func ("/model-hostile/fold-fuzz-knob", test_fold_fuzz_knob);
  g_test_add_func ("/model-hostile/huge-input-shape", test_huge_input_shape);
  g_test_add_func ("/model-hostile/not-regular-file", test_not_regular);
  g_test_add_func ("/model-hostile/file-too-large", test_file_too_large);
  ret = g_test_run ();
  {
    g_autoptr(GDir) d = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);

        g_remove (p);
      }
    g_rmdir (tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
