import ColmeiaRaft

/// The outcome of ``SnapshotStore/loadNewest()``.
public struct SnapshotLoadResult: Sendable, Hashable {
    /// The newest snapshot that verified, or `nil` if none did.
    public var snapshot: Snapshot?
    /// The file it came from.
    public var path: String?
    /// Newer files that failed verification, newest first: worth an operator alert even
    /// though an older snapshot was usable.
    public var skipped: [SkippedSnapshot]

    public init(snapshot: Snapshot? = nil, path: String? = nil, skipped: [SkippedSnapshot] = []) {
        self.snapshot = snapshot
        self.path = path
        self.skipped = skipped
    }
}
