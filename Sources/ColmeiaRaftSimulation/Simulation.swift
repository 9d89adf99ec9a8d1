import ColmeiaRaft

/// A deterministic simulation of a Raft cluster under faults: lossy, duplicating,
/// reordering network; partitions (symmetric, one-way, isolation); crashes that lose
/// unsynced writes; membership changes and leadership transfers. Safety invariants are
/// checked after every step; at the end the network heals and the cluster must make
/// progress again (liveness).
///
/// ```swift
/// let report = Simulation(options: .scenario(seed: 42)).run()
/// assert(report.violations.isEmpty)
/// ```
public struct Simulation {
    public let options: SimulationOptions
    private var random: DeterministicRandom
    private var now = 0
    private var nodes: [NodeID: SimulatedNode] = [:]
    private var network: [InFlightMessage] = []
    private var blockedLinks: Set<Link> = []
    private var healPartitionAt: Int?
    private var removed: Set<NodeID> = []
    private var checker = SafetyChecker()
    private var report = SimulationReport()
    private var trace: UInt64 = 0
    private var nextProposal = 0
    private var nextRead = 0
    private var pendingReads: [[UInt8]: UInt64] = [:]
    private var lossRate: Double
    private var duplicateRate: Double
    private var faultsEnabled = true
    private var finalMarker: [UInt8] { Array("s\(options.seed)-final".utf8) }
    private var finalMarkerIndex: UInt64?

    private struct SimulatedNode {
        var raft: RaftNode?
        var disk = SimulatedDisk()
        var stateMachine = SimulatedStateMachine()
        var restartAt: Int?
        var lastCommit: UInt64 = 0
        var incarnation: UInt64 = 0
    }

    private struct InFlightMessage {
        var deliverAt: Int
        var order: UInt64
        var message: Message
    }

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    public init(options: SimulationOptions) {
        self.options = options
        self.random = DeterministicRandom(seed: options.seed)
        self.lossRate = options.lossRate
        self.duplicateRate = options.duplicateRate
    }

    private var initialVoters: [NodeID] { (1...UInt64(options.nodes)).map { $0 } }
    /// Two spare nodes that membership changes may add.
    private var allIDs: [NodeID] { (1...UInt64(options.nodes + 2)).map { $0 } }

    private func raftConfig(for id: NodeID, incarnation: UInt64) -> RaftConfig {
        RaftConfig(id: id, electionTicks: 10, heartbeatTicks: 1, maxBytesPerMessage: 512,
                   maxInflightMessages: 8, randomSeed: options.seed &+ incarnation &* 7919)
    }

    // MARK: Running

    /// Runs the whole scenario and returns what it observed.
    public mutating func run() -> SimulationReport {
        report = SimulationReport()
        report.seeds = 1
        for id in allIDs {
            var node = SimulatedNode()
            do {
                if initialVoters.contains(id) {
                    node.raft = try RaftNode.bootstrap(config: raftConfig(for: id, incarnation: 0), voters: initialVoters)
                } else {
                    node.raft = try RaftNode(config: raftConfig(for: id, incarnation: 0))
                }
            } catch {
                fail("setup", "node \(id) could not start: \(error)")
            }
            nodes[id] = node
        }
        for tick in 0..<options.ticks {
            now = tick
            injectFaults()
            clientRequests()
            tickAll()
            settle()
            if tick % 25 == 0 { checkLeaders() }
            if !checker.failures.isEmpty { break }
        }
        if checker.failures.isEmpty { checkLiveness() }
        collectFailures()
        report.commits = checker.appliedAt.count
        report.traceDigest = trace
        return report
    }

    private mutating func tickAll() {
        for id in allIDs where nodes[id]?.raft != nil {
            nodes[id]?.raft?.tick()
        }
    }

    /// Processes readies and delivers due messages until the cluster is quiet for this tick.
    private mutating func settle() {
        for _ in 0..<500 {
            var progressed = false
            for id in allIDs {
                var guardRounds = 0
                while nodes[id]?.raft?.hasReady == true, guardRounds < 50 {
                    handleReady(of: id)
                    progressed = true
                    guardRounds += 1
                }
            }
            if deliverDueMessages() { progressed = true }
            if !progressed { return }
        }
    }

