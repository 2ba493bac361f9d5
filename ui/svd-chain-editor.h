/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "svd.h"

G_BEGIN_DECLS

#define SVD_CHAIN_EDITOR_MAX_CHAINS 4

#define SVD_TYPE_CHAIN_EDITOR (svd_chain_editor_get_type ())

G_DECLARE_FINAL_TYPE (SvdChainEditor, svd_chain_editor, SVD, CHAIN_EDITOR, AdwWindow)

typedef void (*SvdChainEditorApplyFunc) (guint           slot,
                                         const SvdChain *chain,
                                         gpointer        user_data);

SvdChainEditor *svd_chain_editor_new          (GtkWindow                *parent,
                                               const char * const       *folders,
                                               int                       width,
                                               int                       height,
                                               GSettings                *settings);
void            svd_chain_editor_add_folder   (SvdChainEditor           *self,
                                               const char               *folder);
void            svd_chain_editor_set_chain    (SvdChainEditor           *self,
                                               guint                     slot,
                                               const SvdChain           *chain);
void            svd_chain_editor_set_apply_func (SvdChainEditor         *self,
                                                 SvdChainEditorApplyFunc func,
                                                 gpointer                user_data);
guint           svd_chain_editor_get_n_chains (SvdChainEditor           *self);

void            svd_chain_editor_set_reference_size (SvdChainEditor   *self,
                                                     int               width,
                                                     int               height);

const char     *svd_model_tier_label          (const char               *tier);
void            svd_model_library_header_func (GtkListBoxRow            *row,
                                               GtkListBoxRow            *before,
                                               gpointer                  user_data);

char           *svd_chain_step_display_name   (const SvdChainStep       *step);

G_END_DECLS
