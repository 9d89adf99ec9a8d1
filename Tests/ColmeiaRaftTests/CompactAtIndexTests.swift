import Testing
@testable import ColmeiaRaft

/// `compact(at:)`: a snapshot built off the driving thread, at an index the log has since
/// moved past, is recorded only when it still describes the log at that index.
@Suite("Compaction at a past index")
struct CompactAtIndexTests {
    /// Three servers led by 1; indexes 1–3 are the bootstrap membership, 4 the no-op, then
    /// `count` commands.
    func cluster(commands count: Int) throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        for index in 0..<count { try net.propose(1, "c\(index)") }
        return net
    }

    func metadata(_ node: RaftNode, at index: UInt64, confState: ConfState? = nil) -> SnapshotMetadata {
        SnapshotMetadata(index: index, term: node.term(at: index) ?? 0, confState: confState ?? node.confState)
    }

    @Test("a snapshot at an applied index below the applied one compacts the log there")
    func compactsAtThePastIndex() throws {
        let net = try cluster(commands: 5)
        var node = net[2]
        #expect(node.appliedIndex == 9)
        let snapshot = try node.compact(at: metadata(node, at: 7), snapshotData: [1, 2], retaining: 2)
        #expect(snapshot.metadata.index == 7)
        #expect(node.snapshot == snapshot)
        #expect(node.firstIndex == 6, "two entries kept behind the snapshot")
        #expect(node.appliedIndex == 9, "nothing applied is forgotten")
        #expect(throws: RaftError.snapshotOutOfDate(requested: 7, current: 7)) {
            try node.compact(at: metadata(node, at: 7))
        }
    }

    @Test("dropping the snapshot's data keeps its metadata and the log as they are")
    func dropSnapshotData() throws {
        var net = try cluster(commands: 5)
        let snapshot = try net.compact(2)
        var node = net[2]
        #expect(!snapshot.data.isEmpty)
        node.dropSnapshotData()
        #expect(node.snapshot == Snapshot(metadata: snapshot.metadata, data: []))
        #expect(node.firstIndex == net[2].firstIndex)
        #expect(node.appliedIndex == net[2].appliedIndex)
    }

    @Test("an index not applied yet, or a term the log does not hold there, is refused without effect")
    func refusesWhatTheLogDoesNotSay() throws {
        let net = try cluster(commands: 5)
        var node = net[2]
        let before = node
        #expect(throws: RaftError.snapshotIndexNotApplied(requested: 10, applied: 9)) {
            try node.compact(at: SnapshotMetadata(index: 10, term: 2, confState: node.confState))
        }
        #expect(throws: RaftError.snapshotTermMismatch(index: 8, requested: 1, actual: 2)) {
            try node.compact(at: SnapshotMetadata(index: 8, term: 1, confState: node.confState))
        }
        #expect(node.firstIndex == before.firstIndex)
        #expect(node.snapshot == nil)
    }

    @Test("a membership change applied after the index makes the snapshot's membership stale: refused")
    func refusesAcrossAMembershipChange() throws {
        var net = try cluster(commands: 3)
        let old = net[1].confState
        let before = net[1].appliedIndex
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        try net.propose(1, "after the change")
        var node = net[1]
        #expect(node.confState.voters == [1, 2, 3, 4])
        #expect(throws: RaftError.snapshotMembershipChanged(index: before)) {
            try node.compact(at: metadata(node, at: before, confState: old))
        }
        // Even with today's membership: it was not in force at `before`.
        #expect(throws: RaftError.snapshotMembershipChanged(index: before)) {
            try node.compact(at: metadata(node, at: before))
        }
        // The builder saw the old membership; the copy reflects an index after the change.
        #expect(throws: RaftError.snapshotMembershipChanged(index: node.appliedIndex)) {
            try node.compact(at: metadata(node, at: node.appliedIndex, confState: old))
        }
        let snapshot = try node.compact(at: metadata(node, at: node.appliedIndex))
        #expect(snapshot.metadata.confState.voters == [1, 2, 3, 4])
    }
}
