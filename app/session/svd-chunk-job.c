/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-chunk-job"

#include "session/svd-chunk-job.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "svd-config.h"
#include "core/svd-error.h"
#include "core/svd-file.h"
#include "core/svd-json-depth.h"
#include "core/svd-output.h"
#include "media/svd-chunk-join.h"
#include "media/svd-writer.h"
#include "session/svd-job-json.h"
#include "session/svd-scene-cut.h"

/* A chunked, resumable restore (issue #25), shaped after av1an: the clip
 * is planned into chunks of exact frame ranges, at scene cuts where it
 * has them; each chunk is restored and encoded with the final settings
 * into a file of its own that starts with a key frame; a ledger records
 * each finished chunk with its checksum; the join concatenates the
 * chunks by stream copy and muxes the source's audio, subtitles, chapters
 * and metadata. Everything lives in a job folder beside the output:
 *
 *   OUT.svdjob/job.json          the plan: input identity, chain and model
 *                                hashes, encoder settings, frame count and
 *                                timestamps, the chunk table
 *   OUT.svdjob/chunks/0003.nut   chunk 3, written atomically (rename)
 *   OUT.svdjob/chunks/0003.done  its ledger record: size, SHA-256, frames
 *
 * One record file per chunk, each written to a temporary name and
 * renamed, so several processes (a Slurm array's tasks on different
 * nodes, over NFS) can finish chunks at once without a shared file or a
 * lock. A run that was interrupted (Ctrl-C, kill -9, a power cut) is
 * resumed by running it again: recorded chunks are verified against
 * their checksum and kept, the rest are restored. A chunk file without a
 * record (killed between the rename and the record) is not finished, and
 * is restored again. */

#define JOB_FORMAT "svd-chunk-job"
#define JOB_VERSION 1
#define JOB_JSON_MAX (256 * 1024 * 1024)
#define RECORD_MAX (64 * 1024)
#define IDENTITY_BYTES (1024 * 1024)
#define MAX_CHUNKS 1000000
#define CHUNK_EXT ".nut"

typedef struct {
  char  *name;
  char  *path;
  char  *sha256;
} StepId;

struct _SvdChunkJob {
  char      *dir;
  char      *chunks_dir;
  /* input identity */
  char      *input;
  gint64     input_size;
  gint64     input_mtime_us;
  char      *input_hash;
  char      *output;
  /* the chain */
  char      *chain_text;
  GPtrArray *steps;        /* StepId */
  char      *precision;
  /* encoder settings */
  char      *encoder;
  int        crf;
  char      *preset;
  char      *pix_fmt;
  gboolean   copy_audio;
  gboolean   copy_subtitles;
  gboolean   allow_playlists;
  gboolean   stop_on_decode_error;
  gboolean   reuse;
  double     reuse_similar_db;
  /* the plan */
  gint64     chunk_frames_requested;
  gint64     chunk_frames;
  gboolean   scene_cuts_requested;
  gint64     n_frames;
  int        time_base_num;
  int        time_base_den;
  GArray    *timestamps;   /* gint64 µs per frame */
  GArray    *cuts;         /* gint64 */
  GArray    *chunks;       /* SvdChunk */
};

static void
step_id_free (gpointer data)
{
  StepId *s = data;

  g_free (s->name);
  g_free (s->path);
  g_free (s->sha256);
  g_free (s);
}

void
svd_chunk_job_free (SvdChunkJob *self)
{
  if (self == NULL)
    return;
  g_free (self->dir);
  g_free (self->chunks_dir);
  g_free (self->input);
  g_free (self->input_hash);
  g_free (self->output);
  g_free (self->chain_text);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_free (self->precision);
  g_free (self->encoder);
  g_free (self->preset);
  g_free (self->pix_fmt);
  g_clear_pointer (&self->timestamps, g_array_unref);
  g_clear_pointer (&self->cuts, g_array_unref);
  g_clear_pointer (&self->chunks, g_array_unref);
  g_free (self);
}

static SvdChunkJob *
job_new (const char *dir)
{
  SvdChunkJob *self = g_new0 (SvdChunkJob, 1);

  self->dir = g_strdup (dir);
  self->chunks_dir = g_build_filename (dir, "chunks", NULL);
  self->steps = g_ptr_array_new_with_free_func (step_id_free);
  self->timestamps = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cuts = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->chunks = g_array_new (FALSE, FALSE, sizeof (SvdChunk));
  self->crf = -1;
  return self;
}

/**
 * svd_chunk_job_options_init:
 * @options: (out caller-allocates): options to fill
 *
 * Defaults: chunks of about ten seconds, split at scene cuts, resume an
 * existing job folder, restore and join.
 */
void
svd_chunk_job_options_init (SvdChunkJobOptions *options)
{
  *options = (SvdChunkJobOptions) { 0 };
  options->scene_cuts = TRUE;
}

void
svd_chunk_job_result_clear (SvdChunkJobResult *result)
{
  if (result == NULL)
    return;
  svd_restore_job_result_clear (&result->restore);
}

/**
 * svd_chunk_job_dir_for_output:
 * @output: the restore's output file
 *
 * Returns: (transfer full): its job folder, "@output.svdjob"
 */
char *
svd_chunk_job_dir_for_output (const char *output)
{
  return g_strconcat (output, SVD_CHUNK_JOB_SUFFIX, NULL);
}

static char *
absolute_path (const char *path)
{
  g_autofree char *cwd = NULL;

  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, NULL);
  cwd = g_get_current_dir ();
  return g_canonicalize_filename (path, cwd);
}

/* ------------------------------------------------------------------ */
/* Input identity: size, modification time and a hash of the first and
 * last megabyte (hashing a whole episode would take longer than the
 * check is worth; the size and time catch the rest). */

static gboolean
input_identity (const char  *path,
                gint64      *size,
                gint64      *mtime_us,
                char       **hash,
                GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (IDENTITY_BYTES);
  struct stat st;
  FILE *f;
  size_t n;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read the input “%s”: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read the input “%s”: not a regular file", path);
      return FALSE;
    }
  f = fopen (path, "rb");
  if (f == NULL)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read the input “%s”: %s", path, g_strerror (saved));
      return FALSE;
    }
  n = fread (buf, 1, IDENTITY_BYTES, f);
  g_checksum_update (sum, buf, n);
  if (st.st_size > IDENTITY_BYTES && fseeko (f, MAX ((off_t) IDENTITY_BYTES, st.st_size - IDENTITY_BYTES), SEEK_SET) == 0)
    {
      n = fread (buf, 1, IDENTITY_BYTES, f);
      g_checksum_update (sum, buf, n);
    }
  fclose (f);
  *size = st.st_size;
  *mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  *hash = g_strdup (g_checksum_get_string (sum));
  return TRUE;
}

/* SHA-256 of a whole chunk file, streamed. */
static char *
file_sha256 (const char  *path,
             gint64      *size,
             GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1 << 20);
  gint64 total = 0;
  FILE *f = fopen (path, "rb");
  size_t n;

  if (f == NULL)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, g_strerror (saved));
      return NULL;
    }
  while ((n = fread (buf, 1, 1 << 20, f)) > 0)
    {
      g_checksum_update (sum, buf, n);
      total += n;
    }
  if (ferror (f))
    {
      fclose (f);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”", path);
      return NULL;
    }
  fclose (f);
  if (size != NULL)
    *size = total;
  return g_strdup (g_checksum_get_string (sum));
}

/* ------------------------------------------------------------------ */
/* job.json */

