/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-escape"

#include "svd-escape.h"

#include <string.h>

/* Characters that reorder text on display (the "Trojan Source" bidi
 * overrides and isolates) are escaped with the controls: a model name must
 * not make the line around it read differently from what it is. */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/**
 * svd_str_escape_control:
 * @text: (nullable): text that came from a file (a name, metadata, an
 *   error message quoting a file)
 * @keep_newlines: keep `\n` and `\t` as they are, for multi-line text that
 *   is ours (an error message); otherwise they are escaped as well, so one
 *   field prints as one line
 *
 * Escapes everything a terminal would act on instead of print: the C0
 * controls (ESC starts colour, cursor, title and hyperlink sequences),
 * DEL, the C1 controls U+0080–U+009F (U+009B is a one-character CSI),
 * bidi overrides, and bytes that are not UTF-8. They become `\n`, `\t`,
 * `\r`, `\xNN` (bytes) or `\u202e` (characters), so the text stays
 * readable. Backslashes are not doubled: escaping twice gives the same
 * text as escaping once, so a message escaped where it was made can be
 * escaped again where it is printed.
 *
 * Returns: (transfer full): the escaped text ("" for %NULL)
 */
char *
svd_str_escape_control (const char *text,
                        gboolean    keep_newlines)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text));
  end = text + strlen (text);
  for (p = text; p < end;)
    {
      guchar b = (guchar) *p;
      gunichar c;
      const char *next;

      if (b < 0x80)
        {
          if (b == '\n' && keep_newlines)
            g_string_append_c (out, '\n');
          else if (b == '\t' && keep_newlines)
            g_string_append_c (out, '\t');
          else if (b == '\n')
            g_string_append (out, "\\n");
          else if (b == '\t')
            g_string_append (out, "\\t");
          else if (b == '\r')
            g_string_append (out, "\\r");
          else if (b < 0x20 || b == 0x7f)
            g_string_append_printf (out, "\\x%02x", b);
          else
            g_string_append_c (out, (char) b);
          p++;
          continue;
        }
      c = g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", b);
          p++;
          continue;
        }
      next = g_utf8_next_char (p);
      if ((c >= 0x80 && c <= 0x9f) || is_bidi_control (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

/**
 * svd_json_escape_control:
 * @json: JSON text as json-glib writes it
 *
 * json-glib escapes the C0 controls in strings but writes DEL, the C1
 * controls and bidi overrides as they are; this rewrites those as `\uXXXX`,
 * which JSON reads back as the same characters, so that JSON printed to a
 * terminal is as inert as our text output. Everything else, the newlines
 * of pretty-printing included, is unchanged; invalid UTF-8 is copied byte
 * by byte (json-glib does write it: it decodes an unpaired surrogate
 * escape such as "\ud800" into bytes that are not UTF-8).
 *
 * Returns: (transfer full): the rewritten text
 */
char *
svd_json_escape_control (const char *json)
{
  GString *out;
  const char *p, *end;

  g_return_val_if_fail (json != NULL, NULL);

  out = g_string_sized_new (strlen (json));
  end = json + strlen (json);
  for (p = json; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      const char *next;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_c (out, *p++);
          continue;
        }
      next = g_utf8_next_char (p);
      if (c == 0x7f || (c >= 0x80 && c <= 0x9f) || is_bidi_control (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}
