#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-cluster.sh PROGRAM [ARG…]: runs PROGRAM (a TAP test) with a fresh
# one-node Slurm cluster on localhost (slurm-cluster.sh) and SLURM_CONF
# naming it, then stops every daemon the cluster started, whatever way
# PROGRAM ends (its exit, a crash, or meson's timeout signal). Skips (the
# TAP skip plan under meson, 77 by hand) when not root or Slurm and munge
# are not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
skip () { echo "1..0 # SKIP $1"; [ "${SVD_TEST_PROTOCOL:-}" = tap ] && exit 0; exit 77; }

cluster=$(mktemp -d "${TMPDIR:-/tmp}/svd-farm-cluster.XXXXXX") || exit 1
stop () {
  "$here/slurm-cluster.sh" stop "$cluster"
  rm -rf "$cluster"
}
trap stop EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

conf=$("$here/slurm-cluster.sh" start "$cluster" 2>"$cluster.err")
rc=$?
if [ $rc -eq 77 ]; then
  msg=$(tail -n1 "$cluster.err"); rm -f "$cluster.err"
  skip "${msg#slurm-cluster: }"
fi
if [ $rc -ne 0 ]; then
  echo "Bail out! the Slurm cluster did not start:"
  sed 's/^/# /' "$cluster.err"
  rm -f "$cluster.err"
  exit 1
fi
rm -f "$cluster.err"
export SLURM_CONF="$conf"
# Logs of the cluster for a failing test's report.
export SVD_FARM_CLUSTER_DIR="$cluster"
"$@"
status=$?
if [ $status -ne 0 ]; then
  echo "# the cluster's logs:"
  tail -n 20 "$cluster/log/slurmctld.log" "$cluster/log/slurmd.log" 2>/dev/null | sed 's/^/# /'
fi
exit $status