static gboolean
write_file_atomically (const char  *path,
                       const char  *text,
                       gssize       length,
                       GError     **error)
{
  g_autoptr(GError) local = NULL;

  /* A temporary file in the same folder, synced and renamed: a reader
   * (another node, a resumed run) sees the whole file or none. */
  if (!g_file_set_contents_full (path, text, length, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot write “%s”: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
job_write (SvdChunkJob  *self,
           GError      **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (self->dir, "job.json", NULL);
  g_autofree char *tb = g_strdup_printf ("%d/%d", self->time_base_num, self->time_base_den);

  json_builder_begin_object (b);
  svd_job_json_add_string (b, "format", JOB_FORMAT);
  svd_job_json_add_int (b, "version", JOB_VERSION);
  svd_job_json_add_string (b, "created_by", "svd " SVD_VERSION);
  json_builder_set_member_name (b, "input");
  json_builder_begin_object (b);
  svd_job_json_add_string (b, "path", self->input);
  svd_job_json_add_int (b, "size", self->input_size);
  svd_job_json_add_int (b, "mtime_us", self->input_mtime_us);
  svd_job_json_add_string (b, "head_tail_sha256", self->input_hash);
  json_builder_end_object (b);
  svd_job_json_add_string (b, "output", self->output);
  json_builder_set_member_name (b, "chain");
  json_builder_begin_object (b);
  svd_job_json_add_string (b, "text", self->chain_text);
  svd_job_json_add_string (b, "precision", self->precision);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->steps->len; i++)
    {
      StepId *s = g_ptr_array_index (self->steps, i);

      json_builder_begin_object (b);
      svd_job_json_add_string (b, "name", s->name);
      svd_job_json_add_string (b, "path", s->path);
      svd_job_json_add_string (b, "sha256", s->sha256);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "encoder");
  json_builder_begin_object (b);
  svd_job_json_add_string (b, "encoder", self->encoder);
  svd_job_json_add_int (b, "crf", self->crf);
  svd_job_json_add_string (b, "preset", self->preset);
  svd_job_json_add_string (b, "pix_fmt", self->pix_fmt);
  json_builder_end_object (b);
  svd_job_json_add_bool (b, "copy_audio", self->copy_audio);
  svd_job_json_add_bool (b, "copy_subtitles", self->copy_subtitles);
  svd_job_json_add_bool (b, "allow_playlists", self->allow_playlists);
  svd_job_json_add_bool (b, "stop_on_decode_error", self->stop_on_decode_error);
  svd_job_json_add_bool (b, "reuse", self->reuse);
  json_builder_set_member_name (b, "reuse_similar_db");
  json_builder_add_double_value (b, self->reuse_similar_db);
  svd_job_json_add_int (b, "chunk_frames_requested", self->chunk_frames_requested);
  svd_job_json_add_int (b, "chunk_frames", self->chunk_frames);
  svd_job_json_add_bool (b, "scene_cuts_requested", self->scene_cuts_requested);
  svd_job_json_add_int (b, "frames", self->n_frames);
  svd_job_json_add_string (b, "time_base", tb);
  json_builder_set_member_name (b, "timestamps_us");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->timestamps->len; i++)
    json_builder_add_int_value (b, g_array_index (self->timestamps, gint64, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "scene_cuts");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->cuts->len; i++)
    json_builder_add_int_value (b, g_array_index (self->cuts, gint64, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "chunks");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->chunks->len; i++)
    {
      const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, i);

      json_builder_begin_object (b);
      svd_job_json_add_int (b, "index", c->index);
      svd_job_json_add_int (b, "first", c->first);
      svd_job_json_add_int (b, "end", c->end);
      svd_job_json_add_bool (b, "scene_cut", c->scene_cut);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return write_file_atomically (path, text, -1, error);
}

/* Readers of job.json and of ledger records: a member of the right type
 * or an error naming it. The files are ours, but may be damaged or
 * edited, so nothing is taken on trust. */
static gboolean
bad_member (const char  *file,
            const char  *member,
            GError     **error)
{
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
               "“%s” is damaged: “%s” is missing or has the wrong type", file, member);
  return FALSE;
}

static gboolean
get_int (JsonObject  *o,
         const char  *member,
         gint64       min,
         gint64       max,
         gint64      *out,
         const char  *file,
         GError     **error)
{
  if (!svd_job_json_get_int (o, member, min, max, out))
    return bad_member (file, member, error);
  return TRUE;
}

static gboolean
get_bool (JsonObject  *o,
          const char  *member,
          gboolean    *out,
          const char  *file,
          GError     **error)
{
  if (!svd_job_json_get_bool (o, member, out))
    return bad_member (file, member, error);
  return TRUE;
}

/* A string or null (when @nullable). */
static gboolean
get_string (JsonObject  *o,
            const char  *member,
            gboolean     nullable,
            char       **out,
            const char  *file,
            GError     **error)
{
  const char *s;

  if (nullable && svd_job_json_is_null (o, member))
    {
      *out = NULL;
      return TRUE;
    }
  if ((s = svd_job_json_get_string (o, member)) == NULL)
    return bad_member (file, member, error);
  *out = g_strdup (s);
  return TRUE;
}

static JsonObject *
get_object (JsonObject  *o,
            const char  *member,
            const char  *file,
            GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    {
      bad_member (file, member, error);
      return NULL;
    }
  return json_node_get_object (n);
}

static JsonArray *
get_array (JsonObject  *o,
           const char  *member,
           const char  *file,
           GError     **error)
{
  JsonNode *n = json_object_get_member (o, member);

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      bad_member (file, member, error);
      return NULL;
    }
  return json_node_get_array (n);
}

