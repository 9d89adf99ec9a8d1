/// The identity of a Raft member. `0` is reserved to mean "no node".
public typealias NodeID = UInt64

/// What an ``Entry`` carries.
public enum EntryKind: UInt8, Sendable, Hashable {
    /// Application data (empty data marks the no-op a new leader appends).
    case normal = 0
    /// An encoded ``ConfChange``.
    case confChange = 1
}

/// One record of the replicated log.
public struct Entry: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Approximate wire size, used to bound message batches.
    var byteSize: Int { data.count + 24 }
}
