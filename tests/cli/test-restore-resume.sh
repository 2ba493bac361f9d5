#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Chunked, resumable `svd restore` (issue #25). A 300-frame clip made
# here (64x48, ffv1, with FLAC audio) restored with the project's own 1x
# model in chunks of 30 frames, killed (SIGKILL, through the
# SVD_FAULT_INJECT=kill-in-chunk:5 hook: halfway through chunk 5, never
# sleep+kill) and run again: it resumes with 5 of 10 chunks done,
# restores only the other 5, and its output is frame for frame
# (framemd5: timestamp, size, MD5) and packet for packet (timestamps,
# audio) that of an uninterrupted one-shot --no-chunks restore. The same
# for a VFR clip; with x264 the frame count and timestamps. Bad input: a
# job folder of another input, chain or setting, a corrupted chunk, a
# ledger record with a wrong checksum, a missing chunk at the join.
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
cd "$work" || exit 1
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=24:duration=12.5" -f lavfi -i "sine=f=440:d=12.5" \
  -c:v ffv1 -c:a flac -pix_fmt yuv420p src.mkv
# Variable frame rate: every seventh frame held half a frame longer.
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=24:duration=5" \
  -vf "setpts='(N+floor(N/7)*0.5)/24/TB'" -fps_mode passthrough -c:v ffv1 -pix_fmt yuv420p vfr.mkv
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=24000/1001:duration=5" -c:v libx264 -pix_fmt yuv420p x264src.mp4

