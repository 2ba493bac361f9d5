#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The smaller findings of issue #22, each with a clip made here: rotation
# survives into .mkv (FFmpeg 5.1's Matroska muxer drops the display
# matrix, so the pixels are turned; compared with FFmpeg's own autorotate)
# and stays a display matrix in .mp4; interlaced input is warned about;
# an out-of-range --crf is refused with the valid range instead of being
# clamped or ignored; RGB output is tagged RGB/full range, not bt709/tv;
# alpha, >10-bit precision and attachments that are left out are named.
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
comment () { sed 's/^/# /' "$@" | grep -v '^# progress' | head -20; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
src () { ffmpeg -v error -f lavfi -i testsrc=size=160x96:rate=10 -frames:v 5 "$@"; }

# Rotation: 90, 180 and 270 degrees into Matroska, losslessly (ffv1), so
# the first frame must equal FFmpeg's autorotated decode of the source.
src -c:v libx264 -pix_fmt yuv444p -qp 0 plain.mp4
for r in 90 180 270; do
  ffmpeg -v error -i plain.mp4 -c copy -metadata:s:v rotate=$r rot$r.mp4
  "$svd" transcode rot$r.mp4 rot$r.mkv -c ffv1 -q 2>err.txt; comment err.txt
  ffmpeg -v error -i rot$r.mp4 -frames:v 1 -pix_fmt rgb24 -f rawvideo want$r.rgb
  ffmpeg -v error -i rot$r.mkv -frames:v 1 -pix_fmt rgb24 -f rawvideo got$r.rgb
  check "rotation $r into .mkv: plays turned like the source (same pixels as FFmpeg's autorotate)" \
    cmp -s want$r.rgb got$r.rgb
done
check "rotation 90 into .mkv: the frame is 96x160" \
  test "$(ffprobe -v error -show_entries stream=width,height -of csv=p=0 rot90.mkv)" = "96,160"
"$svd" transcode rot90.mp4 rot90.mov -c x264 --crf 10 -q
check "rotation 90 into .mov: kept as a display matrix on 160x96 frames" \
  bash -c '"$1" probe rot90.mov | grep -q "Rotation:   90" &&
           ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 rot90.mov | grep -q "^160,96"' _ "$svd"

# Interlaced input.
src -c:v libx264 -flags +ildct+ilme -x264opts tff=1 -pix_fmt yuv420p inter.mp4
"$svd" transcode inter.mp4 inter.mkv -c ffv1 -q 2>err.txt; comment err.txt
check "interlaced input: a warning says so" grep -q "is interlaced" err.txt
check "interlaced input: probe says so" bash -c '"$1" probe inter.mp4 | grep -q "Scan:       interlaced"' _ "$svd"
"$svd" transcode plain.mp4 prog.mkv -c ffv1 -q 2>err.txt
check "progressive input: no such warning" test ! -s err.txt

# Out-of-range CRF.
refused () { # expected message, command...
  local m=$1; shift
  "$@" >out.txt 2>err.txt; local rc=$?
  comment err.txt
  [ $rc -eq 1 ] && grep -q -- "$m" err.txt
}
check "--crf -5 is refused with libx264's range" refused "CRF -5 is out of range: libx264 takes 0 to 51" \
  "$svd" transcode plain.mp4 c1.mkv --crf=-5 -q
check "--crf 52 is refused (libx264 would clamp it)" refused "takes 0 to 51" "$svd" transcode plain.mp4 c2.mkv --crf 52 -q
check "--crf 64 is refused with VP9's range" refused "libvpx-vp9 takes 0 to 63" "$svd" transcode plain.mp4 c3.webm --crf 64 -q
check "nothing was written for them" test ! -e c1.mkv -a ! -e c2.mkv -a ! -e c3.webm
"$svd" transcode plain.mp4 c4.mkv --crf 51 -q
check "--crf 51 is accepted" test -s c4.mkv

# RGB output tags.
for pf in bgr0 gbrp10le; do
  "$svd" transcode plain.mp4 rgb-$pf.mkv -c ffv1 --pix-fmt $pf -q
  tags=$(ffprobe -v error -show_entries stream=color_space,color_range -of csv=p=0 rgb-$pf.mkv)
  echo "# $pf: $tags"
  check "$pf output is tagged RGB, full range" test "$tags" = "pc,gbr"
done

# What is left out is named.
src -c:v ffv1 -pix_fmt yuva420p alpha.mkv
"$svd" transcode alpha.mkv a.mkv -c ffv1 -q 2>err.txt; comment err.txt
check "alpha: the warning names the alpha channel" grep -q "not kept in the output: the alpha channel" err.txt
src -c:v ffv1 -pix_fmt yuv444p12le deep.mkv
"$svd" transcode deep.mkv d.mkv -c ffv1 -q 2>err.txt; comment err.txt
check "12-bit: the warning names the precision" grep -q "12-bit precision (processed as 10-bit)" err.txt
echo fontdata > font.ttf
src -c:v ffv1 -attach font.ttf -metadata:s:t mimetype=application/x-truetype-font att.mkv
"$svd" transcode att.mkv t.mkv -c ffv1 2>err.txt >/dev/null; comment err.txt
check "attachment: the warning names it" grep -q "Not copied from .*attachment “font.ttf”" err.txt
echo "1..$n"
exit $status
