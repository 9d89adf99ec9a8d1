import Foundation

/// When each stage of one log entry happened on one manager: the per-stage trace of a write
/// (`GET /colmeia/v1/trace`, `colmeia-cluster-bench trace`). Times are wall-clock
/// nanoseconds (`CLOCK_REALTIME`), so that the managers of one machine can be compared;
/// a stage this manager did not go through is nil.
public struct WriteStages: Codable, Sendable, Hashable {
    public var index: UInt64
    /// The proposer: the API handed the write to this manager's Raft driver.
    public var queued: UInt64?
    /// The proposer: the driver thread gave it to Raft (a follower forwards it to the leader).
    public var proposed: UInt64?
    /// A follower: the leader's append carrying it arrived.
    public var received: UInt64?
    /// In this manager's log, about to be written to its WAL.
    public var appended: UInt64?
    /// Written to the WAL and fsynced.
    public var persisted: UInt64?
    /// The leader: appends carrying it handed to the transport.
    public var sent: UInt64?
    /// This manager learned that it committed.
    public var committed: UInt64?
    /// Applied to this manager's read models.
    public var applied: UInt64?
    /// The proposer: the waiting writer was answered.
    public var answered: UInt64?

    public init(index: UInt64) { self.index = index }

    enum Stage {
        case received, appended, persisted, sent, committed, applied
    }

    mutating func set(_ stage: Stage, _ time: UInt64) {
        switch stage {
        case .received: received = received ?? time
        case .appended: appended = appended ?? time
        case .persisted: persisted = persisted ?? time
        case .sent: sent = sent ?? time
        case .committed: committed = committed ?? time
        case .applied: applied = applied ?? time
        }
    }

    /// Now, as the stages count it.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
