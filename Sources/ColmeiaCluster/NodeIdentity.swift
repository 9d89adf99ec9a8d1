import Foundation

/// Who this node is, kept in `<data-dir>/node-identity.json` once it joined a swarm.
package struct NodeIdentity: Codable, Sendable, Hashable {
    /// The Docker-style node id (25 base-36 characters).
    package var nodeID: String
    /// The Raft member id.
    var raftID: UInt64
    /// The address other nodes reach this one at (`AdvertiseAddr`).
    package var advertiseAddress: String
    /// Where the cluster port listens (`ListenAddr`); nil for identities written before
    /// the cluster port existed, which listen on the advertised address.
    var listenAddress: String?
    /// `manager` or `worker`; nil (older identities) means manager.
    var role: String?

    /// A worker's managers (cluster addresses), as the join answer listed them.
    package var knownManagers: [String]?

    package var isManager: Bool { role != "worker" }
    var clusterListenAddress: String { listenAddress ?? advertiseAddress }

    static func load(from directory: String) throws -> NodeIdentity? {
        let path = directory + "/node-identity.json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(NodeIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Written atomically: a crash leaves the old file or the new one.
    func save(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: directory + "/node-identity.json"), options: .atomic)
    }
}
