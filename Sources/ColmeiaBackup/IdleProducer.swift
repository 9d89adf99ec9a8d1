import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs CPU-heavy work (compressing, encrypting and checksumming a backup) on a thread of its
/// own at the lowest CPU priority (`SCHED_IDLE`): on a busy manager the Raft thread and the
/// API keep the CPU, and a backup takes what is left instead of slowing writes down.
///
/// ```swift
/// let producer = IdleProducer { emit in try BackupWriter.write(…, to: emit) }
/// for try await bytes in producer.chunks {
///     try await response.write(bytes)
///     producer.consumed()
/// }
/// ```
public final class IdleProducer: Sendable {
    /// What the thread made, in order; ends with its error, if any.
    public let chunks: AsyncThrowingStream<[UInt8], any Error>
    private let slots: DispatchSemaphore

    /// Starts `produce` at once. At most `depth` chunks wait for the reader: a slow reader
    /// holds the thread back instead of growing memory. Ending the iteration (a client
    /// that goes away) stops the thread at its next chunk.
    public init(depth: Int = 16, _ produce: @escaping @Sendable (_ emit: ([UInt8]) throws -> Void) throws -> Void) {
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let slots = DispatchSemaphore(value: depth)
        let stopped = StopSignal()
        self.chunks = chunks
        self.slots = slots
        continuation.onTermination = { _ in
            stopped.flag.store(true, ordering: .relaxed)
            slots.signal()
        }
        let thread = Thread {
            Self.lowerPriority()
            do {
                try produce { bytes in
                    slots.wait()
                    if stopped.flag.load(ordering: .relaxed) { throw CancellationError() }
                    continuation.yield(bytes)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "colmeia-backup"
        thread.start()
    }

    /// The reader has written one chunk away: the thread may make another.
    public func consumed() {
        slots.signal()
    }

    /// Runs `body` on an idle-priority thread and returns what it returns.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                lowerPriority()
                continuation.resume(with: Result { try body() })
            }
            thread.name = "colmeia-backup"
            thread.start()
        }
    }

    /// The calling thread runs only when no other thread wants the CPU (`SCHED_IDLE`), or at
    /// nice 19 where that policy is refused. On Linux both apply to the calling thread alone
    /// (pid 0 names it; threads are scheduled one by one).
    static func lowerPriority() {
        #if os(Linux)
            var parameters = sched_param(sched_priority: 0)
            if sched_setscheduler(0, schedIdle, &parameters) != 0 {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            }
        #endif
    }

    /// `SCHED_IDLE` from <sched.h> (a GNU extension the Glibc module may not export).
    private static let schedIdle: Int32 = 5
}

/// Set when the reader of an ``IdleProducer`` has gone.
private final class StopSignal: Sendable {
    let flag = Atomic<Bool>(false)
}
