import Foundation
import Synchronization
import Testing

/// Several colmeiad processes on their own loopback addresses, made into one swarm with the
/// stock docker CLI (`swarm init`, `join-token`, `swarm join`), then hurt: SIGKILL of the
/// leader under a write load, SIGSTOP of a follower, loss of the quorum.
@Suite("multi-manager swarms", .serialized)
struct MultiManagerTests {
    /// Starts `managers` daemons on 127.0.0.1…N and joins them as managers through the first.
    static func swarm(managers: Int, workers: Int = 0, extraArguments: [String] = [])
        throws -> (managers: [DaemonHarness], workers: [DaemonHarness], port: Int) {
        let port = TestPorts.swarm()
        var nodes: [DaemonHarness] = []
        for index in 0..<(managers + workers) {
            let node = DaemonHarness(listenIP: "127.0.0.\(index + 1)", clusterPort: port, nodeName: "node-\(index + 1)")
            try node.start(initialize: false, extraArguments: extraArguments)
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

    /// Polls `check` until it holds; on a timeout the error carries the end of the logs of
    /// `nodes`, so a failure on CI can be read without rerunning it.
    static func eventually(_ what: String, timeout: TimeInterval, showingLogsOf nodes: [DaemonHarness] = [],
                           _ check: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? check()) == true { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let logs = nodes.map { node in
            "--- \(node.nodeName) (\(node.listenAddress)), last lines of its log:\n"
                + node.logText.split(separator: "\n").suffix(25).joined(separator: "\n")
        }
        throw HarnessError((["timed out after \(Int(timeout)) s waiting until \(what)"] + logs).joined(separator: "\n"))
    }

    static func configNames(on node: DaemonHarness) throws -> Set<String> {
        let output = try node.run("docker", ["config", "ls", "--format", "{{.Name}}"])
        guard output.status == 0 else { throw HarnessError("config ls failed: \(output.stderr)") }
        return Set(output.stdout.split(separator: "\n").map(String.init))
    }

    @Test("SIGKILL of the leader under writes: a new leader, writes resume, nothing acknowledged is lost, the old leader catches up")
    func leaderCrashUnderWrites() throws {
        // Snapshots go in parts of 4 KiB, so catching up takes many of them.
        let (managers, _, _) = try Self.swarm(managers: 3, extraArguments: ["--raft-snapshot-chunk-bytes", "4096"])
        // Snapshots every 20 entries with one kept behind: the old leader will come back too
        // far behind for the log, and must be sent a snapshot.
        try Self.setSnapshots(on: managers[0], interval: 20, slowFollowers: 1)
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
        // The node's upkeep loop logs the catch-up a moment after the state is served.
        try Self.eventually("the old leader logged its catch-up from a snapshot", timeout: 10, showingLogsOf: [managers[0]]) {
            managers[0].logText.contains("caught up from the leader's snapshot")
        }
        let parts = managers[0].logText.split(separator: "\n").filter { $0.contains("received a snapshot") }
            .compactMap { line in line.firstRange(of: "parts=").map { Int(line[$0.upperBound...].prefix { $0.isNumber }) ?? 0 } }
        #expect(parts.contains { $0 > 1 }, "the snapshot should have come in several parts: \(parts)")
    }

    /// `Spec.Raft.SnapshotInterval` and `LogEntriesForSlowFollowers` through the API (the
    /// docker CLI has no flag for the second).
    static func setSnapshots(on node: DaemonHarness, interval: Int, slowFollowers: Int) throws {
        let current = try node.http("GET", "/swarm")
        guard current.status == 200, var swarm = try JSONSerialization.jsonObject(with: Data(current.body.utf8)) as? [String: Any],
              var spec = swarm["Spec"] as? [String: Any], let version = (swarm["Version"] as? [String: Any])?["Index"] as? Int
        else { throw HarnessError("GET /swarm: \(current.body)") }
        var raft = spec["Raft"] as? [String: Any] ?? [:]
        raft["SnapshotInterval"] = interval
        raft["LogEntriesForSlowFollowers"] = slowFollowers
        spec["Raft"] = raft
        swarm = spec
        let body = String(decoding: try JSONSerialization.data(withJSONObject: swarm), as: UTF8.self)
        let updated = try node.http("POST", "/swarm/update?version=\(version)", body: body)
        guard updated.status == 200 else { throw HarnessError("POST /swarm/update: \(updated.status) \(updated.body)") }
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
        // Refused before it was proposed, or proposed by a leader that then lost its quorum
        // (it may still commit when a quorum returns): then the outcome is unknown, never
        // a false failure; either way Docker's words say why.
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
    /// `{{.Hostname}} {{.Status}} {{.ManagerStatus}}` of every node, as one manager sees it.
    static func nodeTable(on node: DaemonHarness) throws -> [String: String] {
        let output = try node.run("docker", ["node", "ls", "--format", "{{.Hostname}}|{{.Status}} {{.ManagerStatus}}"])
        guard output.status == 0 else { throw HarnessError("node ls failed: \(output.stderr)") }
        return Dictionary(output.stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }, uniquingKeysWith: { first, _ in first })
    }

    @Test("five managers and two workers: two managers lost and writes go on; the demoted leader hands over and becomes a worker; a manager is demoted and removed; a worker is promoted")
    func membership() throws {
        let (managers, workers, _) = try Self.swarm(managers: 5, workers: 2)
        // Five managers tolerate two failures.
        managers[3].killHard()
        managers[4].killHard()
        try managers[1].docker("config", "create", "two-down", "-", stdin: "x")
        try managers[3].start(initialize: false)
        try managers[4].start(initialize: false)
        try Self.eventually("all five managers are reachable again", timeout: 30) {
            try Self.nodeTable(on: managers[0]).values.filter { $0.hasSuffix("Leader") || $0.hasSuffix("Reachable") }.count == 5
        }

        // Demoting the leader hands leadership over first; the node then serves as a worker.
        let leader = try #require(try Self.nodeTable(on: managers[0]).first { $0.value.hasSuffix("Leader") }?.key)
        let leaderIndex = try #require(Int(leader.dropFirst("node-".count))) - 1
        let other = managers[(leaderIndex + 1) % 5]
        try other.docker("node", "demote", leader)
        try Self.eventually("the demoted leader is a worker and another manager leads", timeout: 60, showingLogsOf: managers) {
            let table = try Self.nodeTable(on: other)
            return table[leader] == "Ready" && table.values.contains { $0.hasSuffix("Leader") }
        }
        try Self.eventually("the demoted leader's API refuses cluster operations", timeout: 30) {
            try managers[leaderIndex].run("docker", ["node", "ls"]).stderr.contains("This node is not a swarm manager")
        }

        // A manager cannot be removed; demoted, it cannot be removed while up; stopped, it can.
        let victimIndex = (leaderIndex + 2) % 5
        let victim = managers[victimIndex].nodeName
        let refused = try other.run("docker", ["node", "rm", victim])
        #expect(refused.stderr.contains("is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal"),
                "\(refused.stderr)")
        // The new leader records every manager's status as it takes over; a demote racing
        // it is refused with "update out of sequence", as dockerd's would be: retry.
        try Self.eventually("the demotion is accepted", timeout: 30) {
            try other.run("docker", ["node", "demote", victim]).status == 0
        }
        try Self.eventually("the demoted manager is a worker", timeout: 60, showingLogsOf: [managers[victimIndex], other]) { try Self.nodeTable(on: other)[victim] == "Ready" }
        let alive = try other.run("docker", ["node", "rm", victim])
        #expect(alive.stderr.contains("is not down and can't be removed"), "\(alive.stderr)")
        #expect(managers[victimIndex].stop() == 0)
        try Self.eventually("the stopped worker is down", timeout: 60) { try Self.nodeTable(on: other)[victim] == "Down" }
        try other.docker("node", "rm", victim)
        #expect(try Self.nodeTable(on: other)[victim] == nil)

        // A promoted worker becomes a manager that serves the API and takes writes.
        let promoted = workers[0]
        try other.docker("node", "promote", promoted.nodeName)
        try Self.eventually("the promoted worker is a reachable manager", timeout: 60, showingLogsOf: [promoted, other]) {
            try Self.nodeTable(on: other)[promoted.nodeName] == "Ready Reachable"
        }
        try Self.eventually("the promoted node takes writes", timeout: 30) {
            let created = try promoted.run("docker", ["config", "create", "via-promoted", "-"], stdin: "x").status == 0
            return try created || Self.configNames(on: promoted).contains("via-promoted")
        }
        try Self.eventually("every manager has the write", timeout: 30) {
            try managers.indices.filter { $0 != leaderIndex && $0 != victimIndex }
                .allSatisfy { try Self.configNames(on: managers[$0]).contains("via-promoted") }
        }
    }

    @Test("a copy of a manager's data dir, the swarm destroyed, --force-new-cluster from the copy: services, secrets and nodes kept, and a new manager joins")
    func forceNewClusterFromCopy() throws {
        let (managers, _, port) = try Self.swarm(managers: 3)
        try managers[0].docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "busybox", "sleep", "600")
        try managers[0].docker("secret", "create", "db-password", "-", stdin: "s3cret")
        try Self.eventually("the second manager has both", timeout: 30) {
            try managers[1].docker("service", "ls", "--format", "{{.Name}}").contains("web")
                && managers[1].docker("secret", "ls", "--format", "{{.Name}}").contains("db-password")
        }
        // The backup: a stopped manager's data dir, copied.
        #expect(managers[1].stop() == 0)
        let copyBase = FileManager.default.temporaryDirectory.path + "/colmeiad-copy-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: copyBase, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: managers[1].dataDirectory, toPath: copyBase + "/data")
        for manager in managers { manager.killHard() }

        let restored = DaemonHarness(listenIP: "127.0.0.7", clusterPort: port, nodeName: "restored", dataDirectory: copyBase + "/data")
        try restored.start(initialize: false)
        let output = try restored.docker("swarm", "init", "--force-new-cluster", "--listen-addr", restored.listenAddress,
                                         "--advertise-addr", restored.listenAddress)
        #expect(output.contains("Swarm initialized"), "\(output)")
        #expect(try restored.docker("service", "ls", "--format", "{{.Name}} {{.Replicas}}").contains("web"))
        #expect(try restored.docker("secret", "ls", "--format", "{{.Name}}").contains("db-password"))
        let nodes = try Self.nodeTable(on: restored)
        #expect(nodes.count == 3, "every node is kept: \(nodes)")
        #expect(nodes.values.filter { $0.hasSuffix("Leader") }.count == 1, "\(nodes)")

        // New managers join the restored swarm and see its state.
        let token = try restored.docker("swarm", "join-token", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        let newcomer = DaemonHarness(listenIP: "127.0.0.8", clusterPort: port, nodeName: "newcomer")
        try newcomer.start(initialize: false)
        let joined = try newcomer.docker("swarm", "join", "--token", token, "--listen-addr", newcomer.listenAddress,
                                         "--advertise-addr", newcomer.listenAddress, restored.listenAddress)
        #expect(joined.contains("as a manager"), "\(joined)")
        try Self.eventually("the new manager serves the restored state", timeout: 30) {
            try newcomer.docker("secret", "ls", "--format", "{{.Name}}").contains("db-password")
                && Self.nodeTable(on: restored)["newcomer"] == "Ready Reachable"
        }
    }
    @Test("autolock: a restarted manager is locked until unlocked with the key; a rotated key replaces the old; nothing readable on disk")
    func autolock() throws {
        let (managers, _, _) = try Self.swarm(managers: 3)
        let updated = try managers[0].docker("swarm", "update", "--autolock=true")
        #expect(updated.contains("docker swarm unlock"), "\(updated)")
        let key = try managers[0].docker("swarm", "unlock-key", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("SWMKEY-1-"))
        #expect(updated.contains(key))
        let secretValue = "PLAINTEXT-SECRET-\(UUID().uuidString)"
        try managers[0].docker("secret", "create", "db-password", "-", stdin: secretValue)
        try Self.eventually("the second manager sealed its keys", timeout: 30) {
            let keyFile = try String(contentsOfFile: managers[1].dataDirectory + "/certificates/swarm-node.key", encoding: .isoLatin1)
            let names = try Self.secretNames(on: managers[1])
            return keyFile.hasPrefix("COLMEIA-SEALED-1") && names.contains("db-password")
        }

        // Restarted, the manager is locked: it says so and serves nothing.
        #expect(managers[1].stop() == 0)
        try managers[1].start(initialize: false)
        #expect(try managers[1].docker("info", "--format", "{{.Swarm.LocalNodeState}}").contains("locked"))
        let refused = try managers[1].run("docker", ["secret", "ls"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Swarm is encrypted and needs to be unlocked before it can be used."), "\(refused.stderr)")
        // Its data directory holds neither the secret nor the read models in the clear.
        for file in try Self.files(under: managers[1].dataDirectory) {
            let bytes = try String(contentsOfFile: file, encoding: .isoLatin1)
            #expect(!bytes.contains(secretValue) && !bytes.contains(Data(secretValue.utf8).base64EncodedString()) && !bytes.contains(key),
                    "\(file) holds the secret or the unlock key in the clear")
        }
        let wrong = try managers[1].run("docker", ["swarm", "unlock"], stdin: "SWMKEY-1-" + String(repeating: "A", count: 43) + "\n")
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("invalid key"), "\(wrong.stderr)")
        try managers[1].docker("swarm", "unlock", stdin: key + "\n")
        try Self.eventually("the unlocked manager serves the swarm", timeout: 30) {
            try Self.secretNames(on: managers[1]).contains("db-password")
        }

        // A rotated key: the old one no longer unlocks, the new one does.
        let rotated = try managers[0].docker("swarm", "unlock-key", "--rotate", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rotated != key && rotated.hasPrefix("SWMKEY-1-"))
        Thread.sleep(forTimeInterval: 2)
        #expect(managers[2].stop() == 0)
        try managers[2].start(initialize: false)
        let old = try managers[2].run("docker", ["swarm", "unlock"], stdin: key + "\n")
        #expect(old.stderr.contains("invalid key"), "\(old.stderr)")
        try managers[2].docker("swarm", "unlock", stdin: rotated + "\n")
        try Self.eventually("the manager unlocked with the new key serves the swarm", timeout: 30) {
            try Self.secretNames(on: managers[2]).contains("db-password")
        }

        // Autolock off: a restart needs no key.
        try managers[0].docker("swarm", "update", "--autolock=false")
        Thread.sleep(forTimeInterval: 2)
        #expect(managers[1].stop() == 0)
        try managers[1].start(initialize: false)
        try Self.eventually("the restarted manager serves without a key", timeout: 30) {
            try Self.secretNames(on: managers[1]).contains("db-password")
        }
    }

    @Test("swarm init --autolock prints the key; a locked manager leaves only with --force")
    func autolockedInitAndLeave() throws {
        let node = DaemonHarness(listenIP: "127.0.0.1", clusterPort: TestPorts.swarm(), nodeName: "solo")
        try node.start(initialize: false)
        let output = try node.docker("swarm", "init", "--autolock", "--listen-addr", node.listenAddress,
                                     "--advertise-addr", node.listenAddress)
        let key = try node.docker("swarm", "unlock-key", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("SWMKEY-1-") && output.contains(key), "\(output)")
        try Self.eventually("the keys are sealed", timeout: 30) {
            try String(contentsOfFile: node.dataDirectory + "/certificates/raft-dek", encoding: .isoLatin1).hasPrefix("COLMEIA-SEALED-1")
        }
        #expect(node.stop() == 0)
        try node.start(initialize: false)
        let refused = try node.run("docker", ["swarm", "leave"])
        #expect(refused.stderr.contains("Swarm is encrypted and locked. Please unlock it first or use `--force` to ignore this message."),
                "\(refused.stderr)")
        try node.docker("swarm", "leave", "--force")
        #expect(try node.docker("info", "--format", "{{.Swarm.LocalNodeState}}").contains("inactive"))
    }

