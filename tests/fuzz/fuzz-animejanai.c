/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the animejanai.conf [slot_N] section reader. A section
 * that parses must write back (svd_animejanai_slot_to_data) to text that
 * parses to the same slot. */
#include "export/svd-animejanai.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  GError *error = NULL;
  SvdAnimeJaNaiSlot slot, again;
  gboolean ok = svd_animejanai_slot_parse ((const char *) data, size, &slot, &error);

  g_assert (ok == (error == NULL));
  if (ok)
    {
      char *text = svd_animejanai_slot_to_data (&slot);

      if (!svd_animejanai_slot_parse (text, -1, &again, &error))
        g_error ("A parsed section does not parse after writing it back: %s\n%s", error->message, text);
      g_assert_cmpint (again.slot, ==, slot.slot);
      g_assert_cmpint (again.n_models, ==, slot.n_models);
      for (int m = 0; m < slot.n_models; m++)
        g_assert_cmpstr (again.model_names[m], ==, slot.model_names[m]);
      svd_animejanai_slot_clear (&again);
      g_free (text);
    }
  svd_animejanai_slot_clear (&slot);
  g_clear_error (&error);
  return 0;
}
