/// The Swarm task lifecycle, in order. States only move forward, so `<` answers "has the task
/// advanced past X?":
/// new → pending → assigned → accepted → preparing → ready → starting → running →
/// complete | shutdown | failed | rejected | remove | orphaned.
public enum TaskState: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case new
    case pending
    /// Historical (SwarmKit no longer uses it); kept because Docker's API lists it.
    case allocated
    case assigned
    case accepted
    case preparing
    case ready
    case starting
    case running
    case complete
    case shutdown
    case failed
    case rejected
    case remove
    case orphaned

    /// SwarmKit's numeric value of the state; the order of the lifecycle.
    public var rank: Int {
        switch self {
        case .new: 0
        case .pending: 64
        case .allocated: 128
        case .assigned: 192
        case .accepted: 256
        case .preparing: 320
        case .ready: 384
        case .starting: 448
        case .running: 512
        case .complete: 576
        case .shutdown: 640
        case .failed: 704
        case .rejected: 768
        case .remove: 800
        case .orphaned: 832
        }
    }

    public static func < (lhs: TaskState, rhs: TaskState) -> Bool { lhs.rank < rhs.rank }

    /// Whether the task has stopped for good (complete or later).
    public var isTerminal: Bool { self >= .complete }

    /// Whether the task is at `state` or has moved past it.
    public func hasReached(_ state: TaskState) -> Bool { self >= state }
}
