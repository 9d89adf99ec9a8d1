import ColmeiaRaft

/// Whether a peer manager may send a Raft message under a given `from`: a manager speaks
/// only for itself. The peer is known by the node id of the certificate it presented at
/// the handshake; the Raft id of each manager is in the replicated state
/// (`ManagerStatus`'s `RaftID`).
struct RaftSenderCheck: Sendable, Equatable {
    /// Raft member id → node id, of every manager the local store knows.
    var members: [UInt64: String]

    init(members: [UInt64: String]) {
        self.members = members
    }

    /// The first of `messages` that `peer` may not send, if any.
    func forged(_ messages: [Message], by peer: String) -> Message? {
        messages.first { !allows(peer, toClaim: $0.from) }
    }

    /// A known Raft id belongs to one node only; a peer the store knows as a member speaks
    /// only under its own Raft id. When neither the id nor the peer is known (this store is
    /// still catching up, or the peer joined a moment ago) the certificate alone decides,
    /// as it does for the other cluster-port routes.
    func allows(_ peer: String, toClaim raftID: UInt64) -> Bool {
        if let owner = members[raftID] { return owner == peer }
        return !members.values.contains(peer)
    }
}
