#!/usr/bin/env bash
# Measures the routing mesh against HAProxy, the reference userspace L4 proxy: small HTTP
# requests (wrk, keep-alive) on four paths, side by side, in one run.
#
#   sudo scripts/bench-mesh.sh            # build colmeiad (release), run, print the table
#
# Two colmeiad nodes (process executor), each in a network namespace of its own on a
# bridge; one task (HAProxy answering 200 "ok" itself, so the backend is never the
# bottleneck) on node A, published on 8080 through the mesh. The paths:
#   direct       wrk in A → the task's own port (127.0.0.1:$PORT)
#   mesh, same   wrk in A → A:8080 (the mesh hands the connection to the local task)
#   mesh, other  wrk in B → B:8080 (B runs no task: the data path, mutual TLS, to A)
#   haproxy tcp  wrk in A → A:9080, HAProxy in `mode tcp` → the task's port
#
# Environment: DURATION (seconds per path, default 10), CONNECTIONS (default 32),
# THREADS (wrk threads, default 2), COLMEIAD (a colmeiad binary instead of building one).
# Needs root, iproute2, iptables, wrk and haproxy (apt-get install wrk haproxy).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
for tool in wrk haproxy ip docker; do
    command -v "$tool" >/dev/null || { echo "bench-mesh: $tool is missing (apt-get install wrk haproxy iproute2 docker.io)"; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "bench-mesh: run as root (network namespaces)"; exit 1; }

if [[ -z "${COLMEIAD:-}" ]]; then
    echo "bench-mesh: building colmeiad (release)"
    (cd "$ROOT" && swift build -c release --product colmeiad >/dev/null)
    COLMEIAD="$(cd "$ROOT" && swift build -c release --show-bin-path)/colmeiad"
fi

ID=$((RANDOM % 9000 + 1000))
NET="192.168.$((RANDOM % 100 + 100))"
BR="cmbb$ID"
NS=("cmb${ID}a" "cmb${ID}b")
ADDR=("$NET.2" "$NET.3")
PORT=61950
WORK=$(mktemp -d /tmp/colmeia-bench-mesh.XXXXXX)
chmod 755 "$WORK"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [[ $alive -eq 0 ]] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
    iptables -D FORWARD -i "$BR" -o "$BR" -j ACCEPT 2>/dev/null || true
    ip link del "$BR" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ip link add "$BR" type bridge
ip addr add "$NET.1/24" dev "$BR"
ip link set "$BR" up
iptables -I FORWARD -i "$BR" -o "$BR" -j ACCEPT 2>/dev/null || true
for i in 0 1; do
    ip netns add "${NS[$i]}"
    ip link add "cmbv$ID$i" type veth peer name "cmbp$ID$i"
    ip link set "cmbp$ID$i" netns "${NS[$i]}"
    ip link set "cmbv$ID$i" master "$BR" up
    ip netns exec "${NS[$i]}" ip link set lo up
    ip netns exec "${NS[$i]}" ip addr add "${ADDR[$i]}/24" dev "cmbp$ID$i"
    ip netns exec "${NS[$i]}" ip link set "cmbp$ID$i" up
done

start_node() { # index, extra flags…
    local i=$1
    shift
    ip netns exec "${NS[$i]}" "$COLMEIAD" --data-dir "$WORK/node$i" --host "unix://$WORK/node$i.sock" \
        --listen-addr "${ADDR[$i]}:$PORT" --node-name "node$i" --executor process --log-level warning "$@" \
        2>"$WORK/node$i.log" &
    PIDS+=($!)
    disown
    for _ in $(seq 200); do
        DOCKER_HOST="unix://$WORK/node$i.sock" docker version >/dev/null 2>&1 && return
        sleep 0.05
    done
    echo "bench-mesh: node $i did not start"; cat "$WORK/node$i.log"; exit 1
}
start_node 0 --init
start_node 1
export DOCKER_CLI_HINTS=false
A="unix://$WORK/node0.sock"
TOKEN=$(DOCKER_HOST=$A docker swarm join-token -q worker)
DOCKER_HOST="unix://$WORK/node1.sock" docker swarm join --token "$TOKEN" --listen-addr "${ADDR[1]}:$PORT" \
    --advertise-addr "${ADDR[1]}:$PORT" "${ADDR[0]}:$PORT" >/dev/null

