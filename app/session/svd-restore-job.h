/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/svd-settings.h"
#include "engine/svd-engine.h"
#include "media/svd-reader.h"
#include "model/svd-chain.h"
#include "media/svd-writer.h"

G_BEGIN_DECLS

/**
 * SvdRestoreJobFrameFunc:
 * @engine: the job's engine (owned by the job; valid during the call)
 * @frames: frames through the chain so far
 * @user_data: the job's @user_data
 *
 * Called after each frame went through the chain, on the thread that
 * called svd_restore_job_run() (which owns @engine's OpenCL objects).
 */
typedef void (*SvdRestoreJobFrameFunc) (SvdEngine *engine,
                                        gint64     frames,
                                        gpointer   user_data);

/**
 * SvdRestoreJobReusedFunc:
 * @reused: frames so far that reused the output of an earlier, equal (or,
 *   with #SvdRestoreJob.reuse_similar_db, similar) input instead of going
 *   through the chain
 * @user_data: the job's @user_data
 *
 * Called after each such frame, on the thread that called
 * svd_restore_job_run(); progress reports (on the encode thread) that
 * show the count must read it atomically.
 */
typedef void (*SvdRestoreJobReusedFunc) (gint64   reused,
                                         gpointer user_data);

/**
 * SvdRestoreJobNoticeFunc:
 * @message: something the user should know that is not an error (the
 *   engine fell back to the CPU reference), without a trailing newline
 * @user_data: the job's @user_data
 *
 * Called on the thread that called svd_restore_job_run().
 */
typedef void (*SvdRestoreJobNoticeFunc) (const char *message,
                                         gpointer    user_data);

/**
 * SvdRestoreJob:
 * @input_path: the clip to restore
 * @reader: (nullable): @input_path already opened by the caller (who
 *   checked it before loading a chain, say); the job uses it instead of
 *   opening the file again, from its decode thread during the run.
 *   %NULL: the job opens @input_path itself
 * @output_path: the file to write; its extension picks the container. It
 *   appears only when the job succeeds (the writer works on a hidden
 *   temporary file in the same folder and renames it at the end)
 * @copy_from: (nullable): the file whose audio and subtitle streams are
 *   copied into the output unchanged; %NULL for @input_path. The GUI's
 *   Synthesize mode restores a degraded cache file without audio and
 *   copies the audio from the clean clip, whose timestamps it shares.
 * @chain: (nullable): the steps to run, in order, with their models
 *   loaded (svd_chain_load_models()); %NULL or empty re-encodes without a
 *   chain (`svd transcode`). The caller keeps it alive during the run.
 * @first: first frame to restore
 * @end: one past the last frame, or -1 (or anything past the end) for the
 *   end of the clip
 * @encoder: (nullable): see #SvdWriterOptions
 * @crf: see #SvdWriterOptions; -1 for the encoder's default
 * @preset: (nullable): see #SvdWriterOptions
 * @pix_fmt: (nullable): see #SvdWriterOptions
 * @copy_audio: stream-copy the audio streams of @copy_from
 * @copy_subtitles: stream-copy the subtitle streams of @copy_from
 * @allow_playlists: let the input (and @copy_from) be a playlist or
 *   concat list that names other files; off by default, since such a file
 *   can make the job read any local file (see #SvdReaderOptions)
 * @stop_on_decode_error: fail (and write nothing) at the first damaged
 *   input frame instead of letting the decoder conceal or drop it
 * @reuse: an input frame bit-identical to the last one that went through
 *   the chain reuses that output instead of running the chain again
 *   (outputs are deterministic, so the result is the same); on by default
 * @reuse_similar_db: also reuse the output for an input whose PSNR-Y
 *   against the last computed input is above this many dB (a lossy
 *   source's held frames are not bit-identical); 0, the default, for
 *   identical frames only. Needs @reuse
 * @keep_source_times: an excerpt (@first > 0) keeps the source's
 *   timestamps instead of starting where the source starts; a chunk of a
 *   chunked restore (svd-chunk-job.c) is one excerpt of many that are
 *   joined again. Off by default
 * @settings: (nullable): device and precision of the engine; %NULL for
 *   svd_settings_init()'s defaults
 * @cancellable: (nullable): cancels the job between frames and between
 *   chain stages
 * @progress: (nullable): called after each encoded frame, on the encode
 *   thread; coalescing the reports (for a GUI) is the caller's job
 * @frame_done: (nullable): see #SvdRestoreJobFrameFunc
 * @notice: (nullable): see #SvdRestoreJobNoticeFunc
 * @frame_reused: (nullable): see #SvdRestoreJobReusedFunc
 * @user_data: data for @progress, @frame_done, @notice and @frame_reused
 *
 * One restore (or transcode) of a clip into a file: what `svd restore`,
 * `svd transcode` and the GUI's export dialog run. The fields are
 * borrowed; the caller owns them for the duration of
 * svd_restore_job_run(). Fill it with svd_restore_job_init() first.
 */
