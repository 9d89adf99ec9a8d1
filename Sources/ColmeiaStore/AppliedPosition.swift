/// The Raft position the read models reflect.
public struct AppliedPosition: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64

    public init(index: UInt64 = 0, term: UInt64 = 0) {
        self.index = index
        self.term = term
    }
}
