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

/* The device's peak as the best of every measurement on this device and
 * driver, kept in the kernel cache dir: a measurement taken while other
 * work shares the device reads low, so one run alone understates it. */
typedef struct {
  double gflops;        /* best known: max (stored, this run); < 0: none */
  double measured;      /* this run's measurement; < 0: not measured */
  double check_error;   /* the kernel against its C twin, this run */
  int    n_measured;    /* measurements the best is taken over */
} SvdFmaPeak;

gboolean svd_cl_fma_peak_best (SvdClContext  *context,
                               const char    *cache_dir,
                               gboolean       measure,
                               SvdFmaPeak    *peak,
                               GError       **error);

G_END_DECLS