static JsonParser *
parse_json_file (const char  *path,
                 gsize        max_bytes,
                 GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  if (!svd_file_read_regular (path, max_bytes, &text, &len, error))
    return NULL;
  if (!svd_json_check_depth (text, len, 16, path, error))
    return NULL;
  if (!json_parser_load_from_data (parser, text, len, &local) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_autofree char *shown = local != NULL ? svd_json_error_text (local) : g_strdup ("not a JSON object");

      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "“%s” is damaged: %s", path, shown);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

/**
 * svd_chunk_job_open:
 * @dir: a job folder (OUT.svdjob)
 * @error: return location for an error
 *
 * Reads a job folder's plan. Nothing is verified against the input or
 * the ledger yet (see svd_chunk_job_check_input() and
 * svd_chunk_job_missing_chunks()).
 *
 * Returns: (transfer full) (nullable): the job, or %NULL with @error set
 *   (no job there, or a damaged job.json)
 */
SvdChunkJob *
svd_chunk_job_open (const char  *dir,
                    GError     **error)
{
  g_autoptr(SvdChunkJob) self = job_new (dir);
  g_autofree char *path = g_build_filename (dir, "job.json", NULL);
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *format = NULL, *tb = NULL;
  JsonObject *root, *o;
  JsonArray *a;
  gint64 v;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a restore job folder (it has no job.json)", dir);
      return NULL;
    }
  parser = parse_json_file (path, JOB_JSON_MAX, error);
  if (parser == NULL)
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (!get_string (root, "format", FALSE, &format, path, error))
    return NULL;
  if (strcmp (format, JOB_FORMAT) != 0 || !get_int (root, "version", 0, G_MAXINT, &v, path, error))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "“%s” is not an SVD restore job", path);
      return NULL;
    }
  if (v != JOB_VERSION)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                   "“%s” was written by another version of SVD Studio (job format %" G_GINT64_FORMAT ", this one "
                   "reads %d); start over with --restart", path, v, JOB_VERSION);
      return NULL;
    }
  if ((o = get_object (root, "input", path, error)) == NULL ||
      !get_string (o, "path", FALSE, &self->input, path, error) ||
      !get_int (o, "size", 0, G_MAXINT64, &self->input_size, path, error) ||
      !get_int (o, "mtime_us", G_MININT64, G_MAXINT64, &self->input_mtime_us, path, error) ||
      !get_string (o, "head_tail_sha256", FALSE, &self->input_hash, path, error) ||
      !get_string (root, "output", FALSE, &self->output, path, error))
    return NULL;
  if ((o = get_object (root, "chain", path, error)) == NULL ||
      !get_string (o, "text", FALSE, &self->chain_text, path, error) ||
      !get_string (o, "precision", TRUE, &self->precision, path, error) ||
      (a = get_array (o, "steps", path, error)) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      StepId *s;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        {
          bad_member (path, "steps", error);
          return NULL;
        }
      s = g_new0 (StepId, 1);
      g_ptr_array_add (self->steps, s);
      if (!get_string (json_node_get_object (n), "name", TRUE, &s->name, path, error) ||
          !get_string (json_node_get_object (n), "path", TRUE, &s->path, path, error) ||
          !get_string (json_node_get_object (n), "sha256", TRUE, &s->sha256, path, error))
        return NULL;
    }
  if ((o = get_object (root, "encoder", path, error)) == NULL ||
      !get_string (o, "encoder", TRUE, &self->encoder, path, error) ||
      !get_int (o, "crf", -1, 1000, &v, path, error) ||
      !get_string (o, "preset", TRUE, &self->preset, path, error) ||
      !get_string (o, "pix_fmt", TRUE, &self->pix_fmt, path, error))
    return NULL;
  self->crf = (int) v;
  if (!get_bool (root, "copy_audio", &self->copy_audio, path, error) ||
      !get_bool (root, "copy_subtitles", &self->copy_subtitles, path, error) ||
      !get_bool (root, "allow_playlists", &self->allow_playlists, path, error) ||
      !get_bool (root, "stop_on_decode_error", &self->stop_on_decode_error, path, error) ||
      !get_bool (root, "reuse", &self->reuse, path, error) ||
      !get_int (root, "chunk_frames_requested", 0, G_MAXINT64, &self->chunk_frames_requested, path, error) ||
      !get_int (root, "chunk_frames", 1, G_MAXINT64, &self->chunk_frames, path, error) ||
      !get_bool (root, "scene_cuts_requested", &self->scene_cuts_requested, path, error) ||
      !get_int (root, "frames", 1, G_MAXINT32, &self->n_frames, path, error) ||
      !get_string (root, "time_base", FALSE, &tb, path, error))
    return NULL;
  {
    JsonNode *n = json_object_get_member (root, "reuse_similar_db");

    if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) ||
        (json_node_get_value_type (n) != G_TYPE_DOUBLE && json_node_get_value_type (n) != G_TYPE_INT64))
      {
        bad_member (path, "reuse_similar_db", error);
        return NULL;
      }
    self->reuse_similar_db = json_node_get_double (n);
  }
  if (sscanf (tb, "%d/%d", &self->time_base_num, &self->time_base_den) != 2 ||
      self->time_base_num <= 0 || self->time_base_den <= 0)
    {
      bad_member (path, "time_base", error);
      return NULL;
    }
  if ((a = get_array (root, "timestamps_us", path, error)) == NULL)
    return NULL;
  if (json_array_get_length (a) != (guint) self->n_frames)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” is damaged: %u timestamps for %" G_GINT64_FORMAT " frames", path,
                   json_array_get_length (a), self->n_frames);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      gint64 t;

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        {
          bad_member (path, "timestamps_us", error);
          return NULL;
        }
      t = json_node_get_int (n);
      g_array_append_val (self->timestamps, t);
    }
  if ((a = get_array (root, "scene_cuts", path, error)) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      gint64 c;

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
        {
          bad_member (path, "scene_cuts", error);
          return NULL;
        }
      c = json_node_get_int (n);
      g_array_append_val (self->cuts, c);
    }
  /* The chunk table: contiguous, in order, covering every frame. */
  if ((a = get_array (root, "chunks", path, error)) == NULL)
    return NULL;
  if (json_array_get_length (a) == 0 || json_array_get_length (a) > MAX_CHUNKS)
    {
      bad_member (path, "chunks", error);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      SvdChunk c = { 0 };
      gint64 index;
      gint64 expect = i == 0 ? 0 : g_array_index (self->chunks, SvdChunk, i - 1).end;

      if (!JSON_NODE_HOLDS_OBJECT (n) ||
          !get_int (json_node_get_object (n), "index", 0, MAX_CHUNKS, &index, path, error) ||
          !get_int (json_node_get_object (n), "first", 0, self->n_frames, &c.first, path, error) ||
          !get_int (json_node_get_object (n), "end", 1, self->n_frames, &c.end, path, error) ||
          !get_bool (json_node_get_object (n), "scene_cut", &c.scene_cut, path, error))
        {
          if (error != NULL && *error == NULL)
            bad_member (path, "chunks", error);
          return NULL;
        }
      if (index != i || c.first != expect || c.end <= c.first)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                       "“%s” is damaged: chunk %u does not follow the chunk before it", path, i);
          return NULL;
        }
      c.index = i;
      g_array_append_val (self->chunks, c);
    }
  if (g_array_index (self->chunks, SvdChunk, self->chunks->len - 1).end != self->n_frames)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” is damaged: the chunks do not cover all %" G_GINT64_FORMAT " frames", path, self->n_frames);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* Planning */

/* What a job records of a restore's settings, from a #SvdRestoreJob. */
static gboolean
job_take_settings (SvdChunkJob          *self,
                   const SvdRestoreJob  *job,
                   GError              **error)
{
  g_autoptr(GError) local = NULL;

  self->input = absolute_path (job->input_path);
  self->output = absolute_path (job->output_path);
  if (!input_identity (self->input, &self->input_size, &self->input_mtime_us, &self->input_hash, error))
    return FALSE;
  if (job->chain != NULL && job->chain->steps->len > 0)
    {
      /* Absolute model paths, so `svd restore --job DIR --chunk N` on
       * another node (or in another folder) loads the same files. */
      self->chain_text = svd_chain_to_string (job->chain, NULL, &local);
      if (self->chain_text == NULL)
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "This chain cannot be written into a job file (%s); restore without chunks",
                       local->message);
          return FALSE;
        }
      for (guint i = 0; i < job->chain->steps->len; i++)
        {
          const SvdChainStep *step = g_ptr_array_index (job->chain->steps, i);
          StepId *s = g_new0 (StepId, 1);

          s->name = g_strdup (step->name);
          s->path = g_strdup (step->abs_path);
          s->sha256 = g_strdup (step->sha256);
          if (step->type == SVD_CHAIN_STEP_MODEL && s->sha256 == NULL && s->path != NULL)
            s->sha256 = svd_file_sha256 (s->path, NULL);
          g_ptr_array_add (self->steps, s);
        }
    }
  else
    self->chain_text = g_strdup ("");
  self->precision = g_strdup (job->settings != NULL && job->settings->precision == SVD_PRECISION_FP16
                              ? "fp16" : "fp32");
  self->encoder = g_strdup (job->encoder);
  self->crf = job->crf;
  self->preset = g_strdup (job->preset);
  self->pix_fmt = g_strdup (job->pix_fmt);
  self->copy_audio = job->copy_audio;
  self->copy_subtitles = job->copy_subtitles;
  self->allow_playlists = job->allow_playlists;
  self->stop_on_decode_error = job->stop_on_decode_error;
  self->reuse = job->reuse;
  self->reuse_similar_db = job->reuse_similar_db;
  return TRUE;
}

/**
 * svd_chunk_job_default_chunk_frames:
 * @info: the clip
 *
 * Returns: the chunk length used when none is asked for: about
 *   %SVD_CHUNK_JOB_DEFAULT_SECONDS of the clip
 */
gint64
svd_chunk_job_default_chunk_frames (const SvdVideoInfo *info)
{
  double fps = info->fps > 0 && isfinite (info->fps) ? info->fps : 25;

  return MAX (1, (gint64) ceil (fps * SVD_CHUNK_JOB_DEFAULT_SECONDS));
}

/**
 * svd_chunk_job_plan:
 * @job: the restore to plan: input, output, chain (with its models
 *   loaded) and encoder settings; @job->reader, when set, is used for the
 *   scene-cut pass and left at an unspecified frame
 * @options: chunk length and scene cuts
 * @dir: the job folder to create; it must not exist yet
 * @error: return location for an error
 *
 * Plans a chunked restore of the whole clip: reads the input's frame
 * count and timestamps, finds its scene cuts (one decode of the clip,
 * unless @options->scene_cuts is %FALSE), cuts it into chunks and writes
 * @dir/job.json. Restores nothing.
 *
 * Returns: (transfer full) (nullable): the planned job
 */
