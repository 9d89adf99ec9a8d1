import ColmeiaRaft

/// The Raft state rebuilt by ``RaftDiskStorage/open(directory:segmentSize:snapshotsToKeep:)``.
public struct RecoveredState: Sendable {
    /// The snapshot the log continues from, or `nil` if the log starts at index 1.
    public var snapshot: Snapshot?
    /// The last persisted hard state (empty for a new node).
    public var hardState: HardState
    /// The log after the snapshot: contiguous, starting at `snapshot.metadata.index + 1`.
    public var entries: [Entry]
    /// Set when recovery cut off a torn final write.
    public var repairedTail: WALTailRepair?
    /// Snapshot files removed because no WAL marker refers to them (a crash between
    /// saving a snapshot and recording it).
    public var removedSnapshotFiles: [String]

    public init(
        snapshot: Snapshot? = nil,
        hardState: HardState = HardState(),
        entries: [Entry] = [],
        repairedTail: WALTailRepair? = nil,
        removedSnapshotFiles: [String] = []
    ) {
        self.snapshot = snapshot
        self.hardState = hardState
        self.entries = entries
        self.repairedTail = repairedTail
        self.removedSnapshotFiles = removedSnapshotFiles
    }

    /// What `RaftNode(config:restoring:)` restarts from.
    public var raftState: RaftPersistentState {
        RaftPersistentState(snapshot: snapshot, hardState: hardState, entries: entries)
    }

    /// Whether nothing was ever persisted: a node that must bootstrap or join.
    public var isEmpty: Bool { snapshot == nil && hardState.isEmpty && entries.isEmpty }

    /// The index of the last entry, or of the snapshot if the log is empty.
    public var lastIndex: UInt64 { entries.last?.index ?? snapshot?.metadata.index ?? 0 }
}
