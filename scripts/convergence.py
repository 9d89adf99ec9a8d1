#!/usr/bin/env python3
"""Time from POST /services/create to every replica running, over a unix socket.

Usage: convergence.py SOCKET IMAGE REPLICAS [REPLICAS...]
Prints one line per run: replicas=N seconds=S. Removes each service afterwards and waits
until its tasks are gone, so runs do not overlap.
"""
import http.client
import json
import socket
import sys
import time
import urllib.parse


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def call(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, "/v1.41" + path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def tasks(conn, service_id):
    filters = urllib.parse.quote(json.dumps({"service": [service_id]}))
    return call(conn, "GET", f"/tasks?filters={filters}")


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
