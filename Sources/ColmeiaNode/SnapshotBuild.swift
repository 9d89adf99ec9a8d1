import ColmeiaRaft
import ColmeiaRaftStorage
import Dispatch
import Foundation
import Synchronization

/// One snapshot being built on a thread of its own, so that the driver thread (and with it
/// the heartbeats) never waits for a copy of the state machine.
///
/// The build asks the machine's ``StateMachineSnapshotWriter`` for a consistent image in a
/// file, learns from it the log position it reflects, and streams it, sealed in chunks,
/// into a staged file in the snapshot directory: the image is never held in memory. The driver thread then compacts the log at that position
/// (``RaftNode/compact(at:snapshotData:retaining:)``) and adopts the staged file
/// (``RaftDiskStorage/compact(toStaged:metadata:)``), or discards it when the log moved
/// past it (a snapshot received from the leader, a membership change applied meanwhile).
///
/// ```swift
/// let build = SnapshotBuild.start(writer: writer, stager: storage.stager, confState: raft.confState,
///                                 retaining: 500) { wake.signal() }
/// // … later, on the driver thread:
/// if case .built(let built)? = build.outcome { … }
/// ```
final class SnapshotBuild: Sendable {
    /// A snapshot staged on disk, waiting for the driver thread to adopt or discard it.
    struct Built: Sendable {
        /// The position and membership it reflects.
        var metadata: SnapshotMetadata
        /// Bytes of the state machine's image.
        var size: UInt64
        /// Where the sealed snapshot file waits (a staging name, removed on open after a crash).
        var stagedPath: String
        var duration: Duration
    }

    enum Outcome: Sendable {
        case built(Built)
        case failed(String)
        case cancelled
    }

    /// Entries to keep behind the snapshot, decided when it became due.
    let retaining: UInt64
    /// The membership in force when the build started; the driver checks that it is still
    /// the one in force at the index the copy reflects.
    let confState: ConfState
    private let result = Mutex<Outcome?>(nil)
    private let cancelled = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let stager: SnapshotStager

    private init(retaining: UInt64, confState: ConfState, stager: SnapshotStager) {
        self.retaining = retaining
        self.confState = confState
        self.stager = stager
    }

    /// Starts a build; `done` runs on the build's thread once it has an outcome.
    /// The plaintext image goes to `imagePath` (beside the machine's state, see
    /// ``ReplicatedStateMachine/snapshotScratchPath(named:)``) and is removed once sealed.
    static func start(writer: any StateMachineSnapshotWriter, imagePath: String, stager: SnapshotStager,
                      confState: ConfState, retaining: UInt64, name: String,
                      done: @escaping @Sendable () -> Void) -> SnapshotBuild {
        let build = SnapshotBuild(retaining: retaining, confState: confState, stager: stager)
        let thread = Thread {
            build.run(writer: writer, imagePath: imagePath)
            done()
        }
        thread.name = name
        thread.start()
        return build
    }

    /// The outcome, once the build is over; nil while it runs.
    var outcome: Outcome? { result.withLock { $0 } }

    /// Asks the build to stop at its next step, waits for it, and removes whatever it staged.
    func cancelAndWait() {
        cancelled.store(true, ordering: .relaxed)
        finished.wait()
        finished.signal()
        if case .built(let built)? = outcome { stager.discard(built.stagedPath) }
    }

    private func run(writer: any StateMachineSnapshotWriter, imagePath: String) {
        let started = ContinuousClock.now
        let id = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let stagedPath = stager.stagingPath(named: "build-\(id)")
        defer {
            try? FileManager.default.removeItem(atPath: imagePath)
            finished.signal()
        }
        let outcome: Outcome
        do {
            let position = try writer.writeSnapshot(toFile: imagePath)
            if cancelled.load(ordering: .relaxed) {
                outcome = .cancelled
            } else if position.index == 0 {
                outcome = .failed("the state machine's copy reflects no applied entry")
            } else {
                // Streamed into the staged file in sealed chunks: never in memory whole.
                let metadata = SnapshotMetadata(index: position.index, term: position.term, confState: confState)
                let size = try stager.stage(metadata, dataFile: imagePath, at: stagedPath)
                if cancelled.load(ordering: .relaxed) {
                    stager.discard(stagedPath)
                    outcome = .cancelled
                } else {
                    outcome = .built(Built(metadata: metadata, size: size, stagedPath: stagedPath,
                                           duration: ContinuousClock.now - started))
                }
            }
        } catch {
            stager.discard(stagedPath)
            outcome = .failed("\(error)")
        }
        result.withLock { $0 = outcome }
    }
}
