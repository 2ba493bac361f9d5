/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The chunk job's C API, as a farm drives it (issue #25): plan a job,
 * restore chunks one at a time in any order, list the missing ones, tell
 * a quick ledger check (size) from a full one (SHA-256), refuse a join
 * while a chunk is missing, and join once all are done. A clip made
 * here with ffmpeg; the chain is a built-in resize, so no model is
 * needed. */
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "model/svd-chain.h"
#include "session/svd-chunk-job.h"
#include "svd-test-utils.h"

static void
assert_missing (SvdChunkJob    *job,
                SvdChunkVerify  verify,
                const guint    *expect,
                guint           n)
{
  g_autoptr(GArray) missing = svd_chunk_job_missing_chunks (job, verify);

  g_assert_cmpuint (missing->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (missing, guint, i), ==, expect[i]);
}

static void
test_chunk_job_api (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("svd-chunk-job-XXXXXX", &error);
  g_autofree char *clip = g_build_filename (dir, "tone.mp4", NULL);
  g_autofree char *out = g_build_filename (dir, "out.mkv", NULL);
  g_autofree char *job_dir = svd_chunk_job_dir_for_output (out);
  g_autofree char *chunk2 = g_build_filename (job_dir, "chunks", "0002.nut", NULL);
  g_autoptr(SvdChain) chain = svd_chain_parse ("bicubic:2", NULL, SVD_CHAIN_LOAD_DEFAULT, &error);
  g_autoptr(SvdChunkJob) job = NULL;
  g_autoptr(SvdChunkJob) again = NULL;
  g_autoptr(SvdChain) loaded = NULL;
  g_auto(SvdRestoreJobResult) result = { 0 };
  SvdChunkJobOptions co;
  SvdRestoreJob rj;
  gint64 frames = 0;
  char *problem = NULL;

  g_assert_no_error (error);
  svd_test_make_tone_clip (clip, 64, 48, 100);

  svd_restore_job_init (&rj);
  rj.input_path = clip;
  rj.output_path = out;
  rj.chain = chain;
  rj.encoder = "ffv1";
  svd_chunk_job_options_init (&co);
  co.chunk_frames = 25;
  job = svd_chunk_job_plan (&rj, &co, job_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (job);
  g_assert_cmpuint (svd_chunk_job_get_n_chunks (job), ==, 4);
  g_assert_cmpint (svd_chunk_job_get_n_frames (job), ==, 100);
  g_assert_cmpint (svd_chunk_job_get_chunk (job, 3)->first, ==, 75);
  g_assert_cmpint (svd_chunk_job_get_chunk (job, 3)->end, ==, 100);
  assert_missing (job, SVD_CHUNK_VERIFY_QUICK, (guint[]) { 0, 1, 2, 3 }, 4);

  /* Planning over an existing job folder fails and leaves it alone. */
  g_assert_null (svd_chunk_job_plan (&rj, &co, job_dir, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_IO);
  g_clear_error (&error);

  /* Another process (a farm node) opens it and restores chunks 2 and 0,
   * with the chain the job names. */
  again = svd_chunk_job_open (job_dir, &error);
  g_assert_no_error (error);
  g_assert_true (svd_chunk_job_matches (again, &rj, &co, &error));
  g_assert_no_error (error);
  loaded = svd_chunk_job_load_chain (again, &error);
  g_assert_no_error (error);
  svd_chunk_job_fill_restore_job (again, &rj);
  rj.chain = loaded;
  result.reuse_worst_psnr_y = INFINITY;
  g_assert_true (svd_chunk_job_run_chunk (again, 2, &rj, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.frames, ==, 25);
  g_assert_true (svd_chunk_job_run_chunk (again, 0, &rj, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result.frames, ==, 50);
  /* Idempotent: a done chunk is left as it is. */
  g_assert_true (svd_chunk_job_run_chunk (again, 0, &rj, &result, &error));
  g_assert_cmpint (result.frames, ==, 50);
  assert_missing (job, SVD_CHUNK_VERIFY_CHECKSUM, (guint[]) { 1, 3 }, 2);

  /* A damaged chunk of the right size passes the quick check only. */
  {
    FILE *f = fopen (chunk2, "r+b");

    g_assert_nonnull (f);
    fseek (f, 300, SEEK_SET);
    fputs ("damage", f);
    fclose (f);
  }
  assert_missing (job, SVD_CHUNK_VERIFY_QUICK, (guint[]) { 1, 3 }, 2);
  assert_missing (job, SVD_CHUNK_VERIFY_CHECKSUM, (guint[]) { 1, 2, 3 }, 3);
  g_assert_cmpint (svd_chunk_job_verify_chunk (job, 2, SVD_CHUNK_VERIFY_CHECKSUM, &problem), ==, SVD_CHUNK_BAD);
  g_assert_nonnull (strstr (problem, "checksum"));
  g_clear_pointer (&problem, g_free);

  /* The join refuses, naming what is missing; nothing is written. */
  g_assert_false (svd_chunk_job_join (job, NULL, &frames, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "3 of 4 chunks are not done: 1, 2"));
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* The bad chunk is restored again, the others too; then the join. */
  for (guint i = 1; i < 4; i++)
    {
      g_assert_true (svd_chunk_job_run_chunk (again, i, &rj, NULL, &error));
      g_assert_no_error (error);
    }
  assert_missing (job, SVD_CHUNK_VERIFY_CHECKSUM, NULL, 0);
  g_assert_true (svd_chunk_job_join (job, NULL, &frames, &error));
  g_assert_no_error (error);
  g_assert_cmpint (frames, ==, 100);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (job_dir, G_FILE_TEST_EXISTS));
  svd_test_assert_same_audio (clip, out);

  /* No chunk 4. */
  g_assert_false (svd_chunk_job_run_chunk (again, 4, &rj, NULL, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  svd_test_remove_tree (dir);
}

static void
test_remove_dir_refuses_other_folders (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("svd-chunk-job-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "precious.txt", NULL);

  g_assert_true (g_file_set_contents (file, "keep me", -1, NULL));
  g_assert_false (svd_chunk_job_remove_dir (dir, &error));
  g_assert_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  svd_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  svd_test_require_ffmpeg_cli ();
  g_test_add_func ("/chunk-job/api", test_chunk_job_api);
  g_test_add_func ("/chunk-job/remove-dir", test_remove_dir_refuses_other_folders);
  return g_test_run ();
}
