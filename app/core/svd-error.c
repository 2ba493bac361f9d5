/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-error"

#include "svd-error.h"

G_DEFINE_QUARK (svd-error-quark, svd_error)

/**
 * svd_error_code_name:
 * @code: an #SvdError value
 *
 * Returns: (transfer none): a stable, untranslated name for @code, for logs
 *   and JSON output.
 */
const char *
svd_error_code_name (int code)
{
  static const char *const names[] = {
    "failed", "invalid-argument", "invalid-input", "unsupported",
    "model-invalid", "unsafe", "io", "decode", "encode", "no-device",
    "kernel-build", "opencl", "out-of-memory", "unavailable",
  };

  if (code < 0 || code >= (int) G_N_ELEMENTS (names))
    return "unknown";
  return names[code];
}
