import ColmeiaBackup
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import Testing

/// Backups of a real node's log (Raft, WAL, snapshots, read models): written, checked,
/// decrypted and replayed, with every damaged byte located.
@Suite(.serialized) struct BackupFileTests {
    static func command(_ number: Int, _ event: ClusterEvent, name: String) -> ClusterCommand {
        ClusterCommand(envelope: CommandEnvelope(id: "cmd-\(number)", time: Timestamp(seconds: 1_800_000_000 + Int64(number) * 10),
                                                 actor: .init(kind: .user, id: "test")),
                       events: [event])
    }

    static func service(_ name: String) -> Service {
        Service(id: "id-\(name)", spec: ServiceSpec(name: name, taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine"))))
    }

    /// A node that took a snapshot along the way (every 8 entries), with services created and
    /// one removed; its export and the backup of it.
    static func backupOfARunningNode(passphrase: String = "correct horse") async throws
        -> (node: ClusterNode, directory: String, export: LogExport, bytes: [UInt8], manifest: BackupManifest) {
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-backup-\(UUID().uuidString)"
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10), snapshotInterval: 8)
        try node.start(bootstrap: true)
        for number in 1...20 {
            _ = try await node.propose(command(number, .serviceCreated(service("svc-\(number)")), name: "svc-\(number)"))
        }
        _ = try await node.propose(command(21, .serviceRemoved(id: "id-svc-3"), name: "svc-3"))
        let export = try #require(await node.exportLog())
        var bytes: [UInt8] = []
        let manifest = try BackupWriter.write(export, clusterID: "cluster-1", colmeiaVersion: "test", schemaVersion: ClusterStore.schemaVersion,
                                                    passphrase: passphrase) { bytes += $0 }
        return (node, directory, export, bytes, manifest)
    }

    static func names(_ store: ClusterStore) throws -> [String] {
        try store.list(Service.self).map(\.spec.name).sorted()
    }

