import ColmeiaModel
import Foundation
import GRDB

/// The chain's head and archive checkpoint, as `audit_chain` holds them.
public struct AuditChainState: Sendable, Hashable {
    public var headIndex: UInt64
    public var headOrdinal: Int
    public var headHash: [UInt8]
    public var headCount: Int64
    /// The last record moved out of `state.db` (count 0: none yet).
    public var archivedIndex: UInt64
    public var archivedOrdinal: Int
    public var archivedHash: [UInt8]
    public var archivedCount: Int64
    public var archivedTime: Timestamp?
}

/// What `verifyAuditTrail` found.
public struct AuditVerification: Sendable, Hashable {
    public struct Position: Sendable, Hashable {
        public var index: UInt64
        public var ordinal: Int
    }

    /// Records whose link was recomputed (archive and `state.db`).
    public var records: Int64
    public var archivedRecords: Int64
    public var segments: Int
    /// Records dropped by the retention policy before the first one checked (their chain
    /// ends in the checkpoint the check starts from).
    public var droppedRecords: Int64
    public var headIndex: UInt64
    public var headOrdinal: Int
    public var headHash: [UInt8]
    /// The first record whose link does not hold, and why; nil when the whole chain holds.
    public var broken: Position?
    public var reason: String?

    public var isValid: Bool { broken == nil }
}

extension ClusterStore {
    public func auditChainState() throws(QueryError) -> AuditChainState {
        try read { db in try Self.chainState(db) }
    }

