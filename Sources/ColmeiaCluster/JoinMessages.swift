import ColmeiaModel

/// The body of `POST /swarm/join` (what `docker swarm join` sends).
package struct SwarmJoinRequest: Decodable, Sendable {
    var listenAddr: String?
    var advertiseAddr: String?
    var remoteAddrs: [String]?
    var joinToken: String?
    var availability: String?

    enum CodingKeys: String, CodingKey {
        case listenAddr = "ListenAddr"
        case advertiseAddr = "AdvertiseAddr"
        case remoteAddrs = "RemoteAddrs"
        case joinToken = "JoinToken"
        case availability = "Availability"
    }
}

/// What a joining node sends a manager's cluster port (`POST /join`): its token, a CSR for
/// the key it generated, and how to reach it.
package struct JoinApplication: Codable, Sendable {
    var token: String
    var csrPEM: String
    var advertiseAddress: String
    var availability: String?
    var description: NodeDescription
}

/// The manager's answer: the node's identity, its certificate, and the managers it can
/// reach (Raft member id → cluster address).
package struct JoinAdmission: Codable, Sendable {
    var nodeID: String
    var raftID: UInt64
    var role: String
    var clusterID: String
    var certificateChainPEM: String
    var caCertificatePEM: String
    var managers: [String: String]

    /// JSON objects need string keys: Raft member ids travel in decimal.
    static func wire(_ book: [UInt64: String]) -> [String: String] {
        Dictionary(book.map { (String($0.key), $0.value) }, uniquingKeysWith: { $1 })
    }

    static func addressBook(_ wire: [String: String]) -> [UInt64: String] {
        Dictionary(wire.compactMap { key, value in UInt64(key).map { ($0, value) } }, uniquingKeysWith: { $1 })
    }
}
