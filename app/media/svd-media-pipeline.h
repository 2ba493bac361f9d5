/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "media/svd-reader.h"
#include "media/svd-writer.h"

G_BEGIN_DECLS

/**
 * SvdPipelineProcessFunc:
 * @frame: (transfer none): a decoded frame
 * @user_data: the pipeline's @process_data
 * @cancellable: (nullable): the run's cancellable
 * @error: return location for an error
 *
 * The compute stage (a restore chain). Runs on the thread that called
 * svd_media_pipeline_run(), which therefore may own OpenCL objects.
 *
 * Returns: (transfer full) (nullable): the frame to encode (may be a new
 *   reference to @frame), or %NULL with @error set.
 */
typedef SvdImage *(*SvdPipelineProcessFunc) (SvdImage      *frame,
                                             gpointer       user_data,
                                             GCancellable  *cancellable,
                                             GError       **error);

/**
 * SvdPipelineConfig:
 * @reader: the source; during the run only the decode thread uses it
 * @first: first frame to process
 * @end: one past the last frame, or -1 for the end of the clip
 * @process: (nullable): the compute stage; %NULL passes frames through
 * @process_data: data for @process
 * @writer: the output; during the run only the encode thread uses it
 * @queue_depth: frames buffered between stages (0 picks 4)
 * @cancellable: (nullable): stops all three stages
 * @stop_on_decode_error: fail (and write nothing) at the first damaged
 *   frame or packet instead of skipping or concealing it
 */
typedef struct {
  SvdReader              *reader;
  gint64                  first;
  gint64                  end;
  SvdPipelineProcessFunc  process;
  gpointer                process_data;
  SvdWriter              *writer;
  int                     queue_depth;
  GCancellable           *cancellable;
  gboolean                stop_on_decode_error;
} SvdPipelineConfig;

/**
 * SvdPipelineStats:
 * @frames: frames encoded
 * @seconds: wall time of the run
 * @fps: @frames / @seconds
 * @decode_s: time the decode thread spent decoding (not waiting)
 * @process_s: time spent in the compute stage
 * @encode_s: time the encode thread spent encoding (not waiting)
 * @decode_errors: damaged frames or packets (skipped or concealed)
 * @first_damaged_frame: the index of the first frame read after one, or -1
 */
typedef struct {
  gint64 frames;
  double seconds;
  double fps;
  double decode_s;
  double process_s;
  double encode_s;
  gint64 decode_errors;
  gint64 first_damaged_frame;
} SvdPipelineStats;

gboolean svd_media_pipeline_run (const SvdPipelineConfig  *config,
                                 SvdPipelineStats         *stats,
                                 GError                  **error);

G_END_DECLS
