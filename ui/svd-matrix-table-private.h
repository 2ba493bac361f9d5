/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests look at inside the Benchmark Matrix table; nothing
 * in the app uses these. */

#include "svd-matrix-table.h"

G_BEGIN_DECLS

gboolean                 svd_matrix_row_object_is_stale  (SvdMatrixRowObject      *self);
const SvdBenchMatrixRow *svd_matrix_row_object_get_row   (GObject                 *item);

G_END_DECLS
