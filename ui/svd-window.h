/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "svd-application.h"
#include "svd-plot.h"
#include "session/svd-session.h"
#include "svd-viewer.h"

G_BEGIN_DECLS

#define SVD_TYPE_WINDOW (svd_window_get_type ())

G_DECLARE_FINAL_TYPE (SvdWindow, svd_window, SVD, WINDOW, AdwApplicationWindow)

SvdWindow *svd_window_new        (SvdApplication *application);
void       svd_window_open_file  (SvdWindow      *self,
                                  GFile          *file);
void       svd_window_show_toast (SvdWindow      *self,
                                  const char     *message);
void       svd_window_show_demo  (SvdWindow      *self);
GtkWindow *svd_window_export     (SvdWindow      *self);
GtkWindow *svd_window_edit_chains (SvdWindow     *self);
gboolean   svd_window_is_demo_pending (SvdWindow  *self);
SvdPlot   *svd_window_get_plot   (SvdWindow      *self);
GMenuModel *svd_window_get_recent_menu (SvdWindow    *self);
SvdViewer *svd_window_get_viewer (SvdWindow      *self);
void       svd_window_go_to_frame     (SvdWindow *self,
                                       gint64     index);
gint64     svd_window_get_shown_frame (SvdWindow *self);
void       svd_window_set_up_session  (SvdWindow             *self,
                                       GFile                 *file);
void       svd_window_start_session   (SvdWindow             *self,
                                       const SvdSessionSetup *setup);
void       svd_window_set_chain_paths (SvdWindow             *self,
                                       guint                  slot,
                                       const char * const    *paths);
const char *svd_window_get_readout    (SvdWindow             *self,
                                       guint                  slot);
const SvdSessionInfo *svd_window_get_session_info (SvdWindow *self);
SvdDistsMode svd_window_get_dists_mode (SvdWindow             *self);
gboolean   svd_window_get_playing     (SvdWindow             *self);
gboolean   svd_window_is_busy         (SvdWindow             *self);
double     svd_window_get_longest_update (SvdWindow          *self,
                                          gboolean            reset);

G_END_DECLS
