#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The app's job queue from the command line (issue #25): `svd queue add`
# queues chunked restores in $XDG_STATE_HOME/svd-studio/jobs.json (here a
# fresh folder), `svd queue list` shows them, `svd queue run` runs them one
# at a time. A run killed with SIGKILL halfway through a chunk (the
# SVD_FAULT_INJECT=kill-in-chunk:2 hook, not sleep+kill) leaves the job
# queued with its finished chunks; the next run resumes it and the output
# is frame for frame (framemd5) an uninterrupted one-shot restore. While
# another process holds the queue, add and run are refused.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
model=${SVD_SOURCE_ROOT:?}/models/svd-super-1x.safetensors
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
command -v ffmpeg >/dev/null || skip "ffmpeg is not installed"
command -v flock >/dev/null || skip "flock (util-linux) is not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_STATE_HOME=$work/state
queue=$XDG_STATE_HOME/svd-studio/jobs.json
ffmpeg -v error -y -f lavfi -i "testsrc=size=64x48:rate=25:duration=2" -f lavfi -i "sine=f=440:d=2" \
  -c:v ffv1 -c:a flac -pix_fmt yuv420p src.mkv
vmd5 () { ffmpeg -v error -i "$1" -map 0:v:0 -f framemd5 - | grep -v '^#'; }
done_count () { ls "$1"/chunks/*.done 2>/dev/null | wc -l; }
add () { "$svd" queue add src.mkv "$1" --chain "$model" -c ffv1 --chunk-frames 10 -q; }

"$svd" restore src.mkv one.mkv --chain "$model" -c ffv1 --no-chunks -q
check "one-shot restore (the reference)" test -s one.mkv

check "queue add: job 1" add a.mkv
check "queue add: job 2" add b.mkv
check "the queue file is in XDG_STATE_HOME" test -s "$queue"
add a.mkv 2>dup.err
check "the same output twice is refused" test $? -ne 0
check "... saying which job writes it" grep -q "Job 1 writes" dup.err
"$svd" queue list >list.txt
sed 's/^/# /' list.txt
check "queue list: two queued jobs" test "$(grep -c ' queued ' list.txt)" = 2
check "queue list --json names input, output, chain and job folder" python3 -c '
import json, subprocess, sys
j = json.loads(subprocess.run([sys.argv[1], "queue", "list", "--json"], capture_output=True, text=True).stdout)
a = j["jobs"][0]
sys.exit(not (len(j["jobs"]) == 2 and a["output"].endswith("/a.mkv") and a["input"].endswith("/src.mkv")
              and a["chain"].endswith("svd-super-1x.safetensors") and a["job_dir"].endswith("/a.mkv.svdjob")
              and a["state"] == "queued"))' "$svd"

# Another process holds the queue (flock on its lock file, as the app does).
flock "$queue.lock" "$svd" queue add src.mkv c.mkv --chain "$model" -q 2>busy.err
check "queue add is refused while another process holds the queue" test $? -ne 0
check "... saying so" grep -q "in use by another process" busy.err
flock "$queue.lock" "$svd" queue run -q 2>busy.err
check "queue run is refused too" test $? -ne 0
check "queue list still works" flock "$queue.lock" "$svd" queue list -q

# SIGKILL halfway through chunk 2 of job 1: a power cut, no clean-up.
SVD_FAULT_INJECT=kill-in-chunk:2 "$svd" queue run -q 2>/dev/null
check "the killed run died of SIGKILL" test $? -eq 137
check "job 1 kept 2 finished chunks" test "$(done_count a.mkv.svdjob)" = 2
check "no output yet" test ! -e a.mkv
check "job 1 is still queued" test "$("$svd" queue list | grep -c ' queued ')" = 2

"$svd" queue run >run.out 2>run.err
rc=$?
sed 's/^/# /' run.out run.err
check "the next run exits 0" test $rc -eq 0
check "job 1 resumed: 5 of 5 chunks, 3 restored now" grep -q "^Job 1 done: .*/a.mkv (5 of 5 chunks done, 3 restored now)" run.out
check "job 2 ran in full" grep -q "^Job 2 done: .*/b.mkv (5 of 5 chunks done, 5 restored now)" run.out
check "ffv1: job 1 is frame for frame the one-shot restore" cmp -s <(vmd5 one.mkv) <(vmd5 a.mkv)
check "ffv1: so is job 2" cmp -s <(vmd5 one.mkv) <(vmd5 b.mkv)
check "job folders are removed" test ! -e a.mkv.svdjob -a ! -e b.mkv.svdjob
check "queue list: both done" test "$("$svd" queue list | grep -c ' done ')" = 2
"$svd" queue run >idle.out
check "nothing left to run" grep -q "Nothing to run" idle.out

# A damaged queue file is kept aside, with a clear message.
echo '{"format": "svd-job-queue", "version": 1, "jobs": [' >"$queue"
"$svd" queue list >/dev/null 2>damaged.err
check "a damaged queue file is an error" test $? -ne 0
sed 's/^/# /' damaged.err
check "... that says where it was kept" grep -q "is damaged .*it was kept as .*jobs.json.damaged-" damaged.err
check "the damaged file is kept" test "$(ls "$XDG_STATE_HOME"/svd-studio/jobs.json.damaged-* | wc -l)" = 1
check "the next command starts an empty queue" add c.mkv

echo "1..$n"
exit $status
