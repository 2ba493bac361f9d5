#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd devices` lists the PoCL CPU device with its numbers, as text and JSON,
# and `svd --version` / per-command --help work.
set -u
svd=${SVD_BUILD_ROOT:?}/app/cli/svd
n=0; status=0
check () { # description, command...
  local d=$1; shift
  n=$((n+1))
  if "$@"; then echo "ok $n - $d"; else echo "not ok $n - $d"; status=1; fi
}

if ! command -v clinfo >/dev/null || ! clinfo -l 2>/dev/null | grep -q Device; then
  echo "1..0 # SKIP no OpenCL device at all"
  [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0
  exit 77
fi

out=$("$svd" devices)
echo "$out" | sed 's/^/# /'
check "devices lists the PoCL platform" grep -q "Platform: Portable Computing Language" <<<"$out"
check "devices shows compute units" grep -qE "compute units: +[1-9]" <<<"$out"
check "devices shows max allocation" grep -qE "max allocation: +[1-9][0-9]* MiB" <<<"$out"
check "devices shows global memory" grep -qE "global memory: +[1-9][0-9]* MiB" <<<"$out"
check "devices shows fp16 support" grep -qE "fp16: +(yes|no)" <<<"$out"
json=$("$svd" devices --json)
check "devices --json is valid JSON with a CPU device" python3 -c '
import json,sys
d=json.loads(sys.stdin.read())["devices"]
assert any(x["type"]=="CPU" and x["compute_units"]>0 and x["max_alloc_bytes"]>0 for x in d), d
' <<<"$json"
check "--version prints the version" grep -qE "^svd [0-9]+\.[0-9]+\.[0-9]+$" <<<"$("$svd" --version)"
check "devices --help describes the command" grep -q "list OpenCL platforms" <<<"$("$svd" devices --help)"
check "unknown command fails with status 2" bash -c "\"$svd\" frobnicate >/dev/null 2>&1; [ \$? -eq 2 ]"
# With no ICD at all the command must say so clearly, not fail.
none=$(OCL_ICD_VENDORS=/nonexistent OCL_ICD_FILENAMES= "$svd" devices 2>&1)
check "no device is reported clearly" grep -q "No OpenCL device found" <<<"$none"
echo "1..$n"
exit $status
