#!/bin/sh
# The container side of docker-compose.yml: one Colmeia node. ROLE is init (the first
# manager: starts the swarm and hands its join tokens to the others through the shared
# /tokens volume), manager or worker (joins with the token it finds there). NODE_ADDR is
# the node's address on the compose network (fixed in docker-compose.yml).
set -eu
ROLE=${ROLE:?set ROLE to init, manager or worker}
ADDR=${NODE_ADDR:?set NODE_ADDR}
SOCKET=/run/colmeia.sock
mkdir -p /data /tokens /run

# Tasks run as processes inside this container (the process executor): a node needs no
# Docker engine of its own, and the image stays one small root filesystem.
colmeiad --data-dir /data --host unix://$SOCKET --host tcp://0.0.0.0:2375 --insecure-tcp \
    --listen-addr "$ADDR:2377" --node-name "$(hostname)" --executor process --process-user nobody \
    --metrics-addr 0.0.0.0:9323 --log-format "${LOG_FORMAT:-text}" &
DAEMON=$!
trap 'kill -TERM $DAEMON; wait $DAEMON' TERM INT

until [ -S $SOCKET ] && colmeia -H unix://$SOCKET version >/dev/null 2>&1; do sleep 0.2; done

# A restarted container's node is already in the swarm (its data directory says so).
if [ ! -f /data/.joined ]; then
    case "$ROLE" in
    init)
        colmeia -H unix://$SOCKET swarm init --listen-addr "$ADDR:2377" --advertise-addr "$ADDR:2377"
        colmeia -H unix://$SOCKET swarm join-token -q manager > /tokens/manager.tmp && mv /tokens/manager.tmp /tokens/manager
        colmeia -H unix://$SOCKET swarm join-token -q worker > /tokens/worker.tmp && mv /tokens/worker.tmp /tokens/worker
        echo "$ADDR:2377" > /tokens/address
        ;;
    manager|worker)
        until [ -s /tokens/$ROLE ] && [ -s /tokens/address ]; do sleep 0.5; done
        until colmeia -H unix://$SOCKET swarm join --token "$(cat /tokens/$ROLE)" --listen-addr "$ADDR:2377" \
            --advertise-addr "$ADDR:2377" "$(cat /tokens/address)"; do
            sleep 1
        done
        ;;
    *)
        echo "unknown ROLE $ROLE" >&2
        exit 2
        ;;
    esac
    touch /data/.joined
fi
wait $DAEMON
