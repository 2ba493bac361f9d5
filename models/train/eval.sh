#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Measures models with SVD Studio's own `svd` CLI and writes one JSON file of scores.
#
#   models/train/eval.sh OUT.json MODEL [MODEL…]
#
# For each MODEL (its scale read with `svd model info --json`):
#  1. the project's held-out renders (DATA/pairs/<S>x/heldout/*__v0: the app's
#     Synthesize mode, x264 CRF 34, bicubic downscale at 2x; never trained on):
#     `svd metrics hq.png lq.png --chain MODEL --json` (the model runs inside svd,
#     on the engine `svd model run` uses); baseline: the degraded input (1x) or
#     FFmpeg's bicubic upscale of it (2x);
#  2. ../shared clips (BBB 720p, Sintel 480p), when ../shared exists: frames
#     START..START+N-1 of the clip, cut losslessly (FFV1, same 4:2:0 planes), are the
#     clean clip; it is degraded by `svd degrade --scale S --crf 34` (Synthesize mode) and scored
#     by `svd metrics CLEAN DEGRADED --chain MODEL --json --dists full` with the
#     seeded random VGG16 of ../shared/reference (a check of the arithmetic, not a
#     real DISTS), against the same baseline.
#
# Environment:
#   SVD_BIN                the svd binary (default: build/app/cli/svd)
#   SVD_SHARED_DIR         ../shared (default: next to the source tree)
#   SVD_TRAIN_DATA         the recipe's data directory (default models/train/data)
#   SVD_EVAL_FRAMES        held-out frames per render clip (default 3)
#   SVD_EVAL_CLIP_START    first frame used of each shared clip (default 48: Sintel
#                          opens on black frames, whose PSNR is infinite)
#   SVD_EVAL_CLIP_FRAMES   frames per shared clip (default 30)
#   SVD_EVAL_DEVICE        passed as --device (e.g. cpu-ref; default: svd's choice)
#   SVD_EVAL_SHARED        0: skip the shared clips (default 1)
#   SVD_EVAL_DISTS         full (default), short256, or none (skip DISTS: it is slow on a CPU)
#   SVD_EVAL_ALLOW_PYTHON  1: when svd is missing, fall back to pyeval.py (PSNR-Y in
#                          Python, held-out renders only, labelled as such; for smoke tests)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3
SVD="${SVD_BIN:-$ROOT/build/app/cli/svd}"
SHARED="${SVD_SHARED_DIR:-$ROOT/../shared}"
DATA="${SVD_TRAIN_DATA:-$HERE/data}"
FRAMES="${SVD_EVAL_FRAMES:-3}"
CLIP_FRAMES="${SVD_EVAL_CLIP_FRAMES:-30}"
CLIP_START="${SVD_EVAL_CLIP_START:-48}"
DEVOPT=()
[ -n "${SVD_EVAL_DEVICE:-}" ] && DEVOPT=(--device "$SVD_EVAL_DEVICE")

if [ $# -lt 2 ]; then
  echo "usage: $0 OUT.json MODEL [MODEL…]" >&2
  exit 2
fi
OUT="$1"
shift

if [ ! -x "$SVD" ]; then
  if [ "${SVD_EVAL_ALLOW_PYTHON:-0}" = 1 ]; then
    echo "eval: $SVD not built; using the Python PSNR-Y fallback (held-out renders only, NOT svd)" >&2
    exec "$PY" "$HERE/pyeval.py" --data "$DATA" --frames "$FRAMES" --out "$OUT" "$@"
  fi
  echo "eval: $SVD not found: build the project (meson setup build && ninja -C build) or set SVD_BIN" >&2
  exit 1
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/svd-eval.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
RESULTS="$TMP/results.jsonl"
: > "$RESULTS"

# One measurement: svd metrics JSON -> one line of results.
record() {  # model set item kind json_file
  jq -c --arg model "$1" --arg set "$2" --arg item "$3" --arg kind "$4" \
    '{model: $model, set: $set, item: $item, kind: $kind, n_frames: .n_frames,
      psnr_y: .summary.psnr_y_mean_of_frames, psnr_rgb: .summary.psnr_rgb_mean_of_frames,
      ssim_y: .summary.ssim_y_mean_of_frames, dists: .summary.dists_mean_of_frames,
      dists_available: .dists.available}' "$5" >> "$RESULTS"
}

bicubic_png() {  # in out scale
  ffmpeg -v error -nostdin -y -i "$1" -vf "scale=iw*$3:ih*$3:flags=bicubic" "$2"
}

