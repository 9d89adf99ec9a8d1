import Synchronization

/// Peer identities already read from their certificates: a manager sends Raft messages many
/// times a second over connections whose certificate does not change, and parsing it for
/// each one cost every hop between managers. Keyed by the certificate's DER, so a renewed
/// certificate is parsed afresh; bounded, as the number of peers is.
enum PeerIdentityCache {
    private static let identities = Mutex<[[UInt8]: PeerIdentity]>([:])
    private static let capacity = 256

    static func identity(der: [UInt8]) throws -> PeerIdentity {
        if let known = identities.withLock({ $0[der] }) { return known }
        let identity = try ClusterPKI.peerIdentity(der: der)
        identities.withLock { identities in
            if identities.count >= capacity { identities.removeAll() }
            identities[der] = identity
        }
        return identity
    }
}
