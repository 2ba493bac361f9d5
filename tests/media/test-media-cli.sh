#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# svd probe / transcode / degrade on the shared clips, checked with ffprobe;
# bad input and bad output paths fail cleanly with a message and leave nothing.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
clips=${SVD_SHARED_DIR:?}/clips
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}

if [ ! -d "$clips" ]; then
  echo "1..0 # SKIP ../shared/clips is missing; the real clips live there"
  [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0
  exit 77
fi
if ! command -v ffprobe >/dev/null || ! command -v ffmpeg >/dev/null; then
  echo "1..0 # SKIP ffmpeg and ffprobe are the oracle of these tests"
  [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0
  exit 77
fi
work=$SVD_BUILD_ROOT/tests/media-work-cli
rm -rf "$work"; mkdir -p "$work"

# probe --json against ffprobe, on every clip.
for clip in bbb_720p_5s_h264_aac.mp4 bbb_720p_30s_vp8_vorbis.webm bbb_360p_10s_hevc_aac.mp4 sintel_480p_5s_h264_mp3.mp4; do
  f=$clips/$clip
  "$svd" probe --json "$f" > "$work/probe.json" 2>"$work/probe.err"
  ffprobe -v error -count_frames -show_streams -of json "$f" > "$work/ffprobe.json"
  check "probe --json $clip matches ffprobe (size, rates, frames, streams)" python3 - "$work/probe.json" "$work/ffprobe.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1])); ref = json.load(open(sys.argv[2]))["streams"]
v = [s for s in ref if s["codec_type"] == "video"][0]
assert ours["width"] == v["width"] and ours["height"] == v["height"], (ours["width"], v["width"])
assert ours["avg_frame_rate"] == v["avg_frame_rate"], (ours["avg_frame_rate"], v["avg_frame_rate"])
assert ours["r_frame_rate"] == v["r_frame_rate"]
assert ours["frames"] == int(v["nb_read_frames"]), (ours["frames"], v["nb_read_frames"])
assert ours["codec"] == v["codec_name"] and ours["pix_fmt"] == v["pix_fmt"]
assert [s["codec"] for s in ours["streams"]] == [s["codec_name"] for s in ref]
assert [s["type"] for s in ours["streams"]] == [s["codec_type"] for s in ref]
for o, r in zip(ours["streams"], ref):
    lang = r.get("tags", {}).get("language")
    assert o["language"] == (None if lang in (None, "und") else lang), (o["language"], lang)
assert ours["rotation"] == 0 and ours["vfr"] is False
PY
done
out=$("$svd" probe "$clips/bbb_360p_10s_hevc_aac.mp4")
echo "$out" | sed 's/^/# /'
check "probe text shows frames, fps and colour" bash -c 'grep -q "^Frames: *234" <<<"$1" && grep -q "29.970 fps" <<<"$1" && grep -q "bt709, limited range" <<<"$1"' _ "$out"

# transcode an excerpt: 10 frames, timestamps from the start, audio kept.
"$svd" transcode "$clips/sintel_480p_5s_h264_mp3.mp4" "$work/part.mkv" --frames 10:20 --codec x264 --preset ultrafast --crf 30 \
  > "$work/tc.out" 2> "$work/tc.err"
check "transcode --frames 10:20 succeeds" test $? -eq 0
check "transcode prints plain progress lines when not on a terminal" grep -q "^progress: 10/10 frames" "$work/tc.err"
check "the excerpt has 10 frames" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$work/part.mkv")" = 10
check "the excerpt keeps the mp3 audio" test "$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 "$work/part.mkv")" = mp3
check "the excerpt starts at 0" test "$(ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp -read_intervals %+#1 -of csv=p=0 "$work/part.mkv" | head -1 | cut -d, -f1)" = 0

# Subtitles are copied too, language kept; rotation is kept.
printf '1\n00:00:00,500 --> 00:00:01,500\nOlá\n\n2\n00:00:02,000 --> 00:00:03,000\nTchau\n' > "$work/subs.srt"
ffmpeg -nostdin -v error -y -i "$clips/sintel_480p_5s_h264_mp3.mp4" -i "$work/subs.srt" -map 0 -map 1 -c copy -c:s mov_text \
  -metadata:s:s:0 language=por -metadata:s:v:0 rotate=90 "$work/subbed.mp4"
"$svd" probe --json "$work/subbed.mp4" > "$work/subbed.json"
check "probe lists the subtitle stream with its language and the rotation" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert [(s["type"], s["codec"], s["language"]) for s in d["streams"]][2] == ("subtitle", "mov_text", "por"), d["streams"]
assert d["rotation"] == 90, d["rotation"]' "$work/subbed.json"
"$svd" transcode "$work/subbed.mp4" "$work/subbed-out.mp4" --codec x264 --preset ultrafast --crf 35 -q
check "transcode keeps the subtitle packets" test "$(ffmpeg -nostdin -v error -i "$work/subbed.mp4" -map 0:s:0 -c copy -f framemd5 - | grep -v '^#')" = \
  "$(ffmpeg -nostdin -v error -i "$work/subbed-out.mp4" -map 0:s:0 -c copy -f framemd5 - | grep -v '^#')"
check "transcode keeps the subtitle language" test "$(ffprobe -v error -select_streams s:0 -show_entries stream_tags=language -of csv=p=0 "$work/subbed-out.mp4")" = por
check "transcode keeps the rotation" test "$(ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation -of csv=p=0 "$work/subbed-out.mp4" | tr -d ',')" = 90
"$svd" transcode "$work/subbed.mp4" "$work/subbed-out.mkv" --codec x264 --preset ultrafast > /dev/null 2> "$work/sub.err"; rc=$?
sed 's/^/# /' "$work/sub.err"
check "a subtitle codec the container cannot hold is a clear error" bash -c '[ $1 -eq 1 ] && grep -q "cannot be stored" "$2" && [ ! -e "$3" ]' _ $rc "$work/sub.err" "$work/subbed-out.mkv"
"$svd" transcode "$work/subbed.mp4" "$work/subbed-nosubs.mkv" --codec x264 --preset ultrafast --no-subtitles -q
check "--no-subtitles leaves them out" test "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$work/subbed-nosubs.mkv" | tr '\n' ' ')" = "video audio "

# degrade: quarter size, x264 at the CRF asked.
"$svd" degrade "$clips/sintel_480p_5s_h264_mp3.mp4" "$work/small.mp4" --scale 4 --filter lanczos --crf 40 --preset ultrafast -q
check "degrade --scale 4 succeeds" test $? -eq 0
check "degrade gives floor(854/4)x(480/4) H.264" test "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of csv=p=0 "$work/small.mp4")" = "h264,213,120"
check "degrade keeps every frame" test "$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$work/small.mp4")" = 120
check "degrade used CRF 40" grep -qa "crf=40.0" "$work/small.mp4"
check "degrade --crf 5 is refused" bash -c '! "$1" degrade "$2" "$3/x.mp4" --crf 5 2>/dev/null && [ ! -e "$3/x.mp4" ]' _ "$svd" "$clips/sintel_480p_5s_h264_mp3.mp4" "$work"

