import ColmeiaModel
import Foundation
import Synchronization

/// The few stores built for reads as of an index, kept for the next read at the same index
/// (a `docker service ls` and its `inspect` ask twice), with the kinds of object each holds
/// so far. The oldest is dropped, and its file removed, when a fifth is built.
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
        let evicted = stores.withLock { list -> [ClusterStore] in
            list.removeAll { $0.index == index }
            list.append((index, store, filled))
            guard list.count > Self.capacity else { return [] }
            let dropped = list.prefix(list.count - Self.capacity).map(\.store)
            list.removeFirst(list.count - Self.capacity)
            return dropped
        }
        // Readers still holding one keep their open connections; the files go now.
        for store in evicted { ClusterStore.removeFiles(of: store.path) }
    }

    /// Removes every file (on close of the live store).
    func removeAll() {
        let all = stores.withLock { list -> [ClusterStore] in
            defer { list.removeAll() }
            return list.map(\.store)
        }
        for store in all { ClusterStore.removeFiles(of: store.path) }
    }
}