for MODEL in "$@"; do
  MODEL="$(cd "$(dirname "$MODEL")" && pwd)/$(basename "$MODEL")"
  "$SVD" model info --json "$MODEL" > "$TMP/info.json"
  S="$(jq -r .scale "$TMP/info.json")"
  NAME="$(basename "$MODEL")"
  echo "eval: $NAME (scale $S)" >&2

  # 1. Held-out renders.
  for V in "$DATA"/pairs/"$S"x/heldout/*__v0; do
    [ -f "$V/lq_0000.png" ] || continue
    CLIP="$(basename "$V" __v0)"
    N="$(ls "$V"/lq_*.png | wc -l)"
    for K in $(seq 0 $((FRAMES - 1))); do
      F=$(( FRAMES > 1 ? K * (N - 1) / (FRAMES - 1) : 0 ))
      FN="$(printf %04d "$F")"
      "$SVD" metrics "${DEVOPT[@]}" --json --chain "$MODEL" "$V/hq_$FN.png" "$V/lq_$FN.png" > "$TMP/m.json"
      record "$NAME" heldout-renders "$CLIP/$FN" model "$TMP/m.json"
      if [ "$S" = 1 ]; then
        "$SVD" metrics "${DEVOPT[@]}" --json "$V/hq_$FN.png" "$V/lq_$FN.png" > "$TMP/m.json"
        record "$NAME" heldout-renders "$CLIP/$FN" input "$TMP/m.json"
      else
        bicubic_png "$V/lq_$FN.png" "$TMP/bic.png" "$S"
        "$SVD" metrics "${DEVOPT[@]}" --json "$V/hq_$FN.png" "$TMP/bic.png" > "$TMP/m.json"
        record "$NAME" heldout-renders "$CLIP/$FN" bicubic "$TMP/m.json"
      fi
    done
  done

  # 2. The shared real clips (not shipped; read in place).
  if [ "${SVD_EVAL_SHARED:-1}" = 1 ] && [ -d "$SHARED/clips" ]; then
    DISTS=()
    if [ "${SVD_EVAL_DISTS:-full}" != none ]; then
      DISTS=(--dists "${SVD_EVAL_DISTS:-full}" --dists-weights "$SHARED/reference/DISTS_weights.pt"
             --vgg16-weights "$SHARED/reference/dists_vgg16_random_seed20261121.pth")
    fi
    for SRC in "$SHARED/clips/bbb_720p_5s_h264_aac.mp4" "$SHARED/clips/sintel_480p_5s_h264_mp3.mp4"; do
      [ -f "$SRC" ] || continue
      C="$(basename "$SRC" .mp4)"
      CLEAN="$TMP/${C}_clean.mkv"
      [ -f "$CLEAN" ] || ffmpeg -v error -nostdin -y -i "$SRC" -an -sn \
        -vf "trim=start_frame=$CLIP_START:end_frame=$((CLIP_START + CLIP_FRAMES)),setpts=PTS-STARTPTS" \
        -c:v ffv1 "$CLEAN"
      DEG="$TMP/${C}_x${S}_crf34.mp4"
      [ -f "$DEG" ] || "$SVD" degrade --quiet --scale "$S" --crf 34 --no-audio "$CLEAN" "$DEG"
      "$SVD" metrics "${DEVOPT[@]}" --json --max-frames "$CLIP_FRAMES" "${DISTS[@]}" \
        --chain "$MODEL" "$CLEAN" "$DEG" > "$TMP/m.json" || [ $? = 3 ]
      record "$NAME" shared-clips "$C" model "$TMP/m.json"
      if [ "$S" = 1 ]; then
        "$SVD" metrics "${DEVOPT[@]}" --json --max-frames "$CLIP_FRAMES" "${DISTS[@]}" \
          "$CLEAN" "$DEG" > "$TMP/m.json" || [ $? = 3 ]
        record "$NAME" shared-clips "$C" input "$TMP/m.json"
      else
        # Bicubic baseline: FFmpeg's swscale bicubic, kept lossless (FFV1, 4:4:4).
        ffmpeg -v error -nostdin -y -i "$DEG" -vf "scale=iw*$S:ih*$S:flags=bicubic,format=yuv444p" \
          -c:v ffv1 "$TMP/bic.mkv"
        "$SVD" metrics "${DEVOPT[@]}" --json --max-frames "$CLIP_FRAMES" "${DISTS[@]}" \
          "$CLEAN" "$TMP/bic.mkv" > "$TMP/m.json" || [ $? = 3 ]
        record "$NAME" shared-clips "$C" bicubic "$TMP/m.json"
      fi
    done
  else
    echo "eval: skipping the shared clips (SVD_EVAL_SHARED=0 or no $SHARED/clips)" >&2
  fi
done

# Aggregate: per model, set and item, the model's and the baseline's means and the gain.
"$PY" - "$RESULTS" "$OUT" "$SVD" <<'EOF'
import json, os, sys, collections, datetime
rows = [json.loads(l) for l in open(sys.argv[1])]
agg = collections.OrderedDict()
for r in rows:
    for item in (r["item"].split("/")[0], "ALL"):
        agg.setdefault((r["model"], r["set"], item), collections.defaultdict(list))[r["kind"]].append(r)
out = {"tool": "svd CLI (" + os.path.basename(sys.argv[3]) + ")", "date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
       "protocol": "Synthesize mode: x264 CRF 34 preset medium (bicubic downscale at 2x); PSNR-Y BT.601; "
                   "DISTS with the seeded random VGG16 (arithmetic check, not real DISTS)",
       "results": []}
for (model, s, item), kinds in agg.items():
    e = {"model": model, "set": s, "item": item}
    for kind, rs in kinds.items():
        for m in ("psnr_y", "ssim_y", "dists"):
            vals = [r[m] for r in rs if r.get(m) is not None]
            if vals:
                e["%s_%s" % (kind, m)] = round(sum(vals) / len(vals), 6 if m == "dists" else 4)
        e["%s_frames" % kind] = sum(r["n_frames"] or 0 for r in rs)
    base = "input" if "input" in kinds else "bicubic"
    if "model_psnr_y" in e and base + "_psnr_y" in e:
        e["gain_psnr_y_db"] = round(e["model_psnr_y"] - e[base + "_psnr_y"], 4)
        e["baseline"] = base
    out["results"].append(e)
json.dump(out, open(sys.argv[2], "w"), indent=1)
for e in out["results"]:
    print("eval: %-28s %-16s %-28s PSNR-Y %s vs %s %s (%+.3f dB)  DISTS %s vs %s" % (
        e["model"], e["set"], e["item"], e.get("model_psnr_y"), e.get("baseline"),
        e.get("%s_psnr_y" % e.get("baseline")), e.get("gain_psnr_y_db", float("nan")),
        e.get("model_dists"), e.get("%s_dists" % e.get("baseline"))))
EOF
