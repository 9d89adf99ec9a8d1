/// What a rolling update or rollback does when a task fails: `pause`, `continue` or `rollback`.
public struct FailureAction: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pause: FailureAction = "pause"
    public static let `continue`: FailureAction = "continue"
    public static let rollback: FailureAction = "rollback"

    public static let knownValues: [FailureAction] = [.pause, .continue, .rollback]
}
