/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "svd-application.h"
#include "svd-window-private.h"

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

gboolean    svd_gui_test_readout_ready   (SvdWindow      *window,
                                          gint64          frame);
gboolean    svd_gui_test_dists_ready     (SvdWindow      *window,
                                          gint64          frame,
                                          const char     *variant);
JsonParser *svd_gui_test_cli_metrics     (const char     *reference,
                                          const char     *input,
                                          const char     *chain,
                                          const char     *dists_variant,
                                          int             n_frames);
double      svd_gui_test_cli_frame_value (JsonParser     *parser,
                                          gint64          index,
                                          const char     *member);

G_END_DECLS
