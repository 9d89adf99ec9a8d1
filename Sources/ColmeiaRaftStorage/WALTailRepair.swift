/// A torn tail that recovery truncated away, worth logging: it is the unacknowledged
/// remainder of the write that was in flight when the node stopped.
public struct WALTailRepair: Sendable, Hashable, CustomStringConvertible {
    /// The segment that was truncated.
    public var path: String
    /// The new file size: where the torn record started.
    public var offset: Int
    /// How many bytes were cut off.
    public var discardedBytes: Int
    /// Why the tail was judged torn.
    public var reason: String

    public var description: String {
        "truncated torn WAL tail in \(path) at byte offset \(offset) (\(discardedBytes) bytes discarded: \(reason))"
    }
}
