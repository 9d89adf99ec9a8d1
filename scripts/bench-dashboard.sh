#!/usr/bin/env bash
# The dashboard's browser side at scale: scripts/dashboard_perf.py copies a real colmeiad's
# page, session, node, service and task, clones them to SERVICES services of REPLICAS tasks
# on five nodes, and measures in headless Chromium, with the browser's performance API, the
# first render of the cluster map and the redraw after each of UPDATES change events.
# Prints figures; asserts none.
#
#   scripts/bench-dashboard.sh             # SERVICES=200 REPLICAS=10 UPDATES=20 BUILD=debug
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-debug}
swift build -c "$BUILD" --product colmeiad >/dev/null 2>&1
BIN=$(swift build -c "$BUILD" --show-bin-path)
WORK=$(mktemp -d /tmp/colmeia-dashboard-bench-XXXXXX)
SOCK="$WORK/api.sock"
PORT=${PORT:-24777}
"$BIN/colmeiad" --data-dir "$WORK/data" --host "unix://$SOCK" --host "tcp://127.0.0.1:$PORT" --insecure-tcp \
    --listen-addr "${LISTEN:-127.0.0.1:62777}" --node-name bench --executor process --init --log-level warning 2>"$WORK/daemon.log" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 200); do curl -sf --unix-socket "$SOCK" http://localhost/_ping >/dev/null && break; sleep 0.1; done
curl -sf --unix-socket "$SOCK" -H 'Content-Type: application/json' http://localhost/services/create \
    -d '{"Name":"template","TaskTemplate":{"ContainerSpec":{"Image":"busybox:latest","Args":["sleep","100000"]}}}' >/dev/null
for _ in $(seq 100); do
    curl -sf --unix-socket "$SOCK" 'http://localhost/tasks' | grep -q '"State":"running"' && break
    sleep 0.2
done
python3 scripts/dashboard_perf.py "http://127.0.0.1:$PORT" "${SERVICES:-200}" "${REPLICAS:-10}" "${UPDATES:-20}"
