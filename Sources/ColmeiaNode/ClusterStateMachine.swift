import ColmeiaModel
import ColmeiaRaft
import ColmeiaStore

/// The cluster's replicated state machine: committed commands applied into the
/// ``ClusterStore`` read models.
///
/// With `followsSwarmSettings`, snapshots follow the swarm's `Spec.Raft` (`docker swarm
/// update --snapshot-interval`): every manager reads the same replicated values, so they
/// all compact alike.
public final class ClusterStateMachine: ReplicatedStateMachine {
    public let store: ClusterStore
    private let followsSwarmSettings: Bool
    public private(set) var snapshotPolicy: SnapshotPolicy?

    public init(store: ClusterStore, followsSwarmSettings: Bool = false) {
        self.store = store
        self.followsSwarmSettings = followsSwarmSettings
        readSnapshotPolicy()
    }

    private func readSnapshotPolicy() {
        guard followsSwarmSettings, let raft = (try? store.list(Swarm.self))?.first?.spec.raft,
              raft.snapshotInterval > 0 else { return }
        snapshotPolicy = SnapshotPolicy(interval: raft.snapshotInterval, retainedEntries: raft.logEntriesForSlowFollowers)
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
        let started = ContinuousClock.now
        let outcomes = try store.apply(storeEntries)
        NodeMetrics.apply.record(duration: ContinuousClock.now - started)
        if followsSwarmSettings, storeEntries.contains(where: \.changesSwarm) { readSnapshotPolicy() }
        return outcomes
    }

    public func snapshotData() throws -> [UInt8] {
        try store.snapshotData()
    }

    /// Beside `state.db`: in memory when the read models are.
    public func snapshotScratchPath(named name: String) -> String {
        store.snapshotScratchPath(named: name)
    }

    /// Snapshots are copied from the store on a read-only connection of their own.
    public var snapshotWriter: (any StateMachineSnapshotWriter)? { StoreSnapshotWriter(store: store) }

    public func restore(_ snapshot: Snapshot) throws {
        try store.restore(snapshotData: snapshot.data)
        readSnapshotPolicy()
    }

    public func restore(_ metadata: SnapshotMetadata, fromFile path: String) throws {
        try store.restore(snapshotFile: path)
        readSnapshotPolicy()
    }
}

extension StoreEntry {
    fileprivate var changesSwarm: Bool {
        guard case .command(let command) = content else { return false }
        return command.events.contains {
            switch $0 {
            case .clusterCreated, .clusterUpdated: true
            default: false
            }
        }
    }
}
