/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-cli"

#include "svd-cli.h"
#include "engine/svd-engine.h"
#include "media/svd-degrade.h"
#include "media/svd-reader.h"
#include "media/svd-writer.h"
#include "session/svd-chunk-job.h"
#include "session/svd-restore-job.h"

#include <glib-unix.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

/* svd probe, svd transcode, svd restore, svd degrade: the media commands. */

static const char *
primaries_name (SvdColorPrimaries p)
{
  switch (p)
    {
    case SVD_COLOR_PRIMARIES_BT709: return "bt709";
    case SVD_COLOR_PRIMARIES_BT601_525: return "smpte170m";
    case SVD_COLOR_PRIMARIES_BT601_625: return "bt470bg";
    case SVD_COLOR_PRIMARIES_BT2020: return "bt2020";
    case SVD_COLOR_PRIMARIES_UNSPECIFIED:
    default: return "unspecified";
    }
}

static const char *
transfer_name (SvdColorTransfer t)
{
  switch (t)
    {
    case SVD_COLOR_TRANSFER_BT709: return "bt709";
    case SVD_COLOR_TRANSFER_SRGB: return "srgb";
    case SVD_COLOR_TRANSFER_PQ: return "pq";
    case SVD_COLOR_TRANSFER_HLG: return "hlg";
    case SVD_COLOR_TRANSFER_UNSPECIFIED:
    default: return "unspecified";
    }
}

static void
probe_print_text (const SvdVideoInfo *info)
{
  printf ("File:       %s\n", info->path);
  printf ("Container:  %s\n", info->container);
  printf ("Video:      stream %d, %s, %dx%d, %s (%d-bit)\n", info->stream_index, info->codec,
          info->width, info->height, info->source_pix_fmt, info->bit_depth);
  printf ("Output:     %s%s\n", svd_pixel_format_get_info (info->format)->name,
          info->converted ? " (converted with swscale)" : " (decoder planes, no copy)");
  printf ("Frames:     %" G_GINT64_FORMAT "\n", info->n_frames);
  printf ("Frame rate: %.3f fps (average %d/%d, base %d/%d)%s\n", info->fps,
          info->avg_fps_num, info->avg_fps_den, info->r_fps_num, info->r_fps_den,
          info->vfr ? ", variable" : ", constant");
  printf ("Duration:   %.3f s (first frame at %.6f s)\n", info->duration_us / 1e6, info->first_pts_us / 1e6);
  printf ("Colour:     %s, %s range, primaries %s, transfer %s%s\n",
          svd_color_matrix_name (info->color.matrix), svd_color_range_name (info->color.range),
          primaries_name (info->color.primaries), transfer_name (info->color.transfer),
          info->color_guessed ? " (not tagged; guessed)" : "");
  printf ("Rotation:   %d°%s\n", info->rotation, info->hflip ? ", mirrored" : "");
  printf ("Scan:       %s\n", info->interlaced ? "interlaced" : "progressive");
  if (info->damaged)
    printf ("Warning:    the file ends early (truncated or damaged)\n");
  printf ("Streams:\n");
  for (guint i = 0; i < info->streams->len; i++)
    {
      const SvdStreamInfo *s = g_ptr_array_index (info->streams, i);

      printf ("  #%d %-8s %-10s", s->index, svd_stream_type_name (s->type), s->codec);
      if (s->type == SVD_STREAM_VIDEO)
        printf (" %dx%d", s->width, s->height);
      if (s->type == SVD_STREAM_AUDIO)
        printf (" %d Hz, %d ch", s->sample_rate, s->channels);
      if (s->language)
        printf (" [%s]", s->language);
      if (s->title)
        printf (" “%s”", s->title);
      printf ("\n");
    }
}

