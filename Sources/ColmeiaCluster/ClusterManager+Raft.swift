import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaRaft
import ColmeiaRaftStorage
import ColmeiaStore
import Foundation

extension ClusterManager {
    // MARK: Cluster port

    /// Raft messages from a manager's cluster-port request: refused when that node has been
    /// demoted since its certificate was issued, else delivered.
    func deliverFromManager(_ messages: [Message], from peer: String) throws {
        guard isStillManager(peer) else { throw DockerAPIError.demotedManager(peer) }
        try deliver(messages, from: peer)
    }

    /// Raft messages from the peer manager `peer` (the node id of its certificate). A peer
    /// speaks only for itself: a batch with a message whose `from` is another member's
    /// Raft id is refused whole (403, and a warning in the log).
    func deliver(_ messages: [Message], from peer: String) throws {
        guard let node else { throw DockerAPIError.notManager }
        try checkSenders(of: messages, from: peer)
        node.receive(messages)
    }

    /// Refuses `messages` when one claims to come from a Raft member other than `peer`.
    /// The members' Raft ids are read from the store at most once a second, and again
    /// before a refusal, so that a manager that joined a moment ago is not refused.
    func checkSenders(of messages: [Message], from peer: String) throws {
        guard let store = localStore() else { return }
        let now = ContinuousClock.now
        var check: RaftSenderCheck
        if let cached = raftSenderCheck, now - cached.at < .seconds(1) {
            check = cached.check
        } else {
            check = RaftSenderCheck(members: Self.raftMembers(in: store))
            raftSenderCheck = (now, check)
        }
        guard check.forged(messages, by: peer) != nil else { return }
        check = RaftSenderCheck(members: Self.raftMembers(in: store))
        raftSenderCheck = (now, check)
        guard let forged = check.forged(messages, by: peer) else { return }
        let owner = check.members[forged.from].map { "node \($0)'s" } ?? "an unknown"
        logger.warning("refused Raft messages sent in another member's name", metadata: [
            "peer": "\(peer)", "claimedFrom": "\(forged.from)", "type": "\(forged.type)"])
        throw DockerAPIError(.forbidden, "Permission denied: node \(peer) sent a Raft message in the name of member \(forged.from) (\(owner) Raft id), not its own")
    }

    /// Raft member id → node id of every manager in the store.
    static func raftMembers(in store: ClusterStore) -> [UInt64: String] {
        guard let nodes = try? store.list(Node.self) else { return [:] }
        var members: [UInt64: String] = [:]
        for node in nodes {
            if let raftID = raftID(of: node) { members[raftID] = node.id }
        }
        return members
    }

    /// A part of a snapshot from `peer` (`POST /raft/snapshot`); the last part hands the
    /// whole snapshot message to Raft.
    func receiveSnapshotPart(from peer: String, transfer: String, offset: Int, total: Int,
                             chunk: [UInt8]) throws -> SnapshotReassembly.Outcome {
        guard let node, let transport = node.transport else { throw DockerAPIError.notManager }
        let outcome: SnapshotReassembly.Outcome
        do {
            outcome = try transport.incomingSnapshots.accept(from: peer, transfer: transfer, offset: offset,
                                                             total: total, chunk: chunk)
        } catch {
            throw DockerAPIError(.badRequest, error.description)
        }
        if case .complete(let bytes, let parts) = outcome {
            let messages: [Message]
            do {
                messages = try MessageBatch.decode(bytes)
            } catch {
                throw DockerAPIError(.badRequest, "malformed snapshot: \(error)")
            }
            try checkSenders(of: messages, from: peer)
            logger.notice("received a snapshot", metadata: ["from": "\(peer)", "bytes": "\(total)", "parts": "\(parts)"])
            node.receive(messages)
        }
        return outcome
    }

    /// Who this node is in Raft and whom it follows (`GET /raft/status`).
    func raftStatus() throws -> PeerStatus {
        guard let node else { throw DockerAPIError.notManager }
        let status = node.status
        return PeerStatus(id: node.nodeID, leader: status.leader, term: status.term)
    }

    /// The dispatcher while this node leads.
    func leaderDispatcher() -> Dispatcher? {
        leader?.dispatcher
    }

    /// The leader's cluster address, when one is known.
    func leaderAddress() -> String? {
        guard let node else { return nil }
        let leaderID = node.status.leader
        return leaderID == 0 ? nil : node.transport?.addresses.address(of: leaderID)
    }

