import ColmeiaRaft
import ColmeiaRaftStorage
import Dispatch
import Foundation
import Synchronization

/// One Raft node of the in-process benchmark cluster: a dedicated thread owns the
/// `RaftNode` and its `RaftDiskStorage`; other threads only append to its inbox.
///
/// Each loop iteration drains the inbox, steps everything, and handles the resulting
/// `Ready` with a single fsync, so proposals that arrive while the disk is busy are
/// committed together (group commit).
final class BenchNode: Sendable {
    struct Inbox {
        var messages: [Message] = []
        var proposals: [(id: UInt64, data: [UInt8])] = []
        var stopped = false
    }

    struct Counters {
        var fsyncs = 0
        var entriesPersisted = 0
    }

    let id: NodeID
    private let inbox = Mutex(Inbox())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    let counters = Mutex(Counters())

    init(id: NodeID) {
        self.id = id
    }

    func deliver(_ messages: [Message]) {
        inbox.withLock { $0.messages.append(contentsOf: messages) }
        wake.signal()
    }

    func submit(id proposal: UInt64, data: [UInt8]) {
        inbox.withLock { $0.proposals.append((proposal, data)) }
        wake.signal()
    }

    func stop() {
        inbox.withLock { $0.stopped = true }
        wake.signal()
        done.wait()
    }

    /// Starts the node's thread. `peers` resolves message destinations; `waiters` is woken
    /// by the leader as entries apply.
    func start(directory: String, voters: [NodeID], campaign: Bool, peers: @escaping @Sendable (NodeID) -> BenchNode?,
               waiters: ProposalWaiters) throws {
        let (storage, recovered) = try RaftDiskStorage.open(directory: directory)
        var raft: RaftNode
        if recovered.isEmpty {
            raft = try RaftNode.bootstrap(config: RaftConfig(id: id, randomSeed: id), voters: voters)
        } else {
            raft = try RaftNode(config: RaftConfig(id: id, randomSeed: id), restoring: recovered.raftState)
        }
        let box = LoopState(raft: raft, storage: storage)
        let thread = Thread { [self] in
            self.loop(box, campaign: campaign, peers: peers, waiters: waiters)
        }
        thread.name = "raft-\(id)"
        thread.start()
    }

    /// Thread-confined state, moved into the node's thread once.
    final class LoopState: @unchecked Sendable {
        var raft: RaftNode
        let storage: RaftDiskStorage
        init(raft: RaftNode, storage: RaftDiskStorage) {
            self.raft = raft
            self.storage = storage
        }
    }

    private func loop(_ state: LoopState, campaign: Bool, peers: @Sendable (NodeID) -> BenchNode?, waiters: ProposalWaiters) {
        let tickInterval = Duration.milliseconds(100)
        let clock = ContinuousClock()
        var nextTick = clock.now.advanced(by: tickInterval)
        var needCampaign = campaign
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(10))
            let work = inbox.withLock { box -> Inbox in
                let taken = box
                box.messages = []
                box.proposals = []
                return taken
            }
            if work.stopped { break }
            if clock.now >= nextTick {
                state.raft.tick()
                nextTick = clock.now.advanced(by: tickInterval)
            }
            for message in work.messages { state.raft.step(message) }
            if needCampaign {
                state.raft.campaign()
                needCampaign = false
            }
            for proposal in work.proposals {
                do {
                    try state.raft.propose(proposal.data)
                } catch {
                    waiters.resume(proposal.id, committed: false)
                }
            }
            while state.raft.hasReady {
                let ready = state.raft.ready()
                do {
                    try state.storage.persist(hardState: ready.hardState, entries: ready.entries, snapshot: ready.snapshot,
                                              sync: ready.mustSync)
                } catch {
                    FileHandle.standardError.write(Data("node \(id): storage failed: \(error)\n".utf8))
                    exit(1)
                }
                if ready.mustSync {
                    counters.withLock {
                        $0.fsyncs += 1
                        $0.entriesPersisted += ready.entries.count
                    }
                }
                var outgoing: [NodeID: [Message]] = [:]
                for message in ready.messages { outgoing[message.to, default: []].append(message) }
                for (peer, messages) in outgoing { peers(peer)?.deliver(messages) }
                if state.raft.role == .leader {
                    for entry in ready.committedEntries where entry.data.count >= 8 {
                        waiters.resume(Self.proposalID(entry.data), committed: true)
                    }
                }
                state.raft.advance(ready)
                compactIfNeeded(state)
            }
        }
        done.signal()
    }

    private func compactIfNeeded(_ state: LoopState) {
        let snapshotIndex = state.raft.snapshot?.metadata.index ?? 0
        guard state.raft.appliedIndex >= snapshotIndex + 20_000 else { return }
        do {
            let snapshot = try state.raft.compact(snapshotData: Array("bench".utf8), retaining: 1_000)
            try state.storage.compact(to: snapshot)
        } catch {
            FileHandle.standardError.write(Data("node \(id): compaction failed: \(error)\n".utf8))
        }
    }

    static func proposalID(_ data: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for position in 0..<8 { value |= UInt64(data[position]) << (8 * UInt64(position)) }
        return value
    }
}
