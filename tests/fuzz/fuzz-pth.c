/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: .pth files, zip (with our zip reader) and legacy, through
 * the restricted unpickler. */
#include "model/svd-model-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdStateDict *d = NULL;

  if (size >= 4 && memcmp (data, "PK\003\004", 4) == 0)
    d = svd_pth_parse_zip (data, size, SVD_STATE_DICT_DEFAULT, &error);
  else
    d = svd_pth_parse_legacy (data, size, SVD_STATE_DICT_DEFAULT, &error);
  g_assert ((d == NULL) == (error != NULL));
  g_clear_pointer (&d, svd_state_dict_unref);
  g_clear_error (&error);
  return 0;
}
