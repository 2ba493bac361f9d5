#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Exports meeting bad input or a failing output:
# - a clip damaged mid-way: the damaged frames are reported (count and first
#   frame) and the export carries on, or with --on-decode-error=stop fails
#   cleanly and writes nothing;
# - disk full (RLIMIT_FSIZE in a subshell), an encoder that refuses its
#   settings, and an encoder that fails mid-export (SVD_FAULT_INJECT=
#   encode-fail-at:N): a clear error and no file left behind, temp files
#   included.
. "$(dirname "$0")/tap.sh"
src=$work/src.mp4
ffmpeg -v error -i "$clip" -frames:v 48 -vf scale=160:90 -c:v libx264 -preset veryfast -g 12 -an "$src"
cp "$src" "$work/bad.mp4"
# Overwrite bytes in the middle of the file (the mdat): seeded, so the same
# damage every run.
python3 - "$work/bad.mp4" <<'PY'
import os, random, sys
p = sys.argv[1]; size = os.path.getsize(p); random.seed(9)
with open(p, 'r+b') as f:
    for off in range(size * 2 // 5, size * 3 // 5, 997):
        f.seek(off); f.write(bytes(random.randrange(256) for _ in range(64)))
PY
frames () { ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
field () { python3 -c "import json,sys; print(json.load(open('$1'))['$2'])"; }

mkdir -p "$work/o1"
"$svd" restore "$work/bad.mp4" "$work/o1/out.mkv" --chain "$model" -c ffv1 --json >"$work/j1" 2>"$work/e1"
rc=$?; grep -v ffmpeg: "$work/e1" | comment /dev/stdin; comment "$work/j1"
check "damaged clip, default: restore exits 0" test $rc -eq 0
check "damaged clip, default: the output has every frame" test "$(frames "$work/o1/out.mkv")" = 48
check "damaged clip, default: decode errors are counted" test "$(field "$work/j1" decode_errors)" -gt 0
first=$(field "$work/j1" first_damaged_frame)
check "damaged clip, default: the first damaged frame is mid-clip ($first)" test "$first" -gt 0 -a "$first" -lt 48
check "damaged clip, default: a warning names the frame" grep -q "damaged.*first at frame $first" "$work/e1"

mkdir -p "$work/o2"
"$svd" restore "$work/bad.mp4" "$work/o2/out.mkv" --chain "$model" -c ffv1 --on-decode-error=stop 2>"$work/e2"
rc=$?; grep -v ffmpeg: "$work/e2" | comment /dev/stdin
check "damaged clip, stop: fails (not a crash)" test $rc -eq 1
check "damaged clip, stop: the error names frame $first" grep -q "Frame $first .*damaged" "$work/e2"
check "damaged clip, stop: no file at all" test -z "$(ls -A "$work/o2")"

mkdir -p "$work/o3"
"$svd" transcode "$src" "$work/o3/out.mkv" -c ffv1 --on-decode-error=stop --json >"$work/j3" 2>"$work/e3"
check "undamaged clip, stop: exits 0 with no decode errors" test $? -eq 0 -a "$(field "$work/j3" decode_errors)" = 0

# Disk full: a 1 MB file size limit; SIGXFSZ is ignored so write() fails.
mkdir -p "$work/o4"
(ulimit -f 1000; exec "$svd" transcode "$clip" "$work/o4/out.mkv" -c ffv1 -q) 2>"$work/e4"
rc=$?; comment "$work/e4"
check "disk full: fails with status 1 (not killed by SIGXFSZ)" test $rc -eq 1
check "disk full: the error says the disk is full" grep -q "disk is full" "$work/e4"
check "disk full: no file left behind (temp file included)" test -z "$(ls -A "$work/o4")"
mkdir -p "$work/o5"
(ulimit -f 1000; exec "$svd" restore "$clip" "$work/o5/out.mkv" --chain "$model" --frames 0:30 -c ffv1 -q) 2>"$work/e5"
rc=$?; comment "$work/e5"
check "disk full during restore: fails with status 1" test $rc -eq 1
check "disk full during restore: no file left behind" test -z "$(ls -A "$work/o5")"

# An encoder that refuses its settings, and a container that cannot hold the codec.
mkdir -p "$work/o6"
"$svd" restore "$src" "$work/o6/out.mp4" --chain "$model" -c x264 --preset not-a-preset -q 2>"$work/e6"
rc=$?; comment "$work/e6"
check "encoder failure: fails with status 1" test $rc -eq 1
check "encoder failure: the error names the encoder" grep -q "libx264 encoder" "$work/e6"
"$svd" restore "$src" "$work/o6/out.webm" --chain "$model" -c x264 -q 2>"$work/e7"
rc=$?; comment "$work/e7"
check "codec/container mismatch: fails with a message" test $rc -eq 1 -a -s "$work/e7"
check "encoder failures: no file left behind" test -z "$(ls -A "$work/o6")"

# The encoder failing in the middle of an export (SVD_FAULT_INJECT=
# encode-fail-at:N makes it refuse frame N): once with ffv1 (packets written
# as they come, so the temp file already holds frames) and once with x264
# (frames still buffered in its lookahead, which must be freed too).
for codec in ffv1 x264; do
  d=$work/o8-$codec; mkdir -p "$d"
  SVD_FAULT_INJECT=encode-fail-at:20 "$svd" restore "$src" "$d/out.mkv" --chain "$model" -c $codec -q 2>"$d.err"
  rc=$?; comment "$d.err"
  check "encoder fails mid-export ($codec): fails with status 1" test $rc -eq 1
  check "encoder fails mid-export ($codec): the error names the encoder and frame 20" \
    grep -q "encoder refused frame 20" "$d.err"
  check "encoder fails mid-export ($codec): no output and no temp file left" test -z "$(ls -A "$d")"
done
SVD_FAULT_INJECT=encode-fail-at:20 "$svd" transcode "$src" "$work/o9.mkv" -c ffv1 -q 2>"$work/e9"
check "encoder fails mid-transcode: fails with status 1 and no file" test $? -eq 1 -a ! -e "$work/o9.mkv"
finish
