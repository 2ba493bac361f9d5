/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "session/svd-job-queue.h"

G_BEGIN_DECLS

#define SVD_TYPE_APPLICATION (svd_application_get_type ())

G_DECLARE_FINAL_TYPE (SvdApplication, svd_application, SVD, APPLICATION, AdwApplication)

SvdApplication *svd_application_new          (GApplicationFlags  flags);
GSettings      *svd_application_get_settings (SvdApplication    *self);
SvdJobQueue    *svd_application_get_job_queue (SvdApplication   *self);

G_END_DECLS
