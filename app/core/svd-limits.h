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

/* ---- State dicts, pickle, zip, JSON (parsers) -------------------------- */

/* Sized from what a real compact model needs: the largest network
 * svd-model.c accepts (SVD_MODEL_MAX_NF 512, SVD_MODEL_MAX_CONV 64) has 66
 * convs of at most 512·512·9 weights; real compact models are 0.1–2.5 MB
 * (nf 16–64, 8–32 convs) with at most 2·(64 + 2) weight tensors plus as
 * many biases. Every crafted file over these limits is refused in well
 * under 512 MB of memory (tests/model/test-parser-limits.c measures it). */

/* ---- Files read whole (svd-file.c) -------------------------------------- */

/* A JSON document read whole (a chain preset): a 16-step chain preset is
 * about 4 KB. */
#define SVD_LIMIT_JSON_FILE_BYTES ((gsize) 1 << 20)

/* A benchmark matrix results file (svd bench-matrix, the matrix window):
 * one row is about 600 bytes, and the largest matrix (every tier, chain,
 * size and device) has a few thousand rows. */
#define SVD_LIMIT_BENCH_MATRIX_BYTES ((gsize) 16 << 20)

/* ---- Images (svd-png.c) ------------------------------------------------ */

/* Largest PNG side we load: 16k x 16k, far above any video frame (the
 * frames of a clip stop at 8192², see svd-reader). */
#define SVD_PNG_MAX_SIDE 16384

/* ---- JSON (svd-json-depth.c) ------------------------------------------ */

/* Arrays and objects nested inside each other. json-glib parses
 * recursively and overflows the stack somewhere in the tens of thousands
 * (80,000 in a safetensors header crashed it); our formats nest at most 4
 * deep (safetensors: header → tensor → shape; presets: root → steps →
 * step → value), so 64 is generous and far from any stack. Checked by a
 * non-recursive scan before json-glib sees the text. */
#define SVD_LIMIT_JSON_DEPTH 64

/* ---- safetensors (svd-safetensors.c) ---------------------------------- */

/* The JSON header. A compact model's header is about 100 bytes per tensor,
 * so under 30 KB even for the largest network, plus a few hundred bytes of
 * metadata; json-glib builds ~40 bytes of nodes per header byte, so 1 MiB
 * costs at most ~45 MB (the format's own 100 MB limit cost 4.3 GB). */
#define SVD_LIMIT_SAFETENSORS_HEADER_BYTES ((gsize) 1 << 20)

/* Entries under "__metadata__": our own models write about ten (the
 * architecture, tier, training recipe…); every entry is kept and printed. */
#define SVD_LIMIT_METADATA_ENTRIES 1024

/* ---- State dicts (svd-state-dict.c, all readers) ---------------------- */

/* Tensors in one file: a compact model has at most ~270, VGG16 32; a
 * training checkpoint with EMA and raw weights twice that. */
#define SVD_LIMIT_TENSORS 16384

/* One tensor's bytes as stored: the largest compact conv is 9.4 MB; no
 * tensor can be larger than the largest file we read (or inflate). The
 * tensors a .pth views from its storages are further held to a budget
 * proportional to the file (svd-pth.c). */
#define SVD_LIMIT_TENSOR_BYTES ((gsize) 256 << 20)

/* ---- Pickle (svd-pickle.c) -------------------------------------------- */

/* Values the unpickler makes in one file. torch.save() writes about 15 per
 * tensor (key, storage tuple, size and stride tuples, rebuild call…), so a
 * compact model needs ~4,000; 262,144 covers 17,000 tensors. Values are
 * freed together at the end, so this bounds the unpickler's memory (about
 * 240 bytes each: 64 MB at most), whatever the pickle does: 20 KB of
 * deflated `N0` (push None, pop it) made 10 million of them (2.4 GB). */
#define SVD_LIMIT_PICKLE_VALUES (1 << 18)

/* Memo entries (BINPUT/MEMOIZE): torch memoizes most values once, so the
 * memo never needs more entries than there are values. */
#define SVD_LIMIT_PICKLE_MEMO SVD_LIMIT_PICKLE_VALUES

/* The unpickler's stack: pickle batches SETITEMS and APPENDS by 1,000, so a
 * state dict keeps about 2,000 values on the stack at most. */
#define SVD_LIMIT_PICKLE_STACK (1 << 16)

/* Open MARKs: a state dict nests a handful (dict → tensor args → size). */
#define SVD_LIMIT_PICKLE_MARKS 1024

/* Items in all tuples, lists and dicts together: a reference costs 8 bytes
 * but only 1 byte of pickle (DUP), so they need a cap of their own. A state
 * dict holds about 10 per tensor. 2^20 items are 8 MB. */
#define SVD_LIMIT_PICKLE_ITEMS (1 << 20)

/* ---- .pth zip (svd-pth.c) --------------------------------------------- */

/* Bytes inflated from the deflated entries of one archive, all entries
 * together, checked from their declared sizes before anything is allocated
 * (deflate expands up to 1032:1, so 2 MB of zip made 2.1 GB). torch.save()
 * stores entries uncompressed and those are read in place; only archives
 * re-zipped by other tools are inflated, and a real compact model is at
 * most 2.5 MB. 256 MiB keeps a hostile archive well under 512 MB. */
#define SVD_LIMIT_ZIP_INFLATE_BYTES ((gsize) 256 << 20)

/* Entries in the central directory: a torch archive has one per storage
 * plus four; a compact model has under 300. */
#define SVD_LIMIT_ZIP_ENTRIES 100000

