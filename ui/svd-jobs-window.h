/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "session/svd-job-queue.h"
#include "svd-application.h"
#include "svd-window.h"

G_BEGIN_DECLS

#define SVD_TYPE_JOBS_WINDOW (svd_jobs_window_get_type ())

G_DECLARE_FINAL_TYPE (SvdJobsWindow, svd_jobs_window, SVD, JOBS_WINDOW, AdwWindow)

SvdJobsWindow *svd_jobs_window_present    (SvdApplication *app);
void           svd_jobs_window_show_toast (SvdJobsWindow  *self,
                                           const char     *message);
GtkWidget     *svd_jobs_window_get_row    (SvdJobsWindow  *self,
                                           guint           index);

SvdQueueJob   *svd_jobs_add_current_clip  (SvdWindow      *window,
                                           const char     *output,
                                           const char     *encoder,
                                           GError        **error);
guint          svd_jobs_add_clips         (SvdWindow      *window,
                                           GListModel     *files,
                                           const char     *encoder,
                                           GError        **error);
void           svd_jobs_choose_output     (SvdWindow      *window);

G_END_DECLS