    static func chainState(_ db: Database) throws -> AuditChainState {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM audit_chain WHERE id = 1") else {
            throw StoreError.schema("audit_chain has no row")
        }
        let headIndex: Int64 = row["head_index"]
        let archivedIndex: Int64 = row["archived_index"]
        let headHash: Data = row["head_hash"]
        let archivedHash: Data = row["archived_hash"]
        let archivedTime: Int64 = row["archived_time_ns"]
        let archivedCount: Int64 = row["archived_count"]
        return AuditChainState(headIndex: UInt64(headIndex), headOrdinal: row["head_ordinal"], headHash: [UInt8](headHash),
                               headCount: row["head_count"], archivedIndex: UInt64(archivedIndex),
                               archivedOrdinal: row["archived_ordinal"], archivedHash: [UInt8](archivedHash),
                               archivedCount: archivedCount,
                               archivedTime: archivedCount > 0 ? Timestamp(nanosecondsSinceEpoch: archivedTime) : nil)
    }

    /// Recomputes the hash chain over the archive segments and every audit row, in log
    /// order, and names the first record whose link does not hold (an altered, missing or
    /// inserted record, a damaged archive block).
    /// Whether a segment's summary (what queries skip segments by) says what its records do.
    static func summary(_ segment: AuditArchive.Segment, matches records: [AuditRecord]) -> Bool {
        guard let first = records.first, let last = records.last else { return false }
        return segment.records == records.count && segment.firstIndex == first.index && segment.firstOrdinal == first.ordinal
            && segment.lastIndex == last.index && segment.lastOrdinal == last.ordinal && segment.lastHash == AuditChain.hex(last.hash)
            && segment.services == Set(records.compactMap(\.serviceID)).sorted()
            && segment.actors == Set(records.map(\.actor.id)).sorted()
            && segment.types == Set(records.map(\.type)).sorted()
            && segment.outcomes == Set(records.map(\.outcome)).sorted()
            && segment.serviceNames == Set(records.filter { $0.objectKind == .service }.map(\.objectName)).sorted()
            && segment.minTimeNanoseconds == (records.map(\.time.nanosecondsSinceEpoch).min() ?? 0)
            && segment.maxTimeNanoseconds == (records.map(\.time.nanosecondsSinceEpoch).max() ?? 0)
    }

    /// Whether `redacted` is the record's payload without its registry credentials (or,
    /// for the cluster, its join tokens).
    static func isRedaction(_ redacted: String, of record: AuditRecord) -> Bool {
        let decoder = JSONDecoder()
        let payload = Data(record.payload.utf8)
        let expected: Data?
        switch record.objectKind {
        case .service: expected = (try? decoder.decode(Service.self, from: payload)).flatMap { try? ResourceRow.encoder().encode($0.redactedForAPI()) }
        case .task: expected = (try? decoder.decode(SwarmTask.self, from: payload)).flatMap { try? ResourceRow.encoder().encode($0.redactedForAPI()) }
        case .cluster: expected = (try? decoder.decode(Swarm.self, from: payload)).flatMap { try? ResourceRow.encoder().encode($0.redactedForAudit()) }
        default: return false
        }
        guard let expected, let want = try? decoder.decode(JSONValue.self, from: expected),
              let have = try? decoder.decode(JSONValue.self, from: Data(redacted.utf8)) else { return false }
        return want == have
    }

    public func verifyAuditTrail() throws(QueryError) -> AuditVerification {
        // One read transaction: the rows, the head and the checkpoint agree.
        let result: AuditVerification = try read { db in
            let chain = try Self.chainState(db)
            let segments: [AuditArchive.Segment]
            do {
                segments = chain.archivedCount == 0 ? []
                    : try archive.segments(through: AuditCursor(index: chain.archivedIndex, ordinal: chain.archivedOrdinal))
            } catch {
                throw StoreError.database("\(error)")
            }
            var verification = AuditVerification(records: 0, archivedRecords: 0, segments: segments.count, droppedRecords: 0,
                                                  headIndex: chain.headIndex, headOrdinal: chain.headOrdinal,
                                                  headHash: chain.headHash, broken: nil, reason: nil)
            func broken(_ index: UInt64, _ ordinal: Int, _ reason: String) -> AuditVerification {
                var copy = verification
                copy.broken = .init(index: index, ordinal: ordinal)
                copy.reason = reason
                return copy
            }
            var previous = AuditChain.genesis
            var counted: Int64 = 0
            if let first = segments.first, first.previousHash != AuditChain.hex(AuditChain.genesis) {
                // Records before the archive were dropped: the chain resumes at its hash.
                previous = AuditChain.bytes(hex: first.previousHash) ?? AuditChain.genesis
                verification.droppedRecords = -1
            }
            for segment in segments {
                guard AuditChain.hex(previous) == segment.previousHash else {
                    return broken(segment.firstIndex, segment.firstOrdinal,
                                  "archive segment \(segment.file) does not continue the chain (a segment before it is missing or altered)")
                }
                let content: [AuditRecord]
                do throws(AuditArchive.Damage) {
                    content = try archive.read(segment).records
                } catch {
                    return broken(error.firstIndex, error.firstOrdinal, error.description)
                }
                guard Self.summary(segment, matches: content) else {
                    return broken(segment.firstIndex, segment.firstOrdinal,
                                  "the summary of archive segment \(segment.file) does not match its records")
                }
                for record in content {
                    guard AuditChain.link(previous, record) == record.hash else {
                        return broken(record.index, record.ordinal,
                                      "record \(record.index).\(record.ordinal) in archive segment \(segment.file) does not match its hash")
                    }
                    previous = record.hash
                    counted += 1
                    verification.archivedRecords += 1
                }
            }
            if chain.archivedCount > 0 {
                if segments.isEmpty {
                    // Nothing archived here (dropped, or this manager got the state in a
                    // snapshot): the chain resumes at the checkpoint.
                    previous = chain.archivedHash
                    verification.droppedRecords = chain.archivedCount
                    counted = chain.archivedCount
                } else {
                    if verification.droppedRecords == -1 { verification.droppedRecords = chain.archivedCount - counted }
                    counted = chain.archivedCount
                    guard previous == chain.archivedHash else {
                        return broken(chain.archivedIndex, chain.archivedOrdinal,
                                      "the archive ends before the checkpoint at record \(chain.archivedIndex).\(chain.archivedOrdinal) (a segment is missing)")
                    }
                }
            } else if verification.droppedRecords == -1 {
                verification.droppedRecords = 0
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.auditRecordColumns) FROM audit_events ORDER BY raft_index, ordinal")
            var checked: Int64 = verification.archivedRecords
            while let row = try rows.next() {
                let record: AuditRecord
                do {
                    record = try Self.auditRecord(row)
                } catch {
                    let index: Int64 = row["raft_index"]
                    return broken(UInt64(index), row["ordinal"], "record \(index).\(row["ordinal"] as Int) is unreadable")
                }
                let details: String? = row["actor_details"]
                // The chain covers the redacted copy: it must be the payload, redacted.
                if let redacted = record.redactedPayload, !Self.isRedaction(redacted, of: record) {
                    return broken(record.index, record.ordinal,
                                  "record \(record.index).\(record.ordinal) (\(record.type) \(record.objectID)) holds a payload its redacted copy does not match")
                }
                let link = AuditChain.link(previous, canonical: AuditChain.canonicalBytes(record, details: .some(details)))
                guard link == record.hash else {
                    return broken(record.index, record.ordinal,
                                  "record \(record.index).\(record.ordinal) (\(record.type) \(record.objectID)) does not match its hash: "
                                  + "it, or the one before it, was altered, removed or inserted")
                }
                previous = link
                counted += 1
                checked += 1
            }
            verification.records = checked
            guard previous == chain.headHash, counted == chain.headCount else {
                return broken(chain.headIndex, chain.headOrdinal,
                              "the chain head \(chain.headIndex).\(chain.headOrdinal) does not match the records (a record after it was removed)")
            }
            return verification
        }
        return result
    }
}
