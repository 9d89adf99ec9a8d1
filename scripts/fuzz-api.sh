#!/usr/bin/env bash
# Fuzzes colmeiad's Engine API with schemathesis, driven by api/openapi.yaml.
#
#   scripts/fuzz-api.sh                 # build colmeiad, start it, fuzz, stop it
#
# Environment:
#   SWIFT_SCRATCH_PATH  scratch path for `swift build` (default: .build)
#   COLMEIAD            use this colmeiad binary instead of building one
#   FUZZ_EXAMPLES       examples per operation (default: 100)
#   FUZZ_STATEFUL_EXAMPLES, FUZZ_STATEFUL_STEPS  stateful scenarios and their length (200, 20)
#   FUZZ_SEED           schemathesis seed, for a reproducible run (default: random)
#   FUZZ_TIMEOUT        seconds each schemathesis run may take (default: 300)
#   SCHEMATHESIS_VERSION  pinned schemathesis version (default below)
#
# A failure is any response that is a server error by the rules in
# scripts/fuzz_api_hooks.py (a 5xx not documented for that operation, or documented with
# other words), a response that breaks the document's status codes, content types or
# schemas, a request that hangs past the timeout, a daemon that dies, or one that does not
# stop cleanly on SIGTERM afterwards. Exits non-zero on any failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/.build-fuzz"
VENV="$WORK/venv"
SPEC="$ROOT/api/openapi.yaml"
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
EXAMPLES=${FUZZ_EXAMPLES:-100}
TIMEOUT=${FUZZ_TIMEOUT:-300}

# 1. schemathesis, in a venv of its own.
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    echo "fuzz-api: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# 2. colmeiad.
if [[ -z "${COLMEIAD:-}" ]]; then
    SCRATCH=${SWIFT_SCRATCH_PATH:-$ROOT/.build}
    echo "fuzz-api: building colmeiad (scratch path $SCRATCH)"
    (cd "$ROOT" && swift build --scratch-path "$SCRATCH" --product colmeiad)
    COLMEIAD="$(cd "$ROOT" && swift build --scratch-path "$SCRATCH" --show-bin-path)/colmeiad"
fi

# 3. A fresh single-node swarm on a free loopback port.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/colmeia-fuzz.XXXXXX")
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DAEMON_PID=""
cleanup() {
    if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# The docker host points nowhere: fuzzed services must never reach a real engine.
"$COLMEIAD" --data-dir "$TMP/data" --host "tcp://127.0.0.1:$PORT" --insecure-tcp --node-name colmeia-fuzz --init \
    --listen-addr "127.0.0.1:$((PORT + 1))" \
    --docker-host "unix://$TMP/no-docker.sock" --log-level warning 2>"$WORK/colmeiad.log" &
DAEMON_PID=$!
for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$PORT/_ping" >/dev/null 2>&1 && break
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "fuzz-api: colmeiad exited at start"; cat "$WORK/colmeiad.log"; exit 1; }
    sleep 0.05
done
curl -sf "http://127.0.0.1:$PORT/_ping" >/dev/null || { echo "fuzz-api: colmeiad did not answer /_ping"; exit 1; }
echo "fuzz-api: colmeiad (pid $DAEMON_PID) on 127.0.0.1:$PORT"

# 4. schemathesis. Documented 5xx (with their documented messages) are allowed per
#    operation; everything else 5xx fails.
"$VENV/bin/python" "$ROOT/scripts/fuzz_api_hooks.py" "$SPEC" "$TMP/schemathesis.toml"
export PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=fuzz_api_hooks
export COLMEIA_OPENAPI="$SPEC"
# The checks, and the statuses each operation may answer, are in the generated config.
COMMON=(--url "http://127.0.0.1:$PORT/v1.51"
        --request-timeout 10 --workers 1 --no-color --suppress-health-check all
        --report junit --report-dir "$WORK/report")
[[ -n "${FUZZ_SEED:-}" ]] && COMMON+=(--seed "$FUZZ_SEED")

status=0
# Run from the work dir: schemathesis and hypothesis keep their databases in the current one.
cd "$WORK"
st() { timeout --kill-after=10 "$TIMEOUT" "$VENV/bin/schemathesis" --config-file "$TMP/schemathesis.toml" run "$SPEC" "$@"; }
# Everything but leaving the swarm, which would turn every later request into a 503.
st "${COMMON[@]}" --phases examples,coverage,fuzzing,stateful --max-examples "$EXAMPLES" \
    --exclude-operation-id SwarmLeave || status=$?
# Then leave (forced or not) and initialize again.
st "${COMMON[@]}" --phases examples,coverage,fuzzing --max-examples 10 --include-operation-id SwarmLeave || status=$?
st "${COMMON[@]}" --phases examples,coverage,fuzzing --max-examples 10 --include-operation-id SwarmInit || status=$?

if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
    echo "fuzz-api: colmeiad died during the run; its log:"
    tail -50 "$WORK/colmeiad.log"
    status=1
else
    # 5. A clean stop: SIGTERM ends the daemon even with event streams open, one abandoned
    #    by its client and one still read.
    curl -s --max-time 1 "http://127.0.0.1:$PORT/events" >/dev/null || true
    curl -s --max-time 30 "http://127.0.0.1:$PORT/events" >/dev/null &
    READER=$!
    sleep 0.5
    kill -TERM "$DAEMON_PID"
    for _ in $(seq 150); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$DAEMON_PID" 2>/dev/null; then
        echo "fuzz-api: colmeiad did not stop within 15 s of SIGTERM (a hang)"
        status=1
    elif ! wait "$DAEMON_PID"; then
        echo "fuzz-api: colmeiad exited with an error at SIGTERM"
        status=1
    fi
    kill "$READER" 2>/dev/null || true
fi
if [[ $status -ne 0 ]]; then
    echo "fuzz-api: FAILED (exit $status); colmeiad log: $WORK/colmeiad.log"
else
    echo "fuzz-api: passed"
fi
exit $status
