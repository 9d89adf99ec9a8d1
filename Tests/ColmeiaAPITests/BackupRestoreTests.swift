import Foundation
import Synchronization
import Testing

/// Online backups and restores through the real daemons, the stock docker CLI and the
/// `colmeia` CLI: a swarm's every data directory lost and brought back from a backup taken
/// under load, and a removed service brought back by a restore to just before its removal.
@Suite("backup and restore", .serialized)
struct BackupRestoreTests {
    static let passphrase = "a passphrase for the tests"

    /// Runs the built `colmeia` CLI; fails the test on a non-zero exit.
    @discardableResult
    static func colmeia(_ arguments: [String], socket: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let output = try DaemonHarness.run(try DaemonHarness.executable("colmeia"), (socket.isEmpty ? [] : ["-H", "unix://" + socket]) + arguments, socket: socket,
                                           environment: ["COLMEIA_BACKUP_PASSPHRASE": passphrase])
        #expect(output.status == 0, "colmeia \(arguments.joined(separator: " ")): \(output.stderr)", sourceLocation: sourceLocation)
        return output.stdout + output.stderr
    }

    /// The last index in "Backup written to FILE: log indexes A to B, N bytes".
    static func lastIndex(in said: String) -> UInt64? {
        guard let range = said.range(of: #"log indexes \d+ to (\d+)"#, options: .regularExpression) else { return nil }
        return said[range].split(separator: " ").last.flatMap { UInt64($0) }
    }

    static func lines(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").map(String.init))
    }

    @Test("disaster recovery: 3 managers and 2 workers on the Docker executor with 50 services, 20 secrets and 20 configs, a writer going on; a backup taken mid-load; every manager's data dir destroyed; restore plus --force-new-cluster brings back exactly what was acknowledged up to the backup's last index, secrets reach tasks again, the workers rejoin with the new token and the services converge",
          .enabled(if: geteuid() == 0))
    func disasterRecovery() throws {
        let engine = try DockerEngineHarness.shared.get()
        let port = TestPorts.swarm()
        let base = Int.random(in: 20...200)
        var nodes: [DaemonHarness] = []
        for index in 0..<5 {
            let node = DaemonHarness(listenIP: "127.0.\(base).\(index + 1)", clusterPort: port, nodeName: "dr\(index + 1)")
            try node.start(initialize: index == 0, executor: "docker",
                           extraArguments: ["--docker-host", "unix://" + engine.socket, "--ingress-addr", "127.0.\(base).\(index + 1)"])
            nodes.append(node)
        }
        var restored: DaemonHarness?
        // Node ids of both swarms: their containers and networks are removed from the shared
        // engine at the end (they outlive the agents that made them).
        var nodeIDs: Set<String> = []
        defer {
            for node in nodes + (restored.map { [$0] } ?? []) { _ = node.stop(within: 20) }
            for id in nodeIDs {
                _ = try? engine.shell("docker ps -aq --filter label=com.docker.swarm.node.id=\(id) | xargs -r docker rm -f")
                _ = try? engine.shell("docker network ls -q --filter label=com.colmeia.node.id=\(id) | xargs -r docker network rm")
            }
        }
        let managers = Array(nodes.prefix(3))
        let workers = Array(nodes.suffix(2))
        let managerToken = try managers[0].docker("swarm", "join-token", "-q", "manager").trimmingCharacters(in: .whitespacesAndNewlines)
        let workerToken = try managers[0].docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        for (index, node) in nodes.enumerated().dropFirst() {
            try node.docker("swarm", "join", "--token", index < 3 ? managerToken : workerToken, "--listen-addr", node.listenAddress,
                            "--advertise-addr", node.listenAddress, managers[0].listenAddress)
        }
        try MultiManagerTests.eventually("five nodes are ready", timeout: 60, showingLogsOf: nodes) {
            try managers[0].docker("node", "ls", "--format", "{{.Status}}").split(separator: "\n").filter { $0 == "Ready" }.count == 5
        }

        nodeIDs.formUnion(try managers[0].docker("node", "ls", "-q").split(separator: "\n").map(String.init))
        for number in 1...20 {
            try managers[number % 3].docker(["secret", "create", "s\(number)", "-"], stdin: "secret value \(number)")
            try managers[number % 3].docker(["config", "create", "c\(number)", "-"], stdin: "config value \(number)")
        }
        try managers[0].docker("service", "create", "-d", "--name", "svc1", "--secret", "s1", "--config", "c1",
                               "localbusybox:1", "sleep", "100000")
        for number in 2...50 {
            try managers[number % 3].docker("service", "create", "-d", "--name", "svc\(number)", "localbusybox:1", "sleep", "100000")
        }

        // A writer through a follower, recording each acknowledged config with its log index.
        let acknowledged = Mutex<[String: UInt64]>([:])
        let stop = Atomic<Bool>(false)
        let writerSocket = managers[1].socket
        let writer = Thread {
            var sequence = 0
            while !stop.load(ordering: .relaxed) {
                sequence += 1
                let name = "w-\(sequence)"
                guard let created = try? DaemonHarness.run("docker", ["config", "create", name, "-"], socket: writerSocket, stdin: name),
                      created.status == 0,
                      let inspected = try? DaemonHarness.run("docker", ["config", "inspect", "--format", "{{.Version.Index}}", name], socket: writerSocket),
                      let index = UInt64(inspected.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                acknowledged.withLock { $0[name] = index }
            }
        }
        writer.start()
        Thread.sleep(forTimeInterval: 3)

        // The backup, from the third manager, while the writer goes on.
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-dr-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/swarm.cbk"
        let wrote = try Self.colmeia(["swarm", "backup", "-o", file], socket: managers[2].socket)
        let last = try #require(Self.lastIndex(in: wrote), "\(wrote)")
        Thread.sleep(forTimeInterval: 2)
        stop.store(true, ordering: .relaxed)
        while writer.isExecuting { Thread.sleep(forTimeInterval: 0.05) }
        let acked = acknowledged.withLock { $0 }
        #expect(acked.values.contains { $0 <= last } && acked.values.contains { $0 > last },
                "the writer was acknowledged both before and after the backup's last index \(last): \(acked.values.sorted())")

        let verified = try Self.colmeia(["backup", "verify", file])
        #expect(verified.contains("services: 50") && verified.contains("secrets: 20") && verified.contains("backup OK"), "\(verified)")

        // Disaster: every manager gone with its data directory.
        for manager in managers { _ = manager.stop(within: 20) }
        for manager in managers { try FileManager.default.removeItem(atPath: manager.dataDirectory) }

        let node = DaemonHarness(listenIP: "127.0.\(base).9", clusterPort: port, nodeName: "restored",
                                 dataDirectory: directory + "/restored")
        restored = node
        let said = try Self.colmeia(["swarm", "restore", file, "--data-dir", node.dataDirectory])
        #expect(said.contains("as of log index \(last)"), "\(said)")
        #expect(try DaemonHarness.run(try DaemonHarness.executable("colmeia"), ["swarm", "restore", file, "--data-dir", node.dataDirectory],
                                      socket: "", environment: ["COLMEIA_BACKUP_PASSPHRASE": Self.passphrase]).status != 0,
                "a restore into a non-empty data directory is refused")
        try node.start(initialize: false, executor: "docker",
                       extraArguments: ["--force-new-cluster", "--docker-host", "unix://" + engine.socket, "--ingress-addr", "127.0.\(base).9"])

