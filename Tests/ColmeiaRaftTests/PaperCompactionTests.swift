import Testing
@testable import ColmeiaRaft

/// Raft paper §7 (log compaction): snapshots, InstallSnapshot, and restarting from a
/// snapshot plus the log after it.
@Suite("§7 Log compaction")
struct PaperCompactionTests {
    /// Three servers led by 1 that applied `count` commands ("c0", "c1", …) after the
    /// bootstrap membership entries (1–3) and the leader's no-op (4).
    func cluster(commands count: Int) throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        for index in 0..<count { try net.propose(1, "c\(index)") }
        return net
    }

    /// "Each server takes snapshots independently, covering just the committed entries in its
    /// log. … Raft also retains a small amount of metadata in the snapshot: the last included
    /// index is the index of the last entry in the log that the snapshot replaces …, and the
    /// last included term is the term of this entry. These are preserved to support the
    /// AppendEntries consistency check for the first log entry following the snapshot." And
    /// "the snapshot also includes the latest configuration in the log as of last included
    /// index."
    @Test("compaction drops the prefix and keeps the last included index, term and configuration")
    func compactionKeepsLastIncludedTerm() throws {
        var net = try cluster(commands: 5)
        #expect(net[2].appliedIndex == 9)
        let snapshot = try net.compact(2)
        #expect(snapshot.metadata.index == 9)
        #expect(snapshot.metadata.term == 2)
        #expect(snapshot.metadata.confState == ConfState(voters: [1, 2, 3]))
        #expect(StateMachineCodec.decode(snapshot.data).count == 5)
        #expect(net[2].snapshot == snapshot)
        #expect(net[2].firstIndex == 10)
        #expect(net[2].term(at: 9) == 2, "the term of the last included entry is kept")
        #expect(net[2].term(at: 8) == nil)
        #expect(net[2].entries(from: 1, through: 9).isEmpty)
        // The consistency check for the entry after the snapshot still works.
        try net.propose(1, "after")
        #expect(net[2].lastIndex == 10)
        #expect(net[2].commitIndex == 10)
        #expect(net[1].firstIndex == 1, "servers compact independently")
    }

    /// A snapshot may keep a tail of the entries it covers, for followers that are only a
    /// little behind (ColmeiaRaft's `retaining:`).
    @Test("compaction can retain a tail of already-snapshotted entries")
    func compactionRetainsTail() throws {
        var net = try cluster(commands: 5)
        let snapshot = try net.compact(1, retaining: 3)
        #expect(snapshot.metadata.index == 9)
        #expect(net[1].firstIndex == 7)
        #expect(net[1].entries(from: 7, through: 9).map(\.index) == [7, 8, 9])
        // A second snapshot at the same applied index is refused.
        #expect(throws: RaftError.snapshotOutOfDate(requested: 9, current: 9)) {
            try net.compact(1)
        }
    }

    /// Only applied state can be snapshotted.
    @Test("a node with nothing applied cannot take a snapshot")
    func nothingToSnapshot() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1]), term: 1))
        #expect(throws: RaftError.snapshotOutOfDate(requested: 0, current: 0)) {
            try node.compact(snapshotData: [])
        }
    }

    /// "The leader must occasionally send snapshots to followers that lag behind. This happens
    /// when the leader has already discarded the next log entry that it needs to send to a
    /// follower." The follower installs it (the application receives it in a `Ready`) and is
    /// then brought up to date with the entries after it.
    @Test("a follower behind the compaction point receives, installs and catches up from a snapshot")
    func laggingFollowerGetsSnapshot() throws {
        var net = try cluster(commands: 2)
        net.isolate(3)
        for index in 2..<6 { try net.propose(1, "c\(index)") }
        let snapshot = try net.compact(1)
        try net.propose(1, "after snapshot")
        #expect(net[1].firstIndex > net[3].lastIndex + 1, "3 needs what was compacted")
        net.heal()
        net.tick(1)
        let sent = net.delivered(.snapshot)
        #expect(sent.count == 1)
        #expect(sent.first?.to == 3)
        #expect(sent.first?.snapshot == snapshot)
        #expect(net.peer(3).installedSnapshots == [snapshot], "Ready.snapshot hands it to the application")
        #expect(net[3].snapshot == snapshot)
        #expect(net[3].firstIndex == snapshot.metadata.index + 1)
        #expect(net[3].allEntries == net[1].allEntries)
        #expect(net[3].commitIndex == net[1].commitIndex)
        #expect(net.applied(3) == net.applied(1))
        #expect(net.applied(3) == ["c0", "c1", "c2", "c3", "c4", "c5", "after snapshot"])
        #expect(net[1].progress[3]?.state == "replicate")
    }

    /// InstallSnapshot can be lost like any RPC; the leader sends it again.
    @Test("a lost snapshot is sent again")
    func lostSnapshotIsResent() throws {
        var net = try cluster(commands: 3)
        net.isolate(3)
        try net.propose(1, "c3")
        try net.compact(1)
        net.heal()
        net.dropIf = { message, _ in message.type == .snapshot }
        net.tick(1)
        #expect(net.dropped.filter { $0.type == .snapshot }.count == 1)
        net.dropIf = nil
        let rounds = net.tickAll(until: { $0.peer(3).installedSnapshots.count == 1 }, limit: 30)
        #expect(rounds != nil)
        net.tick(1)
        #expect(net.applied(3) == net.applied(1))
    }

    /// A server that joins after the log was compacted starts from the leader's snapshot.
    @Test("a server added after compaction starts from a snapshot")
    func newServerStartsFromSnapshot() throws {
        var net = try cluster(commands: 3)
        try net.compact(1)
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        try net.propose(1, "with four")
        net.tick(1, times: 2)
        #expect(net.peer(4).installedSnapshots.count == 1)
        #expect(net[4].confState.voters == [1, 2, 3, 4])
        #expect(net.applied(4) == ["c0", "c1", "c2", "with four"])
        #expect(net[4].allEntries == net[1].allEntries)
    }

    /// "If instead the follower receives a snapshot that describes a prefix of its log (due to
    /// retransmission or by mistake), then log entries covered by the snapshot are deleted but
    /// entries following the snapshot are still valid and must be retained." ColmeiaRaft keeps
    /// its log and just learns that the prefix is committed.
    @Test("a snapshot of a prefix of the follower's log only advances its commit index")
    func snapshotOfPrefix() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 1, 1, 1]),
                                                 term: 1, commit: 2))
        node.drain()
        node.step(Message(type: .snapshot, to: 1, from: 2, term: 1, snapshot: Snapshot(
            metadata: SnapshotMetadata(index: 4, term: 1, confState: ConfState(voters: [1, 2, 3])), data: [9])))
        #expect(node.commitIndex == 4)
        #expect(node.allEntries == makeLog(terms: [1, 1, 1, 1, 1]), "entries following the snapshot are retained")
        let out = node.drain()
        #expect(out.snapshots.isEmpty, "nothing to install")
        #expect(out.committedEntries.map(\.index) == [3, 4])
        #expect(out.messages.map(\.type) == [.appendResponse])
        #expect(out.messages.first?.index == 4)
        #expect(out.messages.first?.reject == false)
    }

    /// "Usually the snapshot will contain new information not already in the recipient's log.
    /// In this case, the follower discards its entire log; it is all superseded by the
    /// snapshot and may possibly have uncommitted entries that conflict with the snapshot."
    @Test("a snapshot that conflicts with the follower's log replaces the whole log")
    func snapshotReplacesConflictingLog() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 2, 2]),
                                                 term: 2, commit: 2))
        node.drain()
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 3, term: 3, confState: ConfState(voters: [1, 2, 3, 4])),
                                data: StateMachineCodec.encode([bytes("x")]))
        node.step(Message(type: .snapshot, to: 1, from: 2, term: 3, snapshot: snapshot))
        #expect(node.lastIndex == 3)
        #expect(node.term(at: 3) == 3)
        #expect(node.firstIndex == 4)
        #expect(node.commitIndex == 3)
        #expect(node.confState.voters == [1, 2, 3, 4], "the snapshot's configuration is adopted")
        let out = node.drain()
        #expect(out.snapshots == [snapshot])
        #expect(out.committedEntries.isEmpty)
        #expect(node.appliedIndex == 3)
        #expect(out.messages.first?.index == 3)
    }

    /// A snapshot older than what the follower already committed is ignored.
    @Test("a stale snapshot changes nothing")
    func staleSnapshotIgnored() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 1, 1]),
                                                 term: 1, commit: 3))
        node.drain()
        node.step(Message(type: .snapshot, to: 1, from: 2, term: 1, snapshot: Snapshot(
            metadata: SnapshotMetadata(index: 2, term: 1, confState: ConfState(voters: [1, 2, 3])))))
        #expect(node.commitIndex == 3)
        #expect(node.firstIndex == 1)
        let out = node.drain()
        #expect(out.snapshots.isEmpty)
        #expect(out.messages.first?.index == 3, "answers with what it has committed")
    }

    /// Restarting is §7's other half: the server reloads its snapshot, then its log after it,
    /// and recovers its term, vote, commit index and configuration; entries after the snapshot
    /// are applied again.
    @Test("a server restarts from its snapshot plus the entries after it")
    func restartFromSnapshot() throws {
        var net = try cluster(commands: 4)
        let snapshot = try net.compact(2)
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 4))
        for index in 4..<7 { try net.propose(1, "c\(index)") }
        net.tick(1)
        let before = net[2]
        try net.restart(2)
        let after = net[2]
        #expect(after.term == before.term)
        #expect(after.vote == before.vote)
        #expect(after.commitIndex == before.commitIndex)
        #expect(after.firstIndex == snapshot.metadata.index + 1)
        #expect(after.lastIndex == before.lastIndex)
        #expect(after.allEntries == before.allEntries)
        #expect(after.appliedIndex == before.appliedIndex)
        #expect(after.confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(net.applied(2) == net.applied(1))
        #expect(net.applied(2) == ["c0", "c1", "c2", "c3", "c4", "c5", "c6"])
    }

    /// When the application says it has already applied up to `RaftConfig.applied` (its state
    /// machine is durable), those entries are not handed out again, and membership changes
    /// among them are in effect at once.
    @Test("restarting with a durable applied index skips re-applying, yet restores membership")
    func restartWithAppliedIndex() throws {
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 5, term: 2, confState: ConfState(voters: [1, 2, 3])))
        var entries = makeLog(terms: [2, 2, 3], from: 6)
        entries[1] = Entry(term: 2, index: 7, kind: .confChange, data: ConfChange(.addLearner, nodeID: 4).encoded())
        let state = RaftPersistentState(snapshot: snapshot, hardState: HardState(term: 3, vote: 1, commit: 8),
                                        entries: entries)
        var node = try RaftNode(config: paperConfig(1, applied: 7), restoring: state)
        #expect(node.confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(node.appliedIndex == 7)
        #expect(node.firstIndex == 6)
        #expect(node.term == 3 && node.vote == 1 && node.commitIndex == 8)
        #expect(node.drain().committedEntries.map(\.index) == [8])
    }
}
