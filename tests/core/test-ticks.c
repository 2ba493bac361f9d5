/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ticks"

#include <math.h>
#include <string.h>

#include "core/svd-ticks.h"

/* Issue #24: the Benchmark Matrix's fps axis read "1.3" at both ends of a
 * 1.25–1.34 fps range (two labels printed with one decimal). Ticks must
 * be nice values inside the range, evenly spaced, and every label
 * distinct and in order. */

static void
check_range (double lo,
             double hi,
             guint  max_ticks)
{
  SvdTicks t;
  g_autofree char *prev = NULL;

  g_assert_true (svd_ticks_compute (lo, hi, max_ticks, &t));
  g_test_message ("[%g, %g] max %u: first %g step %g n %u decimals %d", lo, hi, max_ticks, t.first, t.step,
                  t.n, t.decimals);
  g_assert_cmpuint (t.n, >=, 2);
  g_assert_cmpuint (t.n, <=, max_ticks);
  for (guint i = 0; i < t.n; i++)
    {
      double v = svd_ticks_value (&t, i);
      g_autofree char *label = svd_ticks_label (&t, i);
      double mant = t.step / pow (10, floor (log10 (t.step)));

      g_assert_cmpfloat (v, >=, lo - 1e-9 * fabs (hi - lo));
      g_assert_cmpfloat (v, <=, hi + 1e-9 * fabs (hi - lo));
      g_assert_true (fabs (mant - 1) < 1e-9 || fabs (mant - 2) < 1e-9 || fabs (mant - 2.5) < 1e-9
                     || fabs (mant - 5) < 1e-9);
      /* The label reads back as the tick's value. */
      g_assert_cmpfloat (fabs (g_ascii_strtod (label, NULL) - v), <, 1e-9 * MAX (1, fabs (v)));
      if (prev != NULL)
        {
          g_assert_cmpstr (label, !=, prev);
          g_assert_cmpfloat (g_ascii_strtod (label, NULL), >, g_ascii_strtod (prev, NULL));
        }
      g_free (prev);
      prev = g_steal_pointer (&label);
    }
}

static void
test_narrow_fps (void)
{
  SvdTicks t;

  /* The range the old axis printed as "1.3" … "1.3". */
  check_range (1.25, 1.34, 6);
  g_assert_true (svd_ticks_compute (1.25, 1.34, 6, &t));
  g_assert_cmpfloat (t.step, ==, 0.02);
  g_assert_cmpint (t.decimals, ==, 2);
  {
    g_autofree char *a = svd_ticks_label (&t, 0);
    g_autofree char *b = svd_ticks_label (&t, t.n - 1);

    g_assert_cmpstr (a, ==, "1.26");
    g_assert_cmpstr (b, ==, "1.34");
  }
}

static void
test_ranges (void)
{
  static const double ranges[][2] = {
    { 0, 1 }, { 0, 100 }, { 0.5, 240 }, { 31.2, 36.7 }, { 0.8812, 0.9391 }, { -3, 7 }, { 1e-4, 3e-4 },
    { 1000, 1000.4 }, { 12.3456, 12.3461 }, { 2, 7.5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    for (guint m = 4; m <= 8; m++)
      check_range (ranges[i][0], ranges[i][1], m);
}

static void
test_degenerate (void)
{
  SvdTicks t;

  g_assert_false (svd_ticks_compute (1, 1, 5, &t));
  g_assert_false (svd_ticks_compute (2, 1, 5, &t));
  g_assert_false (svd_ticks_compute (NAN, 1, 5, &t));
  g_assert_false (svd_ticks_compute (0, INFINITY, 5, &t));
  g_assert_false (svd_ticks_compute (0, 1, 1, &t));
  g_assert_cmpuint (t.n, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/ticks/narrow-fps", test_narrow_fps);
  g_test_add_func ("/core/ticks/ranges", test_ranges);
  g_test_add_func ("/core/ticks/degenerate", test_degenerate);

  return g_test_run ();
}
