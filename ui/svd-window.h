/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "svd-application.h"
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
SvdViewer *svd_window_get_viewer (SvdWindow      *self);
void       svd_window_go_to_frame     (SvdWindow *self,
                                       gint64     index);
gint64     svd_window_get_shown_frame (SvdWindow *self);

G_END_DECLS
