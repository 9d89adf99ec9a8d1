/// What a node recovered from its disk: the newest snapshot, the hard state, and the
/// log entries after the snapshot, in order.
public struct RaftPersistentState: Sendable, Hashable {
    public var snapshot: Snapshot?
    public var hardState: HardState
    public var entries: [Entry]

    public init(snapshot: Snapshot? = nil, hardState: HardState = HardState(), entries: [Entry] = []) {
        self.snapshot = snapshot
        self.hardState = hardState
        self.entries = entries
    }
}
