import ColmeiaStore

/// The cluster store's snapshot writer: ``ClusterStore/writeSnapshot(toFile:)``, a copy
/// on a read-only connection of its own that does not hold up apply.
struct StoreSnapshotWriter: StateMachineSnapshotWriter {
    let store: ClusterStore

    func writeSnapshot(toFile path: String) throws -> (index: UInt64, term: UInt64) {
        let position = try store.writeSnapshot(toFile: path)
        return (position.index, position.term)
    }
}
