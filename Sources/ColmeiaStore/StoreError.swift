/// Why the store could not do what was asked.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The schema files are missing or malformed.
    case schema(String)
    /// SQLite failed (I/O, disk full, corruption).
    case database(String)
    /// A snapshot or command could not be decoded.
    case corrupt(String)
    /// An apply arrived out of order: the log and the read models disagree.
    case outOfOrder(expected: UInt64, got: UInt64)

    public var description: String {
        switch self {
        case .schema(let why): return "store schema: \(why)"
        case .database(let why): return "store database: \(why)"
        case .corrupt(let why): return "store data is corrupt: \(why)"
        case .outOfOrder(let expected, let got):
            return "apply out of order: expected raft index \(expected), got \(got)"
        }
    }
}
