import Testing
@testable import ColmeiaRaft

/// Raft paper §5.1 (terms) and §5.2 (leader election), rule by rule, in the style of
/// etcd/raft's raft_paper_test.go.
@Suite("§5.1–5.2 Terms and leader election")
struct PaperElectionTests {
    static let et = 10

    /// A follower of a three-node cluster in `term`, with an empty log.
    func follower(_ id: NodeID = 1, voters: [NodeID] = [1, 2, 3], term: UInt64 = 1, vote: NodeID = 0,
                  seed: UInt64 = 0) throws -> RaftNode {
        try restoredNode(id, persisted(voters: voters, term: term, vote: vote),
                         config: paperConfig(id, electionTicks: Self.et, seed: seed))
    }

    // MARK: §5.2 Starting up

    /// "When servers start up, they begin as followers."
    @Test("servers start up as followers")
    func startAsFollower() throws {
        var fresh = try RaftNode.bootstrap(config: paperConfig(1), voters: [1, 2, 3])
        #expect(fresh.role == .follower)
        #expect(fresh.leader == 0)
        fresh.drain()
        let restarted = try follower(term: 5, vote: 2)
        #expect(restarted.role == .follower)
        #expect(restarted.term == 5)
        #expect(restarted.vote == 2)
    }

    // MARK: §5.2 Starting an election

    /// "If a follower receives no communication over a period of time called the election
    /// timeout, then it assumes there is no viable leader and begins an election to choose a
    /// new leader. To begin an election, a follower increments its current term and
    /// transitions to candidate state. It then votes for itself and issues RequestVote RPCs in
    /// parallel to each of the other servers in the cluster."
    @Test("a follower that hears nothing for an election timeout campaigns in term+1")
    func followerStartsElection() throws {
        var node = try follower(term: 1)
        node.drain()
        for _ in 1..<(2 * Self.et) { node.tick() }
        #expect(node.role == .candidate)
        #expect(node.term == 2)
        #expect(node.vote == 1, "a candidate votes for itself")
        let out = node.drain()
        #expect(out.hardStates.last == HardState(term: 2, vote: 1, commit: 0), "term and vote must be persisted")
        #expect(out.mustSync)
        let votes = out.messages.sorted { $0.to < $1.to }
        #expect(votes.map(\.type) == [.vote, .vote])
        #expect(votes.map(\.to) == [2, 3], "RequestVote goes to every other server")
        #expect(votes.allSatisfy { $0.term == 2 && $0.from == 1 })
    }

    /// "[If] a candidate neither wins nor loses the election … each candidate will time out
    /// and start a new election by incrementing its term and initiating another round of
    /// RequestVote RPCs."
    @Test("a candidate that neither wins nor loses starts a new election in the next term")
    func candidateStartsNewElection() throws {
        var node = try follower(term: 1)
        node.campaign()
        node.drain()
        #expect(node.role == .candidate)
        #expect(node.term == 2)
        for _ in 1..<(2 * Self.et) { node.tick() }
        #expect(node.role == .candidate)
        #expect(node.term == 3)
        #expect(node.vote == 1)
        let votes = node.drain().messages.sorted { $0.to < $1.to }
        #expect(votes.map(\.type) == [.vote, .vote])
        #expect(votes.map(\.to) == [2, 3])
        #expect(votes.allSatisfy { $0.term == 3 })
    }

    /// "Raft uses randomized election timeouts … election timeouts are chosen randomly from a
    /// fixed interval" — here `[electionTicks, 2 * electionTicks)` — for followers…
    @Test("a follower's election timeout is randomized within [et, 2et)")
    func followerTimeoutRandomized() throws {
        var seen = Set<Int>()
        for seed in UInt64(0)..<200 {
            var node = try follower(seed: seed)
            var ticks = 0
            while node.role == .follower && ticks < 10 * Self.et {
                node.tick()
                ticks += 1
            }
            #expect((Self.et..<(2 * Self.et)).contains(ticks), "seed \(seed): timed out after \(ticks) ticks")
            seen.insert(ticks)
        }
        #expect(seen == Set(Self.et..<(2 * Self.et)), "every timeout in the interval should occur")
    }

