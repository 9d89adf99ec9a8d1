/// A snapshot file that ``SnapshotStore/loadNewest()`` passed over, and why.
public struct SkippedSnapshot: Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Why it did not verify.
    public var error: SnapshotStoreError

    public init(path: String, error: SnapshotStoreError) {
        self.path = path
        self.error = error
    }

    public var description: String { "skipped \(path): \(error)" }
}
