import ColmeiaModel
import Foundation
import GRDB

/// How much of the audit trail `state.db` keeps; the rest goes to the archive (or, with
/// `archive` off, is dropped, its chain kept as the checkpoint's hash).
public struct AuditRetention: Sendable, Hashable {
    /// Keep at most this many records in `state.db`.
    public var maxRecords: Int?
    /// Move records older than this.
    public var maxAge: Duration?
    public var archive: Bool
    /// Records per archive segment.
    public var segmentRecords: Int

    public init(maxRecords: Int? = nil, maxAge: Duration? = nil, archive: Bool = true, segmentRecords: Int = 5_000) {
        self.maxRecords = maxRecords
        self.maxAge = maxAge
        self.archive = archive
        self.segmentRecords = max(1, segmentRecords)
    }

    public var isActive: Bool { maxRecords != nil || maxAge != nil }
}

extension ClusterStore {
    /// How many of the newest indexes a retention pass never moves.
    static let retentionMargin: Int64 = 16

    /// What one retention pass did.
    public struct RetentionRun: Sendable, Hashable {
        public var movedRecords: Int = 0
        public var segmentsWritten: Int = 0
        public var archivedThrough: UInt64?
    }

    /// Moves the records the policy no longer keeps out of `state.db`, a segment at a time,
    /// whole log indexes at once. Each batch is written (and synced) to the archive before
    /// its rows leave the database, in one transaction with the new checkpoint and base.
    public func applyRetention(_ policy: AuditRetention, now: Timestamp = .now()) throws(QueryError) -> RetentionRun {
        var run = RetentionRun()
        guard policy.isActive, let cut = try retentionCut(policy, now: now) else { return run }
        while true {
            let batch: (records: [AuditRecord], canonical: [[UInt8]], base: [AuditArchive.BaseObject], chain: AuditChainState)? = try read { db in
                let chain = try Self.chainState(db)
                guard let limitRow = try Row.fetchOne(db, sql: """
                    SELECT raft_index FROM audit_events WHERE raft_index <= ? ORDER BY raft_index, ordinal LIMIT 1 OFFSET ?
                    """, arguments: [Int64(cut), policy.segmentRecords - 1]) ?? Row.fetchOne(db, sql: """
                    SELECT MAX(raft_index) AS raft_index FROM audit_events WHERE raft_index <= ?
                    """, arguments: [Int64(cut)]) else { return nil }
                guard let last: Int64 = limitRow["raft_index"] else { return nil }
                let rows = try Row.fetchAll(db, sql: "SELECT \(Self.auditRecordColumns) FROM audit_events WHERE raft_index <= ? ORDER BY raft_index, ordinal",
                                            arguments: [last])
                guard !rows.isEmpty else { return nil }
                var canonical: [[UInt8]] = []
                canonical.reserveCapacity(rows.count)
                let records = try rows.map { row -> AuditRecord in
                    var record = try Self.auditRecord(row)
                    // The archive keeps what the chain covers: the payload as shown.
                    record.payload = record.shownPayload
                    record.redactedPayload = nil
                    canonical.append(AuditChain.canonicalBytes(record, details: .some(row["actor_details"] as String?)))
                    return record
                }
                let base = try Row.fetchAll(db, sql: "SELECT * FROM audit_base ORDER BY object_kind, object_id").compactMap { row -> AuditArchive.BaseObject? in
                    guard let kind = ObjectKind(rawValue: row["object_kind"]) else { return nil }
                    let index: Int64 = row["raft_index"]
                    let shown: String = (row["redacted_payload"] as String?) ?? row["payload"]
                    return AuditArchive.BaseObject(kind: kind, id: row["object_id"], index: UInt64(index), ordinal: row["ordinal"],
                                                   name: row["object_name"], payload: shown)
                }
                return (records, canonical, base, chain)
            }
            guard let batch, let last = batch.records.last else { break }
            if policy.archive {
                _ = try archive.write(base: batch.base, records: batch.records, canonical: batch.canonical,
                                      previousHash: batch.chain.archivedCount > 0 ? batch.chain.archivedHash : AuditChain.genesis)
                run.segmentsWritten += 1
            }
            try moveOut(batch.records, expecting: batch.chain)
            run.movedRecords += batch.records.count
            run.archivedThrough = last.index
        }
        if run.movedRecords > 0 { releaseFreePages() }
        return run
    }

