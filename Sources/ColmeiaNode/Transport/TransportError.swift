import ColmeiaRaft

/// Why a message could not reach a peer.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    case unknownPeer(NodeID)
    case refused(peer: String, status: Int)

    public var description: String {
        switch self {
        case .unknownPeer(let peer): "no address is known for raft member \(String(peer, radix: 16))"
        case .refused(let peer, let status): "\(peer) refused the raft messages (HTTP \(status))"
        }
    }
}