typedef struct {
  const char              *input_path;
  SvdReader               *reader;
  const char              *output_path;
  const char              *copy_from;
  const SvdChain          *chain;
  gint64                   first;
  gint64                   end;
  const char              *encoder;
  int                      crf;
  const char              *preset;
  const char              *pix_fmt;
  gboolean                 copy_audio;
  gboolean                 copy_subtitles;
  gboolean                 stop_on_decode_error;
  gboolean                 allow_playlists;
  gboolean                 reuse;
  double                   reuse_similar_db;
  gboolean                 keep_source_times;
  const SvdSettings       *settings;
  GCancellable            *cancellable;
  SvdWriterProgressFunc    progress;
  SvdRestoreJobFrameFunc   frame_done;
  SvdRestoreJobNoticeFunc  notice;
  SvdRestoreJobReusedFunc  frame_reused;
  gpointer                 user_data;
} SvdRestoreJob;

/**
 * SvdRestoreJobResult:
 * @frames: frames written to the output
 * @frames_expected: frames the range selected; more than @frames when the
 *   input ended early (truncated or damaged)
 * @encoder: the FFmpeg encoder used. Owned by the struct
 * @pix_fmt: the output pixel format. Owned by the struct
 * @seconds: wall time of decoding, restoring and encoding
 * @decode_errors: damaged input frames or packets that were concealed or
 *   skipped
 * @first_damaged_frame: the first frame read after damage, or -1
 * @device_name: (nullable): the engine's device; %NULL without a chain.
 *   Owned by the struct
 * @engine_frames: frames that went through the chain
 * @engine_wall_ms: their total wall time in the engine
 * @engine_device_ms: their total device time
 * @frames_reused: frames that reused an earlier output instead of going
 *   through the chain (@engine_frames + @frames_reused frames were
 *   restored)
 * @frames_similar: of those, the frames that were only similar (above
 *   #SvdRestoreJob.reuse_similar_db), not bit-identical
 * @reuse_worst_psnr_y: the largest deviation a similar frame was allowed:
 *   the lowest PSNR-Y in dB of such an input against the computed input
 *   whose output it took; %INFINITY when @frames_similar is 0
 *
 * What a finished job did. Free its strings with
 * svd_restore_job_result_clear().
 */
typedef struct {
  gint64  frames;
  gint64  frames_expected;
  char   *encoder;
  char   *pix_fmt;
  double  seconds;
  gint64  decode_errors;
  gint64  first_damaged_frame;
  char   *device_name;
  gint64  engine_frames;
  double  engine_wall_ms;
  double  engine_device_ms;
  gint64  frames_reused;
  gint64  frames_similar;
  double  reuse_worst_psnr_y;
} SvdRestoreJobResult;

void     svd_restore_job_init         (SvdRestoreJob        *job);
gboolean svd_restore_job_run          (const SvdRestoreJob  *job,
                                       SvdRestoreJobResult  *result,
                                       GError              **error);
void     svd_restore_job_result_clear (SvdRestoreJobResult  *result);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdRestoreJobResult, svd_restore_job_result_clear)

G_END_DECLS
