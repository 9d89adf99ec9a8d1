/// A segment file name, `%016x-%016x.wal`: sequence number, then the log index the
/// segment was opened at (the first entry it was expected to hold).
struct WALSegmentName: Sendable, Hashable, Comparable {
    static let suffix = ".wal"

    var sequence: UInt64
    var firstIndex: UInt64

    var fileName: String { HexFileName.format(sequence, firstIndex, suffix: Self.suffix) }

    init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a file name; `nil` if it is not exactly the canonical form.
    init?(fileName: String) {
        guard let parts = HexFileName.parse(fileName, suffix: Self.suffix) else { return nil }
        self.init(sequence: parts.0, firstIndex: parts.1)
    }

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.sequence, lhs.firstIndex) < (rhs.sequence, rhs.firstIndex) }
}
