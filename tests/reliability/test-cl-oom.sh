#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# OpenCL allocations failing at run time (SVD_FAULT_INJECT=cl-alloc-over:B
# makes every buffer above B bytes fail with CL_MEM_OBJECT_ALLOCATION_FAILURE):
# the engine retries in smaller tiles, then on the CPU reference, with a
# notice, and the image equals the unfaulted one; so does a short restore.
. "$(dirname "$0")/tap.sh"
ffmpeg -v error -ss 1 -i "$clip" -frames:v 1 -vf scale=256:144 "$work/in.png"
"$svd" model run "$model" "$work/in.png" "$work/ref.png" >/dev/null 2>&1
check "unfaulted run works" test -s "$work/ref.png"

SVD_FAULT_INJECT=cl-alloc-over:2000000 "$svd" model run "$model" "$work/in.png" "$work/tiled.png" >/dev/null 2>"$work/e1"
rc=$?; comment "$work/e1"
check "2 MB allocation limit: exits 0" test $rc -eq 0
check "2 MB allocation limit: notice names the tiles" grep -q "out of memory.*processing in [0-9]*x[0-9]* tiles" "$work/e1"
check "2 MB allocation limit: same image (tiles overlap by the receptive field)" psnr_at_least "$work/ref.png" "$work/tiled.png" 50

SVD_FAULT_INJECT=cl-alloc-over:100000 "$svd" model run "$model" "$work/in.png" "$work/cpu.png" >/dev/null 2>"$work/e2"
rc=$?; comment "$work/e2"
check "100 kB allocation limit: exits 0" test $rc -eq 0
check "100 kB allocation limit: notice names the CPU reference" grep -q "out of memory.*CPU reference" "$work/e2"
check "100 kB allocation limit: same image as the device" psnr_at_least "$work/ref.png" "$work/cpu.png" 45

# An export: every frame after the first failure reuses the smaller tiles.
make_clip "$work/small.mp4" 320 180 6
SVD_FAULT_INJECT=cl-alloc-over:2000000 "$svd" restore "$work/small.mp4" "$work/out.mkv" --chain "$model" \
  -c ffv1 --no-audio -q 2>"$work/e3"
rc=$?; comment "$work/e3"
check "restore with a 2 MB limit: exits 0" test $rc -eq 0
check "restore with a 2 MB limit: 6 frames" \
  test "$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$work/out.mkv")" = 6
check "restore with a 2 MB limit: one notice per step, not per frame" test "$(grep -c 'out of memory' "$work/e3")" -le 6
finish