# The task: HAProxy answering every request itself.
cat > "$WORK/backend.sh" <<'EOF'
#!/bin/sh
cat > backend.cfg <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend ok
    bind 127.0.0.1:$PORT
    http-request return status 200 content-type text/plain string "ok"
CFG
exec haproxy -db -f backend.cfg
EOF
chmod 755 "$WORK/backend.sh"
DOCKER_HOST=$A docker service create -d --name bench -p 8080:80 --constraint node.hostname==node0 \
    busybox "$WORK/backend.sh" >/dev/null
for _ in $(seq 200); do
    TASKPORT=$( (cat "/proc/$(pgrep -f "haproxy -db -f backend.cfg" | head -1)/environ" 2>/dev/null || true) | tr '\0' '\n' | sed -n 's/^PORT=//p')
    if [[ -n "$TASKPORT" ]] && ip netns exec "${NS[1]}" curl -sf "http://${ADDR[1]}:8080/" >/dev/null 2>&1; then break; fi
    sleep 0.1
done
[[ -n "${TASKPORT:-}" ]] || { echo "bench-mesh: the task did not start"; DOCKER_HOST=$A docker service ps --no-trunc bench; tail "$WORK"/node*.log; exit 1; }

# The yardstick: HAProxy in TCP mode toward the same task, in node A's namespace.
cat > "$WORK/haproxy-tcp.cfg" <<EOF
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend mesh_yardstick
    bind ${ADDR[0]}:9080
    default_backend task
backend task
    server task 127.0.0.1:$TASKPORT
EOF
ip netns exec "${NS[0]}" haproxy -db -f "$WORK/haproxy-tcp.cfg" >/dev/null 2>&1 &
PIDS+=($!)
disown
sleep 0.5

run() { # namespace index, url → "rps p50_ms p99_ms"
    ip netns exec "${NS[$1]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2" | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx|Socket errors/ { errors = errors " " $0 }
        END { printf "%.0f %.3f %.3f%s\n", rps, p50, p99, errors }'
}

echo "bench-mesh: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, small HTTP requests (keep-alive), $(nproc) cores"
# Warm up every path once.
for target in "0 http://127.0.0.1:$TASKPORT/" "0 http://${ADDR[0]}:8080/" "1 http://${ADDR[1]}:8080/" "0 http://${ADDR[0]}:9080/"; do
    set -- $target
    ip netns exec "${NS[$1]}" wrk -t1 -c4 -d1s "$2" >/dev/null
done
read -r D_RPS D_P50 D_P99 D_ERR <<<"$(run 0 "http://127.0.0.1:$TASKPORT/")"
read -r S_RPS S_P50 S_P99 S_ERR <<<"$(run 0 "http://${ADDR[0]}:8080/")"
read -r O_RPS O_P50 O_P99 O_ERR <<<"$(run 1 "http://${ADDR[1]}:8080/")"
read -r H_RPS H_P50 H_P99 H_ERR <<<"$(run 0 "http://${ADDR[0]}:9080/")"

printf '\n%-34s %12s %10s %10s\n' "path" "requests/s" "p50 ms" "p99 ms"
printf '%-34s %12s %10s %10s\n' "direct to the task" "$D_RPS" "$D_P50" "$D_P99"
printf '%-34s %12s %10s %10s\n' "mesh, on the task's node" "$S_RPS" "$S_P50" "$S_P99"
printf '%-34s %12s %10s %10s\n' "mesh, from another node (mTLS)" "$O_RPS" "$O_P50" "$O_P99"
printf '%-34s %12s %10s %10s\n' "haproxy 'mode tcp' (yardstick)" "$H_RPS" "$H_P50" "$H_P99"
for errors in "$D_ERR" "$S_ERR" "$O_ERR" "$H_ERR"; do [[ -n "$errors" ]] && echo "bench-mesh: wrk reported:$errors"; done
awk -v s="$S_RPS" -v h="$H_RPS" -v sp="$S_P50" -v hp="$H_P50" 'BEGIN {
    printf "\nsame-node mesh vs haproxy: %.2fx the requests/s (target >= 0.8x), p50 %+.3f ms (target within 0.2 ms)\n", s / h, sp - hp }'
