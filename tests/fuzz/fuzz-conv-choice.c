/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the conv-choice.ini reader (svd_conv_choice_parse(),
 * the `--conv auto` cache kept beside the kernel binaries in the user's
 * cache folder). A choice it returns is one of the three algorithms, with
 * one of the blockings. The
 * group and key are the ones fuzz-seeds writes, so the seeds reach the
 * value parsing. */
#include "svd-config.h"
#include "engine/svd-winograd-cl.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static char *key;
  SvdConvChoice choice = { (SvdConvAlgo) -1, -1 };

  if (key == NULL)
    key = svd_conv_choice_key (24, 24, FALSE, FALSE, 2);
  if (svd_conv_choice_parse ((const char *) data, size, "Seed platform | Seed device | 1.0 | " SVD_VERSION,
                             key, &choice))
    {
      g_assert (choice.algo == SVD_CONV_ALGO_DIRECT || choice.algo == SVD_CONV_ALGO_WINO2 ||
                choice.algo == SVD_CONV_ALGO_WINO4);
      g_assert (choice.block >= 0 && choice.block < SVD_WINO_N_BLOCKS);
      g_assert (choice.algo != SVD_CONV_ALGO_DIRECT || choice.block == 0);
    }
  return 0;
}
