/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SvdTicks:
 * @first: the first tick, at or above the range's start
 * @step: the distance between ticks: 1, 2, 2.5 or 5 times a power of ten
 * @n: how many ticks fall in the range
 * @decimals: the decimals that print every tick exactly and distinctly
 *
 * Axis ticks at "nice" values for a plot's range.
 */
typedef struct {
  double first;
  double step;
  guint  n;
  int    decimals;
} SvdTicks;

gboolean svd_ticks_compute (double    lo,
                            double    hi,
                            guint     max_ticks,
                            SvdTicks *ticks);
double   svd_ticks_value   (const SvdTicks *ticks,
                            guint           i);
char    *svd_ticks_label   (const SvdTicks *ticks,
                            guint           i);

G_END_DECLS
