/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void    svd_fault_cancel_point     (GCancellable *cancellable);
guint64 svd_fault_host_memory_cap (void);

G_END_DECLS
