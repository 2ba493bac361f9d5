/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-settings.h"

G_BEGIN_DECLS

/* The queue file in the user's state folder: $XDG_STATE_HOME/svd-studio/jobs.json */
#define SVD_JOB_QUEUE_FILE_NAME "jobs.json"

/**
 * SvdQueueJobState:
 * @SVD_QUEUE_JOB_QUEUED: waiting for its turn (or interrupted when the
 *   app quit: it runs again, resuming its finished chunks)
 * @SVD_QUEUE_JOB_RUNNING: restoring on the queue's worker thread
 * @SVD_QUEUE_JOB_PAUSING: running; stops once the current chunk is done
 * @SVD_QUEUE_JOB_PAUSED: stopped by the user with its finished chunks
 *   kept; runs again only when resumed
 * @SVD_QUEUE_JOB_DONE: the output is written and the job folder removed
 * @SVD_QUEUE_JOB_FAILED: stopped with an error (the message says why);
 *   finished chunks are kept, so resuming retries the rest
 * @SVD_QUEUE_JOB_CANCELLED: stopped by the user, its job folder deleted
 */
typedef enum {
  SVD_QUEUE_JOB_QUEUED,
  SVD_QUEUE_JOB_RUNNING,
  SVD_QUEUE_JOB_PAUSING,
  SVD_QUEUE_JOB_PAUSED,
  SVD_QUEUE_JOB_DONE,
  SVD_QUEUE_JOB_FAILED,
  SVD_QUEUE_JOB_CANCELLED,
} SvdQueueJobState;

/**
 * SvdQueueJobSpec:
 * @input: the clip to restore
 * @output: the file to write (its extension picks the container); its
 *   job folder is @output.svdjob
 * @chain: the chain as text (svd_chain_to_string(): model files with
 *   absolute paths, built-in resizes, presets)
 * @encoder: (nullable): FFmpeg encoder or alias; %NULL for the
 *   container's default
 * @crf: constant rate factor; -1 for the encoder's default
 * @preset: (nullable): encoder preset
 * @pix_fmt: (nullable): output pixel format; %NULL for the input's
 * @precision: the precision the chain runs in (part of the job: a resumed
 *   job must run in the precision it was planned with)
 * @chunk_frames: the longest chunk; 0 for about ten seconds
 * @copy_audio: stream-copy the input's audio
 * @copy_subtitles: stream-copy the input's subtitles
 *
 * What a restore job restores; the strings are borrowed by
 * svd_job_queue_add(), which copies them. Fill it with
 * svd_queue_job_spec_init() first.
 */
typedef struct {
  const char   *input;
  const char   *output;
  const char   *chain;
  const char   *encoder;
  int           crf;
  const char   *preset;
  const char   *pix_fmt;
  SvdPrecision  precision;
  gint64        chunk_frames;
  gboolean      copy_audio;
  gboolean      copy_subtitles;
} SvdQueueJobSpec;

/**
 * SvdJobQueueSettingsFunc:
 * @settings: (out caller-allocates): the engine settings (device…) to
 *   fill; the job's own precision replaces the one given here
 * @user_data: the data given to svd_job_queue_set_settings_func()
 *
 * Called on the worker thread when a job starts.
 */
typedef void (*SvdJobQueueSettingsFunc) (SvdSettings *settings,
                                         gpointer     user_data);

#define SVD_TYPE_QUEUE_JOB (svd_queue_job_get_type ())
G_DECLARE_FINAL_TYPE (SvdQueueJob, svd_queue_job, SVD, QUEUE_JOB, GObject)

#define SVD_TYPE_JOB_QUEUE (svd_job_queue_get_type ())
G_DECLARE_FINAL_TYPE (SvdJobQueue, svd_job_queue, SVD, JOB_QUEUE, GObject)

void              svd_queue_job_spec_init            (SvdQueueJobSpec *spec);

guint             svd_queue_job_get_id               (SvdQueueJob     *self);
const char       *svd_queue_job_get_input            (SvdQueueJob     *self);
const char       *svd_queue_job_get_output           (SvdQueueJob     *self);
const char       *svd_queue_job_get_chain            (SvdQueueJob     *self);
const char       *svd_queue_job_get_encoder          (SvdQueueJob     *self);
const char       *svd_queue_job_get_job_dir          (SvdQueueJob     *self);
SvdQueueJobState  svd_queue_job_get_state            (SvdQueueJob     *self);
const char       *svd_queue_job_get_message          (SvdQueueJob     *self);
gint64            svd_queue_job_get_frames_done      (SvdQueueJob     *self);
gint64            svd_queue_job_get_frames_total     (SvdQueueJob     *self);
gint64            svd_queue_job_get_frames_reused    (SvdQueueJob     *self);
guint             svd_queue_job_get_chunks_done      (SvdQueueJob     *self);
guint             svd_queue_job_get_n_chunks         (SvdQueueJob     *self);
guint             svd_queue_job_get_chunks_done_before (SvdQueueJob   *self);
guint             svd_queue_job_get_chunks_restored  (SvdQueueJob     *self);
const char       *svd_queue_job_state_to_string      (SvdQueueJobState state);

char             *svd_job_queue_default_path         (void);
SvdJobQueue      *svd_job_queue_new                  (const char      *path);
const char       *svd_job_queue_get_path             (SvdJobQueue     *self);
gboolean          svd_job_queue_load                 (SvdJobQueue     *self,
                                                      GError         **error);
gboolean          svd_job_queue_save                 (SvdJobQueue     *self,
                                                      GError         **error);
gboolean          svd_job_queue_is_read_only         (SvdJobQueue     *self);
void              svd_job_queue_set_settings_func    (SvdJobQueue     *self,
                                                      SvdJobQueueSettingsFunc func,
                                                      gpointer         user_data);
SvdQueueJob      *svd_job_queue_add                  (SvdJobQueue     *self,
                                                      const SvdQueueJobSpec *spec,
                                                      GError         **error);
SvdQueueJob      *svd_job_queue_find                 (SvdJobQueue     *self,
                                                      guint            id);
void              svd_job_queue_start                (SvdJobQueue     *self);
gboolean          svd_job_queue_is_running           (SvdJobQueue     *self);
guint             svd_job_queue_count_unfinished     (SvdJobQueue     *self);
void              svd_job_queue_pause                (SvdJobQueue     *self,
                                                      SvdQueueJob     *job);
void              svd_job_queue_resume               (SvdJobQueue     *self,
                                                      SvdQueueJob     *job);
void              svd_job_queue_cancel               (SvdJobQueue     *self,
                                                      SvdQueueJob     *job);
gboolean          svd_job_queue_remove               (SvdJobQueue     *self,
                                                      SvdQueueJob     *job,
                                                      GError         **error);
void              svd_job_queue_shutdown             (SvdJobQueue     *self);

G_END_DECLS