SvdChunkJob *
svd_chunk_job_plan (const SvdRestoreJob       *job,
                    const SvdChunkJobOptions  *options,
                    const char                *dir,
                    GError                   **error)
{
  g_autoptr(SvdChunkJob) self = job_new (dir);
  g_autoptr(SvdReader) own = NULL;
  g_autoptr(GArray) starts = NULL;
  SvdReader *reader = job->reader;
  const SvdVideoInfo *info;

  g_return_val_if_fail (job != NULL && options != NULL && dir != NULL, NULL);

  if (!job_take_settings (self, job, error))
    return NULL;
  if (reader == NULL)
    {
      SvdReaderOptions ro;

      svd_reader_options_init (&ro);
      ro.allow_playlists = job->allow_playlists;
      own = svd_reader_open (job->input_path, &ro, error);
      if (own == NULL)
        return NULL;
      reader = own;
    }
  info = svd_reader_get_info (reader);
  if (info->n_frames <= 0 || info->n_frames > G_MAXINT32)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT, "“%s” has no frames to restore", job->input_path);
      return NULL;
    }
  self->n_frames = info->n_frames;
  self->time_base_num = info->time_base_num;
  self->time_base_den = info->time_base_den;
  for (gint64 i = 0; i < info->n_frames; i++)
    {
      gint64 t = svd_reader_frame_pts_us (reader, i);

      /* Chunks are put back together by their frames' times, so every
       * frame needs one, later than the frame before. */
      if (t == G_MININT64 || (i > 0 && t <= g_array_index (self->timestamps, gint64, i - 1)))
        {
          g_set_error (error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                       "Frame %" G_GINT64_FORMAT " of “%s” has %s, so the clip cannot be restored in chunks; "
                       "restore it in one piece (--no-chunks)", i, job->input_path,
                       t == G_MININT64 ? "no timestamp" : "a timestamp not after the frame before");
          return NULL;
        }
      g_array_append_val (self->timestamps, t);
    }
  self->chunk_frames_requested = options->chunk_frames;
  self->chunk_frames = options->chunk_frames > 0 ? options->chunk_frames : svd_chunk_job_default_chunk_frames (info);
  self->scene_cuts_requested = options->scene_cuts;
  if (options->scene_cuts && info->n_frames > self->chunk_frames)
    {
      g_autoptr(GArray) cuts = svd_scene_cut_detect (reader, NULL, NULL, NULL, job->cancellable, error);

      if (cuts == NULL)
        return NULL;
      g_array_append_vals (self->cuts, cuts->data, cuts->len);
    }
  /* Chunks between a quarter of and the full chunk length; a cut that
   * would leave a shorter piece is skipped. */
  starts = svd_scene_cut_split (info->n_frames, self->cuts, self->chunk_frames, MAX (1, self->chunk_frames / 4));
  for (guint i = 0; i < starts->len; i++)
    {
      SvdChunk c = { 0 };

      c.index = i;
      c.first = g_array_index (starts, gint64, i);
      c.end = i + 1 < starts->len ? g_array_index (starts, gint64, i + 1) : info->n_frames;
      for (guint k = 0; k < self->cuts->len; k++)
        if (g_array_index (self->cuts, gint64, k) == c.first)
          c.scene_cut = TRUE;
      g_array_append_val (self->chunks, c);
    }

  /* The folder is built under a hidden name and renamed into place, so a
   * run killed while planning leaves no half job folder that would block
   * the next one, and two runs planning at once cannot both win. */
  {
    g_autofree char *parent = g_path_get_dirname (dir);
    g_autofree char *base = g_path_get_basename (dir);
    g_autofree char *tmp = g_strdup_printf ("%s%c.%s.svd-%ld-XXXXXX", parent, G_DIR_SEPARATOR, base, (long) getpid ());
    g_autofree char *tmp_chunks = NULL;
    g_autofree char *tmp_json = NULL;
    gboolean ok;

    if (g_mkdtemp_full (tmp, 0755) == NULL)
      {
        int saved = errno;

        g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create the job folder “%s”: %s", dir,
                     g_strerror (saved));
        return NULL;
      }
    tmp_chunks = g_build_filename (tmp, "chunks", NULL);
    tmp_json = g_build_filename (tmp, "job.json", NULL);
    g_free (self->dir);
    self->dir = g_strdup (tmp);
    ok = job_write (self, error);
    g_free (self->dir);
    self->dir = g_strdup (dir);
    if (ok && g_mkdir (tmp_chunks, 0755) != 0)
      {
        int saved = errno;

        g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create “%s”: %s", tmp_chunks, g_strerror (saved));
        ok = FALSE;
      }
    if (ok && g_rename (tmp, dir) != 0)
      {
        int saved = errno;

        g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot create the job folder “%s”: %s", dir,
                     saved == ENOTEMPTY || saved == EEXIST ? "another run created it meanwhile" : g_strerror (saved));
        ok = FALSE;
      }
    if (!ok)
      {
        g_rmdir (tmp_chunks);
        g_unlink (tmp_json);
        g_rmdir (tmp);
        return NULL;
      }
  }
  return g_steal_pointer (&self);
}

/* ------------------------------------------------------------------ */
/* Identity checks */

static gboolean
refuse (SvdChunkJob  *self,
        GError      **error,
        const char   *format,
        ...) G_GNUC_PRINTF (3, 4);

static gboolean
refuse (SvdChunkJob  *self,
        GError      **error,
        const char   *format,
        ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
               "The job folder “%s” belongs to another restore: %s. Nothing was changed; "
               "restart the job (--restart) to throw its chunks away and start over", self->dir, why);
  return FALSE;
}