# Bad input: clear message, non-zero status, no crash, nothing written.
: > "$work/empty.mp4"
echo "not a video" > "$work/text.mp4"
head -c 300000 "$clips/bbb_720p_5s_h264_aac.mp4" > "$work/truncated.mp4"
ffmpeg -nostdin -v error -y -i "$clips/bbb_720p_5s_h264_aac.mp4" -vn -c:a copy "$work/audio.m4a"
for bad in empty.mp4 text.mp4 truncated.mp4 audio.m4a missing.mp4; do
  "$svd" probe "$work/$bad" > /dev/null 2> "$work/bad.err"; rc=$?
  check "probe $bad fails with status 1 and a message" bash -c '[ $1 -eq 1 ] && grep -q "error:" "$2"' _ $rc "$work/bad.err"
  sed 's/^/# /' "$work/bad.err"
  "$svd" transcode "$work/$bad" "$work/bad-out.mp4" > /dev/null 2>&1; rc=$?
  check "transcode $bad fails cleanly and writes nothing" bash -c '[ $1 -eq 1 ] && [ -z "$(ls -A "$2" | grep bad-out)" ]' _ $rc "$work"
done
"$svd" transcode "$clips/sintel_480p_5s_h264_mp3.mp4" /nonexistent-dir/out.mp4 > /dev/null 2> "$work/bad.err"; rc=$?
check "transcode to an unwritable path fails with a message" bash -c '[ $1 -eq 1 ] && grep -q "Cannot write into the folder" "$2"' _ $rc "$work/bad.err"

# Interrupted (SIGINT) midway: no output, no temp file. The signal comes
# at a fixed point (before frame 30 is written), not after a sleep.
SVD_FAULT_INJECT=int-at:30 "$svd" transcode "$clips/bbb_720p_30s_vp8_vorbis.webm" "$work/interrupted.mkv" \
  --codec x264 --preset ultrafast > /dev/null 2>&1; rc=$?
check "an interrupted transcode exits non-zero" test $rc -ne 0
check "an interrupted transcode leaves no file" bash -c '[ -z "$(ls -A "$1" | grep interrupted)" ]' _ "$work"

echo "1..$n"
exit $status
