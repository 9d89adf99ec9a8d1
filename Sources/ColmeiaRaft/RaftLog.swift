/// The in-memory replicated log of one node: a compacted prefix (summarised by the index
/// and term of its last entry), the retained entries, and the watermarks that say how much
/// of it is durable, committed and applied.
///
/// Invariant: `compactedIndex <= applied <= committed <= lastIndex`, and every entry at or
/// below `stableIndex` has been handed to the application for persistence and acknowledged.
struct RaftLog: Sendable {
    private(set) var compactedIndex: UInt64 = 0
    private(set) var compactedTerm: UInt64 = 0
    /// `entries[k].index == compactedIndex + 1 + k`.
    private(set) var entries: [Entry] = []
    /// The newest snapshot this node has; sent to followers that fell behind the compaction.
    private(set) var snapshot: Snapshot?
    /// A snapshot received from the leader that the application has not yet persisted and installed.
    private(set) var pendingSnapshot: Snapshot?
    private(set) var stableIndex: UInt64 = 0
    private(set) var committed: UInt64 = 0
    private(set) var applied: UInt64 = 0
    /// Highest index handed to the application for applying (>= applied).
    private(set) var applying: UInt64 = 0

    init() {}

    init(restoring state: RaftPersistentState, applied requestedApplied: UInt64) throws(RaftError) {
        if let snapshot = state.snapshot, !snapshot.isEmpty {
            self.snapshot = snapshot
            compactedIndex = snapshot.metadata.index
            compactedTerm = snapshot.metadata.term
        }
        var expected = compactedIndex + 1
        var previousTerm = compactedTerm
        for entry in state.entries {
            guard entry.term > 0 else { throw .corruptState("log entry \(entry.index) has term 0") }
            guard entry.index == expected else {
                throw .corruptState("log entry \(entry.index) found where \(expected) was expected")
            }
            guard entry.term >= previousTerm else {
                throw .corruptState("log entry \(entry.index) has term \(entry.term) below its predecessor's \(previousTerm)")
            }
            expected += 1
            previousTerm = entry.term
        }
        entries = state.entries
        stableIndex = lastIndex
        let commit = max(state.hardState.commit, compactedIndex)
        guard commit <= lastIndex else {
            throw .corruptState("commit index \(commit) is beyond the last log index \(lastIndex)")
        }
        committed = commit
        applied = min(max(requestedApplied, compactedIndex), committed)
        applying = applied
    }

