import ColmeiaRaft

/// What one simulated node has on stable storage. Writes that a `Ready` does not require
/// to be synced stay in `unsynced` and vanish in a crash, like a page cache.
struct SimulatedDisk {
    var snapshot: Snapshot?
    var hardState = HardState()
    var entries: [Entry] = []
    /// A commit-only hard state update written without fsync.
    var unsyncedHardState: HardState?

    enum WriteError: Error, CustomStringConvertible {
        case gap(expected: UInt64, got: UInt64)
        var description: String {
            switch self {
            case .gap(let expected, let got): return "persisted log gap: expected index \(expected), got \(got)"
            }
        }
    }

    var persistentState: RaftPersistentState {
        RaftPersistentState(snapshot: snapshot, hardState: hardState, entries: entries)
    }

    mutating func write(_ ready: Ready) throws {
        if let snapshot = ready.snapshot {
            // A snapshot from the leader replaces the whole log, including any suffix.
            self.snapshot = snapshot
            entries = []
        }
        if let first = ready.entries.first {
            let base = snapshot?.metadata.index ?? 0
            let expected = (entries.last?.index ?? base) + 1
            guard first.index <= expected, first.index > base else { throw WriteError.gap(expected: expected, got: first.index) }
            entries.removeAll { $0.index >= first.index }
            entries.append(contentsOf: ready.entries)
        }
        if let hard = ready.hardState {
            if ready.mustSync {
                hardState = hard
                unsyncedHardState = nil
            } else {
                unsyncedHardState = hard
            }
        } else if ready.mustSync, let pending = unsyncedHardState {
            hardState = pending
            unsyncedHardState = nil
        }
    }

    /// A local snapshot: keep only entries after it.
    mutating func saveSnapshot(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        entries.removeAll { $0.index <= snapshot.metadata.index }
    }

    mutating func crash() { unsyncedHardState = nil }
}
