/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Named limits for everything read from a file. Each is stated once here,
 * with the real need it was sized from, and enforced before the work (or
 * the allocation) it bounds. A file over a limit is refused with an error
 * that names the limit. */
#pragma once

#include <glib.h>

/* ---- Model files -------------------------------------------------------- */

/* The largest model file svd_model_load() reads. Every SRVGGNetCompact we
 * know is under 10 MB (the shared models: 90 KB to 1.2 MB); a fused chain
 * of several is a few tens of MB. */
#define SVD_LIMIT_MODEL_FILE_BYTES ((gsize) 256 << 20)

/* ---- ONNX / protobuf ----------------------------------------------------- */

/* The largest ONNX file (or in-memory protobuf) the ONNX reader decodes;
 * real compact exports are 90 KB to 1.2 MB, fused chains a few MB. */
#define SVD_LIMIT_ONNX_FILE_BYTES ((gsize) 64 << 20)

/* Nesting depth of protobuf messages, checked by a non-recursive scan
 * before protobuf-c (which recurses once per level) decodes anything.
 * Real exports nest 7 deep (Model → Graph → ValueInfo → Type → Tensor →
 * Shape → Dimension); every subgraph (If/Loop bodies) adds 3. */
#define SVD_LIMIT_ONNX_NESTING 32

/* Number of protobuf messages in one file, checked by the same scan. Real
 * compact exports hold 130 to 1,000 (nodes, attributes, initializers,
 * value infos). */
#define SVD_LIMIT_ONNX_MESSAGES 200000

/* Memory protobuf-c may allocate while decoding: this many bytes per byte
 * of file, plus SVD_LIMIT_ONNX_DECODE_BASE, and never more than
 * SVD_LIMIT_ONNX_DECODE_MAX. Weights decode 1:1 (raw_data) to 4:1 (float16
 * in int32_data); the base covers the structures of a real graph. */
#define SVD_LIMIT_ONNX_DECODE_FACTOR 16
#define SVD_LIMIT_ONNX_DECODE_BASE   ((gsize) 64 << 20)
#define SVD_LIMIT_ONNX_DECODE_MAX    ((gsize) 384 << 20)

/* Elements in one tensor of the constant folder (values are held as
 * doubles: 64 MiB). The largest real one is the pixel-shuffle probe of a
 * 4x RGB model exported at a fixed 256×256 input: 48 × 65,536 = 3.1 M. */
#define SVD_LIMIT_ONNX_FOLD_ELEMENTS ((gsize) 1 << 23)

/* Bytes the constant folder may hold at once, checked before each tensor
 * is allocated. A real compact model needs: its weights as doubles (the
 * largest, nf 64 with 32 convs, ~10 MB) plus the pixel-shuffle probe and
 * its intermediates (the fixed 256×256 4x case above through a six-op
 * Reshape/Transpose chain: ~180 MB). */
#define SVD_LIMIT_ONNX_FOLD_BYTES ((gsize) 256 << 20)

/* The default-domain opsets the importer handles: 7 is the first with
 * numpy broadcasting (Add/Mul/PRelu) and today's Upsample; 23 is the
 * newest in ONNX 1.18 (real exports use 17, 20 and 23). */
#define SVD_LIMIT_ONNX_OPSET_MIN 7
#define SVD_LIMIT_ONNX_OPSET_MAX 23
