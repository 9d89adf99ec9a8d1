import ColmeiaModel

/// One committed log entry as the store applies it.
public struct StoreEntry: Sendable {
    public enum Content: Sendable {
        case command(ClusterCommand)
        /// Bytes that are not a command this build can read (the reason is recorded).
        case undecodable(String)
        /// A leader's no-op or a membership change: nothing for the read models.
        case empty
    }

    public var index: UInt64
    public var term: UInt64
    public var content: Content

    public init(index: UInt64, term: UInt64, content: Content) {
        self.index = index
        self.term = term
        self.content = content
    }
}
