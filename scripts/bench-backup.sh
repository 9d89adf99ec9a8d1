#!/usr/bin/env bash
# Backup, verify and restore of a swarm's event log beside etcd's snapshots, in one run.
#
#   scripts/bench-backup.sh          # build (release), run, print the table
#
# Three colmeiad managers on loopback take EVENTS writes (configs, one log entry each);
# then: write throughput without and with backups taken back to back from a follower, one
# backup's size and time, `colmeia backup verify`, and `colmeia swarm restore` + colmeiad
# --force-new-cluster until it serves. etcd (Debian's etcd-server) takes as many keys of
# the same size and runs `etcdctl snapshot save`, `snapshot status` and `snapshot restore`
# + a new etcd until healthy.
#
# Environment: EVENTS (default 100000), CLIENTS (default 64), WINDOW (seconds per throughput
# window, default 15). Needs etcd and etcdctl (apt-get install etcd-server etcd-client).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in etcd etcdctl; do
    command -v "$tool" >/dev/null || { echo "bench-backup: $tool is missing (apt-get install etcd-server etcd-client)"; exit 1; }
done
cd "$ROOT"
echo "bench-backup: building colmeiad, colmeia and colmeia-cluster-bench (release)"
swift build -c release --product colmeiad >/dev/null
swift build -c release --product colmeia >/dev/null
swift build -c release --product colmeia-cluster-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
"$BIN/colmeia-cluster-bench" backup --events "${EVENTS:-100000}" --clients "${CLIENTS:-64}" --seconds "${WINDOW:-15}"
