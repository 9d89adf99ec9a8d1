import ColmeiaRaft
import Synchronization

/// Where each Raft member listens (`IP:PORT` of its cluster port), learned from the join
/// answer and then from the manager nodes in the store.
public final class PeerAddressBook: Sendable {
    private let addresses = Mutex<[NodeID: String]>([:])

    public init(_ initial: [NodeID: String] = [:]) {
        addresses.withLock { $0 = initial }
    }

    public func address(of peer: NodeID) -> String? { addresses.withLock { $0[peer] } }

    public func set(_ address: String, for peer: NodeID) { addresses.withLock { $0[peer] = address } }

    public func merge(_ known: [NodeID: String]) {
        addresses.withLock { $0.merge(known) { _, new in new } }
    }

    public var all: [NodeID: String] { addresses.withLock { $0 } }
}
