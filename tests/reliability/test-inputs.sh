#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile inputs (issue #22). Playlists: a 72-byte HLS playlist and an
# ffconcat script, both named .mp4, naming another local video made here,
# are refused by every command that opens a clip (before any of the named
# file is read, with the reason), and read only with --allow-playlists.
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
finish
