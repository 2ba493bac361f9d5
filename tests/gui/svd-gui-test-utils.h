/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "svd-application.h"

G_BEGIN_DECLS

void        svd_gui_test_wait_frames     (GtkWidget  *widget,
                                          guint       n_frames);
void        svd_gui_test_wait_until      (gboolean  (*predicate) (gpointer data),
                                          gpointer    data);
GdkTexture *svd_gui_test_render          (GtkWidget  *widget);
char       *svd_gui_test_save_screenshot (GtkWidget  *widget,
                                          const char *name);
double      svd_gui_test_texture_stddev  (GdkTexture *texture,
                                          guint      *n_colors);
void        svd_gui_test_assert_opaque   (GtkWidget  *window);

GtkWindow  *svd_gui_test_find_window     (GtkApplication *app,
                                          GType           type);
GtkWidget  *svd_gui_test_find_suggested  (GtkWidget      *widget);
void        svd_gui_test_init            (int            *argc,
                                          char         ***argv);
void        svd_gui_test_run_app         (void          (*script) (SvdApplication *app));

G_END_DECLS
