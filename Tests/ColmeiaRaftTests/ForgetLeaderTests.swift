import Testing
@testable import ColmeiaRaft

/// Fast failover: a follower told that its leader is gone (etcd's ForgetLeader) stops
/// honouring the leader's lease, and the survivors campaign in turn within a few ticks
/// instead of a whole randomized election timeout. Safety is the paper's: a live leader's
/// next message restores it.
@Suite("forgetting a crashed leader")
struct ForgetLeaderTests {
    static let et = 10

    func cluster(_ ids: [NodeID] = [1, 2, 3]) throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: ids, config: { paperConfig($0, preVote: true, checkQuorum: true) })
        net.elect(1)
        return net
    }

    /// A cluster whose leader, node 1, has just crashed; the survivors' clocks have moved
    /// three ticks, well inside its lease.
    func clusterAfterLeaderCrash() throws -> TestNetwork {
        var net = try cluster()
        net.crash(1)
        net.tick(2, times: 3)
        net.tick(3, times: 3)
        return net
    }

    /// Ticks `ids` round after round until `leader` is elected or an election timeout has
    /// passed; returns the rounds taken.
    func rounds(until leader: NodeID, ticking ids: [NodeID], _ net: inout TestNetwork) -> Int {
        var rounds = 0
        while net.leader != leader && rounds < Self.et {
            for id in ids { net.tick(id) }
            rounds += 1
        }
        return rounds
    }

    @Test("with the leader crashed, the designated survivor is elected within a few ticks")
    func designatedSurvivorWinsQuickly() throws {
        var net = try clusterAfterLeaderCrash()
        let term = net[1].term
        net.on(3) { $0.forgetLeader(1) }
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        let ticks = rounds(until: 2, ticking: [2, 3], &net)
        #expect(net.leader == 2)
        #expect(ticks <= 2, "the designated node campaigns within two ticks, not an election timeout")
        #expect(net[2].term == term + 1, "pre-vote and one real vote: no wasted term")
    }

    @Test("without forgetting, followers in the lease refuse the same early campaign")
    func leaseHoldsWithoutForgetting() throws {
        var net = try clusterAfterLeaderCrash()
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        net.tick(2, times: 2)
        #expect(net.leader == nil, "node 3 still honours node 1's lease and grants no pre-vote")
    }

    @Test("a pre-vote ignored by a survivor still in the lease is asked again within a few ticks")
    func ignoredPreVoteIsAskedAgain() throws {
        var net = try clusterAfterLeaderCrash()
        let term = net[1].term
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        net.tick(2, times: 2)
        #expect(net.leader == nil, "node 3 has not yet learned of the crash")
        // Node 3's own probe finds the leader gone a moment later; it is not ticked, so only
        // node 2's retry can elect anyone before an election timeout.
        net.on(3) { $0.forgetLeader(1) }
        let ticks = rounds(until: 2, ticking: [2], &net)
        #expect(net.leader == 2)
        #expect(ticks <= 2, "the pre-vote is asked again within two ticks, not an election timeout")
        #expect(net[2].term == term + 1, "retried pre-votes change no term")
    }

    @Test("the quick pre-vote retries stop after one election timeout")
    func quickRetriesAreBounded() throws {
        var net = try cluster()
        let term = net[1].term
        net.crash(1)
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        net.clearTrace()
        // Node 3 is never ticked, so it honours node 1's lease throughout.
        net.tick(2, times: 2 + Self.et)
        let quick = net.delivered(.preVote).filter { $0.from == 2 }.count
        #expect(quick >= 2 && quick <= 1 + Self.et / 2)
        net.clearTrace()
        // The last quick retry was at most two ticks before; the randomized timeout is at
        // least an election timeout.
        net.tick(2, times: Self.et - 3)
        #expect(net.delivered(.preVote).filter { $0.from == 2 }.isEmpty, "back to the randomized election timeout")
        #expect(net.leader == nil && net[2].term == term)
    }

    @Test("survivors campaigning in turn: the first wins and the next does not campaign after it")
    func firstInTurnWins() throws {
        var net = try cluster()
        let term = net[1].term
        net.crash(1)
        net.on(2) { $0.forgetLeader(1, campaignSoon: true, ticksToCampaign: 2) }
        net.on(3) { $0.forgetLeader(1, campaignSoon: true, ticksToCampaign: 5) }
        for _ in 0..<(2 * Self.et) {
            net.tick(2)
            net.tick(3)
        }
        #expect(net.leader == 2)
        #expect(net[2].term == term + 1, "granting its vote restarted node 3's timer: no second election")
        #expect(net[3].leader == 2)
    }

    @Test("survivors campaigning in turn: when the first cannot win, the next one does at its turn")
    func nextInTurnWinsWhenTheFirstCannot() throws {
        var net = try cluster()
        // Node 2 misses an entry that nodes 1 and 3 hold, so it cannot be elected.
        net.cut(1, 2)
        try net.propose(1, "missed by node 2")
        net.crash(1)
        net.heal()
        net.on(2) { $0.forgetLeader(1, campaignSoon: true, ticksToCampaign: 2) }
        net.on(3) { $0.forgetLeader(1, campaignSoon: true, ticksToCampaign: 5) }
        let taken = rounds(until: 3, ticking: [2, 3], &net)
        #expect(net.leader == 3)
        #expect(taken <= 5, "node 3 campaigns at its turn, not after an election timeout")
        #expect(net.applied(3).contains("missed by node 2"))
    }

    @Test("a forgotten leader that is alive after all is followed again at its next heartbeat")
    func liveLeaderIsRestored() throws {
        var net = try cluster()
        let term = net[1].term
        net.on(2) { $0.forgetLeader(1) }
        #expect(net[2].leader == 0)
        net.tick(1)
        #expect(net[2].leader == 1)
        #expect(net[1].role == .leader && net[1].term == term)
    }

    @Test("only the leader the follower follows can be forgotten, and only by a follower")
    func forgetsOnlyItsLeader() throws {
        var net = try cluster()
        net.on(2) { $0.forgetLeader(3, campaignSoon: true) }
        #expect(net[2].leader == 1)
        net.on(1) { $0.forgetLeader(1) }
        #expect(net[1].role == .leader && net[1].leader == 1)
    }
}

