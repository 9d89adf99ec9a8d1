/// Why Raft refused a request from the local application.
public enum RaftError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No leader is known, or this node is not able to take the proposal now.
    case proposalDropped(reason: String)
    /// A membership change is already in flight; only one may be pending at a time.
    case confChangePending(index: UInt64)
    /// The conf change makes no sense for the current membership.
    case invalidConfChange(String)
    /// A snapshot request refers to an index that is not applied or already compacted.
    case snapshotOutOfDate(requested: UInt64, current: UInt64)
    case snapshotIndexNotApplied(requested: UInt64, applied: UInt64)
    /// A snapshot built at `index` names a term the log does not hold there.
    case snapshotTermMismatch(index: UInt64, requested: UInt64, actual: UInt64)
    /// A snapshot built at `index` carries a membership that is not the one in force there
    /// (a membership change was applied after it was started); build it again.
    case snapshotMembershipChanged(index: UInt64)
    /// The configuration given to ``RaftNode/init(config:restoring:)`` is unusable.
    case invalidConfig(String)
    /// The restored state contradicts itself (for example a commit index past the log).
    case corruptState(String)

    public var description: String {
        switch self {
        case .proposalDropped(let reason): return "raft proposal dropped: \(reason)"
        case .confChangePending(let index):
            return "a membership change is already pending (log index \(index)); wait until it is applied"
        case .invalidConfChange(let why): return "invalid membership change: \(why)"
        case .snapshotOutOfDate(let requested, let current):
            return "requested snapshot at index \(requested) is older than the existing snapshot at \(current)"
        case .snapshotIndexNotApplied(let requested, let applied):
            return "requested snapshot at index \(requested) is beyond the applied index \(applied)"
        case .snapshotTermMismatch(let index, let requested, let actual):
            return "a snapshot at index \(index) names term \(requested), but the log holds term \(actual) there"
        case .snapshotMembershipChanged(let index):
            return "the membership changed after index \(index): a snapshot there must be built again"
        case .invalidConfig(let why): return "invalid raft configuration: \(why)"
        case .corruptState(let why): return "inconsistent raft state: \(why)"
        }
    }
}
