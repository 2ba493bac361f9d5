#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Outputs never touch inputs (issue #22): an output that is an input (by
# name, symbolic link or hard link) is refused before any work and the
# input stays byte-identical; so are `metrics --per-frame REF` and
# `restore --stats IN`. An existing output is replaced only with --force
# (-y) and keeps its mode; a folder or an unwritable place is refused
# before any work. Temporary files name their process: one left by a run
# killed with SIGKILL (SVD_FAULT_INJECT=kill-at:N) is removed by the next
# run that writes the same output, one of a live process is left alone,
# and SIGHUP cancels like Ctrl-C (SVD_FAULT_INJECT=hup-at:N).
. "$(dirname "$0")/tap.sh"
cd "$work" || exit 1
ffmpeg -v error -f lavfi -i testsrc=size=160x96:rate=10 -frames:v 20 -c:v libx264 -pix_fmt yuv420p in.mp4
cp in.mp4 in.orig
sum () { md5sum "$1" | cut -d' ' -f1; }
unchanged () { cmp -s in.mp4 in.orig; }
refused () { # expected message, command...
  local m=$1; shift
  "$@" >out.txt 2>err.txt; local rc=$?
  comment err.txt
  [ $rc -eq 1 ] && grep -q -- "$m" err.txt
}

check "transcode IN IN is refused" refused "is the input" "$svd" transcode in.mp4 in.mp4 -q
check "... and the input is byte-identical" unchanged
check "even with --force" refused "is the input" "$svd" transcode in.mp4 in.mp4 -q --force
check "... and the input is byte-identical" unchanged
ln -s in.mp4 sym.mp4
check "an output that is a symbolic link to the input is refused" \
  refused "the same file by another name" "$svd" transcode in.mp4 sym.mp4 -q -y
ln in.mp4 hard.mp4
check "an output that is a hard link to the input is refused" \
  refused "the same file by another name" "$svd" transcode in.mp4 hard.mp4 -q -y
check "... and the input is byte-identical" unchanged
check "restore IN IN is refused before the model is loaded" \
  refused "is the input" "$svd" restore in.mp4 in.mp4 --chain /nonexistent.onnx -q -y
check "metrics REF DIST --per-frame REF is refused" \
  refused "is the input" "$svd" metrics in.mp4 hard.mp4 --per-frame in.mp4 -q -y
check "... and the reference is byte-identical" unchanged
check "restore --stats IN is refused" \
  refused "is the input" "$svd" restore in.mp4 o.mkv --chain "$model" --stats in.mp4 -q -y
check "... and the input is byte-identical" unchanged
check "restore --stats onto the model is refused" \
  refused "is the input" "$svd" restore in.mp4 o.mkv --chain "$model" --stats "$model" -q -y
check "restore --stats onto an existing file needs --force" \
  refused "already exists" "$svd" restore in.mp4 o.mkv --chain "$model" --stats in.orig -q
check "no output was written by the refused runs" test ! -e o.mkv

# Images and chain exports.
ffmpeg -v error -f lavfi -i testsrc=size=64x48 -frames:v 1 img.png
cp img.png img.orig
check "model run IN.png IN.png is refused" refused "is the input" "$svd" model run "$model" img.png img.png -y
check "... and the image is byte-identical" cmp -s img.png img.orig
"$svd" model run "$model" img.png new.png -q; chmod 604 new.png
check "model run onto an existing PNG needs --force" refused "already exists" "$svd" model run "$model" img.png new.png
"$svd" model run "$model" img.png new.png -q -y
check "... and with -y the PNG keeps its mode (604)" test "$(stat -c %a new.png)" = 604
cp "$model" m.onnx; chmod u+w m.onnx; cp m.onnx m.orig
check "model run onto the model is refused" refused "is the input" "$svd" model run m.onnx img.png m.onnx -y
check "export-chain onto a model of the chain is refused" \
  refused "is the input" "$svd" export-chain m.onnx m.onnx --format onnx -y
check "... and the model is byte-identical" cmp -s m.onnx m.orig
"$svd" export-chain m.onnx aj --format animejanai >/dev/null
check "export-chain: an existing animejanai.conf is not replaced without --force" \
  refused "animejanai.conf” already exists" "$svd" export-chain m.onnx aj --format animejanai
"$svd" export-chain m.onnx aj --format animejanai -y >/dev/null
check "... and is with -y" test $? -eq 0
# Every file of the AnimeJaNai folder is an output: onnx/NAME.onnx too.
"$svd" export-chain m.onnx aj2 --format animejanai -q >/dev/null
cp aj2/onnx/m_fp16.onnx exported.orig
check "export-chain: re-exporting a model of aj2/onnx into aj2 is refused, even with -y" \
  refused "is the input" "$svd" export-chain aj2/onnx/m_fp16.onnx aj2 --format animejanai -y
