/// A snapshot file name, `%016x-%016x.snap` (term, index), which sorts by index within
/// a term and lets the store find a snapshot without opening files.
public struct SnapshotFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    static let suffix = ".snap"

    /// Term of the snapshot's last entry.
    public var term: UInt64
    /// Index of the snapshot's last entry.
    public var index: UInt64

    public init(term: UInt64, index: UInt64) {
        self.term = term
        self.index = index
    }

    /// Parses a canonical file name; `nil` for anything else.
    public init?(fileName: String) {
        guard let parts = HexFileName.parse(fileName, suffix: Self.suffix) else { return nil }
        self.init(term: parts.0, index: parts.1)
    }

    /// The file name.
    public var fileName: String { HexFileName.format(term, index, suffix: Self.suffix) }

    public var description: String { fileName }

    /// Newer means a higher index; the term only breaks ties.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.index, lhs.term) < (rhs.index, rhs.term)
    }
}
