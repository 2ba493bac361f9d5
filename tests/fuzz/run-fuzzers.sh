#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every parser fuzzer for SECONDS each with a seed corpus made at run
# time (model seeds from ../shared/models; preset and animejanai.conf seeds
# and tiny ONNX/safetensors models written by fuzz-seeds with the library's
# own writers), and prints a table
# of executions per target.
#   tests/fuzz/run-fuzzers.sh [SECONDS] [BUILD_DIR] [TARGET...]
# TARGETs default to all of: onnx pth pickle safetensors detect preset
# animejanai png bench-matrix conv-choice. SVD_FUZZ_NO_BUILD=1 skips the ninja call (the meson 'fuzz'
# suite sets it: meson test has built everything already).
# SVD_FUZZ_SEEDS_ONLY=1 only writes BUILD_DIR/fuzz-run/TARGET/corpus (the
# seeds) and runs nothing; tests/fuzz/campaign.sh uses it.
# BUILD_DIR (default build-fuzz) is set up with clang, ASan/UBSan and
# -Dfuzzers=true if it does not exist. Corpora and crash files stay under
# BUILD_DIR/fuzz-run; nothing is written to the source tree.
set -eu
secs=${1:-60}
# "auto": the meson 'fuzz' suite's short run, SVD_FUZZ_SECONDS (default 20).
if [ "$secs" = auto ]; then secs=${SVD_FUZZ_SECONDS:-20}; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
all_targets="onnx pth pickle safetensors detect preset animejanai png bench-matrix conv-choice"
targets=${*:-$all_targets}
shared=${SVD_SHARED_DIR:-$root/../shared}

if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" "$root" -Dfuzzers=true -Dgui=false \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
build=$(cd "$build" && pwd)
if [ -z "${SVD_FUZZ_NO_BUILD:-}" ]; then
  ninja -C "$build" tests/fuzz/fuzz-seeds $(for t in $all_targets; do echo tests/fuzz/fuzz-$t; done) >/dev/null
fi

# Each target has its own folder so that several runs (the meson 'fuzz'
# suite runs one target per test) can go on at once.
run=$build/fuzz-run
want () { case " $targets " in *" $1 "*) return 0 ;; esac; return 1; }
for t in $targets; do
  rm -rf "${run:?}/$t"
  mkdir -p "$run/$t/corpus"
done
# Seeds written by the library's own writers: presets, animejanai.conf
# slots, and tiny ONNX and safetensors models (fast to mutate).
seeds=$(mktemp -d "$run/seeds.XXXXXX")
# Nesting and size bombs next to each limit go to preset, safetensors, pth
# and pickle (issue #22).
mkdir -p "$seeds/preset" "$seeds/animejanai" "$seeds/onnx" "$seeds/safetensors" "$seeds/pth" "$seeds/pickle"
"$build/tests/fuzz/fuzz-seeds" "$seeds/preset" "$seeds/animejanai" "$seeds/onnx" "$seeds/safetensors" \
  "$seeds/pth" "$seeds/pickle"
cp -r "$seeds/safetensors" "$seeds/detect"
# PNGs of every colour type and at the size limit, results files and
# conv-choice caches, from our writers.
mkdir -p "$seeds/png" "$seeds/bench-matrix" "$seeds/conv-choice"
"$build/tests/fuzz/fuzz-seeds" --more "$seeds/png" "$seeds/bench-matrix" "$seeds/conv-choice"
for t in preset animejanai onnx safetensors detect pth pickle png bench-matrix conv-choice; do
  if want $t; then cp "$seeds/$t"/* "$run/$t/corpus/"; fi
done
rm -rf "$seeds"
if [ -d "$shared/models" ]; then
  want onnx && cp "$shared"/models/*/*.onnx "$run/onnx/corpus/"
  want pth && cp "$shared"/models/*/*.pth "$run/pth/corpus/"
  want safetensors && cp "$shared"/models/*/*.safetensors "$run/safetensors/corpus/"
  want detect && cp "$shared"/models/*/*.safetensors "$run/detect/corpus/"
  # Derived small seeds (whole files are slow to mutate): the pickles
  # inside the zip files and the legacy files' first bytes; zips re-written
  # with data.pkl and their first storages; safetensors keeping their first
  # tensors (offsets renumbered).
  python3 - "$run" "$shared"/models/*/*.pth "$shared"/models/*/*.safetensors <<'PY'
import sys, zipfile, os, json, struct
run = sys.argv[1]
def put(t, name, data):
    # Only for the targets this run fuzzes (their corpus folder exists).
    if os.path.isdir(os.path.join(run, t, 'corpus')):
        open(os.path.join(run, t, 'corpus', name), 'wb').write(data)
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
            put(t, 'small%d' % i, struct.pack('<Q', len(hb)) + hb + out)
    elif zipfile.is_zipfile(f):
        z = zipfile.ZipFile(f)
        names = z.namelist()
        pkl = [n for n in names if n.endswith('/data.pkl')][0]
        put('pickle', 'pkl%d' % i, z.read(pkl))
        small = os.path.join(run, 'pth', 'corpus', 'small%d' % i)
        if not os.path.isdir(os.path.dirname(small)):
            continue
        with zipfile.ZipFile(small, 'w', zipfile.ZIP_STORED) as w:
            for n in [pkl] + [n for n in names if '/data/' in n and not n.endswith('/')][:2]:
                w.writestr(n, z.read(n))
    else:
        put('pickle', 'legacy%d' % i, b[:4096])
        put('pth', 'legacy%d' % i, b[:8192])
PY
else
  echo "warning: $shared/models is missing; fuzzing from empty corpora" >&2
fi

# tests/fuzz/campaign.sh only wants the seeds.
if [ -n "${SVD_FUZZ_SEEDS_ONLY:-}" ]; then exit 0; fi

status=0
table=""
for t in $targets; do
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
  line=$(printf '%-12s %12s %6ss %-10s %s' "$t" "$execs" "$secs" "${cov:-cov: ?}" "$result")
  echo "$line"
  table+="$line"$'\n'
done
echo
printf '%-12s %12s %7s %-10s %s\n' target executions time coverage result
printf '%s' "$table"
exit $status