check "... and that model is byte-identical" cmp -s aj2/onnx/m_fp16.onnx exported.orig
mkdir -p aj3/onnx; ln aj2/onnx/m_fp16.onnx aj3/onnx/m_fp16.onnx
check "export-chain: an onnx/ file that is a hard link to a model of the chain is refused" \
  refused "the same file by another name" "$svd" export-chain aj2/onnx/m_fp16.onnx aj3 --format animejanai -y
check "... and the model is byte-identical" cmp -s aj2/onnx/m_fp16.onnx exported.orig
mkdir -p aj4/onnx; echo "the user's file" >aj4/onnx/m_fp16.onnx
check "export-chain: an existing onnx/ file is not replaced without --force (no animejanai.conf there)" \
  refused "m_fp16.onnx” already exists; pass --force" "$svd" export-chain m.onnx aj4 --format animejanai
check "... it is unchanged, and nothing else was written" \
  test "$(cat aj4/onnx/m_fp16.onnx)" = "the user's file" -a "$(ls -A aj4)" = onnx
mkdir -p one two; cp m.onnx one/x.onnx; cp "$model2x" two/x.onnx
check "export-chain: two different models that would share one onnx/ name are refused" \
  refused "would both be written as" "$svd" export-chain one/x.onnx,two/x.onnx aj5 --format animejanai
check "... before anything is written" test ! -e aj5
check "export-chain: an existing preset is not replaced without --force" \
  refused "already exists" "$svd" export-chain m.onnx m.orig --format preset
check "... and stays byte-identical" cmp -s m.onnx m.orig

# Existing outputs: --force, and the mode is kept.
"$svd" transcode in.mp4 out.mkv -c ffv1 -q
chmod 640 out.mkv; before=$(sum out.mkv)
check "an existing output is not replaced without --force" refused "already exists; pass --force" \
  "$svd" transcode in.mp4 out.mkv -q
check "... and it is unchanged" test "$(sum out.mkv)" = "$before"
"$svd" transcode in.mp4 out.mkv -q -y 2>err.txt
check "with -y it is replaced" test "$(sum out.mkv)" != "$before"
check "... keeping its mode (640)" test "$(stat -c %a out.mkv)" = 640
check "metrics --per-frame onto an existing file needs --force" \
  refused "already exists" "$svd" metrics in.mp4 hard.mp4 --per-frame in.orig -q

# Folders and unwritable places, before any work.
mkdir dir.mkv
check "a folder as output is refused" refused "is a folder" "$svd" transcode in.mp4 dir.mkv -q -y
check "a missing folder is refused" refused "Cannot write into the folder" \
  "$svd" restore in.mp4 nodir/o.mkv --chain /nonexistent.onnx -q
check "a device as output is refused" refused "not a regular file" "$svd" metrics in.mp4 hard.mp4 --per-frame /dev/null -q -y
if [ "$(id -u)" != 0 ]; then
  mkdir ro; chmod 555 ro
  check "a read-only folder is refused" refused "Cannot write into the folder" "$svd" transcode in.mp4 ro/o.mkv -q
else
  echo "# running as root: the read-only folder case is not testable"
fi

# Stale temporary files.
mkdir k
SVD_FAULT_INJECT=kill-at:5 "$svd" transcode in.mp4 k/o.mkv -c ffv1 -q 2>/dev/null; rc=$?
ls -A k | sed 's/^/# left: /'
check "a run killed with SIGKILL dies (137)" test $rc -eq 137
check "... and leaves its temporary file, named after its process" \
  bash -c 'ls -A k | grep -Eq "^\.o\.mkv\.svd-[0-9]+-.{6}\.part$"'
live=k/.o.mkv.svd-$$-ABCDEF.part
echo busy > "$live"
"$svd" transcode in.mp4 k/o.mkv -c ffv1 2>err.txt >/dev/null; rc=$?
comment err.txt
check "the next run to the same output succeeds" test $rc -eq 0
check "... says it removed the stale file" grep -q "left by an earlier run" err.txt
check "... removed it" test "$(ls -A k | grep -c 'svd-.*part$')" = 1
check "... and left the live process's file alone" test -e "$live"
rm -f "$live"

# SIGHUP (the terminal closed) cancels like Ctrl-C: no output, no temp file.
mkdir h
SVD_FAULT_INJECT=hup-at:5 "$svd" transcode in.mp4 h/o.mkv -q 2>err.txt; rc=$?
comment err.txt
check "SIGHUP cancels with status 1" test $rc -eq 1
check "... leaving nothing in the folder" test -z "$(ls -A h)"
finish
