/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the restricted unpickler alone, on data.pkl bytes. Every
 * storage resolves to the same 4 KiB of zeros so tensors get built too. */
#include "model/svd-model-private.h"
#include "model/svd-pickle.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint8 zeros[4096];

static gboolean
resolve (gpointer        user_data,
         const char     *key,
         const guint8  **out,
         gsize          *len,
         GError        **error)
{
  *out = zeros;
  *len = sizeof zeros;
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  SvdPickle *p = svd_pickle_new ();
  GError *error = NULL;
  gsize consumed = 0;
  SvdPickleValue *root = svd_pickle_load (p, data, size, &consumed, &error);

  g_assert ((root == NULL) == (error != NULL));
  if (root != NULL)
    {
      SvdStateDict *d;

      g_assert (consumed <= size);
      d = svd_pickle_to_state_dict (root, SVD_MODEL_FORMAT_PTH, SVD_STATE_DICT_DEFAULT, resolve, NULL,
                                    1 << 20, &error);
      g_assert ((d == NULL) == (error != NULL));
      g_clear_pointer (&d, svd_state_dict_unref);
    }
  g_clear_error (&error);
  svd_pickle_free (p);
  return 0;
}
