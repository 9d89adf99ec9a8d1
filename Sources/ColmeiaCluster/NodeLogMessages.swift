import ColmeiaAgent
import ColmeiaModel
import Foundation

/// A manager's request to a node's cluster port for the logs of tasks that node runs.
package struct NodeLogRequest: Codable, Sendable {
    var tasks: [SwarmTask]
    var stdout: Bool
    var stderr: Bool
    var follow: Bool
    var tail: Int?
    /// RFC 3339.
    var since: String?

    init(tasks: [SwarmTask], options: LogOptions) {
        self.tasks = tasks.map { $0.redactedForAPI() }
        stdout = options.stdout
        stderr = options.stderr
        follow = options.follow
        tail = options.tail
        since = options.since?.rfc3339
    }

    var options: LogOptions {
        LogOptions(stdout: stdout, stderr: stderr, follow: follow, tail: tail, since: since.flatMap { Timestamp(rfc3339: $0) })
    }
}

/// One line of a node's answer (newline-delimited JSON): a log line of a task, the end of
/// a task's backlog, or why a task's log could not be read.
package struct NodeLogRecord: Codable, Sendable {
    /// The task id.
    var task: String
    /// 1 stdout, 2 stderr; absent on the other kinds.
    var stream: UInt8?
    var time: String?
    /// The line's bytes, base64.
    var line: String?
    /// The task's backlog is complete.
    var caughtUp: Bool?
    /// The task's log ended with this error.
    var error: String?

    init(task: String, event: TaskLogEvent) {
        self.task = task
        switch event {
        case .entry(let entry):
            stream = entry.stream.rawValue
            time = entry.timestamp.rfc3339Fixed
            line = Data(entry.line).base64EncodedString()
        case .caughtUp:
            caughtUp = true
        }
    }

    init(task: String, error: String) {
        self.task = task
        self.error = error
    }

    /// The event this record carries (nil for an error record or a malformed one).
    var event: TaskLogEvent? {
        if caughtUp == true { return .caughtUp }
        guard let stream = stream.flatMap(LogEntry.Stream.init(rawValue:)), let time = time.flatMap({ Timestamp(rfc3339: $0) }),
              let line = line.flatMap({ Data(base64Encoded: $0) }) else { return nil }
        return .entry(LogEntry(stream: stream, timestamp: time, line: [UInt8](line)))
    }
}
