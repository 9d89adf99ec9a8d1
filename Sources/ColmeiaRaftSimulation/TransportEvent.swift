import ColmeiaRaft

/// A call the transport makes into a node on its own schedule (`RaftPeerEvents` in
/// ColmeiaNode): a peer it could not reach, the fate of a snapshot it streamed, or a leader
/// whose process it saw disappear.
enum TransportEvent {
    case unreachable(NodeID)
    case snapshotStatus(NodeID, succeeded: Bool)
    case forgetLeader(NodeID)
}
