/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SvdScheduler on Slurm: sbatch, squeue and scancel on this machine (a
 * submit host of the cluster; SLURM_CONF in the environment names the
 * cluster when it is not the system's). */
#pragma once

#include "svd-scheduler.h"

G_BEGIN_DECLS

#define SVD_TYPE_SLURM (svd_slurm_get_type ())
G_DECLARE_FINAL_TYPE (SvdSlurm, svd_slurm, SVD, SLURM, GObject)

SvdSlurm *svd_slurm_new                (void);
char     *svd_slurm_task_script        (const char *const *argv,
                                        gboolean           array_task,
                                        const char        *log_dir);

G_END_DECLS
