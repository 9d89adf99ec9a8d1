#!/usr/bin/env bash
# Runs a fixed Engine API workload (scripts/api-workload.py: create 200 services, list,
# inspect, update with version, delete) against colmeiad over its unix socket and, when
# dockerd is installed, against a Docker Swarm mode node on the same machine, and prints
# p50/p99 per call and the ratios. Figures only; nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200}"
work="$(mktemp -d /tmp/colmeia-bench-api.XXXXXX)"
cleanup() {
    [ -n "${colmeia_pid:-}" ] && kill "$colmeia_pid" 2>/dev/null && wait "$colmeia_pid" 2>/dev/null || true
    [ -n "${dockerd_pid:-}" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product colmeiad >/dev/null
"$(swift build -c release --show-bin-path)/colmeiad" --data-dir "$work/colmeia" --host "unix://$work/colmeia.sock" \
    --init --executor process --log-level warning &
colmeia_pid=$!
for _ in $(seq 100); do [ -S "$work/colmeia.sock" ] && curl -sf --unix-socket "$work/colmeia.sock" http://x/_ping >/dev/null && break; sleep 0.1; done
echo "== colmeiad ($count services)"
python3 scripts/api-workload.py "$work/colmeia.sock" "$count" | tee "$work/colmeia.txt"

if command -v dockerd >/dev/null; then
    dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" -H "unix://$work/docker.sock" \
        --pidfile "$work/docker.pid" --iptables=false --ip6tables=false --storage-driver=vfs \
        --bip 10.250.0.1/24 >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 150); do curl -sf --unix-socket "$work/docker.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.2; done
    DOCKER_HOST="unix://$work/docker.sock" docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    echo "== dockerd swarm mode ($count services)"
    python3 scripts/api-workload.py "$work/docker.sock" "$count" | tee "$work/docker.txt"
    echo "== ratio colmeia/docker (p50, p99; below 1 means Colmeia is faster)"
    python3 - "$work/colmeia.txt" "$work/docker.txt" <<'PY'
import sys
def read(path):
    rows = {}
    for line in open(path):
        parts = dict(p.split("=") for p in line.split()[1:])
        rows[line.split()[0]] = (float(parts["p50_ms"]), float(parts["p99_ms"]))
    return rows
c, d = read(sys.argv[1]), read(sys.argv[2])
for name in c:
    print(f"{name:8s} p50 {c[name][0] / d[name][0]:.2f}  p99 {c[name][1] / d[name][1]:.2f}")
PY
else
    echo "(dockerd not installed: no Swarm comparison; apt-get install docker.io to add it)"
fi
