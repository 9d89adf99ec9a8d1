import Testing
@testable import ColmeiaRaft

/// A member restarting with its peers advances its election clock (etcd's initial
/// election tick advance): managers restarted together elect a leader within one election
/// timeout instead of two, and a member restarting alone cannot depose a live leader.
@Suite("advancing a restarted member's election clock")
struct ElectionTickAdvanceTests {
    static let et = 10

    func cluster() throws -> TestNetwork {
        var net = try TestNetwork(bootstrapping: [1, 2, 3], config: { paperConfig($0, preVote: true, checkQuorum: true) })
        net.elect(1)
        try net.propose(1, "before the restart")
        return net
    }

    @Test("every member restarted at once: a leader within one election timeout of ticks, with the log intact")
    func wholeClusterRestartElectsWithinOneTimeout() throws {
        var net = try cluster()
        for id: NodeID in [1, 2, 3] { net.crash(id) }
        for id: NodeID in [1, 2, 3] {
            try net.restart(id)
            net.on(id) { $0.advanceElectionTicks() }
        }
        let rounds = net.tickAll(until: { $0.leader != nil }, limit: 3 * Self.et)
        #expect(rounds != nil && rounds! <= Self.et, "elected after \(rounds.map(String.init) ?? "never") rounds")
        try net.propose(net.leader ?? 1, "after the restart")
        net.tickAll(times: 2)
        for id: NodeID in [1, 2, 3] {
            #expect(net.applied(id).suffix(2) == ["before the restart", "after the restart"])
        }
    }

    @Test("without the advance, the same restart takes at least one full election timeout")
    func withoutTheAdvanceTheFirstElectionWaits() throws {
        var net = try cluster()
        for id: NodeID in [1, 2, 3] { net.crash(id) }
        for id: NodeID in [1, 2, 3] { try net.restart(id) }
        let rounds = net.tickAll(until: { $0.leader != nil }, limit: 3 * Self.et)
        #expect(rounds != nil && rounds! >= Self.et)
    }

    @Test("a follower restarted alone while the leader lives: it finds the leader, and the term does not move")
    func loneRestartDoesNotDisruptALiveLeader() throws {
        var net = try cluster()
        let term = net[1].term
        net.crash(3)
        try net.restart(3)
        net.on(3) { $0.advanceElectionTicks() }
        // Node 3 alone ticks, past its (advanced) timeout, before the leader's next heartbeat
        // reaches it: its pre-votes go to followers inside the leader's lease and are refused.
        net.tick(3, times: Self.et)
        net.tickAll(times: 3 * Self.et)
        #expect(net.leader == 1)
        #expect(net[1].term == term && net[3].term == term)
        #expect(net[3].leader == 1)
    }

    @Test("a member that already knows a leader, or is not a follower, is left alone")
    func advanceIsOnlyForALeaderlessFollower() throws {
        var net = try cluster()
        let before = net[2].electionElapsed
        net.on(2) { $0.advanceElectionTicks() }
        #expect(net[2].electionElapsed == before, "node 2 follows node 1")
        let leaderBefore = net[1].electionElapsed
        net.on(1) { $0.advanceElectionTicks() }
        #expect(net[1].electionElapsed == leaderBefore)
    }
}
