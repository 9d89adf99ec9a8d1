import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

/// A three-node cluster whose nodes persist through `RaftDiskStorage` on real files, driven
/// synchronously in-process: Raft and the WAL together must never lose a committed entry,
/// whether a node dies mid-write, its WAL is torn, or its WAL is corrupt.
@Suite struct RaftOnDiskClusterTests {
    final class DiskNode {
        let id: NodeID
        let directory: String
        var raft: RaftNode?
        var storage: RaftDiskStorage?
        var applied: [UInt64: [UInt8]] = [:]

        init(id: NodeID, directory: String) {
            self.id = id
            self.directory = directory
        }

        func start(voters: [NodeID]) throws {
            let (storage, recovered) = try RaftDiskStorage.open(directory: directory, segmentSize: 4096)
            self.storage = storage
            let config = RaftConfig(id: id, randomSeed: id)
            if recovered.isEmpty && !voters.isEmpty {
                raft = try RaftNode.bootstrap(config: config, voters: voters)
            } else {
                raft = try RaftNode(config: config, restoring: recovered.raftState)
            }
            applied = [:]
        }

        /// Stops the node the hard way: no final writes, storage simply dropped.
        func kill() {
            storage?.close()
            storage = nil
            raft = nil
        }
    }

    let root: String
    var nodes: [NodeID: DiskNode] = [:]

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/colmeia-ondisk-\(UUID().uuidString)"
        for id: NodeID in 1...3 {
            nodes[id] = DiskNode(id: id, directory: "\(root)/node-\(id)")
            try nodes[id]?.start(voters: [1, 2, 3])
        }
    }

    /// Handles readies and delivers messages until nothing moves.
    func settle() throws {
        for _ in 0..<1_000 {
            var moved = false
            var mail: [Message] = []
            for id in nodes.keys.sorted() {
                guard let node = nodes[id], var raft = node.raft, let storage = node.storage else { continue }
                while raft.hasReady {
                    moved = true
                    let ready = raft.ready()
                    try storage.persist(hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot,
                                        sync: ready.mustSync)
                    mail += ready.messages
                    if let snapshot = ready.snapshot {
                        node.applied = node.applied.filter { $0.key > snapshot.metadata.index }
                    }
                    for entry in ready.committedEntries where entry.kind == .normal && !entry.data.isEmpty {
                        node.applied[entry.index] = entry.data
                    }
                    raft.advance(ready)
                }
                node.raft = raft
            }
            for message in mail { nodes[message.to]?.raft?.step(message) }
            if !moved && mail.isEmpty { return }
        }
        let states = nodes.keys.sorted().map { "\($0): \(nodes[$0]?.raft.map { "\($0.role) t\($0.term) c\($0.commitIndex) l\($0.lastIndex) ready=\($0.hasReady)" } ?? "down")" }
        throw TestFailure("cluster did not settle: \(states)")
    }

    func tick(_ count: Int) throws {
        for _ in 0..<count {
            for id in nodes.keys.sorted() { nodes[id]?.raft?.tick() }
            try settle()
        }
    }

    /// Applies the bootstrap membership, then makes `id` campaign.
    func elect(_ id: NodeID) throws {
        try settle()
        nodes[id]?.raft?.campaign()
        try settle()
        #expect(nodes[id]?.raft?.role == .leader)
    }

    func leader() -> DiskNode? { nodes.values.first { $0.raft?.role == .leader } }

    func propose(_ count: Int, tag: String) throws -> [[UInt8]] {
        var proposed: [[UInt8]] = []
        for number in 0..<count {
            let data = Array("\(tag)-\(number)".utf8)
            let node = try #require(leader())
            try node.raft?.propose(data)
            proposed.append(data)
            if number % 7 == 0 { try settle() }
        }
        try settle()
        return proposed
    }

    func walSegments(of id: NodeID) throws -> [String] {
        let directory = "\(root)/node-\(id)/wal"
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".wal") }.sorted().map { "\(directory)/\($0)" }
    }

    func committedEverywhere(_ data: [[UInt8]], on ids: [NodeID]) -> Bool {
        ids.allSatisfy { id in
            let values = Set(nodes[id]?.applied.values.map { $0 } ?? [])
            return data.allSatisfy(values.contains)
        }
    }

    @Test("a torn WAL tail is truncated on restart and no committed entry is lost")
    func tornTailKeepsCommittedEntries() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try elect(1)
        let first = try propose(60, tag: "first")
        #expect(committedEverywhere(first, on: [1, 2, 3]))
        let commitBefore = try #require(nodes[3]?.raft?.commitIndex)

        // Node 3 dies in the middle of a write: half a record at the end of its last segment.
        nodes[3]?.kill()
        let last = try #require(try walSegments(of: 3).last)
        let handle = try #require(FileHandle(forWritingAtPath: last))
        handle.seekToEndOfFile()
        handle.write(Data([0x40, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0x02, 0x01, 0x02]))
        try handle.close()

        try nodes[3]?.start(voters: [])
        let recoveredCommit = try #require(nodes[3]?.raft?.commitIndex)
        #expect(recoveredCommit <= commitBefore)
        #expect(try #require(nodes[3]?.raft?.lastIndex) >= commitBefore)
        try tick(30)
        let second = try propose(20, tag: "second")
        try tick(5)
        #expect(committedEverywhere(first + second, on: [1, 2, 3]))
    }

    @Test("a corrupt WAL stops the node with file and offset; the cluster keeps every committed entry")
    mutating func corruptWALIsReportedNotSkipped() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try elect(1)
        let first = try propose(40, tag: "before")

        nodes[2]?.kill()
        let segment = try #require(try walSegments(of: 2).first)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment)))
        let offset = bytes.count / 3
        bytes[offset] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))

        var message = ""
        do {
            _ = try RaftDiskStorage.open(directory: "\(root)/node-2")
            Issue.record("a corrupt WAL must not open")
        } catch {
            message = "\(error)"
        }
        #expect(message.contains(segment))
        #expect(message.contains("offset"))

        // The remaining majority keeps committing.
        let second = try propose(20, tag: "while-down")
        #expect(committedEverywhere(first + second, on: [1, 3]))

        // As with Swarm, a manager whose state is lost leaves the cluster and a fresh node
        // joins in its place: remove 2, add 4 as a learner, promote it once caught up.
        let leaderNode = try #require(leader())
        try leaderNode.raft?.proposeConfChange(ConfChange(.removeNode, nodeID: 2))
        try settle()
        nodes[2] = nil
        nodes[4] = DiskNode(id: 4, directory: "\(root)/node-4")
        try nodes[4]?.start(voters: [])
        try leaderNode.raft?.proposeConfChange(ConfChange(.addLearner, nodeID: 4))
        try tick(5)
        try leaderNode.raft?.proposeConfChange(ConfChange(.addNode, nodeID: 4))
        try tick(5)
        #expect(leaderNode.raft?.confState == ConfState(voters: [1, 3, 4]))
        #expect(committedEverywhere(first + second, on: [1, 3, 4]))
    }

    @Test("every node restarts from disk with its committed log intact")
    func fullClusterRestart() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try elect(1)
        let written = try propose(100, tag: "durable")
        let commits = nodes.mapValues { $0.raft?.commitIndex ?? 0 }
        for id in nodes.keys.sorted() { nodes[id]?.kill() }
        for id in nodes.keys.sorted() { try nodes[id]?.start(voters: []) }
        for (id, commit) in commits {
            // The commit index may lag (it is synced lazily), never the entries themselves.
            #expect(try #require(nodes[id]?.raft?.lastIndex) >= commit)
        }
        try tick(40)
        #expect(leader() != nil)
        let more = try propose(5, tag: "after-restart")
        #expect(committedEverywhere(written + more, on: [1, 2, 3]))
    }
}
