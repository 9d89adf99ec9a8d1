/// What a node asks the managers when its role may have changed (`docker node promote` /
/// `demote`), and how it joins Raft once promoted.
struct RoleAnswer: Codable, Sendable {
    /// The role the cluster wants for the node (`manager` or `worker`).
    var role: String
    /// Whether the node is still a Raft member in the answering manager's view.
    var member: Bool
    /// Raft member id → cluster address of the managers.
    var managers: [String: String]
}

struct CertificateRenewal: Codable, Sendable {
    var csrPEM: String
}

struct CertificateAnswer: Codable, Sendable {
    var role: String
    var certificateChainPEM: String
}

struct RaftJoinRequest: Codable, Sendable {
    var raftID: UInt64
    var advertiseAddress: String
}
