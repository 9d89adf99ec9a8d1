import ColmeiaModel

/// One row of the audit trail: which event, from which command, by whom, when.
public struct AuditRecord: Sendable, Hashable {
    public var index: UInt64
    public var ordinal: Int
    public var term: UInt64
    public var time: Timestamp
    public var actor: CommandEnvelope.Actor
    public var requestID: String?
    public var commandID: String
    public var type: String
    public var objectKind: ObjectKind
    public var objectID: String
    /// The object as the event left it, in Docker's JSON (secret data redacted); for a
    /// removal, `{"ID": …}`.
    public var payload: String

    /// Where the next page starts.
    public var cursor: AuditCursor { AuditCursor(index: index, ordinal: ordinal) }
}

/// A position in the audit trail, for pagination and change feeds.
public struct AuditCursor: Sendable, Hashable, Comparable {
    public var index: UInt64
    public var ordinal: Int

    public init(index: UInt64, ordinal: Int = Int.max) {
        self.index = index
        self.ordinal = ordinal
    }

    public static func < (lhs: AuditCursor, rhs: AuditCursor) -> Bool {
        (lhs.index, lhs.ordinal) < (rhs.index, rhs.ordinal)
    }
}

/// Which audit rows to return; every set field must match.
public struct AuditQuery: Sendable, Hashable {
    public var since: Timestamp?
    public var until: Timestamp?
    public var actorKind: CommandEnvelope.Actor.Kind?
    public var actorID: String?
    public var objectKind: ObjectKind?
    public var objectID: String?
    /// An event type (`service.created`) or a kind prefix (`service`).
    public var type: String?
    /// Return rows strictly after this position.
    public var after: AuditCursor?
    public var limit: Int

    public init(since: Timestamp? = nil, until: Timestamp? = nil, actorKind: CommandEnvelope.Actor.Kind? = nil,
                actorID: String? = nil, objectKind: ObjectKind? = nil, objectID: String? = nil, type: String? = nil,
                after: AuditCursor? = nil, limit: Int = 100) {
        self.since = since
        self.until = until
        self.actorKind = actorKind
        self.actorID = actorID
        self.objectKind = objectKind
        self.objectID = objectID
        self.type = type
        self.after = after
        self.limit = limit
    }
}

/// A page of audit rows and where the next one starts (nil at the end).
public struct AuditPage: Sendable, Hashable {
    public var records: [AuditRecord]
    public var next: AuditCursor?
}