    var firstIndex: UInt64 { compactedIndex + 1 }
    var lastIndex: UInt64 { compactedIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { entries.last?.term ?? compactedTerm }

    /// The term of the entry at `index`, or nil when it is compacted away or not there yet.
    func term(at index: UInt64) -> UInt64? {
        if index == compactedIndex { return compactedTerm }
        guard index > compactedIndex, index <= lastIndex else { return nil }
        return entries[Int(index - compactedIndex - 1)].term
    }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool { self.term(at: index) == term }

    /// Whether a candidate's log (ending at `index` with `term`) is at least as
    /// up-to-date as ours (Raft §5.4.1).
    func isUpToDate(lastIndex index: UInt64, term: UInt64) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// Entries in `[from, lastIndex]`, at most `maxBytes` (but always at least one).
    /// Nil when `from` is compacted away.
    func entries(from index: UInt64, maxBytes: Int) -> [Entry]? {
        guard index > compactedIndex else { return nil }
        guard index <= lastIndex else { return [] }
        var result: [Entry] = []
        var size = 0
        for position in Int(index - compactedIndex - 1)..<entries.count {
            let entry = entries[position]
            size += entry.byteSize
            if !result.isEmpty && size > maxBytes { break }
            result.append(entry)
        }
        return result
    }

    /// Entries the application has not yet persisted.
    var unstableEntries: [Entry] {
        guard stableIndex < lastIndex else { return [] }
        return Array(entries[Int(stableIndex - compactedIndex)...])
    }

    /// Committed entries not yet handed out for applying, bounded by `maxBytes`.
    func nextCommittedEntries(maxBytes: Int) -> [Entry] {
        guard pendingSnapshot == nil else { return [] }
        let from = max(applying + 1, firstIndex)
        guard from <= committed else { return [] }
        var result: [Entry] = []
        var size = 0
        for position in Int(from - compactedIndex - 1)..<Int(committed - compactedIndex) {
            let entry = entries[position]
            size += entry.byteSize
            if !result.isEmpty && size > maxBytes { break }
            result.append(entry)
        }
        return result
    }

    var hasNextCommittedEntries: Bool {
        pendingSnapshot == nil && max(applying + 1, firstIndex) <= committed
    }

    /// Index of the first entry of `incoming` whose term differs from ours (a conflict or a
    /// new entry), or 0 when we already hold all of them.
    func findConflict(_ incoming: [Entry]) -> UInt64 {
        for entry in incoming where !matchTerm(entry.index, entry.term) {
            return entry.index
        }
        return 0
    }

    /// The largest index at or below `index` whose term is at most `term`; lets a leader
    /// skip a whole divergent term in one probe instead of one index per round trip.
    func findConflictByTerm(index: UInt64, term: UInt64) -> UInt64 {
        var candidate = min(index, lastIndex)
        while candidate > compactedIndex, let found = self.term(at: candidate), found > term {
            candidate -= 1
        }
        return candidate
    }

    enum AppendOutcome: Equatable {
        case accepted(lastNewIndex: UInt64)
        case mismatch
        /// The sender tried to overwrite a committed entry: it is broken or hostile.
        case conflictsWithCommitted(UInt64)
    }

    /// Raft §5.3's append rule: accept `incoming` after `(prevIndex, prevTerm)` if our log
    /// matches there, truncating a conflicting uncommitted suffix.
    mutating func maybeAppend(prevIndex: UInt64, prevTerm: UInt64, leaderCommit: UInt64, incoming: [Entry]) -> AppendOutcome {
        guard matchTerm(prevIndex, prevTerm) else { return .mismatch }
        let lastNew = prevIndex + UInt64(incoming.count)
        let conflict = findConflict(incoming)
        if conflict != 0 {
            guard conflict > committed else { return .conflictsWithCommitted(conflict) }
            let offset = Int(conflict - incoming[0].index)
            append(Array(incoming[offset...]))
        }
        commit(to: min(leaderCommit, lastNew))
        return .accepted(lastNewIndex: lastNew)
    }

    /// Appends entries that start at or below `lastIndex + 1`, replacing any suffix from
    /// their first index on. Returns the new last index.
    @discardableResult
    mutating func append(_ newEntries: [Entry]) -> UInt64 {
        guard let first = newEntries.first else { return lastIndex }
        precondition(first.index > committed && first.index > compactedIndex && first.index <= lastIndex + 1,
                     "append at \(first.index) would rewrite committed entries or leave a gap")
        let keep = Int(first.index - compactedIndex - 1)
        if keep < entries.count { entries.removeSubrange(keep...) }
        entries.append(contentsOf: newEntries)
        stableIndex = min(stableIndex, first.index - 1)
        return lastIndex
    }

    mutating func commit(to index: UInt64) {
        // A commit beyond our log can only come from a broken or hostile peer; ignore it.
        guard index > committed, index <= lastIndex else { return }
        committed = index
    }

    mutating func markApplying(_ index: UInt64) { applying = max(applying, index) }

    mutating func markApplied(_ index: UInt64) {
        guard index <= committed else { return }
        applied = max(applied, index)
        applying = max(applying, applied)
    }

    /// The application persisted entries up to `(index, term)`; ignored if those entries
    /// were replaced since they were handed out.
    mutating func markStable(index: UInt64, term: UInt64) {
        guard matchTerm(index, term), index > stableIndex else { return }
        stableIndex = index
    }

    mutating func markSnapshotInstalled(_ metadata: SnapshotMetadata) {
        guard let pending = pendingSnapshot, pending.metadata.index == metadata.index else { return }
        pendingSnapshot = nil
        applied = max(applied, metadata.index)
        applying = max(applying, applied)
    }

    /// Forgets the data of the installed snapshot, keeping its metadata.
    mutating func dropSnapshotData() {
        guard pendingSnapshot == nil, snapshot?.data.isEmpty == false else { return }
        snapshot?.data = []
    }

    /// Replaces the whole log by a snapshot received from the leader.
    mutating func restore(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        pendingSnapshot = snapshot
        compactedIndex = snapshot.metadata.index
        compactedTerm = snapshot.metadata.term
        entries = []
        stableIndex = compactedIndex
        committed = compactedIndex
    }

    /// Records a snapshot the local application took at `snapshot.metadata.index` and
    /// drops retained entries up to `compactTo`.
    mutating func installLocalSnapshot(_ snapshot: Snapshot, compactTo: UInt64) {
        self.snapshot = snapshot
        let target = min(max(compactTo, compactedIndex), snapshot.metadata.index)
        guard target > compactedIndex, let term = term(at: target) else { return }
        entries.removeFirst(Int(target - compactedIndex))
        compactedIndex = target
        compactedTerm = term
    }
}
