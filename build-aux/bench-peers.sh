#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd bench` against its peers, ONNX Runtime (CPU provider, 2 intra-op
# threads) and PyTorch (2 threads, jemalloc when installed), on the same
# models, sizes and real frame, measured in one run.
#
# Per model and size the three run in ROUNDS rounds, each round one process
# per engine in a rotating order (svd, ORT, PyTorch; then ORT, PyTorch,
# svd; ...), so the machine's load falls on each alike. Each process warms
# up, then times RUNS frames and reports its median. The table gives each
# engine's median over the rounds and the ratio best peer / svd, taken per
# round (the paired figure) and then its median; "%peak" is svd's real
# arithmetic (Winograd's multiplies, not the direct-equivalent count) per
# wall-clock second over the device's measured FMA peak (cached per device
# and driver, best of every measurement), which a busy machine lowers;
# "%pk/cpu" the same per CPU-second of svd's threads over one compute
# unit's share of the peak (CPU devices), which it does not; "d-eq" is the
# direct-equivalent GFLOP/s.
#
# Usage: build-aux/bench-peers.sh [BUILD_DIR] [SIZES] [MODEL...]
#   BUILD_DIR  default: build
#   SIZES      comma-separated WxH, default 960x540,480x270
#   MODEL      default: the seed Super / Mega / Ultra 1x and Super / Mega 2x
#              fp32 ONNX models in ../shared/models/seed, and
#              realesr-animevideov3 (../shared/models/other) at 480x270 and,
#              with ANIME_ALL_SIZES=1, every size (4x of 960x540 is 4K)
#              A MODEL given here is an .onnx (ORT) whose .pth for PyTorch
#              is looked for beside it; PyTorch is "n/a" without one.
# Env: ONLY (an extended regex: only the default models whose label
#   matches, e.g. ONLY='^Super'), ROUNDS (3), RUNS (3), WARMUP (1), SVD_CONV (svd bench --conv, default
#   the app's default), PEERS_DIR (default .peers in the source tree,
#   git-ignored: onnxruntime-node is installed there with npm on first use),
#   ORT_VERSION (1.30.0), PYTHON (/usr/bin/python3, needs python3-torch).
#   The ORT script's wait for an idle machine is skipped: rounds pair instead.
#   PEER_SPIN: auto (default), 1 or 0. The peers' thread pools spin while
#   waiting (ORT's allow_spinning, OpenMP's active wait); on a machine
#   busier than its cores spinning threads take the time slices the working
#   ones need and the peers slow down far more than svd does. auto turns
#   spinning off (ORT --spin 0, OMP_WAIT_POLICY=PASSIVE) when the load
#   average is above the number of cores, the peers' better setting there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
sizes=${2:-960x540,480x270}
shift $(( $# > 2 ? 2 : $# )) || true
shared=${SVD_SHARED_DIR:-$root/../shared}
peers=${PEERS_DIR:-$root/.peers}
rounds=${ROUNDS:-3}
runs=${RUNS:-3}
warmup=${WARMUP:-1}
python=${PYTHON:-/usr/bin/python3}
ort_version=${ORT_VERSION:-1.30.0}
svd=$root/$build/app/cli/svd
case $build in /*) svd=$build/app/cli/svd ;; esac
work=$(mktemp -d /tmp/svd-bench-peers.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$svd" ] || { echo "No $svd; build first (ninja -C $build)" >&2; exit 1; }
[ -f "$shared/peers/ort_bench.js" ] || { echo "No $shared/peers/ort_bench.js (set SVD_SHARED_DIR)" >&2; exit 1; }

# ONNX Runtime for node, into a git-ignored folder, once.
if [ ! -d "$peers/node_modules/onnxruntime-node" ]; then
  echo "Installing onnxruntime-node@$ort_version into $peers ..." >&2
  mkdir -p "$peers"
  (cd "$peers" && npm install --prefix . "onnxruntime-node@$ort_version" --ignore-scripts --no-audit --no-fund \
     >&2) || { echo "npm install failed; ORT cannot be measured" >&2; exit 1; }
fi
sed 's/await waitIdle();/\/\/ idle wait skipped: bench-peers.sh pairs rounds instead/' \
  "$shared/peers/ort_bench.js" > "$work/ort_bench.js"

# PyTorch: say so when it is missing instead of leaving a column out.
torch_note=""
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  torch_note="unavailable: $python cannot import torch (build-aux/install-deps.sh --peers)"
fi
jemalloc=""
for j in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/*/libjemalloc.so.2; do
  [ -f "$j" ] && { jemalloc=$j; break; }
done

# Models: label, file for svd, ONNX for ORT, .pth for PyTorch.
seed=$shared/models/seed
declare -a labels=() svd_models=() onnx_models=() pth_models=() model_sizes=()
add_model () {
  [ -n "${ONLY:-}" ] && ! grep -qE -- "$ONLY" <<<"$1" && return 0
  labels+=("$1"); svd_models+=("$2"); onnx_models+=("$3"); pth_models+=("$4"); model_sizes+=("$5")
}
if [ $# -gt 0 ]; then
  for m in "$@"; do
    p=${m%.onnx}.pth
    add_model "$(basename "$m" .onnx)" "$m" "$m" "$([ -f "$p" ] && echo "$p" || true)" "$sizes"
  done
else
  add_model "Super 1x" "$seed/1x_super_34_10_fp32.onnx" "$seed/1x_super_34_10_fp32.onnx" "$seed/1x_super_34_10.pth" "$sizes"
  add_model "Mega 1x" "$seed/1x_mega_34_10_fp32_optimized.onnx" "$seed/1x_mega_34_10_fp32_optimized.onnx" \
    "$seed/1x_mega_34_10.pth" "$sizes"
  add_model "Ultra 1x" "$seed/1x_ultra_34_10_fp32.onnx" "$seed/1x_ultra_34_10_fp32.onnx" "$seed/1x_ultra_34_10.pth" "$sizes"
  add_model "Super 2x" "$seed/2x_10_2X-10_super_fp32.onnx" "$seed/2x_10_2X-10_super_fp32.onnx" "" "$sizes"
  add_model "Mega 2x" "$seed/2x_10_2X-10_mega_fp32.onnx" "$seed/2x_10_2X-10_mega_fp32.onnx" \
    "$seed/2x_10_2X-10_mega_.pth" "$sizes"
  anime=$shared/models/other/realesr-animevideov3.pth
  if [ -f "$anime" ]; then
    # ORT needs ONNX: the app's own fused export of the same weights.
    "$svd" export-chain -q -f onnx "$anime" "$work/realesr-animevideov3.onnx" >/dev/null
    asizes=480x270
    [ -n "${ANIME_ALL_SIZES:-}" ] && asizes=$sizes
    add_model "animevideov3 4x" "$anime" "$work/realesr-animevideov3.onnx" "$anime" "$asizes"
  fi
fi

# The real frame: Big Buck Bunny 720p frame 60, area-scaled.
clip="$shared/clips/bbb_720p_5s_h264_aac.mp4"
IFS=, read -ra size_list <<< "$sizes"
for s in "${size_list[@]}"; do
  w=${s%x*}; h=${s#*x}
  ffmpeg -v error -y -i "$clip" -vf "select=eq(n\,60),scale=$w:$h:flags=area" -frames:v 1 \
    -f rawvideo -pix_fmt rgb24 "$work/frame_${w}x${h}.rgb24"
  ffmpeg -v error -y -i "$clip" -vf "select=eq(n\,60),scale=$w:$h:flags=area" -frames:v 1 \
    -pix_fmt rgb24 "$work/frame_${w}x${h}.png"
done

cores=$(nproc)
load1=$(cut -d' ' -f1 /proc/loadavg)
spin=${PEER_SPIN:-auto}
if [ "$spin" = auto ]; then
  spin=1
  awk -v l="$load1" -v c="$cores" 'BEGIN { exit !(l > c) }' && spin=0
fi
ort_spin=(); torch_env=()
[ "$spin" = 0 ] && { ort_spin=(--spin 0); torch_env=(OMP_WAIT_POLICY=PASSIVE); }

conv_args=()
[ -n "${SVD_CONV:-}" ] && conv_args=(--conv "$SVD_CONV")

# One process of one engine; prints its median ms (or nothing on failure)
# and leaves svd's JSON in $work/svd.json.
run_svd () {
  "$svd" bench --chain "$1" --input "$work/frame_${2}.png" --warmup "$warmup" --frames "$runs" \
    "${conv_args[@]}" --json > "$work/svd.json" 2> "$work/svd.err" || { cat "$work/svd.err" >&2; return 0; }
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["median_wall_ms"])
open(sys.argv[2], "a").write(json.dumps(d) + "\n")' "$work/svd.json" "$work/svd-all.json"
}
run_ort () {
  local w=${2%x*} h=${2#*x}
  rm -f "$work/ort.json"
  NODE_PATH="$peers/node_modules" node "$work/ort_bench.js" --threads 2 --sizes "${h}x${w}" --frames "$work" \
    --warmup "$warmup" --runs "$runs" --tries 1 --max-foreign 1 --json "$work/ort.json" "${ort_spin[@]}" "$1" \
    > "$work/ort.log" 2>&1 || { cat "$work/ort.log" >&2; return 0; }
  [ -f "$work/ort.json" ] || { cat "$work/ort.log" >&2; return 0; }
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["median_ms"])' \
    "$work/ort.json"
}
run_torch () {
  [ -n "$torch_note" ] && return 0
  [ -n "$1" ] || return 0
  local pre=(env "${torch_env[@]}")
  [ -n "$jemalloc" ] && pre+=("LD_PRELOAD=$jemalloc" "MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1")
  "${pre[@]}" "$python" "$shared/peers/torch_bench.py" --threads 2 --size "$2" --frame "$work/frame_${2}.rgb24" \
    --warmup "$warmup" --runs "$runs" "$1" > "$work/torch.json" 2> "$work/torch.err" ||
    { tail -3 "$work/torch.err" >&2; return 0; }
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["median_ms"])' \
    "$work/torch.json"
}

echo "svd: $("$svd" --version 2>/dev/null | head -1); ORT: onnxruntime-node $(node -p \
  "require('$peers/node_modules/onnxruntime-node/package.json').version"), 2 threads; PyTorch: $(
  [ -n "$torch_note" ] && echo "$torch_note" || "$python" -c 'import torch; print(torch.__version__)' 2>/dev/null
  ), 2 threads$([ -n "$jemalloc" ] && echo ", jemalloc" || echo ", no jemalloc (apt-get install libjemalloc2)")"
echo "rounds $rounds x (warm-up $warmup + $runs timed frames) per engine; svd --conv ${SVD_CONV:-default};" \
  "peers' spinning $([ "$spin" = 0 ] && echo "off (load above $cores cores)" || echo on)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %-8s %9s %9s %9s %8s %7s %6s %8s %8s %9s\n' model size "svd ms" "ORT ms" "torch ms" "vs best" \
  "target" "%peak" "%pk/cpu" "GFLOP/s" "d-eq GF/s"
for i in "${!labels[@]}"; do
  IFS=, read -ra msizes <<< "${model_sizes[$i]}"
  for s in "${msizes[@]}"; do
    : > "$work/rounds.txt"
    : > "$work/svd-all.json"
    for r in $(seq 0 $((rounds - 1))); do
      declare -A t=()
      for k in 0 1 2; do
        case $(( (r + k) % 3 )) in
          0) t[svd]=$(run_svd "${svd_models[$i]}" "$s") ;;
          1) t[ort]=$(run_ort "${onnx_models[$i]}" "$s") ;;
          2) t[torch]=$(run_torch "${pth_models[$i]}" "$s") ;;
        esac
      done
      echo "${t[svd]:-nan} ${t[ort]:-nan} ${t[torch]:-nan}" >> "$work/rounds.txt"
      unset t
    done
    python3 - "$work/rounds.txt" "$work/svd-all.json" "${labels[$i]}" "$s" "${torch_note:+unavailable}" \
      "${pth_models[$i]:+have}" <<'PY'