    private mutating func deliverDueMessages() -> Bool {
        let due = network.filter { $0.deliverAt <= now }.sorted { ($0.deliverAt, $0.order) < ($1.deliverAt, $1.order) }
        guard !due.isEmpty else { return false }
        network.removeAll { $0.deliverAt <= now }
        for item in due {
            let message = item.message
            guard !blockedLinks.contains(Link(from: message.from, to: message.to)) else { continue }
            guard nodes[message.to]?.raft != nil else { continue }
            trace = SimulatedStateMachine.mix(trace, UInt64(message.type.rawValue), message.from, message.to, message.term, message.index)
            nodes[message.to]?.raft?.step(message)
        }
        return true
    }

    private mutating func send(_ message: Message) {
        if message.type == .snapshot { report.snapshotsSent += 1 }
        guard faultsEnabled == false || chance(1 - lossRate) else {
            report.faults += 1
            return
        }
        let copies = faultsEnabled && chance(duplicateRate) ? 2 : 1
        if copies == 2 { report.faults += 1 }
        for _ in 0..<copies {
            let delay = options.maxDelay > 0 ? Int(random.next() % UInt64(options.maxDelay + 1)) : 0
            network.append(InFlightMessage(deliverAt: now + delay, order: random.next(), message: message))
        }
    }

    private mutating func handleReady(of id: NodeID) {
        guard var node = nodes[id], var raft = node.raft else { return }
        let ready = raft.ready()
        if ready.softState?.role == .leader {
            report.elections += 1
            checker.observeLeader(id, term: raft.term)
            checker.checkLeaderCompleteness(raft)
        }
        checker.observeLogEntries(ready.entries, on: raft)
        do {
            try node.disk.write(ready)
        } catch {
            fail("durability", "node \(id): \(error)")
        }
        for message in ready.messages { send(message) }
        if let snapshot = ready.snapshot {
            guard let restored = SimulatedStateMachine(snapshotData: snapshot.data) else {
                fail("snapshot", "node \(id) received an unreadable snapshot at \(snapshot.metadata.index)")
                return
            }
            node.stateMachine = restored
            checker.observeDigest(index: restored.appliedIndex, digest: restored.digest, on: id)
        }
        for entry in ready.committedEntries {
            let previous = node.stateMachine.appliedIndex
            node.stateMachine.apply(entry)
            trace = SimulatedStateMachine.mix(trace, id, entry.index, node.stateMachine.digest)
            checker.observeApply(entry, on: id, term: raft.term, commitIndex: raft.commitIndex, previousApplied: previous,
                                 digestAfter: node.stateMachine.digest)
            if finalMarkerIndex == nil, entry.data == finalMarker { finalMarkerIndex = entry.index }
            if entry.kind == .confChange, let change = ConfChange(encoded: entry.data), change.kind == .removeNode,
               !removed.contains(change.nodeID) {
                removed.insert(change.nodeID)
            }
        }
        for read in ready.readStates {
            report.reads += 1
            if let required = pendingReads.removeValue(forKey: read.context) {
                checker.checkRead(index: read.index, requiredAtLeast: required, on: id)
            }
        }
        raft.advance(ready)
        checker.checkCommitMonotonic(node: id, previous: node.lastCommit, current: raft.commitIndex)
        node.lastCommit = raft.commitIndex
        let snapshotIndex = raft.snapshot?.metadata.index ?? 0
        if raft.appliedIndex >= snapshotIndex + options.compactionThreshold,
           raft.appliedIndex == node.stateMachine.appliedIndex {
            do {
                let snapshot = try raft.compact(snapshotData: node.stateMachine.snapshotData, retaining: 5)
                node.disk.saveSnapshot(snapshot)
            } catch {
                fail("compaction", "node \(id): \(error)")
            }
        }
        node.raft = raft
        nodes[id] = node
        // A node whose removal was applied is shut down, as `docker node rm` does.
        if removed.contains(id) && id != 0 { nodes[id]?.raft = nil }
    }

    // MARK: Faults and clients

