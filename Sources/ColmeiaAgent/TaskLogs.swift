import ColmeiaModel
import Foundation

/// One line a task wrote.
public struct LogEntry: Sendable, Hashable {
    public enum Stream: UInt8, Sendable {
        case stdout = 1
        case stderr = 2
    }

    public var stream: Stream
    public var timestamp: Timestamp
    /// The line, with its newline.
    public var line: [UInt8]

    public init(stream: Stream, timestamp: Timestamp, line: [UInt8]) {
        self.stream = stream
        self.timestamp = timestamp
        self.line = line
    }
}

/// What `docker service logs` asks for.
public struct LogOptions: Sendable, Hashable {
    public var stdout = true
    public var stderr = true
    public var follow = false
    /// Lines from the end (nil: all).
    public var tail: Int?
    public var since: Timestamp?

    public init(stdout: Bool = true, stderr: Bool = true, follow: Bool = false, tail: Int? = nil, since: Timestamp? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.follow = follow
        self.tail = tail
        self.since = since
    }

    func wants(_ stream: LogEntry.Stream) -> Bool { stream == .stdout ? stdout : stderr }
}
