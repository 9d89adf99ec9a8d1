/// The kinds of ``Message`` Raft nodes exchange; the `local…` kinds never leave a node.
public enum MessageType: UInt8, Sendable, Hashable, CaseIterable {
    /// Local: the election timer fired; start a (pre-)campaign.
    case localHup = 0
    /// Local: the heartbeat timer fired on a leader.
    case localBeat = 1
    /// A client proposal, forwarded from a follower to the leader.
    case propose = 2
    case append = 3
    case appendResponse = 4
    case vote = 5
    case voteResponse = 6
    case preVote = 7
    case preVoteResponse = 8
    case snapshot = 9
    case heartbeat = 10
    case heartbeatResponse = 11
    /// Local: the transport could not reach a peer.
    case localUnreachable = 12
    /// Local: the transport finished (or failed) sending a snapshot.
    case localSnapshotStatus = 13
    /// Local on the leader, or forwarded from a follower: move leadership to `from`.
    case transferLeader = 14
    /// Tells the transfer target to campaign at once.
    case timeoutNow = 15
    case readIndex = 16
    case readIndexResponse = 17

    /// Whether this message type is only ever created inside a node.
    public var isLocal: Bool {
        switch self {
        case .localHup, .localBeat, .localUnreachable, .localSnapshotStatus: return true
        default: return false
        }
    }

    /// Whether this is the response to a (pre-)vote request.
    var isVoteResponse: Bool { self == .voteResponse || self == .preVoteResponse }
}