static gboolean
same_string (const char *a,
             const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

static const char *
or_default (const char *s)
{
  return s != NULL ? s : "the default";
}

/**
 * svd_chunk_job_matches:
 * @self: a job read with svd_chunk_job_open()
 * @job: the restore the user asked for now
 * @options: its chunk options
 * @error: return location for an error
 *
 * Checks that resuming @self does what @job asks: the same input file
 * (size, time and content hash), output, chain (each model's SHA-256),
 * precision, encoder settings and chunk length. Refuses with the reason
 * otherwise.
 *
 * Returns: %TRUE when @self may be resumed for @job
 */
gboolean
svd_chunk_job_matches (SvdChunkJob               *self,
                       const SvdRestoreJob       *job,
                       const SvdChunkJobOptions  *options,
                       GError                   **error)
{
  g_autoptr(SvdChunkJob) now = job_new (self->dir);

  if (!job_take_settings (now, job, error))
    return FALSE;
  if (!same_string (now->input, self->input))
    return refuse (self, error, "it restores “%s”, not “%s”", self->input, now->input);
  if (now->input_size != self->input_size || now->input_mtime_us != self->input_mtime_us ||
      !same_string (now->input_hash, self->input_hash))
    return refuse (self, error, "the input “%s” changed since the job was planned (%s)", self->input,
                   now->input_size != self->input_size ? "its size differs"
                   : !same_string (now->input_hash, self->input_hash) ? "its content differs"
                   : "its modification time differs");
  if (!same_string (now->output, self->output))
    return refuse (self, error, "it writes “%s”, not “%s”", self->output, now->output);
  if (!same_string (now->chain_text, self->chain_text))
    return refuse (self, error, "its chain is “%s”, not “%s”", self->chain_text, now->chain_text);
  for (guint i = 0; i < self->steps->len && i < now->steps->len; i++)
    {
      StepId *a = g_ptr_array_index (self->steps, i), *b = g_ptr_array_index (now->steps, i);

      if (!same_string (a->sha256, b->sha256))
        return refuse (self, error, "the model “%s” changed since the job was planned (SHA-256 %s, now %s)",
                       a->path != NULL ? a->path : a->name, a->sha256 ? a->sha256 : "none",
                       b->sha256 ? b->sha256 : "none");
    }
  if (!same_string (now->precision, self->precision))
    return refuse (self, error, "it runs the chain in %s, not %s", self->precision, now->precision);
  if (!same_string (now->encoder, self->encoder))
    return refuse (self, error, "its encoder is %s, not %s", or_default (self->encoder), or_default (now->encoder));
  if (now->crf != self->crf)
    return refuse (self, error, "its CRF is %d, not %d (-1: the encoder's default)", self->crf, now->crf);
  if (!same_string (now->preset, self->preset))
    return refuse (self, error, "its preset is %s, not %s", or_default (self->preset), or_default (now->preset));
  if (!same_string (now->pix_fmt, self->pix_fmt))
    return refuse (self, error, "its pixel format is %s, not %s", or_default (self->pix_fmt),
                   or_default (now->pix_fmt));
  if (now->copy_audio != self->copy_audio || now->copy_subtitles != self->copy_subtitles)
    return refuse (self, error, "it %s the audio and %s the subtitles",
                   self->copy_audio ? "copies" : "leaves out", self->copy_subtitles ? "copies" : "leaves out");
  if (now->reuse != self->reuse || now->reuse_similar_db != self->reuse_similar_db)
    return refuse (self, error, "its reuse of repeated frames differs (%s)",
                   !self->reuse ? "--no-reuse" : self->reuse_similar_db > 0 ? "--reuse-similar" : "exact");
  if (now->stop_on_decode_error != self->stop_on_decode_error || now->allow_playlists != self->allow_playlists)
    return refuse (self, error, "its --on-decode-error or --allow-playlists differs");
  if (options->chunk_frames != self->chunk_frames_requested || options->scene_cuts != self->scene_cuts_requested)
    return refuse (self, error, "its chunks are planned with %s%s",
                   self->chunk_frames_requested > 0 ? "another --chunk-frames" : "the default chunk length",
                   self->scene_cuts_requested != options->scene_cuts ? " and other scene-cut settings" : "");
  return TRUE;
}

/**
 * svd_chunk_job_check_input:
 * @self: a job
 * @reader: (nullable): the input, opened; checked to have the frame count
 *   and timestamps of the plan
 * @error: return location for an error
 *
 * Checks that the input is the file the job was planned for: size,
 * modification time, the hash of its head and tail, and (with @reader)
 * every frame's timestamp.
 *
 * Returns: %TRUE when it is
 */
gboolean
svd_chunk_job_check_input (SvdChunkJob  *self,
                           SvdReader    *reader,
                           GError      **error)
{
  g_autofree char *hash = NULL;
  gint64 size, mtime;

  if (!input_identity (self->input, &size, &mtime, &hash, error))
    return FALSE;
  if (size != self->input_size || mtime != self->input_mtime_us || strcmp (hash, self->input_hash) != 0)
    return refuse (self, error, "the input “%s” changed since the job was planned (%s)", self->input,
                   size != self->input_size ? "its size differs"
                   : strcmp (hash, self->input_hash) != 0 ? "its content differs" : "its modification time differs");
  if (reader != NULL)
    {
      const SvdVideoInfo *info = svd_reader_get_info (reader);

      if (info->n_frames != self->n_frames)
        return refuse (self, error, "the input has %" G_GINT64_FORMAT " frames, the plan %" G_GINT64_FORMAT,
                       info->n_frames, self->n_frames);
      for (gint64 i = 0; i < self->n_frames; i++)
        if (svd_reader_frame_pts_us (reader, i) != g_array_index (self->timestamps, gint64, i))
          return refuse (self, error, "frame %" G_GINT64_FORMAT " of the input has another timestamp than "
                         "when the job was planned", i);
    }
  return TRUE;
}

/**
 * svd_chunk_job_load_chain:
 * @self: a job
 * @error: return location for an error
 *
 * Loads the job's chain from its models' absolute paths (what a farm
 * node runs) and checks each model's SHA-256 against the plan.
 *
 * Returns: (transfer full) (nullable): the chain with its models loaded;
 *   an empty chain when the job has none
 */
SvdChain *
svd_chunk_job_load_chain (SvdChunkJob  *self,
                          GError      **error)
{
  g_autoptr(SvdChain) chain = NULL;

  if (self->chain_text[0] == '\0')
    return svd_chain_new ("none");
  chain = svd_chain_parse (self->chain_text, NULL, SVD_CHAIN_LOAD_DEFAULT, error);
  if (chain == NULL)
    return NULL;
  if (chain->steps->len != self->steps->len)
    {
      refuse (self, error, "its chain “%s” now has %u steps instead of %u", self->chain_text,
              chain->steps->len, self->steps->len);
      return NULL;
    }
  for (guint i = 0; i < chain->steps->len; i++)
    {
      const SvdChainStep *step = g_ptr_array_index (chain->steps, i);
      StepId *s = g_ptr_array_index (self->steps, i);
      g_autofree char *sha = step->sha256 != NULL || step->abs_path == NULL ? g_strdup (step->sha256)
                             : svd_file_sha256 (step->abs_path, NULL);

      if (!same_string (sha, s->sha256))
        {
          refuse (self, error, "the model “%s” changed since the job was planned (SHA-256 %s, now %s)",
                  s->path != NULL ? s->path : s->name, s->sha256 ? s->sha256 : "none", sha ? sha : "none");
          return NULL;
        }
    }
  return g_steal_pointer (&chain);
}

/**
 * svd_chunk_job_fill_restore_job:
 * @self: a job
 * @job: (out caller-allocates): filled with svd_restore_job_init() and
 *   the job's input, output and encoder settings; the caller adds the
 *   chain, settings, cancellable and callbacks. The strings belong to
 *   @self.
 */
void
svd_chunk_job_fill_restore_job (SvdChunkJob   *self,
                                SvdRestoreJob *job)
{
  svd_restore_job_init (job);
  job->input_path = self->input;
  job->output_path = self->output;
  job->encoder = self->encoder;
  job->crf = self->crf;
  job->preset = self->preset;
  job->pix_fmt = self->pix_fmt;
  job->copy_audio = self->copy_audio;
  job->copy_subtitles = self->copy_subtitles;
  job->allow_playlists = self->allow_playlists;
  job->stop_on_decode_error = self->stop_on_decode_error;
  job->reuse = self->reuse;
  job->reuse_similar_db = self->reuse_similar_db;
}

const char *
svd_chunk_job_get_dir (SvdChunkJob *self)
{
  return self->dir;
}

const char *
svd_chunk_job_get_input (SvdChunkJob *self)
{
  return self->input;
}

const char *
svd_chunk_job_get_output (SvdChunkJob *self)
{
  return self->output;
}

gint64
svd_chunk_job_get_n_frames (SvdChunkJob *self)
{
  return self->n_frames;
}

guint
svd_chunk_job_get_n_chunks (SvdChunkJob *self)
{
  return self->chunks->len;
}

/**
 * svd_chunk_job_get_chunk:
 * @self: a job
 * @index: a chunk number below svd_chunk_job_get_n_chunks()
 *
 * Returns: (transfer none): the chunk
 */
const SvdChunk *
svd_chunk_job_get_chunk (SvdChunkJob *self,
                         guint        index)
{
  g_return_val_if_fail (index < self->chunks->len, NULL);
  return &g_array_index (self->chunks, SvdChunk, index);
}

/**
 * svd_chunk_job_get_scene_cuts:
 * @self: a job
 *
 * Returns: (transfer none) (element-type gint64): the scene cuts the
 *   detector found (not all of them need start a chunk)
 */
const GArray *
svd_chunk_job_get_scene_cuts (SvdChunkJob *self)
{
  return self->cuts;
}

/* ------------------------------------------------------------------ */
/* The ledger */

static char *
chunk_path (SvdChunkJob *self,
            guint        index,
            const char  *ext)
{
  g_autofree char *name = g_strdup_printf ("%04u%s", index, ext);

  return g_build_filename (self->chunks_dir, name, NULL);
}

static void
forget_chunk (SvdChunkJob *self,
              guint        index)
{
  g_autofree char *file = chunk_path (self, index, CHUNK_EXT);
  g_autofree char *record = chunk_path (self, index, ".done");

  g_unlink (record);
  g_unlink (file);
}

/**
 * svd_chunk_job_verify_chunk:
 * @self: a job
 * @index: a chunk number
 * @verify: how thoroughly
 * @problem: (out) (optional) (transfer full): with %SVD_CHUNK_BAD, what is
 *   wrong, for the user
 *
 * Reads chunk @index's ledger record and checks its file against it.
 * Touches nothing.
 *
 * Returns: whether the chunk is missing, done or bad
 */
SvdChunkState
svd_chunk_job_verify_chunk (SvdChunkJob     *self,
                            guint            index,
                            SvdChunkVerify   verify,
                            char           **problem)
{
  g_autofree char *file = chunk_path (self, index, CHUNK_EXT);
  g_autofree char *record = chunk_path (self, index, ".done");
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *sha = NULL, *actual = NULL;
  const SvdChunk *c;
  gint64 size, frames, first, idx, actual_size;
  JsonObject *o;
  struct stat st;

  g_return_val_if_fail (index < self->chunks->len, SVD_CHUNK_MISSING);
  c = &g_array_index (self->chunks, SvdChunk, index);
  if (problem != NULL)
    *problem = NULL;
  if (g_lstat (record, &st) != 0 && errno == ENOENT)
    return SVD_CHUNK_MISSING;
  parser = parse_json_file (record, RECORD_MAX, &local);
  if (parser == NULL)
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its ledger record cannot be read (%s)", local->message);
      return SVD_CHUNK_BAD;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  if (!get_int (o, "chunk", 0, MAX_CHUNKS, &idx, record, &local) ||
      !get_int (o, "first", 0, G_MAXINT64, &first, record, &local) ||
      !get_int (o, "frames", 0, G_MAXINT64, &frames, record, &local) ||
      !get_int (o, "size", 0, G_MAXINT64, &size, record, &local) ||
      !get_string (o, "sha256", FALSE, &sha, record, &local))
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its ledger record is damaged (%s)", local->message);
      return SVD_CHUNK_BAD;
    }
  if (idx != index || first != c->first || frames != c->end - c->first)
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its ledger record describes another chunk (frames %" G_GINT64_FORMAT
                                    " from %" G_GINT64_FORMAT ", the plan has %" G_GINT64_FORMAT " from %"
                                    G_GINT64_FORMAT ")", frames, first, c->end - c->first, c->first);
      return SVD_CHUNK_BAD;
    }
  if (g_stat (file, &st) != 0 || !S_ISREG (st.st_mode))
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its file “%s” is missing", file);
      return SVD_CHUNK_BAD;
    }
  if (st.st_size != size)
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its file is %" G_GINT64_FORMAT " bytes, the ledger says %" G_GINT64_FORMAT
                                    " (truncated or replaced)", (gint64) st.st_size, size);
      return SVD_CHUNK_BAD;
    }
  if (verify == SVD_CHUNK_VERIFY_QUICK)
    return SVD_CHUNK_DONE;
  actual = file_sha256 (file, &actual_size, &local);
  if (actual == NULL)
    {
      if (problem != NULL)
        *problem = g_strdup (local->message);
      return SVD_CHUNK_BAD;
    }
  if (strcmp (actual, sha) != 0 || actual_size != size)
    {
      if (problem != NULL)
        *problem = g_strdup_printf ("its checksum does not match the ledger (SHA-256 %.12s…, the ledger says "
                                    "%.12s…): the chunk file or its record is damaged", actual, sha);
      return SVD_CHUNK_BAD;
    }
  return SVD_CHUNK_DONE;
}

