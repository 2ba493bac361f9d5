/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the ONNX reader (protobuf-c decode + structural match). */
#include "model/svd-model-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdModel *m = svd_onnx_parse (data, size, &error);

  /* Returns NULL exactly when it set the error. */
  g_assert ((m == NULL) == (error != NULL));
  g_clear_pointer (&m, svd_model_unref);
  g_clear_error (&error);
  return 0;
}
