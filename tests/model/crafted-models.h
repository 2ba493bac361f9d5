/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile and unlucky model files, written by the tests into a folder
 * (never checked in): nesting bombs, memory bombs from small files, files
 * that are not regular files, terminal escapes in names and metadata, and
 * one good model among them. tests/model/test-parser-limits.c runs each
 * through `svd model info` and the model library; tests/gui scans the same
 * folder in the application. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *file;    /* name in the folder */
  const char *needle;  /* what refusing it must say (the limit it hit);
                        * NULL: a hostile-looking file that must load */
  gboolean    regular; /* a regular file (the library lists it, with its error) */
} CraftedModel;

/* The good model among them: loads, and carries terminal escapes in its
 * safetensors metadata. */
#define CRAFTED_GOOD_MODEL "good-super-2x.safetensors"
#define CRAFTED_GOOD_NAME  "good-super-2x"

const CraftedModel *crafted_models_list   (guint      *n_models);
void                crafted_models_write  (const char *dir);
const CraftedModel *crafted_presets_list  (guint      *n_presets);
void                crafted_presets_write (const char *dir);

G_END_DECLS
