/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "svd.h"
#include "core/svd-output.h"

G_BEGIN_DECLS

/**
 * SvdCliCommand:
 * @name: the word after `svd` (may hold a space, e.g. "model info")
 * @summary: one line for `svd --help`
 * @run: the command; gets argv with argv[0] = "svd NAME"; returns the
 *   process exit status
 */
typedef struct {
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} SvdCliCommand;

/* Options every subcommand accepts; svd_cli_parse() adds them. */
typedef struct {
  char     *device;
  gboolean  fp16;
  gboolean  json;
  gboolean  verbose;
  gboolean  quiet;
  gboolean  force;
} SvdCliCommon;

void svd_cli_common_clear (SvdCliCommon *common);
/* g_auto(SvdCliCommon): the parsed strings are freed on every return. */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdCliCommon, svd_cli_common_clear)

gboolean svd_cli_parse          (GOptionContext *context,
                                 SvdCliCommon   *common,
                                 int            *argc,
                                 char         ***argv);
void     svd_cli_settings       (const SvdCliCommon *common,
                                 SvdSettings        *settings);
int      svd_cli_fail           (const char     *command,
                                 GError         *error);
int      svd_cli_usage_error    (GOptionContext *context,
                                 const char     *message);
void     svd_cli_print_json     (JsonBuilder    *builder);
void     svd_cli_json_add_double (JsonBuilder   *builder,
                                  const char    *name,
                                  double         value);
gboolean svd_cli_check_output   (const SvdCliCommon *common,
                                 const char         *output,
                                 const char *const  *inputs,
                                 gsize               n_inputs,
                                 const char         *chain,
                                 SvdOutputFlags      flags,
                                 GError            **error);
SvdChain *svd_cli_load_chain    (const char     *spec,
                                 GError        **error);

/**
 * SvdCliInterrupt:
 *
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP (the terminal closing) cancel a
 * command's #GCancellable while it is started; see svd_cli_interrupt_start().
 * Zero-initialise it; g_auto() stops it.
 */
typedef struct {
  /*< private >*/
  GMainContext *context;
  GThread      *thread;
  gint          stop;
  gint          signal;
} SvdCliInterrupt;

void     svd_cli_interrupt_start      (SvdCliInterrupt *self,
                                       GCancellable    *cancellable);
void     svd_cli_interrupt_stop       (SvdCliInterrupt *self);
int      svd_cli_interrupt_exit_status (SvdCliInterrupt *self);
int      svd_cli_fail_interrupted     (const char      *command,
                                       SvdCliInterrupt *interrupt,
                                       GError          *error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SvdCliInterrupt, svd_cli_interrupt_stop)

/* The help text of every CHAIN argument. */
#define SVD_CLI_CHAIN_HELP \
  "CHAIN: entries separated by commas, run in order: model files (.onnx, .pth, .safetensors),\n" \
  "built-in resizes FILTER:FACTOR (nearest, bilinear, bicubic or lanczos, e.g. bicubic:2),\n" \
  "chain presets (.json, models/PRESET.md) and fused chain ONNX (svd export-chain --format onnx)."

int svd_cmd_devices (int argc, char **argv);
int svd_cmd_probe (int argc, char **argv);
int svd_cmd_transcode (int argc, char **argv);
int svd_cmd_restore (int argc, char **argv);
int svd_cmd_degrade (int argc, char **argv);
int svd_cmd_metrics (int argc, char **argv);
int svd_cmd_compare (int argc, char **argv);
int svd_cmd_model_info (int argc, char **argv);
int svd_cmd_model_run (int argc, char **argv);
int svd_cmd_bench (int argc, char **argv);
int svd_cmd_export_chain (int argc, char **argv);
int svd_cmd_bench_matrix (int argc, char **argv);
int svd_cmd_farm_submit (int argc, char **argv);
int svd_cmd_farm_status (int argc, char **argv);
int svd_cmd_farm_cancel (int argc, char **argv);
int svd_cmd_queue_list (int argc, char **argv);
int svd_cmd_queue_add (int argc, char **argv);
int svd_cmd_queue_run (int argc, char **argv);

G_END_DECLS
