/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "session/svd-job-queue.h"

G_BEGIN_DECLS

#define SVD_TYPE_JOBS_ROW (svd_jobs_row_get_type ())

G_DECLARE_FINAL_TYPE (SvdJobsRow, svd_jobs_row, SVD, JOBS_ROW, GtkListBoxRow)

GtkWidget   *svd_jobs_row_new        (SvdJobQueue *queue,
                                      SvdQueueJob *job);
SvdQueueJob *svd_jobs_row_get_job    (SvdJobsRow  *self);
const char  *svd_jobs_row_get_status (SvdJobsRow  *self);

G_END_DECLS
