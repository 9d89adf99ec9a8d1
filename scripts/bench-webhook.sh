#!/usr/bin/env bash
# What a webhook adds to a rollout: one manager, a 10-replica service, update parallelism 2;
# rollouts started alternately by a signed generic delivery and by the update `docker
# service update --image` sends, each timed from its answer (202 / 200) to the completion
# time the API reports (the deploy's CompletedAt / the service's UpdateStatus.CompletedAt).
#
#   scripts/bench-webhook.sh                 # ROUNDS=10 REPLICAS=10
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
echo "bench-webhook: building colmeiad and colmeia-cluster-bench (release)"
swift build -c release --product colmeiad >/dev/null
swift build -c release --product colmeia-cluster-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
"$BIN/colmeia-cluster-bench" webhook --rounds "${ROUNDS:-10}" --replicas "${REPLICAS:-10}" --port 4677
