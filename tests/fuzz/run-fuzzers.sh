#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every model-parser fuzzer for SECONDS each with a seed corpus made
# from ../shared/models at run time, and prints executions per target.
#   tests/fuzz/run-fuzzers.sh [SECONDS] [BUILD_DIR]
# BUILD_DIR (default build-fuzz) is set up with clang, ASan/UBSan and
# -Dfuzzers=true if it does not exist. Corpora and crash files stay under
# BUILD_DIR/fuzz-run; nothing is written to the source tree.
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build-fuzz}
shared=${SVD_SHARED_DIR:-$root/../shared}

if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" "$root" -Dfuzzers=true -Dgui=false \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
build=$(cd "$build" && pwd)
ninja -C "$build" tests/fuzz/fuzz-onnx tests/fuzz/fuzz-pth tests/fuzz/fuzz-pickle \
  tests/fuzz/fuzz-safetensors tests/fuzz/fuzz-detect >/dev/null

run=$build/fuzz-run
rm -rf "$run"
mkdir -p "$run"/{onnx,pth,pickle,safetensors,detect}/corpus
if [ -d "$shared/models" ]; then
  cp "$shared"/models/*/*.onnx "$run/onnx/corpus/"
  cp "$shared"/models/*/*.pth "$run/pth/corpus/"
  cp "$shared"/models/*/*.safetensors "$run/safetensors/corpus/"
  cp "$shared"/models/*/*.safetensors "$run/detect/corpus/"
  # Derived small seeds (whole files are slow to mutate): the pickles
  # inside the zip files and the legacy files' first bytes; zips re-written
  # with data.pkl and their first storages; safetensors keeping their first
  # tensors (offsets renumbered).
  python3 - "$run" "$shared"/models/*/*.pth "$shared"/models/*/*.safetensors <<'PY'
import sys, zipfile, os, json, struct
run = sys.argv[1]
for i, f in enumerate(sys.argv[2:]):
    b = open(f, 'rb').read()
    if f.endswith('.safetensors'):
        n = struct.unpack('<Q', b[:8])[0]
        h = json.loads(b[8:8 + n]); data = b[8 + n:]
        keep, out, off = {}, b'', 0
        if '__metadata__' in h:
            keep['__metadata__'] = h['__metadata__']
        for k, v in list(h.items()):
            if k == '__metadata__' or len(keep) > 4:
                continue
            s, e = v['data_offsets']
            keep[k] = dict(v, data_offsets=[off, off + e - s]); out += data[s:e]; off += e - s
        hb = json.dumps(keep).encode()
        for t in ('safetensors', 'detect'):
            open(os.path.join(run, t, 'corpus', 'small%d' % i), 'wb').write(struct.pack('<Q', len(hb)) + hb + out)
    elif zipfile.is_zipfile(f):
        z = zipfile.ZipFile(f)
        names = z.namelist()
        pkl = [n for n in names if n.endswith('/data.pkl')][0]
        open(os.path.join(run, 'pickle', 'corpus', 'pkl%d' % i), 'wb').write(z.read(pkl))
        small = os.path.join(run, 'pth', 'corpus', 'small%d' % i)
        with zipfile.ZipFile(small, 'w', zipfile.ZIP_STORED) as w:
            for n in [pkl] + [n for n in names if '/data/' in n and not n.endswith('/')][:2]:
                w.writestr(n, z.read(n))
    else:
        open(os.path.join(run, 'pickle', 'corpus', 'legacy%d' % i), 'wb').write(b[:4096])
        open(os.path.join(run, 'pth', 'corpus', 'legacy%d' % i), 'wb').write(b[:8192])
PY
else
  echo "warning: $shared/models is missing; fuzzing from empty corpora" >&2
fi

status=0
for t in onnx pth pickle safetensors detect; do
  log=$run/$t/log.txt
  if (cd "$run/$t" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 \
      -rss_limit_mb=2048 -timeout=10 corpus >"$log" 2>&1); then
    result="no finding"
  else
    result="FINDING (see $log and $run/$t/crash-*)"
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  printf '%-12s %10s executions in %ss, %s, %s\n' "$t" "$execs" "$secs" "${cov:-cov: ?}" "$result"
done
exit $status
