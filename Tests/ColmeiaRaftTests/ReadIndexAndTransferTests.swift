import Testing
@testable import ColmeiaRaft

/// Thesis extensions to the paper: linearizable reads via ReadIndex (§6.4), leadership
/// transfer (§3.10), pre-vote (§9.6) and check-quorum (§6.2).
@Suite("ReadIndex, leadership transfer, pre-vote and check-quorum")
struct ReadIndexAndTransferTests {
    static let et = 10

    func cluster(_ ids: [NodeID] = [1, 2, 3], preVote: Bool = false, checkQuorum: Bool = false) throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: ids, config: { paperConfig($0, preVote: preVote, checkQuorum: checkQuorum) })
        net.elect(1)
        return net
    }

    // MARK: ReadIndex (thesis §6.4)

    /// Thesis §6.4: "The leader saves its current commit index in a local variable readIndex.
    /// … The leader needs to make sure it hasn't been superseded by a newer leader of which it
    /// is unaware. It issues a new round of heartbeats and waits for their acknowledgments from
    /// a majority of the cluster." Only then is the read state handed to the application.
    @Test("a read on the leader is answered only after a majority acknowledges a heartbeat")
    func leaderReadNeedsHeartbeatQuorum() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3, 4, 5], term: 1))
        node.winElection(votesFrom: [2, 3])
        node.replicateToAll()
        try node.propose(bytes("x"))
        node.replicateToAll()
        let commit = node.commitIndex
        #expect(commit == 2)

        try node.readIndex(context: bytes("ctx"))
        let out = node.drain()
        #expect(out.readStates.isEmpty, "not before leadership is confirmed")
        let beats = out.messages(ofType: .heartbeat)
        #expect(beats.map(\.to).sorted() == [2, 3, 4, 5])
        #expect(beats.allSatisfy { $0.context == bytes("ctx") })

        node.step(Message(type: .heartbeatResponse, to: 1, from: 2, term: node.term, context: bytes("ctx")))
        #expect(node.drain().readStates.isEmpty, "two of five is no majority")
        // A proposal arriving meanwhile does not move the read point.
        try node.propose(bytes("y"))
        node.replicateToAll()
        node.step(Message(type: .heartbeatResponse, to: 1, from: 3, term: node.term, context: bytes("ctx")))
        #expect(node.drain().readStates == [ReadState(index: commit, context: bytes("ctx"))])
        node.step(Message(type: .heartbeatResponse, to: 1, from: 4, term: node.term, context: bytes("ctx")))
        #expect(node.drain().readStates.isEmpty, "answered once")
    }

    /// The same through the network: a leader cut off from the majority gets no answer; once
    /// the partition heals its next heartbeat round confirms the read.
    @Test("a read on a partitioned leader waits until a majority answers")
    func partitionedLeaderRead() throws {
        var net = try cluster()
        try net.propose(1, "x")
        net.isolate(2)
        net.isolate(3)
        net.on(1) { node in #expect(throws: Never.self) { try node.readIndex(context: bytes("r1")) } }
        net.tick(1, times: 5)
        #expect(net.peer(1).readStates.isEmpty)
        net.heal()
        net.tick(1)
        #expect(net.peer(1).readStates == [ReadState(index: net[1].commitIndex, context: bytes("r1"))])
    }

    /// Thesis §6.4 step 1: "If the leader has not yet marked an entry from its current term
    /// committed, it waits until it has done so" — its commit index may lag the previous
    /// leader's until then.
    @Test("a new leader defers reads until it has committed an entry of its term")
    func readDeferredUntilCommitInTerm() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1]), term: 1, commit: 1))
        node.winElection(votesFrom: [2])
        let appends = node.drain().messages
        try node.readIndex(context: bytes("early"))
        let waiting = node.drain()
        #expect(waiting.readStates.isEmpty)
        #expect(!waiting.messages.contains { $0.context == bytes("early") }, "no confirmation round yet")
        // The no-op (index 3, term 2) commits; the read goes ahead at that index.
        node.step(acceptAndReply(appends.first { $0.to == 2 }!))
        #expect(node.commitIndex == 3)
        let confirming = node.drain().messages(ofType: .heartbeat)
        #expect(confirming.map(\.to).sorted() == [2, 3])
        #expect(confirming.allSatisfy { $0.context == bytes("early") })
        node.step(Message(type: .heartbeatResponse, to: 1, from: 3, term: node.term, context: bytes("early")))
        #expect(node.drain().readStates == [ReadState(index: 3, context: bytes("early"))])
    }

    /// Thesis §6.4: reads can be served by followers too — the follower asks the leader for
    /// the current readIndex, and the leader runs its confirmation round on its behalf.
    @Test("a follower's read is confirmed by the leader and returns the leader's commit index")
    func followerForwardedRead() throws {
        var net = try cluster()
        for index in 0..<3 { try net.propose(1, "c\(index)") }
        net.on(2) { node in #expect(throws: Never.self) { try node.readIndex(context: bytes("f")) } }
        #expect(net.delivered(.readIndex).map(\.to) == [1])
        #expect(net.peer(2).readStates == [ReadState(index: net[1].commitIndex, context: bytes("f"))])
        #expect(net.peer(1).readStates.isEmpty, "the leader answers the follower, not itself")
    }

    /// Without a leader there is nobody to confirm a read.
    @Test("a read without a known leader is refused")
    func readWithoutLeader() throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], term: 1))
        #expect(throws: RaftError.self) { try node.readIndex(context: bytes("none")) }
        node.campaign()
        #expect(throws: RaftError.self) { try node.readIndex(context: bytes("candidate")) }
    }

    /// A single-server cluster is its own majority: reads are answered at once.
    @Test("a single-server leader answers reads at once")
    func singleServerRead() throws {
        var net = try cluster([1])
        try net.propose(1, "x")
        net.on(1) { node in #expect(throws: Never.self) { try node.readIndex(context: bytes("solo")) } }
        #expect(net.peer(1).readStates == [ReadState(index: net[1].commitIndex, context: bytes("solo"))])
    }

    // MARK: Leadership transfer (thesis §3.10)

    /// Thesis §3.10: "1. The prior leader stops accepting new client requests. 2. The prior
    /// leader fully updates the target server's log to match its own … 3. The prior leader
    /// sends a TimeoutNow request to the target server. This request has the same effect as the
    /// target server's election timer firing: the target server starts a new election
    /// (incrementing its term and becoming a candidate)."
    @Test("transfer to an up-to-date follower: TimeoutNow, and it leads the next term",
          arguments: [(preVote: false, checkQuorum: false), (preVote: true, checkQuorum: true)])
    func transferToUpToDateFollower(preVote: Bool, checkQuorum: Bool) throws {
        var net = try cluster(preVote: preVote, checkQuorum: checkQuorum)
        try net.propose(1, "x")
        let term = net[1].term
        net.clearTrace()
        net.on(1) { $0.transferLeadership(to: 2) }
        #expect(net.delivered(.timeoutNow).map(\.to) == [2])
        #expect(net.delivered(.timeoutNow).first?.from == 1)
        #expect(net[2].role == .leader)
        #expect(net[2].term == term + 1)
        #expect(net[1].role == .follower)
        #expect(net[1].leader == 2)
        #expect(net.delivered(.preVote).isEmpty, "the target skips pre-vote")
        try net.propose(2, "y")
        #expect(net.applied(1) == ["x", "y"])
    }

    /// Step 2: a target that lags is first brought up to date; TimeoutNow follows.
    @Test("transfer to a lagging follower first catches it up")
    func transferToLaggingFollower() throws {
        var net = try cluster()
        net.isolate(3)
        for index in 0..<4 { try net.propose(1, "c\(index)") }
        net.heal()
        #expect(net[3].lastIndex < net[1].lastIndex)
        net.clearTrace()
        net.on(1) { $0.transferLeadership(to: 3) }
        let firstTimeoutNow = try #require(net.trace.firstIndex { $0.type == .timeoutNow })
        let lastAppendTo3 = try #require(net.trace.lastIndex { $0.type == .append && $0.to == 3 && $0.from == 1 })
        #expect(lastAppendTo3 < firstTimeoutNow, "the log is complete before TimeoutNow")
        #expect(net[3].role == .leader)
        #expect(net.applied(3) == ["c0", "c1", "c2", "c3"])
    }

    /// Step 1: while a transfer is under way the leader refuses proposals; "if the transfer
    /// does not complete within an election timeout, the prior leader aborts the transfer and
    /// resumes accepting client requests" (thesis §3.10).
    @Test("proposals are refused during a transfer, which is abandoned after an election timeout")
    func transferBlocksProposalsUntilAbandoned() throws {
        var net = try cluster()
        net.isolate(3)
        net.on(1) { $0.transferLeadership(to: 3) }
        #expect(net[1].transferee == 3)
        #expect {
            try net.propose(1, "during transfer")
        } throws: { error in
            if case RaftError.proposalDropped = error { return true }
            return false
        }
        net.tick(1, times: Self.et - 1)
        #expect(net[1].transferee == 3)
        net.tick(1)
        #expect(net[1].transferee == 0, "abandoned after an election timeout")
        #expect(net[1].role == .leader)
        try net.propose(1, "after")
        #expect(net.applied(2) == ["after"])
    }

    /// Transfers to nobody sensible are ignored.
    @Test("transfer to itself or to a non-member is ignored", arguments: [NodeID(1), 9])
    func transferToNonsense(target: NodeID) throws {
        var net = try cluster()
        net.on(1) { $0.transferLeadership(to: target) }
        #expect(net[1].transferee == 0)
        #expect(net[1].role == .leader)
        try net.propose(1, "still accepting")
    }

    /// A transfer can be requested on any server; a follower forwards it to the leader, and
    /// leadership goes to the requested target.
    @Test("a transfer requested on a follower moves leadership to the requested target")
    func transferRequestedOnFollower() throws {
        var net = try cluster()
        net.on(2) { $0.transferLeadership(to: 3) }
        #expect(net.delivered(.transferLeader).map { [$0.from, $0.to] } == [[3, 1]], "forwarded naming the target")
        #expect(net[3].role == .leader)
        #expect(net[2].role == .follower)
    }

    // MARK: Pre-vote (thesis §9.6)

    /// Thesis §9.6: a server that is partitioned away keeps timing out and incrementing its
    /// term; when it can talk to the cluster again, its higher term deposes the leader. The
    /// paper's behaviour, as a baseline for the pre-vote test below.
    @Test("without pre-vote a rejoining partitioned server deposes the leader")
    func withoutPreVoteRejoinDisrupts() throws {
        var net = try cluster()
        let term = net[1].term
        net.isolate(3)
        net.tick(3, times: 5 * Self.et)
        #expect(net[3].term > term + 2, "each timeout bumped its term")
        net.heal()
        net.tickAll(times: 2)
        #expect(net[1].term > term, "the leader's term was overtaken")
    }

    /// Thesis §9.6: "In the Pre-Vote algorithm, a candidate only increments its term if it
    /// first learns from a majority of the cluster that they would be willing to grant the
    /// candidate their votes (if the candidate's log is sufficiently up-to-date …)." A
    /// rejoining server whose log fell behind gets no such promise: the cluster's term and
    /// leader stay as they were.
    @Test("with pre-vote a rejoining partitioned server neither bumps the term nor disrupts the leader")
    func preVoteRejoinDoesNotDisrupt() throws {
        var net = try cluster(preVote: true)
        let term = net[1].term
        net.isolate(3)
        try net.propose(1, "while 3 was away")
        net.tick(3, times: 5 * Self.et)
        #expect(net[3].term == term, "pre-campaigns do not change the term")
        #expect(net[3].role == .preCandidate)
        net.heal()
        net.campaign(3)
        #expect(!net.delivered(.preVoteResponse).filter { $0.to == 3 }.isEmpty)
        #expect(net.delivered(.preVoteResponse).filter { $0.to == 3 }.allSatisfy { $0.reject })
        #expect(net.delivered(.vote).filter { $0.from == 3 }.isEmpty, "it never became a candidate")
        #expect(net[1].role == .leader)
        #expect([1, 2, 3].allSatisfy { net[$0].term == term })
        net.tickAll(times: 3)
        #expect(net.leader == 1)
        #expect(net[3].allEntries == net[1].allEntries)
    }

    /// With check-quorum as well, even a rejoining server whose log is up to date gets no
    /// pre-vote: servers that hear from a leader ignore (pre-)vote requests (thesis §4.2.3).
    @Test("with pre-vote and check-quorum an up-to-date rejoining server does not disrupt either")
    func preVoteWithCheckQuorum() throws {
        var net = try cluster(preVote: true, checkQuorum: true)
        let term = net[1].term
        net.isolate(3)
        net.tick(3, times: 5 * Self.et)
        #expect(net[3].allEntries == net[1].allEntries)
        net.heal()
        net.campaign(3)
        #expect(net[1].role == .leader)
        #expect([1, 2, 3].allSatisfy { net[$0].term == term })
    }

    // MARK: Check-quorum (thesis §6.2)

    /// Thesis §6.2: a leader steps down if an election timeout elapses without a successful
    /// round of heartbeats to a majority of its cluster, so clients can find the real leader.
    @Test("an isolated leader steps down within an election timeout of losing its majority")
    func isolatedLeaderStepsDown() throws {
        var net = try cluster(checkQuorum: true)
        net.isolate(1)
        var ticks = 0
        while net[1].role == .leader && ticks < 10 * Self.et {
            net.tick(1)
            ticks += 1
        }
        #expect(net[1].role == .follower)
        // The last round's activity may still count once, so at most two rounds pass.
        #expect(ticks <= 2 * Self.et)
        #expect(net[1].leader == 0)
    }

    /// A leader that does hear from a majority stays, however long it runs.
    @Test("a leader with a live majority does not step down")
    func connectedLeaderStays() throws {
        var net = try cluster(checkQuorum: true)
        net.crash(3)
        net.tickAll(times: 10 * Self.et)
        #expect(net.leader == 1)
        #expect(net[1].term == 2)
    }

    /// Thesis §4.2.3: "if a server receives a RequestVote request within the minimum election
    /// timeout of hearing from a current leader, it does not update its term or grant its
    /// vote" (ColmeiaRaft does so under check-quorum).
    @Test("followers in contact with a leader ignore disruptive vote requests")
    func followersIgnoreDisruptiveVotes() throws {
        var net = try cluster(checkQuorum: true)
        let term = net[1].term
        net.campaign(3)
        #expect(net[3].role == .candidate)
        #expect(net[1].role == .leader)
        #expect(net[2].term == term)
        #expect(net.delivered(.voteResponse).filter { $0.to == 3 }.isEmpty, "ignored, not even refused")
    }
}