    @Test("certificates are renewed in place: every node takes new ones while the swarm keeps serving")
    func certificateRenewal() throws {
        // Renewal two seconds after each certificate instead of at 50–80% of 90 days.
        let (managers, workers, _) = try Self.swarm(managers: 3, workers: 1, extraArguments: ["--cert-renew-after", "2"])
        let nodes = managers + workers
        let issued = try nodes.map { try String(contentsOfFile: $0.dataDirectory + "/certificates/swarm-node.crt", encoding: .utf8) }
        try Self.eventually("every node renewed its certificate at least twice", timeout: 60) {
            nodes.allSatisfy { $0.logText.components(separatedBy: "renewed this node's certificate").count >= 3 }
        }
        for (node, first) in zip(nodes, issued) {
            #expect(try String(contentsOfFile: node.dataDirectory + "/certificates/swarm-node.crt", encoding: .utf8) != first,
                    "\(node.nodeName) still has its first certificate on disk")
        }
        // The cluster port presents the renewed certificate, not the one it started with.
        let manager = managers[0]
        try Self.eventually("the cluster port serves the certificate on disk", timeout: 30) {
            let served = try manager.run("sh", ["-c", "openssl s_client -connect \(manager.listenAddress) </dev/null 2>/dev/null | openssl x509 -noout -serial"]).stdout
            let onDisk = try manager.run("openssl", ["x509", "-noout", "-serial", "-in", manager.dataDirectory + "/certificates/swarm-node.crt"]).stdout
            let first = try manager.run("sh", ["-c", "printf '%s' \"$0\" | openssl x509 -noout -serial", issued[0]]).stdout
            return served.hasPrefix("serial=") && served == onDisk && served != first
        }
        // Raft, the dispatcher and the API go on over the new certificates.
        for (index, manager) in managers.enumerated() {
            try Self.eventually("a write through \(manager.nodeName)", timeout: 30) {
                try manager.run("docker", ["config", "create", "after-renewal-\(index)", "-"], stdin: "x").status == 0
            }
        }
        try Self.eventually("every node is ready and every manager reachable", timeout: 30) {
            let table = try Self.nodeTable(on: managers[0])
            return table.count == 4 && table.values.allSatisfy { $0.hasPrefix("Ready") }
                && table.values.filter { $0.hasSuffix("Leader") || $0.hasSuffix("Reachable") }.count == 3
        }
    }

    @Test("docker swarm ca --rotate: every node moves to a new root while writes go on; the old join tokens are refused, new ones join")
    func rootRotation() throws {
        let (managers, workers, port) = try Self.swarm(managers: 3, workers: 1)
        let nodes = managers + workers
        let oldRoot = try managers[0].docker("swarm", "ca").trimmingCharacters(in: .whitespacesAndNewlines)
        let oldToken = try managers[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)

        // Writes through a follower all along: a rotation has no downtime.
        let stop = Atomic(false)
        let failures = Mutex<[String]>([])
        let written = Atomic(0)
        let socket = managers[1].socket
        let writer = Thread {
            var index = 0
            while !stop.load(ordering: .relaxed) {
                index += 1
                if let output = try? DaemonHarness.run("docker", ["config", "create", "during-rotation-\(index)", "-"],
                                                       socket: socket, stdin: "x"),
                   output.status == 0 {
                    written.add(1, ordering: .relaxed)
                } else {
                    failures.withLock { $0.append("write \(index) failed") }
                }
            }
        }
        writer.start()
        let rotation = try managers[0].run("docker", ["swarm", "ca", "--rotate"])
        stop.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 1)
        #expect(rotation.status == 0, "\(rotation.stderr)")
        let newRoot = try managers[0].docker("swarm", "ca").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newRoot != oldRoot && newRoot.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(rotation.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(newRoot), "\(rotation.stdout)")
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        #expect(written.load(ordering: .relaxed) > 0)

        // Every node trusts only the new root, and its certificate chains to it alone.
        let rootFile = managers[0].dataDirectory + "/../new-root.pem"
        try (newRoot + "\n").write(toFile: rootFile, atomically: true, encoding: .utf8)
        for node in nodes {
            let trusted = try String(contentsOfFile: node.dataDirectory + "/certificates/swarm-root-ca.crt", encoding: .utf8)
            #expect(trusted.trimmingCharacters(in: .whitespacesAndNewlines) == newRoot, "\(node.nodeName) trusts \(trusted)")
            let verified = try node.run("openssl", ["verify", "-CAfile", rootFile, node.dataDirectory + "/certificates/swarm-node.crt"])
            #expect(verified.status == 0, "\(node.nodeName): \(verified.stdout) \(verified.stderr)")
        }
        let reported = try managers[0].docker("node", "inspect", "--format", "{{.Description.TLSInfo.TrustRoot}}",
                                              "node-1", "node-2", "node-3", "node-4")
        #expect(reported.components(separatedBy: "BEGIN CERTIFICATE").count == 5, "\(reported)")

        // The cluster port serves a certificate from the new root.
        let served = try managers[2].run("sh", ["-c", "openssl s_client -connect \(managers[2].listenAddress) -CAfile \(rootFile) </dev/null 2>/dev/null | grep 'Verify return code'"]).stdout
        #expect(served.contains("Verify return code: 0 (ok)"), "\(served)")

        // Join tokens pin the root: the old one is refused, the new one admits a node.
        let newToken = try managers[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken != oldToken)
        let late = DaemonHarness(listenIP: "127.0.0.9", clusterPort: port, nodeName: "late")
        try late.start(initialize: false)
        let refused = try late.run("docker", ["swarm", "join", "--token", oldToken, "--listen-addr", late.listenAddress, managers[0].listenAddress])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("remote CA does not match fingerprint"), "\(refused.stderr)")
        try late.docker("swarm", "join", "--token", newToken, "--listen-addr", late.listenAddress,
                        "--advertise-addr", late.listenAddress, managers[0].listenAddress)

        // The swarm goes on over the new certificates, across a restart too.
        #expect(managers[2].stop() == 0)
        try managers[2].start(initialize: false)
        try Self.eventually("every node is ready and every manager reachable", timeout: 60, showingLogsOf: nodes) {
            let table = try Self.nodeTable(on: managers[0])
            return table.count == 5 && table.values.allSatisfy { $0.hasPrefix("Ready") }
                && table.values.filter { $0.hasSuffix("Leader") || $0.hasSuffix("Reachable") }.count == 3
        }
        for (index, manager) in managers.enumerated() {
            try Self.eventually("a write through \(manager.nodeName)", timeout: 30) {
                try manager.run("docker", ["config", "create", "after-rotation-\(index)", "-"], stdin: "x").status == 0
            }
        }
    }

    static func secretNames(on node: DaemonHarness) throws -> Set<String> {
        let output = try node.run("docker", ["secret", "ls", "--format", "{{.Name}}"])
        guard output.status == 0 else { throw HarnessError("secret ls failed: \(output.stderr)") }
        return Set(output.stdout.split(separator: "\n").map(String.init))
    }

    static func files(under directory: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(path) }
        }
        return files
    }

    @Test("a worker that joined while the swarm had one manager learns the managers who joined later, and keeps its session when the first one dies")
    func workerFollowsManagersThatJoinedAfterIt() throws {
        let port = TestPorts.swarm()
        let nodes = (1...4).map { DaemonHarness(listenIP: "127.0.0.\($0)", clusterPort: port, nodeName: "node-\($0)") }
        defer { for node in nodes { _ = node.stop() } }
        for node in nodes { try node.start(initialize: false) }
        let first = nodes[0], worker = nodes[1]
        try first.docker("swarm", "init", "--listen-addr", first.listenAddress, "--advertise-addr", first.listenAddress)
        let workerToken = try first.docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        let managerToken = try first.docker("swarm", "join-token", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        // The worker first, as docker-compose starts everything at once.
        try worker.docker("swarm", "join", "--token", workerToken, "--listen-addr", worker.listenAddress,
                          "--advertise-addr", worker.listenAddress, first.listenAddress)
        for manager in nodes[2...] {
            try manager.docker("swarm", "join", "--token", managerToken, "--listen-addr", manager.listenAddress,
                               "--advertise-addr", manager.listenAddress, first.listenAddress)
        }
        try Self.eventually("the worker has recorded the three managers", timeout: 30) {
            let identity = try String(contentsOfFile: worker.dataDirectory + "/node-identity.json", encoding: .utf8)
            return nodes.filter { $0 !== worker }.allSatisfy { identity.contains($0.listenAddress) }
        }
        try nodes[2].docker("service", "create", "--detach", "--name", "web", "--replicas", "4", "busybox", "sleep", "600")
        first.killHard()
        try Self.eventually("the first manager is down and the worker is still ready", timeout: 60, showingLogsOf: [worker]) {
            let table = try Self.nodeTable(on: nodes[2])
            return table["node-1"]?.hasPrefix("Down") == true && table["node-2"] == "Ready"
        }
        try Self.eventually("web runs 4/4 on the live nodes", timeout: 60) {
            try nodes[2].docker("service", "ls", "--format", "{{.Replicas}}", "--filter", "name=web")
                .trimmingCharacters(in: .whitespacesAndNewlines) == "4/4"
                && Self.nodeTable(on: nodes[2])["node-2"] == "Ready"
        }
    }
}