/**
 * svd_chunk_job_missing_chunks:
 * @self: a job
 * @verify: how thoroughly finished chunks are checked
 *
 * What a farm submits again, `svd farm status` shows, and the join
 * refuses to go without: the chunks that are not done (missing, or bad:
 * recorded but failing @verify).
 *
 * Returns: (transfer full) (element-type guint): the chunk numbers,
 *   ascending
 */
GArray *
svd_chunk_job_missing_chunks (SvdChunkJob    *self,
                              SvdChunkVerify  verify)
{
  GArray *missing = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < self->chunks->len; i++)
    if (svd_chunk_job_verify_chunk (self, i, verify, NULL) != SVD_CHUNK_DONE)
      g_array_append_val (missing, i);
  return missing;
}

static gboolean
write_record (SvdChunkJob  *self,
              guint         index,
              gint64        frames,
              GError      **error)
{
  g_autofree char *file = chunk_path (self, index, CHUNK_EXT);
  g_autofree char *record = chunk_path (self, index, ".done");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *sha = NULL, *text = NULL;
  const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, index);
  gint64 size = 0;

  sha = file_sha256 (file, &size, error);
  if (sha == NULL)
    return FALSE;
  json_builder_begin_object (b);
  svd_job_json_add_int (b, "chunk", index);
  svd_job_json_add_int (b, "first", c->first);
  svd_job_json_add_int (b, "end", c->end);
  svd_job_json_add_int (b, "frames", frames);
  svd_job_json_add_int (b, "size", size);
  svd_job_json_add_string (b, "sha256", sha);
  svd_job_json_add_string (b, "host", g_get_host_name ());
  svd_job_json_add_int (b, "pid", getpid ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return write_file_atomically (record, text, -1, error);
}

/* ------------------------------------------------------------------ */
/* Restoring one chunk */

/* The callbacks of the caller's #SvdRestoreJob, with the frames counted
 * over the whole job rather than the chunk. */
typedef struct {
  const SvdRestoreJob *outer;
  gint64               frames_before;
  gint64               frames_total;
  gint64               kill_at;      /* test hooks: SIGKILL or cancel after this many chain frames */
  gint64               cancel_at;
  gint64               engine_frames_before;   /* chain frames of the chunks before, this run */
  gint64               reused_before;          /* reused frames of the chunks before, this run */
  gint64               start_us;
  gint64               frames_at_start;
} Relay;

static void
relay_progress (const SvdWriterProgress *p,
                gpointer                 data)
{
  Relay *r = data;
  SvdWriterProgress q = *p;
  double elapsed = (g_get_monotonic_time () - r->start_us) / 1e6;
  gint64 done_this_run = r->frames_before - r->frames_at_start + p->frames_done;

  q.frames_done = r->frames_before + p->frames_done;
  q.frames_total = r->frames_total;
  q.elapsed_s = elapsed;
  q.fps = elapsed > 0 ? done_this_run / elapsed : 0;
  q.eta_s = q.fps > 0 ? MAX (0, q.frames_total - q.frames_done) / q.fps : -1;
  r->outer->progress (&q, r->outer->user_data);
}

static void
relay_frame (SvdEngine *engine,
             gint64     frames,
             gpointer   data)
{
  Relay *r = data;

  if (r->kill_at > 0 && frames >= r->kill_at)
    raise (SIGKILL);
  if (r->cancel_at > 0 && frames >= r->cancel_at && r->outer->cancellable != NULL)
    g_cancellable_cancel (r->outer->cancellable);
  if (r->outer->frame_done != NULL)
    r->outer->frame_done (engine, r->engine_frames_before + frames, r->outer->user_data);
}

static void
relay_notice (const char *message,
              gpointer    data)
{
  Relay *r = data;

  r->outer->notice (message, r->outer->user_data);
}

static void
relay_reused (gint64   reused,
              gpointer data)
{
  Relay *r = data;

  r->outer->frame_reused (r->reused_before + reused, r->outer->user_data);
}

/* Test hooks (tests/cli/test-restore-resume.sh, tests/gui/test-export-
 * resume.c), in SVD_FAULT_INJECT: kill-in-chunk:K raises SIGKILL in chunk
 * K once half its frames went through the chain, a `kill -9` at a known
 * moment with the chunk's temporary file open; cancel-in-chunk:K cancels
 * the job there instead (Ctrl-C, the GUI's Cancel). The resume tests
 * neither sleep nor race. Read at each chunk, so a test can clear it. */
static gint64
fault_in_chunk (const char *prefix)
{
  const char *f = g_getenv ("SVD_FAULT_INJECT");

  if (f == NULL || !g_str_has_prefix (f, prefix))
    return -1;
  return g_ascii_strtoll (f + strlen (prefix), NULL, 10);
}

