/// Errors from ``WAL``. Corruption errors name the segment file and the byte offset of
/// the bad record: recovery never skips a damaged record that is followed by valid data,
/// so a node seeing one must stop and be repaired or rebuilt from its peers.
public enum WALError: Error, Sendable, CustomStringConvertible {
    /// A system call failed.
    case io(SystemCallError)
    /// Another open WAL (in this or another process) holds the directory's lock.
    case locked(path: String)
    /// A record that is not a torn tail failed validation.
    case corrupt(path: String, offset: Int, problem: WALCorruption)
    /// Segment sequence numbers are not contiguous: a segment file is missing.
    case missingSegment(directory: String, sequence: UInt64)
    /// A `.wal` file whose name is not `<sequence>-<first index>.wal` in 16 hex digits each.
    case unrecognizedFile(path: String)
    /// Two segment files share a sequence number.
    case duplicateSegment(path: String, other: String)
    /// The caller asked for something that would make the log inconsistent.
    case invalidArgument(String)
    /// A record exceeds ``WAL/maxRecordLength``.
    case recordTooLarge(length: Int, limit: Int)
    /// An earlier write or sync failed; after a failed fsync the page cache can no longer
    /// be trusted, so the WAL refuses further use until reopened.
    indirect case unusable(cause: WALError)
    /// The WAL was closed.
    case closed

    public var description: String {
        switch self {
        case let .io(error):
            return "WAL I/O error: \(error)"
        case let .locked(path):
            return "WAL is locked by another user: \(path)"
        case let .corrupt(path, offset, problem):
            return "WAL corrupt in \(path) at byte offset \(offset): \(problem)"
        case let .missingSegment(directory, sequence):
            return "WAL segment with sequence \(sequence) is missing from \(directory)"
        case let .unrecognizedFile(path):
            return "unrecognized WAL file name: \(path)"
        case let .duplicateSegment(path, other):
            return "WAL segments share a sequence number: \(path) and \(other)"
        case let .invalidArgument(message):
            return "invalid WAL operation: \(message)"
        case let .recordTooLarge(length, limit):
            return "WAL record of \(length) bytes exceeds the \(limit)-byte limit"
        case let .unusable(cause):
            return "WAL unusable after an earlier failure (\(cause)); reopen it"
        case .closed:
            return "WAL is closed"
        }
    }
}
