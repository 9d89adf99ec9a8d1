/// A node's health as seen by the dispatcher: `unknown`, `down`, `ready` or `disconnected`.
public struct NodeState: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let unknown: NodeState = "unknown"
    public static let down: NodeState = "down"
    public static let ready: NodeState = "ready"
    public static let disconnected: NodeState = "disconnected"

    public static let knownValues: [NodeState] = [.unknown, .down, .ready, .disconnected]
}
