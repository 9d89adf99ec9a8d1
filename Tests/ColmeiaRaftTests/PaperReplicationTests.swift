import Testing
@testable import ColmeiaRaft

/// Raft paper §5.3 (log replication), rule by rule.
@Suite("§5.3 Log replication")
struct PaperReplicationTests {
    /// Leader 1 of `voters` in term 2 whose no-op (index 1) every follower acknowledged, so
    /// every follower is being replicated to.
    func leader(voters: [NodeID] = [1, 2, 3]) throws -> RaftNode {
        var node = try restoredNode(1, persisted(voters: voters, term: 1))
        node.winElection(votesFrom: voters.filter { $0 != 1 })
        #expect(node.role == .leader)
        node.replicateToAll()
        #expect(node.commitIndex == 1)
        return node
    }

    /// Follower 1 of a three-node cluster with `entries`, in `term`.
    func follower(entries: [Entry] = [], term: UInt64, commit: UInt64 = 0) throws -> RaftNode {
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: entries, term: term, commit: commit))
        node.drain()
        return node
    }

    // MARK: The leader's side

    /// "Once a leader has been elected, it begins servicing client requests. … The leader
    /// appends the command to its log as a new entry, then issues AppendEntries RPCs in
    /// parallel to each of the other servers to replicate the entry." The RPC carries the
    /// index and term of the entry that immediately precedes the new one, and the new entry
    /// is handed to the application to be written to stable storage.
    @Test("the leader appends a proposal to its log and sends it to every follower")
    func leaderStartsReplication() throws {
        var node = try leader()
        let last = node.lastIndex
        try node.propose(bytes("some data"))
        #expect(node.lastIndex == last + 1)
        let out = node.drain()
        let expected = Entry(term: 2, index: last + 1, data: bytes("some data"))
        #expect(out.entries == [expected], "the new entry must be persisted")
        #expect(out.mustSync)
        let appends = out.messages.sorted { $0.to < $1.to }
        #expect(appends.map(\.to) == [2, 3])
        for append in appends {
            #expect(append.type == .append)
            #expect(append.term == 2)
            #expect(append.index == last, "index of the preceding entry")
            #expect(append.logTerm == 2, "term of the preceding entry")
            #expect(append.entries == [expected])
            #expect(append.commit == 1)
        }
    }

    /// "When the entry has been safely replicated …, the leader applies the entry to its state
    /// machine and returns the result of that execution to the client. … The leader keeps
    /// track of the highest index it knows to be committed, and it includes that index in
    /// future AppendEntries RPCs (including heartbeats) so that the other servers eventually
    /// find out."
    @Test("once replicated the entry is committed, applied, and its index announced")
    func leaderCommitsEntry() throws {
        var node = try leader()
        try node.propose(bytes("some data"))
        let appends = node.drain().messages
        for append in appends { node.step(acceptAndReply(append)) }
        #expect(node.commitIndex == 2)
        let out = node.drain()
        #expect(out.committedEntries == [Entry(term: 2, index: 2, data: bytes("some data"))])
        #expect(out.hardStates.last?.commit == 2)
        let announcements = out.messages.sorted { $0.to < $1.to }
        #expect(announcements.map(\.to) == [2, 3])
        #expect(announcements.allSatisfy { $0.type == .append && $0.commit == 2 })
        node.tick()
        #expect(node.drain().messages(ofType: .heartbeat).allSatisfy { $0.commit == 2 })
    }

    /// "A log entry is committed once the leader that created the entry has replicated it on a
    /// majority of the servers."
    static let majorityCases: [(size: Int, acceptors: Set<NodeID>, committed: Bool)] = [
        (1, [], true),
        (3, [], false), (3, [2], true), (3, [2, 3], true),
        (5, [], false), (5, [2], false), (5, [2, 3], true), (5, [2, 3, 4], true), (5, [2, 3, 4, 5], true),
    ]

    @Test("an entry commits once a majority stores it", arguments: majorityCases)
    func commitNeedsMajority(size: Int, acceptors: Set<NodeID>, committed: Bool) throws {
        var node = try leader(voters: Array(1...UInt64(size)))
        let last = node.lastIndex
        try node.propose(bytes("some data"))
        let sent = node.drain()
        for append in sent.messages where acceptors.contains(append.to) {
            node.step(acceptAndReply(append))
        }
        #expect((node.commitIndex == last + 1) == committed)
        let applied = sent.committedEntries + node.drain().committedEntries
        #expect(applied.map(\.index) == (committed ? [last + 1] : []))
    }

    /// "A log entry is committed once the leader that created the entry has replicated it on a
    /// majority of the servers … This also commits all preceding entries in the leader's log,
    /// including entries created by previous leaders." They are applied in log order.
    @Test("committing an entry commits every preceding one, in order", arguments: [
        [UInt64](), [2], [1, 1], [1, 2], [1, 1, 2, 2],
    ])
    func leaderCommitsPrecedingEntries(terms: [UInt64]) throws {
        let old = makeLog(terms: terms)
        var node = try restoredNode(1, persisted(voters: [1, 2, 3], entries: old, term: 2))
        node.drain()
        node.winElection(votesFrom: [2, 3])
        #expect(node.term == 3)
        try node.propose(bytes("some data"))
        var applied: [Entry] = []
        for _ in 0..<10 {
            let out = node.drain()
            applied += out.committedEntries
            let appends = out.messages.filter { $0.type == .append }
            if appends.isEmpty { break }
            for append in appends { node.step(acceptAndReply(append)) }
        }
        let noop = Entry(term: 3, index: UInt64(old.count) + 1)
        let proposal = Entry(term: 3, index: UInt64(old.count) + 2, data: bytes("some data"))
        #expect(applied == old + [noop, proposal])
    }

    /// "If followers crash or run slowly, or if network packets are lost, the leader retries
    /// AppendEntries RPCs indefinitely (even after it has responded to the client) until all
    /// followers eventually store all log entries."
    @Test("the leader keeps retrying until a cut-off follower stores every entry")
    func leaderRetriesIndefinitely() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        net.isolate(3)
        for index in 0..<5 { try net.propose(1, "cmd\(index)") }
        #expect(net[1].commitIndex == net[1].lastIndex, "committed with a majority of two")
        #expect(net[3].lastIndex < net[1].lastIndex)
        // Every message to 3 is lost, heartbeats included (3's own clock is stopped so that
        // it does not start elections of its own: that is §5.2's business, not this test's).
        net.tick(1, times: 30)
        #expect(net[3].lastIndex < net[1].lastIndex, "still unreachable")
        net.heal()
        net.tick(1, times: 2)
        #expect(net[3].allEntries == net[1].allEntries)
        #expect(net[3].commitIndex == net[1].commitIndex)
        #expect(net.applied(3) == ["cmd0", "cmd1", "cmd2", "cmd3", "cmd4"])
    }

    /// The same for a follower that crashed: after it restarts from its disk, the leader
    /// brings it up to date.
    @Test("a follower that crashed catches up after restarting")
    func crashedFollowerCatchesUp() throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3])
        net.elect(1)
        try net.propose(1, "before")
        net.crash(3)
        for index in 0..<3 { try net.propose(1, "during\(index)") }
        try net.restart(3)
        #expect(net[3].lastIndex == 5, "its disk holds what it had persisted")
        net.tickAll(times: 2)
        #expect(net[3].allEntries == net[1].allEntries)
        #expect(net.applied(3) == ["before", "during0", "during1", "during2"])
    }

    // MARK: The follower's side

    /// "Once a follower learns that a log entry is committed, it applies the entry to its local
    /// state machine (in log order)."
    @Test("a follower applies entries once it learns they are committed", arguments: [
        (count: 1, commit: UInt64(1)), (count: 2, commit: 2), (count: 2, commit: 1), (count: 3, commit: 0),
    ])
    func followerCommitsEntries(count: Int, commit: UInt64) throws {
        var node = try follower(term: 1)
        let sent = (1...UInt64(count)).map { Entry(term: 1, index: $0, data: bytes("some data \($0)")) }
        node.step(Message(type: .append, to: 1, from: 2, term: 1, logTerm: 0, index: 0, entries: sent, commit: commit))
        #expect(node.commitIndex == commit)
        let out = node.drain()
        #expect(out.entries == sent)
        #expect(out.committedEntries == Array(sent.prefix(Int(commit))))
    }

    /// Followers learn the commit index from heartbeats too, and apply in order.
    @Test("a follower learns the commit index from a heartbeat")
    func followerCommitsOnHeartbeat() throws {
        var node = try follower(entries: makeLog(terms: [1, 1, 2]), term: 2, commit: 1)
        node.step(Message(type: .heartbeat, to: 1, from: 2, term: 2, commit: 3))
        #expect(node.commitIndex == 3)
        #expect(node.leader == 2)
        let out = node.drain()
        #expect(out.committedEntries == Array(makeLog(terms: [1, 1, 2]).suffix(2)))
        #expect(out.messages.map(\.type) == [.heartbeatResponse])
    }

    /// "When sending an AppendEntries RPC, the leader includes the index and term of the entry
    /// in its log that immediately precedes the new entries. If the follower does not find an
    /// entry in its log with the same index and term, then it refuses the new entries."
    /// Otherwise it accepts. (The follower's log is [1:1, 2:2], index 1 committed.)
    @Test("a follower refuses entries whose predecessor it does not hold", arguments: [
        (logTerm: UInt64(0), index: UInt64(0), answer: UInt64(1), reject: false, hint: UInt64(0)),
        (logTerm: 1, index: 1, answer: 1, reject: false, hint: 0),
        (logTerm: 2, index: 2, answer: 2, reject: false, hint: 0),
        (logTerm: 1, index: 2, answer: 2, reject: true, hint: 1),
        (logTerm: 3, index: 3, answer: 3, reject: true, hint: 2),
    ])
    func followerChecksPredecessor(logTerm: UInt64, index: UInt64, answer: UInt64, reject: Bool, hint: UInt64) throws {
        var node = try follower(entries: makeLog(terms: [1, 2]), term: 2, commit: 1)
        node.step(Message(type: .append, to: 1, from: 2, term: 3, logTerm: logTerm, index: index))
        let responses = node.drain().messages
        #expect(responses.count == 1)
        let response = try #require(responses.first)
        #expect(response.type == .appendResponse)
        #expect(response.term == 3)
        #expect(response.index == answer)
        #expect(response.reject == reject)
        if reject { #expect(response.rejectHint == hint) }
        #expect(node.allEntries == makeLog(terms: [1, 2]), "a check alone never changes the log")
    }

    /// "If an existing entry conflicts with a new one (same index but different terms), delete
    /// the existing entry and all that follow it; append any new entries not already in the
    /// log" — and write them to stable storage. (The follower's log is [1:1, 2:2].)
    @Test("a follower deletes conflicting entries and appends new ones", arguments: [
        (index: UInt64(2), logTerm: UInt64(2), sent: [UInt64(3)], result: [UInt64(1), 2, 3], persisted: [UInt64(3)]),
        (index: 1, logTerm: 1, sent: [3, 4], result: [1, 3, 4], persisted: [3, 4]),
        (index: 0, logTerm: 0, sent: [1], result: [1, 2], persisted: []),
        (index: 0, logTerm: 0, sent: [3], result: [3], persisted: [3]),
    ])
    func followerAppendsEntries(index: UInt64, logTerm: UInt64, sent: [UInt64], result: [UInt64],
                                persisted written: [UInt64]) throws {
        var node = try follower(entries: makeLog(terms: [1, 2]), term: 2)
        let entries = makeLog(terms: sent, from: index + 1)
        node.step(Message(type: .append, to: 1, from: 2, term: 4, logTerm: logTerm, index: index, entries: entries))
        // Payloads derive from (index, term), so this also checks that kept entries are ours
        // and replaced ones are the leader's.
        #expect(node.allEntries == makeLog(terms: result))
        let out = node.drain()
        #expect(out.entries.map(\.term) == written)
        #expect(out.messages.first?.reject == false)
    }

    // MARK: Figure 7

    /// The leader's log and the six followers' logs of Figure 7, by term.
    static let figure7Leader: [UInt64] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]

    struct Figure7Follower: Sendable, CustomTestStringConvertible {
        var label: String
        var terms: [UInt64]
        /// Whether the first AppendEntries (the new leader's no-op) is refused.
        var refusesFirstAppend: Bool
        var testDescription: String { "(\(label)) \(terms)" }
    }

    static let figure7Followers: [Figure7Follower] = [
        // (a) and (b) miss entries.
        Figure7Follower(label: "a", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6], refusesFirstAppend: true),
        Figure7Follower(label: "b", terms: [1, 1, 1, 4], refusesFirstAppend: true),
        // (c) and (d) have extra uncommitted entries.
        Figure7Follower(label: "c", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], refusesFirstAppend: false),
        Figure7Follower(label: "d", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], refusesFirstAppend: false),
        // (e) and (f) both miss entries and have extra ones.
        Figure7Follower(label: "e", terms: [1, 1, 1, 4, 4, 4, 4], refusesFirstAppend: true),
        Figure7Follower(label: "f", terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], refusesFirstAppend: true),
    ]

    /// "The leader handles inconsistencies by forcing the followers' logs to duplicate its own.
    /// … the leader must find the latest log entry where the two logs agree, delete any entries
    /// in the follower's log after that point, and send the follower all of the leader's
    /// entries after that point. … After a rejection, the leader decrements nextIndex and
    /// retries the AppendEntries RPC. Eventually nextIndex will reach a point where the leader
    /// and follower logs match."
    ///
    /// Each follower of Figure 7 in a three-server cluster: the leader (1), that follower (2),
    /// and a third server (3) holding the leader's log, whose vote lets the leader win even
    /// against the more up-to-date followers (c) and (d) — as in etcd's
    /// `TestLeaderSyncFollowerLog`. Everyone is in term 7; the leader is elected for term 8.
    @Test("Figure 7: the leader brings each follower's log in line with its own",
          arguments: figure7Followers)
    func figure7(follower: Figure7Follower) throws {
        let leaderLog = makeLog(terms: Self.figure7Leader)
        var net = try TestNetwork(restoring: [
            1: persisted(voters: [1, 2, 3], entries: leaderLog, term: 7, commit: 3),
            2: persisted(voters: [1, 2, 3], entries: makeLog(terms: follower.terms), term: 7, commit: 3),
            3: persisted(voters: [1, 2, 3], entries: leaderLog, term: 7, commit: 3),
        ])
        net.elect(1)
        #expect(net[1].term == 8)
        let final = leaderLog + [Entry(term: 8, index: 11)]
        #expect(net[1].allEntries == final, "the leader never changes what it had")
        #expect(net[2].allEntries == final)
        #expect(net[2].commitIndex == 11)
        #expect(net.applied(2) == net.applied(1))
        let refusals = net.delivered(.appendResponse).filter { $0.from == 2 && $0.reject }
        #expect(refusals.isEmpty == !follower.refusesFirstAppend)
    }

    /// The whole of Figure 7 at once: a seven-server cluster. The leader of term 8 gets the
    /// votes of (a), (b), (e) and (f) — (c) and (d) hold more up-to-date logs and refuse —
    /// and then forces all six logs to match its own.
    @Test("Figure 7: all six followers converge on the term-8 leader's log")
    func figure7WholeCluster() throws {
        let voters: [NodeID] = Array(1...7)
        var states: [NodeID: RaftPersistentState] = [
            1: persisted(voters: voters, entries: makeLog(terms: Self.figure7Leader), term: 7, commit: 3),
        ]
        for (offset, follower) in Self.figure7Followers.enumerated() {
            states[NodeID(offset + 2)] = persisted(voters: voters, entries: makeLog(terms: follower.terms),
                                                   term: 7, commit: 3)
        }
        var net = try TestNetwork(restoring: states)
        net.campaign(1)
        #expect(net[1].role == .leader)
        #expect(net[1].term == 8)
        let granted = net.delivered(.voteResponse).filter { !$0.reject }.map(\.from).sorted()
        #expect(granted == [2, 3, 6, 7])
        let final = makeLog(terms: Self.figure7Leader) + [Entry(term: 8, index: 11)]
        for id in voters {
            #expect(net[id].allEntries == final, "server \(id)")
            #expect(net[id].commitIndex == 11, "server \(id)")
        }
    }

    // MARK: Log Matching

    /// "Raft maintains the following properties, which together constitute the Log Matching
    /// Property: If two entries in different logs have the same index and term, then they
    /// store the same command. If two entries in different logs have the same index and term,
    /// then the logs are identical in all preceding entries." Checked throughout a seeded run
    /// of partitions, crashes and restarts (the network also checks Election Safety and State
    /// Machine Safety on every step), after which the healed cluster converges.
    @Test("Log Matching holds through partitions, crashes and leader changes", arguments: [UInt64(1), 2, 3])
    func logMatching(seed: UInt64) throws {
        var net = try TestNetwork(bootstrapping: [1, 2, 3, 4, 5], config: { paperConfig($0, seed: seed) })
        var random = DeterministicRandom(seed: seed)
        var proposals = 0
        for step in 0..<400 {
            let dice = random.next() % 100
            let victim = NodeID(random.next() % 5 + 1)
            switch dice {
            case 0..<4: net.isolate(victim)
            case 4..<7: net.heal()
            case 7..<9 where !net.peer(victim).isDown && net.liveIDs.count > 3: net.crash(victim)
            case 9..<12:
                for id in net.ids where net.peer(id).isDown { try net.restart(id) }
            case 12..<50:
                if let leader = net.leader {
                    try? net.propose(leader, "s\(seed)-\(proposals)")
                    proposals += 1
                }
            default: break
            }
            net.tickAll()
            if step % 10 == 0 { expectLogMatching(net, step: step) }
        }
        net.heal()
        for id in net.ids where net.peer(id).isDown { try net.restart(id) }
        let converged = net.tickAll(until: { net in
            guard let leader = net.leader else { return false }
            return net.ids.allSatisfy {
                net[$0].allEntries == net[leader].allEntries && net[$0].commitIndex == net[leader].commitIndex
            }
        })
        #expect(converged != nil, "the healed cluster converges")
        expectLogMatching(net, step: 400)
        #expect(net.appliedByIndex.count > 40, "the run committed real work")
        #expect(net.leaderOfTerm.count >= 4, "and went through several leaders")
        let applied = Set(net.ids.map { net.applied($0) })
        #expect(applied.count == 1, "every state machine ends identical")
    }

    func expectLogMatching(_ net: TestNetwork, step: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for a in net.ids {
            for b in net.ids where b > a {
                let x = net[a], y = net[b]
                var index = min(x.lastIndex, y.lastIndex)
                let floor = max(x.firstIndex, y.firstIndex)
                while index >= floor {
                    if let term = x.term(at: index), term == y.term(at: index) {
                        #expect(x.entries(from: floor, through: index) == y.entries(from: floor, through: index),
                                "step \(step): servers \(a) and \(b) agree on \(index):\(term) but not before",
                                sourceLocation: sourceLocation)
                        break
                    }
                    index -= 1
                }
            }
        }
    }
}
