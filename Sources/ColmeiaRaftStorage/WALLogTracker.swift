/// The shape of the log the WAL describes — snapshot marker and the term of every entry
/// after it — without the entry data. Replay and the writer share it, so the writer
/// refuses exactly the batches that replay could not reconstruct, and can decide
/// whether a new snapshot marker keeps or discards the log after it.
struct WALLogTracker: Sendable, Hashable {
    enum AppendOutcome: Equatable {
        /// The entry is covered by the snapshot and has no effect.
        case ignored
        /// Keep the first `keeping` entries of the log, then append this one.
        case appended(keeping: Int)
        /// The entry would leave a hole; the next index must be at most `expectedAtMost`.
        case gap(expectedAtMost: UInt64)
    }

    enum MarkerOutcome: Equatable {
        /// Older than or equal to the current marker.
        case ignored
        /// Drop the first `dropping` entries of the log.
        case applied(dropping: Int)
    }

    private(set) var snapshotIndex: UInt64 = 0
    private(set) var snapshotTerm: UInt64 = 0
    /// Index of `terms[0]`.
    private(set) var firstIndex: UInt64 = 1
    private(set) var terms: [UInt64] = []

    /// The index of the last entry, or of the snapshot when the log is empty.
    var lastIndex: UInt64 {
        terms.isEmpty ? snapshotIndex : firstIndex + UInt64(terms.count) - 1
    }

    /// Applies one entry with Raft's overwrite rule: an index at or below the last one
    /// replaces that entry and drops everything after it.
    ///
    /// With `floatingStart` an empty log may begin at any index: replay uses this when
    /// older segments were released, because then the first surviving entries can lie
    /// above the snapshot marker that the first surviving segment's header carries; a
    /// later marker closes the gap, and ``firstGap`` catches it if none does.
    mutating func append(index: UInt64, term: UInt64, floatingStart: Bool) -> AppendOutcome {
        if index <= snapshotIndex { return .ignored }
        if terms.isEmpty || index < firstIndex {
            if terms.isEmpty && index != snapshotIndex + 1 && !floatingStart {
                return .gap(expectedAtMost: snapshotIndex + 1)
            }
            firstIndex = index
            terms = [term]
            return .appended(keeping: 0)
        }
        if index > lastIndex + 1 { return .gap(expectedAtMost: lastIndex + 1) }
        let keep = Int(index - firstIndex)
        terms.removeSubrange(keep...)
        terms.append(term)
        return .appended(keeping: keep)
    }

    /// Whether a snapshot at (`index`, `term`) conflicts with the log: the log holds an
    /// entry at `index` with a different term, so Raft discards the whole log (§7).
    func snapshotDiscardsLog(index: UInt64, term: UInt64) -> Bool {
        guard index >= firstIndex, index <= lastIndex, !terms.isEmpty else { return false }
        return terms[Int(index - firstIndex)] != term
    }

    /// Whether a marker would be ignored as older than or equal to the current one.
    func isStale(index: UInt64, term: UInt64) -> Bool {
        index < snapshotIndex || (index == snapshotIndex && term == snapshotTerm)
    }

    mutating func applyMarker(index: UInt64, term: UInt64, discardsLog: Bool) -> MarkerOutcome {
        if isStale(index: index, term: term) { return .ignored }
        snapshotIndex = index
        snapshotTerm = term
        if discardsLog || terms.isEmpty || index >= lastIndex {
            let count = terms.count
            terms = []
            firstIndex = index + 1
            return .applied(dropping: count)
        }
        if index < firstIndex { return .applied(dropping: 0) }
        let drop = Int(index - firstIndex + 1)
        terms.removeFirst(drop)
        firstIndex = index + 1
        return .applied(dropping: drop)
    }

    /// After replay: the first index the log should start at, if it does not.
    var firstGap: (expected: UInt64, found: UInt64)? {
        if !terms.isEmpty && firstIndex != snapshotIndex + 1 {
            return (snapshotIndex + 1, firstIndex)
        }
        return nil
    }
}
