import Foundation
import Synchronization
import Testing

/// The routing mesh on three nodes, each in its own network namespace (process executor),
/// driven with the stock docker CLI: published ports answer on every node, connections
/// cross nodes over the data path, scale and rolling updates lose nothing.
@Suite("routing mesh across network namespaces", .serialized, .enabled(if: NetworkNamespaces.available))
struct RoutingMeshTests {
    @Test("a one-replica service published on 8080 answers curl NODE:8080 on all three nodes, the two without its task included; the reply names the task; other nodes' connections take the data path")
    func publishedPortAnswersOnEveryNode() throws {
        let cluster = try MeshCluster()
        try cluster.manager.docker(cluster.backendService("web", ["-p", "8080:80"]))
        var task: (name: String, node: String)?
        try MultiManagerTests.eventually("the task runs", timeout: 30, showingLogsOf: cluster.nodes) {
            task = try cluster.runningTasks("web").first
            return task != nil
        }
        let served = try #require(task)
        let taskNode = try #require(cluster.index(ofNodeNamed: served.node))
        for index in cluster.nodes.indices {
            var answer: Result<String, MeshClient.Failure> = .failure(.refused)
            try MultiManagerTests.eventually("node \(index + 1) answers on 8080", timeout: 10, showingLogsOf: cluster.nodes) {
                answer = MeshClient.get(cluster.namespaces.address(index), 8080)
                return (try? answer.get()) != nil
            }
            let body = try answer.get()
            #expect(body == "served by \(served.name) for 127.0.0.1", "node \(index + 1): \(body)")
        }
        // The two nodes without the task sent theirs over the data path; the task's node
        // took them from there and sent its own straight to the task.
        for index in cluster.nodes.indices {
            let counters = try cluster.counters("web", on: index)
            if index == taskNode {
                #expect(counters["fromOtherNode"] ?? 0 >= 2, "\(counters)")
                #expect(counters["toLocalTask"] ?? 0 >= 1, "\(counters)")
            } else {
                #expect(counters["toOtherNode"] ?? 0 >= 1, "\(counters)")
                #expect(counters["toLocalTask"] ?? 0 == 0, "\(counters)")
            }
        }
    }
}

