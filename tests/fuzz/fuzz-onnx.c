/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the ONNX reader (protobuf-c decode + structural match),
 * and the general graph importer (issue #27) at a second, odd size.
 *
 * The constant folder's limits are lowered for this process
 * (svd_onnx_fold_lower_limits_for_fuzzing()) to 1/512 of the real ones,
 * in the same ratio: an input at the limit (the folding bomb seed and its
 * mutants) then costs about a millisecond of element-wise work instead of
 * seconds under ASan, and still takes the same refusal paths. The tiny
 * seeds' weights and pixel-shuffle probes fit far below them. The real
 * limits are tested in tests/model (test-model-hostile, test-parser-limits,
 * test-model-library); SVD_FUZZ_FOLD_LIMITS=real keeps them here too. */
#include "model/svd-model-private.h"
#include "model/svd-graph.h"
#include "model/svd-onnx-util.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  if (g_strcmp0 (g_getenv ("SVD_FUZZ_FOLD_LIMITS"), "real") != 0)
    svd_onnx_fold_lower_limits_for_fuzzing (SVD_LIMIT_ONNX_FOLD_ELEMENTS / 512, SVD_LIMIT_ONNX_FOLD_BYTES / 512);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdModel *m = svd_onnx_parse (data, size, &error);

  /* Returns NULL exactly when it set the error. */
  g_assert ((m == NULL) == (error != NULL));
  if (m != NULL && m->graph != NULL)
    {
      SvdGraph *g = svd_model_graph_at (m, 37, 23, &error);

      g_assert ((g == NULL) == (error != NULL));
      g_clear_pointer (&g, svd_graph_free);
      g_clear_error (&error);
    }
  g_clear_pointer (&m, svd_model_unref);
  g_clear_error (&error);
  return 0;
}
