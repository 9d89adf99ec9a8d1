import ColmeiaRaft

/// What ``WAL/open(directory:segmentSize:)`` recovered.
public struct WALContents: Sendable, Hashable {
    /// The newest snapshot marker, or `nil` if none was written.
    public var snapshot: SnapshotMetadata?
    /// The last hard state written (empty if none).
    public var hardState: HardState
    /// The log after the snapshot marker, contiguous, with overwritten suffixes applied.
    public var entries: [Entry]
    /// Set when an interrupted final write was cut off during recovery.
    public var repairedTail: WALTailRepair?

    public init(
        snapshot: SnapshotMetadata? = nil,
        hardState: HardState = HardState(),
        entries: [Entry] = [],
        repairedTail: WALTailRepair? = nil
    ) {
        self.snapshot = snapshot
        self.hardState = hardState
        self.entries = entries
        self.repairedTail = repairedTail
    }
}
