#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every dependency, builds SVD Studio and starts it on its built-in
# demo. Extra arguments go to the app (e.g. a clip to open).
set -eu
cd "$(dirname "$0")/.."
build-aux/install-deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build
# Run from the build tree: the schema compiled there, no install needed.
export GSETTINGS_SCHEMA_DIR="$PWD/build/data"
# The shipped models from the source tree (installed: share/svd-studio/models).
export SVD_DATA_DIR="$PWD"
exec build/ui/svd-studio "$@"
