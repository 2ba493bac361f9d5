#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One command per model: installs the tools if missing, renders and degrades the
# data if missing, trains (resuming any checkpoint), exports, and measures.
#
#   models/train/train.sh TARGET       TARGET = {super,mega,ultra}{1x,2x}, e.g. super1x
#
# Run it again after an interruption: every step skips what is done and training
# resumes from runs/TARGET/last.pt. See README.md for the recipe.
#
# Environment (defaults in brackets):
#   SVD_TRAIN_MINUTES [45]    training time budget, summed over resumes
#   SVD_TRAIN_ITERS   []      fix the schedule length instead of filling the budget
#   SVD_TRAIN_EXTEND  []      after a finished schedule, N more iterations (warm restart)
#   SVD_TRAIN_INIT    []      start from this .safetensors (same tier and scale): fine-tuning
#   SVD_TRAIN_LR      [5e-4]  peak learning rate (fine-tuning: 2.5e-4, the warm restarts' peak)
#   SVD_TRAIN_THREADS [nproc] torch threads
#   SVD_TRAIN_DEVICE  [auto]  auto (CUDA if present), cpu or cuda
#   SVD_TRAIN_BATCH   [16]    batch size;  SVD_TRAIN_PATCH [64 at 1x, 96 at 2x]
#   SVD_TRAIN_CLIPS   [48]    training render clips; SVD_TRAIN_HELDOUT [8]; SVD_TRAIN_FRAMES [20]
#   SVD_TRAIN_NATURE  [0]     training nature scenes (nature.py, an experiment: 24 in session 7);
#                             SVD_TRAIN_NATURE_HELDOUT [0] (2 in session 7)
#   SVD_TRAIN_TEXTURE [0]     share of patches drawn again until textured (train.py --texture-p);
#                             SVD_TRAIN_TEXTURE_STD [8] (--texture-std)
#   SVD_TRAIN_VARIANTS [3]    random degradations per training clip
#   SVD_TRAIN_RECIPE  [2]     degradation recipe (degrade.py RECIPES; README, "The degradations")
#   SVD_TRAIN_CKPT_EVERY [100], SVD_TRAIN_VAL_EVERY [200]   iterations between checkpoints / held-out PSNR
#   SVD_TRAIN_DATA    [models/train/data]    SVD_TRAIN_RUNS [models/train/runs]
#   SVD_TRAIN_OUT     [models]                where svd-TIER-Sx.safetensors goes
#   SVD_TRAIN_NICE    [0]       nice level for the heavy steps
#   SVD_TRAIN_EVAL    [1]       0: skip eval.sh (scores then stay out of the metadata)
#   SVD_BIN                     the svd binary eval.sh uses (default build/app/cli/svd)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3   # Debian's python3: the python3-torch/-cairo/-numpy packages live there

TARGET="${1:-}"
if [[ ! "$TARGET" =~ ^(super|mega|ultra)([12])x$ ]]; then
  echo "usage: $0 {super,mega,ultra}{1x,2x}   e.g. $0 super1x" >&2
  exit 2
fi
TIER="${BASH_REMATCH[1]}"
SCALE="${BASH_REMATCH[2]}"

export SVD_TRAIN_DATA="${SVD_TRAIN_DATA:-$HERE/data}"
RUNS="${SVD_TRAIN_RUNS:-$HERE/runs}"
OUTDIR="${SVD_TRAIN_OUT:-$ROOT/models}"
NICE=(nice -n "${SVD_TRAIN_NICE:-0}")
RUN="$RUNS/$TARGET"
MODEL="$OUTDIR/svd-$TIER-${SCALE}x.safetensors"

# 1. Tools.
if ! "$PY" -c 'import torch, cairo, numpy, scipy' 2>/dev/null || ! command -v ffmpeg >/dev/null \
   || [ ! -e /usr/lib/python3/dist-packages/skimage/data/astronaut.png ]; then
  "$ROOT/build-aux/install-train-deps.sh"
fi

# 2. Data (each script skips what already exists).
"${NICE[@]}" "$PY" "$HERE/render.py" --train "${SVD_TRAIN_CLIPS:-48}" --heldout "${SVD_TRAIN_HELDOUT:-8}" \
  --frames "${SVD_TRAIN_FRAMES:-20}" --nature "${SVD_TRAIN_NATURE:-0}" \
  --nature-heldout "${SVD_TRAIN_NATURE_HELDOUT:-0}"
"${NICE[@]}" "$PY" "$HERE/degrade.py" --scale "$SCALE" --variants "${SVD_TRAIN_VARIANTS:-3}" \
  --recipe "${SVD_TRAIN_RECIPE:-2}"

# 3. Training (resumes from $RUN/last.pt).
ARGS=(--run "$RUN" --tier "$TIER" --scale "$SCALE" --minutes "${SVD_TRAIN_MINUTES:-45}"
      --threads "${SVD_TRAIN_THREADS:-$(nproc)}" --device "${SVD_TRAIN_DEVICE:-auto}"
      --batch "${SVD_TRAIN_BATCH:-16}" --ckpt-every "${SVD_TRAIN_CKPT_EVERY:-100}"
      --val-every "${SVD_TRAIN_VAL_EVERY:-200}")
[ -n "${SVD_TRAIN_ITERS:-}" ] && ARGS+=(--iters "$SVD_TRAIN_ITERS")
[ -n "${SVD_TRAIN_EXTEND:-}" ] && ARGS+=(--extend "$SVD_TRAIN_EXTEND")
[ -n "${SVD_TRAIN_PATCH:-}" ] && ARGS+=(--patch "$SVD_TRAIN_PATCH")
[ -n "${SVD_TRAIN_INIT:-}" ] && ARGS+=(--init "$SVD_TRAIN_INIT")
[ -n "${SVD_TRAIN_LR:-}" ] && ARGS+=(--lr "$SVD_TRAIN_LR")
[ -n "${SVD_TRAIN_TEXTURE:-}" ] && ARGS+=(--texture-p "$SVD_TRAIN_TEXTURE")
[ -n "${SVD_TRAIN_TEXTURE_STD:-}" ] && ARGS+=(--texture-std "$SVD_TRAIN_TEXTURE_STD")
"${NICE[@]}" "$PY" "$HERE/train.py" "${ARGS[@]}"

# 4. Export, measure with svd, export again with the scores in the metadata.
mkdir -p "$OUTDIR"
"$PY" "$HERE/export.py" --run "$RUN" --out "$MODEL"
if [ "${SVD_TRAIN_EVAL:-1}" = 1 ]; then
  if "${NICE[@]}" "$HERE/eval.sh" "$RUN/scores.json" "$MODEL"; then
    "$PY" "$HERE/export.py" --run "$RUN" --out "$MODEL" --scores "$RUN/scores.json"
  else
    echo "train.sh: eval.sh failed; $MODEL has no measured scores in its metadata" >&2
  fi
fi
echo "train.sh: $MODEL"