    /// Managers as Raft sees them now: the stored Leader flag and Reachability trail an
    /// election by up to a second; every manager knows the leader, and the leader knows
    /// who answers. Reads show the live view.
    package func withLiveManagerStatus(_ nodes: [Node]) -> [Node] {
        guard let node else { return nodes }
        let status = node.status
        return nodes.map { record in
            guard var manager = record.managerStatus, let raftID = Self.raftID(of: record) else { return record }
            var live = record
            guard status.confState.contains(raftID) else {
                // Not a Raft member (still joining, or left behind by a forced new cluster):
                // whatever was recorded, it does not lead.
                manager.leader = false
                live.managerStatus = manager
                return live
            }
            manager.leader = raftID == status.leader
            if manager.leader {
                manager.reachability = "reachable"
            } else if status.role == .leader {
                manager.reachability = Self.reachability(of: raftID, in: status, selfID: node.nodeID)
            }
            live.managerStatus = manager
            return live
        }
    }

    // MARK: Upkeep

    /// Runs for the life of a manager: starts the reconcilers and dispatcher when this node
    /// becomes leader and stops them when it no longer is; on the leader, promotes caught-up
    /// learners and records each manager's reachability; everywhere, keeps the transport's
    /// address book in step with the manager nodes in the store.
    func upkeep() async {
        var round = 0
        var seen: (role: RaftRole, term: UInt64, leader: UInt64, conf: ConfState)?
        var receivedSnapshot: UInt64 = 0
        var snapshotIndex: UInt64?
        var storageFailure: String?
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            guard let node else { continue }
            let status = node.status
            recordRaftMetrics(status, selfID: node.nodeID)
            if status.storageFailure != storageFailure {
                if let failure = status.storageFailure {
                    logger.critical("storage failure: this manager cannot persist its log and refuses writes; it reopens its storage every second",
                                    metadata: ["error": "\(failure)", "directory": "\(dataDirectory)"])
                } else {
                    logger.notice("storage recovered: the log reopened and this manager accepts writes again")
                }
                storageFailure = status.storageFailure
            }
            if seen?.role != status.role || seen?.term != status.term || seen?.leader != status.leader || seen?.conf != status.confState {
                logger.notice("raft", metadata: [
                    "role": "\(status.role)", "term": "\(status.term)", "leader": "\(String(status.leader, radix: 16))",
                    "voters": "\(status.confState.voters.map { String($0, radix: 16) })",
                    "learners": "\(status.confState.learners.map { String($0, radix: 16) })"])
                seen = (status.role, status.term, status.leader, status.confState)
            }
            if let previous = snapshotIndex, status.snapshotIndex > previous, status.snapshotIndex != status.receivedSnapshotIndex {
                logger.notice("snapshot taken: the log is compacted", metadata: ["index": "\(status.snapshotIndex)", "term": "\(status.term)"])
            }
            snapshotIndex = status.snapshotIndex
            if status.receivedSnapshotIndex != receivedSnapshot {
                receivedSnapshot = status.receivedSnapshotIndex
                logger.notice("caught up from the leader's snapshot", metadata: ["index": "\(receivedSnapshot)"])
            }
            if status.mayActAsLeader {
                if leader == nil {
                    logger.notice("leading the swarm: starting the reconcilers and the dispatcher",
                                  metadata: ["term": "\(status.term)"])
                    let notifier = Notifier(store: node.store, node: node, logger: logger)
                    leader = await LeaderServices(store: node.store, proposer: node, logger: logger,
                                                  heartbeatPeriod: heartbeatPeriod, alongside: [{ await notifier.run() }])
                    await recordManagerStatus(node, node.status)
                }
            } else if status.role != .leader, let running = leader {
                leader = nil
                logger.notice("no longer leading: stopping the reconcilers and the dispatcher")
                await running.stop()
            }
            if status.role == .leader && !status.confState.learners.isEmpty {
                await promoteCaughtUpLearners(node, status)
            }
            round += 1
            guard round % 5 == 0 else { continue }
            await recordSlowMetrics(node)
            Self.refreshAddresses(of: node)
            followAutolock(node)
            startAuditRetentionIfDue(node)
            if status.role == .leader {
                await recordManagerStatus(node, status)
                await removeDemotedMembers(node, status)
                await finishRootRotationIfDone(node)
                startScheduledBackupIfDue()
            }
        }
    }

    /// A learner within a few entries of the commit index becomes a voter (a manager that
    /// joins must not count toward the quorum before it can vote sensibly).
    private func promoteCaughtUpLearners(_ node: ClusterNode, _ status: RaftDriverStatus) async {
        for learner in status.confState.learners {
            guard let progress = status.progress[learner], progress.match + 16 >= status.commitIndex else { continue }
            do {
                try await node.changeMembership(ConfChange(.addNode, nodeID: learner))
                logger.notice("promoted a caught-up learner to voter", metadata: ["raft": "\(String(learner, radix: 16))"])
            } catch {
                logger.info("could not promote a learner yet", metadata: ["error": "\(error)"])
            }
            return
        }
    }

    /// Writes each manager's Leader flag and Reachability from the leader's live view of
    /// Raft, when it changed.
    private func recordManagerStatus(_ node: ClusterNode, _ status: RaftDriverStatus) async {
        guard let nodes = try? node.store.list(Node.self) else { return }
        var changed: [(Node, UInt64)] = []
        for var record in nodes {
            guard var manager = record.managerStatus, let raftID = Self.raftID(of: record) else { continue }
            guard status.confState.contains(raftID) else {
                // No longer a Raft member (a forced new cluster left it behind).
                if manager.leader || manager.reachability != "unreachable", record.version.index > 0,
                   !recentlyAdmitted(record) {
                    manager.leader = false
                    manager.reachability = "unreachable"
                    record.managerStatus = manager
                    changed.append((record, record.version.index))
                }
                continue
            }
            let isLeader = raftID == status.leader
            let reachability = Self.reachability(of: raftID, in: status, selfID: node.nodeID)
            guard manager.leader != isLeader || manager.reachability != reachability else { continue }
            manager.leader = isLeader
            manager.reachability = reachability
            record.managerStatus = manager
            changed.append((record, record.version.index))
        }
        guard !changed.isEmpty else { return }
        _ = try? await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "raft-membership")),
            preconditions: changed.map { .objectVersion(kind: .node, id: $0.0.id, index: $0.1) },
            events: changed.map { .nodeUpdated($0.0) }))
    }

    /// A member as the leader sees it: a learner does not count toward the quorum yet, so it
    /// is not "reachable" until it votes.
    static func reachability(of raftID: UInt64, in status: RaftDriverStatus, selfID: UInt64) -> Reachability {
        guard status.confState.voters.contains(raftID) else { return "unknown" }
        return status.heardFrom(raftID, self: selfID, within: reachabilityWindow) ? "reachable" : "unreachable"
    }

    /// A manager silent for longer than this (ten heartbeats) is unreachable.
    static let reachabilityWindow = Duration.seconds(1)

    /// A manager admitted in the last few seconds may not be a Raft member yet.
    private func recentlyAdmitted(_ node: Node) -> Bool {
        Timestamp.now().seconds - node.createdAt.seconds < 30
    }

    static func raftID(of node: Node) -> UInt64? {
        node.managerStatus?.extra[raftIDKey]?.stringValue.flatMap { UInt64($0) }
    }

    /// Raft member id → cluster address of every manager in the store.
    static func managerAddressBook(in store: ClusterStore) -> [UInt64: String] {
        guard let nodes = try? store.list(Node.self) else { return [:] }
        var book: [UInt64: String] = [:]
        for node in nodes {
            if let raftID = raftID(of: node), let addr = node.managerStatus?.addr, !addr.isEmpty { book[raftID] = addr }
        }
        return book
    }

    static func refreshAddresses(of node: ClusterNode) {
        guard let transport = node.transport else { return }
        var book = managerAddressBook(in: node.store)
        // Our own entry is what we were told at join, until the store says otherwise.
        if book[node.nodeID] == nil { book[node.nodeID] = transport.addresses.address(of: node.nodeID) }
        transport.addresses.merge(book.compactMapValues { $0 })
    }

    /// The managers' addresses for a dispatcher client, the leader's first.
    nonisolated static func managerAddresses(of node: ClusterNode) -> [String] {
        guard let book = node.transport?.addresses.all else { return [] }
        let leaderID = node.status.leader
        var ordered = book.filter { $0.key != node.nodeID }.sorted { $0.key < $1.key }.map(\.value)
        if let leading = book[leaderID], leaderID != node.nodeID {
            ordered.removeAll { $0 == leading }
            ordered.insert(leading, at: 0)
        }
        return ordered
    }
}
