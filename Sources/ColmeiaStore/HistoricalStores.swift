import Foundation
import Synchronization

/// The few stores built for reads as of an index, kept for the next read at the same index
/// (a `docker service ls` and its `inspect` ask twice). The oldest is dropped, and its file
/// removed, when a fifth is built.
final class HistoricalStores: Sendable {
    private let stores = Mutex<[(index: UInt64, store: ClusterStore)]>([])
    static let capacity = 4

    func store(at index: UInt64) -> ClusterStore? {
        stores.withLock { list in
            guard let position = list.firstIndex(where: { $0.index == index }) else { return nil }
            let entry = list.remove(at: position)
            list.append(entry)
            return entry.store
        }
    }

    func insert(_ store: ClusterStore, at index: UInt64) {
        let evicted = stores.withLock { list -> [ClusterStore] in
            list.append((index, store))
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
