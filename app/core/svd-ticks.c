/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-ticks"

#include "svd-ticks.h"

#include <math.h>

/* Axis ticks for the GUI's plots: steps of 1, 2, 2.5 or 5 times a power of
 * ten, as many as fit, labelled with just enough decimals that no two
 * labels print alike (the Pareto plot's axis once read "1.3" at both
 * ends of 1.25–1.34 fps). Plain C so a unit test covers it. */

/**
 * svd_ticks_compute:
 * @lo: the axis' start
 * @hi: the axis' end, above @lo
 * @max_ticks: the most ticks wanted, at least 2 (from 4 on, there are
 *   always at least 2)
 * @ticks: (out): the ticks
 *
 * Returns: %FALSE if the range is empty or not finite (@ticks then has
 *   none)
 */
gboolean
svd_ticks_compute (double    lo,
                   double    hi,
                   guint     max_ticks,
                   SvdTicks *ticks)
{
  static const double nice[] = { 1, 2, 2.5, 5 };
  double raw, mag, step = 0;
  gboolean found = FALSE;
  int decimals;

  *ticks = (SvdTicks) { 0 };
  if (!isfinite (lo) || !isfinite (hi) || hi <= lo || max_ticks < 2)
    return FALSE;
  /* The smallest nice step that gives at most max_ticks ticks. */
  raw = (hi - lo) / (max_ticks - 1);
  mag = pow (10, floor (log10 (raw)) - 1);
  for (int decade = 0; decade < 3 && !found; decade++, mag *= 10)
    for (guint i = 0; i < G_N_ELEMENTS (nice) && !found; i++)
      {
        step = nice[i] * mag;
        found = floor (hi / step + 1e-9) - ceil (lo / step - 1e-9) + 1 <= max_ticks;
      }
  ticks->step = step;
  ticks->first = ceil (lo / step - 1e-9) * step;
  ticks->n = (guint) MAX (0, floor ((hi - ticks->first) / step + 1e-9) + 1);
  /* Decimals of the step itself: 0.25 needs 2, 0.5 needs 1, 20 needs 0. */
  decimals = 0;
  while (decimals < 12 && fabs (step * pow (10, decimals) - round (step * pow (10, decimals))) > 1e-6 * step * pow (10, decimals))
    decimals++;
  ticks->decimals = decimals;
  return ticks->n > 0;
}

/**
 * svd_ticks_value:
 * @ticks: ticks
 * @i: which, below @ticks->n
 *
 * Returns: the value of tick @i
 */
double
svd_ticks_value (const SvdTicks *ticks,
                 guint           i)
{
  double v = ticks->first + i * ticks->step;

  /* No "-0" and no 0.30000000000000004. */
  v = round (v * pow (10, ticks->decimals)) / pow (10, ticks->decimals);
  return v == 0 ? 0 : v;
}

/**
 * svd_ticks_label:
 * @ticks: ticks
 * @i: which, below @ticks->n
 *
 * Returns: (transfer full): tick @i printed with @ticks->decimals
 *   decimals, in the C locale's digits
 */
char *
svd_ticks_label (const SvdTicks *ticks,
                 guint           i)
{
  return g_strdup_printf ("%.*f", ticks->decimals, svd_ticks_value (ticks, i));
}
