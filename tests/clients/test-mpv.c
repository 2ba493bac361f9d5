/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mpv"

/*
 * The GLSL export in the client it is for: Debian's mpv (vo=gpu) on OpenGL
 * (Mesa llvmpipe) and Vulkan (lavapipe) under Xvfb. For each chain, mpv
 * shows a still image with the exported shader, a window screenshot is
 * taken through its IPC socket, and the result is compared with `svd model
 * run` of the same chain. Any error line in mpv's log (a shader that does
 * not compile or link, a hook that is disabled) fails the test. Nothing
 * waits on a clock: the test polls the socket and the screenshot file in
 * bounded loops and mpv answers a command only once it is done.
 */

#include "svd.h"
#include "svd-test-utils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bounds of the polling loops: llvmpipe compiles a 500-pass nf-64 chain in
 * minutes on two shared cores, so the bounds are generous; they only stop
 * a hung mpv from hanging the suite. */
#define POLL_STEP_US     (100 * 1000)
#define POLL_MAX_STEPS   (20 * 60 * 10)
#define REPLY_TIMEOUT_S  (40 * 60)

typedef struct {
  const char *id;
  const char *models[3];  /* under ../shared/models, NULL-terminated */
  gboolean    nf64;       /* must change the picture by >= 5 dB */
} Chain;

static const Chain chains[] = {
  { "super-2x", { "seed/2x_10_2X-10_super_fp32.onnx", NULL }, FALSE },
  { "mega-2x", { "seed/2x_10_2X-10_mega_fp32.onnx", NULL }, FALSE },
  { "ultra-1x", { "seed/1x_ultra_34_10_fp32.onnx", NULL }, TRUE },
  { "compact-nf64-16conv-4x", { "other/realesr-animevideov3.pth", NULL }, TRUE },
  { "super-1x-then-2x", { "seed/1x_super_34_10_fp32.onnx", "seed/2x_10_2X-10_super_fp32.onnx", NULL }, FALSE },
};

typedef struct {
  const Chain *chain;
  const char  *api;
} Case;

static char *work_dir;
static char *vulkan_device;
static char *in_png;
static int in_w = 40, in_h = 30;

static char *
svd_path (void)
{
  return g_build_filename (g_getenv ("SVD_BUILD_ROOT"), "app", "cli", "svd", NULL);
}

static void
run_svd (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, svd_path ());
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("svd %s failed: %s", args[0], err);
}

/* A picture with flat areas at 0 and 255, gradients and edges. */
static void
make_input (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) img = svd_image_new (SVD_PIXEL_FORMAT_RGB_F32, in_w, in_h, &error);

  g_assert_no_error (error);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < in_h; y++)
      {
        float *row = (float *) (img->data[c] + (gsize) y * img->stride[c]);

        for (int x = 0; x < in_w; x++)
          {
            float v;

            if (x < 6)
              v = y < in_h / 2 ? 0.0f : 1.0f;
            else if ((x / 5 + y / 5) % 3 == 0)
              v = (float) ((x * 7 + y * 3 + c * 50) % 256) / 255.0f;
            else
              v = 0.5f + 0.45f * sinf (0.3f * x + 0.2f * y + 1.7f * c);
            row[x] = roundf (v * 255.0f) / 255.0f;
          }
      }
  g_assert_true (svd_png_save (img, path, 8, &error));
  g_assert_no_error (error);
}

static double
psnr (const char *a_path,
      const char *b_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SvdImage) a = svd_png_load_as (a_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_autoptr(SvdImage) b = NULL;
  double se = 0;

  g_assert_no_error (error);
  b = svd_png_load_as (b_path, SVD_PIXEL_FORMAT_RGB_F32, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < a->height; y++)
      {
        const float *ra = (const float *) (a->data[c] + (gsize) y * a->stride[c]);
        const float *rb = (const float *) (b->data[c] + (gsize) y * b->stride[c]);

        for (int x = 0; x < a->width; x++)
          se += (double) (ra[x] - rb[x]) * (ra[x] - rb[x]);
      }
  se /= 3.0 * a->width * a->height;
  return se == 0 ? INFINITY : 10.0 * log10 (1.0 / se);
}

/* Sends one JSON command and returns mpv's reply to it (events on the same
 * socket are skipped), or NULL when mpv closed the socket. */
