import Testing
@testable import ColmeiaRaft

// Hostile, broken or merely confused input. Raft is not Byzantine fault tolerant, so a
// node may be misled by a peer that lies consistently; but no message may crash it, and
// garbage must not cost it a committed entry. Every test checks, after the bad input, that
// the commit index did not move backwards and that the committed entries are unchanged.

/// Follower 1 of {1, 2, 3} in term 2 with log [1:1, 2:1, 3:2, 4:2, 5:2], entries 1–3
/// committed and applied, following leader 2.
private func follower() -> RaftNode {
    var node = try! restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 2, 2, 2]),
                                              term: 2, commit: 3))
    node.step(Message(type: .heartbeat, to: 1, from: 2, term: 2, commit: 3))
    node.drain()
    return node
}

/// Leader 1 of {1, 2, 3} in term 3 with the same log plus its no-op (6:3), everything
/// replicated to and committed by everyone.
private func leader() -> RaftNode {
    var node = try! restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 2, 2, 2]),
                                              term: 2, commit: 3))
    node.winElection(votesFrom: [2, 3])
    node.replicateToAll()
    return node
}

/// What a node has committed, to compare before and after bad input.
private struct Committed: Equatable, CustomStringConvertible {
    var commit: UInt64
    var entries: [Entry]

    init(_ node: RaftNode) {
        commit = node.commitIndex
        entries = node.entries(from: 1, through: node.commitIndex)
    }

    var description: String { "commit \(commit): \(entries.map { "\($0.index):\($0.term)" })" }

    /// Whether `node` still has everything this recorded (its commit may have advanced).
    func isKept(by node: RaftNode) -> Bool {
        node.commitIndex >= commit && node.entries(from: 1, through: commit) == entries
    }
}

@Suite("Bad input never crashes a node nor costs it a committed entry")
struct BadInputTests {
    /// Steps `messages` into `node` and checks it kept (and did not change) what it had
    /// committed, its term, its log and its role. Returns what the node answered.
    ///
    /// `adoptedTerm`: a message with a later term is checked for its term (§5.1) before its
    /// content, so even a malformed one moves the node to that term, as in etcd/raft.
    @discardableResult
    func expectIgnored(_ messages: [Message], by node: inout RaftNode, adoptedTerm: UInt64? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) -> Drained {
        let before = (Committed(node), node.term, node.vote, node.role, node.allEntries)
        for message in messages { node.step(message) }
        let out = node.drain()
        #expect(Committed(node) == before.0, sourceLocation: sourceLocation)
        #expect(node.term == adoptedTerm ?? before.1, sourceLocation: sourceLocation)
        #expect(node.vote == before.2, sourceLocation: sourceLocation)
        #expect(node.role == before.3, sourceLocation: sourceLocation)
        #expect(node.allEntries == before.4, sourceLocation: sourceLocation)
        #expect(out.committedEntries.isEmpty, sourceLocation: sourceLocation)
        #expect(out.snapshots.isEmpty, sourceLocation: sourceLocation)
        return out
    }

    // MARK: Unknown senders

    /// Responses and requests from a server that is not a member change nothing.
    @Test("messages from an unknown node id are ignored by a leader")
    func unknownSenderToLeader() {
        var node = leader()
        let term = node.term
        let out = expectIgnored([
            Message(type: .appendResponse, to: 1, from: 99, term: term, index: 6),
            Message(type: .appendResponse, to: 1, from: 99, term: term, index: 3, reject: true, rejectHint: 0),
            Message(type: .heartbeatResponse, to: 1, from: 99, term: term, context: bytes("x")),
            Message(type: .voteResponse, to: 1, from: 99, term: term),
            Message(type: .transferLeader, to: 1, from: 99, term: term),
            Message(type: .snapshot, to: 1, from: 99, term: term,
                    snapshot: Snapshot(metadata: SnapshotMetadata(index: 50, term: 3, confState: ConfState(voters: [99])))),
        ], by: &node)
        #expect(out.messages.isEmpty)
        #expect(node.progress[99] == nil)
        #expect(node.transferee == 0)
    }

