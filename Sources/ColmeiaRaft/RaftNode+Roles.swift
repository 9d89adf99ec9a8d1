extension RaftNode {
    mutating func reset(term newTerm: UInt64) {
        if term != newTerm {
            term = newTerm
            vote = 0
        }
        leader = 0
        electionElapsed = 0
        heartbeatElapsed = 0
        quickCampaignTicksLeft = 0
        resetRandomizedElectionTimeout()
        leadTransferee = 0
        tracker.resetVotes()
        tracker.resetProgress(lastIndex: log.lastIndex, selfID: id)
        pendingConfIndex = 0
        readIndexQueue.reset()
        deferredReadIndex = []
    }

    mutating func resetRandomizedElectionTimeout() {
        let base = config.electionTicks
        randomizedElectionTimeout = base + Int(random.next() % UInt64(base))
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        reset(term: newTerm)
        leader = newLeader
        role = .follower
    }

    mutating func becomePreCandidate() {
        // Deliberately keeps term and vote: a pre-campaign must be invisible if it fails.
        tracker.resetVotes()
        leader = 0
        role = .preCandidate
    }

    mutating func becomeCandidate() {
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    mutating func becomeLeader() {
        reset(term: term)
        leader = id
        role = .leader
        // Entries from earlier terms may hide an unapplied membership change; forbid a new
        // one until everything up to the current tail is applied (the fix for the
        // single-server change bug described on the raft-dev list, 2015).
        pendingConfIndex = log.lastIndex
        // Commit an entry of our own term (Raft §5.4.2, §8): only then is our commit index
        // known to be current and earlier entries committed.
        appendEntries([Entry(term: 0, index: 0)])
    }

    /// The election timer fired or the application asked for a campaign.
    mutating func hup(transfer: Bool) {
        guard role != .leader else { return }
        guard isPromotable() else { return }
        // A committed but unapplied membership change could mean we campaign under the
        // wrong configuration.
        if hasUnappliedConfChange() { return }
        if config.preVote && !transfer {
            campaign(preVote: true, transfer: false)
        } else {
            campaign(preVote: false, transfer: transfer)
        }
    }

    private func hasUnappliedConfChange() -> Bool {
        guard log.committed > log.applied else { return false }
        let from = max(log.applied + 1, log.firstIndex)
        return log.entries(from: from, maxBytes: .max)?.contains { $0.index <= log.committed && $0.kind == .confChange } ?? false
    }

    mutating func campaign(preVote: Bool, transfer: Bool) {
        let requestType: MessageType
        let campaignTerm: UInt64
        if preVote {
            becomePreCandidate()
            requestType = .preVote
            // Ask about the term we would use, without moving to it.
            campaignTerm = term + 1
        } else {
            becomeCandidate()
            requestType = .vote
            campaignTerm = term
        }
        if tracker.recordVote(from: id, granted: true) == .won {
            // A single-voter cluster wins at once.
            if preVote { campaign(preVote: false, transfer: transfer) } else { becomeLeader() }
            return
        }
        for voter in tracker.voters.sorted() where voter != id {
            send(Message(type: requestType, to: voter, term: campaignTerm, logTerm: log.lastTerm,
                         index: log.lastIndex, context: transfer ? Message.transferCampaignContext : []))
        }
    }

    mutating func tickElection() {
        electionElapsed += 1
        if quickCampaignTicksLeft > 0 { quickCampaignTicksLeft -= 1 }
        let retryPreVote = role == .preCandidate && quickCampaignTicksLeft > 0 && electionElapsed >= Self.quickPreVoteInterval
        if isPromotable() && (retryPreVote || electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0
            hup(transfer: false)
        }
    }

    mutating func tickHeartbeat() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= config.electionTicks {
            electionElapsed = 0
            if config.checkQuorum && !tracker.quorumActive(selfID: id) {
                // Thesis §6.2: a leader cut off from a majority steps down so clients
                // look for the real leader instead of waiting on this one.
                becomeFollower(term: term, leader: 0)
                return
            }
            // A transfer that did not finish within an election timeout is abandoned.
            leadTransferee = 0
        }
        for (peer, progress) in tracker.progress where progress.state == .snapshot {
            // Snapshots can be lost like any message; resend after an election timeout.
            tracker.progress[peer]?.snapshotTicks += 1
            if progress.snapshotTicks + 1 >= config.electionTicks {
                tracker.progress[peer]?.becomeProbe()
            }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }
}
