#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every dependency, builds SVD Studio and runs the whole test suite.
#   build-aux/run-tests.sh              the normal build (build/)
#   build-aux/run-tests.sh --sanitize   the same suites under ASan + UBSan + LSan (build-asan/)
# Ends with the line "N passed, N failed, N skipped" and exits non-zero if
# anything failed or nothing ran.
set -u
cd "$(dirname "$0")/.."

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) echo "usage: $0 [--sanitize]" >&2; exit 2 ;;
  esac
done

build-aux/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

if [ $sanitize -eq 1 ]; then
  builddir=build-asan
  opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized)
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0:allocator_may_return_null=1"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  export LSAN_OPTIONS="suppressions=$PWD/build-aux/lsan.supp:print_suppressions=0"
else
  builddir=build
  opts=()
fi

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "${opts[@]}" || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$builddir" || { echo "0 passed, 1 failed"; exit 1; }

rm -f "$builddir/meson-logs/testlog.json"
# Under the sanitizers the GUI suite is still left out (it runs in the
# normal build). The leaks it showed with no usable stack were ours (GLib
# and GTK have no frame pointers, so the fast unwinder stops at g_malloc;
# GSK_RENDERER=cairo ASAN_OPTIONS=fast_unwind_on_malloc=0 gives the whole
# stack, while with the GL renderer the slow unwinder deadlocks in
# llvmpipe's JIT). Two are fixed (screenshot paths in the tests, the clip
# path in the window); one is open: 10 x 8 bytes allocated in a worker
# done callback in the session test (deliver_cb frame). Under ASan the GUI
# tests also take several minutes each on two loaded cores.
suites=()
[ $sanitize -eq 1 ] && suites=(--no-suite gui)
meson test -C "$builddir" --num-processes 2 --print-errorlogs "${suites[@]}"
python3 build-aux/test-summary.py "$builddir/meson-logs/testlog.json"
