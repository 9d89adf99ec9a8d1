import Synchronization

/// Proposers parked until their entry is applied on the leader.
final class ProposalWaiters: Sendable {
    private let waiting = Mutex<[UInt64: CheckedContinuation<Bool, Never>]>([:])

    func park(_ id: UInt64, _ continuation: CheckedContinuation<Bool, Never>) {
        waiting.withLock { $0[id] = continuation }
    }

    /// Wakes the proposer of `id`: `true` when committed and applied, `false` when dropped.
    func resume(_ id: UInt64, committed: Bool) {
        let continuation = waiting.withLock { $0.removeValue(forKey: id) }
        continuation?.resume(returning: committed)
    }
}

/// Hands out unique proposal ids to concurrent proposers.
final class ProposalCounter: Sendable {
    private let value = Atomic<UInt64>(0)

    func next() -> UInt64 { value.add(1, ordering: .relaxed).newValue }
}
