#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The installed app finds its own models. `meson install --destdir` into a
# temporary folder, the installed prefix copied elsewhere (so neither the
# compiled-in prefix nor the source tree holds the files used), then, with
# an environment that names nothing of the source or build tree:
#   1. `svd model info svd-super-2x` finds the shipped model in the copy;
#   2. the app, under Xvfb, starts its demo with chain 1 = the shipped
#      models in the copy (SVD_EXIT_AFTER_DEMO makes it say so and quit;
#      the timeout only bounds a broken build, it decides nothing).
set -u
build="${SVD_BUILD_ROOT:?}"
src="${SVD_SOURCE_ROOT:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..4"
n=0
fail=0
result () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

meson install -C "$build" --no-rebuild --destdir "$tmp/dest" --quiet >"$tmp/install.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/install.log"
result $rc "meson install --destdir"

svd_installed=$(find "$tmp/dest" -path '*/bin/svd' -type f | head -n 1)
prefix_dir=$(dirname "$(dirname "$svd_installed")")
mkdir -p "$tmp/moved" "$tmp/home" "$tmp/run"
cp -a "$prefix_dir" "$tmp/moved/prefix"
rm -rf "$tmp/dest"
prefix="$tmp/moved/prefix"
models_dir="$prefix/share/svd-studio/models"

# Nothing from the test environment (SVD_DATA_DIR, SVD_SOURCE_ROOT…).
clean_env=(env -i "HOME=$tmp/home" "PATH=/usr/bin:/bin" "XDG_CACHE_HOME=$tmp/home/cache"
           "XDG_DATA_HOME=$tmp/home/data" "XDG_CONFIG_HOME=$tmp/home/config" "LC_ALL=C.UTF-8")
# The sanitizer build's options are the runtime's, not ours: without them
# ASan trips over PoCL's alternate signal stacks (build-aux/run-tests.sh).
# Leak checking is the GUI suite's job; here it is off, since the installed
# app's Mesa driver is unloaded before LeakSanitizer runs and its 128 bytes
# then show as a leak from an unknown module (tests/gui/meson.build).
for v in UBSAN_OPTIONS LSAN_OPTIONS; do
  [ -n "${!v:-}" ] && clean_env+=("$v=${!v}")
done
[ -n "${ASAN_OPTIONS:-}" ] && clean_env+=("ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")

cd "$tmp/run" || exit 1
out=$("${clean_env[@]}" "$prefix/bin/svd" model info svd-super-2x 2>&1)
rc=$?
echo "$out" | head -n 3 | sed 's/^/# /'
grep -qxF "File:              $models_dir/svd-super-2x.safetensors" <<<"$out"
result $(( rc != 0 || $? != 0 )) "svd model info svd-super-2x finds the installed model"

# The source tree's models are not what was found.
! grep -qF "$src" <<<"$out"
result $? "nothing of the source tree is used"

if [ ! -x "$prefix/bin/svd-studio" ] || ! command -v xvfb-run >/dev/null; then
  echo "ok 4 # SKIP no GUI build or no xvfb-run"
  exit $fail
fi
glib-compile-schemas "$prefix/share/glib-2.0/schemas"
out=$("${clean_env[@]}" "GSETTINGS_SCHEMA_DIR=$prefix/share/glib-2.0/schemas" GSETTINGS_BACKEND=memory \
      GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 SVD_EXIT_AFTER_DEMO=1 \
      timeout 300 xvfb-run -a -s '-screen 0 1600x1200x24 -nolisten tcp' "$prefix/bin/svd-studio" 2>"$tmp/app.log")
rc=$?
echo "# $out"
[ $rc -eq 0 ] || tail -n 20 "$tmp/app.log" | sed 's/^/# /'
[ $rc -eq 0 ] && [ "$out" = "demo chain 1: $models_dir/svd-super-1x.safetensors,$models_dir/svd-super-2x.safetensors" ]
result $? "the installed app opens its demo on the installed models"
exit $fail
