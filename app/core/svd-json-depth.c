/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-json-depth"

#include "svd-json-depth.h"
#include "svd-error.h"

#include <string.h>

/**
 * svd_json_check_depth:
 * @text: JSON text
 * @length: its length in bytes, or -1 when NUL-terminated
 * @max_depth: how many arrays and objects may be open at once
 *   (%SVD_LIMIT_JSON_DEPTH)
 * @what: (nullable): what the text is, for the message ("the preset")
 * @error: return location for an error
 *
 * Scans @text in one pass, without recursion, counting the arrays and
 * objects open at each byte; brackets inside strings (escapes included)
 * do not count. Only the depth is checked: everything else about the text
 * is json-glib's to judge, so unbalanced brackets pass here.
 *
 * Returns: %TRUE when @text never nests deeper than @max_depth; otherwise
 *   %SVD_ERROR_INVALID_INPUT naming the limit and where it was passed
 */
gboolean
svd_json_check_depth (const char  *text,
                      gssize       length,
                      guint        max_depth,
                      const char  *what,
                      GError     **error)
{
  gsize len = length < 0 ? strlen (text) : (gsize) length;
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                           "%s nests arrays and objects deeper than %u levels (at byte %" G_GSIZE_FORMAT
                           "), the limit for JSON read by SVD Studio",
                           what != NULL ? what : "The JSON text", max_depth, i);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

/**
 * svd_json_error_text:
 * @parse_error: (nullable): json-glib's error
 *
 * json-glib's parse errors quote the text they stopped at as it is, which
 * need not be UTF-8 (an unpaired surrogate escape decodes to bytes that
 * are not); our messages are shown and printed, so they must be text.
 *
 * Returns: (transfer full): the message, invalid bytes replaced by U+FFFD
 */
char *
svd_json_error_text (const GError *parse_error)
{
  return g_utf8_make_valid (parse_error != NULL ? parse_error->message : "", -1);
}
