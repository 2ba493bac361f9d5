#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd restore` on a real clip with a real 1x model: the output has the
# input's frame count and timestamps, carries the input's audio packets
# unchanged, decodes cleanly; interrupted midway it leaves no file at all.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
shared=${SVD_SHARED_DIR:?}
clip=$shared/clips/bbb_720p_5s_h264_aac.mp4
model=$shared/models/seed/1x_super_34_10_fp32.onnx
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
[ -f "$clip" ] && [ -f "$model" ] || skip "../shared is missing (no $clip)"
command -v ffprobe >/dev/null || skip "ffprobe is not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
out=$work/restored.mp4

"$svd" restore "$clip" "$out" --chain "$model" --crf 18 --preset veryfast --json >"$work/run.json" 2>"$work/err"
rc=$?
sed 's/^/# /' "$work/run.json" "$work/err" | grep -v '^# progress' | head -30
check "restore exits 0" test $rc -eq 0
check "the output exists" test -s "$out"

pts () { ffprobe -v error -select_streams "$2" -show_entries packet=pts_time -of csv=p=0 "$1" | sort -n; }
frames () { ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
check "same frame count" test "$(frames "$clip")" = "$(frames "$out")"
check "same video timestamps" cmp -s <(pts "$clip" v:0) <(pts "$out" v:0)
amd5 () { ffmpeg -v error -i "$1" -map 0:a:0 -c copy -f framemd5 - | grep -v '^#' | awk -F, '{print $NF}'; }
check "audio packets are the input's (stream copy)" cmp -s <(amd5 "$clip") <(amd5 "$out")
check "audio packets exist" test "$(amd5 "$out" | wc -l)" -gt 100
check "decodes without errors" test -z "$(ffmpeg -v error -i "$out" -f null - 2>&1)"
check "same size at 1x" test "$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$out")" = "1280,720"

# Interrupt midway: nothing may be left, neither the output nor a temp file.
cut=$work/cut/out.mp4
mkdir -p "$work/cut"
# SIGINT at a fixed point (the 40th cancellation point: inside the engine
# after the temp file exists), not after a sleep.
SVD_FAULT_INJECT=int-at:40 "$svd" restore "$clip" "$cut" --chain "$model" -q
rc=$?
check "interrupted restore fails" test $rc -ne 0
check "interrupted restore leaves no file" test -z "$(ls -A "$work/cut")"

# Bad input: a clear error, no output.
: > "$work/empty.mp4"
"$svd" restore "$work/empty.mp4" "$work/x.mp4" --chain "$model" 2>"$work/err2"
check "empty input fails with a message" test $? -ne 0 -a -s "$work/err2" -a ! -e "$work/x.mp4"
"$svd" restore "$clip" "$work/x.mp4" --chain "$work/empty.mp4" 2>"$work/err3"
check "bad model fails with a message" test $? -ne 0 -a -s "$work/err3" -a ! -e "$work/x.mp4"
"$svd" restore "$clip" /nonexistent-dir/x.mp4 --chain "$model" 2>"$work/err4"
check "unwritable output fails with a message" test $? -ne 0 -a -s "$work/err4"
sed 's/^/# /' "$work/err2" "$work/err3" "$work/err4"
echo "1..$n"
exit $status
