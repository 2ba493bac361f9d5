#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Reuse of repeated frames in `svd restore` (issue #25): a clip made here
# (64x48, 12 distinct frames each held 3 times, ffv1 so the held frames
# are bit-identical) restored with the project's own 1x model runs the
# chain on a third of the frames, and its output is frame for frame the
# same as with --no-reuse, which runs every frame. The same content
# through x264 CRF 23 has no identical frames; --reuse-similar DB reuses
# the held ones and reports how many and the largest deviation. `svd
# compare` reuses too, with the same metrics as --no-reuse.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
model=${SVD_SOURCE_ROOT:?}/models/svd-super-1x.safetensors
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg/ffprobe are not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
src="testsrc=size=64x48:rate=8:duration=1.5,fps=24"
ffmpeg -v error -y -f lavfi -i "$src" -c:v ffv1 -pix_fmt yuv420p "$work/held.mkv"
ffmpeg -v error -y -f lavfi -i "$src" -c:v libx264 -crf 23 -pix_fmt yuv420p "$work/held264.mp4"
# Video frames only: timestamp, size and MD5 of each decoded frame.
vmd5 () { ffmpeg -v error -i "$1" -map 0:v:0 -f framemd5 - | grep -v '^#' | awk -F, '{print $3 $5 $6}'; }
distinct () { vmd5 "$1" | awk '{print $NF}' | uniq | wc -l; }
check "the clip: 36 frames, 12 distinct (each held 3 times)" \
  test "$(vmd5 "$work/held.mkv" | wc -l)" = 36 -a "$(distinct "$work/held.mkv")" = 12

# One member of a --json report; null prints as null.
j () { python3 -c 'import json, sys; v = json.load(open(sys.argv[2]))[sys.argv[1]]; print("null" if v is None else v)' "$1" "$2"; }
"$svd" restore "$work/held.mkv" "$work/reuse.mkv" --chain "$model" -c ffv1 --json >"$work/reuse.json" 2>"$work/err"
check "restore exits 0" test $? -eq 0
sed 's/^/# /' "$work/reuse.json" "$work/err" | grep -v '^# progress'
check "all 36 frames written" test "$(j frames "$work/reuse.json")" = 36
check "the chain ran on a third of the frames (12)" test "$(j engine_frames "$work/reuse.json")" = 12
check "24 frames reused, none only similar" \
  test "$(j frames_reused "$work/reuse.json")" = 24 -a "$(j frames_similar "$work/reuse.json")" = 0
check "no deviation reported for exact reuse" test "$(j reuse_worst_psnr_y "$work/reuse.json")" = null

"$svd" restore "$work/held.mkv" "$work/all.mkv" --chain "$model" -c ffv1 --no-reuse --json >"$work/all.json" 2>"$work/err"
check "--no-reuse exits 0" test $? -eq 0
check "--no-reuse runs the chain on every frame" \
  test "$(j engine_frames "$work/all.json")" = 36 -a "$(j frames_reused "$work/all.json")" = 0
check "the output is frame for frame that of --no-reuse (framemd5)" cmp -s <(vmd5 "$work/reuse.mkv") <(vmd5 "$work/all.mkv")
check "36 frames in the output" test "$(vmd5 "$work/reuse.mkv" | wc -l)" = 36

"$svd" restore "$work/held.mkv" "$work/text.mkv" --chain "$model" -c ffv1 >"$work/text.out" 2>"$work/text.err"
check "the text report says how many frames were reused" \
  grep -q "^Reused 24 of 36 frames (the chain ran on 12)" "$work/text.out"
check "the progress says how many frames were reused" grep -q "^progress: 36/36 frames, 24 reused" "$work/text.err"

# Lossy: held frames decode slightly differently, so few are identical
# (x264's default preset; ultrafast repeats more exactly). Held
# frames are 48 to 78 dB apart in PSNR-Y, distinct ones about 37 dB.
"$svd" restore "$work/held264.mp4" "$work/x264-exact.mkv" --chain "$model" -c ffv1 --json >"$work/x264-exact.json" 2>/dev/null
check "x264: exact reuse misses the held frames" test "$(j frames_reused "$work/x264-exact.json")" -lt 12
db=45
"$svd" restore "$work/held264.mp4" "$work/x264.mkv" --chain "$model" -c ffv1 --reuse-similar $db --json \
  >"$work/x264.json" 2>"$work/err"
