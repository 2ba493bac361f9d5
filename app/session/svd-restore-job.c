/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-restore-job"

#include "session/svd-restore-job.h"

#include <math.h>

#include "core/svd-error.h"
#include "media/svd-media-pipeline.h"
#include "media/svd-reader.h"
#include "session/svd-frame-reuse.h"

/* The one restore path: reader → chain → writer, pipelined by
 * svd_media_pipeline_run(), with the source's audio and subtitles stream
 * copied and the output written atomically. `svd restore`, `svd
 * transcode` and the GUI export differ only in how they fill the job and
 * show its progress. */

/**
 * svd_restore_job_init:
 * @job: (out caller-allocates): the job to fill
 *
 * Defaults: the whole clip, the encoder's defaults, audio and subtitles
 * copied, damaged frames concealed, identical frames reused, default
 * settings, no chain.
 */
void
svd_restore_job_init (SvdRestoreJob *job)
{
  g_return_if_fail (job != NULL);

  *job = (SvdRestoreJob) { 0 };
  job->end = -1;
  job->crf = -1;
  job->copy_audio = TRUE;
  job->copy_subtitles = TRUE;
  job->reuse = TRUE;
}

/**
 * svd_restore_job_result_clear:
 * @result: a result filled by svd_restore_job_run()
 *
 * Frees its strings; the struct may be reused.
 */
void
svd_restore_job_result_clear (SvdRestoreJobResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->encoder, g_free);
  g_clear_pointer (&result->pix_fmt, g_free);
  g_clear_pointer (&result->device_name, g_free);
}

/* The compute stage: runs on the pipeline's calling thread, which created
 * the engine, so its OpenCL kernels stay on one thread. The output keeps
 * the input's timestamps and colour tags. A frame equal to the last
 * computed one (anime held on twos and threes) takes its output instead
 * of running the chain: the chain is deterministic, so with exact reuse
 * the file is the same as without. */
typedef struct {
  const SvdRestoreJob *job;
  SvdEngine           *engine;
  SvdFrameReuse       *reuse;
  gint64               frames;
  double               wall_ms;
  double               device_ms;
} Compute;

static SvdImage *
restore_frame (SvdImage      *frame,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  Compute *c = user_data;
  SvdEngineTimings t = { 0 };
  SvdImage *out = NULL;

  if (c->reuse != NULL)
    {
      if (!svd_frame_reuse_lookup (c->reuse, frame, &out, error))
        return NULL;
      if (out != NULL)
        {
          if (c->job->frame_reused != NULL)
            c->job->frame_reused (svd_frame_reuse_get_n_reused (c->reuse), c->job->user_data);
          return out;
        }
    }
  if (!svd_engine_process (c->engine, frame, frame->format, &out, &t, cancellable, error))
    return NULL;
  out->pts = frame->pts;
  out->frame_index = frame->frame_index;
  out->color = frame->color;
  c->wall_ms += t.wall_ms;
  c->device_ms += t.total_ms;
  c->frames++;
  if (c->reuse != NULL)
    svd_frame_reuse_store (c->reuse, frame, out);
  if (c->job->frame_done != NULL)
    c->job->frame_done (c->engine, c->frames, c->job->user_data);
  return out;
}

static void
progress_cb (const SvdWriterProgress *progress,
             gpointer                 user_data)
{
  const SvdRestoreJob *job = user_data;

  job->progress (progress, job->user_data);
}

/* Every way a job can be cancelled (the writer, the pipeline, an engine
 * stage, or before anything started) ends in the same error. */
static gboolean
fail_or_cancelled (const SvdRestoreJob  *job,
                   GError              **error,
                   GError               *cause)
{
  if ((job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable)) ||
      g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&cause);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled; nothing was written");
      return FALSE;
    }
  g_propagate_error (error, cause);
  return FALSE;
}

