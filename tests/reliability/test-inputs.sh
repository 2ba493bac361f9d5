#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile inputs (issue #22). Playlists: a 72-byte HLS playlist and an
# ffconcat script, both named .mp4, naming another local video made here,
# are refused by every command that opens a clip (before any of the named
# file is read, with the reason), and read only with --allow-playlists.
# Huge frames: a 200 KB one-frame H.264 clip of 8208x8208 is refused when
# opened, and an 8192x8192 one through a 2x chain is refused before any
# decoding because libx264/FFmpeg cannot take 16384x16384, both with the
# numbers, a clean exit, max RSS under 512 MB and no output or .part.
. "$(dirname "$0")/tap.sh"
cd "$work" || exit 1
refused () { # expected message, command...
  local m=$1; shift
  "$@" >out.txt 2>err.txt; local rc=$?
  comment err.txt
  [ $rc -eq 1 ] && grep -q -- "$m" err.txt
}
frames () { ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }

# The "private" local video the playlists point at (MPEG-TS for HLS).
mkdir private
ffmpeg -v error -f lavfi -i color=red:size=160x96:rate=10 -frames:v 10 -c:v libx264 -pix_fmt yuv420p \
  -f mpegts private/secret.ts
ffmpeg -v error -i private/secret.ts -c copy private/secret.mp4
printf '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\nprivate/secret.ts\n#EXT-X-ENDLIST\n' > hls.mp4
printf 'ffconcat version 1.0\nfile private/secret.mp4\n' > concat.mp4
echo "# hls.mp4 is $(wc -c < hls.mp4) bytes, concat.mp4 $(wc -c < concat.mp4)"
for f in hls concat; do
  check "$f: transcode refuses the playlist and says why" \
    refused "playlist or script.*--allow-playlists" "$svd" transcode $f.mp4 o-$f.mkv -q
  check "$f: ... and writes nothing" test ! -e o-$f.mkv
  check "$f: probe refuses it too" refused "playlist or script" "$svd" probe $f.mp4
  check "$f: restore refuses it before loading a model" \
    refused "playlist or script" "$svd" restore $f.mp4 r-$f.mkv --chain /nonexistent.onnx -q
  check "$f: metrics refuses it" refused "playlist or script" "$svd" metrics private/secret.mp4 $f.mp4 -q
  "$svd" transcode $f.mp4 ok-$f.mkv -q --allow-playlists 2>err.txt; rc=$?
  comment err.txt
  check "$f: --allow-playlists reads what it names (the user asked)" test $rc -eq 0 -a "$(frames ok-$f.mkv)" = 10
done

# Peak RSS of a command, in KiB (getrusage of the child).
maxrss () {
  python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "w"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
mkdir big
ffmpeg -v error -f lavfi -i color=black:size=8208x8208:rate=1 -frames:v 1 -c:v libx264 -preset ultrafast -crf 51 big/over.mp4
ffmpeg -v error -f lavfi -i color=black:size=8192x8192:rate=1 -frames:v 1 -c:v libx264 -preset ultrafast -crf 51 big/8k.mp4
echo "# over.mp4 is $(wc -c < big/over.mp4) bytes, 8k.mp4 $(wc -c < big/8k.mp4)"
read -r rc rss < <(maxrss big/err1 "$svd" restore big/over.mp4 big/o1.mkv --chain "$model" -q)
comment big/err1; echo "# exit $rc, max RSS $rss KiB"
check "8208x8208: refused with status 1" test "$rc" = 1
check "8208x8208: the message names the size and the limit" grep -q "8208x8208 frames.*limit of 8192x8192" big/err1
check "8208x8208: max RSS under 512 MB" test "$rss" -lt 524288
read -r rc rss < <(maxrss big/err2 "$svd" restore big/8k.mp4 big/o2.mkv --chain "$model2x" -q)
comment big/err2; echo "# exit $rc, max RSS $rss KiB"
check "8192x8192 through 2x: refused with status 1" test "$rc" = 1
check "8192x8192 through 2x: the message names the chain, the size and the encoder" \
  grep -q "the 2x chain would write 16384x16384 frames.*libx264" big/err2
check "8192x8192 through 2x: max RSS under 512 MB" test "$rss" -lt 524288
check "no output and no .part left" test -z "$(ls -A big | grep -v '^err' | grep -v '\.mp4$')"

# Images are opened as regular files only: a FIFO named .png blocked
# `svd model run` and `svd metrics` at open forever, a link to /dev/zero
# read a device. Both are refused at once (no timeout needed: the
# refusal does not wait; timeout only bounds a regression).
mkdir -p img
ffmpeg -v error -f lavfi -i testsrc=size=32x24 -frames:v 1 img/ok.png
mkfifo img/fifo.png; ln -s /dev/zero img/zero.png
timeout 60 "$svd" model run "$model" img/fifo.png img/o1.png 2>img/err1
rc=$?; comment img/err1
check "model run of a FIFO named .png: refused with status 1 (124: it blocked)" test $rc -eq 1
check "... the message says it is a FIFO" grep -q "it is a FIFO" img/err1
timeout 60 "$svd" metrics img/ok.png img/zero.png 2>img/err2 >/dev/null
rc=$?; comment img/err2
check "metrics of a link to /dev/zero named .png: refused with status 1" test $rc -eq 1
check "... the message says it is a device" grep -q "character device" img/err2
check "no image output left" test ! -e img/o1.png
finish
