/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SVD_ERROR:
 *
 * The one error domain of libsvd. Every function that can fail takes a
 * `GError **` and returns %FALSE or %NULL exactly when it set it.
 */
#define SVD_ERROR (svd_error_quark ())

/**
 * SvdError:
 * @SVD_ERROR_FAILED: a failure with no better code; the message says what.
 * @SVD_ERROR_INVALID_ARGUMENT: the caller passed a value outside the
 *   documented range (a programming or command-line error).
 * @SVD_ERROR_INVALID_INPUT: a file or buffer is malformed: truncated, bad
 *   magic, offsets out of range, inconsistent sizes.
 * @SVD_ERROR_UNSUPPORTED: the input is well formed but uses a feature,
 *   operator, format or codec SVD Studio does not handle.
 * @SVD_ERROR_MODEL_INVALID: a model file was read but does not describe an
 *   SRVGGNetCompact network (missing keys, shapes that disagree).
 * @SVD_ERROR_UNSAFE: a file asked for something that could execute code
 *   (a pickle global outside the allowed list); it was refused.
 * @SVD_ERROR_IO: reading or writing a file failed (includes disk full).
 * @SVD_ERROR_DECODE: the FFmpeg demuxer or decoder failed.
 * @SVD_ERROR_ENCODE: the FFmpeg encoder or muxer failed.
 * @SVD_ERROR_NO_DEVICE: no OpenCL platform or device is available, or the
 *   chosen one does not exist.
 * @SVD_ERROR_KERNEL_BUILD: an OpenCL program failed to build; the message
 *   carries the build log.
 * @SVD_ERROR_OPENCL: an OpenCL call failed; the message names the call and
 *   the error (e.g. `CL_OUT_OF_RESOURCES`).
 * @SVD_ERROR_OUT_OF_MEMORY: host or device memory could not be allocated.
 * @SVD_ERROR_UNAVAILABLE: a result cannot be computed here (e.g. DISTS
 *   without weights); the message says why and how to fix it.
 *
 * Error codes in the %SVD_ERROR domain. Cancellation is not one of them:
 * whatever is cancelled fails with %G_IO_ERROR_CANCELLED, the one code
 * that GIO, the GUI and the CLI all test for.
 */
typedef enum {
  SVD_ERROR_FAILED,
  SVD_ERROR_INVALID_ARGUMENT,
  SVD_ERROR_INVALID_INPUT,
  SVD_ERROR_UNSUPPORTED,
  SVD_ERROR_MODEL_INVALID,
  SVD_ERROR_UNSAFE,
  SVD_ERROR_IO,
  SVD_ERROR_DECODE,
  SVD_ERROR_ENCODE,
  SVD_ERROR_NO_DEVICE,
  SVD_ERROR_KERNEL_BUILD,
  SVD_ERROR_OPENCL,
  SVD_ERROR_OUT_OF_MEMORY,
  SVD_ERROR_UNAVAILABLE,
} SvdError;

GQuark       svd_error_quark      (void);
const char  *svd_error_code_name  (int code);

G_END_DECLS
