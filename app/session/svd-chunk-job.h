/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "session/svd-restore-job.h"

G_BEGIN_DECLS

/* The job folder beside the output: OUT.svdjob/ */
#define SVD_CHUNK_JOB_SUFFIX ".svdjob"

/* Chunk length when none is asked for: about ten seconds of video. */
#define SVD_CHUNK_JOB_DEFAULT_SECONDS 10

/**
 * SvdChunk:
 * @index: the chunk's number, from 0
 * @first: its first frame
 * @end: one past its last frame
 * @scene_cut: %TRUE when @first is a detected scene cut
 */
typedef struct {
  guint    index;
  gint64   first;
  gint64   end;
  gboolean scene_cut;
} SvdChunk;

/**
 * SvdChunkState:
 * @SVD_CHUNK_MISSING: not restored yet
 * @SVD_CHUNK_DONE: restored, recorded in the ledger and verified
 * @SVD_CHUNK_BAD: recorded, but the chunk file is missing, damaged or does
 *   not match the ledger's checksum; it must be restored again
 */
typedef enum {
  SVD_CHUNK_MISSING,
  SVD_CHUNK_DONE,
  SVD_CHUNK_BAD,
} SvdChunkState;

/**
 * SvdChunkVerify:
 * @SVD_CHUNK_VERIFY_QUICK: the ledger record and the chunk file's size
 *   (cheap; for progress displays such as `svd farm status`)
 * @SVD_CHUNK_VERIFY_CHECKSUM: also the chunk file's SHA-256 against the
 *   ledger (before keeping a chunk on resume and before the join)
 */
typedef enum {
  SVD_CHUNK_VERIFY_QUICK,
  SVD_CHUNK_VERIFY_CHECKSUM,
} SvdChunkVerify;

/**
 * SvdChunkJobNoticeFunc:
 * @message: a line for the user, without a trailing newline ("resuming:
 *   5 of 10 chunks done", "chunk 3: its checksum does not match …")
 * @user_data: the caller's data
 */
typedef void (*SvdChunkJobNoticeFunc) (const char *message,
                                       gpointer    user_data);

/**
 * SvdChunkJobOptions:
 * @chunk_frames: the longest chunk in frames; 0 for about
 *   %SVD_CHUNK_JOB_DEFAULT_SECONDS of video
 * @scene_cuts: split at scene cuts (one extra decode of the clip when
 *   planning); %FALSE splits every @chunk_frames frames
 * @restart: throw away an existing job folder and start over
 * @plan_only: write the job folder and stop (svd_chunk_job_restore())
 * @notice: (nullable): chunk-level messages (resuming, a chunk redone)
 * @user_data: data for @notice
 *
 * How a restore is cut into chunks and resumed; the restore itself
 * (input, output, chain, encoder, callbacks) is a #SvdRestoreJob.
 */
typedef struct {
  gint64                 chunk_frames;
  gboolean               scene_cuts;
  gboolean               restart;
  gboolean               plan_only;
  SvdChunkJobNoticeFunc  notice;
  gpointer               user_data;
} SvdChunkJobOptions;

/**
 * SvdChunkJobResult:
 * @n_chunks: chunks in the job
 * @chunks_done_before: chunks already finished when this run started
 *   (kept after verification)
 * @chunks_restored: chunks restored by this run
 * @chunks_redone: of those, chunks that had been recorded but failed
 *   verification
 * @frames: frames in the output (0 with @plan_only)
 * @restore: the sums over the chunks this run restored (frames, engine
 *   frames and times, reuse counts), and the encoder, pixel format and
 *   device of the last one
 */
typedef struct {
  guint               n_chunks;
  guint               chunks_done_before;
  guint               chunks_restored;
  guint               chunks_redone;
  gint64              frames;
  SvdRestoreJobResult restore;
} SvdChunkJobResult;

typedef struct _SvdChunkJob SvdChunkJob;

void               svd_chunk_job_options_init     (SvdChunkJobOptions        *options);
void               svd_chunk_job_result_clear     (SvdChunkJobResult         *result);
char              *svd_chunk_job_dir_for_output   (const char                *output);
gint64             svd_chunk_job_default_chunk_frames (const SvdVideoInfo    *info);

SvdChunkJob       *svd_chunk_job_plan             (const SvdRestoreJob       *job,
                                                   const SvdChunkJobOptions  *options,
                                                   const char                *dir,
                                                   GError                   **error);
SvdChunkJob       *svd_chunk_job_open             (const char                *dir,
                                                   GError                   **error);
void               svd_chunk_job_free             (SvdChunkJob               *self);

gboolean           svd_chunk_job_matches          (SvdChunkJob               *self,
                                                   const SvdRestoreJob       *job,
                                                   const SvdChunkJobOptions  *options,
                                                   GError                   **error);
gboolean           svd_chunk_job_check_input      (SvdChunkJob               *self,
                                                   SvdReader                 *reader,
                                                   GError                   **error);
SvdChain          *svd_chunk_job_load_chain       (SvdChunkJob               *self,
                                                   GError                   **error);
void               svd_chunk_job_fill_restore_job (SvdChunkJob               *self,
                                                   SvdRestoreJob             *job);

const char        *svd_chunk_job_get_dir          (SvdChunkJob               *self);
const char        *svd_chunk_job_get_input        (SvdChunkJob               *self);
const char        *svd_chunk_job_get_output       (SvdChunkJob               *self);
gint64             svd_chunk_job_get_n_frames     (SvdChunkJob               *self);
guint              svd_chunk_job_get_n_chunks     (SvdChunkJob               *self);
const SvdChunk    *svd_chunk_job_get_chunk        (SvdChunkJob               *self,
                                                   guint                      index);
const GArray      *svd_chunk_job_get_scene_cuts   (SvdChunkJob               *self);

SvdChunkState      svd_chunk_job_verify_chunk     (SvdChunkJob               *self,
                                                   guint                      index,
                                                   SvdChunkVerify             verify,
                                                   char                     **problem);
GArray            *svd_chunk_job_missing_chunks   (SvdChunkJob               *self,
                                                   SvdChunkVerify             verify);
gboolean           svd_chunk_job_run_chunk        (SvdChunkJob               *self,
                                                   guint                      index,
                                                   const SvdRestoreJob       *job,
                                                   SvdRestoreJobResult       *result,
                                                   GError                   **error);
gboolean           svd_chunk_job_join             (SvdChunkJob               *self,
                                                   GCancellable              *cancellable,
                                                   gint64                    *frames,
                                                   GError                   **error);
gboolean           svd_chunk_job_remove_dir       (const char                *dir,
                                                   GError                   **error);

gboolean           svd_chunk_job_restore          (const SvdRestoreJob       *job,
                                                   const SvdChunkJobOptions  *options,
                                                   SvdChunkJob              **planned,
                                                   SvdChunkJobResult         *result,
                                                   GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SvdChunkJob, svd_chunk_job_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdChunkJobResult, svd_chunk_job_result_clear)

G_END_DECLS
