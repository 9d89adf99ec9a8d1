/// The state a node must persist before it sends any message that depends on it
/// (Raft §5.1 "persistent state on all servers"), plus the commit index so a restart
/// can re-apply without waiting for a leader.
public struct HardState: Sendable, Hashable {
    public var term: UInt64
    /// The candidate this node voted for in `term`, or 0.
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = 0, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var isEmpty: Bool { term == 0 && vote == 0 && commit == 0 }
}
