/// The leader's view of one follower's log (Raft §5.3 `nextIndex`/`matchIndex`), plus the
/// flow-control state etcd/raft uses to batch and pipeline safely.
struct Progress: Sendable {
    enum State: String, Sendable {
        /// We do not know where the follower's log ends: one probe at a time.
        case probe
        /// The follower is caught up enough to stream appends optimistically.
        case replicate
        /// A snapshot is on its way; appends wait.
        case snapshot
    }

    var match: UInt64 = 0
    var next: UInt64
    var state: State = .probe
    /// In probe state: a probe is outstanding, wait for its answer or a heartbeat.
    var probeSent = false
    var pendingSnapshot: UInt64 = 0
    /// Ticks since the snapshot was sent; resent if nothing is heard for an election timeout.
    var snapshotTicks = 0
    /// Heard from since the last check-quorum round.
    var recentActive = false
    var isLearner: Bool
    var inflights: Inflights

    init(next: UInt64, maxInflight: Int, isLearner: Bool) {
        self.next = next
        self.isLearner = isLearner
        self.inflights = Inflights(capacity: maxInflight)
    }

    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            next = max(match + 1, pendingSnapshot + 1)
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        pendingSnapshot = 0
        inflights.reset()
    }

    mutating func becomeReplicate() {
        state = .replicate
        probeSent = false
        pendingSnapshot = 0
        next = match + 1
        inflights.reset()
    }

    mutating func becomeSnapshot(at index: UInt64) {
        state = .snapshot
        probeSent = false
        pendingSnapshot = index
        snapshotTicks = 0
        inflights.reset()
    }

    /// The follower acknowledged entries up to `index`; false if that is old news.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// The follower rejected an append at `rejected`; move `next` back, guided by `hint`.
    /// False when the rejection is stale (an answer to an old message).
    mutating func maybeDecrease(rejected: UInt64, hint: UInt64) -> Bool {
        if state == .replicate {
            guard rejected > match else { return false }
            next = match + 1
            return true
        }
        guard next > 0, next - 1 == rejected else { return false }
        // `hint` comes from the follower: it may be anything, so avoid `hint + 1` overflowing.
        next = max(hint < rejected ? hint + 1 : rejected, match + 1)
        probeSent = false
        return true
    }

    /// Records that entries up to `last` went out in one message.
    mutating func sentEntries(last: UInt64) {
        switch state {
        case .replicate:
            next = last + 1
            inflights.add(last)
        case .probe:
            probeSent = true
        case .snapshot:
            break
        }
    }
}
