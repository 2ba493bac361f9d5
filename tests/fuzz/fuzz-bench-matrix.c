/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the benchmark matrix results reader
 * (svd_bench_matrix_parse(), behind `svd bench-matrix` and the matrix
 * window's saved results). Every row that parses must format as CSV (its
 * strings are never NULL, whatever types the file gave). */
#include "tiers/svd-bench-matrix.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  GPtrArray *rows = svd_bench_matrix_parse ((const char *) data, (gssize) size, "fuzz.json", &error);

  g_assert ((rows == NULL) == (error != NULL));
  if (rows != NULL)
    {
      char *csv = svd_bench_matrix_to_csv (rows);

      for (guint i = 0; i < rows->len; i++)
        {
          const SvdBenchMatrixRow *r = rows->pdata[i];

          g_assert (r->device != NULL && r->chain != NULL && r->key != NULL);
          g_assert (r->n_stages >= 0 && r->n_stages <= SVD_ENGINE_MAX_STAGES);
        }
      g_free (csv);
      g_ptr_array_unref (rows);
    }
  g_clear_error (&error);
  return 0;
}