        // Exactly the acknowledged writes up to the backup's last index, nothing after.
        let configs = Self.lines(try node.docker("config", "ls", "--format", "{{.Name}}"))
        let writes = configs.filter { $0.hasPrefix("w-") }
        for (name, index) in acked {
            #expect(writes.contains(name) == (index <= last), "\(name) at index \(index), backup up to \(last)")
        }
        for name in writes {
            let index = UInt64(try node.docker("config", "inspect", "--format", "{{.Version.Index}}", name).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max
            #expect(index <= last, "\(name) at index \(index) is after the backup")
        }
        #expect(configs.subtracting(writes) == Set((1...20).map { "c\($0)" }))
        #expect(Self.lines(try node.docker("secret", "ls", "--format", "{{.Name}}")) == Set((1...20).map { "s\($0)" }))
        #expect(Self.lines(try node.docker("service", "ls", "--format", "{{.Name}}")) == Set((1...50).map { "svc\($0)" }))

        // The workers rejoin with the new token.
        let newToken = try node.docker("swarm", "join-token", "-q", "worker").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken != workerToken, "the restored swarm has fresh join tokens")
        for worker in workers {
            _ = try worker.run("docker", ["swarm", "leave", "--force"])
            try worker.docker("swarm", "join", "--token", newToken, "--listen-addr", worker.listenAddress,
                              "--advertise-addr", worker.listenAddress, node.listenAddress)
        }
        try MultiManagerTests.eventually("the restored manager and both workers are ready", timeout: 60, showingLogsOf: [node] + workers) {
            let ready = try node.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}").split(separator: "\n")
            return ["restored", "dr4", "dr5"].allSatisfy { name in ready.contains { $0 == "\(name) Ready" } }
        }
        nodeIDs.formUnion(try node.docker("node", "ls", "-q").split(separator: "\n").map(String.init))
        // Converged: every service has its one task running on a node of the restored swarm.
        // (Tasks on the old, down nodes still count as running in `service ls`, as in
        // SwarmKit, until they are orphaned.)
        try MultiManagerTests.eventually("all 50 services converge", timeout: 180, showingLogsOf: [node]) {
            let tasks = try node.docker(["service", "ps", "--filter", "desired-state=running", "--format", "{{.Name}} {{.Node}} {{.CurrentState}}"]
                                        + (1...50).map { "svc\($0)" }).split(separator: "\n")
            return tasks.count == 50 && tasks.allSatisfy { $0.split(separator: " ").dropFirst(2).first == "Running" }
        }
        // The secret reaches the task again.
        let newNodes = Set(try node.docker("node", "ls", "--format", "{{.ID}} {{.Status}}").split(separator: "\n")
            .filter { $0.hasSuffix(" Ready") }.map { String($0.split(separator: " ")[0]) })
        let task = try node.docker("service", "ps", "svc1", "--filter", "desired-state=running", "--format", "{{.ID}} {{.Node}}")
        #expect(!task.isEmpty, "svc1 has a running task")
        let running = try engine.docker(["ps", "--no-trunc", "--filter", "label=com.docker.swarm.service.name=svc1",
                                         "--filter", "status=running", "--format", "{{.ID}} {{.Label \"com.docker.swarm.node.id\"}}"]).stdout
        let current = try #require(running.split(separator: "\n").first { line in newNodes.contains(String(line.split(separator: " ").last ?? "")) },
                                   "a container of svc1 on a node of the restored swarm: \(running)")
        let secret = try engine.docker(["exec", String(current.split(separator: " ")[0]), "cat", "/run/secrets/s1"]).stdout
        #expect(secret == "secret value 1")
    }

    @Test("point in time: docker service rm web at T; a restore --at-time just before T, started with docker swarm init --force-new-cluster, brings web back with its spec and version; a backup sealed with one passphrase does not open with another; a damaged one is located by verify and refused by restore; scheduled backups are written whole and the oldest pruned")
    func pointInTime() throws {
        let daemon = DaemonHarness()
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-pit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try daemon.start(extraArguments: ["--backup-dir", directory + "/scheduled", "--backup-interval", "1s", "--backup-keep", "2",
                                          "--backup-passphrase-file", try Self.passphraseFile(in: directory)])
        try daemon.docker("service", "create", "-d", "--name", "web", "--replicas", "2", "--env", "COLOR=blue", "--label", "tier=front",
                          "busybox:1", "sleep", "100000")
        try daemon.docker("service", "update", "-d", "--env-add", "COLOR=green", "web")
        // The rolling update records its progress on the service: read it once it is done.
        try MultiManagerTests.eventually("the update completes", timeout: 60, showingLogsOf: [daemon]) {
            try daemon.docker("service", "inspect", "--format", "{{.UpdateStatus.State}}", "web").contains("completed")
        }
        let before = try daemon.docker("service", "inspect", "web")
        Thread.sleep(forTimeInterval: 1.1)
        let removal = ISO8601DateFormatter().string(from: Date())
        Thread.sleep(forTimeInterval: 1.1)
        try daemon.docker("service", "rm", "web")
        try daemon.docker("service", "create", "-d", "--name", "after", "busybox:1", "sleep", "100000")

        let file = directory + "/swarm.cbk"
        try Self.colmeia(["swarm", "backup", "-o", file], socket: daemon.socket)

        let wrong = try DaemonHarness.run(try DaemonHarness.executable("colmeia"), ["backup", "verify", file], socket: "",
                                          environment: ["COLMEIA_BACKUP_PASSPHRASE": "another passphrase"])
        #expect(wrong.status != 0 && wrong.stderr.contains("passphrase does not open"), "\(wrong.stderr)")

        // One flipped byte: verify names where, restore refuses the file and writes nothing.
        var damaged = try Data(contentsOf: URL(fileURLWithPath: file))
        damaged[damaged.count / 2] ^= 0x01
        try damaged.write(to: URL(fileURLWithPath: directory + "/damaged.cbk"))
        let colmeia = try DaemonHarness.executable("colmeia")
        let verifyDamaged = try DaemonHarness.run(colmeia, ["backup", "verify", directory + "/damaged.cbk"], socket: "",
                                                  environment: ["COLMEIA_BACKUP_PASSPHRASE": Self.passphrase])
        #expect(verifyDamaged.status != 0 && verifyDamaged.stderr.contains("damaged: part") && verifyDamaged.stderr.contains("byte offset"),
                "\(verifyDamaged.stderr)")
        let restoreDamaged = try DaemonHarness.run(colmeia, ["swarm", "restore", directory + "/damaged.cbk", "--data-dir", directory + "/refused"],
                                                   socket: "", environment: ["COLMEIA_BACKUP_PASSPHRASE": Self.passphrase])
        #expect(restoreDamaged.status != 0 && !FileManager.default.fileExists(atPath: directory + "/refused"), "\(restoreDamaged.stderr)")

        let restoredDirectory = directory + "/restored"
        let said = try Self.colmeia(["swarm", "restore", file, "--data-dir", restoredDirectory, "--at-time", removal])
        #expect(said.contains("Restored swarm"), "\(said)")
        let node = DaemonHarness(dataDirectory: restoredDirectory)
        try node.start(initialize: false)
        let plain = try node.dockerFails("swarm", "init", "--listen-addr", node.listenAddress)
        #expect(plain.contains("restored from a backup") && plain.contains("--force-new-cluster"), "\(plain)")
        let initialized = try node.docker("swarm", "init", "--force-new-cluster", "--listen-addr", node.listenAddress)
        #expect(initialized.contains("Swarm initialized"), "\(initialized)")
        let services = Self.lines(try node.docker("service", "ls", "--format", "{{.Name}}"))
        #expect(services == ["web"], "web is back and nothing made after T is: \(services)")
        let after = try node.docker("service", "inspect", "web")
        #expect(Self.serviceFields(after) == Self.serviceFields(before), "the same spec, version and id")
        _ = node.stop(within: 20)

        // Scheduled backups: whole files only (each verifies), at most --backup-keep of them.
        try MultiManagerTests.eventually("two scheduled backups are written", timeout: 30, showingLogsOf: [daemon]) {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/scheduled")
            return names.filter { $0.hasSuffix(".cbk") }.count == 2
        }
        Thread.sleep(forTimeInterval: 2.5)
        #expect(daemon.logText.contains("scheduled backup written"))
        // Stopped, so that no newer backup prunes one while it is being verified.
        _ = daemon.stop(within: 20)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory + "/scheduled")
        #expect(names.filter { $0.hasSuffix(".cbk") }.count == 2, "\(names)")
        for name in names where name.hasSuffix(".cbk") {
            #expect(try Self.colmeia(["backup", "verify", directory + "/scheduled/" + name]).contains("backup OK"))
        }
    }

    static func passphraseFile(in directory: String) throws -> String {
        let path = directory + "/passphrase"
        try Data((passphrase + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The service's ID, version, spec and creation time, from `docker service inspect`.
    static func serviceFields(_ json: String) -> String {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], let service = array.first else { return json }
        let kept = ["ID": service["ID"] ?? "", "Version": service["Version"] ?? "", "Spec": service["Spec"] ?? "",
                    "CreatedAt": service["CreatedAt"] ?? "", "PreviousSpec": service["PreviousSpec"] ?? ""]
        let data = (try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("swarm backup --follow N waits until index N is committed, so the backup holds the writes made after it was asked for")
    func followWaitsForIndex() throws {
        let daemon = DaemonHarness()
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-follow-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try daemon.start()
        let written = try Self.colmeia(["swarm", "backup", "-o", directory + "/now.cbk"], socket: daemon.socket)
        let last = try #require(Self.lastIndex(in: written), "\(written)")
        #expect(try Self.colmeia(["backup", "verify", directory + "/now.cbk"]).contains("configs: 0"))

        // An idle swarm's log stands still but for the first backup's audit record (the next
        // index): asked four entries ahead, the backup waits for three configs to be created.
        let later = directory + "/later.cbk"
        let socket = daemon.socket
        let colmeia = try DaemonHarness.executable("colmeia")
        let followed = Mutex<DaemonHarness.Output?>(nil)
        let follower = Thread {
            let output = try? DaemonHarness.run(colmeia, ["-H", "unix://" + socket, "swarm", "backup", "--follow", String(last + 4), "-o", later],
                                                socket: socket, environment: ["COLMEIA_BACKUP_PASSPHRASE": Self.passphrase])
            followed.withLock { $0 = output }
        }
        follower.start()
        Thread.sleep(forTimeInterval: 1)
        #expect(!FileManager.default.fileExists(atPath: later), "the backup waits for index \(last + 4)")
        for number in 1...3 { try daemon.docker(["config", "create", "later-\(number)", "-"], stdin: "x") }
        try MultiManagerTests.eventually("the following backup is written", timeout: 20) { followed.withLock { $0 != nil } }
        #expect(followed.withLock { $0?.status } == 0, "\(followed.withLock { $0?.stderr ?? "" })")
        #expect(try Self.colmeia(["backup", "verify", later]).contains("configs: 3"))
        let refused = try daemon.curl(["-s", "-H", "X-Colmeia-Backup-Passphrase: p", "http://localhost/colmeia/v1/backup?follow=soon"])
        #expect(refused.stdout.contains("invalid value for follow"), "\(refused.stdout)")
    }
}
