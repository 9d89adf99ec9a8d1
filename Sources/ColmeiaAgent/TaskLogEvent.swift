import ColmeiaModel

/// What a task's log stream carries: its lines, and, once, the moment its backlog has been
/// delivered (the lines that follow are live), so that logs from many tasks and nodes can
/// be merged in time order.
public enum TaskLogEvent: Sendable, Hashable {
    case entry(LogEntry)
    case caughtUp
}

extension Agent {
    /// The task's log as events: the backlog (all of it, or its last `tail` lines), then
    /// `caughtUp`, then, when following, new lines as they come.
    public func logEvents(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure)
        -> AsyncThrowingStream<TaskLogEvent, any Error> {
        var backlogOptions = options
        backlogOptions.follow = false
        let started = Timestamp.now()
        let backlog = try await logs(task, options: backlogOptions)
        guard options.follow else {
            return AsyncThrowingStream { continuation in
                let reader = Task {
                    do {
                        for try await entry in backlog { continuation.yield(.entry(entry)) }
                        continuation.yield(.caughtUp)
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in reader.cancel() }
            }
        }
        return AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    var last = started
                    for try await entry in backlog {
                        last = max(last, entry.timestamp)
                        continuation.yield(.entry(entry))
                    }
                    continuation.yield(.caughtUp)
                    // New lines from where the backlog ended; a line both reads saw (it
                    // came between them) is not repeated.
                    var liveOptions = options
                    liveOptions.tail = nil
                    liveOptions.since = min(started, last)
                    let backlogEnd = last
                    for try await entry in try await self.logs(task, options: liveOptions) where entry.timestamp > backlogEnd {
                        continuation.yield(.entry(entry))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }
}
