#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm tests: munged, slurmctld and
# slurmd (Debian's slurm-wlm and munge packages), each with its own config, key, socket, pid file
# and log under one directory, no systemd and no cgroups. Run as root (daemons run as root).
#
#   scripts/slurm/start.sh [DIR]        DIR default: $SHIFTLAB_SLURM_DIR or /tmp/shiftlab-slurm
#   export SLURM_CONF=DIR/slurm.conf    (the last line printed) so that sbatch/squeue find it
#   scripts/slurm/stop.sh [DIR]
#
# Install first (Debian/Ubuntu): apt-get install -y slurm-wlm munge
set -euo pipefail
DIR=${1:-${SHIFTLAB_SLURM_DIR:-/tmp/shiftlab-slurm}}
CTLD_PORT=${SHIFTLAB_SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SHIFTLAB_SLURMD_PORT:-6818}

for cmd in munged slurmctld slurmd sinfo; do
  if ! command -v "$cmd" >/dev/null; then
    echo "start.sh: '$cmd' not found; install Slurm and munge first: apt-get install -y slurm-wlm munge" >&2
    exit 1
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "start.sh: run as root (slurmd and munged are started as root here)" >&2
  exit 1
fi
if [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null; then
  echo "start.sh: a cluster is already running from $DIR (stop it with scripts/slurm/stop.sh $DIR)" >&2
  exit 1
fi

rm -rf "$DIR"
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/munge"
chmod 700 "$DIR/munge"

# munge: a fresh key; the socket directory must not be writable by others.
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none
chmod 400 "$DIR/munge/munge.key"
munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
  --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"

# The node as slurmd sees it (its real hostname, CPU count and memory), addressed on loopback.
HOST=$(hostname)
NODE=$(slurmd -C | head -n 1 | sed 's/ UpTime=.*//')
cat > "$DIR/slurm.conf" <<CONF
ClusterName=shiftlab
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/slurm.conf"

slurmctld -c -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Ready when the node is idle (about 2 s); show the logs if it does not come up.
for _ in $(seq 1 60); do
  if sinfo --noheader -o '%t' 2>/dev/null | grep -qx 'idle'; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "start.sh: the node did not become idle in 30 s; logs in $DIR:" >&2
tail -n 20 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 || true
exit 1