static void
probe_print_json (const SvdVideoInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, info->path);
  json_builder_set_member_name (b, "container");
  json_builder_add_string_value (b, info->container);
  json_builder_set_member_name (b, "video_stream");
  json_builder_add_int_value (b, info->stream_index);
  json_builder_set_member_name (b, "codec");
  json_builder_add_string_value (b, info->codec);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, info->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, info->height);
  json_builder_set_member_name (b, "pix_fmt");
  json_builder_add_string_value (b, info->source_pix_fmt);
  json_builder_set_member_name (b, "bit_depth");
  json_builder_add_int_value (b, info->bit_depth);
  json_builder_set_member_name (b, "output_format");
  json_builder_add_string_value (b, svd_pixel_format_get_info (info->format)->name);
  json_builder_set_member_name (b, "converted");
  json_builder_add_boolean_value (b, info->converted);
  json_builder_set_member_name (b, "frames");
  json_builder_add_int_value (b, info->n_frames);
  json_builder_set_member_name (b, "fps");
  json_builder_add_double_value (b, info->fps);
  json_builder_set_member_name (b, "avg_frame_rate");
  {
    g_autofree char *avg = g_strdup_printf ("%d/%d", info->avg_fps_num, info->avg_fps_den);
    json_builder_add_string_value (b, avg);
  }
  json_builder_set_member_name (b, "r_frame_rate");
  {
    g_autofree char *r = g_strdup_printf ("%d/%d", info->r_fps_num, info->r_fps_den);
    json_builder_add_string_value (b, r);
  }
  json_builder_set_member_name (b, "time_base");
  {
    g_autofree char *tb = g_strdup_printf ("%d/%d", info->time_base_num, info->time_base_den);
    json_builder_add_string_value (b, tb);
  }
  json_builder_set_member_name (b, "vfr");
  json_builder_add_boolean_value (b, info->vfr);
  json_builder_set_member_name (b, "first_pts_us");
  json_builder_add_int_value (b, info->first_pts_us);
  json_builder_set_member_name (b, "duration_us");
  json_builder_add_int_value (b, info->duration_us);
  json_builder_set_member_name (b, "rotation");
  json_builder_add_int_value (b, info->rotation);
  json_builder_set_member_name (b, "hflip");
  json_builder_add_boolean_value (b, info->hflip);
  json_builder_set_member_name (b, "interlaced");
  json_builder_add_boolean_value (b, info->interlaced);
  json_builder_set_member_name (b, "damaged");
  json_builder_add_boolean_value (b, info->damaged);
  json_builder_set_member_name (b, "color");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "matrix");
  json_builder_add_string_value (b, svd_color_matrix_name (info->color.matrix));
  json_builder_set_member_name (b, "range");
  json_builder_add_string_value (b, svd_color_range_name (info->color.range));
  json_builder_set_member_name (b, "primaries");
  json_builder_add_string_value (b, primaries_name (info->color.primaries));
  json_builder_set_member_name (b, "transfer");
  json_builder_add_string_value (b, transfer_name (info->color.transfer));
  json_builder_set_member_name (b, "guessed");
  json_builder_add_boolean_value (b, info->color_guessed);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->streams->len; i++)
    {
      const SvdStreamInfo *s = g_ptr_array_index (info->streams, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, s->index);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, svd_stream_type_name (s->type));
      json_builder_set_member_name (b, "codec");
      json_builder_add_string_value (b, s->codec);
      json_builder_set_member_name (b, "language");
      if (s->language)
        json_builder_add_string_value (b, s->language);
      else
        json_builder_add_null_value (b);
      if (s->type == SVD_STREAM_VIDEO)
        {
          json_builder_set_member_name (b, "width");
          json_builder_add_int_value (b, s->width);
          json_builder_set_member_name (b, "height");
          json_builder_add_int_value (b, s->height);
        }
      if (s->type == SVD_STREAM_AUDIO)
        {
          json_builder_set_member_name (b, "sample_rate");
          json_builder_add_int_value (b, s->sample_rate);
          json_builder_set_member_name (b, "channels");
          json_builder_add_int_value (b, s->channels);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  svd_cli_print_json (b);
}

int
svd_cmd_probe (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("CLIP - describe a video clip");
  g_autoptr(SvdReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(SvdCliCommon) common = { 0 };

  g_option_context_set_description (context,
    "Prints the container, video codec, size, pixel format, frame count (counted from\n"
    "the packets, not the header), frame rates, VFR, colour tags, rotation and every\n"
    "audio and subtitle stream.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 2)
    return svd_cli_usage_error (context, "svd probe: give exactly one clip");

  reader = svd_reader_open (argv[1], NULL, &error);
  if (reader == NULL)
    return svd_cli_fail (argv[0], error);
  if (common.json)
    probe_print_json (svd_reader_get_info (reader));
  else
    probe_print_text (svd_reader_get_info (reader));
  return 0;
}

/* Progress: a bar on a terminal, plain lines (at most one a second)
 * otherwise, nothing with --quiet. */
typedef struct {
  gboolean tty;
  gboolean quiet;
  gint64   last_line;
  const char *what;
  gsize    reused;   /* frames that reused an output; set atomically on the compute thread */
} Progress;

static void
progress_cb (const SvdWriterProgress *p,
             gpointer                 data)
{
  Progress *pr = data;
  gint64 now = g_get_monotonic_time ();
  char eta[32] = "?";
  char reused[48] = "";
  gsize n_reused;

  if (pr->quiet)
    return;
  n_reused = (gsize) g_atomic_pointer_get (&pr->reused);
  if (n_reused > 0)
    g_snprintf (reused, sizeof reused, ", %" G_GSIZE_FORMAT " reused", n_reused);
  if (p->eta_s >= 0)
    g_snprintf (eta, sizeof eta, "%d:%02d", (int) p->eta_s / 60, (int) p->eta_s % 60);
  if (pr->tty)
    {
      int width = 30, fill = p->frames_total > 0 ? (int) (width * p->frames_done / p->frames_total) : 0;
      char bar[64];

      fill = CLAMP (fill, 0, width);
      memset (bar, '=', fill);
      memset (bar + fill, ' ', width - fill);
      bar[width] = '\0';
      fprintf (stderr, "\r%s [%s] %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " frames%s  %.1f fps  ETA %s ",
               pr->what, bar, p->frames_done, p->frames_total, reused, p->fps, eta);
      fflush (stderr);
    }
  else if (now - pr->last_line >= G_USEC_PER_SEC || (p->frames_total > 0 && p->frames_done == p->frames_total))
    {
      pr->last_line = now;
      fprintf (stderr, "progress: %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT " frames%s, %.1f fps, ETA %s\n",
               p->frames_done, p->frames_total, reused, p->fps, eta);
    }
}

static void
progress_end (Progress *pr)
{
  if (pr->tty && !pr->quiet)
    fprintf (stderr, "\n");
}

/* Ctrl-C, SIGTERM and SIGHUP cancel the job (svd_cli_interrupt_start()). */
typedef SvdCliInterrupt Interrupt;
#define interrupt_start svd_cli_interrupt_start
#define interrupt_stop svd_cli_interrupt_stop
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Interrupt, svd_cli_interrupt_stop)

static gboolean
parse_range (const char  *text,
             gint64      *a,
             gint64      *b,
             GError     **error)
{
  g_auto(GStrv) parts = NULL;

  *a = 0;
  *b = -1;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ":", 2);
  if (g_strv_length (parts) != 2 ||
      (parts[0][0] != '\0' && !g_ascii_string_to_signed (parts[0], 10, 0, G_MAXINT64, a, NULL)) ||
      (parts[1][0] != '\0' && !g_ascii_string_to_signed (parts[1], 10, 0, G_MAXINT64, b, NULL)))
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "--frames takes A:B (frames A to B-1; either may be left out), not “%s”", text);
      return FALSE;
    }
  if (*b >= 0 && *a >= *b)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT,
                   "--frames %s selects no frame", text);
      return FALSE;
    }
  return TRUE;
}

