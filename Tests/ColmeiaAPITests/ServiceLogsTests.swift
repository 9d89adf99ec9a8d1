import Foundation
import Testing

/// `docker service logs` on a swarm of one manager and two workers: every replica's lines,
/// from every node, in time order; `--follow` delivers new lines from every node; a node
/// that is down is named instead of silently left out.
@Suite(.serialized) struct ServiceLogsTests {
    /// Lines of `docker service logs --timestamps`: time, task prefix (`web.N.ID@node`), text.
    struct Line {
        var time: String
        var task: String
        var node: String
        var text: String
    }

    static func parse(_ output: String) -> [Line] {
        output.split(separator: "\n").compactMap { raw in
            let fields = raw.split(separator: " ", maxSplits: 1).map(String.init)
            guard fields.count == 2, let bar = fields[1].range(of: "| ") else { return nil }
            let prefix = fields[1][..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
            let parts = prefix.split(separator: "@").map(String.init)
            guard parts.count == 2 else { return nil }
            return Line(time: fields[0], task: parts[0], node: parts[1], text: String(fields[1][bar.upperBound...]))
        }
    }

    @Test("service logs show every replica's lines from both workers in time order, follow brings new lines from every node within 1 s, and a stopped worker is named")
    func logsFromEveryNode() throws {
        let (managers, workers, _) = try MultiManagerTests.swarm(managers: 1, workers: 2)
        let manager = managers[0]
        try manager.docker("service", "create", "--detach", "--name", "web", "--replicas", "4", "--constraint", "node.role==worker",
                           "busybox", "sh", "-c", #"i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done"#)
        try MultiManagerTests.eventually("4 replicas run on the workers", timeout: 30, showingLogsOf: managers + workers) {
            let ps = try manager.docker("service", "ps", "web", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}")
            let rows = ps.split(separator: "\n")
            return rows.count == 4 && rows.allSatisfy { $0.contains("Running") }
                && Set(rows.map { $0.split(separator: " ")[0] }) == ["node-2", "node-3"]
        }
        Thread.sleep(forTimeInterval: 1.5)

        let all = Self.parse(try manager.docker("service", "logs", "--timestamps", "web"))
        #expect(Set(all.map(\.task)).count == 4, "every replica has lines: \(Set(all.map(\.task)))")
        #expect(Set(all.map(\.node)) == ["node-2", "node-3"])
        #expect(all.map(\.time) == all.map(\.time).sorted(), "lines come oldest first across nodes")
        for task in Set(all.map(\.task)) {
            let ticks = all.filter { $0.task == task }.map(\.text)
            #expect(ticks.first == "tick 1", "\(task) starts at its first line")
        }

        // Follow: new lines from both workers arrive as they are written.
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        follow.arguments = ["docker", "service", "logs", "--follow", "--tail", "0", "--timestamps", "web"]
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = "unix://" + manager.socket
        follow.environment = environment
        let pipe = Pipe()
        follow.standardOutput = pipe
        follow.standardError = FileHandle.nullDevice
        try follow.run()
        let collected = LockedText()
        let reader = Thread {
            while true {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { return }
                collected.append(String(decoding: data, as: UTF8.self))
            }
        }
        reader.start()
        let started = Date()
        try MultiManagerTests.eventually("followed lines arrive from both workers", timeout: 10) {
            Set(Self.parse(collected.text).map(\.node)) == ["node-2", "node-3"]
        }
        let latency = Date().timeIntervalSince(started)
        // Each task writes every 0.3 s: lines from both nodes within 1 s of following.
        #expect(latency < 1.0 + 0.3, "followed lines from every node took \(latency) s")
        // Each followed line is new: written after the follow began (with its own time).
        let followed = Self.parse(collected.text)
        let first = try #require(followed.first)
        #expect(!all.contains { $0.task == first.task && $0.text == first.text })
        follow.terminate()
        follow.waitUntilExit()

        // A stopped worker: its lines are missing, and the command says whose.
        let stopped = workers[1]
        let nodeID = try manager.docker("node", "inspect", "node-3", "--format", "{{.ID}}").trimmingCharacters(in: .whitespacesAndNewlines)
        stopped.killHard()
        let partial = try manager.run("docker", ["service", "logs", "web"])
        #expect(partial.status != 0)
        #expect(partial.stderr.contains("Error grabbing logs: warning: incomplete log stream. some logs could not be retrieved for the following reasons: node \(nodeID) is not available"),
                "\(partial.stderr)")
        let rest = Self.parse(try manager.run("docker", ["service", "logs", "--timestamps", "web"]).stdout)
        #expect(!rest.isEmpty && rest.allSatisfy { $0.node == "node-2" }, "the reachable worker's lines are still shown")
    }
}

/// Text appended from one thread and read from another.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""

    func append(_ text: String) {
        lock.lock()
        value += text
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
