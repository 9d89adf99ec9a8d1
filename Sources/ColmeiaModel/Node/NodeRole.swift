/// The role of a node: `worker` or `manager` (Docker's `NodeSpec.Role`).
public struct NodeRole: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let worker: NodeRole = "worker"
    public static let manager: NodeRole = "manager"

    public static let knownValues: [NodeRole] = [.worker, .manager]
}
