/// When a task's container is restarted: `none`, `on-failure` or `any`.
public struct RestartCondition: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let none: RestartCondition = "none"
    public static let onFailure: RestartCondition = "on-failure"
    public static let any: RestartCondition = "any"

    public static let knownValues: [RestartCondition] = [.none, .onFailure, .any]
}
