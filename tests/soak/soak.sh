#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Soak test (not in the default suite; it runs for a long time):
#   tests/soak/soak.sh [BUILD_DIR] [OUT_DIR]
# Loops a shared 360p clip to SOAK_MINUTES (default 10) of video with
# ffmpeg -stream_loop (stream copy, so the temp file is small: about 4.5 MB
# per minute of the 10 s HEVC clip), restores it with a 2-stage chain
# (1x super + 2x super) on the OpenCL device (PoCL here) in one piece
# (--no-chunks: one engine for the whole run is what it measures), and records, every
# SOAK_INTERVAL seconds (default 5), VmRSS from /proc/PID/status and the
# engine's device bytes (svd restore --stats, every 25 frames) into
# OUT_DIR/soak.csv. SOAK_MAX_SECONDS stops the restore early (SIGINT) when
# the whole clip would take too long, so a shorter run can be stated
# honestly; SOAK_SIZE=WxH scales the looped clip down instead (all frames,
# smaller pictures). Passes when RSS at the end is within SOAK_RSS_SLACK_KIB (default
# 32768) of RSS after warm-up (the first SOAK_WARMUP seconds, default 60)
# and the device bytes are unchanged after warm-up.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=${2:-$(mktemp -d)}
shared=${SVD_SHARED_DIR:-$root/../shared}
svd=$build/app/cli/svd
clip=$shared/clips/bbb_360p_10s_hevc_aac.mp4
m1=$shared/models/seed/1x_super_34_10_fp32.onnx
m2=$shared/models/seed/2x_10_2X-10_super_fp32.onnx
minutes=${SOAK_MINUTES:-10}
interval=${SOAK_INTERVAL:-5}
warmup=${SOAK_WARMUP:-60}
slack=${SOAK_RSS_SLACK_KIB:-32768}
max_s=${SOAK_MAX_SECONDS:-0}
for f in "$svd" "$clip" "$m1" "$m2"; do
  [ -e "$f" ] || { echo "soak: $f is missing" >&2; exit 77; }
done
mkdir -p "$out"
long=$out/long.mp4
loops=$(( (minutes * 60 + 9) / 10 - 1 ))
if [ -n "${SOAK_SIZE:-}" ]; then
  # A smaller picture for a slow or shared machine (e.g. SOAK_SIZE=320x180):
  # the same number of frames through every stage, at a fraction of the
  # compute. Re-encoded, so this takes a minute or two.
  ffmpeg -v error -y -stream_loop "$loops" -i "$clip" -vf "scale=${SOAK_SIZE/x/:}" -c:v libx264 \
    -preset ultrafast -crf 18 -c:a copy "$long" || exit 1
else
  ffmpeg -v error -y -stream_loop "$loops" -i "$clip" -c copy "$long" || exit 1
fi
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$long")
size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$long")
echo "soak: $long: $dur s of $size video, $(du -k "$long" | cut -f1) KiB"

rm -f "$out/stats.csv"
"$svd" restore "$long" "$out/restored.mkv" -y --no-chunks --chain "$m1,$m2" -c x264 --preset ultrafast --crf 30 \
  --stats "$out/stats.csv" -q 2>"$out/restore.err" &
pid=$!
start=$(date +%s)
echo "seconds,rss_kib,frames,device_bytes" >"$out/soak.csv"
while kill -0 $pid 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/$pid/status 2>/dev/null)
  last=$(tail -1 "$out/stats.csv" 2>/dev/null)
  frames=$(echo "$last" | cut -d, -f1); dev=$(echo "$last" | cut -d, -f4)
  [ -n "$rss" ] && echo "$now,$rss,${frames:-0},${dev:-0}" >>"$out/soak.csv"
  if [ "$max_s" -gt 0 ] && [ "$now" -ge "$max_s" ]; then
    echo "soak: stopping after $now s (SOAK_MAX_SECONDS)"
    kill -INT $pid
  fi
  sleep "$interval"
done
wait $pid
rc=$?
echo "soak: restore exited $rc after $(( $(date +%s) - start )) s"
grep -v progress "$out/restore.err" | head -5

python3 - "$out/soak.csv" "$warmup" "$slack" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]))]
warmup, slack = int(sys.argv[2]), int(sys.argv[3])
if len(rows) < 3:
    print("soak: FAIL: too few samples"); sys.exit(1)
after = [r for r in rows if int(r["seconds"]) >= warmup] or rows[len(rows) // 2:]
s, w, e = rows[0], after[0], rows[-1]
for name, r in (("start", s), ("after warm-up", w), ("end", e)):
    print(f"soak: RSS {name:>13}: {int(r['rss_kib']) / 1024:8.1f} MiB at {r['seconds']:>5} s, "
          f"frame {r['frames']}, device {int(r['device_bytes']) / 2**20:.1f} MiB")
grow = int(e["rss_kib"]) - int(w["rss_kib"])
peak = max(int(r["rss_kib"]) for r in after)
dev_ok = e["device_bytes"] == w["device_bytes"]
print(f"soak: RSS growth after warm-up {grow / 1024:+.1f} MiB (limit {slack / 1024:.0f} MiB), "
      f"peak {peak / 1024:.1f} MiB; device bytes {'flat' if dev_ok else 'CHANGED'}")
ok = grow <= slack and dev_ok
print("soak: PASS" if ok else "soak: FAIL")
sys.exit(0 if ok else 1)
PY
