#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd farm` on the real one-node Slurm cluster that with-cluster.sh
# started (SLURM_CONF names it): a clip made here (ffv1, 30 frames) with the
# project's 1x model, in a folder whose name has a space and a quote.
#  - submit with --chunks 3: 3 array tasks and a join; the output's frames
#    are framemd5-identical to a local one-piece `svd restore`, and the job
#    folder is gone
#  - a partly done job (chunk 1 restored by hand): a refused submission
#    (no such partition) gives Slurm's message and keeps chunk 1; a held
#    submission queues only chunks 0 and 2; a second submission while it
#    is queued is refused; cancel empties the queue; submitting again
#    finishes the job, identical again
#  - a refused first submission writes nothing; no sbatch on PATH is a
#    clear error
# The waits poll the queue a bounded number of times; nothing depends on
# how long a task takes.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
model=${SVD_SOURCE_ROOT:?}/models/svd-super-1x.safetensors
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
[ -n "${SLURM_CONF:-}" ] || skip "no cluster: run through tests/farm/with-cluster.sh"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
base=$(mktemp -d); trap 'rm -rf "$base"' EXIT
work="$base/farm job's clips"
mkdir "$work"
clip="$work/in.mkv"
ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=25 -frames:v 30 -c:v ffv1 "$clip"

