# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the reliability tests: TAP helpers, the shared files, a work
# folder that is removed at exit.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
shared=${SVD_SHARED_DIR:?}
clip=$shared/clips/bbb_720p_5s_h264_aac.mp4
model=$shared/models/seed/1x_super_34_10_fp32.onnx
model2x=$shared/models/seed/2x_10_2X-10_super_fp32.onnx
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }
[ -f "$clip" ] && [ -f "$model" ] && [ -f "$model2x" ] || skip "../shared is missing (no $clip or models)"
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || skip "ffmpeg/ffprobe are not installed"

n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
comment () { sed 's/^/# /' "$@" | grep -v '^# progress' | head -20; }
finish () { echo "1..$n"; exit $status; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# PSNR of $2 against $1 (RGB, "inf" when identical).
psnr () {
  "$svd" metrics "$1" "$2" --json -d cpu-ref 2>/dev/null |
    python3 -c 'import json,sys; f=json.load(sys.stdin)["frames"][0]; print("inf" if f["identical"] else f["psnr_rgb"])'
}
psnr_at_least () { # ref dist dB
  local p; p=$(psnr "$1" "$2"); echo "# PSNR $2 vs $1: $p dB"
  [ "$p" = inf ] || python3 -c "import sys; sys.exit(0 if float('$p') >= $3 else 1)"
}
# A small clip made from the shared one (the CPU reference path is slow at
# 720p): make_clip OUT W H FRAMES
make_clip () {
  ffmpeg -v error -y -i "$clip" -frames:v "$4" -vf "scale=$2:$3" -c:v libx264 -preset veryfast -crf 20 \
    -c:a copy "$1"
}
