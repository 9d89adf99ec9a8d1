import ColmeiaModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The log of a process task: what it writes to stdout and stderr, one record per line with
/// the time the daemon read it, in `<dir>/log` and its rotated predecessors `log.1` …
/// `log.N` (like Docker's json-file driver: `max-size`, `max-file`).
///
/// A record is `TIME S BYTES\n`: the RFC 3339 time, the stream (`o`/`e` for a whole line,
/// `O`/`E` for a part without its newline: a line longer than 16 KiB, or the end of the
/// output) and the bytes of the line without its newline.
public enum ProcessLogFile {
    /// Docker's json-file splits lines at 16 KiB too.
    static let maximumLine = 16 * 1024
    public static let defaultMaxSize = 10 * 1024 * 1024
    public static let defaultMaxFiles = 3

    /// The files, oldest first.
    static func files(in directory: String, maxFiles: Int) -> [String] {
        var paths: [String] = []
        for index in stride(from: max(1, maxFiles) - 1, through: 1, by: -1) {
            let path = "\(directory)/log.\(index)"
            if FileManager.default.fileExists(atPath: path) { paths.append(path) }
        }
        if FileManager.default.fileExists(atPath: directory + "/log") { paths.append(directory + "/log") }
        return paths
    }

    static func encode(_ entry: LogEntry, partial: Bool) -> [UInt8] {
        let stream: UInt8 = switch (entry.stream, partial) {
        case (.stdout, false): UInt8(ascii: "o")
        case (.stderr, false): UInt8(ascii: "e")
        case (.stdout, true): UInt8(ascii: "O")
        case (.stderr, true): UInt8(ascii: "E")
        }
        return Array(entry.timestamp.rfc3339Fixed.utf8) + [UInt8(ascii: " "), stream, UInt8(ascii: " ")] + entry.line
            + [UInt8(ascii: "\n")]
    }

    /// One record (without its newline) back into an entry; nil when it is not one.
    static func decode(_ record: ArraySlice<UInt8>) -> LogEntry? {
        guard let space = record.firstIndex(of: UInt8(ascii: " ")), record.endIndex - space >= 3,
              record[space + 2] == UInt8(ascii: " "),
              let timestamp = Timestamp(rfc3339: String(decoding: record[..<space], as: UTF8.self)) else { return nil }
        let line = Array(record[(space + 3)...])
        switch record[space + 1] {
        case UInt8(ascii: "o"): return LogEntry(stream: .stdout, timestamp: timestamp, line: line + [10])
        case UInt8(ascii: "e"): return LogEntry(stream: .stderr, timestamp: timestamp, line: line + [10])
        case UInt8(ascii: "O"): return LogEntry(stream: .stdout, timestamp: timestamp, line: line)
        case UInt8(ascii: "E"): return LogEntry(stream: .stderr, timestamp: timestamp, line: line)
        default: return nil
        }
    }
}

/// Reads a task's stdout and stderr pipes on a thread of its own and appends each line to
/// the task's log, rotating it at `maxSize`. Ends when both pipes are closed (the task and
/// everything it started have exited).
final class ProcessLogWriter: @unchecked Sendable {
    private let directory: String
    private let maxSize: Int
    private let maxFiles: Int
    private let lock = NSLock()
    private var finished = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Starts reading `stdout` and `stderr` (read ends the writer owns and closes).
    init(directory: String, stdout: Int32, stderr: Int32, maxSize: Int, maxFiles: Int) {
        self.directory = directory
        self.maxSize = max(4096, maxSize)
        self.maxFiles = max(1, maxFiles)
        let thread = Thread { [self] in
            pump(stdout: stdout, stderr: stderr)
            lock.lock()
            finished = true
            let waiting = waiters
            waiters = []
            lock.unlock()
            for waiter in waiting { waiter.resume() }
        }
        thread.name = "colmeia-task-log"
        thread.stackSize = 128 * 1024
        thread.start()
    }

