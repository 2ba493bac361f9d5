/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: SRVGGNetCompact detection from a state dict. The input
 * is a safetensors file (so the fuzzer controls key names and shapes
 * cheaply); whatever parses goes through svd_model_from_state_dict(). */
#include "model/svd-model-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdStateDict *d = svd_safetensors_parse (data, size, SVD_STATE_DICT_DEFAULT, &error);

  g_clear_error (&error);
  if (d != NULL)
    {
      SvdModel *m = svd_model_from_state_dict (d, &error);

      g_assert ((m == NULL) == (error != NULL));
      if (m != NULL)
        g_assert (svd_model_validate (m, NULL));
      g_clear_pointer (&m, svd_model_unref);
      g_clear_error (&error);
      svd_state_dict_unref (d);
    }
  return 0;
}
