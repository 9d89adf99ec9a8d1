extension RaftNode {
    /// The single entry point for every message, local or remote (etcd/raft's `Step`).
    /// Returns an error only for requests made by the local application.
    mutating func stepInternal(_ message: Message) -> RaftError? {
        var message = message
        // Term 0 marks local requests and forwarded proposals/reads, which are timeless.
        if message.term > term {
            // Term rules (Raft §5.1): follow what is newer...
            guard handleHigherTerm(message) else { return nil }
        } else if message.term != 0 && message.term < term {
            // ...and do not act on what is stale.
            handleLowerTerm(message)
            return nil
        }
        // Local messages and proposals are timeless: stamp them with our term.
        if message.term == 0 { message.term = term }

        switch message.type {
        case .localHup:
            hup(transfer: false)
            return nil
        case .vote, .preVote:
            handleVoteRequest(message)
            return nil
        default:
            break
        }
        switch role {
        case .leader: return stepLeader(message)
        case .candidate, .preCandidate: return stepCandidate(message)
        case .follower: return stepFollower(message)
        }
    }

    /// Returns false when the message must be ignored entirely.
    private mutating func handleHigherTerm(_ message: Message) -> Bool {
        if message.type == .vote || message.type == .preVote {
            let forced = message.context == Message.transferCampaignContext
            let inLease = config.checkQuorum && leader != 0 && electionElapsed < config.electionTicks
            // A node that still hears from a live leader ignores disruptive campaigns
            // (thesis §4.2.3): it neither votes nor moves to the new term.
            if !forced && inLease { return false }
        }
        switch message.type {
        case .preVote:
            // A pre-vote never changes our term.
            return true
        case .preVoteResponse where !message.reject:
            // Grants of our pre-vote carry the future term we asked about.
            return true
        case .append, .heartbeat, .snapshot:
            becomeFollower(term: message.term, leader: message.from)
        default:
            becomeFollower(term: message.term, leader: 0)
        }
        return true
    }

    private mutating func handleLowerTerm(_ message: Message) {
        if (config.checkQuorum || config.preVote) && (message.type == .heartbeat || message.type == .append) {
            // A deposed leader that kept our vote away from it (through a partition) would
            // otherwise never learn the new term; tell it (etcd/raft does the same).
            send(Message(type: .appendResponse, to: message.from))
        } else if message.type == .preVote {
            // Answer with our term so the pre-candidate learns it is behind.
            send(Message(type: .preVoteResponse, to: message.from, reject: true))
        }
    }

    private mutating func handleVoteRequest(_ message: Message) {
        let isPreVote = message.type == .preVote
        // Raft §5.2: one vote per term; we may repeat a vote, and a pre-vote for a future
        // term does not bind us.
        let canVote = vote == message.from
            || (vote == 0 && leader == 0)
            || (isPreVote && message.term > term)
        let responseType: MessageType = isPreVote ? .preVoteResponse : .voteResponse
        if canVote && log.isUpToDate(lastIndex: message.index, term: message.logTerm) {
            // Pre-vote grants use the requested term so the pre-candidate counts them.
            send(Message(type: responseType, to: message.from, term: message.term))
            if !isPreVote {
                electionElapsed = 0
                vote = message.from
            }
        } else {
            send(Message(type: responseType, to: message.from, term: term, reject: true))
        }
    }
}
