import Foundation
import Synchronization
import Testing

/// Several colmeiad processes on their own loopback addresses, made into one swarm with the
/// stock docker CLI (`swarm init`, `join-token`, `swarm join`), then hurt: SIGKILL of the
/// leader under a write load, SIGSTOP of a follower, loss of the quorum.
@Suite("multi-manager swarms", .serialized)
struct MultiManagerTests {
    /// Starts `managers` daemons on 127.0.0.1…N and joins them as managers through the first.
    static func swarm(managers: Int, workers: Int = 0) throws -> (managers: [DaemonHarness], workers: [DaemonHarness], port: Int) {
        let port = Int.random(in: 40_000...49_000)
        var nodes: [DaemonHarness] = []
        for index in 0..<(managers + workers) {
            let node = DaemonHarness(listenIP: "127.0.0.\(index + 1)", clusterPort: port, nodeName: "node-\(index + 1)")
            try node.start(initialize: false)
            nodes.append(node)
        }
        let first = nodes[0]
        try first.docker("swarm", "init", "--listen-addr", first.listenAddress, "--advertise-addr", first.listenAddress)
        let managerToken = try first.docker("swarm", "join-token", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        let workerToken = try first.docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        for (index, node) in nodes.enumerated().dropFirst() {
            let token = index < managers ? managerToken : workerToken
            let joined = try node.docker("swarm", "join", "--token", token, "--listen-addr", node.listenAddress,
                                         "--advertise-addr", node.listenAddress, first.listenAddress)
            #expect(joined.contains(index < managers ? "as a manager" : "as a worker"), "\(joined)")
        }
        // Every manager a voter (learners are promoted once caught up) and reachable.
        try eventually("every manager is a reachable voter", timeout: 30) {
            let table = try first.run("docker", ["node", "ls", "--format", "{{.ManagerStatus}}"]).stdout
            let statuses = table.split(separator: "\n").map(String.init)
            return statuses.filter { $0 == "Leader" || $0 == "Reachable" }.count == managers
        }
        return (Array(nodes.prefix(managers)), Array(nodes.dropFirst(managers)), port)
    }

    static func eventually(_ what: String, timeout: TimeInterval, _ check: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? check()) == true { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw HarnessError("timed out after \(Int(timeout)) s waiting until \(what)")
    }

    static func configNames(on node: DaemonHarness) throws -> Set<String> {
        let output = try node.run("docker", ["config", "ls", "--format", "{{.Name}}"])
        guard output.status == 0 else { throw HarnessError("config ls failed: \(output.stderr)") }
        return Set(output.stdout.split(separator: "\n").map(String.init))
    }

    @Test("SIGKILL of the leader under writes: a new leader, writes resume, nothing acknowledged is lost, the old leader catches up")
    func leaderCrashUnderWrites() throws {
        let (managers, _, _) = try Self.swarm(managers: 3)
        let acknowledged = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let sockets = managers.map(\.socket)
        let writers = (1...2).map { writerIndex in
            Thread {
                var sequence = 0
                while !stop.load(ordering: .relaxed) {
                    sequence += 1
                    let name = "w\(writerIndex)-\(sequence)"
                    if let output = try? DaemonHarness.run("docker", ["config", "create", name, "-"], socket: sockets[writerIndex], stdin: name),
                       output.status == 0 {
                        acknowledged.withLock { $0.append(name) }
                    }
                }
            }
        }
        writers.forEach { $0.start() }
        try Self.eventually("some writes were acknowledged", timeout: 20) { acknowledged.withLock { $0.count } >= 10 }
        let beforeCrash = acknowledged.withLock { $0.count }
        managers[0].killHard()
        try Self.eventually("writes resumed after the crash", timeout: 30) { acknowledged.withLock { $0.count } >= beforeCrash + 20 }
        stop.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 1)
        let written = Set(acknowledged.withLock { $0 })
        for survivor in managers.dropFirst() {
            let present = try Self.configNames(on: survivor)
            #expect(written.subtracting(present).isEmpty, "lost on \(survivor.listenAddress): \(written.subtracting(present).sorted())")
        }
        let table = try managers[1].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}")
        #expect(table.contains("node-2 Leader") || table.contains("node-3 Leader"), "\(table)")
        // The old leader comes back as a follower and catches up.
        try managers[0].start(initialize: false)
        try Self.eventually("the old leader has every acknowledged write", timeout: 30) {
            written.isSubset(of: try Self.configNames(on: managers[0]))
        }
        try Self.eventually("the old leader is reachable again", timeout: 30) {
            try managers[1].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}").contains("node-1 Reachable")
        }
    }

    @Test("a stopped follower is Unreachable, then Reachable again")
    func unreachableFollower() throws {
        let (managers, _, _) = try Self.swarm(managers: 3)
        managers[2].signal(SIGSTOP)
        defer { managers[2].signal(SIGCONT) }
        try Self.eventually("node-3 is unreachable", timeout: 30) {
            try managers[0].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}").contains("node-3 Unreachable")
        }
        // Two of three still make a quorum: writes go on.
        try managers[1].docker("config", "create", "while-stopped", "-", stdin: "x")
        managers[2].signal(SIGCONT)
        try Self.eventually("node-3 is reachable", timeout: 30) {
            try managers[0].docker("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}").contains("node-3 Reachable")
        }
        try Self.eventually("node-3 caught up", timeout: 30) { try Self.configNames(on: managers[2]).contains("while-stopped") }
    }

    @Test("without a quorum reads and writes fail fast with Docker's words; one manager back and the swarm goes on")
    func quorumLoss() throws {
        let (managers, _, _) = try Self.swarm(managers: 3)
        managers[1].killHard()
        managers[2].killHard()
        let started = Date()
        let write = try managers[0].run("docker", ["config", "create", "no-quorum", "-"], stdin: "x")
        #expect(write.status != 0)
        #expect(write.stderr.contains("The swarm does not have a leader"), "\(write.stderr)")
        #expect(Date().timeIntervalSince(started) < 15, "the write must fail fast, not hang")
        let read = try managers[0].run("docker", ["node", "ls"])
        #expect(read.status != 0)
        #expect(read.stderr.contains("The swarm does not have a leader"), "\(read.stderr)")
        try managers[1].start(initialize: false)
        var attempt = 0
        var written = ""
        try Self.eventually("writes succeed again", timeout: 30) {
            // A write that timed out may still commit later (Raft promises neither outcome),
            // so every attempt has its own name.
            attempt += 1
            written = "quorum-back-\(attempt)"
            return try managers[0].run("docker", ["config", "create", written, "-"], stdin: "x").status == 0
        }
        #expect(try Self.configNames(on: managers[1]).contains(written))
    }

    @Test("workers join with the worker token, refuse cluster operations; rotated tokens are refused")
    func workersAndTokens() throws {
        let (managers, workers, port) = try Self.swarm(managers: 1, workers: 1)
        let worker = workers[0]
        let refused = try worker.run("docker", ["service", "create", "--name", "nope", "busybox", "sleep", "60"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state."),
                "\(refused.stderr)")
        try Self.eventually("the worker is ready", timeout: 30) {
            try managers[0].docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}").contains("node-2 Ready")
        }
        let oldToken = try managers[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        try managers[0].docker("swarm", "join-token", "--rotate", "-q", "worker")
        let late = DaemonHarness(listenIP: "127.0.0.9", clusterPort: port, nodeName: "late")
        try late.start(initialize: false)
        let output = try late.run("docker", ["swarm", "join", "--token", oldToken, "--listen-addr", late.listenAddress,
                                             managers[0].listenAddress])
        #expect(output.status != 0)
        #expect(output.stderr.contains("A valid join token is necessary to join this cluster"), "\(output.stderr)")
    }
}
