import ColmeiaModel

extension ClusterStore {
    /// Every applied event after `index`, grouped by command, in log order and without
    /// gaps, for as long as the caller iterates. The sequence is pulled: a slow consumer
    /// only falls behind (and catches up from the audit trail), it never slows apply.
    ///
    /// ```swift
    /// for try await batch in store.changes(after: store.applied.index) { … }
    /// ```
    public func changes(after index: UInt64) -> ChangeSequence {
        ChangeSequence(store: self, cursor: AuditCursor(index: index))
    }

    /// Waits until the applied index passes `index`; returns the new applied index.
    public func waitForApply(after index: UInt64) async -> UInt64 {
        await feed.wait(after: index)
    }
}

/// The change feed of a ``ClusterStore``; see ``ClusterStore/changes(after:)``.
public struct ChangeSequence: AsyncSequence, Sendable {
    public typealias Element = ChangeBatch

    let store: ClusterStore
    let cursor: AuditCursor

    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: ClusterStore
        var cursor: AuditCursor
        var buffered: [ChangeBatch] = []

        public mutating func next() async throws -> ChangeBatch? {
            try await fill(limit: 1_000)
            return buffered.removeFirst()
        }

        /// Every change of the next read (up to about `limit` events), at once: a reader
        /// that forwards changes can write them in one go.
        public mutating func nextPage(limit: Int) async throws -> [ChangeBatch] {
            try await fill(limit: limit)
            defer { buffered = [] }
            return buffered
        }

        private mutating func fill(limit: Int) async throws {
            while buffered.isEmpty {
                try Task.checkCancellation()
                // From the archive too, for a reader the retention policy overtook.
                let page = try store.auditRecords(AuditQuery(after: cursor, limit: limit))
                if page.records.isEmpty {
                    _ = await store.waitForApply(after: Swift.max(cursor.index, store.applied.index))
                    continue
                }
                var batches: [ChangeBatch] = []
                for record in page.records {
                    if batches.last?.index == record.index {
                        batches[batches.count - 1].records.append(record)
                    } else {
                        batches.append(ChangeBatch(index: record.index, records: [record]))
                    }
                }
                // A command's rows land in one transaction, so a page cut inside one is
                // completed by the next read; hold back the last batch unless the page ended.
                if page.next != nil, batches.count > 1 { batches.removeLast() }
                if let last = batches.last?.records.last { cursor = last.cursor }
                buffered = batches
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(store: store, cursor: cursor)
    }
}
