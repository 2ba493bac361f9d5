#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A kernel that fails to build (SVD_KERNEL_DIR with a broken conv.cl): a
# clear error that carries the compiler's build log, no crash, no output.
. "$(dirname "$0")/tap.sh"
src=${SVD_SOURCE_ROOT:?}/opencl
# break_kernel FILE: a kernel that cannot compile, appended to FILE.
break_kernel () { printf '\n__kernel void svd_broken_on_purpose (__global float *x) { x[0] = undefined_symbol_xyz; }\n' >>"$1"; }
mkdir -p "$work/cl" "$work/cache"
cp "$src"/*.cl "$work/cl/"
break_kernel "$work/cl/conv.cl"
ffmpeg -v error -ss 1 -i "$clip" -frames:v 1 -vf scale=64:36 "$work/in.png"
SVD_KERNEL_DIR=$work/cl SVD_KERNEL_CACHE_DIR=$work/cache "$svd" model run "$model" "$work/in.png" "$work/out.png" \
  >/dev/null 2>"$work/err"
rc=$?; comment "$work/err"
check "model run fails" test $rc -ne 0 -a $rc -lt 128
check "no output file" test ! -e "$work/out.png"
check "the error says the build failed" grep -qi "build" "$work/err"
check "the error carries the build log (names the bad symbol)" grep -q "undefined_symbol_xyz" "$work/err"
SVD_KERNEL_DIR=$work/cl SVD_KERNEL_CACHE_DIR=$work/cache "$svd" restore "$clip" "$work/out.mkv" --chain "$model" \
  --frames 0:3 -c ffv1 --no-audio -q 2>"$work/err2"
rc=$?
check "restore fails too, without a crash" test $rc -ne 0 -a $rc -lt 128
check "restore leaves no file" test -z "$(ls "$work" | grep out.mkv)"

# A broken colour kernel: svd metrics (and the app's session, which
# converts frames the same way) says so and converts on the CPU with the C
# twins, which give the same numbers as the kernels.
mkdir -p "$work/cl2" "$work/cache2"
cp "$src"/*.cl "$work/cl2/"
break_kernel "$work/cl2/color.cl"
make_clip "$work/a.mp4" 128 72 3
ffmpeg -v error -y -i "$work/a.mp4" -c:v libx264 -crf 40 -an "$work/b.mp4"
y_psnr () { python3 -c 'import json,sys; print(" ".join("%.10f" % f["psnr_y"] for f in json.load(sys.stdin)["frames"]))'; }
good=$("$svd" metrics "$work/a.mp4" "$work/b.mp4" --json -q 2>/dev/null | y_psnr)
SVD_KERNEL_DIR=$work/cl2 SVD_KERNEL_CACHE_DIR=$work/cache2 "$svd" metrics "$work/a.mp4" "$work/b.mp4" --json \
  >"$work/m.json" 2>"$work/err3"
rc=$?; comment "$work/err3"
check "metrics still succeeds with a broken color.cl" test $rc -eq 0
check "it says the conversion kernels failed" grep -q "Frame conversion kernels failed" "$work/err3"
echo "# PSNR-Y per frame, kernels: $good"
echo "# PSNR-Y per frame, C twins: $(y_psnr <"$work/m.json")"
check "the C twins give the kernels' PSNR-Y (3 frames)" test -n "$good" -a "$good" = "$(y_psnr <"$work/m.json")"
finish
