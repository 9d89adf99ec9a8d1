/// A Raft message between two nodes. Fields that a message type does not use stay zero.
public struct Message: Sendable, Hashable {
    public var type: MessageType
    public var to: NodeID
    public var from: NodeID
    public var term: UInt64
    /// For append: the term of the entry at `index`; for votes: the candidate's last log term.
    public var logTerm: UInt64
    /// For append: the index preceding `entries`; for votes: the candidate's last log index;
    /// for responses: the index the follower matched up to (or rejected).
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var snapshot: Snapshot?
    public var reject: Bool
    /// On a rejected append: the follower's hint for where the leader should probe next.
    public var rejectHint: UInt64
    /// For read index: the caller's request context; for votes: a campaign marker.
    public var context: [UInt8]

    public init(
        type: MessageType, to: NodeID = 0, from: NodeID = 0, term: UInt64 = 0,
        logTerm: UInt64 = 0, index: UInt64 = 0, entries: [Entry] = [], commit: UInt64 = 0,
        snapshot: Snapshot? = nil, reject: Bool = false, rejectHint: UInt64 = 0,
        context: [UInt8] = []
    ) {
        self.type = type
        self.to = to
        self.from = from
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.snapshot = snapshot
        self.reject = reject
        self.rejectHint = rejectHint
        self.context = context
    }
}

extension Message {
    /// Marks a vote request sent because of leadership transfer: voters grant it even
    /// while they still believe in a live leader (Raft thesis §3.10).
    static let transferCampaignContext: [UInt8] = Array("colmeia-transfer".utf8)
}