frames_md5 () { ffmpeg -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#'; }
json_ids () { # file -> "ARRAY JOIN"
  python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(j["array_id"] or "-", j["join_id"], ",".join(map(str, j["tasks"])))' "$1"
}
# Polls until none of the job ids is queued or running (bounded).
wait_jobs () {
  local ids=$1 i
  for i in $(seq 1 1200); do
    [ -z "$(squeue --noheader --array --jobs="$ids" 2>/dev/null)" ] && return 0
    sleep 0.25
  done
  echo "# jobs $ids still queued:"; squeue --array --jobs="$ids" | sed 's/^/# /'
  return 1
}
show () { sed 's/^/# /' "$@"; }

# The reference: one piece, here.
"$svd" restore "$clip" "$base/local.mkv" --chain "$model" -c ffv1 --no-chunks -q
check "the local restore exits 0" test $? -eq 0
frames_md5 "$base/local.mkv" >"$base/local.md5"

# 1. Three chunks on the farm.
out="$work/out one.mkv"
"$svd" farm submit "$clip" "$out" --chain "$model" -c ffv1 --chunks 3 --json >"$base/sub1.json" 2>"$base/err1"
check "farm submit exits 0" test $? -eq 0
show "$base/sub1.json" "$base/err1"
read -r array join tasks < <(json_ids "$base/sub1.json")
echo "# array job $array, join job $join, tasks $tasks"
check "3 array tasks: 0,1,2" test "$tasks" = "0,1,2"
check "an array id and a join id" test -n "$array" -a "$array" != - -a -n "$join"
"$svd" farm status "$out.svdjob" >"$base/status1" 2>&1
# (The tasks may have finished by now: either progress or the end.)
check "farm status right after submitting" grep -Eq "of 3 chunks done|^Finished: " "$base/status1"
show "$base/status1"
check "the array and the join leave the queue" wait_jobs "$array,$join"
check "the join wrote the output" test -f "$out"
frames_md5 "$out" >"$base/farm1.md5"
check "the output is framemd5-identical to the local restore" cmp -s "$base/local.md5" "$base/farm1.md5"
check "30 frames" test "$(wc -l <"$base/farm1.md5")" -eq 30
check "the job folder is gone" test ! -e "$out.svdjob"
"$svd" farm status "$out.svdjob" >"$base/status2" 2>&1
check "farm status says it finished" grep -q "^Finished: " "$base/status2"

# 2. A partly done job: planned as submit plans it, chunk 1 restored here.
out2="$work/out two.mkv"
dir2="$out2.svdjob"
"$svd" restore "$clip" "$out2" --chain "$model" -c ffv1 --plan-only --chunk-frames 10 --no-scene-cuts >/dev/null
"$svd" restore --job "$dir2" --chunk 1 -q
check "chunk 1 restored here" test $? -eq 0
sha_before=$(cat "$dir2"/chunks/* | sha256sum)

"$svd" farm submit "$clip" "$out2" --chain "$model" -c ffv1 --chunks 3 --partition no-such-partition \
  >"$base/out3" 2>"$base/err3"
check "a refused submission exits 1" test $? -eq 1
show "$base/err3"
check "its message is Slurm's" grep -q "Slurm refused the chunk array: .*nvalid partition" "$base/err3"
check "the job folder stays" test -f "$dir2/job.json"
check "chunk 1 stays done" test "$(cat "$dir2"/chunks/* | sha256sum)" = "$sha_before"
check "no output" test ! -e "$out2"

"$svd" farm submit "$clip" "$out2" --chain "$model" -c ffv1 --chunks 3 --sbatch-arg=--hold --json \
  >"$base/sub4.json" 2>"$base/err4"
check "a held submission exits 0" test $? -eq 0
read -r array4 join4 tasks4 < <(json_ids "$base/sub4.json")
echo "# array job $array4, join job $join4, tasks $tasks4"
check "only the missing chunks 0 and 2 are submitted" test "$tasks4" = "0,2"
"$svd" farm status "$dir2" >"$base/status4" 2>&1
show "$base/status4"
check "status: 1 of 3 chunks done" grep -q "^1 of 3 chunks done" "$base/status4"
check "status: chunk 0 held in the queue" grep -Eq "^0 .*missing \(job ${array4}_0 PENDING" "$base/status4"
check "status: the join waits" grep -q "^Join: job $join4 PENDING" "$base/status4"
"$svd" farm status "$dir2" --json >"$base/status4.json" 2>&1
check "status --json: 1 done, 3 queued" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["done"] == 1 and len(j["chunks"]) == 3 and len(j["queue"]) == 3, j
assert [c["state"] for c in j["chunks"]] == ["missing", "done", "missing"], j
' "$base/status4.json"

"$svd" farm submit "$clip" "$out2" --chain "$model" -c ffv1 --chunks 3 >"$base/out5" 2>"$base/err5"
check "submitting again while queued exits 1" test $? -eq 1
show "$base/err5"
check "it says an earlier submission is queued" grep -q "still in the queue" "$base/err5"

"$svd" farm cancel "$dir2" >"$base/out6" 2>&1
check "farm cancel exits 0" test $? -eq 0
show "$base/out6"
check "cancel empties the queue" wait_jobs "$array4,$join4"
check "chunk 1 is still done after the cancel" test "$(cat "$dir2"/chunks/* | sha256sum)" = "$sha_before"

"$svd" farm submit "$clip" "$out2" --chain "$model" -c ffv1 --chunks 3 >"$base/out7" 2>"$base/err7"
check "submitting again exits 0" test $? -eq 0
show "$base/out7"
check "it submits 2 of 3 chunks" grep -q "^Submitted 2 of 3 chunks as job array [0-9]* (tasks 0,2)" "$base/out7"
array7=$(sed -n 's/^Submitted .* job array \([0-9]*\) .*/\1/p' "$base/out7")
join7=$(sed -n 's/^Join: job \([0-9]*\)$/\1/p' "$base/out7")
check "the second run leaves the queue" wait_jobs "$array7,$join7"
frames_md5 "$out2" >"$base/farm2.md5" 2>/dev/null
check "the resumed farm output is framemd5-identical to the local restore" cmp -s "$base/local.md5" "$base/farm2.md5"

# 3. Every chunk done here, not joined: submit queues the join alone.
out4="$work/out four.mkv"
"$svd" restore "$clip" "$out4" --chain "$model" -c ffv1 --plan-only --chunk-frames 10 --no-scene-cuts >/dev/null
for c in 0 1 2; do "$svd" restore --job "$out4.svdjob" --chunk $c -q; done
"$svd" farm submit "$clip" "$out4" --chain "$model" -c ffv1 --chunks 3 >"$base/out10" 2>"$base/err10"
check "submitting a job whose chunks are all done exits 0" test $? -eq 0
show "$base/out10" "$base/err10"
check "it submits only the join" grep -q "^All 3 chunks are done; submitted only the join" "$base/out10"
join10=$(sed -n 's/^Join: job \([0-9]*\)$/\1/p' "$base/out10")
check "the join leaves the queue" wait_jobs "$join10"
frames_md5 "$out4" >"$base/farm4.md5" 2>/dev/null
check "the joined output is framemd5-identical to the local restore" cmp -s "$base/local.md5" "$base/farm4.md5"

# 4. A refused first submission writes nothing.
out3="$work/out three.mkv"
"$svd" farm submit "$clip" "$out3" --chain "$model" -c ffv1 --chunks 3 --partition no-such-partition \
  >/dev/null 2>"$base/err8"
check "a refused first submission exits 1" test $? -eq 1
check "with Slurm's message" grep -q "nvalid partition" "$base/err8"
check "no job folder and no output are left" test ! -e "$out3" -a ! -e "$out3.svdjob"

PATH=/nonexistent "$svd" farm submit "$clip" "$out3" --chain "$model" >/dev/null 2>"$base/err9"
check "no sbatch: exit 1" test $? -eq 1
show "$base/err9"
check "no sbatch: the message says so" grep -q "sbatch is not on PATH" "$base/err9"
check "no sbatch: nothing written" test ! -e "$out3" -a ! -e "$out3.svdjob"

echo "1..$n"
exit $status
