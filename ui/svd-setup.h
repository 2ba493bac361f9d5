/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "session/svd-session.h"

G_BEGIN_DECLS

typedef void (*SvdSetupFunc) (const SvdSessionSetup *setup,
                              gpointer               user_data);

GtkWindow *svd_setup_dialog_new (GtkWindow    *parent,
                                 GFile        *file,
                                 SvdSetupFunc  func,
                                 gpointer      user_data);

void       svd_combo_row_show_whole_items (AdwComboRow *row);

G_END_DECLS
