import ColmeiaModel
import ColmeiaRaft
import ColmeiaStore

/// The cluster's replicated state machine: committed commands applied into the
/// ``ClusterStore`` read models.
public final class ClusterStateMachine: ReplicatedStateMachine {
    public let store: ClusterStore

    public init(store: ClusterStore) {
        self.store = store
    }

    public var appliedIndex: UInt64 { store.applied.index }

    public func apply(_ entries: [CommittedEntry]) throws -> [ApplyOutcome] {
        let storeEntries = entries.map { entry -> StoreEntry in
            guard let payload = entry.payload else {
                return StoreEntry(index: entry.index, term: entry.term, content: .empty)
            }
            do {
                return StoreEntry(index: entry.index, term: entry.term, content: .command(try ClusterCommand(encoded: payload)))
            } catch {
                // Every manager decodes the same bytes the same way, so refusing here is as
                // deterministic as applying; the node stays up and the reason is recorded.
                return StoreEntry(index: entry.index, term: entry.term, content: .undecodable("undecodable command: \(error)"))
            }
        }
        return try store.apply(storeEntries)
    }

    public func snapshotData() throws -> [UInt8] {
        try store.snapshotData()
    }

    public func restore(_ snapshot: Snapshot) throws {
        try store.restore(snapshotData: snapshot.data)
    }
}