check "--reuse-similar exits 0" test $? -eq 0
sed 's/^/# /' "$work/x264.json" "$work/err" | grep -v '^# progress'
reused=$(j frames_reused "$work/x264.json"); similar=$(j frames_similar "$work/x264.json")
worst=$(j reuse_worst_psnr_y "$work/x264.json"); ran=$(j engine_frames "$work/x264.json")
echo "# x264 CRF 23, --reuse-similar $db: $reused reused ($similar similar), chain on $ran, worst PSNR-Y $worst dB"
check "--reuse-similar reuses held frames that are not identical" test "$reused" -gt 0 -a "$similar" -gt 0
check "every frame was either computed or reused" test $((reused + ran)) = 36
check "no distinct picture was reused (the chain ran at least 12 times)" test "$ran" -ge 12
check "the largest deviation is reported and above the threshold" \
  awk -v w="$worst" -v db=$db 'BEGIN { exit !(w != "null" && w + 0 > db && w + 0 < 1000) }'
check "--reuse-similar still writes every frame" test "$(vmd5 "$work/x264.mkv" | wc -l)" = 36
# A threshold above any held frame's PSNR-Y reuses nothing.
"$svd" restore "$work/held264.mp4" "$work/x264-hi.mkv" --chain "$model" -c ffv1 --reuse-similar 99 --json \
  >"$work/x264-hi.json" 2>/dev/null
check "a threshold of 99 dB reuses no lossy frame" test "$(j frames_reused "$work/x264-hi.json")" = 0

"$svd" restore "$work/held.mkv" "$work/bad.mkv" --chain "$model" --reuse-similar -3 2>"$work/bad.err"
check "a negative --reuse-similar is refused" test $? -ne 0 -a -s "$work/bad.err" -a ! -e "$work/bad.mkv"
"$svd" restore "$work/held.mkv" "$work/bad.mkv" --chain "$model" --reuse-similar 40 --no-reuse 2>"$work/bad.err"
check "--reuse-similar with --no-reuse is refused" test $? -ne 0 -a -s "$work/bad.err" -a ! -e "$work/bad.mkv"

# svd compare (the session the app's viewer uses): the held frames reuse
# the chain's output, and every frame's metrics against the reference are
# those of --no-reuse.
"$svd" compare "$work/held.mkv" --reference "$work/held.mkv" --chain "$model" --json >"$work/cmp.json" 2>/dev/null
check "compare exits 0" test $? -eq 0
"$svd" compare "$work/held.mkv" --reference "$work/held.mkv" --chain "$model" --json --no-reuse \
  >"$work/cmp-all.json" 2>/dev/null
check "compare --no-reuse exits 0" test $? -eq 0
creused () { python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["chains"][0]
print(c["summary"]["frames_reused"], sum(1 for f in c["frames"] if f["reused"]))' "$1"; }
check "compare reuses the 24 held frames" test "$(creused "$work/cmp.json")" = "24 24"
check "compare --no-reuse runs the chain on every frame" test "$(creused "$work/cmp-all.json")" = "0 0"
check "compare: every frame's PSNR and SSIM are those of --no-reuse" python3 -c '
import json, sys
a, b = ([(f["index"], f["psnr_rgb"], f["psnr_y"], f["ssim_y"]) for f in json.load(open(p))["chains"][0]["frames"]]
        for p in sys.argv[1:])
sys.exit(not (len(a) == 36 and all(x[0] == y[0] and all(abs(u - v) < 1e-6 for u, v in zip(x[1:], y[1:]))
                                   for x, y in zip(a, b))))' "$work/cmp.json" "$work/cmp-all.json"
"$svd" compare "$work/held.mkv" --no-reference --chain "$model" --frames 0:3 >"$work/cmp.txt" 2>/dev/null
check "compare's text says which frames were reused" \
  test "$(grep -c ': reused' "$work/cmp.txt")" = 2 -a "$(grep -c '2 of 3 frames reused' "$work/cmp.txt")" = 1
echo "1..$n"
exit $status