static char *
ipc_command (int         fd,
             int         request_id,
             const char *command)
{
  g_autofree char *line = g_strdup_printf ("{\"command\": %s, \"request_id\": %d}\n", command, request_id);
  g_autofree char *want = g_strdup_printf ("\"request_id\":%d", request_id);
  g_autoptr(GString) buf = g_string_new (NULL);
  gsize off = 0;

  if (write (fd, line, strlen (line)) != (gssize) strlen (line))
    return NULL;
  for (;;)
    {
      char chunk[4096];
      gssize n;
      char *nl;

      while ((nl = memchr (buf->str + off, '\n', buf->len - off)) != NULL)
        {
          g_autofree char *reply = g_strndup (buf->str + off, nl - (buf->str + off));

          off = nl + 1 - buf->str;
          if (strstr (reply, want) != NULL)
            return g_steal_pointer (&reply);
        }
      n = read (fd, chunk, sizeof chunk);
      if (n <= 0)
        return NULL;
      g_string_append_len (buf, chunk, n);
    }
}

static int
ipc_connect (const char *path,
             GPid        pid)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };

  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  for (int i = 0; i < POLL_MAX_STEPS; i++)
    {
      int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int status;

      g_assert_cmpint (fd, >=, 0);
      if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
        {
          setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
          return fd;
        }
      close (fd);
      if (waitpid (pid, &status, WNOHANG) == pid)
        return -1;
      g_usleep (POLL_STEP_US);
    }
  return -1;
}

/* Error lines in mpv's log file, or NULL. */
static char *
log_errors (const char *log_path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) bad = g_string_new (NULL);

  g_assert_true (g_file_get_contents (log_path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "][e][") != NULL || strstr (lines[i], "][f][") != NULL ||
        strstr (lines[i], "(status=0)") != NULL || strstr (lines[i], "Failed executing hook") != NULL ||
        strstr (lines[i], "shader compile") != NULL)
      g_string_append_printf (bad, "%s\n", lines[i]);
  return bad->len > 0 ? g_string_free (g_steal_pointer (&bad), FALSE) : NULL;
}

/* Shows @in_png in mpv at @w x @h (with @shader, if any) and saves a window
 * screenshot to @shot. Returns mpv's log path. */
