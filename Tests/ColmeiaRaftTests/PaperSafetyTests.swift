import Testing
@testable import ColmeiaRaft

/// Raft paper §5.4 (safety): the election restriction, committing entries from previous
/// terms (Figure 8), Leader Completeness and the Leader Append-Only property.
@Suite("§5.4 Safety")
struct PaperSafetyTests {
    // MARK: §5.4.1 Election restriction

    /// "The RequestVote RPC implements this restriction: the RPC includes information about
    /// the candidate's log" — the index and term of its last entry — and it is sent to all of
    /// the other servers.
    static let voteRequestCases: [(terms: [UInt64], campaignTerm: UInt64)] = [
        ([1], 2), ([1, 2], 3), ([1, 1, 3, 3, 3], 4),
    ]

    @Test("a vote request carries the candidate's last log index and term", arguments: voteRequestCases)
    func voteRequestDescribesLog(terms: [UInt64], campaignTerm: UInt64) throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], term: 0))
        node.step(Message(type: .append, to: 1, from: 2, term: campaignTerm - 1, logTerm: 0, index: 0,
                          entries: makeLog(terms: terms)))
        node.drain()
        for _ in 1..<20 { node.tick() }
        let requests = node.drain().messages.sorted { $0.to < $1.to }
        #expect(requests.map(\.to) == [2, 3])
        for request in requests {
            #expect(request.type == .vote)
            #expect(request.term == campaignTerm)
            #expect(request.index == UInt64(terms.count))
            #expect(request.logTerm == terms.last)
        }
    }

    static let voterCases: [(log: [UInt64], logTerm: UInt64, index: UInt64, granted: Bool)] = [
        // Same last term: the longer log is more up-to-date.
        ([1], 1, 1, true),
        ([1], 1, 2, true),
        ([1, 1], 1, 1, false),
        // The candidate's last term is later: it is more up-to-date whatever the lengths.
        ([1], 2, 1, true),
        ([1], 2, 2, true),
        ([1, 1], 2, 1, true),
        ([1, 1, 1, 1], 2, 1, true),
        // The voter's last term is later: it refuses whatever the lengths.
        ([2], 1, 1, false),
        ([2], 1, 2, false),
        ([2, 2], 1, 1, false),
        ([1, 2], 1, 5, false),
        ([1, 1], 1, 1, false),
    ]

    /// "The voter denies its vote if its own log is more up-to-date than that of the
    /// candidate. … If the logs have last entries with different terms, then the log with the
    /// later term is more up-to-date. If the logs end with the same term, then whichever log
    /// is longer is more up-to-date."
    @Test("a voter denies its vote to a candidate whose log is less up-to-date", arguments: voterCases)
    func voterComparesLogs(log: [UInt64], logTerm: UInt64, index: UInt64, granted: Bool) throws {
        var node = try restoredNode(1, persisted(voters: [1, 2], entries: makeLog(terms: log)))
        node.step(Message(type: .vote, to: 1, from: 2, term: 3, logTerm: logTerm, index: index))
        let responses = node.drain().messages
        #expect(responses.count == 1)
        #expect(responses.first?.type == .voteResponse)
        #expect(responses.first?.reject == !granted)
        #expect(node.vote == (granted ? 2 : 0))
        #expect(node.term == 3, "the voter adopts the candidate's term either way")
    }

    /// The restriction in a running cluster: "a candidate must contact a majority of the
    /// cluster in order to be elected, which means that every committed entry must be present
    /// in at least one of those servers" — a server that missed committed entries cannot win,
    /// however often it campaigns.
    @Test("a server that missed committed entries cannot be elected")
    func laggingServerCannotWin() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        net.isolate(3)
        try net.propose(1, "committed without 3")
        net.heal()
        net.crash(1)
        for _ in 0..<3 {
            net.campaign(3)
            #expect(net[3].role != .leader)
        }
        #expect(net.delivered(.voteResponse).filter { $0.from == 2 && $0.to == 3 }.allSatisfy { $0.reject })
        // Server 2, which has the entry, can.
        net.elect(2)
        #expect(net.applied(2).contains("committed without 3"))
    }

    // MARK: §5.4.2 Committing entries from previous terms

    /// "Raft never commits log entries from previous terms by counting replicas. Only log
    /// entries from the leader's current term are committed by counting replicas; once an
    /// entry from the current term has been committed in this way, then all prior entries are
    /// committed indirectly because of the Log Matching Property."
    ///
    /// Leader of term 3 with [1:1, 2:2] and its own no-op at 3; a follower acknowledges up to
    /// `acknowledged`.
    static let countingCases: [(acknowledged: UInt64, commit: UInt64)] = [(1, 0), (2, 0), (3, 3)]

    @Test("only entries of the leader's own term are committed by counting replicas", arguments: countingCases)
    func onlyCurrentTermCommitsByCounting(acknowledged: UInt64, commit: UInt64) throws {
        var node = try restoredNode(1, persisted(voters: [1, 2], entries: makeLog(terms: [1, 2]), term: 2))
        node.winElection(votesFrom: [2])
        #expect(node.role == .leader)
        #expect(node.term == 3)
        node.drain()
        node.step(Message(type: .appendResponse, to: 1, from: 2, term: 3, index: acknowledged))
        #expect(node.commitIndex == commit)
        let applied = node.drain().committedEntries.map(\.index)
        #expect(applied == Array(stride(from: 1, through: commit, by: 1)))
    }

    /// Five servers holding the committed entry 1:1, one entry per AppendEntries (so that the
    /// figure's partial replication can be staged), playing Figure 8 (a)–(c):
    ///
    /// (a) S1 leads term 2 and replicates its entry at index 2 to S2 only.
    /// (b) S1 crashes; S5 is elected for term 3 by S3, S4 and itself, accepts a different
    ///     entry at index 2, and crashes before replicating it.
    /// (c) S1 restarts, is elected for term 4 and replicates its term-2 entry to the others,
    ///     but not yet its own term-4 entry.
    func figure8c() throws -> TestNetwork {
        let voters: [NodeID] = [1, 2, 3, 4, 5]
        var states: [NodeID: RaftPersistentState] = [:]
        for id in voters { states[id] = persisted(voters: voters, entries: makeLog(terms: [1]), term: 1, commit: 1) }
        var net = try TestNetwork(restoring: states, config: { paperConfig($0, maxBytesPerMessage: 1) })

        // (a) The leader of term 2 appends its entry (its no-op) at index 2.
        net.dropIf = { message, _ in message.type == .append && message.from == 1 && message.to != 2 }
        net.campaign(1)
        #expect(net[1].role == .leader && net[1].term == 2)
        #expect(net[2].term(at: 2) == 2)
        #expect([3, 4, 5].allSatisfy { net[$0].lastIndex == 1 })
        #expect(net[1].commitIndex == 1)

        // (b) S5 wins term 3 without S1 and S2; its entry at index 2 stays local.
        net.crash(1)
        net.dropIf = { message, _ in message.type == .append && message.from == 5 }
        net.campaign(5)
        #expect(net[5].role == .leader && net[5].term == 3)
        #expect(net[5].term(at: 2) == 3)
        net.crash(5)

        // (c) S1 comes back and wins term 4 (S3 and S4 voted for S5 in term 3, so this takes
        // a second campaign). Every append that would store a term-4 entry is lost.
        try net.restart(1)
        net.dropIf = { message, receiver in
            message.type == .append && message.from == 1 && message.entries.contains { $0.term == 4 }
                && receiver.term(at: message.index) == message.logTerm
        }
        net.elect(1)
        #expect(net[1].term == 4)
        #expect(net[1].entries(from: 1, through: 3).map(\.term) == [1, 2, 4])
        return net
    }

    /// Figure 8 (c)→(d): "an old log entry is stored on a majority of servers, yet can still be
    /// overwritten by a future leader". The leader of term 4 knows that its term-2 entry is
    /// on a majority, but must not count that as committed — and indeed S5, once S1 crashes,
    /// can be elected (by S2, S3 and S4) and overwrite it with its own term-3 entry.
    @Test("Figure 8 (c)-(d): an old-term entry on a majority is not committed, and can be overwritten")
    func figure8OldTermEntryIsNotCommitted() throws {
        var net = try figure8c()
        // The leader knows S3 and S4 store the term-2 entry: with itself that is 3 of 5.
        #expect(net[1].progress[3]?.match == 2)
        #expect(net[1].progress[4]?.match == 2)
        #expect([1, 2, 3, 4].allSatisfy { net[$0].term(at: 2) == 2 })
        #expect(net[1].commitIndex == 1, "an entry of term 2 is never committed by counting replicas in term 4")
        #expect(net.appliedByIndex[2] == nil, "nobody applied it")
        // Heartbeats do not make a difference while the term-4 entry cannot get through.
        net.tick(1, times: 3)
        #expect(net[1].commitIndex == 1)

        // (d) S1 crashes; S5 restarts and is elected with the votes of S2, S3 and S4.
        net.crash(1)
        net.dropIf = nil
        try net.restart(5)
        net.elect(5)
        #expect(net[5].term == 5)
        #expect(net.delivered(.voteResponse).filter { $0.to == 5 && $0.term == 5 && !$0.reject }.map(\.from).sorted()
                    == [2, 3, 4])
        for id: NodeID in [2, 3, 4, 5] {
            #expect(net[id].entries(from: 1, through: 3).map(\.term) == [1, 3, 5], "server \(id)")
        }
        // S1 returns and is brought in line too. (The network checks on every apply that no
        // two servers ever apply different entries at one index.)
        try net.restart(1)
        net.tick(5, times: 2)
        #expect(net[1].allEntries == net[5].allEntries)
        #expect(net.appliedByIndex[2]?.term == 3)
    }

    /// Figure 8 (c)→(e): "if S1 replicates an entry from its current term on a majority of the
    /// servers before crashing, … then this entry is committed (S5 cannot win an election)" —
    /// and with it the term-2 entry before it.
    @Test("Figure 8 (c)-(e): a current-term entry on a majority commits the older ones with it")
    func figure8CurrentTermEntryCommits() throws {
        var net = try figure8c()
        net.dropIf = nil
        net.tick(1)
        #expect(net[1].commitIndex == 3)
        #expect(net.appliedByIndex[2]?.term == 2)
        #expect(net.appliedByIndex[3]?.term == 4)

        // (e) S1 crashes; S5 can no longer win.
        net.crash(1)
        try net.restart(5)
        for _ in 0..<3 {
            net.campaign(5)
            #expect(net[5].role != .leader)
        }
        // The others elect one of themselves, which keeps the committed entries.
        net.tickAll(until: { net in [2, 3, 4].contains { net[$0].role == .leader } })
        let leader = try #require(net.leader)
        #expect([2, 3, 4].contains(leader))
        #expect(net[leader].entries(from: 1, through: 3).map(\.term) == [1, 2, 4])
        net.tickAll(times: 2)
        #expect(net[5].entries(from: 1, through: 3).map(\.term) == [1, 2, 4], "S5's term-3 entry is gone")
    }

    // MARK: §5.4.3 Leader Completeness

    /// "Leader Completeness: if a log entry is committed in a given term, then that entry will
    /// be present in the logs of the leaders for all higher-numbered terms." Five servers go
    /// through six leaders; each time two servers miss the newest committed entries and the
    /// leader then crashes. Every new leader must hold every entry anyone ever applied.
    @Test("every new leader holds every committed entry")
    func leaderCompleteness() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3, 4, 5])
        net.elect(1)
        var crashed: NodeID?
        for round in 0..<6 {
            let leader = try #require(net.leader)
            // The previous round's crashed leader comes back and catches up.
            if let previous = crashed {
                try net.restart(previous)
                net.tick(leader, times: 2)
            }
            // Two followers fall behind.
            let others = net.liveIDs.filter { $0 != leader }
            let behind = [others[round % others.count], others[(round + 1) % others.count]]
            for id in behind { net.isolate(id) }
            for index in 0..<3 { try net.propose(leader, "r\(round)-\(index)") }
            #expect(net[leader].commitIndex == net[leader].lastIndex, "committed by the other three")
            // The leader crashes; the laggards rejoin and everyone's clock runs.
            net.heal()
            net.crash(leader)
            crashed = leader
            let rounds = net.tickAll(until: { net in net.leader.map { net[$0].term > net[leader].term } ?? false })
            #expect(rounds != nil, "round \(round): no new leader")
            let newLeader = try #require(net.leader)
            #expect(!behind.contains(newLeader), "round \(round): a server missing committed entries won")
            for (index, entry) in net.appliedByIndex where index >= net[newLeader].firstIndex {
                #expect(net[newLeader].term(at: index) == entry.term, "round \(round): leader \(newLeader) lacks \(index)")
            }
            // Let the new leader commit its no-op so its term has a committed entry too.
            net.tick(newLeader)
        }
        #expect(net.appliedByIndex.count >= 18 + 5)
    }

    // MARK: Leader Append-Only

    /// "Leader Append-Only: a leader never overwrites or deletes entries in its log; it only
    /// appends new entries." Not even an AppendEntries of its own term (which no legitimate
    /// server can send) or a snapshot changes the leader's log.
    @Test("a leader never overwrites or deletes its own entries", arguments: [MessageType.append, .snapshot, .heartbeat])
    func leaderAppendOnly(type: MessageType) throws {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 2]), term: 2, commit: 1))
        node.winElection(votesFrom: [2])
        node.drain()
        let before = node.allEntries
        node.step(Message(type: type, to: 1, from: 2, term: node.term, logTerm: 1, index: 1,
                          entries: type == .append ? makeLog(terms: [3, 3, 3, 3], from: 2) : [],
                          commit: 5,
                          snapshot: type == .snapshot ? Snapshot(metadata: SnapshotMetadata(
                            index: 10, term: 3, confState: ConfState(voters: [1, 2, 3]))) : nil))
        #expect(node.role == .leader)
        #expect(node.allEntries == before)
        #expect(node.commitIndex == 1)
        #expect(node.drain().snapshots.isEmpty)
    }

    /// And while it brings conflicting followers in line (Figure 7's (d) has a longer log with
    /// a later last term), the leader's log only ever grows at its tail.
    @Test("a leader only appends while repairing followers' logs")
    func leaderOnlyAppendsWhileRepairing() throws {
        let leaderLog = makeLog(terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6])
        var net = try TestNetwork(restoring: [
            1: persisted(voters: [1, 2, 3], entries: leaderLog, term: 7),
            2: persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]), term: 7),
            3: persisted(voters: [1, 2, 3], entries: makeLog(terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]), term: 7),
        ])
        net.elect(1)
        for index in 0..<3 {
            try net.propose(1, "p\(index)")
            #expect(Array(net[1].allEntries.prefix(leaderLog.count)) == leaderLog)
        }
        #expect(net[1].lastIndex == 14)
        #expect(net[2].allEntries == net[1].allEntries)
        #expect(net[3].allEntries == net[1].allEntries)
    }
}
