/// The role a node certificate grants, carried in the certificate's OU as SwarmKit does.
public enum NodeRole: String, Sendable, Hashable, CaseIterable {
    /// A manager: takes part in Raft and may sign certificates.
    case manager = "swarm-manager"
    /// A worker: runs tasks only.
    case worker = "swarm-worker"

    /// The OU string in the certificate subject (`swarm-manager` / `swarm-worker`).
    public var organizationalUnit: String { rawValue }

    /// The role whose OU string is `organizationalUnit`, if any.
    public init?(organizationalUnit: String) {
        self.init(rawValue: organizationalUnit)
    }
}
