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
    /// The object's name (a service's, a node's hostname, a task's `service.slot`…), kept
    /// after it is removed.
    public var objectName: String
    /// The service an event of a service or of one of its tasks belongs to.
    public var serviceID: String?
    /// `applied`, or `refused` (a request the access rules turned down) or `failed` (a
    /// backup that could not be written).
    public var outcome: String
    /// The object as the event left it, in Docker's JSON (secret data redacted); for a
    /// removal, `{"ID": …}`. Registry credentials stay (the reconcilers read them here):
    /// show `shownPayload` to anyone outside the cluster.
    public var payload: String
    /// The payload without registry credentials, when it has any.
    public var redactedPayload: String?
    /// For an update, the RFC 6902 JSON Patch from the object's previous version (as shown).
    public var patch: String?
    /// The chain link: SHA-256 over the previous record's hash and this record's canonical
    /// bytes (empty in records read from before the chain existed).
    public var hash: [UInt8]

    /// The payload as readers outside the cluster may see it.
    public var shownPayload: String { redactedPayload ?? payload }

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
    /// Log index range, both ends included.
    public var fromIndex: UInt64?
    public var toIndex: UInt64?
    public var actorKind: CommandEnvelope.Actor.Kind?
    public var actorID: String?
    public var objectKind: ObjectKind?
    public var objectID: String?
    public var objectName: String?
    /// An event type (`service.created`) or a kind prefix (`service`).
    public var type: String?
    /// A service's own records and its tasks'.
    public var serviceID: String?
    /// `applied`, `refused` or `failed`.
    public var outcome: String?
    /// Return rows strictly after this position, in the query's order.
    public var after: AuditCursor?
    /// Newest first.
    public var descending: Bool
    public var limit: Int

    public init(since: Timestamp? = nil, until: Timestamp? = nil, fromIndex: UInt64? = nil, toIndex: UInt64? = nil,
                actorKind: CommandEnvelope.Actor.Kind? = nil, actorID: String? = nil, objectKind: ObjectKind? = nil,
                objectID: String? = nil, objectName: String? = nil, type: String? = nil, serviceID: String? = nil,
                outcome: String? = nil, after: AuditCursor? = nil, descending: Bool = false, limit: Int = 100) {
        self.since = since
        self.until = until
        self.fromIndex = fromIndex
        self.toIndex = toIndex
        self.actorKind = actorKind
        self.actorID = actorID
        self.objectKind = objectKind
        self.objectID = objectID
        self.objectName = objectName
        self.type = type
        self.serviceID = serviceID
        self.outcome = outcome
        self.after = after
        self.descending = descending
        self.limit = limit
    }

    /// Whether `record` passes every filter (the cursor and limit aside): the same rules
    /// as the SQL, for records read from the archive or followed live.
    public func matches(_ record: AuditRecord) -> Bool {
        if let since, record.time < since { return false }
        if let until, record.time > until { return false }
        if let fromIndex, record.index < fromIndex { return false }
        if let toIndex, record.index > toIndex { return false }
        if let actorKind, record.actor.kind != actorKind { return false }
        if let actorID, record.actor.id != actorID { return false }
        if let objectKind, record.objectKind != objectKind { return false }
        if let objectID, record.objectID != objectID { return false }
        if let objectName, record.objectName != objectName { return false }
        if let type, type.contains(".") ? record.type != type : record.objectKind.rawValue != type { return false }
        if let serviceID, record.serviceID != serviceID { return false }
        if let outcome, record.outcome != outcome { return false }
        return true
    }

    /// The same query from another position, with another limit.
    static func continuing(_ query: AuditQuery, after: AuditCursor?, limit: Int) -> AuditQuery {
        var copy = query
        copy.after = after ?? query.after
        copy.limit = limit
        return copy
    }

    /// Whether `record` comes after `cursor` in this query's order.
    public func isPast(_ cursor: AuditCursor, _ record: AuditRecord) -> Bool {
        descending ? record.cursor < cursor : cursor < record.cursor
    }
}

/// A page of audit rows and where the next one starts (nil at the end).
public struct AuditPage: Sendable, Hashable {
    public var records: [AuditRecord]
    public var next: AuditCursor?
}