static char *
run_mpv (const char *api,
         const char *shader,
         const char *tag,
         int         w,
         int         h,
         const char *shot)
{
  g_autofree char *sock = g_build_filename (work_dir, "ipc.sock", NULL);
  g_autofree char *log = g_strdup_printf ("%s/mpv-%s.log", work_dir, tag);
  g_autofree char *geometry = g_strdup_printf ("--geometry=%dx%d", w, h);
  g_autofree char *ipc = g_strdup_printf ("--input-ipc-server=%s", sock);
  g_autofree char *log_arg = g_strdup_printf ("--log-file=%s", log);
  g_autofree char *api_arg = g_strdup_printf ("--gpu-api=%s", api);
  g_autofree char *ctx_arg = g_strdup_printf ("--gpu-context=%s", strcmp (api, "vulkan") == 0 ? "x11vk" : "x11egl");
  g_autofree char *shader_arg = g_strdup_printf ("--glsl-shaders=%s", shader ? shader : "");
  g_autofree char *vk_arg = g_strdup_printf ("--vulkan-device=%s", vulkan_device ? vulkan_device : "");
  g_autofree char *cmd = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *mpv = g_find_program_in_path ("mpv");
  GPid pid;
  int fd, status, req = 1;
  gboolean shot_ok = FALSE, ready = FALSE;

  g_unlink (sock);
  g_unlink (log);
  g_unlink (shot);
  g_ptr_array_add (argv, mpv);
  g_ptr_array_add (argv, "--no-config");
  g_ptr_array_add (argv, "--vo=gpu");
  g_ptr_array_add (argv, api_arg);
  g_ptr_array_add (argv, ctx_arg);
  /* llvmpipe and lavapipe are software renderers, which mpv refuses
   * unless asked. */
  g_ptr_array_add (argv, "--gpu-sw");
  /* libplacebo skips software Vulkan devices unless one is named. */
  if (strcmp (api, "vulkan") == 0)
    g_ptr_array_add (argv, vk_arg);
  g_ptr_array_add (argv, "--fbo-format=rgba32f");
  g_ptr_array_add (argv, "--image-display-duration=inf");
  g_ptr_array_add (argv, "--pause");
  g_ptr_array_add (argv, geometry);
  g_ptr_array_add (argv, "--no-border");
  g_ptr_array_add (argv, "--no-keepaspect-window");
  g_ptr_array_add (argv, "--screenshot-format=png");
  g_ptr_array_add (argv, "--no-osc");
  g_ptr_array_add (argv, "--osd-level=0");
  g_ptr_array_add (argv, "--no-input-default-bindings");
  g_ptr_array_add (argv, "--no-audio");
  g_ptr_array_add (argv, ipc);
  g_ptr_array_add (argv, log_arg);
  g_ptr_array_add (argv, "--really-quiet");
  if (shader != NULL)
    g_ptr_array_add (argv, shader_arg);
  g_ptr_array_add (argv, in_png);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async (work_dir, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);

  fd = ipc_connect (sock, pid);
  if (fd < 0)
    {
      g_autofree char *errs = log_errors (log);

      kill (pid, SIGTERM);
      waitpid (pid, &status, 0);
      g_error ("mpv (%s) exited or never opened its IPC socket:\n%s", api, errs ? errs : "");
    }
  /* Ready once the VO has rendered a frame: vo-passes lists the passes of
   * the last fresh frame (bounded poll). mpv then answers the screenshot
   * command after writing the file. */
  for (int i = 0; i < POLL_MAX_STEPS && !ready; i++)
    {
      g_autofree char *r = ipc_command (fd, req++, "[\"get_property\", \"vo-passes\"]");

      if (r == NULL)
        break;
      ready = strstr (r, "\"fresh\":[{") != NULL;
      if (!ready)
        g_usleep (POLL_STEP_US);
    }
  if (!ready)
    {
      g_autofree char *errs = log_errors (log);

      close (fd);
      kill (pid, SIGTERM);
      waitpid (pid, &status, 0);
      g_error ("mpv (%s) never showed a frame:\n%s", api, errs ? errs : "");
    }
  cmd = g_strdup_printf ("[\"screenshot-to-file\", \"%s\", \"window\"]", shot);
  reply = ipc_command (fd, req++, cmd);
  shot_ok = reply != NULL && strstr (reply, "\"error\":\"success\"") != NULL;
  g_clear_pointer (&reply, g_free);
  for (int i = 0; i < POLL_MAX_STEPS && shot_ok && !g_file_test (shot, G_FILE_TEST_IS_REGULAR); i++)
    g_usleep (POLL_STEP_US);
  g_free (ipc_command (fd, req++, "[\"quit\"]"));
  /* The socket stays open until mpv has exited: it may still write events
   * after its reply to quit, and a socket closed under it is an error line
   * in its log ("[ipc_0] Write error (Broken pipe)", which failed a CI run
   * whenever the close won that race). */
  waitpid (pid, &status, 0);
  close (fd);
  g_spawn_close_pid (pid);
  g_assert_true (shot_ok);
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&log);
}

