#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGINT at random points of an export (from right after start to the
# encoding itself, several runs, seeded): every run exits 1 or, if the
# signal came after the end, 0 with a complete file; a cancelled run leaves
# no file, and (in the ASan build) no leak report.
. "$(dirname "$0")/tap.sh"
src=$work/src.mp4
make_clip "$src" 320 180 40
RANDOM=${SVD_CANCEL_SEED:-4242}
runs=${SVD_CANCEL_RUNS:-8}
for r in $(seq "$runs"); do
  d=$work/run$r
  mkdir -p "$d"
  # 0 to 3 s in 10 ms steps.
  delay=$(printf '%d.%02d' $((RANDOM % 3)) $((RANDOM % 100)))
  "$svd" restore "$src" "$d/out.mkv" --chain "$model" -c ffv1 -q 2>"$d/err" &
  pid=$!
  sleep "$delay"
  kill -INT $pid 2>/dev/null
  wait $pid
  rc=$?
  echo "# run $r: SIGINT after $delay s, exit status $rc"
  grep -v progress "$d/err" | head -3 | sed 's/^/#   /'
  if [ $rc -eq 0 ]; then
    check "run $r: finished before the signal, complete file" \
      test "$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$d/out.mkv")" = 40
  else
    check "run $r: cancelled with status 1 (not a crash or a sanitizer report)" test $rc -eq 1
    check "run $r: no file left behind" test -z "$(ls -A "$d" | grep -v '^err$')"
  fi
  check "run $r: no sanitizer report" test -z "$(grep -l 'Sanitizer' "$d/err")"
done
finish
