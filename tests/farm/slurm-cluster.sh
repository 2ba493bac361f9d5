#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A real single-node Slurm cluster on localhost, for the farm suite.
#   slurm-cluster.sh start DIR   start munged, slurmctld and slurmd with
#                                everything (key, socket, conf, state,
#                                spool, pids, logs) under DIR; waits until
#                                the node is idle; prints the SLURM_CONF path
#   slurm-cluster.sh stop DIR    stop every daemon that `start DIR` started,
#                                by the PIDs it recorded, and wait for them
# Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm and
# munge (build-aux/install-deps.sh); exits 77 without them, so a test that
# calls it can skip. Nothing outside DIR is touched: munged gets its own
# socket, key, pid and seed files, so a system munged keeps running, and the
# Slurm daemons get their own ports.
set -u

SKIP=77

usage () { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

log () { echo "slurm-cluster: $*" >&2; }

# The daemons' PIDs, one "NAME PID" a line, in the order started.
pids_file="$dir/pids"

stop_all () {
  [ -f "$pids_file" ] || return 0
  # Jobs still running (a test that failed or timed out) have slurmstepd
  # and their tasks, which slurmd started: cancel them through this
  # cluster's own controller and wait (bounded) until they are gone, so
  # stopping the daemons leaves no process of the cluster behind.
  if [ -f "$dir/slurm.conf" ] && grep -q '^slurmctld ' "$pids_file"; then
    local ids i
    ids=$(SLURM_CONF="$dir/slurm.conf" squeue --noheader --format=%A 2>/dev/null | tr '\n' ' ')
    if [ -n "${ids// /}" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF="$dir/slurm.conf" scancel $ids 2>/dev/null
      for i in $(seq 1 150); do
        [ -z "$(SLURM_CONF="$dir/slurm.conf" squeue --noheader 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  # Stop in reverse order: slurmd, slurmctld, then munged, which the other
  # two need to the end.
  tac "$pids_file" | while read -r name pid; do
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      # Bounded wait for it to exit; then SIGKILL that PID alone.
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "$pid" 2>/dev/null; then
        log "$name ($pid) did not stop on SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null
      fi
    fi
  done
  rm -f "$pids_file"
}

# The PID a daemon wrote into its pid file, after it forked: polled a
# bounded number of times.
wait_pid_file () {
  local f=$1 i
  for i in $(seq 1 300); do
    if [ -s "$f" ]; then
      local pid
      pid=$(head -n1 "$f" | tr -dc 0-9)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
        return 0
      fi
    fi
    sleep 0.1
  done
  return 1
}

# A TCP port that nothing listens on now, from the kernel.
free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start () {
  if [ "$(id -u)" -ne 0 ]; then
    log "needs root (slurmd runs the jobs as their users)"
    exit $SKIP
  fi
  local p
  for p in munged slurmctld slurmd sbatch sinfo squeue scontrol python3; do
    if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$p" ]; then
      log "$p is missing (build-aux/install-deps.sh installs slurm-wlm and munge)"
      exit $SKIP
    fi
  done
  export PATH="$PATH:/usr/sbin"

  mkdir -p "$dir" || exit 1
  chmod 0700 "$dir"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/run"
  chmod 0700 "$dir/munge"
  : >"$pids_file"

  # munged refuses a key that others can read. A fresh random key: nothing
  # else shares this cluster.
  local key="$dir/munge/munge.key"
  dd if=/dev/urandom of="$key" bs=1 count=1024 status=none || exit 1
  chmod 0400 "$key"
  local socket="$dir/munge/munge.socket"
  if ! munged --force --socket="$socket" --key-file="$key" \
         --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
         --seed-file="$dir/munge/munged.seed"; then
    log "munged did not start:"; cat "$dir/log/munged.log" >&2
    exit 1
  fi
  local pid
  pid=$(wait_pid_file "$dir/munge/munged.pid") || { log "munged wrote no pid"; exit 1; }
  echo "munged $pid" >>"$pids_file"

  local ctld_port slurmd_port cpus
  ctld_port=$(free_port) || exit 1
  slurmd_port=$(free_port) || exit 1
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port) || exit 1; done
  cpus=$(nproc)
  local conf="$dir/slurm.conf"
  cat >"$conf" <<CONF
# Written by tests/farm/slurm-cluster.sh: a one-node cluster on localhost.
ClusterName=svdfarm
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"

  # -i: ignore state from an earlier cluster (there is none; a fresh DIR).
  if ! slurmctld -f "$conf" -i; then
    log "slurmctld did not start:"; tail -n 30 "$dir/log/slurmctld.log" >&2
    stop_all; exit 1
  fi
  pid=$(wait_pid_file "$dir/run/slurmctld.pid") || {
    log "slurmctld wrote no pid:"; tail -n 30 "$dir/log/slurmctld.log" >&2; stop_all; exit 1; }
  echo "slurmctld $pid" >>"$pids_file"

  if ! slurmd -f "$conf" -N localhost; then
    log "slurmd did not start:"; tail -n 30 "$dir/log/slurmd.log" >&2
    stop_all; exit 1
  fi
  pid=$(wait_pid_file "$dir/run/slurmd.pid") || {
    log "slurmd wrote no pid:"; tail -n 30 "$dir/log/slurmd.log" >&2; stop_all; exit 1; }
  echo "slurmd $pid" >>"$pids_file"

  # Wait until the node registers and is idle: polled, bounded by a generous
  # count (600 x 0.2 s) so a slow machine is not a failure, a broken one is.
  local state="" i
  for i in $(seq 1 600); do
    state=$(sinfo -h -n localhost -o '%T' 2>/dev/null | head -n1)
    [ "$state" = idle ] && break
    sleep 0.2
  done
  if [ "$state" != idle ]; then
    log "the node is not idle (state “$state”):"
    tail -n 30 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2
    stop_all; exit 1
  fi
  echo "$conf"
}

case "$cmd" in
  start) start ;;
  stop) stop_all ;;
  *) usage ;;
esac
