#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Cancelling an export at fixed points (SVD_FAULT_INJECT, no sleeping, so
# nothing here passes or fails by timing): SIGINT, SIGTERM, SIGHUP or a
# cancel at the Nth cancellation point (the engine's checks between
# layers and row bands, the writer's before each frame), from the first
# layer of the first frame to the last frames. Every cancelled run exits 1
# with "cancelled", leaves no output and no .part file, and (in the ASan
# build) no leak report; a point past the end changes nothing.
. "$(dirname "$0")/tap.sh"
src=$work/src.mp4
make_clip "$src" 320 180 40
frames () { ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
r=0
for hook in cancel-at:0 int-at:1 term-at:3 hup-at:7 int-at:40 cancel-at:150 int-at:300; do
  r=$((r+1)); d=$work/run$r
  mkdir -p "$d"
  SVD_FAULT_INJECT=$hook "$svd" restore "$src" "$d/out.mkv" --chain "$model" -c ffv1 -q 2>"$d.err"
  rc=$?
  echo "# $hook: exit status $rc"; comment "$d.err"
  check "$hook: cancelled with status 1 (not a crash or a sanitizer report)" test $rc -eq 1
  check "$hook: says it was cancelled" grep -qi "cancel" "$d.err"
  check "$hook: no file left behind, not even a .part" test -z "$(ls -A "$d")"
  check "$hook: no sanitizer report" test -z "$(grep -l 'Sanitizer' "$d.err")"
done

# One frame, one stage: the only checks before the frame is written are
# inside the stage (between layers and bands), so a cancel there shows
# the engine stops mid-stage instead of finishing the frame.
one=$work/one.mp4
make_clip "$one" 320 180 1
mkdir -p "$work/one"
SVD_FAULT_INJECT=cancel-at:0 "$svd" restore "$one" "$work/one/out.mkv" --chain "$model" -c ffv1 -q 2>"$work/one.err"
rc=$?; comment "$work/one.err"
check "one frame: a cancel inside the stage stops it (status 1)" test $rc -eq 1
check "one frame: nothing left behind" test -z "$(ls -A "$work/one")"

# The 2x model too (a stage that changes the size).
mkdir -p "$work/two"
SVD_FAULT_INJECT=int-at:2 "$svd" restore "$src" "$work/two/out.mkv" --chain "$model2x" -c ffv1 -q 2>"$work/two.err"
rc=$?; comment "$work/two.err"
check "2x: SIGINT inside the stage cancels (status 1)" test $rc -eq 1
check "2x: nothing left behind" test -z "$(ls -A "$work/two")"

# A point after the last one: the run completes.
mkdir -p "$work/late"
SVD_FAULT_INJECT=int-at:1000000 "$svd" restore "$src" "$work/late/out.mkv" --chain "$model" -c ffv1 -q 2>"$work/late.err"
rc=$?; comment "$work/late.err"
check "a signal point past the end: exit 0" test $rc -eq 0
check "... and a complete file" test "$(frames "$work/late/out.mkv")" = 40
finish
