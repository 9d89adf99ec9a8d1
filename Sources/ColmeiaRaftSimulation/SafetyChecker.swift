import ColmeiaRaft

/// The Raft safety properties (paper Figure 3), checked incrementally as the simulation
/// runs, plus the client-visible ones: acknowledged writes survive and reads are
/// linearizable.
struct SafetyChecker {
    struct EntryIdentity: Equatable {
        var term: UInt64
        var payload: UInt64
    }

    /// Election safety: at most one leader per term.
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// Log matching: what (index, term) stands for, with the term before it.
    private var entryAt: [UInt64: [UInt64: (payload: UInt64, previousTerm: UInt64?)]] = [:]
    /// State-machine safety: the entry every node applied at each index, and the digest after it.
    private(set) var appliedAt: [UInt64: EntryIdentity] = [:]
    private var digestAt: [UInt64: UInt64] = [:]
    /// Writes a client saw acknowledged (applied somewhere), with an upper bound of the term
    /// in which they were committed: the term of the node that first applied them.
    private(set) var acknowledged: [UInt64: (identity: EntryIdentity, committedBy: UInt64)] = [:]
    private(set) var highestAcknowledged: UInt64 = 0

    private(set) var failures: [(invariant: String, detail: String)] = []

    private mutating func fail(_ invariant: String, _ detail: String) {
        failures.append((invariant, detail))
    }

    static func payload(of entry: Entry) -> UInt64 {
        SimulatedStateMachine.mix(UInt64(entry.kind.rawValue), SimulatedStateMachine.hash(entry.data))
    }

    mutating func observeLeader(_ node: NodeID, term: UInt64) {
        if let existing = leaderOfTerm[term], existing != node {
            fail("election safety", "nodes \(existing) and \(node) both led term \(term)")
        }
        leaderOfTerm[term] = node
    }

    /// Every entry that enters any log passes through a `Ready`; check it there.
    mutating func observeLogEntries(_ entries: [Entry], on node: RaftNode) {
        for entry in entries {
            let previousTerm = entry.index > 1 ? node.term(at: entry.index - 1) : 0
            let payload = Self.payload(of: entry)
            if let known = entryAt[entry.index]?[entry.term] {
                if known.payload != payload {
                    fail("log matching", "node \(node.id) holds a different entry at index \(entry.index) term \(entry.term)")
                }
                if let knownPrevious = known.previousTerm, let previousTerm, knownPrevious != previousTerm {
                    fail("log matching", "node \(node.id): entry \(entry.index)/\(entry.term) follows term \(previousTerm), elsewhere \(knownPrevious)")
                }
            } else {
                entryAt[entry.index, default: [:]][entry.term] = (payload, previousTerm)
            }
        }
    }

    /// Applied ⊆ committed, in order, and the same entry everywhere (state-machine safety).
    mutating func observeApply(_ entry: Entry, on node: NodeID, term nodeTerm: UInt64, commitIndex: UInt64, previousApplied: UInt64, digestAfter: UInt64) {
        if entry.index > commitIndex {
            fail("applied ⊆ committed", "node \(node) applied \(entry.index) with commit index \(commitIndex)")
        }
        if entry.index != previousApplied + 1 {
            fail("apply order", "node \(node) applied \(entry.index) right after \(previousApplied)")
        }
        let identity = EntryIdentity(term: entry.term, payload: Self.payload(of: entry))
        if let known = appliedAt[entry.index], known != identity {
            fail("state-machine safety", "node \(node) applied a different entry at index \(entry.index)")
        }
        appliedAt[entry.index] = identity
        observeDigest(index: entry.index, digest: digestAfter, on: node)
        if acknowledged[entry.index] == nil, entry.kind == .normal, !entry.data.isEmpty {
            acknowledged[entry.index] = (identity, nodeTerm)
            highestAcknowledged = max(highestAcknowledged, entry.index)
        }
    }

    mutating func observeDigest(index: UInt64, digest: UInt64, on node: NodeID) {
        if let known = digestAt[index], known != digest {
            fail("state-machine safety", "node \(node) reached a different state at index \(index)")
        }
        digestAt[index] = digest
    }

    /// Leader completeness (§5.4): every acknowledged write is in the log of the leader of
    /// every later term (or covered by its snapshot, whose state is checked by digest). A
    /// deposed leader that has not heard of the newer term is not held to writes of it.
    mutating func checkLeaderCompleteness(_ node: RaftNode) {
        let first = node.firstIndex
        for index in acknowledged.keys.sorted() where index >= first {
            guard let acked = acknowledged[index], acked.committedBy < node.term else { continue }
            guard let term = node.term(at: index), term == acked.identity.term else {
                fail("leader completeness", "leader \(node.id) of term \(node.term) lacks entry \(index)/\(acked.identity.term) acknowledged by term \(acked.committedBy)")
                continue
            }
        }
    }

    /// A read index must cover every write acknowledged before the read began.
    mutating func checkRead(index: UInt64, requiredAtLeast required: UInt64, on node: NodeID) {
        if index < required {
            fail("linearizable read", "node \(node) got read index \(index) but \(required) was acknowledged before the read")
        }
    }

    mutating func checkCommitMonotonic(node: NodeID, previous: UInt64, current: UInt64) {
        if current < previous {
            fail("commit monotonic", "node \(node) commit index went back from \(previous) to \(current)")
        }
    }
}
