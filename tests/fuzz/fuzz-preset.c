/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the chain preset JSON reader (svd_preset_parse), with
 * SVD_CHAIN_LOAD_NO_MODELS so that fuzzed paths are never opened. A preset
 * that parses must write back (svd_preset_to_data) to text that parses to
 * the same steps. */
#include "model/svd-preset.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdChain *chain = svd_preset_parse ((const char *) data, size, "/nonexistent-base",
                                      SVD_CHAIN_LOAD_NO_MODELS, &error);

  g_assert ((chain == NULL) == (error != NULL));
  if (chain != NULL)
    {
      gsize len = 0;
      char *text = svd_preset_to_data (chain, "/nonexistent-base", &len);
      SvdChain *again = svd_preset_parse (text, len, "/nonexistent-base", SVD_CHAIN_LOAD_NO_MODELS, &error);

      if (again == NULL)
        g_error ("A parsed preset does not parse after writing it back: %s\n%s", error->message, text);
      g_assert_cmpuint (again->steps->len, ==, chain->steps->len);
      for (guint i = 0; i < chain->steps->len; i++)
        {
          const SvdChainStep *a = g_ptr_array_index (chain->steps, i);
          const SvdChainStep *b = g_ptr_array_index (again->steps, i);

          g_assert_cmpint (a->type, ==, b->type);
          g_assert_cmpint (a->nf, ==, b->nf);
          g_assert_cmpint (a->filter, ==, b->filter);
        }
      svd_chain_free (again);
      g_free (text);
      svd_chain_free (chain);
    }
  g_clear_error (&error);
  return 0;
}
