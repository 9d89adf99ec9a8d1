/// A bug the simulation harness can plant on purpose, to show that the sweep and the
/// ``SafetyChecker`` catch it. Each is a misbehaviour of the harness around an unmodified
/// `RaftNode` (a raised commit index, a rewritten append, a reordered apply, a skipped
/// fsync); ColmeiaRaft itself has no bug switches. Diagnostic only: `raft-sim --plant <bug>`
/// and the tests use it.
public enum PlantedBug: String, CaseIterable, Sendable, Hashable {
    /// Commit without a quorum: the harness raises the commit index an append carries to the
    /// append's last entry, so the receiver commits (and applies) entries no quorum is known
    /// to hold.
    case commitWithoutQuorum = "commit-without-quorum"
    /// Skip the log-matching check: the harness rewrites an append's `(index, logTerm)` to
    /// whatever the receiver holds at that index, so it accepts entries after a divergent prefix.
    case skipLogMatching = "skip-log-matching"
    /// Apply out of order: the harness applies the first two committed entries of a `Ready`
    /// swapped.
    case applyOutOfOrder = "apply-out-of-order"
    /// Acknowledge before fsync: the harness sends a `Ready`'s messages (votes, append
    /// acknowledgements) before writing, and never fsyncs, so a crash loses what was promised.
    case acknowledgeBeforeFsync = "ack-before-fsync"

    /// The properties whose violation reveals this bug (the checker names one of them first).
    public var revealedBy: Set<String> {
        switch self {
        case .commitWithoutQuorum: return ["leader completeness", "state-machine safety", "linearizable read"]
        case .skipLogMatching: return ["log matching", "state-machine safety", "leader completeness"]
        case .applyOutOfOrder: return ["apply order"]
        case .acknowledgeBeforeFsync:
            return ["election safety", "leader completeness", "state-machine safety", "log matching"]
        }
    }
}
