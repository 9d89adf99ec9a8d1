import ColmeiaModel

/// One command a reconcile pass wants proposed.
public struct PlannedCommand: Sendable, Hashable {
    /// The reconciler that made it (`orchestrator`, `scheduler`, `reaper`), for the audit trail.
    public var reconciler: String
    public var preconditions: [Precondition]
    public var events: [ClusterEvent]
}

/// What a reconcile pass decided: commands to propose, and when to look again if nothing
/// changes before then (a restart delay, an update delay or a monitor period ends).
public struct ReconcilePlan: Sendable, Hashable {
    public var commands: [PlannedCommand] = []
    public var wakeAt: Timestamp?

    mutating func wake(at time: Timestamp) {
        wakeAt = Updater.earliest(wakeAt, time)
    }

    /// Appends `events` as commands of at most `chunk` events each, all sharing the
    /// preconditions; `trailing` events go in the last one (they may invalidate the
    /// preconditions of later chunks, e.g. a service update bumps its version).
    mutating func add(_ events: [ClusterEvent], trailing: [ClusterEvent] = [], reconciler: String,
                      preconditions: [Precondition] = [], chunk: Int = 1_000) {
        guard !events.isEmpty || !trailing.isEmpty else { return }
        var start = 0
        repeat {
            let end = min(events.count, start + chunk)
            var batch = Array(events[start..<end])
            if end == events.count { batch += trailing }
            commands.append(PlannedCommand(reconciler: reconciler, preconditions: preconditions, events: batch))
            start = end
        } while start < events.count
    }
}
