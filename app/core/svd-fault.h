/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void svd_fault_cancel_point (GCancellable *cancellable);

G_END_DECLS
