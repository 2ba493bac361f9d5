#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd compare --save-frames DIR` (issue #24: the app's "Save Frame Images"
# in the CLI): each frame's source, reference and chain output as PNG files
# named as the app names them, the chain's output the chain applied to the
# saved source (`svd model run`), the reference the clean clip's frame, and
# no file replaced without --force. On a clip made here; no ../shared.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg/ffprobe are not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
clip=$work/pattern.mp4
ffmpeg -v error -y -f lavfi -i testsrc=size=96x64:rate=25 -frames:v 4 -c:v libx264 -preset ultrafast \
  -pix_fmt yuv420p "$clip"
mkdir "$work/out"
size () { ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$1"; }
psnr_y () { "$svd" metrics --json "$1" "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["psnr_y_mean_of_frames"])'; }
ge () { python3 -c "import sys; sys.exit(0 if float('$1') >= float('$2') else 1)"; }

echo "1..11"
"$svd" compare "$clip" --synthesize 2,bicubic,28 --chain bicubic:2 --frames 1:3 --save-frames "$work/out" >/dev/null
check "compare --save-frames exits 0" test $? -eq 0
names=$(cd "$work/out" && ls | tr '\n' ' ')
check "three images per frame, numbered from 1 as the app names them ($names)" \
  test "$names" = "pattern-frame000002-chain1.png pattern-frame000002-reference.png pattern-frame000002-source.png pattern-frame000003-chain1.png pattern-frame000003-reference.png pattern-frame000003-source.png "
check "the source is the half-size input" test "$(size "$work/out/pattern-frame000003-source.png")" = "48,32"
check "the reference and the chain output are full size" \
  test "$(size "$work/out/pattern-frame000003-reference.png"),$(size "$work/out/pattern-frame000003-chain1.png")" = "96,64,96,64"
"$svd" model run bicubic:2 "$work/out/pattern-frame000003-source.png" "$work/run.png" >/dev/null 2>&1
p=$(psnr_y "$work/out/pattern-frame000003-chain1.png" "$work/run.png")
echo "# chain output vs svd model run on the saved source: PSNR-Y $p dB"
check "the saved chain output is the chain applied to the saved source (PSNR-Y >= 50 dB)" ge "$p" 50
ffmpeg -v error -y -i "$clip" -vf 'select=eq(n\,2)' -frames:v 1 "$work/ref2.png"
p=$(psnr_y "$work/out/pattern-frame000003-reference.png" "$work/ref2.png")
echo "# saved reference vs ffmpeg's frame 2: PSNR-Y $p dB"
check "the saved reference is the clip's third frame, index 2 (PSNR-Y >= 45 dB)" ge "$p" 45
"$svd" compare "$clip" --synthesize 2,bicubic,28 --chain bicubic:2 --frames 1:2 --save-frames "$work/out" \
  >/dev/null 2>"$work/err"
check "an existing file is not replaced without --force" test $? -ne 0
"$svd" compare "$clip" --synthesize 2,bicubic,28 --chain bicubic:2 --frames 1:2 --save-frames "$work/out" -y \
  >/dev/null 2>&1
check "--force replaces it" test $? -eq 0

# --difference G: the Difference view's overlay at ×G, with every level
# (the overlay was made at ×4 in 8 bits, so ×1 clipped above 64). Grey 230
# against grey 30 (the input at half size for bicubic:2).
ffmpeg -v error -y -f lavfi -i color=c=0xE6E6E6:size=96x64:rate=25 -frames:v 2 -c:v ffv1 -pix_fmt yuv444p "$work/ref.mkv"
ffmpeg -v error -y -f lavfi -i color=c=0x1E1E1E:size=48x32:rate=25 -frames:v 2 -c:v ffv1 -pix_fmt yuv444p "$work/in.mkv"
mkdir "$work/diff"
"$svd" compare "$work/in.mkv" --reference "$work/ref.mkv" --chain bicubic:2 --frames 0:1 --save-frames "$work/diff" \
  --difference 1 >/dev/null 2>&1
"$svd" compare "$work/in.mkv" --reference "$work/ref.mkv" --chain bicubic:2 --frames 0:1 --save-frames "$work/diff" \
  --difference 2 -y >/dev/null 2>&1
level () { ffmpeg -v error -i "$1" -vf 'crop=1:1:48:32' -f rawvideo -pix_fmt gray - | od -An -tu1 | tr -d ' '; }
d1=$(level "$work/diff/in-frame000001-chain1-difference-x1.png")
d2=$(level "$work/diff/in-frame000001-chain1-difference-x2.png")
ref=$(level "$work/diff/in-frame000001-reference.png"); out=$(level "$work/diff/in-frame000001-chain1.png")
echo "# reference $ref, chain $out: difference at ×1 $d1, at ×2 $d2"
check "--difference 1 shows the full difference (about 200 levels), not 64" \
  python3 -c "import sys; sys.exit(0 if abs(${d1:-0} - abs(${ref:-0} - ${out:-0})) <= 2 and ${d1:-0} >= 150 else 1)"
check "--difference 2 saturates it" test "${d2:-0}" -ge 253
"$svd" compare "$work/in.mkv" --reference "$work/ref.mkv" --chain bicubic:2 --frames 0:1 --difference 3 \
  --save-frames "$work/diff" -y >/dev/null 2>&1
check "--difference takes 1, 2, 4 or 8" test $? -eq 2
exit $status
