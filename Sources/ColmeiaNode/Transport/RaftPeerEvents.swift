import ColmeiaRaft

/// What the transport tells the Raft node about its peers.
public protocol RaftPeerEvents: AnyObject, Sendable {
    func reportUnreachable(_ peer: NodeID)
    func reportSnapshot(to peer: NodeID, succeeded: Bool)
    func forgetLeader(_ peer: NodeID)
    var status: RaftDriverStatus { get }
}

extension RaftDriver: RaftPeerEvents {}
