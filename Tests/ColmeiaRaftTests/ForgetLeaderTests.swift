import Testing
@testable import ColmeiaRaft

/// Fast failover: a follower told that its leader is gone (etcd's ForgetLeader) stops
/// honouring the leader's lease, and a designated survivor campaigns within a few ticks
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

    @Test("with the leader crashed, the designated survivor is elected within a few ticks")
    func designatedSurvivorWinsQuickly() throws {
        var net = try cluster()
        let term = net[1].term
        net.crash(1)
        net.tick(2, times: 3)
        net.tick(3, times: 3)
        net.on(3) { $0.forgetLeader(1) }
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        var ticks = 0
        while net.leader != 2 && ticks < Self.et {
            net.tick(2)
            net.tick(3)
            ticks += 1
        }
        #expect(net.leader == 2)
        #expect(ticks <= 2, "the designated node campaigns within two ticks, not an election timeout")
        #expect(net[2].term == term + 1, "pre-vote and one real vote: no wasted term")
    }

    @Test("without forgetting, followers in the lease refuse the same early campaign")
    func leaseHoldsWithoutForgetting() throws {
        var net = try cluster()
        net.crash(1)
        net.tick(2, times: 3)
        net.tick(3, times: 3)
        net.on(2) { $0.forgetLeader(1, campaignSoon: true) }
        net.tick(2, times: 2)
        #expect(net.leader == nil, "node 3 still honours node 1's lease and grants no pre-vote")
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
