import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import Testing

/// The built `colmeia-store-bench` next to the test binary (the test target depends on it).
func benchExecutable() throws -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
        Bundle.main.bundleURL.deletingLastPathComponent().path,
        FileManager.default.currentDirectoryPath + "/.build/debug",
    ].map { $0 + "/colmeia-store-bench" }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: candidates.joined(separator: ", ")])
    }
    return found
}

func serviceCommand(_ number: Int, name: String? = nil) -> ClusterCommand {
    let name = name ?? "svc-\(number)"
    return ClusterCommand(
        envelope: CommandEnvelope(id: "cmd-\(number)-\(name)", time: Timestamp(seconds: 1_700_000_000 + Int64(number)),
                                  actor: .init(kind: .user, id: "test")),
        preconditions: [.nameAbsent(kind: .service, name: name)],
        events: [.serviceCreated(Service(id: "id-\(name)", spec: ServiceSpec(
            name: name, taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine")))))])
}

/// Waits until the node has applied everything the log holds.
func caughtUp(_ node: ClusterNode, atLeast index: UInt64) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(20))
    while node.store.applied.index < index || node.status.role != .leader {
        guard ContinuousClock.now < deadline else { throw CancellationError() }
        try await Task.sleep(for: .milliseconds(10))
    }
}

@Suite(.serialized) struct ClusterNodeTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-node-\(UUID().uuidString)"

    func everything(_ store: ClusterStore) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let services = try store.list(Service.self)
        let audit = try store.audit(AuditQuery(limit: 100_000)).records
        return String(decoding: try encoder.encode(services), as: UTF8.self) + "\n"
            + audit.map { "\($0.index)/\($0.ordinal) \($0.commandID) \($0.type) \($0.payload)" }.joined(separator: "\n")
    }

    @Test("propose → Raft → commit → apply → read models, with rejections returned to the proposer")
    func endToEnd() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        defer { node.stop() }
        guard case .applied(let index) = try await node.propose(serviceCommand(1, name: "web")) else {
            Issue.record("the first create must apply")
            return
        }
        #expect(try node.store.get(Service.self, "web").version.index == index)
        let duplicate = try await node.propose(serviceCommand(2, name: "web"))
        #expect(duplicate == .rejected(index: index + 1,
                                       reason: "name conflicts with an existing object: service web already exists"))
    }

    @Test("deleting state.db and restarting rebuilds identical read models from snapshot + WAL")
    func rebuildFromLog() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10), snapshotInterval: 50)
        try node.start(bootstrap: true)
        for number in 0..<140 { _ = try await node.propose(serviceCommand(number)) }
        let before = try everything(node.store)
        let lastIndex = node.store.applied.index
        #expect(node.status.snapshotIndex > 0, "the WAL was compacted behind a snapshot")
        node.stop()

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: directory + "/state.db" + suffix) }
        node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10), snapshotInterval: 50)
        try node.start(bootstrap: true)
        try await caughtUp(node, atLeast: lastIndex)
        #expect(try everything(node.store) == before)
        #expect(try node.store.audit(AuditQuery(limit: 1_000)).records.count == 140, "audit rows survive compaction")
        node.stop()
    }

    @Test("kill -9 during a stream of proposals loses no acknowledged command and applies none twice")
    func killNineLosesNothing() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var acknowledged: [String: UInt64] = [:]
        for round in 0..<2 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try benchExecutable())
            process.arguments = ["load", "--data-dir", directory, "--proposers", "16"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            var buffer = Data()
            var acksThisRound = 0
            let target = 150 + round * 100
            while acksThisRound < target {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    let parts = line.split(separator: " ")
                    if parts.count == 3, parts[0] == "ack", let index = UInt64(parts[2]) {
                        acknowledged[String(parts[1])] = index
                        acksThisRound += 1
                    }
                }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(acksThisRound >= target, "the load generator acknowledged commands before it was killed")
        }

        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        defer { node.stop() }
        try await caughtUp(node, atLeast: acknowledged.values.max() ?? 0)
        let audit = try node.store.audit(AuditQuery(limit: 100_000)).records
        var rowsPerCommand: [String: [UInt64]] = [:]
        for record in audit { rowsPerCommand[record.commandID, default: []].append(record.index) }
        for (command, index) in acknowledged {
            #expect(rowsPerCommand[command] == [index], "acknowledged \(command) at \(index) must be there exactly once")
        }
        #expect(rowsPerCommand.values.allSatisfy { $0.count == 1 }, "no command applied twice")
        #expect(Set(audit.map(\.index)).count == audit.count)
    }

    @Test("a malformed spec is refused with the field named, and nothing reaches the log")
    func malformedSpecNeverReachesTheLog() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        defer { node.stop() }
        _ = try await node.propose(serviceCommand(1, name: "ok"))
        let before = node.store.applied.index
        var bad = serviceCommand(2, name: "bad_name!")
        if case .serviceCreated(var service) = bad.events[0] {
            service.spec.taskTemplate.containerSpec?.image = ""
            bad.events = [.serviceCreated(service)]
        }
        do {
            _ = try await node.propose(bad)
            Issue.record("an invalid spec must be refused")
        } catch {
            guard case .invalid(let validation) = error else {
                Issue.record("expected a validation error, got \(error)")
                return
            }
            #expect(validation.field == "Name", "the first problem found is the name")
            #expect(validation.message == "name must be valid as a DNS name component")
            #expect(error.description.hasPrefix("Name: "))
        }
        var noImage = serviceCommand(3, name: "no-image")
        if case .serviceCreated(var service) = noImage.events[0] {
            service.spec.taskTemplate.containerSpec?.image = ""
            noImage.events = [.serviceCreated(service)]
        }
        do {
            _ = try await node.propose(noImage)
            Issue.record("a spec without image must be refused")
        } catch {
            guard case .invalid(let validation) = error else { return }
            #expect(validation.field == "TaskTemplate.ContainerSpec.Image")
            #expect(validation.message == "ContainerSpec: image reference must be provided")
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(node.store.applied.index == before, "nothing was proposed")
        #expect(try node.store.list(Service.self).map(\.spec.name) == ["ok"])
    }
}

@Suite struct CorruptReadModelTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-corrupt-\(UUID().uuidString)"

    /// Whether this process still has `path` open.
    static func openHere(_ path: String) -> Bool {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) == path }
    }

    @Test("a corrupt state.db is set aside at start and the read models are rebuilt from the log, instead of the node exiting")
    func corruptStateIsRebuilt() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
            try node.start(bootstrap: true)
            for number in 1...20 { _ = try await node.propose(serviceCommand(number)) }
            node.stop()
        }
        // Garbage over the database's first pages (its header included), once the stopped
        // node's connections have closed (a last checkpoint would rewrite the header).
        let path = directory + "/state.db"
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while Self.openHere(path), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 8192))
        try handle.close()
        try? FileManager.default.removeItem(atPath: path + "-wal")

        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        let aside = try #require(node.corruptReadModels, "the corruption is reported")
        #expect(FileManager.default.fileExists(atPath: aside), "the corrupt file is kept for a post-mortem")
        try node.start(bootstrap: true)
        defer { node.stop() }
        try await caughtUp(node, atLeast: 21)
        #expect(try node.store.list(Service.self).count == 20, "every service is back, rebuilt from the log")
    }
}