/* What the restore job reports back to `svd restore`: the progress line,
 * the CPU-fallback notice and the --stats CSV. */
typedef struct {
  const char *command;
  Progress    progress;
  FILE       *stats;     /* --stats: a CSV line every 25 frames (soak test) */
  gint64      start_us;
} Report;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FILE, fclose)

/* Resident memory from /proc/self/statm, in KiB; 0 where there is none. */
static guint64
rss_kib (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (guint64) resident * (guint64) sysconf (_SC_PAGESIZE) / 1024;
}

static void
report_progress_cb (const SvdWriterProgress *p,
                    gpointer                 data)
{
  Report *r = data;

  progress_cb (p, &r->progress);
}

static void
report_frame_cb (SvdEngine *engine,
                 gint64     frames,
                 gpointer   data)
{
  Report *r = data;
  guint64 peak = 0, bytes;

  if (r->stats == NULL || !(frames == 1 || frames % 25 == 0))
    return;
  bytes = svd_engine_get_device_bytes (engine, &peak);
  fprintf (r->stats, "%" G_GINT64_FORMAT ",%.3f,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
           frames, (g_get_monotonic_time () - r->start_us) / 1e6, rss_kib (), bytes, peak);
  fflush (r->stats);
}

static void
report_reused_cb (gint64   reused,
                  gpointer data)
{
  Report *r = data;

  g_atomic_pointer_set (&r->progress.reused, (gsize) reused);
}

static void
report_notice_cb (const char *message,
                  gpointer    data)
{
  Report *r = data;

  fprintf (stderr, "%s: notice: %s\n", r->command, message);
}

static void
chunk_notice_cb (const char *message,
                 gpointer    data)
{
  Report *r = data;

  if (!r->progress.quiet)
    fprintf (stderr, "%s: %s\n", r->command, message);
}

/* The chunk table of a planned job, as `--plan-only` and `--job DIR`
 * print it. */
static void
print_chunk_table (SvdChunkJob *cj,
                   gboolean     json)
{
  const GArray *cuts = svd_chunk_job_get_scene_cuts (cj);
  guint n = svd_chunk_job_get_n_chunks (cj);
  g_autoptr(GArray) missing = svd_chunk_job_missing_chunks (cj, SVD_CHUNK_VERIFY_QUICK);
  g_autofree gboolean *todo = g_new0 (gboolean, n);

  for (guint i = 0; i < missing->len; i++)
    todo[g_array_index (missing, guint, i)] = TRUE;
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "job");
      json_builder_add_string_value (b, svd_chunk_job_get_dir (cj));
      json_builder_set_member_name (b, "input");
      json_builder_add_string_value (b, svd_chunk_job_get_input (cj));
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, svd_chunk_job_get_output (cj));
      json_builder_set_member_name (b, "frames");
      json_builder_add_int_value (b, svd_chunk_job_get_n_frames (cj));
      json_builder_set_member_name (b, "scene_cuts");
      json_builder_begin_array (b);
      for (guint i = 0; i < cuts->len; i++)
        json_builder_add_int_value (b, g_array_index (cuts, gint64, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "chunks_done");
      json_builder_add_int_value (b, n - missing->len);
      json_builder_set_member_name (b, "chunks");
      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          const SvdChunk *c = svd_chunk_job_get_chunk (cj, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, i);
          json_builder_set_member_name (b, "first");
          json_builder_add_int_value (b, c->first);
          json_builder_set_member_name (b, "end");
          json_builder_add_int_value (b, c->end);
          json_builder_set_member_name (b, "scene_cut");
          json_builder_add_boolean_value (b, c->scene_cut);
          json_builder_set_member_name (b, "done");
          json_builder_add_boolean_value (b, !todo[i]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      svd_cli_print_json (b);
      return;
    }
  printf ("Job:        %s\n", svd_chunk_job_get_dir (cj));
  printf ("Input:      %s (%" G_GINT64_FORMAT " frames)\n", svd_chunk_job_get_input (cj),
          svd_chunk_job_get_n_frames (cj));
  printf ("Output:     %s\n", svd_chunk_job_get_output (cj));
  printf ("Scene cuts: ");
  if (cuts->len == 0)
    printf ("none found");
  for (guint i = 0; i < cuts->len; i++)
    printf ("%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", g_array_index (cuts, gint64, i));
  printf ("\n");
  printf ("Chunks:     %u (%u done)\n", n, n - missing->len);
  printf ("  chunk    first      end   frames  starts at\n");
  for (guint i = 0; i < n; i++)
    {
      const SvdChunk *c = svd_chunk_job_get_chunk (cj, i);

      printf ("  %5u %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT " %8" G_GINT64_FORMAT "  %-9s  %s\n", i, c->first,
              c->end, c->end - c->first, c->scene_cut ? "scene cut" : (i == 0 ? "start" : "split"),
              todo[i] ? "" : "done");
    }
}

