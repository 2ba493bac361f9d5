#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages the model-training recipe in models/train/
# needs; the list lives in install-deps.sh.
exec "$(dirname "$0")/install-deps.sh" --train
