#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages the model-training recipe in models/train/ needs.
# Training is a developer tool, not part of the app, so these are kept out of
# install-deps.sh: building, running and testing SVD Studio never needs PyTorch.
# Idempotent and non-interactive; runs as root or through sudo.
# The recipe runs with Debian's /usr/bin/python3 because these are Debian's
# python3-* packages (a pyenv/venv python first on PATH would not see them).
set -eu

PACKAGES="
  python3 python3-torch python3-numpy python3-cairo python3-skimage
  ffmpeg
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-cantarell fonts-quicksand
  desktop-base
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-train-deps: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-train-deps: missing packages:$missing" >&2
    echo "install-train-deps: run this script as root, or install sudo" >&2
    exit 1
  fi
fi

echo "install-train-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