/* `svd restore --job DIR [--chunk N | --join]`: the steps of a planned job
 * one at a time, as a farm's tasks run them. */
static int
run_job_step (const char         *command,
              const char         *dir,
              gint64              chunk,
              gboolean            join,
              const SvdCliCommon *common,
              const SvdSettings  *settings,
              Report             *report,
              GCancellable       *cancellable)
{
  g_autoptr(SvdChunkJob) cj = NULL;
  g_autoptr(GError) error = NULL;

  cj = svd_chunk_job_open (dir, &error);
  if (cj == NULL)
    return svd_cli_fail (command, error);
  if (join)
    {
      g_auto(Interrupt) interrupt = { 0 };
      gint64 frames = 0;
      gboolean ok;

      interrupt_start (&interrupt, cancellable);
      ok = svd_chunk_job_join (cj, cancellable, &frames, &error);
      interrupt_stop (&interrupt);
      if (!ok)
        return svd_cli_fail (command, error);
      if (!common->quiet)
        printf ("Wrote %s: %" G_GINT64_FORMAT " frames from %u chunks\n", svd_chunk_job_get_output (cj), frames,
                svd_chunk_job_get_n_chunks (cj));
      return 0;
    }
  if (chunk < 0)
    {
      print_chunk_table (cj, common->json);
      return 0;
    }
  if (chunk >= svd_chunk_job_get_n_chunks (cj))
    {
      g_set_error (&error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT, "The job “%s” has chunks 0 to %u, not %" G_GINT64_FORMAT,
                   dir, svd_chunk_job_get_n_chunks (cj) - 1, chunk);
      return svd_cli_fail (command, error);
    }
  if (svd_chunk_job_verify_chunk (cj, (guint) chunk, SVD_CHUNK_VERIFY_CHECKSUM, NULL) == SVD_CHUNK_DONE)
    {
      if (!common->quiet)
        printf ("Chunk %" G_GINT64_FORMAT " is already done\n", chunk);
      return 0;
    }
  {
    g_autoptr(SvdChain) chain = NULL;
    g_autoptr(SvdReader) reader = NULL;
    g_auto(SvdRestoreJobResult) result = { 0 };
    g_auto(Interrupt) interrupt = { 0 };
    SvdReaderOptions ro;
    SvdRestoreJob job;
    const SvdChunk *c = svd_chunk_job_get_chunk (cj, (guint) chunk);
    gboolean ok;

    svd_chunk_job_fill_restore_job (cj, &job);
    svd_reader_options_init (&ro);
    ro.allow_playlists = job.allow_playlists;
    reader = svd_reader_open (job.input_path, &ro, &error);
    if (reader == NULL || !svd_chunk_job_check_input (cj, reader, &error))
      return svd_cli_fail (command, error);
    chain = svd_chunk_job_load_chain (cj, &error);
    if (chain == NULL)
      return svd_cli_fail (command, error);
    job.reader = reader;
    job.chain = chain;
    job.settings = settings;
    job.cancellable = cancellable;
    job.progress = report_progress_cb;
    job.frame_done = report_frame_cb;
    job.notice = report_notice_cb;
    job.frame_reused = report_reused_cb;
    job.user_data = report;
    result.reuse_worst_psnr_y = INFINITY;
    interrupt_start (&interrupt, cancellable);
    ok = svd_chunk_job_run_chunk (cj, (guint) chunk, &job, &result, &error);
    interrupt_stop (&interrupt);
    progress_end (&report->progress);
    if (!ok)
      return svd_cli_fail (command, error);
    if (!common->quiet)
      printf ("Chunk %" G_GINT64_FORMAT " done: frames %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
              " (%" G_GINT64_FORMAT " frames, the chain ran on %" G_GINT64_FORMAT ")\n", chunk, c->first,
              c->end - 1, result.frames, result.engine_frames);
  }
  return 0;
}

/* `svd transcode` and `svd restore` are one command over one library job
 * (svd_restore_job_run(), which the GUI export runs too): restore puts a
 * chain of models between the decoder and the encoder. */
