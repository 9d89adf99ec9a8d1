/// What a node asks the managers when its role may have changed (`docker node promote` /
/// `demote`), and how it joins Raft once promoted.
package struct RoleAnswer: Codable, Sendable {
    /// The role the cluster wants for the node (`manager` or `worker`).
    var role: String
    /// Whether the node is still a Raft member in the answering manager's view.
    var member: Bool
    /// Raft member id → cluster address of the managers.
    var managers: [String: String]
    /// What to trust and who signs (nil from a manager that predates root rotation).
    var trust: ClusterTrust?
}

package struct CertificateRenewal: Codable, Sendable {
    var csrPEM: String
}

package struct CertificateAnswer: Codable, Sendable {
    var role: String
    var certificateChainPEM: String
}

package struct RaftJoinRequest: Codable, Sendable {
    var raftID: UInt64
    var advertiseAddress: String
}

/// The roots the cluster wants every node to trust and the root that now signs: what a
/// node follows through a root CA rotation (`docker swarm ca --rotate`).
package struct ClusterTrust: Codable, Sendable, Hashable {
    /// The roots to trust, as PEM: the cluster's root, plus the new one during a rotation.
    var trustBundlePEM: String
    /// The root that issues certificates now (PEM).
    var signingRootPEM: String
    /// Whether a rotation is under way: issued chains then carry the cross-signed root.
    var rotating: Bool
}
