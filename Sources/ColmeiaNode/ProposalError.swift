import ColmeiaModel

/// Why a command proposed through a ``ClusterNode`` did not apply.
public enum ProposalError: Error, Sendable, CustomStringConvertible {
    /// The command carries an invalid spec (Docker answers 400 with this message).
    case invalid(ValidationError)
    /// Replication failed (no leader, shutting down, storage failure).
    case replication(RaftDriverError)

    public var description: String {
        switch self {
        case .invalid(let error): return "\(error.field): \(error.message)"
        case .replication(let error): return error.description
        }
    }
}
