import ColmeiaModel
import ColmeiaStore

/// Something that replicates a command and reports how apply judged it: the manager's
/// Raft node. Reconcilers propose through the same path as the API.
public protocol CommandProposer: Sendable {
    func propose(_ command: ClusterCommand) async throws -> ApplyOutcome
}