    /// A candidate counts only the votes of voters: grants from strangers do not elect it.
    @Test("votes from unknown node ids do not count")
    func unknownVotesDoNotCount() {
        var node = try! restoredNode(1, persisted(voters: [1, 2, 3, 4, 5], term: 1))
        node.campaign()
        for stranger: NodeID in [6, 7, 98, 99] {
            node.step(Message(type: .voteResponse, to: 1, from: stranger, term: node.term))
        }
        #expect(node.role == .candidate)
        node.step(Message(type: .voteResponse, to: 1, from: 2, term: node.term))
        node.step(Message(type: .voteResponse, to: 1, from: 3, term: node.term))
        #expect(node.role == .leader, "real voters still count")
    }

    /// The application may report on peers that are not members; nothing happens.
    @Test("reports about unknown peers are ignored")
    func reportsAboutUnknownPeers() {
        var node = leader()
        let before = Committed(node)
        node.reportUnreachable(99)
        node.reportSnapshot(to: 99, succeeded: true)
        node.reportSnapshot(to: 2, succeeded: false)
        node.transferLeadership(to: 99)
        #expect(node.role == .leader)
        #expect(before.isKept(by: node))
        #expect(node.transferee == 0)
    }

    // MARK: Misaddressed and timeless messages

    /// Messages meant for another server, claiming to come from this one or from "no node",
    /// and the node-local kinds, are dropped without effect.
    @Test("misaddressed, self-sent, anonymous and local-only messages are dropped",
          arguments: [MessageType.append, .heartbeat, .vote, .snapshot, .timeoutNow, .appendResponse])
    func misaddressed(type: MessageType) {
        var node = follower()
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 9, term: 3, confState: ConfState(voters: [1, 2, 3])))
        func make(to: NodeID, from: NodeID) -> Message {
            Message(type: type, to: to, from: from, term: 3, logTerm: 2, index: 5,
                    entries: type == .append ? [entry(6, 3)] : [], commit: 6,
                    snapshot: type == .snapshot ? snapshot : nil)
        }
        let out = expectIgnored([make(to: 7, from: 2), make(to: 0, from: 2), make(to: 1, from: 1), make(to: 1, from: 0)],
                                by: &node)
        #expect(out.messages.isEmpty)
        var other = follower()
        let local = expectIgnored(
            [MessageType.localHup, .localBeat, .localUnreachable, .localSnapshotStatus].map {
                Message(type: $0, to: 1, from: 2, term: 2)
            }, by: &other)
        #expect(local.messages.isEmpty)
    }

    /// Term 0 marks requests that never leave a node (and forwarded proposals and reads).
    /// A remote message of any other kind with term 0 is dropped.
    @Test("remote messages with term 0 are dropped", arguments: [
        MessageType.append, .appendResponse, .vote, .voteResponse, .preVote, .preVoteResponse, .snapshot,
        .heartbeat, .heartbeatResponse, .timeoutNow, .transferLeader, .readIndexResponse,
    ])
    func termZero(type: MessageType) {
        var node = follower()
        let out = expectIgnored([Message(type: type, to: 1, from: 2, term: 0, logTerm: 2, index: 5,
                                         entries: type == .append ? [entry(6, 2)] : [], commit: 6,
                                         snapshot: type == .snapshot ? Snapshot(metadata: SnapshotMetadata(
                                            index: 9, term: 2, confState: ConfState(voters: [1, 2, 3]))) : nil)],
                                by: &node)
        #expect(out.messages.isEmpty)
        #expect(out.readStates.isEmpty)
        var lead = leader()
        expectIgnored([Message(type: type, to: 1, from: 2, term: 0, index: 6)], by: &lead)
    }

    // MARK: Stale terms

    /// A deposed leader's AppendEntries that would rewrite this server's log is ignored.
    @Test("an append with a stale term cannot rewrite anything")
    func staleAppend() {
        var node = follower()
        node.step(Message(type: .heartbeat, to: 1, from: 3, term: 4))
        node.drain()
        let out = expectIgnored([
            Message(type: .append, to: 1, from: 2, term: 2, logTerm: 0, index: 0, entries: makeLog(terms: [2, 2]), commit: 2),
            Message(type: .append, to: 1, from: 2, term: 3, logTerm: 2, index: 3, entries: [entry(4, 3)], commit: 4),
            Message(type: .heartbeat, to: 1, from: 2, term: 3, commit: 5),
        ], by: &node)
        #expect(out.messages.isEmpty)
        #expect(node.leader == 3)
    }

    // MARK: Out-of-range indexes

    /// An append whose predecessor lies far beyond the log is refused, with a hint inside
    /// the log; the log is untouched.
    @Test("an append far beyond the log is refused", arguments: [UInt64(6), 7, 1_000, 1 << 40, Message.maximumValue - 2])
    func appendBeyondLog(index: UInt64) throws {
        var node = follower()
        let out = expectIgnored([Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: index,
                                         entries: [Entry(term: 2, index: index + 1)], commit: index + 1)],
                                by: &node)
        let answer = try #require(out.messages.first)
        #expect(answer.type == .appendResponse && answer.reject)
        #expect(answer.rejectHint <= node.lastIndex)
    }

    /// The extreme index UInt64.max must not overflow anything.
    @Test("an append at index UInt64.max does not crash the node")
    func appendAtMaxIndex() async {
        await #expect(processExitsWith: .success) {
            var node = follower()
            let before = Committed(node)
            node.step(Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: .max))
            node.step(Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: .max - 1,
                              entries: [Entry(term: 2, index: .max)]))
            node.step(Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: .max - 1))
            node.drain()
            for _ in 0..<30 { node.tick() }
            node.drain()
            if !before.isKept(by: node) { fatalError("lost committed entries") }
        }
    }

    /// "If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new
    /// entry)": a commit index beyond what the append vouches for is clamped.
    @Test("a commit index beyond the appended entries is clamped to the last new entry")
    func appendCommitBeyondLog() {
        var node = follower()
        node.step(Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: 4, commit: 100))
        #expect(node.commitIndex == 4, "the append vouches for the log up to 4 only")
        node.step(Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: 5, entries: [entry(6, 2)], commit: Message.maximumValue - 1))
        #expect(node.commitIndex == 6)
        #expect(node.lastIndex == 6)
        #expect(node.drain().committedEntries.map(\.index) == [4, 5, 6])
    }

    /// A heartbeat's commit index beyond the log cannot be honoured: it is ignored.
    @Test("a heartbeat commit index beyond the log is ignored", arguments: [UInt64(6), 100, Message.maximumValue - 1])
    func heartbeatCommitBeyondLog(commit: UInt64) {
        var node = follower()
        let out = expectIgnored([Message(type: .heartbeat, to: 1, from: 2, term: 2, commit: commit)], by: &node)
        #expect(out.messages.map(\.type) == [.heartbeatResponse])
    }

    /// An acknowledgement of entries the leader never had must not advance anything.
    @Test("an append response acknowledging indexes the leader never had is ignored",
          arguments: [UInt64(7), 100, UInt64.max])
    func ackBeyondLeaderLog(index: UInt64) {
        var node = leader()
        let match = node.progress[2]?.match
        expectIgnored([Message(type: .appendResponse, to: 1, from: 2, term: node.term, index: index)], by: &node)
        #expect(node.progress[2]?.match == match)
        // The leader still works.
        try? node.propose(bytes("still fine"))
        node.replicateToAll()
        #expect(node.commitIndex == 7)
    }

    /// Rejections with absurd indexes or hints neither crash the leader nor move its
    /// commit index, and replication still converges afterwards.
    @Test("append rejections with absurd hints are survived")
    func absurdRejections() {
        var node = leader()
        let term = node.term
        expectIgnored([
            Message(type: .appendResponse, to: 1, from: 2, term: term, logTerm: 0, index: .max, reject: true, rejectHint: .max),
            Message(type: .appendResponse, to: 1, from: 2, term: term, logTerm: .max, index: 6, reject: true, rejectHint: .max),
            Message(type: .appendResponse, to: 1, from: 3, term: term, logTerm: 1, index: 0, reject: true, rejectHint: 0),
        ], by: &node)
        try? node.propose(bytes("after"))
        node.replicateToAll()
        #expect(node.commitIndex == 7)
    }

    /// The largest hint a message may carry (a follower's hint is untrusted input); larger
    /// values are dropped at the door like every out-of-range field.
    @Test("the largest in-range rejection hint does not crash the leader")
    func rejectionHintAtMax() async {
        await #expect(processExitsWith: .success) {
            var node = try! restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 2]), term: 2))
            node.winElection(votesFrom: [2])
            node.drain()
            // Follower 2 is being probed at next = 4: the rejection of index 3 is current.
            node.step(Message(type: .appendResponse, to: 1, from: 2, term: 3, logTerm: 0, index: 3,
                              reject: true, rejectHint: Message.maximumValue - 1))
            node.replicateToAll()
            if node.commitIndex != 4 { fatalError("replication did not recover") }
        }
    }

    /// A snapshot whose metadata cannot be right — a term later than its sender's, no index,
    /// an index the follower already committed, term 0, or a configuration without voters —
    /// is not installed.
    @Test("snapshots with nonsense metadata are not installed", arguments: [
        SnapshotMetadata(index: 10, term: 5, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 0, term: 0, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 0, term: 2, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 2, term: 2, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 3, term: 1, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 10, term: 0, confState: ConfState(voters: [1, 2, 3])),
        SnapshotMetadata(index: 10, term: 2, confState: ConfState()),
        SnapshotMetadata(index: 10, term: 2, confState: ConfState(learners: [1])),
    ])
    func nonsenseSnapshot(metadata: SnapshotMetadata) {
        var node = follower()
        let confState = node.confState
        expectIgnored([Message(type: .snapshot, to: 1, from: 2, term: 2, snapshot: Snapshot(metadata: metadata, data: [0xFF]))],
                      by: &node)
        #expect(node.confState == confState)
        #expect(node.snapshot == nil)
    }

    /// A message without the snapshot it announces is dropped.
    @Test("a snapshot message without a snapshot is ignored")
    func snapshotMessageWithoutSnapshot() {
        var node = follower()
        expectIgnored([Message(type: .snapshot, to: 1, from: 2, term: 2)], by: &node)
    }

    // MARK: Malformed entries

    static let malformed: [(label: String, index: UInt64, logTerm: UInt64, entries: [Entry])] = [
        ("a gap between entries", 5, 2, [entry(6, 2), entry(8, 2)]),
        ("entries out of order", 5, 2, [entry(7, 2), entry(6, 2)]),
        ("a repeated index", 5, 2, [entry(6, 2), entry(6, 2)]),
        ("first entry not after the predecessor", 5, 2, [entry(7, 2)]),
        ("first entry overlapping the predecessor", 5, 2, [entry(5, 2), entry(6, 2)]),
        ("an entry term above the message term", 5, 2, [entry(6, 2), entry(7, 9)]),
        ("decreasing entry terms", 5, 2, [entry(6, 3), entry(7, 2)]),
        ("an entry term below the predecessor's", 5, 2, [entry(6, 1)]),
        ("a predecessor term above the message term", 5, 7, [entry(6, 3)]),
        ("an entry with index 0", 0, 0, [entry(0, 1)]),
    ]

    /// AppendEntries whose entries do not follow the predecessor contiguously with
    /// non-decreasing terms no later than the message's own are dropped whole — before the
    /// term rules, so a malformed message cannot even move the receiver's term.
    @Test("appends with malformed entries are dropped", arguments: malformed)
    func malformedEntries(label: String, index: UInt64, logTerm: UInt64, entries: [Entry]) {
        var node = follower()
        let out = expectIgnored([Message(type: .append, to: 1, from: 2, term: 3, logTerm: logTerm, index: index,
                                         entries: entries, commit: 7)], by: &node)
        #expect(!out.messages.contains { $0.type == .appendResponse && !$0.reject }, "\(label)")
    }

    /// A proposal forwarded with an undecodable membership change is dropped at the door.
    @Test("a forwarded proposal with an undecodable membership change is dropped")
    func undecodableConfChange() {
        var node = leader()
        expectIgnored([Message(type: .propose, to: 1, from: 2, entries: [Entry(term: 0, index: 0, kind: .confChange, data: [7])])],
                      by: &node)
    }

    // MARK: Rewriting committed entries

    /// "If an existing entry conflicts with a new one … delete the existing entry and all
    /// that follow it" applies to uncommitted entries only: an append that would replace
    /// committed entries — which no legitimate leader can send — leaves them alone.
    @Test("an append that would overwrite committed entries leaves them intact", arguments: [
        (index: UInt64(0), logTerm: UInt64(0), terms: [UInt64(2), 2, 2, 2]),
        (index: 1, logTerm: 1, terms: [2, 2]),
        (index: 2, logTerm: 1, terms: [1]),
        (index: 2, logTerm: 1, terms: [1, 2, 2, 2, 2, 2]),
    ])
    func overwriteCommitted(index: UInt64, logTerm: UInt64, terms: [UInt64]) {
        var node = follower()
        let out = expectIgnored([Message(type: .append, to: 1, from: 2, term: 2, logTerm: logTerm, index: index,
                                         entries: makeLog(terms: terms, from: index + 1), commit: 3)], by: &node)
        // It answers with what it has committed, which tells a sane leader where to resume.
        #expect(out.messages.first?.index == 3)
    }

    /// The uncommitted tail may still be replaced, which shows the previous test is about
    /// commitment and not about refusing conflicts altogether.
    @Test("uncommitted entries after the commit index may be replaced")
    func overwriteUncommitted() {
        var node = follower()
        let before = Committed(node)
        node.step(Message(type: .append, to: 1, from: 3, term: 3, logTerm: 2, index: 3, entries: [entry(4, 3)]))
        #expect(node.allEntries.map(\.term) == [1, 1, 2, 3])
        #expect(before.isKept(by: node))
    }

    /// An old AppendEntries delivered late (reordered or duplicated by the network) must not
    /// truncate entries a newer one appended: "if a follower receives an AppendEntries request
    /// that includes log entries already present in its log, it ignores those entries."
    @Test("a late, duplicated append does not truncate newer entries")
    func lateDuplicateAppend() {
        var node = follower()
        let older = Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: 5, entries: [entry(6, 2)], commit: 3)
        let newer = Message(type: .append, to: 1, from: 2, term: 2, logTerm: 2, index: 5,
                            entries: [entry(6, 2), entry(7, 2), entry(8, 2)], commit: 3)
        node.step(newer)
        node.step(older)
        node.step(older)
        #expect(node.lastIndex == 8)
        #expect(node.allEntries == makeLog(terms: [1, 1, 2, 2, 2, 2, 2, 2]))
    }

    // MARK: Extreme values

    /// Terms and indexes at or above `Message.maximumValue` (2^62) are refused at the door,
    /// so no later `term + 1` or `lastIndex + 1` can overflow.
    @Test("a message with term UInt64.max is dropped and the node keeps running")
    func maxTerm() async {
        var node = follower()
        expectIgnored([Message(type: .heartbeat, to: 1, from: 2, term: .max),
                       Message(type: .vote, to: 1, from: 2, term: .max, logTerm: .max, index: .max)], by: &node)
        await #expect(processExitsWith: .success) {
            var node = follower()
            node.step(Message(type: .heartbeat, to: 1, from: 2, term: .max))
            for _ in 0..<30 { node.tick() }
            node.drain()
        }
    }

    /// A snapshot at index UInt64.max is refused like any other out-of-range value.
    @Test("a snapshot at index UInt64.max is dropped and the node keeps running")
    func maxSnapshotIndex() async {
        var node = follower()
        expectIgnored([Message(type: .snapshot, to: 1, from: 2, term: 2, snapshot: Snapshot(
            metadata: SnapshotMetadata(index: .max, term: 2, confState: ConfState(voters: [1, 2, 3]))))], by: &node)
        await #expect(processExitsWith: .success) {
            var node = follower()
            node.step(Message(type: .snapshot, to: 1, from: 2, term: 2, snapshot: Snapshot(
                metadata: SnapshotMetadata(index: .max, term: 2, confState: ConfState(voters: [1, 2, 3])))))
            node.drain()
            for _ in 0..<30 { node.tick() }
            node.drain()
        }
    }
}

