import ColmeiaModel
import Foundation
import Synchronization

/// The few stores built for reads as of an index, kept for the next read at the same index
/// (a `docker service ls` and its `inspect` ask twice), with the kinds of object each holds
/// so far. The oldest is dropped when a fifth is built; its files go when its last reader
/// lets go of it (`ClusterStore.deinit`).
final class HistoricalStores: Sendable {
    private let stores = Mutex<[(index: UInt64, store: ClusterStore, filled: Set<ObjectKind>)]>([])
    /// Held while a store is built or filled.
    let fillLock = NSLock()
    static let capacity = 4

    func store(at index: UInt64) -> (store: ClusterStore, filled: Set<ObjectKind>)? {
        stores.withLock { list in
            guard let position = list.firstIndex(where: { $0.index == index }) else { return nil }
            let entry = list.remove(at: position)
            list.append(entry)
            return (entry.store, entry.filled)
        }
    }

    func insert(_ store: ClusterStore, at index: UInt64, filled: Set<ObjectKind>) {
        stores.withLock { list in
            list.removeAll { $0.index == index }
            list.append((index, store, filled))
            if list.count > Self.capacity { list.removeFirst(list.count - Self.capacity) }
        }
    }

    /// Drops every store.
    func removeAll() {
        stores.withLock { $0.removeAll() }
    }
}