static void
add_result (SvdRestoreJobResult *sum,
            SvdRestoreJobResult *r)
{
  sum->frames += r->frames;
  sum->frames_expected += r->frames_expected;
  sum->seconds += r->seconds;
  if (r->decode_errors > 0 && sum->decode_errors == 0)
    sum->first_damaged_frame = r->first_damaged_frame;
  sum->decode_errors += r->decode_errors;
  sum->engine_frames += r->engine_frames;
  sum->engine_wall_ms += r->engine_wall_ms;
  sum->engine_device_ms += r->engine_device_ms;
  sum->frames_reused += r->frames_reused;
  sum->frames_similar += r->frames_similar;
  sum->reuse_worst_psnr_y = MIN (sum->reuse_worst_psnr_y, r->reuse_worst_psnr_y);
  g_free (sum->encoder);
  sum->encoder = g_steal_pointer (&r->encoder);
  g_free (sum->pix_fmt);
  sum->pix_fmt = g_steal_pointer (&r->pix_fmt);
  g_free (sum->device_name);
  sum->device_name = g_steal_pointer (&r->device_name);
}

static gboolean
run_chunk (SvdChunkJob          *self,
           guint                 index,
           const SvdRestoreJob  *outer,
           Relay                *relay,
           SvdRestoreJobResult  *result,
           GError              **error)
{
  const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, index);
  g_autofree char *file = chunk_path (self, index, CHUNK_EXT);
  g_auto(SvdRestoreJobResult) r = { 0 };
  SvdRestoreJob job = *outer;
  SvdSettings settings;
  gint64 kill_in;

  /* Whatever an interrupted attempt left: a record without a good file,
   * a file without a record. */
  forget_chunk (self, index);
  /* The defaults the output's writer would take: the encoder follows
   * the output's extension, not the chunk's. */
  if (job.encoder == NULL && g_str_has_suffix (self->output, ".webm"))
    job.encoder = "libvpx-vp9";
  /* The chain runs in the precision the job was planned with, whatever
   * the machine that restores this chunk defaults to. */
  if (job.settings != NULL)
    settings = *job.settings;
  else
    svd_settings_init (&settings);
  settings.precision = g_strcmp0 (self->precision, "fp16") == 0 ? SVD_PRECISION_FP16 : SVD_PRECISION_FP32;
  job.settings = &settings;
  job.output_path = file;
  job.first = c->first;
  job.end = c->end;
  job.keep_source_times = TRUE;
  job.copy_audio = FALSE;
  job.copy_subtitles = FALSE;
  job.copy_from = NULL;
  job.user_data = relay;
  job.progress = outer->progress != NULL ? relay_progress : NULL;
  job.notice = outer->notice != NULL ? relay_notice : NULL;
  job.frame_reused = outer->frame_reused != NULL ? relay_reused : NULL;
  job.frame_done = relay_frame;
  kill_in = fault_in_chunk ("kill-in-chunk:");
  relay->kill_at = kill_in == (gint64) index ? MAX (1, (c->end - c->first) / 2) : -1;
  relay->cancel_at = fault_in_chunk ("cancel-in-chunk:") == (gint64) index ? MAX (1, (c->end - c->first) / 2) : -1;
  if (!svd_restore_job_run (&job, &r, error))
    {
      if (error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, "Chunk %u (frames %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT "): ",
                        index, c->first, c->end - 1);
      return FALSE;
    }
  if (r.frames != c->end - c->first)
    {
      g_unlink (file);
      g_set_error (error, SVD_ERROR, SVD_ERROR_DECODE,
                   "Chunk %u: the input gave %" G_GINT64_FORMAT " of its %" G_GINT64_FORMAT " frames "
                   "(damaged or truncated); the chunk is not recorded. A restore without chunks "
                   "(--no-chunks) keeps the frames that decode", index, r.frames, c->end - c->first);
      return FALSE;
    }
  if (!write_record (self, index, r.frames, error))
    {
      g_unlink (file);
      return FALSE;
    }
  relay->engine_frames_before += r.engine_frames;
  relay->reused_before += r.frames_reused;
  if (result != NULL)
    add_result (result, &r);
  return TRUE;
}

/**
 * svd_chunk_job_run_chunk:
 * @self: a job
 * @index: the chunk to restore
 * @job: the restore's chain (models loaded), settings, cancellable and
 *   callbacks; fill it with svd_chunk_job_fill_restore_job() first. Its
 *   range, output and stream copies are replaced by the chunk's
 * @result: (inout) (optional): adds what the chunk's restore did (fill it
 *   with zeros and %INFINITY as its reuse_worst_psnr_y first)
 * @error: return location for an error
 *
 * Restores one chunk into its file and records it in the ledger (what a
 * farm task runs). A chunk that is already done, verified against its
 * checksum, is left as it is (%TRUE; @result unchanged); a bad one is
 * restored again. Other chunks are not touched, so processes on several
 * machines may restore different chunks of one job at once.
 *
 * Returns: %TRUE when the chunk is done
 */
gboolean
svd_chunk_job_run_chunk (SvdChunkJob          *self,
                         guint                 index,
                         const SvdRestoreJob  *job,
                         SvdRestoreJobResult  *result,
                         GError              **error)
{
  Relay relay = { 0 };

  g_return_val_if_fail (self != NULL && job != NULL, FALSE);
  if (index >= self->chunks->len)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "The job has chunks 0 to %u; there is no chunk %u", self->chunks->len - 1, index);
      return FALSE;
    }
  if (svd_chunk_job_verify_chunk (self, index, SVD_CHUNK_VERIFY_CHECKSUM, NULL) == SVD_CHUNK_DONE)
    return TRUE;
  relay.outer = job;
  relay.frames_before = 0;
  relay.frames_total = self->chunks->len > 0 ? g_array_index (self->chunks, SvdChunk, index).end
                                               - g_array_index (self->chunks, SvdChunk, index).first : 0;
  relay.start_us = g_get_monotonic_time ();
  return run_chunk (self, index, job, &relay, result, error);
}

/* ------------------------------------------------------------------ */
/* Join and clean-up */

/**
 * svd_chunk_job_join:
 * @self: a job whose chunks are all done
 * @cancellable: (nullable): cancels the join
 * @frames: (out) (optional): frames in the output
 * @error: return location for an error
 *
 * Verifies every chunk against the ledger, joins them by stream copy with
 * the source's audio, subtitles, chapters and metadata, writes the
 * output atomically and removes the job folder. When a chunk is missing
 * or bad, fails listing them; then nothing is written and nothing
 * finished is thrown away.
 *
 * Returns: %TRUE when the output was written
 */
gboolean
svd_chunk_job_join (SvdChunkJob   *self,
                    GCancellable  *cancellable,
                    gint64        *frames,
                    GError       **error)
{
  g_autoptr(GString) bad = g_string_new (NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) first_pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GError) local = NULL;
  SvdChunkJoinOptions jo = { 0 };
  SvdReaderOptions ro;
  guint n_bad = 0;

  for (guint i = 0; i < self->chunks->len; i++)
    {
      g_autofree char *problem = NULL;
      SvdChunkState state = svd_chunk_job_verify_chunk (self, i, SVD_CHUNK_VERIFY_CHECKSUM, &problem);
      const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, i);
      gint64 n = c->end - c->first;

      if (state != SVD_CHUNK_DONE)
        {
          if (n_bad < 20)
            g_string_append_printf (bad, "%s%u%s%s%s", bad->len ? ", " : "", i,
                                    problem != NULL ? " (" : "", problem != NULL ? problem : "",
                                    problem != NULL ? ")" : "");
          n_bad++;
          continue;
        }
      g_ptr_array_add (paths, chunk_path (self, i, CHUNK_EXT));
      g_array_append_val (first_pts, g_array_index (self->timestamps, gint64, c->first));
      g_array_append_val (counts, n);
    }
  if (n_bad > 0)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "Cannot join “%s”: %u of %u chunks are not done: %s%s. Nothing was written and the "
                   "finished chunks are kept; restore the missing ones first", self->dir, n_bad,
                   self->chunks->len, bad->str, n_bad > 20 ? ", …" : "");
      return FALSE;
    }
  g_ptr_array_add (paths, NULL);

  /* Never onto the input, nor a folder (svd-output.c's rules; whether an
   * existing output may be replaced was settled when the job was made). */
  {
    const char *inputs[] = { self->input, NULL };

    if (!svd_output_check (self->output, inputs, SVD_OUTPUT_FORCE, error))
      return FALSE;
  }
  svd_reader_options_init (&ro);
  ro.allow_playlists = self->allow_playlists;
  reader = svd_reader_open (self->input, &ro, error);
  if (reader == NULL)
    return FALSE;
  if (!svd_chunk_job_check_input (self, NULL, error))
    return FALSE;
  jo.chunk_paths = (const char *const *) paths->pdata;
  jo.first_pts_us = (const gint64 *) first_pts->data;
  jo.n_frames = (const gint64 *) counts->data;
  jo.n_chunks = self->chunks->len;
  jo.source = svd_reader_get_info (reader);
  jo.output = self->output;
  jo.copy_audio = self->copy_audio;
  jo.copy_subtitles = self->copy_subtitles;
  jo.allow_playlists = self->allow_playlists;
  jo.cancellable = cancellable;
  if (!svd_chunk_join (&jo, frames, error))
    return FALSE;
  if (!svd_chunk_job_remove_dir (self->dir, &local))
    g_warning ("The output is complete, but its job folder could not be removed: %s", local->message);
  return TRUE;
}

