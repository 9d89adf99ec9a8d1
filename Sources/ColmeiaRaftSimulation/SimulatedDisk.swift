import ColmeiaRaft

/// One simulated node's write-ahead log, modelled on `ColmeiaRaftStorage.WAL`.
///
/// A write appends records — a snapshot marker, then entries, then the hard state, the
/// order `WAL.save` uses — to the page cache; only ``sync()`` (one fsync) makes them
/// durable. A ``crash(keeping:tearing:)`` keeps what was synced and, as a real page cache
/// may have written some of it back, a prefix of what was not; the record after that prefix
/// can be torn (only some of its bytes reached the platter). ``recover()`` then does what
/// `WAL.open` does with a torn tail: it cuts the incomplete final record off, so a
/// recovered log is always a prefix of the writes, never a record with missing bytes.
struct SimulatedDisk {
    enum Record {
        /// A snapshot the node persisted (received from the leader or taken locally),
        /// written as the WAL writes a snapshot marker after the snapshot file.
        case snapshot(Snapshot)
        case entry(Entry)
        case hardState(HardState)

        /// Roughly what `WALRecord` encodes, so a torn record has a size to be torn in.
        var byteSize: Int {
            switch self {
            case .snapshot(let snapshot):
                return 40 + 8 * (snapshot.metadata.confState.voters.count + snapshot.metadata.confState.learners.count)
            case .entry(let entry): return 38 + entry.data.count
            case .hardState: return 32
            }
        }
    }

    /// A record whose first `presentBytes` of `record.byteSize` reached the disk.
    struct TornRecord {
        var record: Record
        var presentBytes: Int
    }

    /// What a replay of records yields, as `WALContents` does.
    struct Contents {
        var snapshot: Snapshot?
        var hardState = HardState()
        var entries: [Entry] = []

        var lastIndex: UInt64 { entries.last?.index ?? snapshot?.metadata.index ?? 0 }

        /// Replays one record with the WAL's rules: an entry overwrites the suffix from its
        /// index on; a snapshot marker drops the entries it covers, or the whole log when
        /// the log disagrees with it at its index (Raft §7).
        mutating func replay(_ record: Record) throws(WriteError) {
            switch record {
            case .snapshot(let new):
                let index = new.metadata.index
                let matches = entries.first { $0.index == index }?.term == new.metadata.term
                entries = matches ? entries.filter { $0.index > index } : []
                snapshot = new
            case .entry(let entry):
                let base = snapshot?.metadata.index ?? 0
                guard entry.index <= lastIndex + 1, entry.index > base else {
                    throw .gap(expected: lastIndex + 1, got: entry.index)
                }
                if entry.index <= lastIndex { entries.removeAll { $0.index >= entry.index } }
                entries.append(entry)
            case .hardState(let state):
                hardState = state
            }
        }
    }

    enum WriteError: Error, CustomStringConvertible {
        case gap(expected: UInt64, got: UInt64)
        var description: String {
            switch self {
            case .gap(let expected, let got): return "persisted log gap: expected index \(expected), got \(got)"
            }
        }
    }

    /// What survives any crash.
    private(set) var durable = Contents()
    /// What the node reads back while running: durable plus the page cache.
    private(set) var written = Contents()
    /// Written but not yet fsynced, oldest first.
    private(set) var unsynced: [Record] = []
    /// After a crash, the incomplete record at the end of the log, until ``recover()``.
    private(set) var tornTail: TornRecord?

    var persistentState: RaftPersistentState {
        RaftPersistentState(snapshot: durable.snapshot, hardState: durable.hardState, entries: durable.entries)
    }

    /// The records a `Ready` asks to persist, in the order the WAL writes them.
    static func records(of ready: Ready) -> [Record] {
        var records: [Record] = []
        if let snapshot = ready.snapshot { records.append(.snapshot(snapshot)) }
        records += ready.entries.map { .entry($0) }
        if let hard = ready.hardState { records.append(.hardState(hard)) }
        return records
    }

    /// Appends `records` to the page cache (one `pwrite`), and with `sync` makes everything
    /// written so far durable (one `fdatasync`).
    mutating func write(_ records: [Record], sync: Bool) throws(WriteError) {
        for record in records {
            try written.replay(record)
            unsynced.append(record)
        }
        if sync { self.sync() }
    }

    mutating func sync() {
        durable = written
        unsynced = []
    }

    /// Power loss: the first `kept` unsynced records reached the disk whole (clamped to what
    /// there is); with `tearing`, the next one reached it in part, `tornBytes` of it.
    /// Returns whether a record was torn.
    @discardableResult
    mutating func crash(keeping kept: Int, tearing: Bool, tornBytes: Int) -> Bool {
        let keep = min(max(kept, 0), unsynced.count)
        for record in unsynced.prefix(keep) {
            // These were validated when written, and a prefix of valid writes replays.
            try? durable.replay(record)
        }
        var torn = false
        if tearing, keep < unsynced.count {
            let record = unsynced[keep]
            tornTail = TornRecord(record: record, presentBytes: min(max(tornBytes, 1), record.byteSize - 1))
            torn = true
        }
        unsynced = []
        written = durable
        return torn
    }

    /// Opens the log after a crash: a torn final record is cut off, as `WAL.open` truncates
    /// a torn tail, because it was never acknowledged (nothing is sent before the fsync it
    /// was part of returned). Returns the torn record that was discarded, if any.
    mutating func recover() -> TornRecord? {
        let torn = tornTail
        tornTail = nil
        written = durable
        unsynced = []
        return torn
    }

    /// A local snapshot (log compaction), written and synced as `RaftDiskStorage.compact`
    /// writes its snapshot marker.
    mutating func saveSnapshot(_ snapshot: Snapshot, sync: Bool = true) throws(WriteError) {
        try write([.snapshot(snapshot)], sync: sync)
    }
}
