#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd model info` describes a real model as text and JSON, and refuses a
# bad file with a message on stderr and a non-zero exit.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
shared=${SVD_SHARED_DIR:?}
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}

model=$shared/models/seed/2x_10_2X-10_mega_.pth
if [ ! -f "$model" ]; then
  echo "1..0 # SKIP $shared is missing"
  [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0
  exit 77
fi

out=$("$svd" model info "$model")
echo "$out" | sed 's/^/# /'
check "info names the format" grep -q "^Format: *PyTorch (zip)" <<<"$out"
check "info gives nf 35" grep -qE "^Features \(nf\): +35$" <<<"$out"
check "info gives 8 body convs" grep -qE "^Body convs: +8 " <<<"$out"
check "info gives scale 2x" grep -qE "^Scale: +2x$" <<<"$out"
check "info gives the Mega tier" grep -qE "^Tier: +Mega$" <<<"$out"
check "info gives GFLOP at 1920x1080" grep -qE "^GFLOP per frame: +[0-9.]+ at 1920x1080" <<<"$out"

json=$("$svd" model info --json --size 640x360 "$shared/models/other/2x_AnimeJaNai_HD_V3_SuperUltraCompact-fp16.onnx")
check "info --json has the shape, precision, clamp and cost" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())
assert d["format"]=="ONNX" and d["stored_precision"]=="fp16", d
assert (d["nf"],d["num_conv"],d["scale"],d["in_ch"])==(24,8,2,3), d
assert d["clamp"]==[0.0,1.0], d
g=d["gflop_per_frame"]; assert len(g)==1 and g[0]["width"]==640 and g[0]["height"]==360, g
# 2 FLOP per MAC at 640x360
assert abs(g[0]["gflop"]-2*d["macs_per_pixel"]*640*360/1e9)<1e-9, g
assert d["metadata"]["onnx.opset"]=="17", d
' <<<"$json"

bad=$(mktemp); trap 'rm -f "$bad"' EXIT
printf 'PK\003\004this is not really a zip' >"$bad"
err=$("$svd" model info "$bad" 2>&1 >/dev/null); rc=$?
echo "$err" | sed 's/^/# /'
check "a bad file exits non-zero" test $rc -ne 0
check "a bad file is explained on stderr" grep -q "zip archive is damaged or truncated" <<<"$err"
check "--size is validated" bash -c "\"$svd\" model info --size 12 \"$model\" >/dev/null 2>&1; [ \$? -eq 2 ]"
echo "1..$n"
exit $status
