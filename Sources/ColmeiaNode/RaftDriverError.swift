import ColmeiaRaft

/// Why a proposal through a ``RaftDriver`` did not complete.
public enum RaftDriverError: Error, Sendable, CustomStringConvertible {
    /// This node cannot accept writes now (no leader, or an election is running).
    case unavailable(String)
    /// The driver was stopped before the proposal was applied.
    case stopped
    /// Disk or state-machine failure: the node refuses writes until it can reopen its log.
    case failed(String)
    /// The entry was committed, but applying it threw.
    case applyFailed(String)
    /// Raft refused the request as it stands (a membership change that makes no sense now).
    case rejected(String)
    /// The write was handed to the leader, and whether it committed is not known: it may
    /// still be applied. Never reported for a write known to have failed.
    case outcomeUnknown(String)

    public var description: String {
        switch self {
        case .unavailable(let why):
            return "The swarm does not have a leader. It's possible that too few managers are online. "
                + "Make sure more than half of the managers are online. (\(why))"
        case .stopped: return "the node is shutting down"
        case .failed(let why):
            return "this manager cannot write to its disk, so it refuses writes until it can again (it retries by itself): \(why)"
        case .applyFailed(let why): return "applying the committed entry failed: \(why)"
        case .rejected(let why): return why
        case .outcomeUnknown(let why):
            return "the outcome of the write is unknown: \(why). It may still be applied: "
                + "check before retrying, or retry with the same Idempotency-Key"
        }
    }
}
