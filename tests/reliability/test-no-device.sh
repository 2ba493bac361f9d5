#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# No OpenCL device (OCL_ICD_VENDORS=/nonexistent hides every ICD): the CPU
# reference runs with a notice, and its result matches the device's.
. "$(dirname "$0")/tap.sh"
ffmpeg -v error -ss 1 -i "$clip" -frames:v 1 -vf scale=128:72 "$work/in.png"
"$svd" model run "$model" "$work/in.png" "$work/dev.png" >/dev/null 2>&1
OCL_ICD_VENDORS=/nonexistent "$svd" devices >"$work/devs" 2>&1
comment "$work/devs"
OCL_ICD_VENDORS=/nonexistent "$svd" model run "$model" "$work/in.png" "$work/ref.png" >"$work/out" 2>"$work/err"
rc=$?; comment "$work/out" "$work/err"
check "model run without a device exits 0" test $rc -eq 0
check "it prints the no-device notice" grep -q "no OpenCL device found" "$work/err"
check "the device run worked" test -s "$work/dev.png"
check "the reference result matches the device's" psnr_at_least "$work/dev.png" "$work/ref.png" 45
make_clip "$work/small.mp4" 128 72 4
OCL_ICD_VENDORS=/nonexistent "$svd" restore "$work/small.mp4" "$work/out.mkv" --chain "$model" --frames 0:2 -c ffv1 \
  --no-audio --json >"$work/rj" 2>"$work/err2"
rc=$?; comment "$work/rj" "$work/err2"
check "restore without a device exits 0" test $rc -eq 0
check "restore prints the notice" grep -q "no OpenCL device found" "$work/err2"
check "restore wrote 2 frames" \
  test "$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$work/out.mkv")" = 2
finish
