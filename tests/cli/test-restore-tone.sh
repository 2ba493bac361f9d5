#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd restore` and `svd transcode`, the thin commands over libsvd's
# restore job, on a clip made here (64x48, 10 frames, an AAC tone) with the
# project's own 2x model, so a clone without ../shared runs it: every
# frame at twice the size, the audio packets unchanged, --no-audio, an
# excerpt, --json, and an empty range that fails with no file.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
model=${SVD_SOURCE_ROOT:?}/models/svd-super-2x.safetensors
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg/ffprobe are not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
clip=$work/tone.mp4
ffmpeg -v error -y -f lavfi -i testsrc=size=64x48:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -frames:v 10 -t 0.4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k "$clip"

frames () { ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
size () { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$1"; }
# Size and MD5 of each audio packet (the timestamps' time base depends on the container).
apackets () { ffmpeg -v error -i "$1" -map 0:a:0 -c copy -f framemd5 - | grep -v '^#' | awk -F, '{print $5 $6}'; }
astreams () { ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$1" | wc -l; }

mkdir "$work/r"
"$svd" restore "$clip" "$work/r/out.mkv" --chain "$model" -c ffv1 >"$work/out" 2>"$work/err"
check "restore exits 0" test $? -eq 0
sed 's/^/# /' "$work/out" "$work/err" | grep -v '^# progress'
check "restore prints what it wrote" grep -q "^Wrote $work/r/out.mkv: 10 frames, ffv1" "$work/out"
check "restore prints the engine" grep -q "^Engine on " "$work/out"
check "every frame" test "$(frames "$work/r/out.mkv")" = 10
check "twice the size" test "$(size "$work/r/out.mkv")" = "128,96"
check "the audio packets are the clip's" cmp -s <(apackets "$clip") <(apackets "$work/r/out.mkv")
check "there are audio packets" test "$(apackets "$work/r/out.mkv" | wc -l)" -gt 5
check "only the output is left" test "$(ls -A "$work/r")" = out.mkv

"$svd" restore "$clip" "$work/r/part.mp4" --chain "$model" --frames 2:7 --no-audio --json >"$work/json" 2>/dev/null
check "restore --frames 2:7 --no-audio --json exits 0" test $? -eq 0
check "the JSON counts 5 frames" grep -q '"frames" : 5' "$work/json"
check "the JSON names the device" grep -q '"device" : ' "$work/json"
check "the excerpt has 5 frames" test "$(frames "$work/r/part.mp4")" = 5
check "--no-audio leaves the audio out" test "$(astreams "$work/r/part.mp4")" = 0

mkdir "$work/t"
"$svd" transcode "$clip" "$work/t/t.mkv" --codec x264 --preset ultrafast -q
check "transcode exits 0" test $? -eq 0
check "transcode keeps every frame and the size" test "$(frames "$work/t/t.mkv"),$(size "$work/t/t.mkv")" = "10,64,48"
check "transcode keeps the audio packets" cmp -s <(apackets "$clip") <(apackets "$work/t/t.mkv")

mkdir "$work/e"
"$svd" restore "$clip" "$work/e/x.mkv" --chain "$model" --frames 30:40 2>"$work/err2"
check "a range past the end fails" test $? -eq 1
sed 's/^/# /' "$work/err2"
check "the error says the clip has 10 frames" grep -q "select no frame (the clip has 10)" "$work/err2"
"$svd" restore "$clip" "$work/e/x.mkv" --chain "$model" --frames 5:2 2>"$work/err3"
check "an empty range fails" test $? -eq 1
check "the error names --frames" grep -q -- "--frames 5:2 selects no frame" "$work/err3"
check "no file is left" test -z "$(ls -A "$work/e")"
echo "1..$n"
exit $status
