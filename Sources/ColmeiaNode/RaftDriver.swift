import ColmeiaRaft
import ColmeiaRaftStorage
import Dispatch
import Foundation
import Synchronization

/// Runs one `RaftNode` against its disk and its state machine on a dedicated thread.
///
/// The thread owns the node, the ``RaftDiskStorage`` and the machine; other threads only
/// append to its inbox. Each turn drains the inbox, steps everything, then handles the
/// `Ready`: persist with one fsync (group commit), send, apply, advance — and answers the
/// proposers whose entries were applied. Blocking disk work never runs on the Swift
/// concurrency pool.
///
/// ```swift
/// let driver = RaftDriver<MyMachine>(config: RaftDriverConfig(nodeID: 1, raftDirectory: dir))
/// try driver.start(machine: MyMachine(), bootstrapVoters: [1])
/// let result = try await driver.propose(commandBytes)
/// ```
public final class RaftDriver<Machine: ReplicatedStateMachine>: Sendable {
    public let config: RaftDriverConfig

    private struct Inbox {
        var messages: [Message] = []
        var proposals: [(sequence: UInt64, payload: [UInt8])] = []
        var stopping = false
        var failure: RaftDriverError?
        var nextSequence: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Result<Machine.Result, RaftDriverError>, Never>] = [:]
    }

    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Mutex(false)
    private let observed = Mutex(RaftDriverStatus())
    private let outbound: @Sendable ([Message]) -> Void

    /// `send` carries messages to peers (a single-voter node has none).
    public init(config: RaftDriverConfig, send: @escaping @Sendable ([Message]) -> Void = { _ in }) {
        self.config = config
        self.outbound = send
    }

    /// The node's latest observed state.
    public var status: RaftDriverStatus { observed.withLock { $0 } }

    /// Recovers from disk, brings the machine up to date with the snapshot, and starts the
    /// driver thread. A node with no state bootstraps a new cluster of `bootstrapVoters`
    /// (or waits to be added to one when it is empty).
    public func start(machine: sending Machine, bootstrapVoters: [NodeID] = []) throws {
        guard started.withLock({ value in defer { value = true }; return !value }) else { return }
        let (storage, recovered) = try RaftDiskStorage.open(directory: config.raftDirectory)
        var raftConfig = RaftConfig(id: config.nodeID, electionTicks: config.electionTicks,
                                    heartbeatTicks: config.heartbeatTicks, randomSeed: config.randomSeed)
        var raft: RaftNode
        if recovered.isEmpty {
            raft = bootstrapVoters.isEmpty
                ? try RaftNode(config: raftConfig)
                : try RaftNode.bootstrap(config: raftConfig, voters: bootstrapVoters)
        } else {
            if let snapshot = recovered.snapshot, machine.appliedIndex < snapshot.metadata.index {
                // The machine's own files are older than the snapshot (or gone): start from it.
                try machine.restore(snapshot)
            }
            raftConfig.applied = machine.appliedIndex
            raft = try RaftNode(config: raftConfig, restoring: recovered.raftState)
        }
        let loop = DriverLoop(raft: raft, storage: storage, machine: machine,
                              singleVoter: bootstrapVoters == [config.nodeID] || raft.confState.voters == [config.nodeID])
        let thread = Thread { [self] in
            self.run(loop)
        }
        thread.name = "raft-\(config.nodeID)"
        thread.start()
    }

    /// Proposes `payload` and returns what the machine's `apply` returned once the entry
    /// is committed and applied on this node.
    public func propose(_ payload: [UInt8]) async -> Result<Machine.Result, RaftDriverError> {
        await withCheckedContinuation { continuation in
            let refused: RaftDriverError? = inbox.withLock { box in
                if let failure = box.failure { return failure }
                if box.stopping { return .stopped }
                box.nextSequence += 1
                box.waiters[box.nextSequence] = continuation
                box.proposals.append((box.nextSequence, payload))
                return nil
            }
            if let refused {
                continuation.resume(returning: .failure(refused))
            } else {
                wake.signal()
            }
        }
    }

    /// Hands a message from a peer to the node.
    public func receive(_ messages: [Message]) {
        inbox.withLock { $0.messages.append(contentsOf: messages) }
        wake.signal()
    }

    /// Stops after the writes already handed to the node are persisted and applied;
    /// proposals still waiting are answered with ``RaftDriverError/stopped``.
    public func stop() {
        let running = started.withLock { $0 }
        inbox.withLock { $0.stopping = true }
        wake.signal()
        if running { finished.wait() }
    }

    // MARK: The driver thread

    /// Thread-confined state: created before the thread starts and touched only by it.
    private final class DriverLoop: @unchecked Sendable {
        var raft: RaftNode
        let storage: RaftDiskStorage
        let machine: Machine
        var campaignPending: Bool
        var awaitingLeader: [(sequence: UInt64, payload: [UInt8], deadline: ContinuousClock.Instant)] = []

        init(raft: RaftNode, storage: RaftDiskStorage, machine: Machine, singleVoter: Bool) {
            self.raft = raft
            self.storage = storage
            self.machine = machine
            self.campaignPending = singleVoter
        }
    }

    private func run(_ loop: DriverLoop) {
        let clock = ContinuousClock()
        var nextTick = clock.now.advanced(by: config.tickInterval)
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(5))
            let work = inbox.withLock { box -> (messages: [Message], proposals: [(sequence: UInt64, payload: [UInt8])], stopping: Bool) in
                defer {
                    box.messages = []
                    box.proposals = []
                }
                return (box.messages, box.proposals, box.stopping)
            }
            if clock.now >= nextTick {
                loop.raft.tick()
                nextTick = clock.now.advanced(by: config.tickInterval)
            }
            for message in work.messages { loop.raft.step(message) }
            let patience = config.tickInterval * (2 * config.electionTicks)
            loop.awaitingLeader += work.proposals.map { ($0.sequence, $0.payload, clock.now.advanced(by: patience)) }
            do {
                try handleReadies(loop)
                // Proposals wait (briefly) for a leader rather than failing during an election.
                if loop.raft.leader != 0 || work.stopping {
                    let ready = loop.awaitingLeader
                    loop.awaitingLeader = []
                    for proposal in ready { propose(proposal.sequence, proposal.payload, on: loop) }
                } else {
                    let now = clock.now
                    for proposal in loop.awaitingLeader where proposal.deadline <= now {
                        answer(proposal.sequence, with: .failure(.unavailable("no leader was elected in time")))
                    }
                    loop.awaitingLeader.removeAll { $0.deadline <= now }
                }
                try handleReadies(loop)
            } catch {
                fail(with: .failed("\(error)"))
                break
            }
            if work.stopping {
                fail(with: .stopped)
                break
            }
        }
        loop.storage.close()
        finished.signal()
    }

    private func propose(_ sequence: UInt64, _ payload: [UInt8], on loop: DriverLoop) {
        let frame = ProposalFrame(proposer: config.nodeID, sequence: sequence, payload: payload)
        do {
            try loop.raft.propose(frame.encoded())
        } catch {
            answer(sequence, with: .failure(.unavailable("\(error)")))
        }
    }

    private func handleReadies(_ loop: DriverLoop) throws {
        while loop.raft.hasReady {
            let ready = loop.raft.ready()
            try loop.storage.persist(hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot,
                                     sync: ready.mustSync)
            if !ready.messages.isEmpty { outbound(ready.messages) }
            if let snapshot = ready.snapshot {
                try loop.machine.restore(snapshot)
            }
            try apply(ready.committedEntries.filter { $0.index > loop.machine.appliedIndex }, on: loop)
            loop.raft.advance(ready)
            if loop.campaignPending && loop.raft.confState.voters == [config.nodeID] {
                // A single-voter cluster need not wait an election timeout to lead.
                loop.campaignPending = false
                loop.raft.campaign()
            }
            if let soft = ready.softState, soft.role != .leader {
                // Entries we proposed may still commit under the next leader, or vanish; the
                // proposers must not wait forever, and must not assume either outcome.
                failWaiters(.unavailable("leadership moved to node \(soft.leader) while the proposal was in flight"))
            }
            try compactIfDue(loop)
            observed.withLock {
                $0 = RaftDriverStatus(leader: loop.raft.leader, role: loop.raft.role, term: loop.raft.term,
                                      commitIndex: loop.raft.commitIndex, appliedIndex: loop.machine.appliedIndex,
                                      snapshotIndex: loop.raft.snapshot?.metadata.index ?? 0)
            }
        }
    }

    private func apply(_ entries: [Entry], on loop: DriverLoop) throws {
        guard !entries.isEmpty else { return }
        var frames: [ProposalFrame?] = []
        var committed: [CommittedEntry] = []
        for entry in entries {
            let frame = entry.kind == .normal && !entry.data.isEmpty ? ProposalFrame(decoding: entry.data) : nil
            frames.append(frame)
            committed.append(CommittedEntry(index: entry.index, term: entry.term, payload: frame?.payload))
        }
        let results: [Machine.Result]
        do {
            results = try loop.machine.apply(committed)
        } catch {
            for case let frame? in frames where frame.proposer == config.nodeID {
                answer(frame.sequence, with: .failure(.applyFailed("\(error)")))
            }
            throw error
        }
        for (frame, result) in zip(frames, results) {
            if let frame, frame.proposer == config.nodeID { answer(frame.sequence, with: .success(result)) }
        }
    }

    private func compactIfDue(_ loop: DriverLoop) throws {
        let snapshotIndex = loop.raft.snapshot?.metadata.index ?? 0
        guard loop.machine.appliedIndex >= snapshotIndex + config.snapshotInterval,
              loop.raft.appliedIndex == loop.machine.appliedIndex else { return }
        let data = try loop.machine.snapshotData()
        let snapshot = try loop.raft.compact(snapshotData: data, retaining: config.retainedEntries)
        try loop.storage.compact(to: snapshot)
    }

    private func answer(_ sequence: UInt64, with result: Result<Machine.Result, RaftDriverError>) {
        let waiter = inbox.withLock { $0.waiters.removeValue(forKey: sequence) }
        waiter?.resume(returning: result)
    }

    private func failWaiters(_ error: RaftDriverError) {
        let waiters = inbox.withLock { box in
            defer { box.waiters = [:] }
            return box.waiters
        }
        for waiter in waiters.values { waiter.resume(returning: .failure(error)) }
    }

    private func fail(with error: RaftDriverError) {
        inbox.withLock { box in
            if box.failure == nil { box.failure = error }
        }
        failWaiters(error)
    }
}
