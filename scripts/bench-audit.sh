#!/usr/bin/env bash
# A million audit records through the normal propose path, then: the daemon's RSS and
# state.db under retention, query latencies on them (the last 100 records of a service,
# one actor over a day, every service as of an index 90% back), and a verify of the whole
# chain, archive included.
#
#   scripts/bench-audit.sh                 # RECORDS=1000000 KEEP=100000 REPLICAS=2000
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
echo "bench-audit: building colmeiad and colmeia-cluster-bench (release)"
swift build -c release --product colmeiad >/dev/null
swift build -c release --product colmeia-cluster-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
"$BIN/colmeia-cluster-bench" audit --records "${RECORDS:-1000000}" --keep "${KEEP:-100000}" --replicas "${REPLICAS:-2000}" --port 4577