    /// Whether both pipes have closed and every line is in the file.
    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    /// Returns once every line is in the file.
    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if finished {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    private func pump(stdout: Int32, stderr: Int32) {
        var file = open(directory + "/log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        var size = file >= 0 ? Int(lseek(file, 0, SEEK_END)) : 0
        var pending: [Int32: [UInt8]] = [stdout: [], stderr: []]
        var open = [stdout, stderr]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        func write(_ bytes: [UInt8]) {
            guard file >= 0 else { return }
            if size + bytes.count > maxSize && size > 0 {
                close(file)
                rotate()
                file = Glibc.open(directory + "/log", O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0o600)
                size = 0
                guard file >= 0 else { return }
            }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
            size += bytes.count
        }

        func emit(_ fd: Int32, flushAll: Bool) {
            let stream: LogEntry.Stream = fd == stdout ? .stdout : .stderr
            guard var bytes = pending[fd] else { return }
            var out: [UInt8] = []
            let now = Timestamp.now()
            while let newline = bytes.firstIndex(of: 10) {
                out += ProcessLogFile.encode(LogEntry(stream: stream, timestamp: now, line: Array(bytes[..<newline])), partial: false)
                bytes.removeSubrange(...newline)
            }
            while bytes.count >= ProcessLogFile.maximumLine || (flushAll && !bytes.isEmpty) {
                let part = Array(bytes.prefix(ProcessLogFile.maximumLine))
                out += ProcessLogFile.encode(LogEntry(stream: stream, timestamp: now, line: part), partial: true)
                bytes.removeFirst(part.count)
            }
            pending[fd] = bytes
            if !out.isEmpty { write(out) }
        }

        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    pending[entry.fd, default: []] += buffer[0..<count]
                    emit(entry.fd, flushAll: false)
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    emit(entry.fd, flushAll: true)
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for fd in open { close(fd) }
        if file >= 0 { close(file) }
    }

    /// `log.N-1` → `log.N`, …, `log` → `log.1`; the oldest beyond `maxFiles` is dropped.
    private func rotate() {
        guard maxFiles > 1 else {
            unlink(directory + "/log")
            return
        }
        unlink("\(directory)/log.\(maxFiles - 1)")
        for index in stride(from: maxFiles - 2, through: 1, by: -1) {
            rename("\(directory)/log.\(index)", "\(directory)/log.\(index + 1)")
        }
        rename(directory + "/log", directory + "/log.1")
    }
}

/// Reads a task's log: the whole of it or its last lines (read from the end), then, when
/// following, what is appended, across rotations, until the writer has finished.
struct ProcessLogReader {
    let directory: String
    let maxFiles: Int
    /// Whether the task's output has ended (nothing more will be written).
    let isFinished: @Sendable () -> Bool

    func entries(_ options: LogOptions) -> AsyncThrowingStream<LogEntry, any Error> {
        let directory = directory
        let maxFiles = maxFiles
        let isFinished = isFinished
        return AsyncThrowingStream { continuation in
            let reader = Task {
                func deliver(_ entry: LogEntry) {
                    guard options.wants(entry.stream) else { return }
                    if let since = options.since, entry.timestamp < since { return }
                    continuation.yield(entry)
                }
                let files = ProcessLogFile.files(in: directory, maxFiles: maxFiles)
                // The current file is read through a descriptor held open, so that a
                // rotation while following does not lose what was appended before it.
                var current = FileHandle(forReadingAtPath: directory + "/log")
                var offset: UInt64 = 0
                if let tail = options.tail {
                    var collected: [LogEntry] = []
                    for path in files.reversed() where collected.count < tail {
                        let wanted = tail - collected.count
                        let lines = Self.lastRecords(path, count: wanted, options: options)
                        collected = lines + collected
                    }
                    for entry in collected.suffix(tail) { continuation.yield(entry) }
                    if let current { offset = (try? current.seekToEnd()) ?? 0 }
                } else {
                    for path in files where path != directory + "/log" {
                        Self.forEachRecord(in: path) { deliver($0) }
                    }
                    if let current { offset = Self.readRecords(current, from: 0, deliver) }
                }
                guard options.follow else {
                    continuation.finish()
                    return
                }
                while !Task.isCancelled {
                    if let handle = current {
                        offset = Self.readRecords(handle, from: offset, deliver)
                    }
                    // A new `log` means the one held was rotated away: read its rest, move on.
                    if let handle = current, let newer = FileHandle(forReadingAtPath: directory + "/log"),
                       Self.inode(newer) != Self.inode(handle) {
                        offset = Self.readRecords(handle, from: offset, deliver)
                        try? handle.close()
                        current = newer
                        offset = 0
                        continue
                    } else if current == nil {
                        current = FileHandle(forReadingAtPath: directory + "/log")
                        offset = 0
                        if current != nil { continue }
                    }
                    if isFinished() {
                        if let handle = current { _ = Self.readRecords(handle, from: offset, deliver) }
                        break
                    }
                    if !FileManager.default.fileExists(atPath: directory) { break }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                try? current?.close()
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    private static func inode(_ handle: FileHandle) -> UInt64 {
        var info = stat()
        return fstat(handle.fileDescriptor, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    /// Delivers the whole records after `offset`; returns where the next read starts (the
    /// start of a record still being written).
    private static func readRecords(_ handle: FileHandle, from offset: UInt64, _ deliver: (LogEntry) -> Void) -> UInt64 {
        var position = offset
        while true {
            try? handle.seek(toOffset: position)
            guard let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty else { return position }
            let bytes = [UInt8](data)
            guard let last = bytes.lastIndex(of: 10) else {
                // A record longer than the read: cannot happen with 16 KiB lines; skip it.
                return bytes.count >= 1 << 20 ? position + UInt64(bytes.count) : position
            }
            for record in bytes[...last].split(separator: 10) {
                if let entry = ProcessLogFile.decode(record) { deliver(entry) }
            }
            position += UInt64(last + 1)
        }
    }

    private static func forEachRecord(in path: String, _ deliver: (LogEntry) -> Void) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = readRecords(handle, from: 0, deliver)
    }

    /// The last `count` records of a file that pass `options`, read backwards in blocks.
    static func lastRecords(_ path: String, count: Int, options: LogOptions) -> [LogEntry] {
        guard count > 0, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard var end = try? handle.seekToEnd() else { return [] }
        var found: [LogEntry] = []
        var carry: [UInt8] = []
        let block: UInt64 = 64 * 1024
        while end > 0 && found.count < count {
            let start = end > block ? end - block : 0
            try? handle.seek(toOffset: start)
            guard let data = try? handle.read(upToCount: Int(end - start)) else { break }
            var bytes = [UInt8](data) + carry
            end = start
            // The first partial record waits for the block before it.
            var records: [ArraySlice<UInt8>] = []
            if start > 0, let first = bytes.firstIndex(of: 10) {
                carry = Array(bytes[..<first])
                bytes = Array(bytes[(first + 1)...])
            } else {
                carry = []
            }
            records = bytes.split(separator: 10)
            var batch: [LogEntry] = []
            for record in records {
                guard let entry = ProcessLogFile.decode(record), options.wants(entry.stream) else { continue }
                if let since = options.since, entry.timestamp < since { continue }
                batch.append(entry)
            }
            found = batch + found
        }
        return Array(found.suffix(count))
    }
}
