#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every Debian 12 package SVD Studio needs to build, run and test.
#   install-deps.sh           the app, its CLI and its tests (slurm-wlm and
#                             munge: the farm suite starts a one-node cluster)
#   install-deps.sh --train   the model-training recipe in models/train/ instead
#   install-deps.sh --peers   the peers build-aux/bench-peers.sh measures svd
#                             against: PyTorch with jemalloc, and Node.js (whose
#                             npm installs onnxruntime-node into .peers/)
# Training is a developer tool, not part of the app: building, running and
# testing SVD Studio never needs PyTorch. The recipe runs with Debian's
# /usr/bin/python3, because these are Debian's python3-* packages.
# Idempotent and non-interactive; runs as root or through sudo.
set -eu

APP_PACKAGES="
  build-essential meson ninja-build pkg-config gettext
  clang libclang-rt-14-dev libfuzzer-14-dev
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libjson-glib-dev
  libpng-dev zlib1g-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
  ocl-icd-opencl-dev opencl-c-headers ocl-icd-libopencl1 pocl-opencl-icd clinfo
  libprotobuf-c-dev protobuf-c-compiler libonnx-dev
  xvfb xauth libxtst-dev desktop-file-utils appstream
  fonts-cantarell adwaita-icon-theme
  glslang-tools mesa-vulkan-drivers vulkan-tools mpv
  slurm-wlm munge
"

TRAIN_PACKAGES="
  python3 python3-torch python3-numpy python3-cairo python3-skimage python3-scipy
  ffmpeg
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-cantarell fonts-quicksand
  desktop-base plasma-workspace-wallpapers mate-backgrounds
"

PEER_PACKAGES="
  python3 python3-torch python3-numpy libjemalloc2 nodejs
"

case "${1:-}" in
  "") PACKAGES=$APP_PACKAGES; name=install-deps ;;
  --train) PACKAGES=$TRAIN_PACKAGES; name="install-deps --train" ;;
  --peers) PACKAGES=$PEER_PACKAGES; name="install-deps --peers" ;;
  *) echo "usage: $0 [--train | --peers]" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

# Debian's nodejs ships npm as its own package; NodeSource's nodejs bundles it
# (and conflicts with Debian's npm), so npm is only asked for when missing.
if [ "${1:-}" = --peers ] && ! command -v npm >/dev/null 2>&1; then
  missing="$missing npm"
fi

if [ -z "$missing" ]; then
  echo "$name: all packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "$name: missing packages:$missing" >&2
    echo "$name: run this script as root, or install sudo" >&2
    exit 1
  fi
fi

echo "$name: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