    /// The last log index the policy moves out, nil when it keeps everything.
    private func retentionCut(_ policy: AuditRetention, now: Timestamp) throws(QueryError) -> UInt64? {
        try read { db in
            var cut: Int64?
            if let maxRecords = policy.maxRecords {
                let chain = try Self.chainState(db)
                let hot = chain.headCount - chain.archivedCount
                if hot > Int64(maxRecords) {
                    let row = try Row.fetchOne(db, sql: "SELECT raft_index FROM audit_events ORDER BY raft_index, ordinal LIMIT 1 OFFSET ?",
                                               arguments: [hot - Int64(maxRecords) - 1])
                    if let index: Int64 = row?["raft_index"] {
                        // Whole indexes only: keep the cut index if moving it would leave fewer.
                        let firstKept = try Row.fetchOne(db, sql: """
                            SELECT raft_index FROM audit_events ORDER BY raft_index, ordinal LIMIT 1 OFFSET ?
                            """, arguments: [hot - Int64(maxRecords)])?["raft_index"] as Int64?
                        cut = firstKept == index ? index - 1 : index
                    }
                }
            }
            if let maxAge = policy.maxAge {
                let (seconds, attoseconds) = maxAge.components
                let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
                let age = overflow ? Int64.max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
                // An age longer than the clock reaches back moves nothing.
                let (limit, underflow) = now.nanosecondsSinceEpoch.subtractingReportingOverflow(age)
                if underflow {
                    // nothing is that old
                } else if let oldest = try Int64.fetchOne(db, sql: """
                    SELECT raft_index FROM audit_events WHERE time_ns >= ? ORDER BY raft_index, ordinal LIMIT 1
                    """, arguments: [limit]) {
                    cut = max(cut ?? 0, oldest - 1)
                } else if let newest = try Int64.fetchOne(db, sql: "SELECT MAX(raft_index) FROM audit_events") {
                    cut = max(cut ?? 0, newest)
                }
            }
            // The newest indexes stay whatever the policy says: the change feed's readers
            // (reconcilers, `docker events`) may not have read them yet.
            let ceiling = Int64(applied.index) - Self.retentionMargin
            guard let cut, min(cut, ceiling) > 0 else { return nil }
            return UInt64(min(cut, ceiling))
        }
    }

    /// Deletes `records` (the oldest in the table) and moves the checkpoint and base past
    /// them, in one transaction; refuses if another pass moved the checkpoint meanwhile.
    private func moveOut(_ records: [AuditRecord], expecting chain: AuditChainState) throws(QueryError) {
        guard let last = records.last else { return }
        do {
            try pool.write { db in
                let now = try Self.chainState(db)
                // Apply moves the head meanwhile; only another pass moves the checkpoint.
                guard now.archivedIndex == chain.archivedIndex, now.archivedOrdinal == chain.archivedOrdinal,
                      now.archivedCount == chain.archivedCount else {
                    throw QueryError.database("the audit checkpoint moved during a retention pass")
                }
                var removed: [(String, String)] = []
                // Every kind whose later rows look back for a name or a previous version
                // (tokens too): apply must find the same on every manager, archived or not.
                for record in records where record.objectKind != .request && record.objectKind != .backup {
                    if record.type.hasSuffix(".removed") {
                        try db.execute(sql: "DELETE FROM audit_base WHERE object_kind = ? AND object_id = ?",
                                       arguments: [record.objectKind.rawValue, record.objectID])
                        removed.append((record.objectKind.rawValue, record.objectID))
                    } else {
                        try db.execute(sql: """
                            INSERT OR REPLACE INTO audit_base (object_kind, object_id, raft_index, ordinal, object_name, payload, redacted_payload)
                            VALUES (?, ?, ?, ?, ?, ?, NULL)
                            """, arguments: [record.objectKind.rawValue, record.objectID, Int64(record.index), record.ordinal,
                                             record.objectName, record.payload])
                    }
                }
                for (kind, id) in removed {
                    try db.execute(sql: "DELETE FROM audit_objects WHERE object_kind = ? AND object_id = ?", arguments: [kind, id])
                }
                try db.execute(sql: "DELETE FROM audit_events WHERE raft_index <= ?", arguments: [Int64(last.index)])
                try db.execute(sql: """
                    UPDATE audit_chain SET archived_index = ?, archived_ordinal = ?, archived_hash = ?,
                        archived_count = archived_count + ?, archived_time_ns = ? WHERE id = 1
                    """, arguments: [Int64(last.index), last.ordinal, Data(last.hash), records.count, last.time.nanosecondsSinceEpoch])
            }
        } catch let error as QueryError {
            throw error
        } catch {
            throw .database("cannot move audit records out: \(error)")
        }
    }
}
