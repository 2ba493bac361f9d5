#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Every command that takes a chain reads the one chain text (app/model/
# svd-chain.c): comma lists with built-in steps, presets given relatively
# from a subfolder, and our own fused chain ONNX read back as its steps.
# Regressions: a relative preset hit a GLib assertion in every command;
# `svd model run` took neither presets nor comma lists; a fused chain ONNX
# failed with an "s3_Add" error in model run, bench, restore and
# export-chain; a comma list could not hold a built-in step.
# Inputs are the project's own models (models/) and clips made here.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
models=${SVD_SOURCE_ROOT:?}/models
m1=$models/svd-super-1x.safetensors
m2=$models/svd-super-2x.safetensors
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
[ -f "$m1" ] && [ -f "$m2" ] || skip "the project's models are missing ($m1)"
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# A command succeeds and says nothing about GLib criticals or assertions.
runs () { # log, command...
  local log=$1; shift
  "$@" >"$log" 2>&1
  local rc=$?
  sed 's/^/# /' "$log" | head -8
  [ $rc -eq 0 ] && ! grep -qiE "CRITICAL|assertion|s3_Add" "$log"
}
same () { cmp -s "$1" "$2"; }
size_is () { # png WxH
  [ "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$1")" = "$2" ]
}

ffmpeg -v error -f lavfi -i testsrc=size=40x24 -frames:v 1 in.png
ffmpeg -v error -f lavfi -i testsrc=size=80x48 -frames:v 1 ref.png
ffmpeg -v error -f lavfi -i testsrc=size=40x24:rate=10 -frames:v 3 -c:v libx264 -pix_fmt yuv420p clip.mp4
mkdir -p sub/deeper

# --- svd model run takes a chain: positional models, a comma list, a preset.
check "model run MODEL MODEL (several entries)" runs l1 "$svd" model run "$m1" "$m2" in.png pos.png
check "model run with a comma list" runs l2 "$svd" model run "$m1,$m2" in.png comma.png
check "the comma list runs the same chain" same pos.png comma.png
check "export-chain writes a preset into a subfolder, given relatively" \
  runs l3 "$svd" export-chain --format preset "$m1,$m2" sub/deeper/p.json
check "model run with a relative preset in a subfolder" runs l4 "$svd" model run sub/deeper/p.json in.png preset.png
check "the preset runs the same chain" same pos.png preset.png

# --- A relative preset works in every command that takes a chain.
check "bench --chain with a relative preset" \
  runs l5 "$svd" bench --chain sub/deeper/p.json --size 32x24 --frames 1 --warmup 0 --no-peak -q
check "restore --chain with a relative preset" runs l6 "$svd" restore clip.mp4 r-preset.mkv --chain sub/deeper/p.json -q
check "the restored clip exists" test -s r-preset.mkv
check "metrics --chain with a relative preset" runs l7 "$svd" metrics ref.png in.png --chain sub/deeper/p.json
check "export-chain from a relative preset" runs l8 "$svd" export-chain --format glsl sub/deeper/p.json sub/p.glsl
in_sub () { (cd sub && "$@"); }
check "a preset relative to another current folder" in_sub runs ../l9 "$svd" model run deeper/p.json ../in.png ../preset2.png
check "same output from another current folder" same pos.png preset2.png

# --- Built-in steps in a comma list.
check "model run MODEL,bicubic:2" runs l10 "$svd" model run "$m1,bicubic:2" in.png builtin.png
check "MODEL,bicubic:2 doubles the size" size_is builtin.png 80x48
check "export-chain keeps the built-in step in a preset" \
  runs l11 "$svd" export-chain --format preset "$m1,bicubic:2" sub/b.json
check "the preset holds a resize step" grep -q '"filter" : "bicubic"' sub/b.json
check "model run of that preset gives the same image" runs l12 "$svd" model run sub/b.json in.png builtin2.png
check "same image as the comma list" same builtin.png builtin2.png
check "bench --chain with a built-in step" \
  runs l13 "$svd" bench --chain "$m1,lanczos:2" --size 32x24 --frames 1 --warmup 0 --no-peak -q
check "restore --chain with a built-in step" runs l14 "$svd" restore clip.mp4 r-builtin.mkv --chain "$m1,bicubic:2" -q
check "the restored clip is twice the size" test "$(ffprobe -v error -select_streams v:0 \
  -show_entries stream=width -of csv=p=0 r-builtin.mkv)" = 80
check "metrics --chain with a built-in step" runs l15 "$svd" metrics ref.png in.png --chain "$m1,bicubic:2"
"$svd" model run "$m1,bicubic:0" in.png bad.png >l16 2>&1; rc=$?
sed 's/^/# /' l16
check "a bad built-in step fails with a clear message" \
  test $rc -eq 1 -a ! -e bad.png -a "$(grep -c 'factor from 0.125 to 8' l16)" = 1

# --- Our own fused chain ONNX reads back as its steps.
check "export-chain --format onnx (1x → 2x)" runs l17 "$svd" export-chain --format onnx "$m1,$m2" sub/f.onnx
check "model run of the fused ONNX" runs l18 "$svd" model run sub/f.onnx in.png fused.png
check "the fused ONNX runs the chain it came from" same pos.png fused.png
check "bench --chain with the fused ONNX" \
  runs l19 "$svd" bench --chain sub/f.onnx --size 32x24 --frames 1 --warmup 0 --no-peak -q
check "restore --chain with the fused ONNX" runs l20 "$svd" restore clip.mp4 r-fused.mkv --chain sub/f.onnx -q
check "export-chain from the fused ONNX (to ONNX again)" runs l21 "$svd" export-chain --format onnx sub/f.onnx sub/f2.onnx
check "model run of the re-exported ONNX" runs l22 "$svd" model run sub/f2.onnx in.png fused2.png
check "same image again" same pos.png fused2.png
check "export-chain from the fused ONNX to GLSL" runs l23 "$svd" export-chain --format glsl sub/f.onnx sub/f.glsl
check "export-chain of a fused chain with resize steps" \
  runs l24 "$svd" export-chain --format onnx "$m1,bilinear:2" sub/fr.onnx
check "model run of it" runs l25 "$svd" model run sub/fr.onnx in.png fusedr.png
check "model run of the same chain as a comma list" runs l26 "$svd" model run "$m1,bilinear:2" in.png commar.png
check "fused with resize steps runs the chain it came from" same commar.png fusedr.png
check "a fused ONNX mixes with other entries" runs l27 "$svd" model run "sub/f.onnx,nearest:1" in.png mixed.png
check "same image with a 1x nearest step after it" same pos.png mixed.png
# --- A preset's model files are inputs: never an output, even with --force.
cp "$m1" sub/own.safetensors; cp "$m1" keep.safetensors
check "a preset naming a model next to it" runs l28 "$svd" export-chain --format preset sub/own.safetensors sub/own.json
refuses () { # log, command...
  local log=$1; shift
  "$@" >"$log" 2>&1; local rc=$?
  sed 's/^/# /' "$log" | head -3
  [ $rc -eq 1 ] && grep -q "would destroy the input" "$log"
}
check "export-chain refuses to write over the preset's model" \
  refuses l29 "$svd" export-chain --format onnx sub/own.json sub/own.safetensors --force
check "model run refuses to write over the preset's model" \
  refuses l30 "$svd" model run sub/own.json in.png sub/own.safetensors --force
check "restore refuses to write over the preset's model" \
  refuses l31 "$svd" restore clip.mp4 sub/own.safetensors --chain sub/own.json --force
check "the model is intact" same keep.safetensors sub/own.safetensors
echo "1..$n"
exit $status
