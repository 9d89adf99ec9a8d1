/// The state of a service's rolling update or rollback.
public struct UpdateState: OpenStringEnum {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let updating: UpdateState = "updating"
    public static let paused: UpdateState = "paused"
    public static let completed: UpdateState = "completed"
    public static let rollbackStarted: UpdateState = "rollback_started"
    public static let rollbackPaused: UpdateState = "rollback_paused"
    public static let rollbackCompleted: UpdateState = "rollback_completed"

    public static let knownValues: [UpdateState] = [.updating, .paused, .completed, .rollbackStarted, .rollbackPaused, .rollbackCompleted]
}
