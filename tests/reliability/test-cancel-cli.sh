#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd metrics` and `svd model run` interrupted at fixed points
# (SVD_FAULT_INJECT, no sleeping): SIGINT, SIGTERM and SIGHUP cancel the
# run between frames and inside the chain, like restore. The exit status is
# the shell's for the signal (130, 143, 129; 1 for a plain cancel), nothing
# is left: no CSV, no PNG, no temporary file, and an existing output
# (--force) and the inputs are byte-identical afterwards. A run killed
# outright (SIGKILL) leaves its temporary file, which the next run removes.
. "$(dirname "$0")/tap.sh"
ref=$work/ref.mp4; dist=$work/dist.mp4
make_clip "$ref" 160 90 12
ffmpeg -v error -i "$ref" -c:v libx264 -preset veryfast -crf 40 "$dist"
ffmpeg -v error -i "$ref" -frames:v 1 "$work/in.png"
sum () { md5sum "$ref" "$dist" "$work/in.png" "$model"; }
sum >"$work/inputs.md5"

r=0
for case in int-at:0:130 term-at:3:143 hup-at:7:129 cancel-at:5:1 int-at:11:130; do
  hook=${case%:*}; want=${case##*:}
  r=$((r+1)); d=$work/m$r; mkdir -p "$d"
  SVD_FAULT_INJECT=$hook "$svd" metrics "$ref" "$dist" --chain "$model" --per-frame "$d/frames.csv" -q \
    >"$d.out" 2>"$d.err"
  rc=$?; echo "# metrics $hook: exit status $rc"; comment "$d.err"
  check "metrics $hook: exit status $want" test $rc -eq "$want"
  check "metrics $hook: says it was cancelled" grep -qi "cancel" "$d.err"
  check "metrics $hook: no CSV, no temporary file" test -z "$(ls -A "$d")"
  check "metrics $hook: no summary printed" test ! -s "$d.out"
done

# Without a chain the only points are between frames.
mkdir -p "$work/plain"
SVD_FAULT_INJECT=int-at:4 "$svd" metrics "$ref" "$dist" --per-frame "$work/plain/f.csv" -q 2>"$work/plain.err"
rc=$?; comment "$work/plain.err"
check "metrics without a chain, SIGINT at frame 4: 130" test $rc -eq 130
check "metrics without a chain: nothing left" test -z "$(ls -A "$work/plain")"

# --force over an existing CSV: the old one stays whole until the new one
# is complete.
mkdir -p "$work/keep"
printf 'the old csv\n' >"$work/keep/f.csv"; chmod 640 "$work/keep/f.csv"
SVD_FAULT_INJECT=term-at:6 "$svd" metrics "$ref" "$dist" --chain "$model" --per-frame "$work/keep/f.csv" --force -q \
  2>"$work/keep.err"
rc=$?; comment "$work/keep.err"
check "metrics --force, SIGTERM: 143" test $rc -eq 143
check "metrics --force, SIGTERM: the old CSV is unchanged" test "$(cat "$work/keep/f.csv")" = "the old csv"
check "metrics --force, SIGTERM: only the old CSV is there" test "$(ls -A "$work/keep")" = f.csv
SVD_FAULT_INJECT=int-at:1000000 "$svd" metrics "$ref" "$dist" --chain "$model" --per-frame "$work/keep/f.csv" \
  --force -q >/dev/null 2>"$work/keep2.err"
rc=$?; comment "$work/keep2.err"
check "metrics, a point past the end: 0" test $rc -eq 0
check "metrics, a point past the end: a complete CSV (header + 12 frames)" test "$(wc -l <"$work/keep/f.csv")" -eq 13
check "metrics, a point past the end: the replaced CSV keeps its mode" test "$(stat -c %a "$work/keep/f.csv")" = 640

# A run killed outright leaves its temporary file; the next run that
# writes the same CSV removes it.
mkdir -p "$work/kill"
SVD_FAULT_INJECT=kill-at:3 "$svd" metrics "$ref" "$dist" --per-frame "$work/kill/f.csv" -q 2>/dev/null
rc=$?
check "metrics, SIGKILL: died of it (137)" test $rc -eq 137
check "metrics, SIGKILL: left a .part" test -n "$(ls -A "$work/kill" | grep '\.part$')"
"$svd" metrics "$ref" "$dist" --per-frame "$work/kill/f.csv" -q >/dev/null 2>"$work/kill.err"
rc=$?; comment "$work/kill.err"
check "metrics after a SIGKILL: 0, and the stale .part is removed" \
  test $rc -eq 0 -a "$(ls -A "$work/kill")" = f.csv

# svd model run: points inside the chain (between layers and row bands)
# and the one before the PNG is written.
for case in int-at:0:130 term-at:4:143 hup-at:9:129 cancel-at:2:1; do
  hook=${case%:*}; want=${case##*:}
  r=$((r+1)); d=$work/r$r; mkdir -p "$d"
  SVD_FAULT_INJECT=$hook "$svd" model run "$model" "$work/in.png" "$d/out.png" -q 2>"$d.err"
  rc=$?; echo "# model run $hook: exit status $rc"; comment "$d.err"
  check "model run $hook: exit status $want" test $rc -eq "$want"
  check "model run $hook: says it was cancelled" grep -qi "cancel" "$d.err"
  check "model run $hook: no PNG, no temporary file" test -z "$(ls -A "$d")"
done
mkdir -p "$work/late"
SVD_FAULT_INJECT=int-at:1000000 "$svd" model run "$model" "$work/in.png" "$work/late/out.png" -q 2>"$work/late.err"
rc=$?; comment "$work/late.err"
check "model run, a point past the end: 0 and the PNG" test $rc -eq 0 -a -s "$work/late/out.png"
check "inputs byte-identical afterwards" md5sum -c --quiet "$work/inputs.md5"
finish
