/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "media/svd-reader.h"

G_BEGIN_DECLS

/**
 * SvdChunkJoinOptions:
 * @chunk_paths: (array length=n_chunks): the chunk files in order, each
 *   a video-only file that starts with a key frame
 * @first_pts_us: (array length=n_chunks): the presentation time (µs, the
 *   source's timeline, as svd_reader_frame_pts_us()) of each chunk's
 *   first frame
 * @n_frames: (array length=n_chunks): frames each chunk must hold
 * @n_chunks: number of chunks
 * @source: the clip that was restored: its time base and frame rate are
 *   the output's, and its audio, subtitles, chapters and metadata are
 *   copied into the output
 * @output: the file to write (atomically: a hidden temporary file in
 *   the same folder, renamed at the end)
 * @copy_audio: stream-copy the source's audio
 * @copy_subtitles: stream-copy the source's subtitles
 * @allow_playlists: see #SvdReaderOptions
 * @cancellable: (nullable): checked between packets
 */
typedef struct {
  const char *const *chunk_paths;
  const gint64      *first_pts_us;
  const gint64      *n_frames;
  guint              n_chunks;
  const SvdVideoInfo *source;
  const char        *output;
  gboolean           copy_audio;
  gboolean           copy_subtitles;
  gboolean           allow_playlists;
  GCancellable      *cancellable;
} SvdChunkJoinOptions;

gboolean svd_chunk_join_check_streams (const char  *source,
                                       const char  *output,
                                       gboolean     copy_audio,
                                       gboolean     copy_subtitles,
                                       gboolean     allow_playlists,
                                       GError     **error);
gboolean svd_chunk_join (const SvdChunkJoinOptions  *options,
                         gint64                     *frames_written,
                         GError                    **error);

G_END_DECLS
