/// The membership of the cluster: voters decide elections and commits,
/// learners only receive the log.
public struct ConfState: Sendable, Hashable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters.sorted()
        self.learners = learners.sorted()
    }

    public func contains(_ id: NodeID) -> Bool { voters.contains(id) || learners.contains(id) }
}
