/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* JSON helpers shared by the files jobs keep: a chunked job's job.json
 * (svd-chunk-job.c) and the queue's jobs.json (svd-job-queue.c). Writing
 * adds typed members; reading checks a member's type (and range) without
 * saying why it failed, so that each file words its own error. Internal to
 * libsvd. */

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void        svd_job_json_add_string (JsonBuilder *b,
                                     const char  *name,
                                     const char  *value);
void        svd_job_json_add_int    (JsonBuilder *b,
                                     const char  *name,
                                     gint64       value);
void        svd_job_json_add_bool   (JsonBuilder *b,
                                     const char  *name,
                                     gboolean     value);

gboolean    svd_job_json_get_int    (JsonObject  *o,
                                     const char  *member,
                                     gint64       min,
                                     gint64       max,
                                     gint64      *out);
gboolean    svd_job_json_get_bool   (JsonObject  *o,
                                     const char  *member,
                                     gboolean    *out);
gboolean    svd_job_json_is_null    (JsonObject  *o,
                                     const char  *member);
const char *svd_job_json_get_string (JsonObject  *o,
                                     const char  *member);

G_END_DECLS
