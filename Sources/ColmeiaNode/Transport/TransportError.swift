import ColmeiaRaft

/// Why a message could not reach a peer.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case unknownPeer(NodeID)
    case refused(peer: String, status: Int)
    /// A snapshot chunk whose offset or sizes cannot be right.
    case badSnapshotChunk(String)
    /// The receiver kept asking for a different part of a snapshot.
    case snapshotOutOfStep(peer: String)

    public var description: String {
        switch self {
        case .unknownPeer(let peer): "no address is known for raft member \(String(peer, radix: 16))"
        case .refused(let peer, let status): "\(peer) refused the raft messages (HTTP \(status))"
        case .badSnapshotChunk(let reason): "malformed snapshot chunk: \(reason)"
        case .snapshotOutOfStep(let peer): "\(peer) kept asking for another part of the snapshot"
        }
    }
}
