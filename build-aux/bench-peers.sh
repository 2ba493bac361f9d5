#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Compare `svd bench` with ONNX Runtime 1.30 (CPU provider, 2 intra-op
# threads) on the same models, sizes and real frame, back to back per
# model so both see the same machine load (see ../shared/reference/PEERS.md).
#
# Usage: build-aux/bench-peers.sh [BUILD_DIR] [SIZES] [MODEL.onnx...]
#   BUILD_DIR  default: build
#   SIZES      comma-separated WxH, default 960x540,480x270
#   MODELS     default: the seed fp32 ONNX models in ../shared/models/seed
# ort_bench.js first waits (up to 900 s) for the whole machine to be idle.
# On a machine shared with other work set NO_IDLE_WAIT=1: a copy of it
# without that wait runs, and the back-to-back ratio is what to quote.
# Env: RUNS (default 5), WARMUP (default 2), NO_IDLE_WAIT, PEERS_DIR (default /tmp/peers,
#   holding node_modules/onnxruntime-node; install it with
#   `npm install onnxruntime-node@1.30.0 --ignore-scripts`), SVD_DEVICE.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
sizes=${2:-960x540,480x270}
shift $(( $# > 2 ? 2 : $# )) || true
shared=${SVD_SHARED_DIR:-$root/../shared}
peers=${PEERS_DIR:-/tmp/peers}
runs=${RUNS:-5}
warmup=${WARMUP:-2}
svd=$root/$build/app/cli/svd
work=$(mktemp -d /tmp/svd-bench-peers.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$svd" ] || { echo "No $svd; build first (ninja -C $build)" >&2; exit 1; }
[ -d "$peers/node_modules/onnxruntime-node" ] || {
  echo "onnxruntime-node is not in $peers; run: mkdir -p $peers && cd $peers && npm init -y && npm install onnxruntime-node@1.30.0 --ignore-scripts" >&2; exit 1; }
if [ $# -gt 0 ]; then models=("$@"); else
  models=("$shared"/models/seed/1x_super_34_10_fp32.onnx "$shared"/models/seed/1x_mega_34_10_fp32_optimized.onnx
          "$shared"/models/seed/1x_ultra_34_10_fp32.onnx "$shared"/models/seed/2x_10_2X-10_super_fp32.onnx
          "$shared"/models/seed/2x_10_2X-10_mega_fp32.onnx); fi

ort_bench="$shared/peers/ort_bench.js"
if [ -n "${NO_IDLE_WAIT:-}" ]; then
  sed 's/await waitIdle();/\/\/ idle wait skipped (NO_IDLE_WAIT)/' "$ort_bench" > "$work/ort_bench.js"
  ort_bench=$work/ort_bench.js
fi

# The real frame PEERS.md uses: Big Buck Bunny 720p frame 60, area-scaled.
clip="$shared/clips/bbb_720p_5s_h264_aac.mp4"
IFS=, read -ra size_list <<< "$sizes"
for s in "${size_list[@]}"; do
  w=${s%x*}; h=${s#*x}
  ffmpeg -v error -y -i "$clip" -vf "select=eq(n\,60),scale=$w:$h:flags=area" -frames:v 1 \
    -f rawvideo -pix_fmt rgb24 "$work/frame_${w}x${h}.rgb24"
  ffmpeg -v error -y -i "$clip" -vf "select=eq(n\,60),scale=$w:$h:flags=area" -frames:v 1 \
    -pix_fmt rgb24 "$work/frame_${w}x${h}.png"
done

printf '%-36s %-9s %9s %9s %7s %9s %8s %8s\n' model size "ORT ms" "svd ms" ratio "GFLOP/s" "%peak" "%234"
for m in "${models[@]}"; do
  for s in "${size_list[@]}"; do
    w=${s%x*}; h=${s#*x}
    rm -f "$work/ort.json"
    NODE_PATH="$peers/node_modules" node "$ort_bench" --threads 2 --sizes "${h}x${w}" \
      --frames "$work" --warmup "$warmup" --runs "$runs" --tries 1 --max-foreign 1 \
      --json "$work/ort.json" "$m" > "$work/ort.log" 2>&1 || { cat "$work/ort.log" >&2; continue; }
    "$svd" bench --chain "$m" --input "$work/frame_${w}x${h}.png" --warmup "$warmup" \
      --frames "$runs" --json > "$work/svd.json"
    python3 - "$work/ort.json" "$work/svd.json" "$m" "$s" <<'PY'
import json, os, sys
ort = json.loads(open(sys.argv[1]).read().splitlines()[-1])
svd = json.load(open(sys.argv[2]))
ms = svd["median_wall_ms"]
print("%-36s %-9s %9.1f %9.1f %6.2fx %9.1f %7.0f%% %7.0f%%" % (
    os.path.basename(sys.argv[3])[:36], sys.argv[4], ort["median_ms"], ms, ort["median_ms"] / ms,
    svd["gflops"], 100 * svd["fraction_of_peak"], 100 * svd["gflops"] / 234))
PY
  done
done
