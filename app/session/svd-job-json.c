/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-job-json"

#include "svd-job-json.h"

/* @value may be %NULL: written as null. */
void
svd_job_json_add_string (JsonBuilder *b,
                         const char  *name,
                         const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
svd_job_json_add_int (JsonBuilder *b,
                      const char  *name,
                      gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
svd_job_json_add_bool (JsonBuilder *b,
                       const char  *name,
                       gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* Returns: %TRUE with *@out set when @member is an integer in [@min, @max];
 *   %FALSE (nothing set) when it is missing, of another type or out of range */
gboolean
svd_job_json_get_int (JsonObject  *o,
                      const char  *member,
                      gint64       min,
                      gint64       max,
                      gint64      *out)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
      json_node_get_int (n) < min || json_node_get_int (n) > max)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

/* Returns: %TRUE with *@out set when @member is a boolean */
gboolean
svd_job_json_get_bool (JsonObject  *o,
                       const char  *member,
                       gboolean    *out)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean (n);
  return TRUE;
}

/* Returns: whether @member is there and null */
gboolean
svd_job_json_is_null (JsonObject  *o,
                      const char  *member)
{
  JsonNode *n = json_object_get_member (o, member);

  return n != NULL && JSON_NODE_HOLDS_NULL (n);
}

/* Returns: (transfer none) (nullable): @member's string, or %NULL when it
 *   is missing, not a string or not UTF-8 text (json-glib decodes an
 *   unpaired surrogate escape, "\ud800", into bytes that are not) */
const char *
svd_job_json_get_string (JsonObject  *o,
                         const char  *member)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING ||
      !g_utf8_validate (json_node_get_string (n), -1, NULL))
    return NULL;
  return json_node_get_string (n);
}