    /// …and for candidates, whose next timeout is drawn afresh for each election.
    @Test("a candidate's election timeout is randomized within [et, 2et)")
    func candidateTimeoutRandomized() throws {
        var seen = Set<Int>()
        for seed in UInt64(0)..<200 {
            var node = try follower(seed: seed)
            node.campaign()
            let term = node.term
            var ticks = 0
            while node.term == term && ticks < 10 * Self.et {
                node.tick()
                ticks += 1
            }
            #expect((Self.et..<(2 * Self.et)).contains(ticks), "seed \(seed): timed out after \(ticks) ticks")
            seen.insert(ticks)
        }
        #expect(seen == Set(Self.et..<(2 * Self.et)))
    }

    /// "Election timeouts are chosen randomly … This spreads out the servers so that in most
    /// cases only a single server will time out; it wins the election and sends heartbeats
    /// before any other servers time out."
    @Test("randomized timeouts spread the servers: usually only one times out first")
    func timeoutsRarelyCollide() throws {
        let runs = 400
        var collisions = 0
        for run in 0..<runs {
            // All five servers share the application's seed; their ids decorrelate them.
            var timeouts: [Int] = []
            for id: NodeID in 1...5 {
                var node = try follower(id, voters: [1, 2, 3, 4, 5], seed: UInt64(run) &* 7919)
                var ticks = 0
                while node.role == .follower && ticks < 10 * Self.et {
                    node.tick()
                    ticks += 1
                }
                timeouts.append(ticks)
            }
            let first = timeouts.min()!
            if timeouts.filter({ $0 == first }).count > 1 { collisions += 1 }
        }
        // Uniform timeouts over 10 values for 5 servers collide ~23% of the time.
        #expect(Double(collisions) / Double(runs) <= 0.3, "\(collisions) of \(runs) elections started in a tie")
    }

    // MARK: §5.2 Outcome of an election

    struct RoundCase: Sendable, CustomTestStringConvertible {
        var size: Int
        var votes: [NodeID: Bool]
        var expected: RaftRole
        var testDescription: String { "\(size) servers, votes \(votes.sorted { $0.key < $1.key }) → \(expected)" }
    }

    /// "A candidate wins an election if it receives votes from a majority of the servers in
    /// the full cluster for the same term" — the three outcomes of one round of RequestVote:
    /// (a) it wins, (b) another server establishes itself as leader (here: a majority rejects
    /// it and it returns to follower), or (c) a period of time goes by with no winner.
    @Test("one round of RequestVote: win, lose or undecided", arguments: [
        RoundCase(size: 1, votes: [:], expected: .leader),
        RoundCase(size: 3, votes: [2: true, 3: true], expected: .leader),
        RoundCase(size: 3, votes: [2: true], expected: .leader),
        RoundCase(size: 5, votes: [2: true, 3: true, 4: true, 5: true], expected: .leader),
        RoundCase(size: 5, votes: [2: true, 3: true, 4: true], expected: .leader),
        RoundCase(size: 5, votes: [2: true, 3: true], expected: .leader),
        RoundCase(size: 5, votes: [2: true, 3: false, 4: false, 5: true], expected: .leader),
        RoundCase(size: 3, votes: [2: false, 3: false], expected: .follower),
        RoundCase(size: 5, votes: [2: false, 3: false, 4: false, 5: false], expected: .follower),
        RoundCase(size: 5, votes: [2: true, 3: false, 4: false, 5: false], expected: .follower),
        RoundCase(size: 3, votes: [:], expected: .candidate),
        RoundCase(size: 5, votes: [2: true], expected: .candidate),
        RoundCase(size: 5, votes: [2: false, 3: false], expected: .candidate),
        RoundCase(size: 5, votes: [:], expected: .candidate),
    ])
    func oneRoundOfVotes(_ round: RoundCase) throws {
        let voters = (1...UInt64(round.size)).map { $0 }
        var node = try follower(voters: voters)
        node.campaign()
        for (voter, granted) in round.votes.sorted(by: { $0.key < $1.key }) {
            node.step(Message(type: .voteResponse, to: 1, from: voter, term: node.term, reject: !granted))
        }
        #expect(node.role == round.expected)
        #expect(node.term == 2, "losing or waiting never changes the candidate's term")
    }

