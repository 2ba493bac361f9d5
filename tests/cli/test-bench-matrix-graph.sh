#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Issue #27: a SPAN-family model (AnimeJaNai SPANF3, run through the graph
# IR) is a stage of the tier matrix like any other. `svd bench-matrix` with
# slot 1 = the project's own 1x model or none, slot 2 = SPANF3 2x, at a tiny
# size, one run, no warm-up, scored on one frame of a clip made here: both
# chains are measured, each row's GFLOP is that of `svd model info` at the
# size (the 1x step's plus SPANF3's for the chain), the output is twice the
# input, and PSNR is there. Skipped without ../shared (the SPANF3 model).
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
m1=${SVD_SOURCE_ROOT:?}/models/svd-super-1x.safetensors
span=${SVD_SHARED_DIR:-/nonexistent}/models/other/2x_AnimeJaNai_HD_V3.1_Performance_SPANF3_b5f48_unshuffle_fp16.onnx
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
[ -f "$span" ] || skip "../shared is missing ($span)"
[ -f "$m1" ] || skip "the project's model is missing ($m1)"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
command -v jq >/dev/null || skip "jq is not installed"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
runs () { # log, command...
  local log=$1; shift
  "$@" >"$log" 2>"$log.err"
  local rc=$?
  sed 's/^/# /' "$log.err" | head -8
  [ $rc -eq 0 ] && ! grep -qiE "CRITICAL|assertion" "$log.err"
}

# A 128x72 clip: synthesized at scale 2, the matrix's input is 64x36.
ffmpeg -v error -f lavfi -i testsrc=size=128x72:rate=10 -frames:v 2 -c:v libx264 -pix_fmt yuv420p clip.mp4

check "bench-matrix with slot 1 = 1x model or none, slot 2 = SPANF3" \
  runs m.json "$svd" bench-matrix --slot "$m1,none" --slot "$span" -s 64x36 --warmup 0 --runs 1 \
  --frames 0:1 --clip clip.mp4 --json
check "model info of the 1x model at 64x36" runs i1.json "$svd" model info --json -s 64x36 "$m1"
check "model info of SPANF3 at 64x36" runs i2.json "$svd" model info --json -s 64x36 "$span"
jq -c '.measured[] | {chain, in_size, out_size, gflop, stage_ms, fps, psnr_y}' m.json | sed 's/^/# /'
g1=$(jq '.gflop_per_frame[0].gflop' i1.json)
g2=$(jq '.gflop_per_frame[0].gflop' i2.json)
echo "# model info GFLOP at 64x36: 1x $g1, SPANF3 $g2"

# The measured rows of m.json, by their number of stages.
row () { jq -e --argjson k "$1" '[.measured[] | select((.stage_ms | length) == $k)] | length == 1' m.json >/dev/null; }
# Row with $1 stages: jq condition $2 holds (with $g1, $g2 bound).
holds () {
  jq -e --argjson k "$1" --argjson g1 "${g1:-0}" --argjson g2 "${g2:-0}" \
    "[.measured[] | select((.stage_ms | length) == \$k)][0] | $2" m.json >/dev/null
}
close () { echo "(($1) - ($2) | fabs) <= 1e-6 * ($2 | fabs) + 1e-9"; }

is () { jq -e "$1" "$2" >/dev/null; } # jq condition, file
check "SPANF3 is a graph model to model info" is '.architecture == "graph" and .scale == 2' i2.json
check "model info gives SPANF3 a GFLOP > 0" is '.gflop_per_frame[0].gflop > 0' i2.json
check "two measured rows" is '.measured | length == 2' m.json
check "a row for SPANF3 alone" row 1
check "a row for 1x -> SPANF3" row 2
for k in 1 2; do
  check "row of $k stage(s): input 64x36, output 128x72" holds $k '.in_size == "64x36" and .out_size == "128x72"'
  check "row of $k stage(s): GFLOP > 0" holds $k '.gflop > 0'
  check "row of $k stage(s): fps > 0, every stage timed" holds $k '.fps > 0 and all(.stage_ms[]; . > 0)'
  check "row of $k stage(s): PSNR-Y present" holds $k '(.psnr_y | type) == "number" and .psnr_y > 5'
done
check "SPANF3 row's GFLOP is model info's at 64x36" holds 1 "$(close .gflop '$g2')"
check "1x -> SPANF3 row's GFLOP is the 1x model's plus SPANF3's" holds 2 "$(close .gflop '$g1 + $g2')"
check "the chain names SPANF3" holds 1 '.chain | test("SPANF3")'
echo "1..$n"
exit $status
