/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "svd-application.h"
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
SvdViewer *svd_window_get_viewer (SvdWindow      *self);
void       svd_window_go_to_frame     (SvdWindow *self,
                                       gint64     index);
void       svd_window_set_up_session  (SvdWindow             *self,
                                       GFile                 *file);
void       svd_window_start_session   (SvdWindow             *self,
                                       const SvdSessionSetup *setup);
void       svd_window_set_chain       (SvdWindow             *self,
                                       guint                  slot,
                                       const SvdChain        *chain);
void       svd_window_set_chain_paths (SvdWindow             *self,
                                       guint                  slot,
                                       const char * const    *paths);

/* Getters for tests are in svd-window-private.h. */

G_END_DECLS
