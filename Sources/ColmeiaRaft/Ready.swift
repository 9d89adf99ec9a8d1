/// Work the application must do for a node, in this order:
/// 1. persist `snapshot` (if any), then `entries` and `hardState`, with one fsync when
///    `mustSync`;
/// 2. send `messages`;
/// 3. install `snapshot` into the state machine, then apply `committedEntries`;
/// 4. call ``RaftNode/advance(_:)`` with this value.
///
/// Sending only after persisting keeps every promise a message makes durable first. A
/// leader may send its appends and heartbeats before its own write finishes (Raft thesis
/// §10.2.1), as long as it steps no acknowledgement before that write is durable: its own
/// log then counts toward a quorum only once it holds the entries.
public struct Ready: Sendable {
    /// Set when the leader or role changed since the last `Ready`.
    public var softState: SoftState?
    /// Set when term, vote or commit changed since the last `Ready`.
    public var hardState: HardState?
    public var entries: [Entry]
    public var snapshot: Snapshot?
    public var committedEntries: [Entry]
    public var messages: [Message]
    public var readStates: [ReadState]

    /// Whether the writes of this `Ready` must reach stable storage before anything else.
    public var mustSync: Bool { !entries.isEmpty || snapshot != nil || hardStateNeedsSync }

    var hardStateNeedsSync = false

    init() {
        softState = nil
        hardState = nil
        entries = []
        snapshot = nil
        committedEntries = []
        messages = []
        readStates = []
    }
}