    private mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return Double(random.next() % 1_000_000) / 1_000_000 < probability
    }

    private mutating func pick<T>(_ values: [T]) -> T? {
        guard !values.isEmpty else { return nil }
        return values[Int(random.next() % UInt64(values.count))]
    }

    private var liveIDs: [NodeID] { allIDs.filter { nodes[$0]?.raft != nil } }

    private var currentLeader: NodeID? {
        let leaders = liveIDs.filter { nodes[$0]?.raft?.role == .leader }
        return leaders.max { (nodes[$0]?.raft?.term ?? 0) < (nodes[$1]?.raft?.term ?? 0) }
    }

    private mutating func injectFaults() {
        if let healAt = healPartitionAt, now >= healAt {
            blockedLinks = []
            healPartitionAt = nil
        }
        for id in allIDs {
            if let restartAt = nodes[id]?.restartAt, now >= restartAt { restart(id) }
        }
        if healPartitionAt == nil && chance(options.partitionRate) { partition() }
        if chance(options.crashRate) { crashSomeNode() }
        if chance(options.membershipRate) { changeMembership() }
        if chance(options.transferRate) { transferLeadership() }
    }

    private mutating func partition() {
        report.faults += 1
        let live = allIDs
        switch random.next() % 3 {
        case 0:
            // Isolate one node completely.
            guard let victim = pick(live) else { return }
            for other in live where other != victim {
                blockedLinks.insert(Link(from: victim, to: other))
                blockedLinks.insert(Link(from: other, to: victim))
            }
        case 1:
            // Split into two sides.
            var sideA: [NodeID] = []
            for id in live where random.next() % 2 == 0 { sideA.append(id) }
            for a in sideA {
                for b in live where !sideA.contains(b) {
                    blockedLinks.insert(Link(from: a, to: b))
                    blockedLinks.insert(Link(from: b, to: a))
                }
            }
        default:
            // One-way faults: some links deliver in one direction only.
            for _ in 0..<(1 + Int(random.next() % 3)) {
                guard let a = pick(live), let b = pick(live), a != b else { continue }
                blockedLinks.insert(Link(from: a, to: b))
            }
        }
        healPartitionAt = now + 10 + Int(random.next() % 50)
    }

    private mutating func crashSomeNode() {
        guard let victim = pick(liveIDs) else { return }
        report.faults += 1
        guard var node = nodes[victim], var raft = node.raft else { return }
        switch random.next() % 3 {
        case 0:
            // Crash before persisting the pending Ready: its writes and messages are lost.
            if raft.hasReady { _ = raft.ready() }
        case 1:
            // Crash after persisting, before sending.
            if raft.hasReady {
                let ready = raft.ready()
                checker.observeLogEntries(ready.entries, on: raft)
                do { try node.disk.write(ready) } catch { fail("durability", "node \(victim): \(error)") }
            }
        default:
            break
        }
        node.disk.crash()
        node.raft = nil
        node.restartAt = now + 5 + Int(random.next() % 40)
        nodes[victim] = node
    }

    private mutating func restart(_ id: NodeID) {
        guard var node = nodes[id], node.raft == nil, !removed.contains(id) else {
            nodes[id]?.restartAt = nil
            return
        }
        node.restartAt = nil
        node.incarnation += 1
        do {
            node.raft = try RaftNode(config: raftConfig(for: id, incarnation: node.incarnation), restoring: node.disk.persistentState)
        } catch {
            fail("recovery", "node \(id) could not restart: \(error)")
            return
        }
        if let snapshot = node.disk.snapshot {
            guard let restored = SimulatedStateMachine(snapshotData: snapshot.data) else {
                fail("recovery", "node \(id) has an unreadable snapshot")
                return
            }
            node.stateMachine = restored
        } else {
            node.stateMachine = SimulatedStateMachine()
        }
        node.lastCommit = node.raft?.commitIndex ?? 0
        nodes[id] = node
    }

    private mutating func changeMembership() {
        guard let leaderID = currentLeader, var leader = nodes[leaderID]?.raft else { return }
        let conf = leader.confState
        let members = Set(conf.voters + conf.learners)
        let spares = allIDs.filter { !members.contains($0) && !removed.contains($0) && nodes[$0]?.raft != nil }
        let minimumVoters = max(3, options.nodes - 1)
        var change: ConfChange?
        switch random.next() % 3 {
        case 0:
            if let spare = pick(spares) { change = ConfChange(.addLearner, nodeID: spare) }
        case 1:
            if let learner = pick(conf.learners) { change = ConfChange(.addNode, nodeID: learner) }
        default:
            if conf.voters.count > minimumVoters, let voter = pick(conf.voters) {
                change = ConfChange(.removeNode, nodeID: voter)
            }
        }
        guard let change else { return }
        do {
            try leader.proposeConfChange(change)
            report.membershipChanges += 1
        } catch {
            // Refused (one change at a time): that is the rule working.
        }
        nodes[leaderID]?.raft = leader
    }

    private mutating func transferLeadership() {
        guard let leaderID = currentLeader, var leader = nodes[leaderID]?.raft else { return }
        guard let target = pick(leader.confState.voters.filter { $0 != leaderID }) else { return }
        leader.transferLeadership(to: target)
        report.transfers += 1
        nodes[leaderID]?.raft = leader
    }

    private mutating func clientRequests() {
        var proposals = options.proposalRate
        while proposals > 0 {
            if proposals >= 1 || chance(proposals) { propose() }
            proposals -= 1
        }
        if chance(options.readRate) { read() }
    }

    private mutating func propose() {
        guard let id = pick(liveIDs) else { return }
        nextProposal += 1
        let data = Array("s\(options.seed)-p\(nextProposal)".utf8)
        try? nodes[id]?.raft?.propose(data)
    }

    private mutating func read() {
        guard let id = pick(liveIDs) else { return }
        nextRead += 1
        let context = Array("r\(nextRead)".utf8)
        pendingReads[context] = checker.highestAcknowledged
        do {
            try nodes[id]?.raft?.readIndex(context: context)
        } catch {
            pendingReads[context] = nil
        }
    }

    // MARK: Checks

    private mutating func checkLeaders() {
        for id in liveIDs {
            if let raft = nodes[id]?.raft, raft.role == .leader {
                checker.observeLeader(id, term: raft.term)
                checker.checkLeaderCompleteness(raft)
            }
        }
    }

    /// After the faults stop, a leader must emerge and commit a fresh write on every member.
    private mutating func checkLiveness() {
        faultsEnabled = false
        blockedLinks = []
        healPartitionAt = nil
        for id in allIDs where nodes[id]?.raft == nil && !removed.contains(id) { restart(id) }
        let marker = finalMarker
        var proposedAt: Int?
        let deadline = now + 400
        while now < deadline {
            now += 1
            tickAll()
            settle()
            if let leaderID = currentLeader, proposedAt.map({ now - $0 >= 20 }) ?? true {
                if (try? nodes[leaderID]?.raft?.propose(marker)) != nil { proposedAt = now }
            }
            if let leaderID = currentLeader, let leader = nodes[leaderID]?.raft {
                let members = (leader.confState.voters + leader.confState.learners).filter { !removed.contains($0) }
                if let markerIndex = finalMarkerIndex, members.allSatisfy({ (nodes[$0]?.stateMachine.appliedIndex ?? 0) >= markerIndex }) {
                    checkLeaders()
                    return
                }
            }
        }
        let states = allIDs.map { id -> String in
            guard let raft = nodes[id]?.raft else { return "\(id):down" }
            return "\(id):\(raft.role.rawValue)/t\(raft.term)/c\(raft.commitIndex)/l\(raft.lastIndex)"
        }.joined(separator: " ")
        fail("liveness", "no leader committed a write within 400 ticks after healing (\(states))")
    }

    private mutating func fail(_ invariant: String, _ detail: String) {
        report.violations.append(Violation(options: options, tick: now, invariant: invariant, detail: detail))
    }

    private mutating func collectFailures() {
        for failure in checker.failures {
            report.violations.append(Violation(options: options, tick: now, invariant: failure.invariant, detail: failure.detail))
        }
    }
}