    /// "Each server will vote for at most one candidate in a given term, on a
    /// first-come-first-served basis."
    @Test("a follower votes for at most one candidate per term, first come first served",
          arguments: [
            (vote: NodeID(0), candidate: NodeID(2), granted: true),
            (vote: 0, candidate: 3, granted: true),
            (vote: 2, candidate: 2, granted: true),
            (vote: 3, candidate: 3, granted: true),
            (vote: 2, candidate: 3, granted: false),
            (vote: 3, candidate: 2, granted: false),
          ])
    func followerVote(vote: NodeID, candidate: NodeID, granted: Bool) throws {
        var node = try follower(term: 1, vote: vote)
        node.step(Message(type: .vote, to: 1, from: candidate, term: 1))
        let responses = node.drain().messages
        #expect(responses.count == 1)
        #expect(responses.first?.type == .voteResponse)
        #expect(responses.first?.to == candidate)
        #expect(responses.first?.reject == !granted)
        #expect(node.vote == (granted ? candidate : vote))
    }

    /// The same rule as a sequence: the first request of a term wins the vote, a later one from
    /// another candidate is refused, and the vote survives a restart (it is persisted).
    @Test("the vote of a term is given to the first requester and kept across restarts")
    func firstComeFirstServedAcrossRestart() throws {
        var node = try follower(term: 1)
        node.step(Message(type: .vote, to: 1, from: 2, term: 2))
        node.step(Message(type: .vote, to: 1, from: 3, term: 2))
        let out = node.drain()
        #expect(out.messages.map(\.reject) == [false, true])
        #expect(out.hardStates.last == HardState(term: 2, vote: 2, commit: 0))
        var restarted = try follower(term: 2, vote: 2)
        restarted.step(Message(type: .vote, to: 1, from: 3, term: 2))
        #expect(restarted.drain().messages.map(\.reject) == [true])
        restarted.step(Message(type: .vote, to: 1, from: 2, term: 2))
        #expect(restarted.drain().messages.map(\.reject) == [false], "a repeated request gets the same answer")
    }

    /// "While waiting for votes, a candidate may receive an AppendEntries RPC from another
    /// server claiming to be leader. If the leader's term … is at least as large as the
    /// candidate's current term, then the candidate recognizes the leader as legitimate and
    /// returns to follower state."
    @Test("a candidate steps down on AppendEntries from a leader of at least its term",
          arguments: [UInt64(0), 1])
    func candidateFallback(termAhead: UInt64) throws {
        var node = try follower(term: 1)
        node.campaign()
        node.drain()
        #expect(node.role == .candidate)
        let leaderTerm = node.term + termAhead
        node.step(Message(type: .append, to: 1, from: 2, term: leaderTerm, logTerm: 0, index: 0))
        #expect(node.role == .follower)
        #expect(node.term == leaderTerm)
        #expect(node.leader == 2)
        let answers = node.drain().messages
        #expect(answers.map(\.type) == [.appendResponse])
        #expect(answers.first?.reject == false)
    }

    /// "If the term in the RPC is smaller than the candidate's current term, then the candidate
    /// rejects the RPC and continues in candidate state."
    @Test("a candidate ignores AppendEntries from a leader of an older term")
    func candidateIgnoresStaleLeader() throws {
        var node = try follower(term: 3)
        node.campaign()
        node.drain()
        node.step(Message(type: .append, to: 1, from: 2, term: 3, logTerm: 0, index: 0,
                          entries: [entry(1, 3)], commit: 1))
        #expect(node.role == .candidate)
        #expect(node.term == 4)
        #expect(node.lastIndex == 0)
        #expect(node.drain().messages.isEmpty)
    }

