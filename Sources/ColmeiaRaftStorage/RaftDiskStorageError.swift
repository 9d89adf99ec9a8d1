import ColmeiaRaft

/// Errors from ``RaftDiskStorage``.
public enum RaftDiskStorageError: Error, Sendable, CustomStringConvertible {
    /// The write-ahead log failed or is corrupt.
    case wal(WALError)
    /// The snapshot store failed, or the snapshot the WAL refers to is corrupt.
    case snapshots(SnapshotStoreError)
    /// Creating the storage directories failed.
    case io(SystemCallError)
    /// The WAL's newest snapshot marker refers to a snapshot file that does not exist;
    /// the entries it replaced are gone, so the state cannot be rebuilt locally.
    case missingSnapshot(path: String, index: UInt64, term: UInt64)
    /// The snapshot file's metadata disagrees with the WAL's marker for it.
    case snapshotMismatch(path: String, marker: SnapshotMetadata, file: SnapshotMetadata)
    /// Recovered pieces do not fit together (described in the message).
    case inconsistent(String)
    /// A snapshot older than the one already recorded.
    case staleSnapshot(index: UInt64, current: UInt64)
    /// A payload could not be encrypted, or did not decrypt with the data key.
    case encryption(String)

    public var description: String {
        switch self {
        case let .wal(error):
            return error.description
        case let .snapshots(error):
            return error.description
        case let .io(error):
            return "storage I/O error: \(error)"
        case let .missingSnapshot(path, index, term):
            return "WAL refers to snapshot at index \(index) term \(term), but \(path) does not exist"
        case let .snapshotMismatch(path, marker, file):
            return "snapshot \(path) holds index \(file.index) term \(file.term) \(file.confState), "
                + "but the WAL marker says index \(marker.index) term \(marker.term) \(marker.confState)"
        case let .inconsistent(message):
            return "inconsistent Raft storage: \(message)"
        case let .staleSnapshot(index, current):
            return "snapshot at index \(index) is older than the current snapshot at index \(current)"
        case let .encryption(message):
            return message
        }
    }
}
