/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *svd_chain_relative_path (const char *abs,
                               const char *base_dir);

G_END_DECLS
