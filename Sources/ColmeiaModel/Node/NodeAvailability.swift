/// Whether the scheduler may place tasks on a node: `active`, `pause` or `drain`.
public struct NodeAvailability: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepts new tasks.
    public static let active: NodeAvailability = "active"
    /// Keeps its tasks, accepts no new ones.
    public static let pause: NodeAvailability = "pause"
    /// Its tasks are moved elsewhere.
    public static let drain: NodeAvailability = "drain"

    public static let knownValues: [NodeAvailability] = [.active, .pause, .drain]
}
