import Testing
@testable import ColmeiaRaft

/// Raft paper §6 (cluster membership changes) as refined into single-server changes in
/// Ongaro's thesis §4: one voter or learner is added or removed at a time. As in etcd/raft,
/// a change takes effect when its entry is applied, and only one may be pending.
@Suite("§6 Cluster membership changes")
struct PaperMembershipTests {
    /// A three-voter cluster led by 1, with every entry applied everywhere.
    func cluster(_ ids: [NodeID] = [1, 2, 3]) throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: ids)
        net.elect(1)
        return net
    }

    /// Thesis §4.1: servers are added one at a time; the new configuration's majorities then
    /// include the new server. In ColmeiaRaft, as in etcd/raft, the change takes effect when
    /// its entry is applied: until then the old quorum rules.
    @Test("adding a voter: it receives the log, votes, and counts toward the new majority")
    func addVoter() throws {
        var net = try cluster()
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4), deliver: false)
        #expect(net[1].confState.voters == [1, 2, 3], "not in effect before it is applied")
        net.deliverAll()
        #expect(net[1].confState.voters == [1, 2, 3, 4])
        net.tick(1, times: 2)
        #expect(net[4].allEntries == net[1].allEntries, "the new server receives the whole log")
        #expect(net[4].confState.voters == [1, 2, 3, 4], "and learns the configuration from it")
        #expect(net[2].confState.voters == [1, 2, 3, 4])

        // Four voters: a majority is three, so two servers no longer commit.
        net.isolate(3)
        net.isolate(4)
        try net.propose(1, "needs three of four")
        #expect(net[1].commitIndex < net[1].lastIndex)
        net.heal()
        net.tick(1)
        #expect(net[1].commitIndex == net[1].lastIndex)
        #expect(net.applied(4) == ["needs three of four"])
    }

    /// The new voter takes part in elections.
    @Test("an added voter can be elected")
    func addedVoterCanLead() throws {
        var net = try cluster()
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        net.tick(1, times: 2)
        net.elect(4)
        #expect(net[4].role == .leader)
        #expect(net.delivered(.vote).filter { $0.from == 4 }.map(\.to).sorted() == [1, 2, 3])
    }

    /// Thesis §4.2.1: a new server can first join "as a non-voting member. The leader
    /// replicates log entries to it, but it is not yet counted towards majorities for voting
    /// or commitment purposes." (A learner, in etcd/raft's terms.)
    @Test("a learner receives the log but neither votes, campaigns nor counts for quorum")
    func learner() throws {
        var net = try cluster()
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 4))
        net.tick(1, times: 2)
        #expect(net[1].confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(net[4].confState == ConfState(voters: [1, 2, 3], learners: [4]))
        #expect(net[4].allEntries == net[1].allEntries, "the learner receives the log")
        #expect(net[1].progress[4]?.isLearner == true)

        // Its acknowledgement does not count: with 2 and 3 unreachable nothing commits.
        net.isolate(2)
        net.isolate(3)
        try net.propose(1, "needs a voter")
        #expect(net[4].lastIndex == net[1].lastIndex, "the learner stores it")
        #expect(net[1].commitIndex < net[1].lastIndex, "but that is no majority")
        net.heal()

        // It never campaigns, however long it hears nothing.
        net.isolate(4)
        net.clearTrace()
        net.tick(4, times: 100)
        #expect(net[4].role == .follower)
        #expect(net.dropped.filter { $0.from == 4 }.isEmpty, "no vote requests")

        // And candidates do not ask it for a vote.
        net.heal()
        net.crash(1)
        net.elect(2)
        #expect(!net.delivered(.vote).contains { $0.to == 4 })
        #expect(net[2].confState.learners == [4])
    }

    /// Thesis §4.2.1: "Once the new server has caught up with the rest of the cluster, the
    /// reconfiguration can proceed" — the learner is promoted to voter and counts from then on.
    @Test("promoting a caught-up learner makes it a voter")
    func promoteLearner() throws {
        var net = try cluster()
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 4))
        net.tick(1, times: 2)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        #expect(net[1].confState == ConfState(voters: [1, 2, 3, 4]))
        #expect(net[1].progress[4]?.isLearner == false)
        net.tick(1)
        #expect(net[4].confState == ConfState(voters: [1, 2, 3, 4]))
        // It now counts: with 4 on board, 1, 2 and 4 are a majority of four.
        net.isolate(3)
        try net.propose(1, "counted")
        #expect(net[1].commitIndex == net[1].lastIndex)
        // And it may campaign.
        net.heal()
        net.crash(1)
        net.elect(4)
        #expect(net[4].role == .leader)
    }

    /// Removing a voter shrinks the majority: an entry the old configuration could not commit
    /// commits as soon as the removal is applied (etcd's `TestCommitAfterRemoveNode`).
    @Test("removing a voter shrinks the quorum, letting pending entries commit")
    func removeVoterCommitsPending() throws {
        var net = try cluster([1, 2])
        // Server 2 will store the removal but never the entry after it.
        net.dropIf = { message, _ in message.type == .append && message.entries.contains { $0.data == bytes("hello") } }
        try net.proposeConfChange(1, ConfChange(.removeNode, nodeID: 2), deliver: false)
        try net.propose(1, "hello", deliver: false)
        let helloIndex = net[1].lastIndex
        net.deliverAll()
        #expect(net[1].confState.voters == [1])
        #expect(net[1].commitIndex == helloIndex, "the only remaining voter is a majority")
        #expect(net.applied(1) == ["hello"])
        #expect(net[2].lastIndex < helloIndex)
    }

    /// After a removal the leader stops replicating to the removed server, and a cluster of
    /// the remaining servers keeps working without it.
    @Test("a removed voter is no longer replicated to or needed")
    func removeVoter() throws {
        var net = try cluster()
        try net.proposeConfChange(1, ConfChange(.removeNode, nodeID: 3))
        net.tick(1)
        #expect(net[1].confState.voters == [1, 2])
        #expect(net[1].progress[3] == nil)
        #expect(net[2].confState.voters == [1, 2])
        net.crash(3)
        net.clearTrace()
        try net.propose(1, "two of two")
        #expect(net[1].commitIndex == net[1].lastIndex)
        #expect(!net.dropped.contains { $0.to == 3 }, "nothing is sent to the removed server")
    }

    /// Thesis §4.1: single-server changes are safe only one at a time — a new change may not
    /// start before the previous one is done. ColmeiaRaft, like etcd/raft, keeps at most one
    /// change pending until it is applied and refuses a second with `confChangePending`.
    @Test("only one membership change may be pending at a time")
    func onlyOneChangePending() throws {
        var net = try cluster()
        try net.add(4)
        try net.add(5)
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 4), deliver: false)
        let pending = net[1].lastIndex
        #expect(throws: RaftError.confChangePending(index: pending)) {
            try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 5), deliver: false)
        }
        // A change forwarded by a follower meanwhile becomes an inert empty entry.
        net.on(2) { node in
            #expect(throws: Never.self) { try node.proposeConfChange(ConfChange(.addLearner, nodeID: 5)) }
        }
        let forwarded = try #require(net[1].entries(from: pending + 1, through: net[1].lastIndex).last)
        #expect(forwarded.kind == .normal && forwarded.data.isEmpty)
        #expect(net[1].confState == ConfState(voters: [1, 2, 3], learners: [4]))
        // Once the first change is applied, the next may go.
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 5))
        #expect(net[1].confState == ConfState(voters: [1, 2, 3], learners: [4, 5]))
    }

    /// A new leader may hold entries of earlier terms that hide a membership change it has not
    /// applied yet; it may not propose a change until it has applied its whole log (the fix
    /// for the single-server change bug, raft-dev 2015, as in etcd/raft).
    @Test("a new leader proposes no membership change before applying its whole log")
    func newLeaderWaitsForItsLog() throws {
        var states: [NodeID: RaftPersistentState] = [:]
        for id: NodeID in [1, 2, 3] {
            states[id] = persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1]), term: 1)
        }
        var net = try TestNetwork(restoring: states)
        try net.add(4)
        // Acknowledgements are lost, so the new leader cannot commit anything yet.
        net.dropIf = { message, _ in message.type == .appendResponse }
        net.campaign(1)
        #expect(net[1].role == .leader)
        #expect(net[1].appliedIndex == 0)
        #expect(throws: RaftError.confChangePending(index: 2)) {
            try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        }
        // Ordinary proposals are fine.
        try net.propose(1, "data")
        net.heal()
        net.tick(1)
        #expect(net[1].appliedIndex == net[1].lastIndex)
        try net.proposeConfChange(1, ConfChange(.addNode, nodeID: 4))
        #expect(net[1].confState.voters == [1, 2, 3, 4])
    }

    /// Thesis §4.2.2: a leader removed from the configuration steps down once the new
    /// configuration is committed — here, when it is applied. The remaining servers elect a
    /// leader among themselves, and the removed one never campaigns.
    @Test("a leader that removes itself steps down, and the rest elect a new leader")
    func removedLeaderStepsDown() throws {
        var net = try cluster()
        try net.proposeConfChange(1, ConfChange(.removeNode, nodeID: 1))
        #expect(net[1].role == .follower)
        #expect(net[1].confState.voters == [2, 3])
        #expect(net[2].confState.voters == [2, 3])
        #expect(throws: RaftError.self) { try net.propose(1, "after removal") }
        net.clearTrace()
        let rounds = net.tickAll(until: { $0.leader != nil })
        #expect(rounds != nil)
        let leader = try #require(net.leader)
        #expect([2, 3].contains(leader))
        net.tickAll(times: 30)
        #expect(!net.trace.contains { $0.from == 1 && ($0.type == .vote || $0.type == .preVote) })
        #expect(net[1].role == .follower)
    }

    /// Changes that make no sense for the current membership are refused up front.
    @Test("nonsensical membership changes are refused", arguments: [
        ConfChange(.addNode, nodeID: 2), ConfChange(.addNode, nodeID: 0), ConfChange(.removeNode, nodeID: 9),
        ConfChange(.addLearner, nodeID: 0),
    ])
    func invalidChanges(change: ConfChange) throws {
        var net = try cluster()
        let before = net[1].lastIndex
        #expect {
            try net.proposeConfChange(1, change)
        } throws: { error in
            if case RaftError.invalidConfChange = error { return true }
            return false
        }
        #expect(net[1].lastIndex == before)
    }

    /// A single voter cannot remove or demote itself: nobody would be left to decide.
    @Test("the last voter cannot be removed or demoted", arguments: [ConfChange.Kind.removeNode, .addLearner])
    func lastVoterStays(kind: ConfChange.Kind) throws {
        var net = try TestNetwork(bootstrapping: [1])
        net.elect(1)
        #expect(throws: RaftError.self) { try net.proposeConfChange(1, ConfChange(kind, nodeID: 1)) }
        #expect(net[1].confState.voters == [1])
    }

    /// Membership is part of the replicated state: a restarted server recovers it by
    /// re-applying its committed log.
    @Test("a restarted server recovers the membership from its log")
    func membershipSurvivesRestart() throws {
        var net = try cluster()
        try net.add(4)
        try net.proposeConfChange(1, ConfChange(.addLearner, nodeID: 4))
        try net.proposeConfChange(1, ConfChange(.removeNode, nodeID: 3))
        net.tick(1)
        try net.restart(2)
        #expect(net[2].confState == ConfState(voters: [1, 2], learners: [4]))
    }
}
