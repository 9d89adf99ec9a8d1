extension RaftNode {
    /// Whether there is anything for the application to persist, send, or apply.
    public var hasReady: Bool {
        softState != previousSoftState
            || hardState != previousHardState
            || log.pendingSnapshot != nil
            || !log.unstableEntries.isEmpty
            || log.hasNextCommittedEntries
            || !outbox.isEmpty
            || !readStates.isEmpty
    }

    /// Collects the pending work. Messages and read states are handed over now; entries,
    /// snapshot and applied progress are acknowledged by ``advance(_:)``.
    public mutating func ready() -> Ready {
        var ready = Ready()
        let soft = softState
        if soft != previousSoftState { ready.softState = soft }
        let hard = hardState
        if hard != previousHardState {
            ready.hardState = hard
            ready.hardStateNeedsSync = hard.term != previousHardState.term || hard.vote != previousHardState.vote
        }
        ready.snapshot = log.pendingSnapshot
        ready.entries = log.unstableEntries
        ready.committedEntries = log.nextCommittedEntries(maxBytes: config.maxCommittedBytesPerReady)
        if let last = ready.committedEntries.last { log.markApplying(last.index) }
        ready.messages = outbox
        outbox = []
        ready.readStates = readStates
        readStates = []
        return ready
    }

    /// Acknowledges that everything in `ready` was persisted, sent and applied.
    public mutating func advance(_ ready: Ready) {
        if let soft = ready.softState { previousSoftState = soft }
        if let hard = ready.hardState { previousHardState = hard }
        if let snapshot = ready.snapshot {
            log.markSnapshotInstalled(snapshot.metadata)
        }
        if let last = ready.entries.last {
            log.markStable(index: last.index, term: last.term)
        }
        for entry in ready.committedEntries {
            log.markApplied(entry.index)
            if entry.kind == .confChange, let change = ConfChange(encoded: entry.data) {
                applyConfChange(change)
            }
        }
    }

    /// Membership changes take effect when their entry is applied (etcd/raft's choice);
    /// `pendingConfIndex` keeps at most one in flight, which keeps single-server changes safe.
    private mutating func applyConfChange(_ change: ConfChange) {
        guard tracker.apply(change) else { return }
        tracker.syncProgress(lastIndex: log.lastIndex)
        if leadTransferee != 0 && !tracker.isVoter(leadTransferee) { leadTransferee = 0 }
        guard role == .leader else { return }
        if !tracker.isVoter(id) {
            // A leader that is no longer a voter cannot count itself; let the remaining
            // voters elect a leader among themselves.
            becomeFollower(term: term, leader: 0)
            return
        }
        // The quorum changed: entries may now be committed, and newcomers need the log.
        if maybeCommit() {
            broadcastAppend()
        } else {
            for peer in tracker.progress.keys.sorted() where peer != id {
                sendAppend(to: peer, sendIfEmpty: false)
            }
        }
    }
}
