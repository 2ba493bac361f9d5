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
  # use_sigaltstack=0: PoCL's LLVM gives a thread that compiles a kernel its own
  # alternate signal stack, malloc'ed (64 KiB + MINSIGSTKSZ: 79 040 bytes on
  # AVX-512), and ASan unmaps whatever alternate stack a thread has when it
  # exits, as if it were its own mapping: munmap of a heap pointer fails and
  # ASan aborts ("failed to deallocate 0x134c0 bytes ... unable to unmap") in
  # every test whose worker or OpenCL threads end. ASan's own alternate stack
  # only serves its stack-overflow reports.
  # verify_asan_link_order=0: the GUI tests preload Mesa's DRI driver
  # (tests/gui/meson.build), which puts it before ASan's runtime.
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_odr_violation=0:allocator_may_return_null=1:use_sigaltstack=0:verify_asan_link_order=0"
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
# The GUI suite runs under the sanitizers too (about 6 minutes with two
# processes on two loaded cores; the session test alone takes ~3). Its
# LeakSanitizer reports used to have no usable stack (GLib and GTK have no
# frame pointers, so the fast unwinder stops at g_malloc); to find an
# owner, run the test with GSK_RENDERER=cairo and
# ASAN_OPTIONS=fast_unwind_on_malloc=0 (with the GL renderer the slow
# unwinder deadlocks inside llvmpipe's JIT). The leaks found that way were
# all ours and are fixed; tests/gui/lsan.supp lists the system libraries.
# The farm suite (a one-node Slurm cluster on localhost, ~30 s; root only,
# it skips otherwise) runs here with the others.
# The clients suite (mpv on llvmpipe and lavapipe compiling every shader
# pass; ~25 min cold on two cores) runs on its own: .ci/run gives it a stage
# of its own, and `meson test -C build --suite clients` runs it by hand.
suites=(--no-suite clients)
meson test -C "$builddir" --num-processes 2 --print-errorlogs "${suites[@]}"
python3 build-aux/test-summary.py "$builddir/meson-logs/testlog.json"
