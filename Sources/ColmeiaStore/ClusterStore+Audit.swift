import ColmeiaModel
import Foundation
import GRDB

extension ClusterStore {
    /// Audit rows in log order matching `query`, one page at a time.
    ///
    /// ```swift
    /// var page = try store.audit(AuditQuery(objectKind: .service, limit: 50))
    /// while let next = page.next { page = try store.audit(AuditQuery(objectKind: .service, after: next, limit: 50)) }
    /// ```
    public func audit(_ query: AuditQuery) throws(QueryError) -> AuditPage {
        let limit = max(1, min(query.limit, 10_000))
        let (condition, arguments) = Self.sqlCondition(query)
        let order = query.descending ? "DESC" : "ASC"
        let records: [AuditRecord] = try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.auditRecordColumns) FROM audit_events \(condition) ORDER BY raft_index \(order), ordinal \(order) LIMIT ?
                """, arguments: StatementArguments(arguments + [limit + 1]))
            return try rows.map(Self.auditRecord)
        }
        let page = Array(records.prefix(limit))
        return AuditPage(records: page, next: records.count > limit ? page.last?.cursor : nil)
    }

    /// Like `audit(_:)`, but over the whole trail: the archive segments the retention
    /// policy moved records to, then `state.db`, in the query's order.
    public func auditRecords(_ query: AuditQuery) throws(QueryError) -> AuditPage {
        // A retention pass that moves rows between the archive read and the table read
        // would hide them from this page: read again when the checkpoint moved.
        for _ in 0..<3 {
            let before = try auditChainState()
            let page = try auditRecords(query, chain: before)
            let after = try auditChainState()
            if after.archivedIndex == before.archivedIndex && after.archivedCount == before.archivedCount { return page }
        }
        return try auditRecords(query, chain: auditChainState())
    }

    private func auditRecords(_ query: AuditQuery, chain: AuditChainState) throws(QueryError) -> AuditPage {
        let limit = max(1, min(query.limit, 10_000))
        let checkpoint = AuditCursor(index: chain.archivedIndex, ordinal: chain.archivedOrdinal)
        let archiveMayMatch = chain.archivedCount > 0 && (query.fromIndex.map { $0 <= chain.archivedIndex } ?? true)
        var query = query
        query.limit = limit
        if query.descending {
            let hot = try audit(query)
            guard hot.next == nil, archiveMayMatch else { return hot }
            var rest = query
            rest.after = hot.records.last?.cursor ?? query.after
            let archived = try archive.records(matching: rest, limit: limit - hot.records.count + 1, through: checkpoint)
            let records = hot.records + archived
            let page = Array(records.prefix(limit))
            return AuditPage(records: page, next: records.count > limit ? page.last?.cursor : nil)
        }
        guard archiveMayMatch, query.after.map({ $0 < checkpoint }) ?? true else { return try audit(query) }
        let archived = try archive.records(matching: query, limit: limit + 1, through: checkpoint)
        if archived.count > limit {
            let page = Array(archived.prefix(limit))
            return AuditPage(records: page, next: page.last?.cursor)
        }
        var rest = query
        rest.limit = limit - archived.count
        if rest.limit == 0 {
            let more = try audit(AuditQuery.continuing(query, after: archived.last?.cursor, limit: 1))
            return AuditPage(records: archived, next: more.records.isEmpty ? nil : archived.last?.cursor)
        }
        let hot = try audit(rest)
        return AuditPage(records: archived + hot.records, next: hot.next)
    }

    static func sqlCondition(_ query: AuditQuery) -> (String, [any DatabaseValueConvertible]) {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        func add(_ clause: String, _ values: any DatabaseValueConvertible...) {
            clauses.append(clause)
            arguments += values
        }
        if let since = query.since { add("time_ns >= ?", since.nanosecondsSinceEpoch) }
        if let until = query.until { add("time_ns <= ?", until.nanosecondsSinceEpoch) }
        if let from = query.fromIndex { add("raft_index >= ?", Int64(clamping: from)) }
        if let to = query.toIndex { add("raft_index <= ?", Int64(clamping: to)) }
        if let kind = query.actorKind { add("actor_kind = ?", kind.rawValue) }
        if let actor = query.actorID { add("actor_id = ?", actor) }
        if let kind = query.objectKind { add("object_kind = ?", kind.rawValue) }
        if let object = query.objectID { add("object_id = ?", object) }
        if let name = query.objectName { add("object_name = ?", name) }
        if let type = query.type { add(type.contains(".") ? "type = ?" : "object_kind = ?", type) }
        if let service = query.serviceID { add("service_id = ?", service) }
        if let outcome = query.outcome { add("outcome = ?", outcome) }
        if let after = query.after {
            add(query.descending ? "(raft_index, ordinal) < (?, ?)" : "(raft_index, ordinal) > (?, ?)",
                Int64(clamping: after.index), after.ordinal)
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    static func auditRecord(_ row: Row) throws -> AuditRecord {
        let kindName: String = row["actor_kind"]
        let objectKindName: String = row["object_kind"]
        let timeText: String = row["time"]
        guard let actorKind = CommandEnvelope.Actor.Kind(rawValue: kindName),
              let objectKind = ObjectKind(rawValue: objectKindName),
              let time = Timestamp(rfc3339: timeText) else {
            throw QueryError.database("unreadable audit row at raft index \(row["raft_index"] as Int64)")
        }
        let index: Int64 = row["raft_index"]
        let term: Int64 = row["raft_term"]
        let detailsText: String? = row["actor_details"]
        let details = detailsText.map(AuditChain.details(from:)) ?? [:]
        let timeNanoseconds: Int64 = row["time_ns"]
        let hash: Data? = row["hash"]
        return AuditRecord(index: UInt64(index), ordinal: row["ordinal"], term: UInt64(term),
                           time: Timestamp(nanosecondsSinceEpoch: timeNanoseconds) ?? time,
                           actor: CommandEnvelope.Actor(kind: actorKind, id: row["actor_id"], details: details),
                           requestID: row["request_id"], commandID: row["command_id"], type: row["type"],
                           objectKind: objectKind, objectID: row["object_id"], objectName: row["object_name"] ?? "",
                           serviceID: row["service_id"], outcome: row["outcome"] ?? "applied", payload: row["payload"],
                           redactedPayload: row["redacted_payload"], patch: row["patch"], hash: hash.map { [UInt8]($0) } ?? [])
    }
}
