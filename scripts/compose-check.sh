#!/usr/bin/env bash
# The docker-compose.yml swarm, end to end, against a private Docker engine: builds the
# image, `docker-compose up -d`, waits for /readyz on all five nodes (their healthchecks),
# reads `docker node ls` through the published API (3 managers, one Leader, 2 workers
# Ready), runs a 5-replica service, stops the leader's container and sees a new leader and
# the service 5/5 again, then `docker-compose down -v` leaves nothing behind. Run by CI.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WORK=$(mktemp -d /tmp/colmeia-compose-XXXXXX)
BRIDGE="ccb$(( $$ % 100000 ))"
PROJECT="colmeiacheck$(( $$ % 100000 ))"
API_PORT=$(( 23000 + $$ % 500 ))
export COLMEIA_IMAGE="colmeia:compose-check"
export COLMEIA_API_PORT=$API_PORT
ENGINE="unix://$WORK/docker.sock"
DOCKERD_PID=""

say() { echo "compose-check: $*"; }
fail() { say "FAILED: $*"; exit 1; }

cleanup() {
    set +e
    if [ -n "$DOCKERD_PID" ]; then
        DOCKER_HOST=$ENGINE docker-compose -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1
        kill "$DOCKERD_PID" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    fi
    ip link del "$BRIDGE" 2>/dev/null
    rm -rf "$WORK" 2>/dev/null
}
trap cleanup EXIT

command -v docker-compose >/dev/null || fail "docker-compose is not installed (apt-get install docker-compose)"
ip link add name "$BRIDGE" type bridge
ip addr add 10.251.$(( $$ % 200 )).1/24 dev "$BRIDGE"
ip link set "$BRIDGE" up
dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" -H "$ENGINE" --pidfile "$WORK/docker.pid" \
    --iptables=false --ip6tables=false --storage-driver=vfs --bridge "$BRIDGE" >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
export DOCKER_HOST=$ENGINE
for _ in $(seq 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
docker version >/dev/null 2>&1 || fail "the private dockerd did not start: $(tail -5 "$WORK/dockerd.log")"

IMAGE=$COLMEIA_IMAGE scripts/build-image.sh
docker-compose -p "$PROJECT" up -d

say "waiting for /readyz on all five nodes"
healthy=0
for _ in $(seq 240); do
    healthy=$(docker ps --filter "label=com.docker.compose.project=$PROJECT" --filter health=healthy -q | wc -l)
    [ "$healthy" -eq 5 ] && break
    sleep 1
done
if [ "$healthy" -ne 5 ]; then
    for c in $(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do
        echo "--- $(docker inspect --format '{{.Name}} {{.State.Status}} {{.State.Health.Status}}' "$c")"; docker logs --tail 15 "$c" 2>&1
    done
    fail "$healthy of 5 nodes ready after 240 s"
fi

API="tcp://127.0.0.1:$API_PORT"
nodes=$(DOCKER_HOST=$API docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}')
echo "$nodes"
[ "$(echo "$nodes" | wc -l)" -eq 5 ] || fail "docker node ls shows $(echo "$nodes" | wc -l) nodes, not 5"
[ "$(echo "$nodes" | grep -c ' Ready Leader$')" -eq 1 ] || fail "not exactly one Leader"
[ "$(echo "$nodes" | grep -c ' Ready Reachable$')" -eq 2 ] || fail "not two Reachable managers"
[ "$(echo "$nodes" | grep -c '^worker[12] Ready $')" -eq 2 ] || fail "not two Ready workers"

DOCKER_HOST=$API docker service create --detach --name web --replicas 5 busybox sleep 100000 >/dev/null
converged() { [ "$(exec_in "$1" colmeia -H unix:///run/colmeia.sock service ls --format '{{.Name}} {{.Replicas}}')" = "web 5/5" ]; }
# Fails while the swarm has no leader to answer: callers retry.
exec_in() { local service=$1; shift; docker-compose -p "$PROJECT" exec -T "$service" "$@" 2>/dev/null; }
for _ in $(seq 120); do converged manager1 && break; sleep 1; done
converged manager1 || fail "web did not converge to 5/5: $(DOCKER_HOST=$API docker service ps web 2>&1 | tail -8)"
say "web runs 5/5"

leader=$(echo "$nodes" | awk '/ Leader$/ { print $1 }')
survivor=manager2
[ "$leader" = manager2 ] && survivor=manager3
say "stopping the leader's container ($leader)"
docker-compose -p "$PROJECT" stop "$leader" >/dev/null
new_leader=""
for _ in $(seq 60); do
    new_leader=$(exec_in "$survivor" colmeia -H unix:///run/colmeia.sock node ls --format '{{.Hostname}} {{.ManagerStatus}}' | awk '/ Leader$/ { print $1 }' || true)
    [ -n "$new_leader" ] && [ "$new_leader" != "$leader" ] && break
    sleep 1
done
[ -n "$new_leader" ] && [ "$new_leader" != "$leader" ] || fail "no new leader after $leader stopped"
say "new leader: $new_leader"
# 5/5 again once the stopped node is Down and its tasks run elsewhere.
moved() {
    [ "$(exec_in "$survivor" colmeia -H unix:///run/colmeia.sock node ls --format '{{.Hostname}} {{.Status}}' | grep -c "^$leader Down$")" -eq 1 ] \
        && [ "$(exec_in "$survivor" colmeia -H unix:///run/colmeia.sock service ps web --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' \
                | grep -v "^$leader " | grep -c ' Running')" -eq 5 ] \
        && converged "$survivor"
}
for _ in $(seq 120); do moved && break; sleep 1; done
moved || fail "web is not 5/5 on the other nodes after the leader stopped: $(exec_in "$survivor" colmeia -H unix:///run/colmeia.sock service ps web 2>&1 | head -12)"
say "$leader is Down; web runs 5/5 on the other nodes"

docker-compose -p "$PROJECT" down -v >/dev/null 2>&1
left=$(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"; docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT"; docker network ls -q --filter "label=com.docker.compose.project=$PROJECT")
[ -z "$left" ] || fail "docker-compose down -v left: $left"
say "down -v left nothing behind; passed"