static int
run_encode (int       argc,
            char    **argv,
            gboolean  restore)
{
  g_autoptr(GOptionContext) context = g_option_context_new (restore
    ? "IN OUT - restore a clip with a chain of models"
    : "IN OUT - re-encode a clip through SVD's reader and writer");
  g_autofree char *codec = NULL, *preset = NULL, *pix_fmt = NULL, *frames = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *encoders = svd_writer_list_encoders ();
  g_autofree char *codec_help = g_strdup_printf ("Video encoder (%s; aliases x264, x265, av1, vp9)", encoders);
  g_autofree char *chain = NULL;
  g_autofree char *stats_path = NULL;
  g_autoptr(SvdChain) steps = NULL;
  g_autoptr(SvdReader) reader = NULL;
  g_auto(SvdSettings) settings = { 0 };
  g_auto(SvdRestoreJobResult) result = { 0 };
  g_auto(Interrupt) interrupt = { 0 };
  g_autoptr(FILE) stats_file = NULL;
  gboolean no_audio = FALSE, no_subs = FALSE, allow_playlists = FALSE, no_reuse = FALSE;
  gboolean no_chunks = FALSE, restart = FALSE, plan_only = FALSE, join = FALSE, no_scene_cuts = FALSE;
  gint64 chunk_frames = 0, chunk = -1;
  g_autofree char *job_dir = NULL;
  g_auto(SvdChunkJobResult) chunked = { 0 };
  gboolean use_chunks = FALSE;
  gint64 restored_now = -1;   /* chunked: frames restored by this run */
  double reuse_similar = 0;
  int crf = -1;
  g_autofree char *on_decode_error = NULL;
  g_auto(SvdCliCommon) common = { 0 };
  SvdRestoreJob job;
  Report report = { 0 };
  gboolean ok;
  GOptionEntry entries[] = {
    { "codec", 'c', 0, G_OPTION_ARG_STRING, &codec, codec_help, "ENC" },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf, "Constant rate factor (encoder default when left out)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "Encoder preset (e.g. medium, slow; a number for SVT-AV1 and VP9)", "P" },
    { "pix-fmt", 0, 0, G_OPTION_ARG_STRING, &pix_fmt, "Output pixel format (default: the input's)", "FMT" },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames, "Only frames A to B-1", "A:B" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Do not copy audio", NULL },
    { "no-subtitles", 0, 0, G_OPTION_ARG_NONE, &no_subs, "Do not copy subtitles", NULL },
    { "allow-playlists", 0, 0, G_OPTION_ARG_NONE, &allow_playlists,
      "Accept an input that is a playlist or script (HLS, concat, DASH…) and read the files it names", NULL },
    { "on-decode-error", 0, 0, G_OPTION_ARG_STRING, &on_decode_error,
      "A damaged input frame: skip (the decoder conceals or drops it; reported at the end; default) "
      "or stop (fail, write nothing)", "skip|stop" },
    { NULL }
  };
  GOptionEntry chain_entries[] = {
    { "chain", 0, 0, G_OPTION_ARG_STRING, &chain, "The chain to run: models, built-in resizes (bicubic:2), presets, comma-separated", "CHAIN" },
    { "stats", 0, 0, G_OPTION_ARG_FILENAME, &stats_path,
      "Append frame,seconds,rss_kib,device_bytes,device_peak_bytes every 25 frames to this CSV", "FILE" },
    { "no-reuse", 0, 0, G_OPTION_ARG_NONE, &no_reuse,
      "Run the chain on every frame, even one identical to the frame before", NULL },
    { "reuse-similar", 0, 0, G_OPTION_ARG_DOUBLE, &reuse_similar,
      "Also reuse the last output for a frame whose PSNR-Y against the last computed frame is above DB "
      "(held frames of a lossy source; not bit-exact)", "DB" },
    { NULL }
  };
  GOptionEntry chunk_entries[] = {
    { "chunk-frames", 0, 0, G_OPTION_ARG_INT64, &chunk_frames,
      "Restore in chunks of at most N frames (default: about 10 s of video), split at scene cuts", "N" },
    { "no-chunks", 0, 0, G_OPTION_ARG_NONE, &no_chunks,
      "Restore in one piece: no job folder, nothing to resume", NULL },
    { "no-scene-cuts", 0, 0, G_OPTION_ARG_NONE, &no_scene_cuts,
      "Split every --chunk-frames frames instead of at scene cuts (no extra decode when planning)", NULL },
    { "restart", 0, 0, G_OPTION_ARG_NONE, &restart,
      "Throw away OUT.svdjob (its finished chunks) and start over", NULL },
    { "plan-only", 0, 0, G_OPTION_ARG_NONE, &plan_only,
      "Write the job folder OUT.svdjob, print its chunk table and stop", NULL },
    { "job", 0, 0, G_OPTION_ARG_FILENAME, &job_dir,
      "A planned job folder: with --chunk N restore one chunk, with --join join them, alone print its table", "DIR" },
    { "chunk", 0, 0, G_OPTION_ARG_INT64, &chunk, "With --job: restore chunk N and record it in the ledger", "N" },
    { "join", 0, 0, G_OPTION_ARG_NONE, &join,
      "With --job: join the finished chunks onto the output and remove the job folder", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (restore)
    {
      g_option_context_add_main_entries (context, chain_entries, NULL);
      g_option_context_add_main_entries (context, chunk_entries, NULL);
    }
  g_option_context_set_description (context, restore
    ? "Decodes IN, runs every frame through the chain on the OpenCL device (frames stay in\n"
      "YUV on the host; conversion happens in kernels) and encodes the result, copying\n"
      "audio and subtitle streams unchanged and keeping timestamps. The container follows\n"
      "OUT's extension. The output appears only when complete: interrupting (Ctrl-C) or a\n"
      "failure leaves no file. A frame bit-identical to the last one that went through the\n"
      "chain (anime held on twos and threes) reuses its output, which is the same file as\n"
      "running the chain again; --no-reuse runs every frame.\n"
      "\n"
      "A clip longer than one chunk is restored in chunks (exact frame ranges, split at\n"
      "scene cuts) kept in the job folder OUT.svdjob/ beside the output, then joined by\n"
      "stream copy with the audio, subtitles, chapters and metadata. Interrupted (Ctrl-C,\n"
      "kill -9, a power cut), the same command resumes: finished chunks are verified\n"
      "against their checksum and kept, the rest restored. A changed input, chain or\n"
      "setting is refused; --restart starts over. For a farm:\n"
      "  svd restore IN OUT --chain C --plan-only   plan OUT.svdjob/, print the chunks\n"
      "  svd restore --job DIR --chunk N            restore chunk N (idempotent)\n"
      "  svd restore --job DIR --join               join when every chunk is done"
    : "Decodes IN with the exact-seek reader and encodes it again with the writer, copying\n"
      "audio and subtitle streams unchanged and keeping timestamps. The container follows\n"
      "OUT's extension. The output appears only when complete: interrupting (Ctrl-C) or a\n"
      "failure leaves no file.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  svd_cli_settings (&common, &settings);
  if (restore && job_dir != NULL)
    {
      if (argc != 1)
        return svd_cli_usage_error (context, "--job takes no input or output file (the job names them)");
      if (join && chunk >= 0)
        return svd_cli_usage_error (context, "--chunk and --join exclude each other");
      report.command = argv[0];
      report.progress.tty = isatty (fileno (stderr));
      report.progress.quiet = common.quiet || common.json;
      report.progress.what = "restore";
      return run_job_step (argv[0], job_dir, chunk, join, &common, &settings, &report, cancellable);
    }
  if (chunk >= 0 || join)
    return svd_cli_usage_error (context, "--chunk and --join need --job DIR");
  if (chunk_frames < 0)
    return svd_cli_usage_error (context, "--chunk-frames takes a positive number of frames");
  if (no_chunks && (plan_only || restart || chunk_frames > 0))
    return svd_cli_usage_error (context, "--no-chunks excludes --plan-only, --restart and --chunk-frames");
  if (frames != NULL && (plan_only || chunk_frames > 0))
    return svd_cli_usage_error (context, "--frames restores in one piece; leave out --plan-only and --chunk-frames");
  if (argc != 3)
    return svd_cli_usage_error (context, "Give an input and an output file");
  if (restore && chain == NULL)
    return svd_cli_usage_error (context, "--chain is required");
  if (reuse_similar != 0 && !(reuse_similar > 0 && reuse_similar < 1000))
    return svd_cli_usage_error (context, "--reuse-similar takes a PSNR in dB above 0 (e.g. 45)");
  if (reuse_similar != 0 && no_reuse)
    return svd_cli_usage_error (context, "--reuse-similar and --no-reuse exclude each other");
  if (on_decode_error != NULL && strcmp (on_decode_error, "stop") != 0 && strcmp (on_decode_error, "skip") != 0)
    return svd_cli_usage_error (context, "--on-decode-error is skip or stop");

  /* Before any work: the output is not the input, replaces nothing
   * without --force, and can be written. */
  {
    const char *inputs[] = { argv[1], stats_path };
    const char *stats_inputs[] = { argv[1], argv[2] };

    if (!svd_cli_check_output (&common, argv[2], inputs, 2, chain, 0, &error) ||
        (stats_path != NULL &&
         !svd_cli_check_output (&common, stats_path, stats_inputs, 2, chain, SVD_OUTPUT_APPEND, &error)))
      return svd_cli_fail (argv[0], error);
  }

  svd_restore_job_init (&job);
  job.input_path = argv[1];
  job.output_path = argv[2];
  if (!parse_range (frames, &job.first, &job.end, &error))
    return svd_cli_fail (argv[0], error);
  /* The input before the chain: a clip that cannot be read (or a refused
   * playlist) fails at once, not after the models have loaded. */
  {
    SvdReaderOptions ro;

    svd_reader_options_init (&ro);
    ro.allow_playlists = allow_playlists;
    reader = svd_reader_open (argv[1], &ro, &error);
    if (reader == NULL)
      return svd_cli_fail (argv[0], error);
    job.reader = reader;
  }
  if (restore)
    {
      steps = svd_cli_load_chain (chain, &error);
      if (steps == NULL)
        return svd_cli_fail (argv[0], error);
      job.chain = steps;
      if (stats_path != NULL)
        {
          stats_file = fopen (stats_path, "a");
          if (stats_file == NULL)
            {
              g_printerr ("%s: error: cannot write “%s”: %s\n", argv[0], stats_path, g_strerror (errno));
              return 1;
            }
          report.stats = stats_file;
          report.start_us = g_get_monotonic_time ();
        }
    }
  /* Chunked (resumable) when the clip is longer than one chunk, or when a
   * job folder from an interrupted run is there to resume. */
  if (restore && !no_chunks && frames == NULL)
    {
      const SvdVideoInfo *info = svd_reader_get_info (reader);
      g_autofree char *dir = svd_chunk_job_dir_for_output (argv[2]);
      gint64 per_chunk = chunk_frames > 0 ? chunk_frames : svd_chunk_job_default_chunk_frames (info);
      gboolean rotated = info->rotation % 360 != 0 || info->hflip;

      use_chunks = plan_only || restart || g_file_test (dir, G_FILE_TEST_EXISTS) || info->n_frames > per_chunk;
      /* The chunks are NUT files, which cannot carry a display matrix; an
       * MP4 or MOV output keeps the rotation as one, so such a clip is
       * restored in one piece (Matroska turns the pixels either way). */
      if (use_chunks && rotated && !g_str_has_suffix (argv[2], ".mkv") && !g_str_has_suffix (argv[2], ".webm"))
        {
          if (plan_only || g_file_test (dir, G_FILE_TEST_EXISTS))
            {
              g_set_error (&error, SVD_ERROR, SVD_ERROR_UNSUPPORTED,
                           "“%s” is rotated or mirrored, which only an unchunked restore keeps in this "
                           "container; use --no-chunks or a .mkv output", argv[1]);
              return svd_cli_fail (argv[0], error);
            }
          use_chunks = FALSE;
        }
    }
  else if (plan_only || restart)
    return svd_cli_usage_error (context, "--plan-only and --restart are for chunked restores");
  job.encoder = codec;
  job.crf = crf;
  job.preset = preset;
  job.pix_fmt = pix_fmt;
  job.copy_audio = !no_audio;
  job.copy_subtitles = !no_subs;
  job.allow_playlists = allow_playlists;
  job.stop_on_decode_error = g_strcmp0 (on_decode_error, "stop") == 0;
  job.reuse = !no_reuse;
  job.reuse_similar_db = reuse_similar;
  job.settings = &settings;
  job.cancellable = cancellable;
  job.progress = report_progress_cb;
  job.frame_done = report_frame_cb;
  job.notice = report_notice_cb;
  job.frame_reused = report_reused_cb;
  job.user_data = &report;
  report.command = argv[0];
  report.progress.tty = isatty (fileno (stderr));
  report.progress.quiet = common.quiet || common.json;
  report.progress.what = restore ? "restore" : "transcode";

  /* Before the temporary file exists, so an interrupt can never orphan it. */
  interrupt_start (&interrupt, cancellable);
  if (use_chunks)
    {
      g_autoptr(SvdChunkJob) planned = NULL;
      SvdChunkJobOptions co;

      svd_chunk_job_options_init (&co);
      co.chunk_frames = chunk_frames;
      co.scene_cuts = !no_scene_cuts;
      co.restart = restart;
      co.plan_only = plan_only;
      co.notice = chunk_notice_cb;
      co.user_data = &report;
      ok = svd_chunk_job_restore (&job, &co, plan_only ? &planned : NULL, &chunked, &error);
      interrupt_stop (&interrupt);
      progress_end (&report.progress);
      if (!ok)
        {
          g_autofree char *dir = svd_chunk_job_dir_for_output (argv[2]);

          if (g_file_test (dir, G_FILE_TEST_EXISTS) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_clear_error (&error);
              g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "Cancelled; the finished chunks are kept in “%s”: run the same command again to resume",
                           dir);
            }
          else if (g_file_test (dir, G_FILE_TEST_EXISTS) &&
                   !g_error_matches (error, SVD_ERROR, SVD_ERROR_INVALID_ARGUMENT))
            g_prefix_error (&error, "(finished chunks are kept in “%s”; run the same command again to resume) ",
                            dir);
          return svd_cli_fail (argv[0], error);
        }
      if (plan_only)
        {
          print_chunk_table (planned, common.json);
          return 0;
        }
      /* The sums over the chunks restored now; the frames are the output's. */
      result = chunked.restore;
      chunked.restore = (SvdRestoreJobResult) { 0 };
      restored_now = result.frames;
      result.frames = chunked.frames;
      result.frames_expected = chunked.frames;
      if (result.encoder == NULL)
        result.encoder = g_strdup ("-");
      if (result.pix_fmt == NULL)
        result.pix_fmt = g_strdup ("-");
    }
  else
    {
      ok = svd_restore_job_run (&job, &result, &error);
      interrupt_stop (&interrupt);
      progress_end (&report.progress);
      if (!ok)
        return svd_cli_fail (argv[0], error);
    }

  if (result.decode_errors > 0)
    fprintf (stderr, "%s: warning: %" G_GINT64_FORMAT " damaged frame(s) or packet(s) in the input, the first "
             "at frame %" G_GINT64_FORMAT "; the decoder concealed or skipped them (--on-decode-error=stop "
             "fails instead)\n", argv[0], result.decode_errors, result.first_damaged_frame);
  if (result.frames < result.frames_expected)
    fprintf (stderr, "%s: warning: the input ended after %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
             " frames (truncated or damaged); the output holds the frames that decoded\n",
             argv[0], result.frames, result.frames_expected);
  {
    double s = result.seconds;
    gint64 n = result.frames;
    gint64 n_speed = restored_now >= 0 ? restored_now : n;

    if (common.json)
      {
        g_autoptr(JsonBuilder) jb = json_builder_new ();

        json_builder_begin_object (jb);
        json_builder_set_member_name (jb, "output");
        json_builder_add_string_value (jb, argv[2]);
        json_builder_set_member_name (jb, "frames");
        json_builder_add_int_value (jb, n);
        json_builder_set_member_name (jb, "encoder");
        json_builder_add_string_value (jb, result.encoder);
        json_builder_set_member_name (jb, "pix_fmt");
        json_builder_add_string_value (jb, result.pix_fmt);
        json_builder_set_member_name (jb, "seconds");
        json_builder_add_double_value (jb, s);
        json_builder_set_member_name (jb, "fps");
        json_builder_add_double_value (jb, s > 0 ? n_speed / s : 0);
        json_builder_set_member_name (jb, "decode_errors");
        json_builder_add_int_value (jb, result.decode_errors);
        json_builder_set_member_name (jb, "first_damaged_frame");
        json_builder_add_int_value (jb, result.first_damaged_frame);
        if (restore && result.engine_frames > 0)
          {
            json_builder_set_member_name (jb, "device");
            json_builder_add_string_value (jb, result.device_name);
            json_builder_set_member_name (jb, "engine_ms_per_frame");
            json_builder_add_double_value (jb, result.engine_wall_ms / result.engine_frames);
            json_builder_set_member_name (jb, "device_ms_per_frame");
            json_builder_add_double_value (jb, result.engine_device_ms / result.engine_frames);
          }
        if (use_chunks)
          {
            json_builder_set_member_name (jb, "chunks");
            json_builder_add_int_value (jb, chunked.n_chunks);
            json_builder_set_member_name (jb, "chunks_done_before");
            json_builder_add_int_value (jb, chunked.chunks_done_before);
            json_builder_set_member_name (jb, "chunks_restored");
            json_builder_add_int_value (jb, chunked.chunks_restored);
            json_builder_set_member_name (jb, "chunks_redone");
            json_builder_add_int_value (jb, chunked.chunks_redone);
          }
        if (restore)
          {
            json_builder_set_member_name (jb, "engine_frames");
            json_builder_add_int_value (jb, result.engine_frames);
            json_builder_set_member_name (jb, "frames_reused");
            json_builder_add_int_value (jb, result.frames_reused);
            json_builder_set_member_name (jb, "frames_similar");
            json_builder_add_int_value (jb, result.frames_similar);
            /* The largest deviation a similar frame was allowed; null when
             * every reused frame was bit-identical (JSON has no infinity). */
            json_builder_set_member_name (jb, "reuse_worst_psnr_y");
            if (isfinite (result.reuse_worst_psnr_y))
              json_builder_add_double_value (jb, result.reuse_worst_psnr_y);
            else
              json_builder_add_null_value (jb);
          }
        json_builder_end_object (jb);
        svd_cli_print_json (jb);
      }
    else if (!common.quiet)
      {
        printf ("Wrote %s: %" G_GINT64_FORMAT " frames, %s %s, in %.1f s (%.1f fps)\n", argv[2], n,
                result.encoder, result.pix_fmt, s, s > 0 ? n_speed / s : 0);
        if (use_chunks)
          printf ("Restored %u of %u chunks in this run (%u were already done): %" G_GINT64_FORMAT " frames\n",
                  chunked.chunks_restored, chunked.n_chunks, chunked.chunks_done_before, restored_now);
        if (restore && result.engine_frames > 0)
          printf ("Engine on %s: %.1f ms per frame (device %.1f ms)\n", result.device_name,
                  result.engine_wall_ms / result.engine_frames, result.engine_device_ms / result.engine_frames);
        if (restore && result.frames_reused > 0)
          {
            printf ("Reused %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " frames (the chain ran on %"
                    G_GINT64_FORMAT ")", result.frames_reused, n_speed, result.engine_frames);
            if (result.frames_similar > 0)
              printf ("; %" G_GINT64_FORMAT " only similar, the largest deviation PSNR-Y %.2f dB",
                      result.frames_similar, result.reuse_worst_psnr_y);
            printf ("\n");
          }
      }
  }
  return 0;
}

int
svd_cmd_transcode (int    argc,
                   char **argv)
{
  return run_encode (argc, argv, FALSE);
}

int
svd_cmd_restore (int    argc,
                 char **argv)
{
  return run_encode (argc, argv, TRUE);
}

int
svd_cmd_degrade (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("CLEAN OUT - make a degraded input from a clean clip");
  g_autofree char *filter = NULL, *preset = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Interrupt) interrupt = { 0 };
  gboolean no_audio = FALSE, ok;
  SvdDegradeParams params;
  g_auto(SvdCliCommon) common = { 0 };
  Progress pr = { 0 };
  GOptionEntry entries[] = {
    { "scale", 's', 0, G_OPTION_ARG_INT, &params.scale, "Shrink by 1, 2 or 4 (default 2)", "N" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING, &filter, "area, bilinear, bicubic (default), lanczos or nearest", "F" },
    { "crf", 0, 0, G_OPTION_ARG_INT, &params.crf, "libx264 CRF, 10 to 51 (default 34)", "N" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "libx264 preset (default medium)", "P" },
    { "no-audio", 0, 0, G_OPTION_ARG_NONE, &no_audio, "Leave audio and subtitles out", NULL },
    { NULL }
  };

  svd_degrade_params_init (&params);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Builds the degraded input of Synthesize mode the way the seed project built its\n"
    "dataset: every frame shrunk with the chosen filter, then re-encoded with libx264 at\n"
    "the given CRF. Timestamps are kept, so frame N pairs with frame N of CLEAN.");
  if (!svd_cli_parse (context, &common, &argc, &argv))
    return 2;
  if (argc != 3)
    return svd_cli_usage_error (context, "svd degrade: give the clean clip and an output file");
  if (filter != NULL && !svd_scale_filter_from_name (filter, &params.filter))
    return svd_cli_usage_error (context, "svd degrade: --filter must be area, bilinear, bicubic, lanczos or nearest");
  params.preset = preset;
  params.keep_audio = !no_audio;
  if (!svd_cli_check_output (&common, argv[2], (const char *const *) argv + 1, 1, NULL, 0, &error))
    return svd_cli_fail (argv[0], error);
  pr.tty = isatty (fileno (stderr));
  pr.quiet = common.quiet;
  pr.what = "degrade";

  interrupt_start (&interrupt, cancellable);
  ok = svd_degrade_clip (argv[1], argv[2], &params, progress_cb, &pr, cancellable, &error);
  interrupt_stop (&interrupt);
  progress_end (&pr);
  if (!ok)
    return svd_cli_fail (argv[0], error);
  if (!common.quiet)
    printf ("Wrote %s: 1/%d size, %s, x264 CRF %d\n", argv[2], params.scale,
            svd_scale_filter_name (params.filter), params.crf);
  return 0;
}
