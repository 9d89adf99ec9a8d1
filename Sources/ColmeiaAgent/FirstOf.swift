import Synchronization

/// The result of whichever operation finishes first. The others are not waited for: they
/// run on to their end in the background (use it where they end by themselves, such as a
/// wait on a process that is about to be stopped).
func firstOf<T: Sendable>(_ operations: [@Sendable () async -> T]) async -> T {
    let slot = FirstResultSlot<T>()
    return await withCheckedContinuation { continuation in
        slot.arm(continuation)
        for operation in operations {
            Task { slot.deliver(await operation()) }
        }
    }
}

/// Resumes a continuation with the first value delivered; later ones are dropped.
private final class FirstResultSlot<T: Sendable>: Sendable {
    private let pending = Mutex<CheckedContinuation<T, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<T, Never>) {
        pending.withLock { $0 = continuation }
    }

    func deliver(_ value: T) {
        let continuation = pending.withLock { slot -> CheckedContinuation<T, Never>? in
            defer { slot = nil }
            return slot
        }
        continuation?.resume(returning: value)
    }
}