import json, math, statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1]) if l.strip()]
svds = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
label, size, torch_off, have_pth = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def med(v):
    v = [x for x in v if not math.isnan(x)]
    return statistics.median(v) if v else math.nan
svd, ort, tor = (med([r[k] for r in rows]) for k in range(3))
# Paired: best peer of the round over svd of the same round.
ratios = [min(x for x in r[1:] if not math.isnan(x)) / r[0] for r in rows
          if not math.isnan(r[0]) and any(not math.isnan(x) for x in r[1:])]
ratio = statistics.median(ratios) if ratios else math.nan
target = {"Super": 2.5, "Mega": 2.0, "Ultra": 1.6, "animevideov3": 1.5}.get(label.split()[0], math.nan)
peak = max((s.get("peak_gflops", -1) for s in svds), default=-1)
real = med([s["real_gflops"] for s in svds]) if svds else math.nan
deq = med([s["gflops"] for s in svds]) if svds else math.nan
pct = 100 * real / peak if peak > 0 else math.nan
cpu = med([s.get("fraction_of_peak_per_cpu_second", -1) for s in svds]) if svds else math.nan
cpu = 100 * cpu if cpu >= 0 else math.nan
tcol = "unavail" if torch_off else ("n/a" if not have_pth else "%9.1f" % tor)
print("%-16s %-8s %9.1f %9.1f %9s %7.2fx %7s %5.0f%% %7.0f%% %8.1f %9.1f" % (
    label, size, svd, ort, tcol, ratio, ("%.1fx" % target) if not math.isnan(target) else "-",
    pct, cpu, real, deq), flush=True)
PY
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$torch_note" ] && echo "PyTorch $torch_note"
echo "vs best = median over rounds of (fastest peer's median ms / svd's median ms) in the same round;"
echo "PyTorch n/a: no .pth of that model (torch_bench.py builds the network from one)."