/// Restoring from what a broken disk or a buggy application persisted.
@Suite("Inconsistent persisted state is refused, never trapped on")
struct CorruptStateTests {
    static let snapshot5 = Snapshot(metadata: SnapshotMetadata(index: 5, term: 3, confState: ConfState(voters: [1, 2, 3])))

    static let corrupt: [(label: String, state: RaftPersistentState)] = [
        ("a gap in the entries",
         RaftPersistentState(hardState: HardState(term: 1), entries: [entry(1, 1), entry(3, 1)])),
        ("entries not starting at index 1",
         RaftPersistentState(hardState: HardState(term: 1), entries: [entry(2, 1), entry(3, 1)])),
        ("a repeated index",
         RaftPersistentState(hardState: HardState(term: 1), entries: [entry(1, 1), entry(1, 1)])),
        ("decreasing terms",
         RaftPersistentState(hardState: HardState(term: 2), entries: [entry(1, 2), entry(2, 1)])),
        ("commit beyond the last index",
         RaftPersistentState(hardState: HardState(term: 1, commit: 5), entries: [entry(1, 1), entry(2, 1)])),
        ("commit with an empty log",
         RaftPersistentState(hardState: HardState(term: 1, commit: 1))),
        ("a vote without a term",
         RaftPersistentState(hardState: HardState(term: 0, vote: 2))),
        ("entries overlapping the snapshot",
         RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 3), entries: [entry(5, 3), entry(6, 3)])),
        ("a gap after the snapshot",
         RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 3), entries: [entry(7, 3)])),
        ("an entry older than the snapshot's term",
         RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 3), entries: [entry(6, 2)])),
        ("commit beyond the snapshot with no entries",
         RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 3, commit: 6))),
        ("an entry with term 0",
         RaftPersistentState(hardState: HardState(term: 1), entries: [Entry(term: 0, index: 1)])),
        ("a term out of range",
         RaftPersistentState(hardState: HardState(term: .max))),
    ]

    @Test("inconsistent persisted state throws corruptState", arguments: corrupt)
    func corruptStateThrows(label: String, state: RaftPersistentState) {
        #expect {
            _ = try RaftNode(config: paperConfig(1), restoring: state)
        } throws: { error in
            if case RaftError.corruptState = error { return true }
            return false
        }
    }

    /// The boundary cases that are consistent restore fine.
    @Test("consistent edge cases restore", arguments: [
        RaftPersistentState(),
        RaftPersistentState(hardState: HardState(term: 4, vote: 2)),
        RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 3)),
        RaftPersistentState(snapshot: snapshot5, hardState: HardState(term: 4, commit: 2), entries: [entry(6, 3), entry(7, 4)]),
    ])
    func consistentStateRestores(state: RaftPersistentState) throws {
        var node = try RaftNode(config: paperConfig(1, applied: 100), restoring: state)
        #expect(node.commitIndex >= (state.snapshot?.metadata.index ?? 0))
        #expect(node.appliedIndex <= node.commitIndex, "an applied index beyond the commit is clamped")
        node.drain()
    }

    /// One fsync covers a batch's entries and hard state; a crash mid-batch may keep entries
    /// of a newer term without the hard state that moved to it. Nothing of that batch was
    /// acknowledged, so the node adopts the newer term and forgets the unsynced vote.
    @Test("entries newer than the hard state's term raise the term and drop the vote")
    func tornBatchAdoptsEntryTerm() throws {
        let state = RaftPersistentState(hardState: HardState(term: 2, vote: 3, commit: 1),
                                        entries: [entry(1, 1), entry(2, 4)])
        let node = try RaftNode(config: paperConfig(1), restoring: state)
        #expect(node.term == 4)
        #expect(node.vote == 0)
        let same = try RaftNode(config: paperConfig(1), restoring: RaftPersistentState(
            hardState: HardState(term: 4, vote: 3, commit: 1), entries: [entry(1, 1), entry(2, 4)]))
        #expect(same.term == 4)
        #expect(same.vote == 3)
    }

    /// Unusable configurations are refused too.
    @Test("invalid configurations throw invalidConfig", arguments: [
        RaftConfig(id: 0), RaftConfig(id: 1, electionTicks: 3, heartbeatTicks: 3), RaftConfig(id: 1, heartbeatTicks: 0),
        RaftConfig(id: 1, maxBytesPerMessage: 0), RaftConfig(id: 1, maxInflightMessages: 0),
    ])
    func invalidConfig(config: RaftConfig) {
        #expect {
            _ = try RaftNode(config: config)
        } throws: { error in
            if case RaftError.invalidConfig = error { return true }
            return false
        }
    }

    /// Bootstrapping needs a voter set that includes the node and no id 0.
    @Test("invalid bootstraps throw invalidConfig", arguments: [[NodeID](), [2, 3], [0, 1, 2]])
    func invalidBootstrap(voters: [NodeID]) {
        #expect(throws: RaftError.self) { _ = try RaftNode.bootstrap(config: paperConfig(1), voters: voters) }
    }
}
