import ColmeiaModel
import Foundation
import GRDB

extension ClusterStore {
    /// Writes the audit row of one landed event, linked into the hash chain.
    static func audit(_ event: ClusterEvent, _ landed: AuditLanding, command: ClusterCommand, index: UInt64, term: UInt64,
                      ordinal: Int, _ db: Database) throws {
        let kind = event.objectKind
        let tracked = kind != .request && kind != .backup
        let updated = event.action != .created && event.action != .removed
        var name = landed.name
        var serviceID = kind == .service ? event.objectID : landed.serviceID
        var patch = landed.patch.flatMap(Self.patchText)
        if tracked, name == nil || (kind == .task && serviceID == nil) || (updated && landed.patch == nil) {
            if let previous = try previousVersion(kind, id: event.objectID, db) {
                name = name ?? previous.name
                serviceID = serviceID ?? previous.serviceID
                if updated, landed.patch == nil {
                    patch = try patchText(JSONPatch.diff(from: json(previous.shown), to: json(landed.shown)))
                }
            }
        }
        let envelope = command.envelope
        let outcome = switch event.action {
        case .refused: "refused"
        case .failed: "failed"
        default: "applied"
        }
        var record = AuditRecord(index: index, ordinal: ordinal, term: term, time: envelope.time, actor: envelope.actor,
                                 requestID: envelope.requestID, commandID: envelope.id, type: event.type, objectKind: kind,
                                 objectID: event.objectID, objectName: name ?? "", serviceID: serviceID, outcome: outcome,
                                 payload: landed.payload, redactedPayload: landed.redacted, patch: patch, hash: [])
        let head = try chainHead(db)
        let details = AuditChain.detailsText(envelope.actor.details)
        record.hash = AuditChain.link(head.hash, canonical: AuditChain.canonicalBytes(record, details: .some(details)))
        try db.cachedStatement(sql: """
            INSERT INTO audit_events (raft_index, ordinal, raft_term, time_ns, time, actor_kind, actor_id, request_id,
                                      command_id, type, object_kind, object_id, payload, actor_details,
                                      object_name, service_id, outcome, patch, redacted_payload, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [Int64(index), ordinal, Int64(term), envelope.time.nanosecondsSinceEpoch,
                             envelope.time.rfc3339, envelope.actor.kind.rawValue, envelope.actor.id,
                             envelope.requestID, envelope.id, event.type, kind.rawValue, event.objectID, landed.payload,
                             details, record.objectName, serviceID, outcome, patch,
                             landed.redacted, Data(record.hash)])
        if landed.redacted != nil {
            // Registry credentials: sealed at rest (the chain and the readers use the redacted copy).
            try db.cachedStatement(sql: """
                UPDATE audit_events SET payload = colmeia_seal(payload, object_kind, object_id) WHERE raft_index = ? AND ordinal = ?
                """).execute(arguments: [Int64(index), ordinal])
        }
        try db.cachedStatement(sql: """
            UPDATE audit_chain SET head_index = ?, head_ordinal = ?, head_hash = ?, head_count = head_count + 1 WHERE id = 1
            """).execute(arguments: [Int64(index), ordinal, Data(record.hash)])
        if tracked, event.action == .created {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO audit_objects (object_kind, object_id, first_index) VALUES (?, ?, ?)")
                .execute(arguments: [kind.rawValue, event.objectID, Int64(index)])
        }
    }

    /// The newest recorded version of an object: its latest audit row, or its row in the
    /// archive checkpoint's base when every later one was archived.
    static func previousVersion(_ kind: ObjectKind, id: String, _ db: Database) throws
        -> (name: String, serviceID: String?, shown: String)?
    {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT object_name, service_id, COALESCE(redacted_payload, payload) AS shown FROM audit_events
            WHERE object_kind = ? AND object_id = ? ORDER BY raft_index DESC, ordinal DESC LIMIT 1
            """), arguments: [kind.rawValue, id]) {
            return (row["object_name"], row["service_id"], row["shown"])
        }
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT object_name, COALESCE(redacted_payload, payload) AS shown FROM audit_base WHERE object_kind = ? AND object_id = ?
            """), arguments: [kind.rawValue, id]) {
            let shown: String = row["shown"]
            return (row["object_name"], kind == .service ? id : serviceID(inTask: shown), shown)
        }
        return nil
    }

    private static func serviceID(inTask payload: String) -> String? {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8)))?.objectValue?["ServiceID"]?.stringValue
    }

    struct ChainPosition {
        var index: UInt64
        var ordinal: Int
        var hash: [UInt8]
        var count: Int64
    }

    static func chainHead(_ db: Database) throws -> ChainPosition {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT head_index, head_ordinal, head_hash, head_count FROM audit_chain WHERE id = 1
            """)) else { throw StoreError.schema("audit_chain has no row") }
        let index: Int64 = row["head_index"]
        let hash: Data = row["head_hash"]
        return ChainPosition(index: UInt64(index), ordinal: row["head_ordinal"], hash: [UInt8](hash), count: row["head_count"])
    }

    private static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    private static func patchText(_ patch: JSONPatch) -> String? {
        guard !patch.isEmpty, let data = try? ResourceRow.encoder().encode(patch) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Links rows written before the chain existed (a store from an older Colmeia), in log
    /// order, once, when the store opens.
    static func linkUnchainedRows(_ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit_events WHERE hash IS NULL)") == true else { return }
        var head = try chainHead(db)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(auditRecordColumns) FROM audit_events WHERE hash IS NULL ORDER BY raft_index, ordinal")
        var updates: [(Int64, Int, Data)] = []
        while let row = try rows.next() {
            var record = try auditRecord(row)
            let details: String? = row["actor_details"]
            record.hash = AuditChain.link(head.hash, canonical: AuditChain.canonicalBytes(record, details: .some(details)))
            head = ChainPosition(index: record.index, ordinal: record.ordinal, hash: record.hash, count: head.count + 1)
            updates.append((Int64(record.index), record.ordinal, Data(record.hash)))
        }
        for (index, ordinal, hash) in updates {
            try db.execute(sql: "UPDATE audit_events SET hash = ? WHERE raft_index = ? AND ordinal = ?", arguments: [hash, index, ordinal])
        }
        try db.execute(sql: "UPDATE audit_chain SET head_index = ?, head_ordinal = ?, head_hash = ?, head_count = ? WHERE id = 1",
                       arguments: [Int64(head.index), head.ordinal, Data(head.hash), head.count])
    }
}
