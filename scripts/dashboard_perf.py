#!/usr/bin/env python3
"""The dashboard's browser side at 200 services and 2,000 tasks, measured in headless Chromium.

    dashboard_perf.py http://127.0.0.1:PORT [SERVICES REPLICAS UPDATES]

PORT is a real colmeiad (manager) running one service `template` of one replica. Its page,
scripts and style, its session, and the JSON of its node, service and task are copied; a
local server then serves the page with SERVICES x REPLICAS tasks cloned from that task (ids,
names, slots and nodes changed; five nodes cloned from the real one) and a change stream
(`/ui/api/stream`, the daemon's own format) on which it announces UPDATES changes, one at a
time, each a task moving from running to failed. A process per task would not fit this
machine (each process task has a guard process), so the cluster is cloned; what is measured
is the browser: network reads, JSON parsing and drawing.

First render: from navigation start to the end of the first drawing of the map with every
card (performance.now() in the page). Update: from the change event's arrival in the page
to the end of the redraw that shows it. Prints figures; asserts nothing.
"""
import copy
import json
import queue
import statistics
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

real = sys.argv[1]
services_count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
replicas = int(sys.argv[3]) if len(sys.argv) > 3 else 10
updates = int(sys.argv[4]) if len(sys.argv) > 4 else 20


def fetch(path):
    with urllib.request.urlopen(real + path, timeout=30) as response:
        return response.read(), response.headers.get("Content-Type")


assets = {path: fetch(path) for path in ["/ui", "/ui/app.js", "/ui/api.js", "/ui/views.js", "/ui/style.css", "/ui/api/session"]}
node = json.loads(fetch("/nodes")[0])[0]
service = json.loads(fetch("/services?filters=%7B%22name%22%3A%5B%22template%22%5D%7D")[0])[0]
task = json.loads(fetch("/tasks?filters=%7B%22service%22%3A%5B%22template%22%5D%7D")[0])[0]

nodes = []
for n in range(5):
    clone = copy.deepcopy(node)
    clone["ID"] = f"node{n:021d}"
    clone["Description"]["Hostname"] = f"node-{n + 1}"
    if n > 0:
        clone.pop("ManagerStatus", None)
        clone["Spec"]["Role"] = "worker"
    nodes.append(clone)
services, tasks = [], []
for s in range(services_count):
    clone = copy.deepcopy(service)
    clone["ID"] = f"svc{s:022d}"
    clone["Spec"]["Name"] = f"svc-{s}"
    clone["Spec"]["Mode"] = {"Replicated": {"Replicas": replicas}}
    services.append(clone)
    for slot in range(1, replicas + 1):
        t = copy.deepcopy(task)
        t["ID"] = f"t{s:012d}{slot:012d}"
        t["ServiceID"] = clone["ID"]
        t["Slot"] = slot
        t["NodeID"] = nodes[(s * replicas + slot) % 5]["ID"]
        tasks.append(t)
lock = threading.Lock()
index = [1000]
streams = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *arguments):
        pass

    def send(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/ui/api/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            events = queue.Queue()
            with lock:
                streams.append(events)
                start = index[0]
            self.wfile.write(f"id: {start}\nevent: hello\ndata: {{\"Index\":{start},\"Leader\":1}}\n\n".encode())
            self.wfile.flush()
            while True:
                self.wfile.write(events.get().encode())
                self.wfile.flush()
        with lock:
            if path in assets:
                body, content_type = assets[path]
            elif path == "/nodes":
                body, content_type = json.dumps(nodes).encode(), "application/json"
            elif path == "/services":
                body, content_type = json.dumps(services).encode(), "application/json"
            elif path == "/tasks":
                body, content_type = json.dumps(tasks).encode(), "application/json"
            else:
                self.send_error(404)
                return
        self.send(body, content_type)


def change(number):
    """Task `number` fails; the stream says so, as the daemon's would."""
    with lock:
        index[0] += 1
        t = tasks[number * 97 % len(tasks)]
        t["Status"] = dict(t["Status"], State="failed", Err=f"exit status {number}", Message="failed")
        event = f"id: {index[0]}\nevent: change\ndata: " + json.dumps(
            {"Index": index[0], "Changes": [{"Kind": "task", "ID": t["ID"], "Type": "task.updated"}]}) + "\n\n"
        for events in streams:
            events.put(event)
        return t["ID"]


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"

options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
js = driver.execute_script
try:
    firsts = []
    for attempt in range(3):
        driver.get("about:blank")
        driver.get(base + f"/ui?load={attempt}#/map")
        WebDriverWait(driver, 60, 0.02).until(lambda d: js("return document.querySelectorAll('.map .task').length") >= len(tasks))
        first = js("return colmeiaPerf.renders.find(r => r.view === 'map')")
        first["tasksRead"] = js("return performance.getEntriesByType('resource').filter(e => e.name.includes('/tasks'))"
                               ".map(e => e.responseEnd)[0]")
        firsts.append(first)
    print(f"{services_count} services, {len(tasks)} tasks on 5 nodes, {len(json.dumps(tasks)) // 1024} KiB of /tasks")
    print("first render (navigation start → map drawn with every card), 3 loads: "
          + ", ".join(f"{f['at']:.0f} ms (/tasks read by {f['tasksRead']:.0f} ms, drawing {f['ms']:.0f} ms)" for f in firsts))
    latencies, draws = [], []
    for number in range(updates):
        before = js("return (colmeiaPerf.changes || []).length")
        task_id = change(number)
        WebDriverWait(driver, 30, 0.01).until(
            lambda d: js(f"return document.querySelector(\".task[data-task='{task_id}']\")?.dataset.state") in ("failed", None))
        WebDriverWait(driver, 30, 0.01).until(lambda d: js("return colmeiaPerf.renders.at(-1).index") >= index[0])
        arrived = js("return colmeiaPerf.changes.at(-1)")
        drawn = js("return colmeiaPerf.renders.find(r => r.update && r.index >= arguments[0])", arrived["index"])
        latencies.append(drawn["at"] - arrived["at"])
        draws.append(drawn["ms"])
    latencies.sort()
    print(f"update (change event received → map redrawn), {updates} changes: median {statistics.median(latencies):.0f} ms, "
          f"max {latencies[-1]:.0f} ms; of which drawing median {statistics.median(draws):.1f} ms "
          f"(the rest: the 30 ms grouping of a burst, reading and parsing /tasks)")
finally:
    driver.quit()
    server.shutdown()
