import Synchronization

/// The stages of the newest `capacity` log entries this manager handled, and of its own
/// proposals not yet in the log. Recording costs a clock read and a lock per batch of
/// entries; memory is bounded by `capacity` whatever the write rate.
public final class WriteStageLog: Sendable {
    private struct State {
        var byIndex: [UInt64: WriteStages] = [:]
        var newest: UInt64 = 0
        /// Own proposals by sequence: (queued, proposed), joined to their index at apply.
        var bySequence: [UInt64: (queued: UInt64, proposed: UInt64?)] = [:]
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 4_096) {
        self.capacity = max(1, capacity)
    }

    /// The stages of entries after `index`, oldest first, at most `limit`.
    public func entries(after index: UInt64, limit: Int = 1_000) -> [WriteStages] {
        state.withLock { state in
            Array(state.byIndex.values.filter { $0.index > index }.sorted { $0.index < $1.index }.prefix(limit))
        }
    }

    func queued(_ sequence: UInt64) {
        let now = WriteStages.now()
        state.withLock { state in
            // Proposals that never reached the log (refused, abandoned) are forgotten in bulk.
            if state.bySequence.count >= 4 * capacity { state.bySequence.removeAll() }
            state.bySequence[sequence] = (now, nil)
        }
    }

    func proposed(_ sequences: some Sequence<UInt64>) {
        let now = WriteStages.now()
        state.withLock { state in
            for sequence in sequences { state.bySequence[sequence]?.proposed = now }
        }
    }

    func record(_ stage: WriteStages.Stage, _ indexes: some Sequence<UInt64>) {
        let now = WriteStages.now()
        state.withLock { state in
            for index in indexes { Self.update(&state, index, capacity: capacity) { $0.set(stage, now) } }
        }
    }

    /// The proposer's writes `pairs` (log index, sequence) were applied and answered now.
    func answered(_ pairs: [(index: UInt64, sequence: UInt64)]) {
        guard !pairs.isEmpty else { return }
        let now = WriteStages.now()
        state.withLock { state in
            for pair in pairs {
                let own = state.bySequence.removeValue(forKey: pair.sequence)
                Self.update(&state, pair.index, capacity: capacity) { stages in
                    stages.queued = own?.queued
                    stages.proposed = own?.proposed
                    stages.answered = now
                }
            }
        }
    }

    private static func update(_ state: inout State, _ index: UInt64, capacity: Int, _ change: (inout WriteStages) -> Void) {
        // Entries far behind the newest (a replay, an old index) are not kept. Indexes come
        // from peers' messages before Raft has judged them: no arithmetic here may overflow.
        let kept = UInt64(capacity)
        guard index >= state.newest || state.newest - index < kept else { return }
        change(&state.byIndex[index, default: WriteStages(index: index)])
        if index > state.newest {
            state.newest = index
            // Pruned in bulk, so that recording stays O(1) amortized.
            if state.byIndex.count > 2 * capacity {
                let floor = index > kept ? index - kept : 0
                state.byIndex = state.byIndex.filter { $0.key > floor }
            }
        }
    }
}
