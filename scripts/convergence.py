#!/usr/bin/env python3
"""Time from POST /services/create to every replica running, over a unix socket.

Usage: convergence.py SOCKET IMAGE REPLICAS [REPLICAS...]
Prints one line per run: replicas=N seconds=S. Removes each service afterwards and waits
until its tasks are gone, so runs do not overlap.
"""
import json
import sys
import time
import urllib.parse

from unixhttp import UnixConnection, request


def call(conn, method, path, body=None):
    status, data = request(conn, method, path, body)
    if status >= 300:
        raise SystemExit(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data) if data else None


def tasks(conn, service_id):
    filters = urllib.parse.quote(json.dumps({"service": [service_id]}))
    status, data = request(conn, "GET", f"/tasks?filters={filters}")
    if status == 404:  # dockerd: the service filter names a service that is gone
        return []
    if status >= 300:
        raise SystemExit(f"GET /tasks: {status} {data[:300]!r}")
    return json.loads(data)


def main():
    sock, image, counts = sys.argv[1], sys.argv[2], [int(c) for c in sys.argv[3:]]
    conn = UnixConnection(sock)
    for count in counts:
        spec = {"Name": f"converge-{count}",
                "TaskTemplate": {"ContainerSpec": {"Image": image, "Args": ["sleep", "1000"]}},
                "Mode": {"Replicated": {"Replicas": count}}}
        started = time.perf_counter()
        service_id = call(conn, "POST", "/services/create", spec)["ID"]
        while True:
            running = [t for t in tasks(conn, service_id)
                       if t["DesiredState"] == "running" and t["Status"]["State"] == "running"]
            if len(running) >= count:
                break
            time.sleep(0.05)
        print(f"replicas={count} seconds={time.perf_counter() - started:.2f}", flush=True)
        call(conn, "DELETE", f"/services/{service_id}")
        deadline = time.time() + 300
        while tasks(conn, service_id) and time.time() < deadline:
            time.sleep(0.2)


if __name__ == "__main__":
    main()
