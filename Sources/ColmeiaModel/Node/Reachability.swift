/// A manager's reachability in the Raft cluster: `unknown`, `unreachable` or `reachable`.
public struct Reachability: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let unknown: Reachability = "unknown"
    public static let unreachable: Reachability = "unreachable"
    public static let reachable: Reachability = "reachable"

    public static let knownValues: [Reachability] = [.unknown, .unreachable, .reachable]
}
