/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What the GUI tests look at inside the chain editor; nothing in the app
 * uses these. */

#include "svd-chain-editor.h"

G_BEGIN_DECLS

guint           svd_chain_editor_get_current  (SvdChainEditor           *self);
gboolean        svd_chain_editor_is_loading   (SvdChainEditor           *self);
const SvdChain *svd_chain_editor_get_chain    (SvdChainEditor           *self,
                                               guint                     chain);
GtkListBox     *svd_chain_editor_get_stage_list   (SvdChainEditor       *self);
GtkListBox     *svd_chain_editor_get_library_list (SvdChainEditor       *self);
GtkEditable    *svd_chain_editor_get_search_entry (SvdChainEditor       *self);
GtkWidget      *svd_chain_editor_get_library_button (SvdChainEditor     *self);
const char     *svd_chain_editor_get_size_warning   (SvdChainEditor   *self);
GtkWindow      *svd_chain_editor_get_close_dialog   (SvdChainEditor   *self);

G_END_DECLS
