/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "engine/svd-cl.h"

G_BEGIN_DECLS

double svd_cl_measure_fma_peak (SvdClContext  *context,
                                double        *check_error,
                                GError       **error);
float  svd_fma_peak_ref        (int            gid,
                                int            iters,
                                float          a,
                                float          b);

G_END_DECLS
