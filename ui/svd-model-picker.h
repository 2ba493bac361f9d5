/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "model/svd-model-library.h"

G_BEGIN_DECLS

#define SVD_TYPE_MODEL_PICKER (svd_model_picker_get_type ())
G_DECLARE_FINAL_TYPE (SvdModelPicker, svd_model_picker, SVD, MODEL_PICKER, GtkWidget)

/* The row's second line for @entry (newly allocated); @entry->error is
 * %NULL. */
typedef char *(*SvdModelPickerDetailsFunc) (const SvdModelEntry *entry,
                                            gpointer             user_data);

GtkWidget     *svd_model_picker_new         (gboolean            offer_none);
void           svd_model_picker_set_details_func (SvdModelPicker *self,
                                                  SvdModelPickerDetailsFunc func,
                                                  gpointer        user_data);
void           svd_model_picker_set_scale   (SvdModelPicker     *self,
                                             int                 scale);
void           svd_model_picker_set_searchable (SvdModelPicker  *self,
                                                gboolean         searchable);
void           svd_model_picker_add_footer  (SvdModelPicker     *self,
                                             GtkWidget          *widget);
void           svd_model_picker_set_library (SvdModelPicker     *self,
                                             const char *const  *folders,
                                             GPtrArray          *library,
                                             gboolean            loading);
void           svd_model_picker_popdown     (SvdModelPicker     *self);
GtkListBox    *svd_model_picker_get_list    (SvdModelPicker     *self);
GtkMenuButton *svd_model_picker_get_button  (SvdModelPicker     *self);
GtkPopover    *svd_model_picker_get_popover (SvdModelPicker     *self);
GtkEditable   *svd_model_picker_get_search_entry (SvdModelPicker *self);

G_END_DECLS