    /// "The third possible outcome is that a candidate neither wins nor loses the election: if
    /// many followers become candidates at the same time, votes could be split so that no
    /// candidate obtains a majority. When this happens, each candidate will time out and start
    /// a new election."
    @Test("a split vote ends without a leader, and a later election elects one")
    func splitVoteLeadsToNewElection() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        // All three time out together: each votes for itself and refuses the others.
        for id: NodeID in [1, 2, 3] { net.on(id, deliver: false) { $0.campaign() } }
        net.deliverAll()
        #expect(net.leader == nil)
        #expect([1, 2, 3].allSatisfy { net[$0].term == 2 })
        #expect(net.delivered(.voteResponse).allSatisfy { $0.reject })
        // Randomized timeouts break the tie.
        let rounds = net.tickAll(until: { $0.leader != nil })
        #expect(rounds != nil && rounds! < 2 * Self.et, "a new election should succeed within one timeout")
        let leader = try #require(net.leader)
        #expect(net[leader].term == 3)
        #expect([1, 2, 3].allSatisfy { net[$0].term == 3 && net[$0].leader == leader })
    }

    /// "A candidate wins an election if it receives votes from a majority of the servers in the
    /// full cluster" — so a cluster elects a leader as long as a majority is up, and not when
    /// only a minority is.
    @Test("an election needs a majority of the full cluster", arguments: [(down: 2, elects: true), (down: 3, elects: false)])
    func electionNeedsMajority(down: Int, elects: Bool) throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3, 4, 5])
        for id in (6 - UInt64(down))...5 { net.crash(id) }
        net.campaign(1)
        #expect((net[1].role == .leader) == elects)
        if !elects {
            #expect(net[1].role == .candidate)
        }
    }

    /// "Once a candidate wins an election, it becomes leader. It then sends heartbeat messages
    /// to all of the other servers to establish its authority and prevent new elections."
    @Test("a new leader immediately announces itself to every server")
    func winnerAnnouncesItself() throws {
        var node = try follower(voters: [1, 2, 3, 4, 5])
        node.winElection(votesFrom: [2, 3])
        #expect(node.role == .leader)
        let out = node.drain()
        #expect(out.softStates.last == SoftState(leader: 1, role: .leader))
        let announcements = out.messages.sorted { $0.to < $1.to }
        #expect(announcements.map(\.to) == [2, 3, 4, 5])
        #expect(announcements.allSatisfy { $0.type == .append && $0.term == 2 })
    }

    /// "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all
    /// followers in order to maintain their authority." Every `heartbeatTicks` ticks the leader
    /// sends an empty heartbeat to each follower, carrying the commit index the follower can
    /// safely use.
    @Test("the leader broadcasts a heartbeat every heartbeat interval", arguments: [1, 3])
    func leaderBroadcastsHeartbeat(heartbeatTicks: Int) throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], term: 1),
                                    config: paperConfig(1, heartbeatTicks: heartbeatTicks))
        node.winElection(votesFrom: [2])
        node.acknowledge(node.readMessages())
        for index in 0..<10 { try node.propose(bytes("c\(index)")) }
        node.drain()
        for _ in 1..<heartbeatTicks { node.tick() }
        #expect(node.drain().messages.isEmpty, "no heartbeat before the interval elapsed")
        node.tick()
        let beats = node.drain().messages.sorted { $0.to < $1.to }
        #expect(beats.map(\.to) == [2, 3])
        for beat in beats {
            #expect(beat.type == .heartbeat)
            #expect(beat.term == 2)
            #expect(beat.entries.isEmpty)
            #expect(beat.index == 0 && beat.logTerm == 0)
            // The followers acknowledged the no-op (index 1) only.
            #expect(beat.commit == 1)
        }
        for _ in 0..<heartbeatTicks { node.tick() }
        #expect(node.drain().messages(ofType: .heartbeat).count == 2, "and again after the next interval")
    }

    /// Heartbeats "prevent new elections": with a live leader, no follower ever times out.
    @Test("heartbeats keep followers from starting elections")
    func heartbeatsSuppressElections() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        net.tickAll(times: 20 * Self.et)
        #expect(net.leader == 1)
        #expect([1, 2, 3].allSatisfy { net[$0].term == 2 })
        #expect(net.delivered(.vote).count == 2, "only the first election's requests")
    }

    // MARK: §5.1 Terms

    enum Role: String, Sendable, CaseIterable { case follower, candidate, leader }

    /// A server of a three-node cluster in `role`: a follower in term 2, or a candidate or
    /// leader in term 3.
    func node(in role: Role) throws -> RaftNode {
        var node = try follower(term: 2)
        switch role {
        case .follower: break
        case .candidate: node.campaign()
        case .leader: node.winElection(votesFrom: [2])
        }
        node.drain()
        #expect(node.term == (role == .follower ? 2 : 3))
        return node
    }

    /// "Current terms are exchanged whenever servers communicate; if one server's current term
    /// is smaller than the other's, then it updates its current term to the larger value. If a
    /// candidate or leader discovers that its term is out of date, it immediately reverts to
    /// follower state."
    @Test("a message with a higher term makes any server a follower in that term",
          arguments: Role.allCases, [MessageType.append, .heartbeat, .vote, .appendResponse, .voteResponse])
    func higherTermMakesFollower(role: Role, type: MessageType) throws {
        var node = try node(in: role)
        node.step(Message(type: type, to: 1, from: 2, term: 5, logTerm: 0, index: 0))
        #expect(node.role == .follower)
        #expect(node.term == 5)
        // Only messages from a leader of the new term tell who leads it.
        #expect(node.leader == ((type == .append || type == .heartbeat) ? 2 : 0))
        let persisted = node.drain().hardStates.last
        #expect(persisted?.term == 5, "the new term is persisted")
    }

    /// "If a server receives a request with a stale term number, it rejects the request."
    /// ColmeiaRaft, like etcd/raft, drops it without acting on it.
    @Test("requests with a stale term are not acted upon",
          arguments: Role.allCases, [MessageType.append, .heartbeat, .vote, .snapshot])
    func staleTermRejected(role: Role, type: MessageType) throws {
        var node = try node(in: role)
        let before = (node.term, node.role, node.vote, node.lastIndex, node.commitIndex, node.leader)
        var stale = Message(type: type, to: 1, from: 3, term: node.term - 1, logTerm: 0, index: 0)
        if type == .append { stale.entries = [entry(1, node.term - 1)] }
        if type == .vote { stale.index = 100; stale.logTerm = 1 }
        if type == .snapshot {
            stale.snapshot = Snapshot(metadata: SnapshotMetadata(index: 50, term: 1, confState: ConfState(voters: [1, 2, 3])))
        }
        node.step(stale)
        let after = (node.term, node.role, node.vote, node.lastIndex, node.commitIndex, node.leader)
        #expect(before == after)
        let out = node.drain()
        #expect(!out.messages.contains { $0.type == .voteResponse && !$0.reject }, "no vote for a stale candidate")
        #expect(!out.messages.contains { $0.type == .appendResponse && !$0.reject && $0.index > 0 })
        #expect(out.snapshots.isEmpty)
    }

    /// A stale leader's heartbeats do not count as "communication" from a current leader: the
    /// follower still times out on schedule.
    @Test("heartbeats from a stale leader do not reset the election timer")
    func staleHeartbeatsDoNotResetTimer() throws {
        var node = try follower(term: 3)
        var ticks = 0
        while node.role == .follower && ticks < 4 * Self.et {
            node.step(Message(type: .heartbeat, to: 1, from: 2, term: 2))
            node.tick()
            ticks += 1
        }
        #expect(node.role == .candidate)
        #expect(ticks < 2 * Self.et)
    }

    /// With pre-vote or check-quorum (thesis §9.6, §6.2) a stale AppendEntries is answered with
    /// the current term, so a deposed leader on the far side of a partition learns that it is
    /// out of date and steps down (etcd/raft does the same).
    @Test("a stale leader is told the current term and steps down",
          arguments: [(preVote: true, checkQuorum: false), (preVote: false, checkQuorum: true)])
    func staleLeaderLearnsNewTerm(preVote: Bool, checkQuorum: Bool) throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3],
                                  config: { paperConfig($0, preVote: preVote, checkQuorum: checkQuorum) })
        net.elect(1)
        net.isolate(1)
        // Only the majority side's clocks run, so the old leader cannot notice by itself.
        for _ in 0..<(4 * Self.et) where net[2].role != .leader && net[3].role != .leader {
            net.tick(2)
            net.tick(3)
        }
        let newLeader = try #require(net.leader)
        #expect(newLeader != 1)
        #expect(net[newLeader].term == 3)
        #expect(net[1].role == .leader, "the old leader has not noticed yet")
        net.heal()
        // The old leader's next heartbeat is answered with term 3.
        net.tick(1)
        #expect(net[1].role == .follower)
        #expect(net[1].term == 3)
        #expect(net[newLeader].role == .leader, "the current leader is not disturbed")
    }
}
