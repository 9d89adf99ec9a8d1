import ColmeiaModel

extension SwarmTask {
    /// When the task ended (its last status report), for restart delays and windows.
    var endedAt: Timestamp { status.timestamp }

    /// When the task started running, if it is running now.
    var runningSince: Timestamp? { status.state == .running ? status.timestamp : nil }
}

extension Timestamp {
    /// Nanoseconds from `earlier` to this instant (negative when `earlier` is later).
    func nanoseconds(since earlier: Timestamp) -> Int64 {
        (seconds - earlier.seconds) * 1_000_000_000 + Int64(nanoseconds) - Int64(earlier.nanoseconds)
    }
}
