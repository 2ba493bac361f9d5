/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the safetensors header validation and conversion. */
#include "model/svd-model-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdStateDict *d = svd_safetensors_parse (data, size, SVD_STATE_DICT_DEFAULT, &error);

  g_assert ((d == NULL) == (error != NULL));
  g_clear_pointer (&d, svd_state_dict_unref);
  g_clear_error (&error);
  return 0;
}