static gboolean
remove_files_in (const char  *dir,
                 GError     **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return TRUE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      if (g_lstat (path, &st) == 0 && !S_ISDIR (st.st_mode) && g_unlink (path) != 0)
        {
          int saved = errno;

          g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot remove “%s”: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * svd_chunk_job_remove_dir:
 * @dir: a job folder
 * @error: return location for an error
 *
 * Deletes a job folder: its plan, chunks, ledger and the temporary files
 * of interrupted chunks. Refuses a folder that is not a job folder (no
 * job.json), so a mistyped name cannot delete other files.
 *
 * Returns: %TRUE when @dir is gone
 */
gboolean
svd_chunk_job_remove_dir (const char  *dir,
                          GError     **error)
{
  g_autofree char *json = g_build_filename (dir, "job.json", NULL);
  g_autofree char *chunks = g_build_filename (dir, "chunks", NULL);

  if (!g_file_test (dir, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_test (json, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a restore job folder (no job.json); not removing it", dir);
      return FALSE;
    }
  if (!remove_files_in (chunks, error) || !remove_files_in (dir, error))
    return FALSE;
  g_rmdir (chunks);
  if (g_rmdir (dir) != 0)
    {
      int saved = errno;

      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot remove “%s”: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The whole restore */

static void
notice (const SvdChunkJobOptions *options,
        const char               *format,
        ...) G_GNUC_PRINTF (2, 3);

static void
notice (const SvdChunkJobOptions *options,
        const char               *format,
        ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  if (options->notice == NULL)
    return;
  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  options->notice (msg, options->user_data);
}

/* Before restoring anything, what the join will need: a writer for the
 * output with the job's settings (container, encoder, CRF, pixel format;
 * made and thrown away at once) and a container that takes the source's
 * audio and subtitles. */
static gboolean
check_output (const SvdRestoreJob  *job,
              GError              **error)
{
  g_autoptr(SvdWriter) writer = NULL;
  SvdWriterOptions wo;

  svd_writer_options_init (&wo);
  wo.encoder = job->encoder;
  wo.crf = job->crf;
  wo.preset = job->preset;
  wo.pix_fmt = job->pix_fmt;
  wo.copy_from = job->input_path;
  wo.copy_audio = FALSE;
  wo.copy_subtitles = FALSE;
  writer = svd_writer_new (job->output_path, &wo, error);
  if (writer == NULL)
    return FALSE;
  return svd_chunk_join_check_streams (job->input_path, job->output_path, job->copy_audio, job->copy_subtitles,
                                       job->allow_playlists, error);
}

/**
 * svd_chunk_job_restore:
 * @job: the restore: input, output, chain (models loaded), encoder
 *   settings, cancellable and callbacks. The whole clip (@job->first and
 *   @job->end are ignored)
 * @options: chunk length, scene cuts, restart, plan only
 * @planned: (out) (optional) (transfer full): the job, for showing its
 *   chunk table
 * @result: (out caller-allocates) (optional): what was done
 * @error: return location for an error
 *
 * A chunked, resumable restore, what `svd restore` and the GUI export
 * run: plans OUT.svdjob/ (or, when it exists, checks that it is the same
 * restore and resumes it), verifies the chunks already done, restores
 * the others, joins them onto @job->output_path and removes the folder.
 * Interrupted (cancelled, killed), it leaves the folder with every
 * finished chunk for the next run. A folder planned for another input,
 * chain or setting is refused with the reason unless @options->restart.
 *
 * Returns: %TRUE when the output was written (or, with
 *   @options->plan_only, the job planned)
 */
gboolean
svd_chunk_job_restore (const SvdRestoreJob       *job,
                       const SvdChunkJobOptions  *options,
                       SvdChunkJob              **planned,
                       SvdChunkJobResult         *result,
                       GError                   **error)
{
  g_autofree char *dir = svd_chunk_job_dir_for_output (job->output_path);
  g_autoptr(SvdChunkJob) self = NULL;
  g_autoptr(GArray) todo = g_array_new (FALSE, FALSE, sizeof (guint));
  SvdChunkJobResult res = { 0 };
  Relay relay = { 0 };
  gint64 frames_done = 0;

  g_return_val_if_fail (job != NULL && options != NULL, FALSE);

  res.restore.reuse_worst_psnr_y = INFINITY;
  res.restore.first_damaged_frame = -1;
  if (!check_output (job, error))
    return FALSE;
  if (options->restart && !svd_chunk_job_remove_dir (dir, error))
    return FALSE;
  if (g_file_test (dir, G_FILE_TEST_EXISTS))
    {
      self = svd_chunk_job_open (dir, error);
      if (self == NULL)
        return FALSE;
      if (!svd_chunk_job_matches (self, job, options, error) ||
          !svd_chunk_job_check_input (self, job->reader, error))
        return FALSE;
    }
  else
    {
      self = svd_chunk_job_plan (job, options, dir, error);
      if (self == NULL)
        return FALSE;
    }
  res.n_chunks = self->chunks->len;

  /* What is done already: verified, or restored again. */
  for (guint i = 0; i < self->chunks->len; i++)
    {
      g_autofree char *problem = NULL;
      const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, i);

      switch (svd_chunk_job_verify_chunk (self, i, SVD_CHUNK_VERIFY_CHECKSUM, &problem))
        {
        case SVD_CHUNK_DONE:
          res.chunks_done_before++;
          frames_done += c->end - c->first;
          break;
        case SVD_CHUNK_BAD:
          notice (options, "chunk %u: %s; restoring it again", i, problem);
          res.chunks_redone++;
          g_array_append_val (todo, i);
          break;
        case SVD_CHUNK_MISSING:
        default:
          g_array_append_val (todo, i);
          break;
        }
    }
  if (planned != NULL)
    *planned = svd_chunk_job_open (dir, NULL);
  if (options->plan_only)
    {
      if (result != NULL)
        *result = res;
      return TRUE;
    }
  if (res.chunks_done_before > 0)
    notice (options, "resuming: %u of %u chunks done", res.chunks_done_before, res.n_chunks);

  relay.outer = job;
  relay.frames_total = self->n_frames;
  relay.frames_before = frames_done;
  relay.frames_at_start = frames_done;
  relay.start_us = g_get_monotonic_time ();
  for (guint k = 0; k < todo->len; k++)
    {
      guint i = g_array_index (todo, guint, k);
      const SvdChunk *c = &g_array_index (self->chunks, SvdChunk, i);

      if (!run_chunk (self, i, job, &relay, &res.restore, error))
        {
          svd_chunk_job_result_clear (&res);
          return FALSE;
        }
      res.chunks_restored++;
      relay.frames_before += c->end - c->first;
    }
  if (!svd_chunk_job_join (self, job->cancellable, &res.frames, error))
    {
      svd_chunk_job_result_clear (&res);
      return FALSE;
    }
  if (result != NULL)
    *result = res;
  else
    svd_chunk_job_result_clear (&res);
  return TRUE;
}