/// Disaster recovery (`--force-new-cluster`): the surviving log, one voter.
@Suite("forcing a new cluster from a surviving log")
struct ForceNewClusterTests {
    @Test("uncommitted entries are dropped, the others are removed by committed changes, and the node leads alone")
    func survivorLeadsAlone() throws {
        let log = makeLog(terms: [1, 1, 2, 2, 2])
        let recovered = persisted(voters: [1, 2, 3], learners: [4], entries: log, term: 2, commit: 3)
        let (state, appended) = recovered.forcingNewCluster(keeping: 2)
        #expect(appended.map(\.index) == [4, 5, 6], "entries 4 and 5 were never committed: they are replaced")
        #expect(appended.compactMap { ConfChange(encoded: $0.data) } ==
                [ConfChange(.removeNode, nodeID: 1), ConfChange(.removeNode, nodeID: 3), ConfChange(.removeNode, nodeID: 4)])
        #expect(state.hardState.commit == 6)
        #expect(state.entries.map(\.index) == [1, 2, 3, 4, 5, 6])

        var node = try restoredNode(2, state)
        _ = node.drain()
        #expect(node.confState == ConfState(voters: [2]))
        node.campaign()
        _ = node.drain()
        #expect(node.role == .leader)
    }

    @Test("a former learner becomes the voter it must be to lead")
    func learnerIsAdded() {
        let recovered = persisted(voters: [1, 2], learners: [3], entries: makeLog(terms: [1]), term: 1, commit: 1)
        let (_, appended) = recovered.forcingNewCluster(keeping: 3)
        #expect(appended.compactMap { ConfChange(encoded: $0.data) } ==
                [ConfChange(.addNode, nodeID: 3), ConfChange(.removeNode, nodeID: 1), ConfChange(.removeNode, nodeID: 2)])
    }
}
