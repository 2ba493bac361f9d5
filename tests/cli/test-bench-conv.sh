#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd bench --conv MODE --explain`: each layer's algorithm in text and
# JSON (first and last convs direct, body convs as asked), the real and
# direct-equivalent GFLOP/s labelled, and a bad mode refused; the FMA peak
# kept as the best of every measurement, and "% of peak" never above 100 %.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
shared=${SVD_SHARED_DIR:-}
model=$shared/models/seed/1x_super_34_10_fp32.onnx
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}
skip () {
  echo "1..0 # SKIP $1"
  [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0
  exit 77
}
command -v clinfo >/dev/null && clinfo -l 2>/dev/null | grep -q Device || skip "no OpenCL device at all"
[ -f "$model" ] || skip "needs ../shared/models"
export SVD_KERNEL_CACHE_DIR=$(mktemp -d /tmp/svd-bench-conv.XXXXXX)
trap 'rm -rf "$SVD_KERNEL_CACHE_DIR"' EXIT

bench=(bench --chain "$model" --size 45x31 -n 1 --warmup 0 --no-peak --explain)
out=$(SVD_CONV_VARIANT=block "$svd" "${bench[@]}" --conv wino4)
echo "$out" | sed 's/^/# /'
body_wino4 () { [ "$(grep -cE '^  1\.[1-8] +24→24 +wino4 ' <<<"$out")" -eq 8 ]; }
ends_direct () { grep -qE '^  1\.0 +3→24 +direct ' <<<"$out" && grep -qE '^  1\.9 +24→3 +direct ' <<<"$out"; }
labelled () { grep -q 'GFLOP/s direct-equivalent' <<<"$out" && grep -q 'GFLOP/s real' <<<"$out"; }
check "wino4: body convs run wino4" body_wino4
check "wino4: first and last convs direct" ends_direct
check "wino4: direct-equivalent and real GFLOP/s labelled" labelled
cpu_shaped () { [ "$(grep -cE '^  1\.[1-8] +24→24 +wino4 +cpu ' <<<"$out")" -eq 8 ]; }
check "wino4, block variant: each layer names its CPU shape" cpu_shaped
# The pixel variant (GPUs' default) runs Winograd GPU-shaped, and says so.
out=$(SVD_CONV_VARIANT=pixel "$svd" "${bench[@]}" --conv wino4)
echo "$out" | sed 's/^/# /'
gpu_shaped () { [ "$(grep -cE '^  1\.[1-8] +24→24 +wino4 +gpu ' <<<"$out")" -eq 8 ] &&
                grep -qE '^  1\.0 +3→24 +direct +gpu ' <<<"$out"; }
check "wino4, pixel variant: each layer names its GPU shape" gpu_shaped

# auto measures on frames of 2^16 pixels or more (257x256 is just over).
json=$("$svd" bench --chain "$model" --size 257x256 -n 1 --warmup 0 --no-peak --explain --conv auto --json)
check "auto: JSON layers with one measured body shape" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
L=d["layers"]
assert len(L)==10, L
assert L[0]["algo"]=="direct" and L[-1]["algo"]=="direct", L
body={l["algo"] for l in L[1:-1]}
assert len(body)==1 and body <= {"direct","wino2","wino4"}, body
assert all(t>0 for t in L[1]["tuned_ms"]), L[1]
assert d["real_gflop_per_frame"] <= d["gflop_per_frame"] + 1e-9, d
' <<<"$json"
check "auto: the choice is cached" grep -q "conv3x3-24-24-ff" "$SVD_KERNEL_CACHE_DIR/conv-choice.ini"
json=$("$svd" "${bench[@]}" --json)
check "the default is auto, and a small frame runs direct unmeasured" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
L=d["layers"]
assert all(l["algo"]=="direct" and l["tuned_ms"]==[0,0,0] for l in L), L
' <<<"$json"

out=$("$svd" "${bench[@]}" --conv direct)
no_wino () { ! grep -qE '^  1\.[0-9].* wino' <<<"$out" && ! grep -q 'GFLOP/s real' <<<"$out"; }
check "direct: no Winograd layer, one GFLOP/s figure" no_wino
check "a bad --conv is refused with status 2" bash -c "\"$svd\" bench --chain \"$model\" --conv wino3 >/dev/null 2>&1; [ \$? -eq 2 ]"
# The peak: the best of every measurement on this device and driver, kept
# in the kernel cache dir; "% of peak" never passes 100 %.
peak_ini=$SVD_KERNEL_CACHE_DIR/fma-peak.ini
plain=(bench --chain "$model" --size 45x31 -n 1 --warmup 0 --conv direct --json)
"$svd" "${plain[@]/--json/}" >/dev/null 2>&1   # measures: --no-peak is not given
check "the measured peak is stored per device" grep -qE '^best_gflops=[0-9.]+' "$peak_ini"
sed -i 's/^best_gflops=.*/best_gflops=1000000/' "$peak_ini"
json=$("$svd" "${plain[@]}")
check "a lower measurement keeps the best stored peak" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
assert d["peak_gflops"]==1e6, d["peak_gflops"]
assert 0 < d["peak_measured_now_gflops"] < 1e6, d
assert d["peak_measurements"]==2, d
assert 0 <= d["fraction_of_peak"] < 1e-2 and not d["peak_understated"], d
' <<<"$json"
check "the best peak was not lowered in the file" grep -q '^best_gflops=1000000' "$peak_ini"
# A stored peak below what the layers reach (all measurements on a busy
# device): the figure stops at 100 % and says so.
sed -i 's/^best_gflops=.*/best_gflops=0.001/' "$peak_ini"
json=$("$svd" "${plain[@]}" --no-peak)
check "% of peak is capped at 100 % and the low peak flagged" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
assert d["peak_gflops"]==0.001 and d["peak_measured_now_gflops"] < 0, d
assert d["fraction_of_peak"]==1.0 and d["peak_understated"] is True, d
' <<<"$json"
out=$("$svd" "${plain[@]/--json/}" --no-peak --explain)
capped () { ! grep -qE '([2-9][0-9][0-9]|1[0-9][1-9]|1[1-9][0-9]) %' <<<"$out" && grep -q 'busy device' <<<"$out"; }
check "text output: no figure above 100 %, the reason given" capped
sed -i 's/^best_gflops=.*/best_gflops=garbage/' "$peak_ini"
json=$("$svd" "${plain[@]}" --no-peak)
check "a corrupt stored peak is ignored" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
assert d["peak_gflops"] < 0 and d["fraction_of_peak"]==0, d
' <<<"$json"
rm -f "$peak_ini"
ln -s /dev/zero "$peak_ini"
json=$(timeout 120 "$svd" "${plain[@]}" --no-peak)
check "a peak file that is not a regular file is ignored, not read" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
assert d["peak_gflops"] < 0, d
' <<<"$json"
rm -f "$peak_ini"

echo "1..$n"
exit $status