extension RoutingMeshTests {
    @Test("scale to 0: every node refuses within 1 s, at once; scale 1 → 3: each new task takes connections within 1 s of running")
    func scaleZeroRefusesAndNewTasksTakeConnections() throws {
        let cluster = try MeshCluster()
        try cluster.manager.docker(cluster.backendService("web", ["-p", "8080:80"]))
        try MultiManagerTests.eventually("node 3 answers", timeout: 30, showingLogsOf: cluster.nodes) {
            (try? MeshClient.get(cluster.namespaces.address(2), 8080).get()) != nil
        }

        try cluster.manager.docker("service", "scale", "-d", "web=0")
        let scaled = Date()
        for index in cluster.nodes.indices {
            var refused = false
            while Date().timeIntervalSince(scaled) < 1 {
                let started = Date()
                let answer = MeshClient.get(cluster.namespaces.address(index), 8080, timeout: 1)
                // Refused, not held: the attempt itself is immediate.
                if answer == .failure(.refused) {
                    #expect(Date().timeIntervalSince(started) < 0.5)
                    refused = true
                    break
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            #expect(refused, "node \(index + 1) still took connections 1 s after scale 0")
        }

        try cluster.manager.docker("service", "scale", "-d", "web=1")
        try MultiManagerTests.eventually("one task runs", timeout: 30) { try cluster.runningTasks("web").count == 1 }
        try cluster.manager.docker("service", "scale", "-d", "web=3")
        var running: [String] = []
        try MultiManagerTests.eventually("three tasks run", timeout: 30, showingLogsOf: cluster.nodes) {
            running = try cluster.runningTasks("web").map(\.name)
            return running.count == 3
        }
        let allRunning = Date()
        var seen: Set<String> = []
        var attempts = 0
        while Date().timeIntervalSince(allRunning) < 1, seen.count < 3 {
            let node = attempts % cluster.nodes.count
            attempts += 1
            if case .success(let body) = MeshClient.get(cluster.namespaces.address(node), 8080, timeout: 1),
               let task = running.first(where: { body.hasPrefix("served by \($0) ") }) {
                seen.insert(task)
            }
        }
        #expect(seen == Set(running), "within 1 s of running, only \(seen.count) of 3 tasks took connections (\(attempts) requests)")
    }

    @Test("a rolling update under load through the mesh, stop-first then start-first, 3 replicas: at least 2,000 requests each, none fails")
    func rollingUpdateUnderLoadLosesNothing() throws {
        let cluster = try MeshCluster()
        try cluster.manager.docker(cluster.backendService("web", ["-p", "8080:80", "--replicas", "3", "--update-delay", "0s"]))
        try MultiManagerTests.eventually("three tasks answer", timeout: 30, showingLogsOf: cluster.nodes) {
            try cluster.runningTasks("web").count == 3
                && (try? MeshClient.get(cluster.namespaces.address(1), 8080).get()) != nil
        }
        for (order, image) in [("stop-first", "busybox:1.36"), ("start-first", "busybox:1.37")] {
            let before = Set(try cluster.runningTasks("web").map(\.name))
            let done = Flag()
            let socket = cluster.manager.socket
            let update = Thread {
                _ = try? DaemonHarness.run("docker", ["service", "update", "--update-order", order, "--image", image, "web"],
                                           socket: socket)
                done.value.store(true, ordering: .releasing)
            }
            update.start()
            var requests = 0
            var failures: [String] = []
            var servedBy: Set<String> = []
            while !done.value.load(ordering: .acquiring) || requests < 2_000 {
                let node = requests % cluster.nodes.count
                requests += 1
                switch MeshClient.get(cluster.namespaces.address(node), 8080) {
                case .success(let body): servedBy.insert(String(body.split(separator: " ").dropFirst(2).first ?? ""))
                case .failure(let failure): failures.append("request \(requests) via node \(node + 1): \(failure)")
                }
                if requests > 200_000 { break }
            }
            let after = Set(try cluster.runningTasks("web").map(\.name))
            #expect(failures.isEmpty, "\(order): \(failures.count) of \(requests) requests failed: \(failures.prefix(5))")
            #expect(requests >= 2_000)
            #expect(after.count == 3 && after.isDisjoint(with: before), "\(order): the update did not replace every task")
            // Old and new tasks both answered while it ran.
            #expect(!servedBy.isDisjoint(with: before) && !servedBy.isDisjoint(with: after), "\(order): \(servedBy)")
            let state = try cluster.manager.docker("service", "inspect", "web", "--format", "{{.UpdateStatus.State}}")
            #expect(state.trimmingCharacters(in: .whitespacesAndNewlines) == "completed", "\(order): \(state)")
        }
    }

    @Test("UDP published on 5353: every node answers a datagram, the two without the task over the data path")
    func udpPublishedPortAnswersOnEveryNode() throws {
        let cluster = try MeshCluster()
        try cluster.manager.docker(["service", "create", "-d", "--name", "dns", "-p", "5353:53/udp", "--env", "UDP=1",
                                    "--env", "TASK={{.Task.Name}}", "--constraint", "node.hostname==n1",
                                    "busybox", "python3", cluster.scripts + "/backend.py"])
        var task = ""
        try MultiManagerTests.eventually("the task runs", timeout: 30, showingLogsOf: cluster.nodes) {
            task = try cluster.runningTasks("dns").first?.name ?? ""
            return !task.isEmpty
        }
        for index in cluster.nodes.indices {
            var answer: String?
            try MultiManagerTests.eventually("node \(index + 1) answers on 5353/udp", timeout: 10, showingLogsOf: cluster.nodes) {
                answer = MeshClient.udp(cluster.namespaces.address(index), 5353, "hello \(index)")
                return answer != nil
            }
            #expect(answer == "served by \(task): hello \(index)")
        }
        #expect(try cluster.counters("dns", on: 1)["toOtherNode"] ?? 0 >= 1)
        #expect(try cluster.counters("dns", on: 0)["fromOtherNode"] ?? 0 >= 2)
    }

    @Test("PROXY protocol v2 (the com.colmeia.proxy-protocol label): the task sees the caller's address, not the node's, through any node")
    func proxyProtocolCarriesTheClientAddress() throws {
        let cluster = try MeshCluster()
        try cluster.manager.docker(cluster.backendService("real", ["-p", "8081:80", "--label", "com.colmeia.proxy-protocol=v2"],
                                                          proxyProtocol: true))
        try cluster.manager.docker(cluster.backendService("plain", ["-p", "8082:80"]))
        for index in cluster.nodes.indices {
            var body = ""
            try MultiManagerTests.eventually("node \(index + 1) answers on 8081", timeout: 30, showingLogsOf: cluster.nodes) {
                body = try MeshClient.get(cluster.namespaces.address(index), 8081).get()
                return true
            }
            // The caller is the host namespace, on the bridge.
            #expect(body.hasSuffix(" for \(cluster.namespaces.hostAddress)"), "node \(index + 1): \(body)")
            var plain = ""
            try MultiManagerTests.eventually("node \(index + 1) answers on 8082", timeout: 30) {
                plain = try MeshClient.get(cluster.namespaces.address(index), 8082).get()
                return true
            }
            #expect(plain.hasSuffix(" for 127.0.0.1"), "without the option the task sees its node: \(plain)")
        }
    }

    @Test("bad input: a host port taken fails the task naming it; an ingress port taken on one node is reported there while the others serve; overlapping subnets, unknown networks and full ones are refused in Docker's words")
    func badInput() throws {
        let cluster = try MeshCluster()
        // Something else holds 9090 and 9091 on node 3.
        let blocker = Process()
        blocker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The interpreter itself (not a wrapper that would fork it), so that terminating
        // the process ends it; its output never holds the test's own.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        blocker.arguments = ["ip", "netns", "exec", cluster.namespaces.names[2], python, "-c",
                             "import socket, time\nsockets = []\nfor port in (9090, 9091):\n    s = socket.socket()\n    s.bind(('0.0.0.0', port))\n    s.listen()\n    sockets.append(s)\nprint('bound', flush=True)\ntime.sleep(600)"]
        let ready = Pipe()
        blocker.standardOutput = ready
        blocker.standardError = FileHandle.nullDevice
        try blocker.run()
        defer {
            kill(blocker.processIdentifier, SIGKILL)
            blocker.waitUntilExit()
        }
        _ = ready.fileHandleForReading.availableData

        // Host mode: the task on node 3 fails, and says which port.
        try cluster.manager.docker(cluster.backendService("hostport", ["--publish", "mode=host,published=9090,target=80",
                                                                      "--constraint", "node.hostname==n3",
                                                                      "--restart-condition", "none"]))
        var error = ""
        try MultiManagerTests.eventually("the host-mode task fails", timeout: 30, showingLogsOf: cluster.nodes) {
            error = try cluster.manager.docker("service", "ps", "hostport", "--no-trunc", "--format", "{{.Error}}")
            return !error.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        #expect(error.contains("9090") && error.contains("port is already allocated"), "\(error)")

        // Ingress: node 3 cannot bind 9091 and says so; nodes 1 and 2 serve it.
        try cluster.manager.docker(cluster.backendService("ingress", ["-p", "9091:80", "--constraint", "node.hostname==n1"]))
        for index in 0..<2 {
            try MultiManagerTests.eventually("node \(index + 1) serves 9091", timeout: 30, showingLogsOf: cluster.nodes) {
                (try MeshClient.get(cluster.namespaces.address(index), 9091).get()).hasPrefix("served by ingress.1.")
            }
        }
        try MultiManagerTests.eventually("node 3 reports 9091 taken", timeout: 30, showingLogsOf: cluster.nodes) {
            let listeners = try cluster.mesh(2)["listeners"] as? [[String: Any]] ?? []
            return listeners.contains {
                $0["port"] as? Int == 9091 && $0["listening"] as? Bool == false
                    && ($0["error"] as? String ?? "").contains("address already in use")
            }
        }
        #expect(cluster.nodes[2].logText.contains("cannot bind a published port"))

        // Networks.
        try cluster.manager.docker("network", "create", "-d", "overlay", "--subnet", "10.30.0.0/16", "first")
        let overlap = try cluster.manager.dockerFails("network", "create", "-d", "overlay", "--subnet", "10.30.5.0/24", "second")
        #expect(overlap.contains("Pool overlaps with other one on this address space"), "\(overlap)")
        let missing = try cluster.manager.dockerFails("service", "create", "--network", "nosuch", "busybox", "sleep", "1")
        #expect(missing.contains("network nosuch not found"), "\(missing)")
        try cluster.manager.docker("network", "create", "-d", "overlay", "--subnet", "10.40.0.0/30", "tiny")
        try cluster.manager.docker(cluster.backendService("one", ["--network", "tiny"]))
        let full = try cluster.manager.dockerFails("service", "create", "--network", "tiny", "busybox", "sleep", "1")
        #expect(full.contains("could not find an available IP while allocating VIP"), "\(full)")
        // The first service's VIP took the only address: its task waits, and says why.
        try MultiManagerTests.eventually("the task waits for an address", timeout: 30) {
            try cluster.manager.docker("service", "ps", "one", "--no-trunc", "--format", "{{.Error}}")
                .contains("could not find an available IP")
        }
        #expect(try cluster.manager.docker("service", "ls", "--format", "{{.Name}}").split(separator: "\n").count == 3)
    }
}

/// A flag threads share.
final class Flag: Sendable {
    let value = Atomic(false)
}
