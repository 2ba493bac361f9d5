/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean svd_gui_test_x11_focus (GtkWidget *window);
void     svd_gui_test_x11_press (GtkWidget *window,
                                 guint      modifier_keysym,
                                 guint      keysym);

G_END_DECLS
