/// The current membership and, on a leader, the progress of every member; also tallies
/// votes. Quorum is always a majority of the *voters* of the current configuration.
struct ProgressTracker: Sendable {
    private(set) var voters: Set<NodeID> = []
    private(set) var learners: Set<NodeID> = []
    var progress: [NodeID: Progress] = [:]
    private(set) var votes: [NodeID: Bool] = [:]
    let maxInflight: Int

    init(maxInflight: Int) {
        self.maxInflight = maxInflight
    }

    var confState: ConfState { ConfState(voters: Array(voters), learners: Array(learners)) }

    var quorum: Int { voters.count / 2 + 1 }

    var members: Set<NodeID> { voters.union(learners) }

    func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }

    mutating func setConfiguration(_ state: ConfState) {
        voters = Set(state.voters)
        learners = Set(state.learners).subtracting(voters)
    }

    /// Applies one membership change; returns false when it changes nothing.
    @discardableResult
    mutating func apply(_ change: ConfChange) -> Bool {
        let id = change.nodeID
        guard id != 0 else { return false }
        switch change.kind {
        case .addNode:
            guard !voters.contains(id) else { return false }
            learners.remove(id)
            voters.insert(id)
        case .addLearner:
            guard !learners.contains(id) else { return false }
            voters.remove(id)
            learners.insert(id)
        case .removeNode:
            guard members.contains(id) else { return false }
            voters.remove(id)
            learners.remove(id)
        }
        return true
    }

    /// Fresh progress for every member (a new leader, Raft §5.3: nextIndex = last + 1).
    mutating func resetProgress(lastIndex: UInt64, selfID: NodeID) {
        progress = [:]
        for id in members {
            var entry = Progress(next: lastIndex + 1, maxInflight: maxInflight, isLearner: learners.contains(id))
            if id == selfID {
                entry.match = lastIndex
                entry.recentActive = true
            }
            progress[id] = entry
        }
    }

    /// Keeps progress in line with a changed membership: new members start probing.
    mutating func syncProgress(lastIndex: UInt64) {
        for id in progress.keys where !members.contains(id) { progress[id] = nil }
        for id in members {
            if progress[id] == nil {
                var entry = Progress(next: lastIndex + 1, maxInflight: maxInflight, isLearner: learners.contains(id))
                // A newcomer gets the benefit of the doubt so it can be sent a snapshot.
                entry.recentActive = true
                progress[id] = entry
            } else {
                progress[id]?.isLearner = learners.contains(id)
            }
        }
    }

    /// The highest index replicated on a majority of voters.
    func committedIndex() -> UInt64 {
        guard !voters.isEmpty else { return 0 }
        let matches = voters.map { progress[$0]?.match ?? 0 }.sorted(by: >)
        return matches[quorum - 1]
    }

    /// Check-quorum: whether a majority of voters was heard from since the last round.
    /// Clears the activity marks for the next round (except `selfID`'s).
    mutating func quorumActive(selfID: NodeID) -> Bool {
        var active = 0
        for id in voters where id == selfID || progress[id]?.recentActive == true {
            active += 1
        }
        for id in progress.keys where id != selfID { progress[id]?.recentActive = false }
        return active >= quorum
    }

    enum VoteResult { case pending, won, lost }

    mutating func resetVotes() { votes = [:] }

    /// Records `id`'s vote (only the first one counts) and tallies the election.
    mutating func recordVote(from id: NodeID, granted: Bool) -> VoteResult {
        if voters.contains(id), votes[id] == nil { votes[id] = granted }
        return tally()
    }

    func tally() -> VoteResult {
        var granted = 0
        var rejected = 0
        for (id, vote) in votes where voters.contains(id) {
            if vote { granted += 1 } else { rejected += 1 }
        }
        if granted >= quorum { return .won }
        if voters.count - rejected < quorum { return .lost }
        return .pending
    }

    /// Whether the acknowledgements in `acks` (plus our own) form a majority of voters.
    func hasQuorum(_ acks: Set<NodeID>) -> Bool {
        acks.intersection(voters).count >= quorum
    }
}
