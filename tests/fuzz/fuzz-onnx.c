/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the ONNX reader (protobuf-c decode + structural match),
 * and the general graph importer (issue #27) at a second, odd size. */
#include "model/svd-model-private.h"
#include "model/svd-graph.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

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
