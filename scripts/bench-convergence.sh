#!/usr/bin/env bash
# Time from POST /services/create with 10 and 50 replicas to all running, on a private
# Docker engine: first colmeiad --executor docker, then Docker Swarm mode on a fresh engine
# with the same image. One engine at a time (both would want the same bridge). Figures
# only; nothing is asserted. Needs docker.io and busybox-static.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-10 50}")
work="$(mktemp -d /tmp/colmeia-bench-converge.XXXXXX)"
image=colmeia-bench/busybox:1
cleanup() {
    [ -n "${colmeia_pid:-}" ] && kill "$colmeia_pid" 2>/dev/null && wait "$colmeia_pid" 2>/dev/null || true
    [ -n "${dockerd_pid:-}" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
    umount -l "$work/colmeia/task-files" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

start_engine() { # $1: name
    dockerd --data-root "$work/$1" --exec-root "$work/$1-exec" -H "unix://$work/$1.sock" \
        --pidfile "$work/$1.pid" --iptables=false --ip6tables=false --storage-driver=vfs \
        --bip 10.250.0.1/24 >"$work/$1.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 150); do curl -sf --unix-socket "$work/$1.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.2; done
    mkdir -p "$work/rootfs/bin"
    cp -n /bin/busybox "$work/rootfs/bin/busybox"
    ln -sf busybox "$work/rootfs/bin/sh"; ln -sf busybox "$work/rootfs/bin/sleep"
    tar -C "$work/rootfs" -c . | DOCKER_HOST="unix://$work/$1.sock" docker import --change 'ENV PATH=/bin' - "$image" >/dev/null
}
stop_engine() {
    kill "$dockerd_pid"; wait "$dockerd_pid" 2>/dev/null || true; dockerd_pid=""
}

swift build -c release --product colmeiad >/dev/null
start_engine colmeia-engine
"$(swift build -c release --show-bin-path)/colmeiad" --data-dir "$work/colmeia" --host "unix://$work/colmeia.sock" \
    --init --executor docker --docker-host "unix://$work/colmeia-engine.sock" --log-level warning &
colmeia_pid=$!
for _ in $(seq 100); do curl -sf --unix-socket "$work/colmeia.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "== colmeiad --executor docker"
python3 scripts/convergence.py "$work/colmeia.sock" "$image" ${counts[*]}
kill "$colmeia_pid"; wait "$colmeia_pid" 2>/dev/null || true; colmeia_pid=""
DOCKER_HOST="unix://$work/colmeia-engine.sock" docker rm -f $(DOCKER_HOST="unix://$work/colmeia-engine.sock" docker ps -aq) >/dev/null 2>&1 || true
stop_engine

start_engine swarm-engine
DOCKER_HOST="unix://$work/swarm-engine.sock" docker swarm init --advertise-addr 127.0.0.1 >/dev/null
echo "== dockerd swarm mode"
python3 scripts/convergence.py "$work/swarm-engine.sock" "$image" ${counts[*]}
DOCKER_HOST="unix://$work/swarm-engine.sock" docker swarm leave --force >/dev/null || true
stop_engine
