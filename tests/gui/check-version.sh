#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `svd-studio --version` prints the version and exits before touching the
# display, so it works on a headless machine.
set -u
exe="$1"
expected="$2"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$exe" --version 2>&1)
rc=$?
echo "1..1"
if [ $rc -eq 0 ] && [ "$out" = "svd-studio $expected" ]; then
  echo "ok 1 - svd-studio --version prints \"$out\""
else
  echo "not ok 1 - svd-studio --version exited $rc and printed \"$out\", expected \"svd-studio $expected\""
  exit 1
fi
