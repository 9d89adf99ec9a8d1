import ColmeiaModel
import Foundation
import GRDB

/// Secret fields at rest: every connection has `colmeia_seal(json, kind, id)` and
/// `colmeia_unseal(json, kind, id)`, so the statements that write a body or an audit
/// payload seal it, and the ones that read one for decoding open it, whatever code runs
/// them (apply's static helpers included).
extension ClusterStore {
    /// The SQL expression of `column` with its sealed fields opened; rows without any are
    /// passed through untouched, without a call into Swift.
    static func opened(_ column: String, kind: String, id: String) -> String {
        "CASE WHEN instr(\(column), '\(FieldSealer.marker)') > 0 THEN colmeia_unseal(\(column), \(kind), \(id)) ELSE \(column) END"
    }

    /// The columns `auditRecord(_:)` reads, with the payload's sealed fields opened.
    static let auditRecordColumns = """
        raft_index, ordinal, raft_term, time_ns, time, actor_kind, actor_id, request_id, command_id, type, object_kind,
        object_id, \(opened("payload", kind: "object_kind", id: "object_id")) AS payload, actor_details, object_name,
        service_id, outcome, patch, redacted_payload, hash
        """

    static func addSealingFunctions(_ db: Database, sealer: FieldSealer?) {
        db.add(function: DatabaseFunction("colmeia_seal", argumentCount: 3, pure: false) { values in
            guard let sealer, let (json, kind, id) = arguments(values) else { return values[0] }
            return try sealer.seal(json, kind: kind, id: id)
        })
        db.add(function: DatabaseFunction("colmeia_unseal", argumentCount: 3, pure: false) { values in
            guard let (json, kind, id) = arguments(values) else { return values[0] }
            guard let sealer else { return try FieldSealer.refuseSealed(json, kind: kind, id: id) }
            return try sealer.unseal(json, kind: kind, id: id)
        })
    }

    private static func arguments(_ values: [DatabaseValue]) -> (String, ObjectKind, String)? {
        // The kind first: most rows have nothing to seal, and their body is not copied out.
        guard values.count == 3, let kindName = String.fromDatabaseValue(values[1]), let kind = ObjectKind(rawValue: kindName),
              FieldSealer.sealedKinds.contains(kind), let json = String.fromDatabaseValue(values[0]),
              let id = String.fromDatabaseValue(values[2]) else { return nil }
        return (json, kind, id)
    }

    /// At open: a store sealed under another key (or under one when this store has none)
    /// is refused as corrupt, so the node rebuilds it; a store written in the clear (before
    /// its manager sealed) is sealed now, then rewritten whole so that no free page keeps
    /// the clear text.
    static func adoptSealing(_ pool: DatabasePool, sealer: FieldSealer?, path: String) throws {
        let sealedNow: Bool = try pool.write { db in
            let check = try String.fetchOne(db, sql: "SELECT key_check FROM field_sealing WHERE id = 1")
            guard let sealer else {
                if check != nil { throw StoreError.corrupt("\(path) holds fields sealed under a data key this manager does not use") }
                return false
            }
            if let check {
                guard sealer.opens(keyCheck: check) else {
                    throw StoreError.corrupt("\(path) holds fields sealed under another data key than this manager's")
                }
                return false
            }
            try sealAll(db, sealer: sealer)
            return try readPosition(db).index > 0
        }
        if sealedNow {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
    }

    /// Seals every secret field still in the clear, and records the key check.
    static func sealAll(_ db: Database, sealer: FieldSealer) throws {
        let kinds = FieldSealer.sealedKinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        try db.execute(sql: "UPDATE resources SET body = colmeia_seal(body, kind, id) WHERE kind IN (\(kinds))")
        // Only payloads whose readers see a redacted copy: the chain covers that copy.
        try db.execute(sql: """
            UPDATE audit_events SET payload = colmeia_seal(payload, object_kind, object_id)
            WHERE object_kind IN ('service', 'task', 'cluster') AND redacted_payload IS NOT NULL
            """)
        try db.execute(sql: "INSERT OR REPLACE INTO field_sealing (id, key_check) VALUES (1, ?)", arguments: [try sealer.keyCheck()])
    }

    /// Opens every sealed field and forgets the key check: a copy made for a snapshot,
    /// which another manager (with its own key) restores.
    static func unsealAll(_ db: Database) throws {
        try db.execute(sql: "UPDATE resources SET body = \(opened("body", kind: "kind", id: "id")) WHERE instr(body, '\(FieldSealer.marker)') > 0")
        try db.execute(sql: """
            UPDATE audit_events SET payload = \(opened("payload", kind: "object_kind", id: "object_id"))
            WHERE instr(payload, '\(FieldSealer.marker)') > 0
            """)
        try db.execute(sql: "DELETE FROM field_sealing")
    }

    /// A configuration for a connection to a copy of this store (a snapshot being made or
    /// restored): the same sealing functions.
    func copyConfiguration() -> Configuration {
        var configuration = Configuration()
        let sealer = sealer
        configuration.prepareDatabase { db in Self.addSealingFunctions(db, sealer: sealer) }
        return configuration
    }
}
