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
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let since = query.since {
            clauses.append("time_ns >= ?")
            arguments.append(since.nanosecondsSinceEpoch)
        }
        if let until = query.until {
            clauses.append("time_ns <= ?")
            arguments.append(until.nanosecondsSinceEpoch)
        }
        if let kind = query.actorKind {
            clauses.append("actor_kind = ?")
            arguments.append(kind.rawValue)
        }
        if let actor = query.actorID {
            clauses.append("actor_id = ?")
            arguments.append(actor)
        }
        if let kind = query.objectKind {
            clauses.append("object_kind = ?")
            arguments.append(kind.rawValue)
        }
        if let object = query.objectID {
            clauses.append("object_id = ?")
            arguments.append(object)
        }
        if let type = query.type {
            clauses.append(type.contains(".") ? "type = ?" : "object_kind = ?")
            arguments.append(type)
        }
        if let after = query.after {
            clauses.append("(raft_index > ? OR (raft_index = ? AND ordinal > ?))")
            arguments += [Int64(after.index), Int64(after.index), after.ordinal]
        }
        let condition = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let records: [AuditRecord] = try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM audit_events \(condition) ORDER BY raft_index, ordinal LIMIT ?
                """, arguments: StatementArguments(arguments + [limit + 1]))
            return try rows.map(Self.auditRecord)
        }
        let page = Array(records.prefix(limit))
        return AuditPage(records: page, next: records.count > limit ? page.last?.cursor : nil)
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
        let details = detailsText.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return AuditRecord(index: UInt64(index), ordinal: row["ordinal"], term: UInt64(term), time: time,
                           actor: CommandEnvelope.Actor(kind: actorKind, id: row["actor_id"], details: details),
                           requestID: row["request_id"], commandID: row["command_id"], type: row["type"],
                           objectKind: objectKind, objectID: row["object_id"], payload: row["payload"])
    }
}
