/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "model/svd-model-library.h"

G_BEGIN_DECLS

#define SVD_TYPE_MODEL_PICKER (svd_model_picker_get_type ())
G_DECLARE_FINAL_TYPE (SvdModelPicker, svd_model_picker, SVD, MODEL_PICKER, GtkWidget)

GtkWidget     *svd_model_picker_new         (gboolean            offer_none);
void           svd_model_picker_set_library (SvdModelPicker     *self,
                                             const char *const  *folders,
                                             GPtrArray          *library,
                                             gboolean            loading);
void           svd_model_picker_popdown     (SvdModelPicker     *self);
GtkListBox    *svd_model_picker_get_list    (SvdModelPicker     *self);
GtkMenuButton *svd_model_picker_get_button  (SvdModelPicker     *self);

G_END_DECLS
