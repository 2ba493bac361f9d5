#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A long fuzz campaign for one target with a corpus kept between runs, for
# the "millions of executions per parser" figure (run-fuzzers.sh is the short
# run that starts from fresh seeds each time):
#   tests/fuzz/campaign.sh TARGET RUNS [BUILD_DIR]
# The corpus lives in BUILD_DIR/corpus/TARGET (git-ignored with the build dir)
# and grows over runs; each run also reads the seeds that run-fuzzers.sh
# makes. Inputs are cut to SVD_FUZZ_MAX_LEN bytes (default 65536): whole
# shared models (up to 2 MB) run at a few hundred executions a second, while
# the tiny models from fuzz-seeds reach every structural path at thousands.
# The libFuzzer log goes to SVD_FUZZ_LOG (default BUILD_DIR/corpus/TARGET.log)
# and the run's executions are appended to BUILD_DIR/corpus/TARGET.total as
# "DATE EXECUTIONS SECONDS", so the total across runs is the column's sum.
# Crash files are written to BUILD_DIR/corpus/TARGET-crashes/. On a loaded
# machine a stall of the whole process reads as a libFuzzer timeout; rerun
# the file (fuzz-TARGET FILE) before calling it a hang, or raise
# SVD_FUZZ_TIMEOUT (seconds, default 10).
# Run it at low priority on a shared machine: nice -n 19 tests/fuzz/campaign.sh …
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET RUNS [BUILD_DIR]" >&2
  exit 2
fi
t=$1
runs=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${3:-$root/build-fuzz}" && pwd)
SVD_FUZZ_SEEDS_ONLY=1 "$root/tests/fuzz/run-fuzzers.sh" 0 "$build" "$t"
corpus=$build/corpus/$t
crashes=$build/corpus/$t-crashes
mkdir -p "$corpus" "$crashes"
log=${SVD_FUZZ_LOG:-$build/corpus/$t.log}
start=$(date +%s)
status=0
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$build/tests/fuzz/fuzz-$t" -runs="$runs" -max_len="${SVD_FUZZ_MAX_LEN:-65536}" \
  -print_final_stats=1 -rss_limit_mb=2048 -timeout="${SVD_FUZZ_TIMEOUT:-10}" -artifact_prefix="$crashes/" \
  "$corpus" "$build/fuzz-run/$t/corpus" >"$log" 2>&1 || status=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
echo "$(date -u +%FT%TZ) $execs $(( $(date +%s) - start ))" >>"$build/corpus/$t.total"
total=$(awk '{ s += $2 } END { print s }' "$build/corpus/$t.total")
echo "$t: $execs executions this run (status $status), $total in all; corpus $(ls "$corpus" | wc -l) files"
exit $status
