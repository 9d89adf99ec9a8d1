import ColmeiaModel
import Foundation
import GRDB

extension ClusterStore {
    /// The kinds of object a read as of an index shows.
    public static let historicalKinds: [ObjectKind] = [.cluster, .node, .service, .task, .secret, .config, .network]

    /// The read models as they stood at `index`, in a store of their own (cached): every
    /// object the audit trail names, at its newest version at or below `index`, without the
    /// removed ones. Built from the trail (and its archive), never from the live tables, so
    /// the live read models are not disturbed and compaction of the Raft log loses nothing.
    ///
    /// Only `kinds` are sure to be filled (a list of services needs no tasks); a later read
    /// of the same index fills what it needs more.
    ///
    /// ```swift
    /// let before = try store.asOf(index: 120, kinds: [.service])
    /// let services = try before.list(Service.self)
    /// ```
    public func asOf(index: UInt64, kinds: Set<ObjectKind> = Set(ClusterStore.historicalKinds)) throws(QueryError) -> ClusterStore {
        let applied = applied.index
        guard index <= applied else {
            throw .invalidArgument("index \(index) is beyond the log (the last applied index is \(applied))")
        }
        // One fill at a time: two reads of the same index must not fill it twice.
        historical.fillLock.lock()
        defer { historical.fillLock.unlock() }
        let cached = historical.store(at: index)
        let missing = kinds.subtracting(cached?.filled ?? [])
        if let cached, missing.isEmpty { return cached.store }
        let objects = try objectVersions(at: index, kinds: missing)
        let scratch = cached?.store.path ?? historicalPath(at: index)
        do {
            let store = try cached?.store ?? ClusterStore(path: scratch, scratch: true, sealer: sealer, scratchDirectory: scratchDirectory)
            try store.pool.write { db in
                for (kind, payload) in objects {
                    try Self.resourceRow(kind: kind, payload: payload).insert(db)
                }
                try db.execute(sql: "UPDATE applied_state SET raft_index = ?, raft_term = 0 WHERE id = 1", arguments: [Int64(index)])
            }
            store.position.withLock { $0 = AppliedPosition(index: index, term: 0) }
            historical.insert(store, at: index, filled: missing.union(cached?.filled ?? []))
            return store
        } catch {
            if cached == nil { ClusterStore.removeFiles(of: scratch) }
            throw .database("cannot build the state as of index \(index): \(error)")
        }
    }