# Video frames: timestamp, duration, size and MD5 of each decoded frame.
vmd5 () { ffmpeg -v error -i "$1" -map 0:v:0 -f framemd5 - | grep -v '^#' | awk -F, '{print $3 $4 $5 $6}'; }
pkts () { ffprobe -v error -select_streams "$2" -show_entries packet=pts,dts -of csv=p=0 "$1"; }
pts () { ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" | sort -n; }
done_count () { ls "$1"/chunks/*.done 2>/dev/null | wc -l; }
run () { "$svd" restore "$@" --chain "$model" -c ffv1 --chunk-frames 30; }

"$svd" restore src.mkv one.mkv --chain "$model" -c ffv1 --no-chunks -q
check "one-shot restore (the reference)" test -s one.mkv -a ! -e one.mkv.svdjob
check "300 frames" test "$(vmd5 one.mkv | wc -l)" = 300

# --plan-only: the job folder and its table, no work.
"$svd" restore src.mkv plan.mkv --chain "$model" -c ffv1 --chunk-frames 30 --plan-only >plan.txt 2>plan.err
check "--plan-only exits 0" test $? -eq 0
sed 's/^/# /' plan.txt
check "--plan-only writes job.json and no output" test -s plan.mkv.svdjob/job.json -a ! -e plan.mkv
check "--plan-only prints 10 chunks, none done" grep -q "^Chunks: *10 (0 done)" plan.txt
check "the chunks are exact ranges of 30 frames" \
  test "$(grep -cE '^ +[0-9]+ +[0-9]+ +[0-9]+ +30 ' plan.txt)" = 10
check "job.json holds the input's identity, chain hashes and timestamps" python3 -c '
import json, sys
j = json.load(open("plan.mkv.svdjob/job.json"))
i = j["input"]
ok = (i["size"] > 0 and len(i["head_tail_sha256"]) == 64 and j["frames"] == 300 and len(j["timestamps_us"]) == 300
      and len(j["chain"]["steps"][0]["sha256"]) == 64 and j["encoder"]["encoder"] == "ffv1" and len(j["chunks"]) == 10)
sys.exit(not ok)'

# Killed halfway through chunk 5 (SIGKILL: no clean-up at all).
SVD_FAULT_INJECT=kill-in-chunk:5 run src.mkv out.mkv -q 2>/dev/null
rc=$?
check "the killed run died of SIGKILL" test $rc -eq 137
check "the killed run wrote no output" test ! -e out.mkv
check "5 chunks are recorded in the ledger" test "$(done_count out.mkv.svdjob)" = 5

run src.mkv out.mkv >resume.out 2>resume.err
rc=$?
sed 's/^/# /' resume.out; grep -v '^progress' resume.err | sed 's/^/# /'
check "the second run exits 0" test $rc -eq 0
check "it says it resumes with 5 of 10 chunks done" grep -q "resuming: 5 of 10 chunks done" resume.err
check "it restored only the 5 unfinished chunks" \
  grep -q "^Restored 5 of 10 chunks in this run (5 were already done)" resume.out
check "the chain ran on 150 frames, not 300" grep -q "^Restored 5 of 10 chunks .*: 150 frames" resume.out
check "the job folder is removed after the join" test ! -e out.mkv.svdjob
check "ffv1: frame for frame the one-shot restore (framemd5)" cmp -s <(vmd5 one.mkv) <(vmd5 out.mkv)
check "the same video timestamps, packet for packet" cmp -s <(pkts one.mkv v:0 | cut -d, -f1) <(pkts out.mkv v:0 | cut -d, -f1)
check "the audio is the source's, packet for packet" \
  cmp -s <(ffmpeg -v error -i src.mkv -map 0:a -c copy -f framemd5 - | grep -v '^#') \
         <(ffmpeg -v error -i out.mkv -map 0:a -c copy -f framemd5 - | grep -v '^#')

# An uninterrupted chunked run, with --json.
run src.mkv whole.mkv --json >whole.json 2>/dev/null
check "uninterrupted chunked run: 10 chunks restored, none before" python3 -c '
import json, sys
j = json.load(open("whole.json"))
sys.exit(not (j["chunks"] == 10 and j["chunks_restored"] == 10 and j["chunks_done_before"] == 0 and j["frames"] == 300))'
check "uninterrupted chunked run equals the one-shot" cmp -s <(vmd5 one.mkv) <(vmd5 whole.mkv)

# VFR: the timestamps survive chunking exactly.
"$svd" restore vfr.mkv vfr-one.mkv --chain "$model" -c ffv1 --no-chunks -q
run vfr.mkv vfr.mkv.out.mkv -q
is_vfr () { "$svd" probe "$1" --json | python3 -c 'import json,sys; sys.exit(not json.load(sys.stdin)["vfr"])'; }
check "the VFR clip is variable" is_vfr vfr.mkv
check "VFR: chunked equals one-shot (framemd5 and timestamps)" cmp -s <(vmd5 vfr-one.mkv) <(vmd5 vfr.mkv.out.mkv)
check "VFR: the source's timestamps" cmp -s <(pts vfr.mkv) <(pts vfr.mkv.out.mkv)

# x264 with B-frames into MP4: same frame count and timestamps.
"$svd" restore x264src.mp4 x-one.mp4 --chain "$model" --no-chunks -q
"$svd" restore x264src.mp4 x.mp4 --chain "$model" --chunk-frames 30 -q
check "x264: chunked restore written" test -s x.mp4
check "x264: the frame count of the one-shot" test "$(pts x.mp4 | wc -l)" = "$(pts x-one.mp4 | wc -l)" -a "$(pts x.mp4 | wc -l)" = 120
check "x264: the timestamps of the one-shot" cmp -s <(pts x.mp4) <(pts x-one.mp4)
check "x264: the timestamps of the source" cmp -s <(pts x.mp4) <(pts x264src.mp4)
check "x264: decodes without errors" test -z "$(ffmpeg -v error -i x.mp4 -f null - 2>&1)"

# WebM: the encoder follows the output's extension (VP9), not the chunks'.
"$svd" restore vfr.mkv w-one.webm --chain "$model" --no-chunks -q
"$svd" restore vfr.mkv w.webm --chain "$model" --chunk-frames 40 -q
check "webm: chunks encoded with VP9, the output's default" \
  test "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 w.webm)" = vp9
check "webm: the timestamps of the one-shot" cmp -s <(pts w.webm) <(pts w-one.webm)
# A container that cannot take the source's audio is refused before any
# work, not at the join.
"$svd" restore src.mkv a.webm --chain "$model" --chunk-frames 30 2>a.err
check "flac audio into webm is refused at once, with no job folder" \
  test $? -ne 0 -a ! -e a.webm.svdjob -a ! -e a.webm
check "… naming the stream" grep -q "flac.*cannot be stored in a webm file" a.err

# Scene cuts: a clip with a cut at frame 60 (test pattern, then colour
# bars) is split there, and its chunked restore equals the one-shot.
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=24:duration=2.5" \
  -f lavfi -i "smptebars=size=64x48:rate=24:duration=3.75" \
  -filter_complex "[0:v][1:v]concat=n=2:v=1[v]" -map "[v]" -c:v ffv1 -pix_fmt yuv420p cut.mkv
"$svd" restore cut.mkv cut-out.mkv --chain "$model" -c ffv1 --chunk-frames 40 --plan-only >cut-plan.txt
sed 's/^/# /' cut-plan.txt
check "the scene cut at frame 60 is found" grep -q "^Scene cuts: 60$" cut-plan.txt
check "a chunk starts at the cut" grep -qE "^ +[0-9]+ +60 +[0-9]+ +[0-9]+ +scene cut" cut-plan.txt
check "no chunk is longer than 40 frames" \
  test -z "$(awk '$1 ~ /^[0-9]+$/ && $4 > 40' cut-plan.txt)"
"$svd" restore cut.mkv cut-out.mkv --chain "$model" -c ffv1 --chunk-frames 40 -q
"$svd" restore cut.mkv cut-one.mkv --chain "$model" -c ffv1 --no-chunks -q
check "split at the cut, the restore equals the one-shot" cmp -s <(vmd5 cut-one.mkv) <(vmd5 cut-out.mkv)

# Bad input. A job folder planned for another input, chain or setting is
# refused with the reason; nothing is written or thrown away.
SVD_FAULT_INJECT=kill-in-chunk:3 run src.mkv bad.mkv -q 2>/dev/null
cp bad.mkv.svdjob/job.json job_before.json
"$svd" restore vfr.mkv bad.mkv --chain "$model" -c ffv1 --chunk-frames 30 2>other-input.err
check "another input is refused" test $? -ne 0 -a ! -e bad.mkv
check "… with the reason" grep -q "belongs to another restore: it restores .*src.mkv" other-input.err
"$svd" restore src.mkv bad.mkv --chain bicubic:2 -c ffv1 --chunk-frames 30 2>other-chain.err
check "another chain is refused with the reason" grep -q "its chain is" other-chain.err
"$svd" restore src.mkv bad.mkv --chain "$model" -c libx264 --chunk-frames 30 2>other-codec.err
check "another encoder is refused with the reason" grep -q "its encoder is ffv1, not libx264" other-codec.err
touch -r src.mkv mtime.ref
touch -d '2001-01-01' src.mkv
run src.mkv bad.mkv 2>changed.err
check "a changed input file is refused" grep -q "changed since the job was planned" changed.err
touch -r mtime.ref src.mkv
check "nothing was thrown away: 3 chunks, the same job.json" \
  test "$(done_count bad.mkv.svdjob)" = 3 -a ! -e bad.mkv -a "$(cmp -s job_before.json bad.mkv.svdjob/job.json; echo $?)" = 0
sed 's/^/# /' other-input.err other-chain.err other-codec.err changed.err

# A corrupted chunk and a ledger record with a wrong checksum are each
# restored again, with a message; never kept silently.
printf 'XXXXXXXX' | dd of=bad.mkv.svdjob/chunks/0001.nut bs=1 seek=200 conv=notrunc 2>/dev/null
python3 -c '
import json
p = "bad.mkv.svdjob/chunks/0002.done"
j = json.load(open(p)); j["sha256"] = "0" * 64; json.dump(j, open(p, "w"))'
run src.mkv bad.mkv >bad.out 2>bad.err
check "the resumed run exits 0" test $? -eq 0
grep -v '^progress' bad.err | sed 's/^/# /'
check "the corrupted chunk 1 is named and redone" grep -q "chunk 1: its checksum does not match.*restoring it again" bad.err
check "the chunk 2 with a wrong ledger checksum is named and redone" grep -q "chunk 2: its checksum does not match" bad.err
check "1 chunk kept, 9 restored" grep -q "resuming: 1 of 10 chunks done" bad.err
check "… and counted" grep -q "^Restored 9 of 10 chunks in this run (1 were already done)" bad.out
check "the result equals the one-shot" cmp -s <(vmd5 one.mkv) <(vmd5 bad.mkv)

# Cancelled (Ctrl-C, SIGTERM) in chunk 2: a clean exit that keeps chunks
# 0 and 1 and says how to resume.
SVD_FAULT_INJECT=cancel-in-chunk:2 run src.mkv cc.mkv -q 2>cc.err
check "a cancelled chunked run exits 1" test $? -eq 1 -a ! -e cc.mkv
check "… keeping 2 chunks and saying so" \
  test "$(done_count cc.mkv.svdjob)" = 2 -a -n "$(grep 'finished chunks are kept in .*cc.mkv.svdjob' cc.err)"
check "… with no temporary file left" test -z "$(ls -A cc.mkv.svdjob/chunks | grep part)"
run src.mkv cc.mkv 2>cc2.err >/dev/null
check "the next run resumes with 2 of 10 done" grep -q "resuming: 2 of 10 chunks done" cc2.err

# --restart starts over.
SVD_FAULT_INJECT=kill-in-chunk:2 run src.mkv re.mkv -q 2>/dev/null
run src.mkv re.mkv --restart >re.out 2>re.err
check "--restart restores every chunk again" grep -q "^Restored 10 of 10 chunks in this run (0 were already done)" re.out
check "--restart does not resume" test -z "$(grep resuming re.err)"

# The farm's steps: plan, chunks one by one (idempotent), join.
"$svd" restore src.mkv farm.mkv --chain "$model" -c ffv1 --chunk-frames 30 --plan-only -q
for i in 0 1 2 3 4 5 6 7 8; do "$svd" restore --job farm.mkv.svdjob --chunk $i -q || echo "# chunk $i failed"; done
"$svd" restore --job farm.mkv.svdjob --join 2>join.err
check "the join with chunk 9 missing fails" test $? -ne 0
sed 's/^/# /' join.err
check "… naming the missing chunk" grep -q "1 of 10 chunks are not done: 9" join.err
check "… writing nothing and keeping the 9 done chunks" test ! -e farm.mkv -a "$(done_count farm.mkv.svdjob)" = 9
rm -f farm.mkv.svdjob/chunks/0004.nut
"$svd" restore --job farm.mkv.svdjob --join 2>join2.err
check "a chunk file gone missing is named too" grep -q "4 (its file .* is missing)" join2.err
"$svd" restore --job farm.mkv.svdjob --chunk 4 -q
"$svd" restore --job farm.mkv.svdjob --chunk 9 >c9.out
check "--chunk 9 restores it" grep -q "^Chunk 9 done: frames 270 to 299" c9.out
"$svd" restore --job farm.mkv.svdjob --chunk 9 >c9b.out
check "--chunk 9 again is a no-op" grep -q "^Chunk 9 is already done" c9b.out
"$svd" restore --job farm.mkv.svdjob --join >join3.out
check "the join writes the output" test $? -eq 0 -a -s farm.mkv -a ! -e farm.mkv.svdjob
check "the farm's result equals the one-shot" cmp -s <(vmd5 one.mkv) <(vmd5 farm.mkv)
"$svd" restore --job farm.mkv.svdjob --join 2>nojob.err
check "--job on a folder that is no job fails clearly" grep -q "is not a restore job folder" nojob.err

# A damaged job.json is a clear error, never a crash.
"$svd" restore src.mkv dj.mkv --chain "$model" -c ffv1 --chunk-frames 30 --plan-only -q
echo '{"format": "svd-chunk-job", "version": 1, "input": 3}' > dj.mkv.svdjob/job.json
run src.mkv dj.mkv 2>dj.err
check "a damaged job.json is refused with a message" test $? -ne 0 -a ! -e dj.mkv
check "… naming the bad member" grep -q "is damaged: “input”" dj.err
echo "1..$n"
exit $status
