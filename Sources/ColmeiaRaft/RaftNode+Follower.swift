extension RaftNode {
    mutating func stepFollower(_ message: Message) -> RaftError? {
        switch message.type {
        case .propose:
            guard leader != 0 else { return .proposalDropped(reason: "no leader is known") }
            var forwarded = message
            forwarded.to = leader
            forwarded.term = 0
            send(forwarded)
        case .append:
            electionElapsed = 0
            leader = message.from
            handleAppend(message)
        case .heartbeat:
            electionElapsed = 0
            leader = message.from
            handleHeartbeat(message)
        case .snapshot:
            electionElapsed = 0
            leader = message.from
            handleSnapshot(message)
        case .transferLeader:
            guard leader != 0 else { return nil }
            var forwarded = message
            forwarded.to = leader
            forwarded.term = 0
            send(forwarded)
        case .timeoutNow:
            // The leader hands over: campaign now, skipping pre-vote (thesis §3.10).
            hup(transfer: true)
        case .readIndex:
            guard leader != 0 else { return .proposalDropped(reason: "no leader is known to confirm a read") }
            var forwarded = message
            forwarded.to = leader
            forwarded.term = 0
            send(forwarded)
        case .readIndexResponse:
            guard message.from == leader else { return nil }
            readStates.append(ReadState(index: message.index, context: message.context))
        default:
            break
        }
        return nil
    }

    mutating func stepCandidate(_ message: Message) -> RaftError? {
        switch message.type {
        case .propose:
            return .proposalDropped(reason: "an election is in progress")
        case .readIndex:
            return .proposalDropped(reason: "an election is in progress")
        case .append:
            becomeFollower(term: message.term, leader: message.from)
            handleAppend(message)
        case .heartbeat:
            becomeFollower(term: message.term, leader: message.from)
            handleHeartbeat(message)
        case .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            handleSnapshot(message)
        case .preVoteResponse where role == .preCandidate, .voteResponse where role == .candidate:
            switch tracker.recordVote(from: message.from, granted: !message.reject) {
            case .won:
                if role == .preCandidate {
                    campaign(preVote: false, transfer: false)
                } else {
                    becomeLeader()
                    broadcastAppend()
                }
            case .lost:
                // Rejected by a majority: wait for the next timeout (a rejection's higher
                // term, if any, was already adopted).
                becomeFollower(term: term, leader: 0)
            case .pending:
                break
            }
        default:
            break
        }
        return nil
    }

    // MARK: Receiving the log

    private mutating func handleAppend(_ message: Message) {
        if message.index < log.committed {
            // Already have (and committed) everything up to there.
            send(Message(type: .appendResponse, to: message.from, index: log.committed))
            return
        }
        switch log.maybeAppend(prevIndex: message.index, prevTerm: message.logTerm,
                               leaderCommit: message.commit, incoming: message.entries) {
        case .accepted(let lastNewIndex):
            send(Message(type: .appendResponse, to: message.from, index: lastNewIndex))
        case .mismatch:
            // §5.3: reject, and hint at the highest index that might match.
            let hintIndex = log.findConflictByTerm(index: min(message.index, log.lastIndex), term: message.logTerm)
            send(Message(type: .appendResponse, to: message.from, logTerm: log.term(at: hintIndex) ?? 0,
                         index: message.index, reject: true, rejectHint: hintIndex))
        case .conflictsWithCommitted:
            // A leader may never ask us to drop committed entries; ignore it.
            break
        }
    }

    private mutating func handleHeartbeat(_ message: Message) {
        log.commit(to: message.commit)
        send(Message(type: .heartbeatResponse, to: message.from, context: message.context))
    }

    private mutating func handleSnapshot(_ message: Message) {
        // `Message.isWellFormed` already vouched for the snapshot's shape.
        guard let snapshot = message.snapshot else { return }
        if restore(snapshot) {
            send(Message(type: .appendResponse, to: message.from, index: log.lastIndex))
        } else {
            send(Message(type: .appendResponse, to: message.from, index: log.committed))
        }
    }

    /// Installs a leader's snapshot (§7) unless our log already covers it.
    private mutating func restore(_ snapshot: Snapshot) -> Bool {
        let metadata = snapshot.metadata
        guard metadata.index > log.committed else { return false }
        if log.matchTerm(metadata.index, metadata.term) {
            // We hold the entry the snapshot ends with, so everything before it matches:
            // just fast-forward the commit index.
            log.commit(to: metadata.index)
            return false
        }
        log.restore(snapshot)
        tracker.setConfiguration(metadata.confState)
        tracker.syncProgress(lastIndex: log.lastIndex)
        return true
    }
}