    /// The last log index whose records are no later than `time`.
    public func index(at time: Timestamp) throws(QueryError) -> UInt64 {
        let bounds = try auditBounds()
        guard let first = bounds.firstTime, time >= first else {
            throw .invalidArgument("time \(time.rfc3339) is before the first record of the audit trail"
                + (bounds.firstTime.map { " (\($0.rfc3339))" } ?? ""))
        }
        let found: Int64? = try read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(raft_index) FROM audit_events WHERE time_ns <= ?",
                               arguments: [time.nanosecondsSinceEpoch])
        }
        if let found { return UInt64(found) }
        return try archive.lastIndex(atOrBefore: time, through: bounds.archivedThrough ?? 0) ?? bounds.firstIndex
    }

    /// Where the trail starts (in the archive when there is one) and ends.
    public struct AuditBounds: Sendable, Hashable {
        public var firstIndex: UInt64
        public var firstTime: Timestamp?
        public var lastIndex: UInt64
        /// Records before this index were moved to the archive (or dropped).
        public var archivedThrough: UInt64?
    }

    public func auditBounds() throws(QueryError) -> AuditBounds {
        let chain = try auditChainState()
        let hot: Row? = try read { db in
            try Row.fetchOne(db, sql: """
                SELECT (SELECT raft_index FROM audit_events ORDER BY raft_index, ordinal LIMIT 1) AS first_index,
                       (SELECT time_ns FROM audit_events ORDER BY raft_index, ordinal LIMIT 1) AS first_time
                """)
        }
        let archived = chain.archivedCount > 0 ? chain.archivedIndex : nil
        if archived != nil, let segment = try archive.firstSegment() {
            return AuditBounds(firstIndex: segment.firstIndex, firstTime: segment.firstTime, lastIndex: applied.index,
                               archivedThrough: archived)
        }
        let firstIndex: Int64? = hot?["first_index"]
        let firstTime: Int64? = hot?["first_time"]
        return AuditBounds(firstIndex: firstIndex.map(UInt64.init) ?? 0, firstTime: firstTime.flatMap(Timestamp.init(nanosecondsSinceEpoch:)),
                           lastIndex: applied.index, archivedThrough: archived)
    }

    /// Every tracked object's newest payload at or below `index`, removed ones left out.
    func objectVersions(at index: UInt64, kinds wanted: Set<ObjectKind>) throws(QueryError) -> [(ObjectKind, String)] {
        let wanted = wanted.intersection(Self.historicalKinds)
        guard !wanted.isEmpty else { return [] }
        let chain = try auditChainState()
        if chain.archivedCount > 0, index < chain.archivedIndex {
            return try archive.objectVersions(at: index, through: chain.archivedIndex, kinds: wanted)
        }
        let kinds = wanted.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        return try read { db in
            var found: [String: (ObjectKind, String)?] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT o.object_kind, o.object_id, e.type, \(Self.opened("e.payload", kind: "e.object_kind", id: "e.object_id")) AS payload
                FROM audit_objects o
                JOIN audit_events e ON e.object_kind = o.object_kind AND e.object_id = o.object_id
                    AND (e.raft_index, e.ordinal) = (
                        SELECT raft_index, ordinal FROM audit_events x
                        WHERE x.object_kind = o.object_kind AND x.object_id = o.object_id AND x.raft_index <= ?
                        ORDER BY raft_index DESC, ordinal DESC LIMIT 1)
                WHERE o.first_index <= ? AND o.object_kind IN (\(kinds))
                """, arguments: [Int64(index), Int64(index)])
            while let row = try rows.next() {
                let kindName: String = row["object_kind"]
                guard let kind = ObjectKind(rawValue: kindName) else { continue }
                let id: String = row["object_id"]
                let type: String = row["type"]
                let version: (ObjectKind, String)? = type.hasSuffix(".removed") ? nil : (kind, row["payload"])
                found[kindName + "/" + id] = .some(version)
            }
            // Objects whose newest version at `index` was archived: the checkpoint's base.
            let base = try Row.fetchCursor(db, sql: "SELECT object_kind, object_id, payload FROM audit_base WHERE raft_index <= ?",
                                           arguments: [Int64(index)])
            while let row = try base.next() {
                let kindName: String = row["object_kind"]
                let id: String = row["object_id"]
                guard found[kindName + "/" + id] == nil, let kind = ObjectKind(rawValue: kindName),
                      wanted.contains(kind) else { continue }
                found[kindName + "/" + id] = (kind, row["payload"])
            }
            return found.values.compactMap { $0 }
        }
    }

    static func resourceRow(kind: ObjectKind, payload: String) throws -> ResourceRow {
        let data = Data(payload.utf8)
        let decoder = JSONDecoder()
        switch kind {
        case .cluster: return try ResourceRow(decoder.decode(Swarm.self, from: data))
        case .node: return try ResourceRow(decoder.decode(Node.self, from: data))
        case .service: return try ResourceRow(decoder.decode(Service.self, from: data))
        case .task: return try ResourceRow(decoder.decode(SwarmTask.self, from: data))
        case .secret: return try ResourceRow(decoder.decode(Secret.self, from: data))
        case .config: return try ResourceRow(decoder.decode(Config.self, from: data))
        case .network: return try ResourceRow(decoder.decode(Network.self, from: data))
        case .token, .request, .backup, .webhook, .deploy, .subscription, .delivery: throw StoreError.schema("\(kind.rawValue) is not a stored object")
        }
    }
}
