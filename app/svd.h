/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of libsvd, the GTK-free engine of SVD Studio. */
#pragma once

#include "core/svd-error.h"
#include "core/svd-image.h"
#include "core/svd-log.h"
#include "core/svd-png.h"
#include "core/svd-settings.h"
#include "engine/svd-cl.h"
#include "engine/svd-convert.h"
#include "engine/svd-color.h"
#include "engine/svd-engine.h"
#include "engine/svd-model-ref.h"
#include "media/svd-degrade.h"
#include "media/svd-media-pipeline.h"
#include "media/svd-reader.h"
#include "media/svd-session-source.h"
#include "media/svd-writer.h"
#include "model/svd-model.h"
#include "model/svd-state-dict.h"
#include "session/svd-worker.h"
