/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tiers/svd-bench-matrix.h"

G_BEGIN_DECLS

#define SVD_TYPE_MATRIX_ROW_OBJECT (svd_matrix_row_object_get_type ())
G_DECLARE_FINAL_TYPE (SvdMatrixRowObject, svd_matrix_row_object, SVD, MATRIX_ROW_OBJECT, GObject)

SvdMatrixRowObject      *svd_matrix_row_object_new       (const SvdBenchMatrixRow *row,
                                                          guint                    index,
                                                          gboolean                 stale);
guint                    svd_matrix_row_object_get_index (SvdMatrixRowObject      *self);
void                     svd_matrix_row_object_set_recommended (SvdMatrixRowObject *self,
                                                                gboolean            recommended);
gboolean                 svd_matrix_row_object_get_recommended (SvdMatrixRowObject *self);
void                     svd_matrix_table_add_columns    (GtkColumnView           *table);

G_END_DECLS
