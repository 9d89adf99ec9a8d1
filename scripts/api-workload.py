#!/usr/bin/env python3
"""A fixed Engine API workload over a unix socket: create N services, list, inspect each,
update each with its version, delete each. Prints p50/p99 per call as JSON-ish lines.

Usage: api-workload.py SOCKET [N]
"""
import json
import statistics
import sys
import time

from unixhttp import UnixConnection, request


def call(conn, method, path, body=None):
    started = time.perf_counter()
    status, data = request(conn, method, path, body)
    elapsed = time.perf_counter() - started
    if status >= 300:
        raise SystemExit(f"{method} {path}: {status} {data[:200]!r}")
    return elapsed, (json.loads(data) if data else None)


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def main():
    sock = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    conn = UnixConnection(sock)
    timings = {"create": [], "list": [], "inspect": [], "update": [], "delete": []}
    ids = []
    for number in range(count):
        spec = {"Name": f"bench-{number}", "Labels": {"bench": "api"},
                "TaskTemplate": {"ContainerSpec": {"Image": "busybox:latest", "Command": ["sleep", "1000"]}},
                "Mode": {"Replicated": {"Replicas": 0}}}
        elapsed, body = call(conn, "POST", "/services/create", spec)
        timings["create"].append(elapsed)
        ids.append(body["ID"])
    for _ in range(20):
        elapsed, _ = call(conn, "GET", '/services?filters={"label":["bench=api"]}')
        timings["list"].append(elapsed)
    specs = {}
    for service_id in ids:
        elapsed, body = call(conn, "GET", f"/services/{service_id}")
        timings["inspect"].append(elapsed)
        specs[service_id] = body
    for service_id in ids:
        service = specs[service_id]
        spec = service["Spec"]
        spec["Labels"]["updated"] = "yes"
        elapsed, _ = call(conn, "POST", f"/services/{service_id}/update?version={service['Version']['Index']}", spec)
        timings["update"].append(elapsed)
    for service_id in ids:
        elapsed, _ = call(conn, "DELETE", f"/services/{service_id}")
        timings["delete"].append(elapsed)
    for name, values in timings.items():
        print(f"{name:8s} calls={len(values)} p50_ms={percentile(values, 0.5) * 1000:.3f} "
              f"p99_ms={percentile(values, 0.99) * 1000:.3f} mean_ms={statistics.mean(values) * 1000:.3f}")


if __name__ == "__main__":
    main()
