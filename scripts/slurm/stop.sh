#!/usr/bin/env bash
# Stops the cluster that scripts/slurm/start.sh started from DIR (slurmd, slurmctld, munged, by
# their pid files) and removes DIR.   scripts/slurm/stop.sh [DIR]
set -uo pipefail
DIR=${1:-${SHIFTLAB_SLURM_DIR:-/tmp/shiftlab-slurm}}
[ -d "$DIR" ] || exit 0
for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" "$DIR/munge/munged.pid"; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$DIR"