/**
 * svd_restore_job_run:
 * @job: what to do
 * @result: (out caller-allocates) (optional): what was done; filled only
 *   on success (clear it with svd_restore_job_result_clear())
 * @error: return location for an error
 *
 * Runs the job to the end on the calling thread (plus a decode and an
 * encode thread of its own). The engine is created, used and freed on
 * the calling thread. Blocks; run it on a worker thread in a GUI.
 *
 * The output appears only when the whole job succeeded. On failure or
 * cancellation no file is left: neither @job->output_path nor the
 * writer's temporary file. A cancelled job fails with
 * %G_IO_ERROR_CANCELLED, whatever stage noticed it.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_restore_job_run (const SvdRestoreJob  *job,
                     SvdRestoreJobResult  *result,
                     GError              **error)
{
  g_autoptr(SvdReader) reader = NULL;
  SvdReader *source;
  g_autoptr(SvdWriter) writer = NULL;
  g_autoptr(SvdEngine) engine = NULL;
  g_autoptr(SvdFrameReuse) reuse = NULL;
  g_auto(SvdSettings) defaults = { 0 };
  const SvdSettings *settings;
  const SvdVideoInfo *info;
  SvdWriterOptions wo;
  SvdReaderOptions ro;
  SvdPipelineConfig pc = { 0 };
  SvdPipelineStats ps = { 0 };
  Compute compute = { 0 };
  GError *local = NULL;
  gboolean restore;
  gint64 first, end;

  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (job->input_path != NULL, FALSE);
  g_return_val_if_fail (job->output_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
    return fail_or_cancelled (job, error, NULL);

  /* The input first: a file that cannot be read is refused before the
   * engine builds its kernels. */
  if (job->reader != NULL)
    source = job->reader;
  else
    {
      svd_reader_options_init (&ro);
      ro.allow_playlists = job->allow_playlists;
      reader = svd_reader_open (job->input_path, &ro, &local);
      if (reader == NULL)
        return fail_or_cancelled (job, error, local);
      source = reader;
    }
  info = svd_reader_get_info (source);
  if (job->notice != NULL)
    {
      g_autofree char *losses = svd_video_info_describe_losses (info);

      if (info->interlaced)
        {
          g_autofree char *msg = g_strdup_printf ("“%s” is interlaced; its fields are processed as progressive "
                                                  "frames (deinterlace it first, e.g. with ffmpeg -vf bwdif)",
                                                  job->input_path);
          job->notice (msg, job->user_data);
        }
      if (losses != NULL)
        {
          g_autofree char *msg = g_strdup_printf ("“%s”: not kept in the output: %s", job->input_path, losses);
          job->notice (msg, job->user_data);
        }
    }

  restore = job->chain != NULL && job->chain->steps->len > 0;
  if (restore)
    {
      settings = job->settings;
      if (settings == NULL)
        {
          svd_settings_init (&defaults);
          settings = &defaults;
        }
      engine = svd_engine_new (settings, &local);
      if (engine == NULL ||
          !svd_engine_set_chain (engine, job->chain, &local))
        return fail_or_cancelled (job, error, local);
      if (svd_engine_is_cpu_fallback (engine) && job->notice != NULL)
        job->notice ("no OpenCL device; using the much slower CPU reference", job->user_data);
      compute.job = job;
      compute.engine = engine;
      if (job->reuse)
        {
          reuse = svd_frame_reuse_new (job->reuse_similar_db);
          compute.reuse = reuse;
        }
    }

  first = job->first;
  end = job->end < 0 || job->end > info->n_frames ? info->n_frames : job->end;
  if (first < 0 || first >= end)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Frames %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " select no frame "
                   "(the clip has %" G_GINT64_FORMAT ")", job->first, job->end < 0 ? info->n_frames : job->end,
                   info->n_frames);
      return FALSE;
    }

  svd_writer_options_init_for_video (&wo, info);
  if (job->copy_from != NULL)
    wo.copy_from = job->copy_from;
  wo.encoder = job->encoder;
  wo.crf = job->crf;
  wo.preset = job->preset;
  wo.pix_fmt = job->pix_fmt;
  wo.copy_audio = job->copy_audio;
  wo.copy_subtitles = job->copy_subtitles;
  wo.allow_playlists = job->allow_playlists;
  if (first > 0 && !job->keep_source_times)
    {
      /* An excerpt starts where the source starts; its audio is cut to it. */
      wo.start_us = svd_reader_frame_pts_us (source, first);
      wo.offset_us = wo.start_us - info->first_pts_us;
    }
  if (end < info->n_frames)
    wo.end_us = svd_reader_frame_pts_us (source, end);
  wo.frames_total = end - first;
  if (job->progress != NULL)
    {
      wo.progress = progress_cb;
      wo.progress_data = (gpointer) job;
    }
  wo.cancellable = job->cancellable;
  /* Before any decoding: the encoder takes the size the chain makes. */
  {
    int scale = restore ? svd_engine_get_scale (engine) : 1;
    g_autofree char *what = restore ? g_strdup_printf ("the %dx chain", scale) : NULL;
    int ow = (int) MIN ((gint64) info->width * scale, G_MAXINT);
    int oh = (int) MIN ((gint64) info->height * scale, G_MAXINT);

    if (!svd_writer_check_size (&wo, job->output_path, ow, oh, what, &local))
      return fail_or_cancelled (job, error, local);
  }
  writer = svd_writer_new (job->output_path, &wo, &local);
  if (writer == NULL)
    return fail_or_cancelled (job, error, local);

  /* Decode and encode run on their own threads; the chain runs here. The
   * pipeline finishes the writer: the output appears only now. */
  pc.reader = source;
  pc.first = first;
  pc.end = end;
  pc.writer = writer;
  pc.cancellable = job->cancellable;
  pc.stop_on_decode_error = job->stop_on_decode_error;
  if (restore)
    {
      pc.process = restore_frame;
      pc.process_data = &compute;
    }
  if (!svd_media_pipeline_run (&pc, &ps, &local))
    return fail_or_cancelled (job, error, local);

  if (result != NULL)
    {
      *result = (SvdRestoreJobResult) { 0 };
      result->frames = svd_writer_get_n_frames (writer);
      result->frames_expected = end - first;
      result->encoder = g_strdup (svd_writer_get_encoder (writer));
      result->pix_fmt = g_strdup (svd_writer_get_pix_fmt (writer));
      result->seconds = ps.seconds;
      result->decode_errors = ps.decode_errors;
      result->first_damaged_frame = ps.first_damaged_frame;
      if (engine != NULL)
        result->device_name = g_strdup (svd_engine_get_device_name (engine));
      result->engine_frames = compute.frames;
      result->engine_wall_ms = compute.wall_ms;
      result->engine_device_ms = compute.device_ms;
      result->frames_reused = reuse != NULL ? svd_frame_reuse_get_n_reused (reuse) : 0;
      result->frames_similar = reuse != NULL ? svd_frame_reuse_get_n_similar (reuse) : 0;
      result->reuse_worst_psnr_y = reuse != NULL ? svd_frame_reuse_get_worst_psnr (reuse) : INFINITY;
    }
  return TRUE;
}
