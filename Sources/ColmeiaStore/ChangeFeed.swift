import Synchronization

/// Tells waiting readers that the applied index moved. Readers pull what they missed
/// from the audit trail, so a slow reader never blocks apply and never sees a gap: its
/// pace is its own (back-pressure by pulling).
final class ChangeFeed: Sendable {
    private struct Waiter {
        var id: UInt64
        var after: UInt64
        var continuation: CheckedContinuation<UInt64, Never>
    }

    private struct State {
        var index: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    func publish(_ index: UInt64) {
        let (ready, current) = state.withLock { state -> ([CheckedContinuation<UInt64, Never>], UInt64) in
            state.index = max(state.index, index)
            let current = state.index
            let due = state.waiters.filter { $0.after < current }.map(\.continuation)
            state.waiters.removeAll { $0.after < current }
            return (due, current)
        }
        for continuation in ready { continuation.resume(returning: current) }
    }

    /// Returns as soon as the applied index exceeds `index` (at once if it already does,
    /// or when the calling task is cancelled).
    func wait(after index: UInt64) async -> UInt64 {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: UInt64? = state.withLock { state in
                    if state.index > index || Task.isCancelled { return state.index }
                    state.waiters.append(Waiter(id: id, after: index, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let position = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: position)
            }
            waiter?.continuation.resume(returning: state.withLock { $0.index })
        }
    }
}
