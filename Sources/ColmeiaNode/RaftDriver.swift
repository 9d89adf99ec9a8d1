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

    /// Requests from other threads that only the driver thread may act on.
    private enum Control {
        case unreachable(NodeID)
        case snapshotStatus(NodeID, succeeded: Bool)
        case forgetLeader(NodeID)
        case transferLeadership(to: NodeID)
        case confChange(sequence: UInt64, ConfChange)
        case readIndex(sequence: UInt64)
        case exportLog(CheckedContinuation<RaftLogCut?, Never>)
    }

    private struct Inbox {
        var messages: [Message] = []
        var proposals: [(sequence: UInt64, payload: [UInt8])] = []
        var controls: [Control] = []
        var stopping = false
        var failure: RaftDriverError?
        /// Proposal sequences start at a random point in the upper half of the range each
        /// time the driver is created, so that an entry a previous run of this node proposed
        /// (and which commits late, or is replayed) never answers a waiter of this run.
        var nextSequence = UInt64(UInt32.random(in: 1...UInt32.max)) << 32
        var waiters: [UInt64: CheckedContinuation<Result<Machine.Result, RaftDriverError>, Never>] = [:]
        /// Membership changes and read-index requests, answered with nothing or a log index.
        var indexWaiters: [UInt64: CheckedContinuation<Result<UInt64, RaftDriverError>, Never>] = [:]
    }

    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Mutex(false)
    private let observed = Mutex(RaftDriverStatus())
    private let outbound: @Sendable ([Message]) -> Void
    /// Snapshots being read from disk to be sent.
    private let snapshotSends = SnapshotSends()
    /// When each recent entry went through each stage on this node (the write trace).
    public let stages = WriteStageLog()

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
    ///
    /// With `forceNewCluster`, a node with state restarts as the only voter of its log
    /// (disaster recovery after the loss of the quorum).
    public func start(machine: sending Machine, bootstrapVoters: [NodeID] = [], forceNewCluster: Bool = false) throws {
        guard started.withLock({ value in defer { value = true }; return !value }) else { return }
        let (storage, recovered) = try RaftDiskStorage.open(directory: config.raftDirectory, cipher: config.cipher)
        var raft: RaftNode
        if recovered.isEmpty {
            raft = bootstrapVoters.isEmpty
                ? try RaftNode(config: raftConfig)
                : try RaftNode.bootstrap(config: raftConfig, voters: bootstrapVoters)
        } else {
            var state = recovered.raftState
            if forceNewCluster {
                let forced = state.forcingNewCluster(keeping: config.nodeID)
                try storage.persist(hardState: forced.state.hardState, entries: forced.appended, snapshot: nil, sync: true)
                state = forced.state
            }
            raft = try resume(state, snapshot: recovered.snapshot, machine: machine, storage: storage)
            // A restarted member elects (or finds) a leader one election timeout sooner.
            raft.advanceElectionTicks()
        }
        // Callers may ask for the status before the thread's first turn: the membership is
        // already known from disk (a restarted manager must not look like a lone one).
        observed.withLock {
            $0 = RaftDriverStatus(leader: 0, role: raft.role, term: raft.term, commitIndex: raft.commitIndex,
                                  appliedIndex: machine.appliedIndex, snapshotIndex: raft.snapshot?.metadata.index ?? 0,
                                  confState: raft.confState, progress: [:], leaderSilence: .zero, peerSilence: [:])
        }
        let loop = DriverLoop(raft: raft, storage: storage, machine: machine,
                              singleVoter: forceNewCluster || bootstrapVoters == [config.nodeID] || raft.confState.voters == [config.nodeID])
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
                // A bounded queue: beyond it the writer is told to come back (nothing was
                // written), instead of the queue growing the daemon's memory.
                guard box.waiters.count < config.maxQueuedProposals else {
                    return .unavailable("\(box.waiters.count) writes are already waiting on this manager; retry shortly")
                }
                box.nextSequence += 1
                box.waiters[box.nextSequence] = continuation
                box.proposals.append((box.nextSequence, payload))
                // Stamped before the driver thread can see it (the stage log's lock is
                // never held while taking the inbox's).
                stages.queued(box.nextSequence)
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
        // Bounded: a flood of peer messages (a slow disk, a thread starved of CPU) is dropped
        // rather than queued without limit; Raft recovers lost messages by retransmitting.
        let accepted = inbox.withLock { box -> Bool in
            guard box.messages.count < config.maxQueuedMessages else { return false }
            box.messages.append(contentsOf: messages)
            return true
        }
        if accepted {
            wake.signal()
        } else {
            NodeMetrics.messagesDropped.increment(by: messages.count)
        }
    }

    /// Proposes a membership change; returns the log index it was applied at.
    public func proposeConfChange(_ change: ConfChange) async -> Result<UInt64, RaftDriverError> {
        await withIndexWaiter { .confChange(sequence: $0, change) }
    }

    /// A linearizable read point (Raft thesis §6.4): returns once this node's state machine
    /// has applied everything committed when the request was made, as confirmed by a
    /// quorum. Reads served after it never see older state than a write acknowledged before.
    public func readBarrier() async -> Result<UInt64, RaftDriverError> {
        await withIndexWaiter { .readIndex(sequence: $0) }
    }

    /// The transport could not deliver to `peer`.
    public func reportUnreachable(_ peer: NodeID) { control(.unreachable(peer)) }

    /// The transport finished sending a snapshot to `peer`.
    public func reportSnapshot(to peer: NodeID, succeeded: Bool) { control(.snapshotStatus(peer, succeeded: succeeded)) }

    /// The transport found the leader `peer` gone: elect a new one without waiting out its lease.
    public func forgetLeader(_ peer: NodeID) { control(.forgetLeader(peer)) }

    /// The newest snapshot this node holds and every committed entry after it, taken in
    /// one turn of the driver thread (a consistent cut of the log); nil once stopped.
    public func exportLog() async -> LogExport? {
        guard started.withLock({ $0 }) else { return nil }
        let cut: RaftLogCut? = await withCheckedContinuation { continuation in
            let accepted = inbox.withLock { box in
                guard box.failure == nil, !box.stopping else { return false }
                box.controls.append(.exportLog(continuation))
                return true
            }
            if accepted { wake.signal() } else { continuation.resume(returning: nil) }
        }
        guard var cut else { return nil }
        if let reader = cut.snapshotFile {
            guard let data = await Self.readOffThread(reader) else { return nil }
            cut.snapshot?.data = data
            cut.snapshotFile = nil
        }
        return LogExport(cut)
    }

    /// A snapshot's data, read on a thread of its own (not the concurrency pool); nil when
    /// the file is damaged.
    private static func readOffThread(_ reader: SnapshotFileReader) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: try? reader.readData()) }
            thread.name = "raft-snapshot-export"
            thread.start()
        }
    }

    /// Asks the leader (this node) to hand leadership to `peer`.
    public func transferLeadership(to peer: NodeID) { control(.transferLeadership(to: peer)) }

    /// Queues a transport's report or an operator's request. Bounded as peer messages are:
    /// these are advisory (Raft's own timers recover what a dropped one would have said).
    private func control(_ request: Control) {
        let accepted = inbox.withLock { box -> Bool in
            guard box.controls.count < config.maxQueuedMessages else { return false }
            box.controls.append(request)
            return true
        }
        if accepted {
            wake.signal()
        } else {
            NodeMetrics.messagesDropped.increment()
        }
    }

    private func withIndexWaiter(_ make: @escaping (UInt64) -> Control) async -> Result<UInt64, RaftDriverError> {
        await withCheckedContinuation { continuation in
            let refused: RaftDriverError? = inbox.withLock { box in
                if let failure = box.failure { return failure }
                if box.stopping { return .stopped }
                // Bounded as writes are: beyond it the reader is told to come back.
                guard box.indexWaiters.count < config.maxQueuedProposals else {
                    return .unavailable("\(box.indexWaiters.count) reads are already waiting on this manager; retry shortly")
                }
                box.nextSequence += 1
                box.indexWaiters[box.nextSequence] = continuation
                box.controls.append(make(box.nextSequence))
                return nil
            }
            if let refused {
                continuation.resume(returning: .failure(refused))
            } else {
                wake.signal()
            }
        }
    }

    /// Stops after the writes already handed to the node are persisted and applied;
    /// proposals still waiting are answered with ``RaftDriverError/stopped``.
    public func stop() {
        let running = started.withLock { $0 }
        inbox.withLock { $0.stopping = true }
        wake.signal()
        if running {
            finished.wait()
            // Passed on, so that a second stop (a shutdown after a failed start, a test's
            // cleanup) returns too instead of waiting forever.
            finished.signal()
        }
    }

    // MARK: The driver thread

    /// A proposal this node handed to Raft and still waits for. Once handed over, its
    /// outcome is never reported as a failure: it is applied (success), or the timeout
    /// says the outcome is unknown.
    private struct InFlightProposal {
        /// The encoded ``ProposalFrame``, kept to send it again after a leader change.
        var frame: [UInt8]
        var deadline: ContinuousClock.Instant
        /// Who was leader when it was last proposed: a follower forwards it there.
        var leader: NodeID
        /// The index of the entry in this node's log, once it reached it; until then it
        /// exists only in a message to `leader` (or that leader's log).
        var logIndex: UInt64?
        /// A leader change left its fate open: send it again once a leader is known.
        var needsResend = false
        var resent = 0
    }

    /// Thread-confined state: created before the thread starts and touched only by it.
    private final class DriverLoop: @unchecked Sendable {
        var raft: RaftNode
        var storage: RaftDiskStorage
        let machine: Machine
        var campaignPending: Bool
        var awaitingLeader: [(sequence: UInt64, payload: [UInt8], deadline: ContinuousClock.Instant)] = []
        /// Proposals handed to Raft, by sequence: a forwarded proposal can be lost with its
        /// message, so none may wait longer than the proposal timeout.
        var inFlight: [UInt64: InFlightProposal] = [:]
        /// The leader this node knew at the last soft-state change.
        var knownLeader: NodeID = 0
        /// The last snapshot received from a leader and restored.
        var receivedSnapshotIndex: UInt64 = 0
        /// Bytes of entries applied since the last snapshot: the log held in memory.
        var bytesSinceSnapshot = 0
        var pendingConfChanges: [(sequence: UInt64, change: ConfChange, deadline: ContinuousClock.Instant)] = []
        var pendingReads: [UInt64: ContinuousClock.Instant] = [:]
        /// Read points confirmed by a quorum, waiting for the machine to apply up to them.
        /// Reads a quorum confirmed, waiting for this node to apply up to their index (which
        /// a node removed from the cluster never does: they keep their deadline).
        var confirmedReads: [(sequence: UInt64, index: UInt64, deadline: ContinuousClock.Instant)] = []
        var lastLeaderContact = ContinuousClock.now
        var wasLeader = false
        /// Proposals sent again after leader changes, since start.
        var resentProposals = 0
        /// When each peer last sent us anything.
        var lastHeard: [NodeID: ContinuousClock.Instant] = [:]
        /// The snapshot being built off this thread (at most one).
        var snapshotBuild: SnapshotBuild?
        /// `bytesSinceSnapshot` when that build started: what is left once it is adopted.
        var bytesAtBuildStart = 0
        /// After a failed build, none starts before this.
        var nextBuildAllowed = ContinuousClock.now
        /// Why the last snapshot build failed; nil once one succeeds.
        var snapshotFailure: String?

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
            let work = inbox.withLock { box -> (messages: [Message], proposals: [(sequence: UInt64, payload: [UInt8])], controls: [Control], stopping: Bool) in
                defer {
                    box.messages = []
                    box.proposals = []
                    box.controls = []
                }
                return (box.messages, box.proposals, box.controls, box.stopping)
            }
            if clock.now >= nextTick {
                loop.raft.tick()
                nextTick = clock.now.advanced(by: config.tickInterval)
            }
            stages.record(.received, work.messages.lazy.filter { $0.type == .append }.flatMap { $0.entries.lazy.map(\.index) })
            for message in work.messages {
                loop.lastHeard[message.from] = clock.now
                loop.raft.step(message)
                if message.from == loop.raft.leader { loop.lastLeaderContact = clock.now }
            }
            for request in work.controls { handle(request, on: loop, now: clock.now) }
            let patience = config.tickInterval * (2 * config.electionTicks)
            loop.awaitingLeader += work.proposals.map { ($0.sequence, $0.payload, clock.now.advanced(by: patience)) }
            do {
                try adoptFinishedSnapshot(loop)
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
                resendOrphanedProposals(on: loop)
                try handleReadies(loop)
                expire(loop, now: clock.now)
                publishStatus(loop, now: clock.now)
            } catch {
                // A failed write or fsync leaves the WAL's durable contents unknown: as after
                // a crash, only reopening it is safe. The node stays up, refuses writes,
                // says why in its status, and reopens its storage until that works (a full
                // disk that gets space back, a device that returns).
                abandonInFlight(loop, because: "this node's storage failed while it waited for the write (\(error))")
                guard recoverStorage(loop, after: error) else {
                    fail(with: .stopped)
                    break
                }
                nextTick = clock.now.advanced(by: config.tickInterval)
                continue
            }
            if work.stopping {
                abandonInFlight(loop, because: "this node was shut down while it waited for the write to commit")
                fail(with: .stopped)
                break
            }
        }
        // A build still running finishes its step first: it must not write into the
        // snapshot directory of a closed (or reopened) storage.
        loop.snapshotBuild?.cancelAndWait()
        loop.snapshotBuild = nil
        loop.storage.close()
        // Requests that arrived after the last turn are answered, not left waiting.
        let leftover = inbox.withLock { box in
            defer { box.controls = [] }
            return box.controls
        }
        for case .exportLog(let continuation) in leftover { continuation.resume(returning: nil) }
        finished.signal()
    }

    /// Runs on the driver thread after persisting or applying failed: answers everything
    /// waiting, refuses new requests, and tries every `storageRetryInterval` to reopen the
    /// log and rebuild the node from what it holds (exactly what a restart would do).
    /// Returns false when the driver is stopped meanwhile.
    private func recoverStorage(_ loop: DriverLoop, after error: any Error) -> Bool {
        var failure = RaftDriverError.failed("storage failure: \(error)")
        // Refuse new requests and take every waiter in one step, queued proposals included:
        // a proposal answered "failed" must never be proposed later.
        let (waiters, indexWaiters) = inbox.withLock { box in
            box.failure = failure
            box.proposals = []
            defer {
                box.waiters = [:]
                box.indexWaiters = [:]
            }
            return (box.waiters, box.indexWaiters)
        }
        for waiter in waiters.values { waiter.resume(returning: .failure(failure)) }
        for waiter in indexWaiters.values { waiter.resume(returning: .failure(failure)) }
        loop.awaitingLeader = []
        loop.pendingConfChanges = []
        loop.pendingReads = [:]
        loop.confirmedReads = []
        // Reopening the storage removes staged files: a build still writing one is waited
        // for and dropped first (the next due point starts a new one).
        loop.snapshotBuild?.cancelAndWait()
        loop.snapshotBuild = nil
        // This node neither leads nor follows anyone until its log is back: the manager
        // stops its leader services, and health says why.
        observed.withLock { status in
            status.storageFailure = "\(error)"
            status.role = .follower
            status.leader = 0
            status.committedInTerm = false
        }
        guard loop.storage.closeAfterFailure() else {
            failure = .failed("storage failure: \(error); cutting the log back to its last synced write failed too, "
                              + "so only a restart can read it safely")
            inbox.withLock { $0.failure = failure }
            observed.withLock { $0.storageFailure = "\(failure)" }
            return false
        }
        while true {
            // The full interval, whatever wakes the thread (peers keep sending).
            let deadline = ContinuousClock.now.advanced(by: config.storageRetryInterval)
            while ContinuousClock.now < deadline {
                _ = wake.wait(timeout: .now() + .milliseconds(50))
                let (stopping, controls) = inbox.withLock { box in
                    defer {
                        box.messages = []
                        box.controls = []
                    }
                    return (box.stopping, box.controls)
                }
                for case .exportLog(let continuation) in controls { continuation.resume(returning: nil) }
                if stopping { return false }
            }
            do {
                // Writable again? A synced probe, before the log is trusted with writes.
                try Self.probeWritable(config.raftDirectory)
                let (storage, recovered) = try RaftDiskStorage.open(directory: config.raftDirectory, cipher: config.cipher)
                do {
                    loop.raft = try resume(recovered.raftState, snapshot: recovered.snapshot, machine: loop.machine,
                                           storage: storage)
                } catch {
                    storage.close()
                    throw error
                }
                loop.storage = storage
                loop.knownLeader = 0
                loop.wasLeader = false
                loop.bytesSinceSnapshot = 0
                loop.campaignPending = loop.raft.confState.voters == [config.nodeID]
                inbox.withLock { $0.failure = nil }
                observed.withLock { $0.storageFailure = nil }
                return true
            } catch {
                failure = .failed("storage failure: \(error)")
                inbox.withLock { $0.failure = failure }
                observed.withLock { $0.storageFailure = "\(error)" }
            }
        }
    }

    private var raftConfig: RaftConfig {
        RaftConfig(id: config.nodeID, electionTicks: config.electionTicks, heartbeatTicks: config.heartbeatTicks,
                   randomSeed: config.randomSeed)
    }

    /// The node as the disk left it: the machine brought up to the snapshot when its own
    /// state is older (or gone), and Raft resuming after what the machine has applied.
    private func resume(_ state: RaftPersistentState, snapshot: Snapshot?, machine: Machine,
                        storage: RaftDiskStorage) throws -> RaftNode {
        if let snapshot, machine.appliedIndex < snapshot.metadata.index {
            try restore(machine, to: snapshot, from: storage)
        }
        var raftConfig = self.raftConfig
        raftConfig.applied = machine.appliedIndex
        var node = try RaftNode(config: raftConfig, restoring: state)
        // The snapshot's data stays in its file (read from there to be sent or exported).
        node.dropSnapshotData()
        return node
    }

    /// Brings the machine to `snapshot`. A snapshot without data (one built off the driver
    /// thread, or found on disk in the chunked format) has it in its file: it is decrypted,
    /// as a stream, into a scratch file beside the machine's state (never beside the
    /// encrypted log), and the machine restores from that.
    private func restore(_ machine: Machine, to snapshot: Snapshot, from storage: RaftDiskStorage) throws {
        guard snapshot.data.isEmpty else {
            try machine.restore(snapshot)
            return
        }
        let reader = try storage.openSnapshot(snapshot.metadata)
        let scratch = machine.snapshotScratchPath(named: "restore-\(String(UInt64.random(in: 1...UInt64.max), radix: 16))")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try reader.copyData(toFile: scratch)
        try machine.restore(snapshot.metadata, fromFile: scratch)
    }

    /// Writes and fsyncs a small file in `directory`, then removes it.
    private static func probeWritable(_ directory: String) throws {
        let path = directory + "/.write-probe"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw RaftDriverError.failed("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer {
            close(descriptor)
            unlink(path)
        }
        let block = [UInt8](repeating: 0, count: 4096)
        let written = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == block.count, fsync(descriptor) == 0 else {
            throw RaftDriverError.failed("cannot write to \(directory): \(String(cString: strerror(errno)))")
        }
    }

    private func propose(_ sequence: UInt64, _ payload: [UInt8], on loop: DriverLoop) {
        let frame = ProposalFrame(proposer: config.nodeID, sequence: sequence, payload: payload).encoded()
        do {
            try loop.raft.propose(frame)
            stages.proposed(CollectionOfOne(sequence))
            loop.inFlight[sequence] = InFlightProposal(
                frame: frame, deadline: ContinuousClock.now.advanced(by: config.proposalTimeout), leader: loop.raft.leader)
        } catch {
            // Raft refused it before it left this node (a leadership transfer is running):
            // nothing was written anywhere, so this is a true failure.
            answer(sequence, with: .failure(.unavailable("\(error)")))
        }
    }

    /// Sends again, to the leader now known, every proposal whose fate a leader change left
    /// open: a follower's write forwarded to a leader that died, or a deposed leader's own
    /// entry that the next leader may have dropped. The copy carries the same frame (and the
    /// command its id), so whichever copy commits first is the one applied: the state
    /// machine skips the other. This is what turns a leader change into a short wait for
    /// the writer instead of a false failure (or a wait for the proposal timeout).
    private func resendOrphanedProposals(on loop: DriverLoop) {
        guard loop.raft.leader != 0, loop.raft.transferee == 0 else { return }
        for (sequence, proposal) in loop.inFlight where proposal.needsResend {
            do {
                try loop.raft.propose(proposal.frame)
                loop.inFlight[sequence]?.needsResend = false
                loop.inFlight[sequence]?.leader = loop.raft.leader
                loop.inFlight[sequence]?.resent += 1
                loop.resentProposals += 1
                NodeMetrics.proposalsResent.increment()
            } catch {
                // Dropped (a transfer began in between): stays marked, tried again next turn.
                continue
            }
        }
    }

    private func handle(_ request: Control, on loop: DriverLoop, now: ContinuousClock.Instant) {
        switch request {
        case .unreachable(let peer):
            loop.raft.reportUnreachable(peer)
        case .snapshotStatus(let peer, let succeeded):
            loop.raft.reportSnapshot(to: peer, succeeded: succeeded)
        case .forgetLeader(let peer):
            // The survivors campaign soon in turn, lowest-numbered first, three ticks apart.
            // The first usually wins before the next begins (granting its vote restarts the
            // next one's timer); when it cannot (it restarted and never heard of this leader,
            // or its log is behind), the next one does, instead of all waiting out a
            // randomized election timeout.
            let survivors = loop.raft.confState.voters.filter { $0 != peer }.sorted()
            let rank = survivors.firstIndex(of: config.nodeID)
            loop.raft.forgetLeader(peer, campaignSoon: rank != nil, ticksToCampaign: 2 + 3 * (rank ?? 0))
        case .transferLeadership(let peer):
            loop.raft.transferLeadership(to: peer)
        case .confChange(let sequence, let change):
            do {
                try loop.raft.proposeConfChange(change)
                loop.pendingConfChanges.append((sequence, change, now.advanced(by: config.proposalTimeout)))
            } catch {
                if case .proposalDropped = error {
                    answerIndex(sequence, with: .failure(.unavailable("\(error)")))
                } else {
                    answerIndex(sequence, with: .failure(.rejected("\(error)")))
                }
            }
        case .exportLog(let continuation):
            var cut = RaftLogCut(raft: loop.raft)
            if let snapshot = cut.snapshot, !snapshot.isEmpty, snapshot.data.isEmpty {
                // Opened here, read off this thread: the file cannot go away in between.
                do {
                    cut.snapshotFile = try loop.storage.openSnapshot(snapshot.metadata)
                } catch {
                    config.logger.warning("cannot read the snapshot at index \(snapshot.metadata.index) for an export",
                                          metadata: ["error": "\(error)"])
                    continuation.resume(returning: nil)
                    return
                }
            }
            continuation.resume(returning: cut)
        case .readIndex(let sequence):
            // Unique across the cluster: the leader keys pending reads by context, and every
            // node numbers its requests from 1.
            var context: [UInt8] = []
            withUnsafeBytes(of: config.nodeID.littleEndian) { context.append(contentsOf: $0) }
            withUnsafeBytes(of: sequence.littleEndian) { context.append(contentsOf: $0) }
            do {
                try loop.raft.readIndex(context: context)
                loop.pendingReads[sequence] = now.advanced(by: config.proposalTimeout)
            } catch {
                answerIndex(sequence, with: .failure(.unavailable("\(error)")))
            }
        }
    }

    /// Fails what waited longer than the proposal timeout: its message may have been lost
    /// with a leader, and the caller must not hang.
    private func expire(_ loop: DriverLoop, now: ContinuousClock.Instant) {
        for (sequence, proposal) in loop.inFlight where proposal.deadline <= now {
            loop.inFlight[sequence] = nil
            let leaderless = loop.raft.leader == 0
                ? ". The swarm does not have a leader. It's possible that too few managers are online. "
                    + "Make sure more than half of the managers are online" : ""
            answer(sequence, with: .failure(.outcomeUnknown(
                "it was handed to the leader but not confirmed within \(config.proposalTimeout)"
                    + (proposal.resent > 0 ? " (sent again \(proposal.resent) time(s) after leader changes)" : "") + leaderless)))
        }
        for (sequence, deadline) in loop.pendingReads where deadline <= now {
            loop.pendingReads[sequence] = nil
            answerIndex(sequence, with: .failure(.unavailable("no quorum confirmed the read in time")))
        }
        for pending in loop.pendingConfChanges where pending.deadline <= now {
            answerIndex(pending.sequence, with: .failure(.unavailable("the membership change was not committed in time")))
        }
        loop.pendingConfChanges.removeAll { $0.deadline <= now }
        let applied = loop.machine.appliedIndex
        for read in loop.confirmedReads where read.index <= applied {
            answerIndex(read.sequence, with: .success(read.index))
        }
        for read in loop.confirmedReads where read.index > applied && read.deadline <= now {
            answerIndex(read.sequence, with: .failure(.unavailable("this node did not catch up with the read index in time")))
        }
        loop.confirmedReads.removeAll { $0.index <= applied || $0.deadline <= now }
    }

    private func publishStatus(_ loop: DriverLoop, now: ContinuousClock.Instant) {
        if loop.raft.role == .leader { loop.lastLeaderContact = now }
        var status = RaftDriverStatus(
            leader: loop.raft.leader, role: loop.raft.role, term: loop.raft.term,
            commitIndex: loop.raft.commitIndex, appliedIndex: loop.machine.appliedIndex,
            snapshotIndex: loop.raft.snapshot?.metadata.index ?? 0, confState: loop.raft.confState,
            progress: loop.raft.progress, leaderSilence: now - loop.lastLeaderContact,
            peerSilence: loop.lastHeard.filter { loop.raft.confState.contains($0.key) }.mapValues { now - $0 })
        status.receivedSnapshotIndex = loop.receivedSnapshotIndex
        status.committedInTerm = loop.raft.term(at: loop.raft.commitIndex) == loop.raft.term
        status.storageFailure = nil
        status.resentProposals = loop.resentProposals
        status.snapshotBuilding = loop.snapshotBuild != nil
        status.snapshotFailure = loop.snapshotFailure
        observed.withLock { $0 = status }
    }

    private func handleReadies(_ loop: DriverLoop) throws {
        while loop.raft.hasReady {
            let ready = loop.raft.ready()
            stages.record(.appended, ready.entries.lazy.map(\.index))
            // A leader's appends and heartbeats leave before its own fsync, so the followers'
            // writes overlap the leader's (Raft thesis §10.2.1). It is safe because nothing
            // counts as committed before this thread has finished that fsync: the followers'
            // acknowledgements are stepped only afterwards, on this thread. Every other
            // message (votes, a follower's acknowledgements) promises something about this
            // node's disk, and leaves only once the disk holds it.
            let leading = loop.raft.role == .leader
            let early = leading ? ready.messages.filter { $0.type == .append || $0.type == .heartbeat } : []
            // `sent` is stamped before the hand-off: a peer may record `received` before
            // `send` returns.
            if !early.isEmpty {
                stages.record(.sent, early.lazy.filter { $0.type == .append }.flatMap { $0.entries.lazy.map(\.index) })
                send(early, on: loop)
            }
            try loop.storage.persist(hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot,
                                     sync: ready.mustSync)
            stages.record(.persisted, ready.entries.lazy.map(\.index))
            let late = early.isEmpty ? ready.messages : ready.messages.filter { $0.type != .append && $0.type != .heartbeat }
            if !late.isEmpty {
                stages.record(.sent, late.lazy.filter { $0.type == .append }.flatMap { $0.entries.lazy.map(\.index) })
                send(late, on: loop)
            }
            stages.record(.committed, ready.committedEntries.lazy.map(\.index))
            markOwnEntries(ready.entries, on: loop)
            for state in ready.readStates where state.context.count == 16 {
                var node: UInt64 = 0
                var sequence: UInt64 = 0
                for offset in 0..<8 {
                    node |= UInt64(state.context[offset]) << (8 * UInt64(offset))
                    sequence |= UInt64(state.context[8 + offset]) << (8 * UInt64(offset))
                }
                guard node == config.nodeID else { continue }
                if let deadline = loop.pendingReads.removeValue(forKey: sequence) {
                    loop.confirmedReads.append((sequence, state.index, deadline))
                }
            }
            if let snapshot = ready.snapshot {
                try restore(loop.machine, to: snapshot, from: loop.storage)
                loop.receivedSnapshotIndex = snapshot.metadata.index
                loop.bytesSinceSnapshot = 0
            }
            try apply(ready.committedEntries.filter { $0.index > loop.machine.appliedIndex }, on: loop)
            loop.raft.advance(ready)
            // Persisted and installed: its data is in its file now, not in the log's memory.
            if ready.snapshot != nil { loop.raft.dropSnapshotData() }
            if loop.campaignPending && loop.raft.confState.voters == [config.nodeID] {
                // A single-voter cluster need not wait an election timeout to lead.
                loop.campaignPending = false
                loop.raft.campaign()
            }
            if let soft = ready.softState {
                if soft.role != .leader && loop.wasLeader {
                    // Membership changes and read points die with the leadership (a retry
                    // of either is harmless). Writes do not fail here: below, they are sent
                    // again to the next leader.
                    failIndexWaiters(.unavailable("leadership moved to node \(soft.leader) while the request was in flight"))
                }
                loop.wasLeader = soft.role == .leader
                if soft.leader != loop.knownLeader {
                    orphanProposals(on: loop)
                    loop.knownLeader = soft.leader
                }
            }
            try compactIfDue(loop)
        }
    }

    /// Hands messages to the transport. A snapshot whose data stays in its file (the Raft
    /// log holds only its metadata) is read on a thread of its own and sent from there.
    private func send(_ messages: [Message], on loop: DriverLoop) {
        var ready: [Message] = []
        for message in messages {
            guard let snapshot = message.snapshot, !snapshot.isEmpty, snapshot.data.isEmpty else {
                ready.append(message)
                continue
            }
            do {
                let reader = try loop.storage.openSnapshot(snapshot.metadata)
                snapshotSends.send(message, reading: reader, to: outbound) { [weak self] in
                    self?.reportSnapshot(to: message.to, succeeded: false)
                }
            } catch {
                config.logger.warning("cannot read the snapshot at index \(snapshot.metadata.index) for node \(message.to)",
                                      metadata: ["error": "\(error)"])
                control(.snapshotStatus(message.to, succeeded: false))
            }
        }
        if !ready.isEmpty { outbound(ready) }
    }

    private func markOwnEntries(_ entries: [Entry], on loop: DriverLoop) {
        guard !loop.inFlight.isEmpty else { return }
        for entry in entries where entry.kind == .normal && !entry.data.isEmpty {
            guard let frame = ProposalFrame(decoding: entry.data), frame.proposer == config.nodeID else { continue }
            loop.inFlight[frame.sequence]?.logIndex = entry.index
        }
    }

    /// The leader changed: every proposal not known to be committed may have been lost
    /// with the old leader (a forwarded message, an uncommitted log tail), or may still
    /// commit under the new one. Neither is known, so each is sent again once a leader is
    /// known (``resendOrphanedProposals(on:)``); the state machine applies only the first
    /// copy that commits.
    private func orphanProposals(on loop: DriverLoop) {
        let committed = loop.raft.commitIndex
        for (sequence, proposal) in loop.inFlight {
            // In this node's log at a committed index (with the term it was proposed in, as
            // a log entry at a committed index can no longer change): it will be applied.
            if let index = proposal.logIndex, index <= committed,
               let entry = loop.raft.entries(from: index, through: index).first, entry.data == proposal.frame {
                continue
            }
            loop.inFlight[sequence]?.needsResend = true
        }
    }

    private func apply(_ entries: [Entry], on loop: DriverLoop) throws {
        guard !entries.isEmpty else { return }
        var frames: [ProposalFrame?] = []
        var committed: [CommittedEntry] = []
        for entry in entries where entry.kind == .confChange {
            guard let change = ConfChange(encoded: entry.data),
                  let position = loop.pendingConfChanges.firstIndex(where: { $0.change.kind == change.kind && $0.change.nodeID == change.nodeID })
            else { continue }
            answerIndex(loop.pendingConfChanges.remove(at: position).sequence, with: .success(entry.index))
        }
        for entry in entries {
            let frame = entry.kind == .normal && !entry.data.isEmpty ? ProposalFrame(decoding: entry.data) : nil
            frames.append(frame)
            committed.append(CommittedEntry(index: entry.index, term: entry.term, payload: frame?.payload))
        }
        loop.bytesSinceSnapshot += entries.reduce(0) { $0 + $1.data.count }
        let results: [Machine.Result]
        do {
            results = try loop.machine.apply(committed)
        } catch {
            // Committed, and applied again once the node recovers: not a failure.
            for case let frame? in frames where frame.proposer == config.nodeID {
                loop.inFlight[frame.sequence] = nil
                answer(frame.sequence, with: .failure(.outcomeUnknown("it committed, but applying it on this manager failed (\(error))")))
            }
            throw error
        }
        stages.record(.applied, committed.lazy.map(\.index))
        var answered: [(index: UInt64, sequence: UInt64)] = []
        for ((frame, result), entry) in zip(zip(frames, results), committed) {
            if let frame, frame.proposer == config.nodeID {
                loop.inFlight[frame.sequence] = nil
                answer(frame.sequence, with: .success(result))
                answered.append((entry.index, frame.sequence))
            }
        }
        stages.answered(answered)
    }

    private func compactIfDue(_ loop: DriverLoop) throws {
        let snapshotIndex = loop.raft.snapshot?.metadata.index ?? 0
        let policy = loop.machine.snapshotPolicy
            ?? SnapshotPolicy(interval: config.snapshotInterval, retainedEntries: config.retainedEntries)
        // Every `interval` entries, or sooner when the entries since the last snapshot (which
        // the log keeps in memory) pass `snapshotLogBytes`: a log of large commands stays bounded.
        let dueByCount = loop.machine.appliedIndex >= snapshotIndex + max(policy.interval, 1)
        let dueBySize = loop.bytesSinceSnapshot >= config.snapshotLogBytes && loop.machine.appliedIndex > snapshotIndex
        guard dueByCount || dueBySize, loop.raft.appliedIndex == loop.machine.appliedIndex else { return }
        let retained = dueByCount ? policy.retainedEntries : min(policy.retainedEntries, config.retainedEntriesAfterLargeLog)
        if let writer = loop.machine.snapshotWriter {
            // Built on a thread of its own; adopted by `adoptFinishedSnapshot` once done.
            guard loop.snapshotBuild == nil, ContinuousClock.now >= loop.nextBuildAllowed else { return }
            loop.bytesAtBuildStart = loop.bytesSinceSnapshot
            let wake = self.wake
            let image = loop.machine.snapshotScratchPath(named: "build-\(String(UInt64.random(in: 1...UInt64.max), radix: 16))")
            loop.snapshotBuild = SnapshotBuild.start(
                writer: writer, imagePath: image, stager: loop.storage.stager, confState: loop.raft.confState, retaining: retained,
                name: "raft-\(config.nodeID)-snapshot"
            ) { wake.signal() }
            return
        }
        let started = ContinuousClock.now
        defer { NodeMetrics.snapshot.record(duration: ContinuousClock.now - started) }
        let data = try loop.machine.snapshotData()
        NodeMetrics.snapshotSize.record(data.count)
        let snapshot = try loop.raft.compact(snapshotData: data, retaining: retained)
        try loop.storage.compact(to: snapshot)
        loop.bytesSinceSnapshot = 0
    }

    /// Takes the outcome of a finished snapshot build: compacts the log at the index the
    /// copy reflects and adopts its file, or drops it (logged) when it failed or the log
    /// moved past it; the next due point starts another. Throws only what the storage
    /// throws (handled as any storage failure).
    private func adoptFinishedSnapshot(_ loop: DriverLoop) throws {
        guard let build = loop.snapshotBuild, let outcome = build.outcome else { return }
        loop.snapshotBuild = nil
        switch outcome {
        case .cancelled:
            return
        case .failed(let why):
            loop.snapshotFailure = why
            // Not at every turn while, say, the disk is full.
            loop.nextBuildAllowed = ContinuousClock.now.advanced(by: config.storageRetryInterval)
            NodeMetrics.snapshotFailures.increment()
            config.logger.warning("building a snapshot failed; retrying at the next due point", metadata: ["error": "\(why)"])
        case .built(let built):
            let snapshot: Snapshot
            do {
                // The Raft log keeps the metadata only: the data stays in the file.
                snapshot = try loop.raft.compact(at: built.metadata, snapshotData: [], retaining: build.retaining)
            } catch {
                // The log moved past the copy (a snapshot from the leader, a membership change
                // applied meanwhile): not a failure, the next due point builds a newer one.
                loop.storage.stager.discard(built.stagedPath)
                config.logger.info("a snapshot built at index \(built.metadata.index) was not used: \(error)")
                return
            }
            do {
                try loop.storage.compact(toStaged: built.stagedPath, metadata: snapshot.metadata)
            } catch {
                loop.storage.stager.discard(built.stagedPath)
                throw error
            }
            loop.bytesSinceSnapshot = max(0, loop.bytesSinceSnapshot - loop.bytesAtBuildStart)
            loop.snapshotFailure = nil
            NodeMetrics.snapshot.record(duration: built.duration)
            NodeMetrics.snapshotSize.record(Int(clamping: built.size))
        }
    }

    private func answer(_ sequence: UInt64, with result: Result<Machine.Result, RaftDriverError>) {
        let waiter = inbox.withLock { $0.waiters.removeValue(forKey: sequence) }
        waiter?.resume(returning: result)
    }

    private func answerIndex(_ sequence: UInt64, with result: Result<UInt64, RaftDriverError>) {
        let waiter = inbox.withLock { $0.indexWaiters.removeValue(forKey: sequence) }
        waiter?.resume(returning: result)
    }

    private func failWaiters(_ error: RaftDriverError) {
        let (waiters, indexWaiters) = inbox.withLock { box in
            defer {
                box.waiters = [:]
                box.indexWaiters = [:]
            }
            return (box.waiters, box.indexWaiters)
        }
        for waiter in waiters.values { waiter.resume(returning: .failure(error)) }
        for waiter in indexWaiters.values { waiter.resume(returning: .failure(error)) }
    }

    private func failIndexWaiters(_ error: RaftDriverError) {
        let indexWaiters = inbox.withLock { box in
            defer { box.indexWaiters = [:] }
            return box.indexWaiters
        }
        for waiter in indexWaiters.values { waiter.resume(returning: .failure(error)) }
    }

    /// The driver stops with proposals handed to Raft: they may still commit on the other
    /// managers, so their proposers are told the outcome is unknown, not that they failed.
    private func abandonInFlight(_ loop: DriverLoop, because reason: String) {
        for sequence in loop.inFlight.keys {
            answer(sequence, with: .failure(.outcomeUnknown(reason)))
        }
        loop.inFlight = [:]
    }

    private func fail(with error: RaftDriverError) {
        inbox.withLock { box in
            if box.failure == nil { box.failure = error }
        }
        failWaiters(error)
    }
}