    @Test("a backup of a running node, taken after snapshots compacted its log, replays to the node's own state at its last index and to the state of any index it covers; a time picks the last index made by then")
    func replaysEveryIndexItCovers() async throws {
        let (node, directory, export, bytes, manifest) = try await Self.backupOfARunningNode()
        defer { node.stop(); try? FileManager.default.removeItem(atPath: directory) }
        #expect(export.baseIndex > 0, "the log was compacted behind a snapshot")
        #expect(manifest.base.index == export.baseIndex && manifest.last.index == export.lastIndex)
        #expect(manifest.last.index == node.store.applied.index)

        let contents = try BackupFile(bytes: bytes).open(passphrase: "correct horse")
        let scratch = try BackupReplay.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let last = try BackupReplay.replay(contents, through: manifest.last.index, storePath: scratch + "/last.db")
        #expect(try Self.names(last) == (try Self.names(node.store)))
        #expect(try BackupReplay.counts(of: last).services == 19)

        // Every index the backup covers replays to exactly the services created by then.
        for entry in contents.entries {
            let store = try BackupReplay.replay(contents, through: entry.index, storePath: scratch + "/at-\(entry.index).db")
            let created = contents.entries.filter { $0.index <= entry.index }.compactMap(\.payload).compactMap { try? ClusterCommand(encoded: $0) }
            var expected = Set((try? Self.names(try BackupReplay.replay(contents, through: manifest.base.index, storePath: scratch + "/base-\(entry.index).db"))) ?? [])
            for command in created {
                for event in command.events {
                    switch event {
                    case .serviceCreated(let service): expected.insert(service.spec.name)
                    case .serviceRemoved(let id): expected.remove(String(id.dropFirst(3)))
                    default: break
                    }
                }
            }
            #expect(Set(try Self.names(store)) == expected, "index \(entry.index)")
        }

        // svc-3 was removed by command 21 (made at 1_800_000_210): just before, it exists.
        let before = try BackupReplay.index(at: Timestamp(seconds: 1_800_000_209), in: contents)
        let store = try BackupReplay.replay(contents, through: before, storePath: scratch + "/before.db")
        #expect(try Self.names(store).contains("svc-3"))
        #expect(try BackupReplay.index(at: Timestamp(seconds: 1_800_000_210), in: contents) == manifest.last.index)
        #expect(throws: BackupError.self) { try BackupReplay.index(at: Timestamp(seconds: 1_700_000_000), in: contents) }
        #expect(throws: BackupError.self) {
            try BackupReplay.replay(contents, through: manifest.last.index + 1, storePath: scratch + "/beyond.db")
        }
    }

    @Test("one flipped byte anywhere in a backup is found, named by its part and the byte offset of its chunk; a cut-off file and a wrong passphrase are refused")
    func everyDamagedByteIsLocated() async throws {
        let (node, directory, _, bytes, manifest) = try await Self.backupOfARunningNode()
        defer { node.stop(); try? FileManager.default.removeItem(atPath: directory) }
        _ = try BackupFile(bytes: bytes).open(passphrase: "correct horse")

        let manifestStart = Int(manifest.parts[1].offset + manifest.parts[1].storedBytes)
        let chunkStride = UInt64(manifest.encryption.chunkBytes + 16)
        var offsets = Array(0..<20) + Array(stride(from: 0, to: bytes.count, by: 101)) + Array((bytes.count - 60)..<bytes.count)
        for part in manifest.parts { offsets += [Int(part.offset), Int(part.offset + part.storedBytes) - 1] }
        for offset in Set(offsets).sorted() {
            var damaged = bytes
            damaged[offset] ^= 0x20
            let outcome = Result { () throws(BackupError) in try BackupFile(bytes: damaged).open(passphrase: "correct horse") }
            guard case .failure(let error) = outcome else {
                Issue.record("byte \(offset) was flipped and the backup still opened")
                continue
            }
            Self.expect(error, locates: offset, in: manifest, size: bytes.count, manifestStart: manifestStart, chunkStride: chunkStride)
        }

        #expect(throws: BackupError.self) { try BackupFile(bytes: Array(bytes.dropLast(100))) }
        #expect(throws: BackupError.wrongPassphrase) { try BackupFile(bytes: bytes).open(passphrase: "Correct horse") }
    }

    /// A part's damage is named with an offset whose chunk holds the flipped byte; the frame's
    /// (header, manifest, trailer) with where it is.
    static func expect(_ error: BackupError, locates offset: Int, in manifest: BackupManifest, size: Int, manifestStart: Int, chunkStride: UInt64) {
        if case .damaged(let part, let start, _) = error {
            if let found = manifest.parts.first(where: { $0.name == part }) {
                #expect(UInt64(offset) >= found.offset && UInt64(offset) < found.offset + found.storedBytes, "byte \(offset): \(error)")
                #expect(UInt64(offset) >= start && UInt64(offset) < start + chunkStride, "byte \(offset): \(error)")
            } else {
                #expect(part == "manifest" && offset >= manifestStart, "byte \(offset): \(error)")
            }
        } else if case .malformed = error {
            #expect(offset < 17 || offset >= size - 56, "byte \(offset): \(error)")
        } else {
            Issue.record("byte \(offset): \(error)")
        }
    }

    @Test("a restore refuses a point whose state holds no swarm yet, and never writes into a non-empty data directory")
    func restoredDirectoryStartsANode() async throws {
        let (node, directory, _, bytes, manifest) = try await Self.backupOfARunningNode()
        defer { node.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let contents = try BackupFile(bytes: bytes).open(passphrase: "correct horse")
        // The restored state needs a swarm (its CA issues the new node's certificate).
        #expect(throws: BackupError.self) {
            try RestoredSwarm.write(contents, through: manifest.last.index, dataDirectory: directory + "-restored")
        }
        #expect(throws: BackupError.self) {
            try RestoredSwarm.write(contents, through: manifest.last.index, dataDirectory: directory)
        }
    }

    @Test("a backup's outcome is an audit record (backup.written, backup.failed) with its author, and changes no object")
    func backupsAreAudited() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-backup-\(UUID().uuidString)"
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        defer { node.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let written = BackupRecord(file: "colmeia-x-1.cbk", scheduled: true, firstIndex: 0, lastIndex: 7, bytes: 4096)
        let failed = BackupRecord(file: "/var/backups", scheduled: true, firstIndex: 0, lastIndex: 0, bytes: 0, error: "disk full")
        for (number, record) in [written, failed].enumerated() {
            let outcome = try await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: "backup-\(number)", time: .now(), actor: .init(kind: .reconciler, id: "backup-scheduler")),
                events: [.backup(record)]))
            guard case .applied = outcome else {
                Issue.record("\(outcome)")
                return
            }
        }
        let records = try node.store.audit(AuditQuery(objectKind: .backup, limit: 10)).records
        #expect(records.map(\.type).sorted() == ["backup.failed", "backup.written"])
        #expect(records.allSatisfy { $0.actor.id == "backup-scheduler" })
        #expect(records.contains { $0.type == "backup.failed" && $0.payload.contains("disk full") })
        #expect(try node.store.count(.backup) == 0, "an audit record only")
    }
}