static void
test_chain (gconstpointer data)
{
  const Case *tc = data;
  const Chain *ch = tc->chain;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *shader = g_strdup_printf ("%s/%s.glsl", work_dir, ch->id);
  g_autofree char *ref = g_strdup_printf ("%s/%s-ref.png", work_dir, ch->id);
  g_autofree char *shot = g_strdup_printf ("%s/%s-%s.png", work_dir, ch->id, tc->api);
  g_autofree char *plain = g_strdup_printf ("%s/%s-%s-plain.png", work_dir, ch->id, tc->api);
  g_autofree char *tag = g_strdup_printf ("%s-%s", ch->id, tc->api);
  g_autofree char *plain_tag = g_strdup_printf ("%s-%s-plain", ch->id, tc->api);
  g_autofree char *log = NULL;
  g_autofree char *plain_log = NULL;
  g_autofree char *errors = NULL;
  g_autoptr(GPtrArray) run_args = g_ptr_array_new ();
  int scale = 1;
  double p_shader, p_plain;

  if (strcmp (tc->api, "vulkan") == 0 && vulkan_device == NULL)
    {
      g_test_skip ("no Vulkan CPU device (lavapipe): install mesa-vulkan-drivers and vulkan-tools");
      return;
    }

  for (int i = 0; ch->models[i] != NULL; i++)
    {
      char *p = svd_test_shared_path ("models", ch->models[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(SvdModel) m = NULL;

      if (!g_file_test (p, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *msg = g_strdup_printf ("%s is missing", p);

          g_free (p);
          g_test_skip (msg);
          return;
        }
      m = svd_model_load (p, &error);
      g_assert_no_error (error);
      scale *= m->scale;
      g_string_append_printf (list, "%s%s", i ? "," : "", p);
      g_ptr_array_add (paths, p);
    }

  if (!g_file_test (shader, G_FILE_TEST_IS_REGULAR))
    {
      const char *args[] = { "export-chain", "--quiet", "--format", "glsl", list->str, shader, NULL };

      run_svd (args);
    }
  if (!g_file_test (ref, G_FILE_TEST_IS_REGULAR))
    {
      g_ptr_array_add (run_args, "model");
      g_ptr_array_add (run_args, "run");
      g_ptr_array_add (run_args, "--quiet");
      for (guint i = 0; i < paths->len; i++)
        g_ptr_array_add (run_args, paths->pdata[i]);
      g_ptr_array_add (run_args, in_png);
      g_ptr_array_add (run_args, ref);
      g_ptr_array_add (run_args, NULL);
      run_svd ((const char *const *) run_args->pdata);
    }

  log = run_mpv (tc->api, shader, tag, in_w * scale, in_h * scale, shot);
  errors = log_errors (log);
  if (errors != NULL)
    g_error ("mpv (%s) logged errors with %s:\n%s", tc->api, ch->id, errors);
  p_shader = psnr (shot, ref);

  /* mpv's own upscale of the same picture to the same size. */
  plain_log = run_mpv (tc->api, NULL, plain_tag, in_w * scale, in_h * scale, plain);
  p_plain = psnr (plain, ref);

  g_test_message ("%s on mpv %s: PSNR vs svd model run %.2f dB; mpv without the shader %.2f dB",
                  ch->id, tc->api, p_shader, p_plain);
  g_print ("# RESULT chain=%s backend=%s psnr=%.2f plain=%.2f\n", ch->id, tc->api, p_shader, p_plain);
  g_assert_cmpfloat (p_shader, >=, 50.0);
  if (ch->nf64)
    g_assert_cmpfloat (p_shader - p_plain, >=, 5.0);
}

/* The name of lavapipe's device, from `vulkaninfo --summary`. */
static char *
find_lavapipe (void)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  char *argv[] = { "vulkaninfo", "--summary", NULL };
  int status;

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                     &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    return NULL;
  lines = g_strsplit (out, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');

      if (strstr (lines[i], "deviceName") != NULL && eq != NULL && strstr (eq, "llvmpipe") != NULL)
        return g_strstrip (g_strdup (eq + 1));
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *mpv = g_find_program_in_path ("mpv");
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (mpv == NULL)
    svd_test_skip_all ("mpv is not installed (build-aux/install-deps.sh installs it)");
  if (g_getenv ("DISPLAY") == NULL)
    svd_test_skip_all ("no X display: run under xvfb-run (meson does)");
  if (!g_file_test (svd_test_shared_dir (), G_FILE_TEST_IS_DIR))
    svd_test_skip_all ("../shared is missing");
  signal (SIGPIPE, SIG_IGN);
  vulkan_device = find_lavapipe ();
  work_dir = g_dir_make_tmp ("svd-mpv-XXXXXX", NULL);
  in_png = g_build_filename (work_dir, "in.png", NULL);
  make_input (in_png);
  for (guint i = 0; i < G_N_ELEMENTS (chains); i++)
    for (int a = 0; a < 2; a++)
      {
        Case *tc = g_new0 (Case, 1);
        g_autofree char *path = NULL;

        tc->chain = &chains[i];
        tc->api = a == 0 ? "opengl" : "vulkan";
        path = g_strdup_printf ("/mpv/%s/%s", tc->api, chains[i].id);
        g_test_add_data_func_full (path, tc, test_chain, g_free);
      }
  ret = g_test_run ();
  if (g_getenv ("SVD_KEEP_MPV_DIR") == NULL)
    svd_test_remove_tree (work_dir);
  else
    g_printerr ("# kept %s\n", work_dir);
  return ret;
}
