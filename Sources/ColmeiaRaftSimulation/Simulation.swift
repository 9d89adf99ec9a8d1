import ColmeiaRaft

/// A deterministic simulation of a Raft cluster under faults: lossy, duplicating,
/// reordering network; partitions (symmetric, one-way, isolation); crashes at any step of
/// a `Ready`'s handling, on a disk that keeps only what was fsynced (plus, perhaps, a prefix
/// of the page cache) and can tear the last record; the transport's `forgetLeader`,
/// `reportUnreachable` and `reportSnapshot` calls; membership changes and leadership
/// transfers. Safety invariants are
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
    private var transportEvents: [ScheduledEvent] = []
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
        /// Whether the last crash lost the state machine's own files (it is then rebuilt from
        /// the snapshot, as the driver does after setting a corrupt state.db aside).
        var machineLost = false
        /// Where in its next `Ready` this node will lose power.
        var armedCrash: CrashPoint?
    }

    private struct ScheduledEvent {
        var at: Int
        var order: UInt64
        var node: NodeID
        var event: TransportEvent
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
            if deliverDueTransportEvents() { progressed = true }
            if !progressed { return }
        }
    }

    private mutating func deliverDueMessages() -> Bool {
        let due = network.filter { $0.deliverAt <= now }.sorted { ($0.deliverAt, $0.order) < ($1.deliverAt, $1.order) }
        guard !due.isEmpty else { return false }
        network.removeAll { $0.deliverAt <= now }
        for item in due {
            var message = item.message
            guard !blockedLinks.contains(Link(from: message.from, to: message.to)), let receiver = nodes[message.to]?.raft else {
                // The sender's transport sees the connection fail, as `PeerSender` does.
                if chance(0.5) { schedule(.unreachable(message.to), on: message.from) }
                if message.type == .snapshot { schedule(.snapshotStatus(message.to, succeeded: false), on: message.from) }
                continue
            }
            if options.plant == .skipLogMatching, message.type == .append,
               let held = receiver.term(at: message.index), held != message.logTerm {
                // Planted bug: the receiver is made to believe its log matches the leader's.
                message.logTerm = held
            }
            if options.plant == .commitWithoutQuorum, message.type == .append {
                // Planted bug: the receiver commits what it was just sent, before any quorum holds it.
                message.commit = max(message.commit, message.index + UInt64(message.entries.count))
            }
            trace = SimulatedStateMachine.mix(trace, UInt64(message.type.rawValue), message.from, message.to, message.term, message.index)
            nodes[message.to]?.raft?.step(message)
            if message.type == .snapshot { schedule(.snapshotStatus(message.to, succeeded: true), on: message.from) }
        }
        return true
    }

    /// The transport calls a node back a little later than the event that prompted it.
    private mutating func schedule(_ event: TransportEvent, on node: NodeID, delay: Int? = nil) {
        let wait = delay ?? Int(random.next() % 3)
        transportEvents.append(ScheduledEvent(at: now + wait, order: random.next(), node: node, event: event))
    }

    private mutating func deliverDueTransportEvents() -> Bool {
        let due = transportEvents.filter { $0.at <= now }.sorted { ($0.at, $0.order) < ($1.at, $1.order) }
        guard !due.isEmpty else { return false }
        transportEvents.removeAll { $0.at <= now }
        for item in due {
            guard var raft = nodes[item.node]?.raft else { continue }
            switch item.event {
            case .unreachable(let peer):
                report.unreachableReports += 1
                raft.reportUnreachable(peer)
                trace = SimulatedStateMachine.mix(trace, 1, item.node, peer)
            case .snapshotStatus(let peer, let succeeded):
                report.snapshotReports += 1
                raft.reportSnapshot(to: peer, succeeded: succeeded)
                trace = SimulatedStateMachine.mix(trace, succeeded ? 2 : 3, item.node, peer)
            case .forgetLeader(let peer):
                report.forgetLeaders += 1
                // As `RaftDriver` does: survivors campaign soon in turn, lowest id first.
                let survivors = raft.confState.voters.filter { $0 != peer }.sorted()
                let rank = survivors.firstIndex(of: item.node)
                raft.forgetLeader(peer, campaignSoon: rank != nil, ticksToCampaign: 2 + 3 * (rank ?? 0))
                trace = SimulatedStateMachine.mix(trace, 4, item.node, peer)
            }
            nodes[item.node]?.raft = raft
        }
        return true
    }

    private mutating func send(_ message: Message) {
        if message.type == .snapshot { report.snapshotsSent += 1 }
        guard faultsEnabled == false || chance(1 - lossRate) else {
            report.faults += 1
            if message.type == .snapshot { schedule(.snapshotStatus(message.to, succeeded: false), on: message.from) }
            return
        }
        let copies = faultsEnabled && chance(duplicateRate) ? 2 : 1
        if copies == 2 { report.faults += 1 }
        for _ in 0..<copies {
            let delay = options.maxDelay > 0 ? Int(random.next() % UInt64(options.maxDelay + 1)) : 0
            network.append(InFlightMessage(deliverAt: now + delay, order: random.next(), message: message))
        }
    }

    /// Handles one `Ready` the way `RaftDriver.handleReadies` does — a leader's appends
    /// out first, persist with one fsync, send the rest, install the snapshot and apply,
    /// advance, compact when due — and loses
    /// power at the step the node's armed ``CrashPoint`` names, if any.
    private mutating func handleReady(of id: NodeID) {
        guard var node = nodes[id], var raft = node.raft else { return }
        let ready = raft.ready()
        if ready.softState?.role == .leader {
            report.elections += 1
            checker.observeLeader(id, term: raft.term)
            checker.checkLeaderCompleteness(raft)
        }
        checker.observeLogEntries(ready.entries, on: raft)
        // An armed crash waits for a Ready where its step does something.
        let crashPoint = node.armedCrash.flatMap { $0.strikes(ready) ? $0 : nil }
        let acknowledgeEarly = options.plant == .acknowledgeBeforeFsync

        // 1. A leader's appends and heartbeats leave before its own write, as the driver
        // sends them (Raft thesis §10.2.1); every other message waits for the fsync.
        let leaderEarly = !acknowledgeEarly && raft.role == .leader
            ? ready.messages.filter { $0.type == .append || $0.type == .heartbeat } : []
        for message in leaderEarly { send(message) }
        let afterSync = leaderEarly.isEmpty ? ready.messages
            : ready.messages.filter { $0.type != .append && $0.type != .heartbeat }

        // Persist: one write, then one fsync when the Ready requires it.
        if crashPoint == .beforePersist { return crash(id, node, at: crashPoint) }
        if acknowledgeEarly {
            // Planted bug: promises go out before the data they promise is on disk.
            for message in ready.messages { send(message) }
        }
        do {
            try node.disk.write(SimulatedDisk.records(of: ready), sync: false)
        } catch {
            fail("durability", "node \(id): \(error)")
        }
        if crashPoint == .midPersist { return crash(id, node, at: crashPoint) }
        if ready.mustSync && !acknowledgeEarly { node.disk.sync() }
        if crashPoint == .beforeSend { return crash(id, node, at: crashPoint) }

        // 2. Send.
        if !acknowledgeEarly {
            let sent = crashPoint == .midSend ? Int(random.next() % UInt64(afterSync.count + 1)) : afterSync.count
            for message in afterSync.prefix(sent) { send(message) }
        }
        if crashPoint == .midSend { return crash(id, node, at: crashPoint) }
        if crashPoint == .beforeApply { return crash(id, node, at: crashPoint) }

        // 3. Install the snapshot, then apply.
        if let snapshot = ready.snapshot {
            guard let restored = SimulatedStateMachine(snapshotData: snapshot.data) else {
                fail("snapshot", "node \(id) received an unreadable snapshot at \(snapshot.metadata.index)")
                return
            }
            node.stateMachine = restored
            checker.observeDigest(index: restored.appliedIndex, digest: restored.digest, on: id)
        }
        // A machine that kept its files across a restart may have applied past the durable
        // commit index; the driver skips what it already applied, and so does the harness.
        var committed = ready.committedEntries.filter { $0.index > node.stateMachine.appliedIndex }
        if options.plant == .applyOutOfOrder, committed.count >= 2 {
            // Planted bug: two committed entries applied in the wrong order.
            committed.swapAt(0, 1)
        }
        let applied = crashPoint == .midApply ? Int(random.next() % UInt64(committed.count + 1)) : committed.count
        for entry in committed.prefix(applied) {
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
        if crashPoint == .midApply { return crash(id, node, at: crashPoint) }
        for read in ready.readStates {
            report.reads += 1
            if let required = pendingReads.removeValue(forKey: read.context) {
                checker.checkRead(index: read.index, requiredAtLeast: required, on: id)
            }
        }
        if crashPoint == .beforeAdvance { return crash(id, node, at: crashPoint) }

        // 4. Advance, then compact when due.
        raft.advance(ready)
        checker.checkCommitMonotonic(node: id, previous: node.lastCommit, current: raft.commitIndex)
        node.lastCommit = raft.commitIndex
        let snapshotIndex = raft.snapshot?.metadata.index ?? 0
        if raft.appliedIndex >= snapshotIndex + options.compactionThreshold,
           raft.appliedIndex == node.stateMachine.appliedIndex {
            do {
                let snapshot = try raft.compact(snapshotData: node.stateMachine.snapshotData, retaining: 5)
                try node.disk.saveSnapshot(snapshot, sync: crashPoint != .duringCompaction)
            } catch {
                fail("compaction", "node \(id): \(error)")
            }
        }
        if crashPoint == .duringCompaction { return crash(id, node, at: crashPoint) }
        node.raft = raft
        nodes[id] = node
        // A node whose removal was applied is shut down, as `docker node rm` does.
        if removed.contains(id) && id != 0 { nodes[id]?.raft = nil }
    }

    /// Power loss on `id`: its disk keeps what was synced and perhaps a prefix of the page
    /// cache, with the next record possibly torn; its memory, messages not yet sent and
    /// state machine are gone. Followers' transports notice a crashed leader.
    private mutating func crash(_ id: NodeID, _ node: SimulatedNode, at point: CrashPoint?) {
        var node = node
        report.crashes += 1
        if let point {
            report.midReadyCrashes += 1
            report.crashesAt["\(point)", default: 0] += 1
        }
        let kept = Int(random.next() % UInt64(node.disk.unsynced.count + 1))
        let tearing = chance(options.tornWriteRate)
        if node.disk.crash(keeping: kept, tearing: tearing, tornBytes: Int(random.next() % 4096)) {
            report.tornWrites += 1
        }
        // The state machine persists each apply (state.db); half the crashes lose its files.
        node.machineLost = chance(0.5)
        trace = SimulatedStateMachine.mix(trace, 5, id, UInt64(kept), node.machineLost ? 1 : 0)
        node.raft = nil
        node.armedCrash = nil
        node.restartAt = now + 5 + Int(random.next() % 40)
        nodes[id] = node
        for other in liveIDs where nodes[other]?.raft?.leader == id && nodes[other]?.raft?.role == .follower {
            if chance(0.8) { schedule(.forgetLeader(id), on: other, delay: Int(random.next() % 4)) }
        }
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
        if chance(options.forgetLeaderRate) { forgetLiveLeader() }
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
        // Followers cut off from their leader may hear from their transport that it is gone.
        for follower in liveIDs {
            guard let raft = nodes[follower]?.raft, raft.role == .follower, raft.leader != 0,
                  blockedLinks.contains(Link(from: raft.leader, to: follower)) else { continue }
            if chance(0.5) { schedule(.forgetLeader(raft.leader), on: follower, delay: 1 + Int(random.next() % 5)) }
        }
    }

    /// Crashes a node now (between two `Ready`s), or, two times in three, arms a crash at
    /// a random step of its next `Ready`.
    private mutating func crashSomeNode() {
        guard let victim = pick(liveIDs), let node = nodes[victim] else { return }
        report.faults += 1
        if random.next() % 3 == 0 {
            crash(victim, node, at: nil)
        } else {
            let point = pick(CrashPoint.allCases)
            nodes[victim]?.armedCrash = point
        }
    }

    /// The transport of a follower gives up on its leader (a slow or cut connection) though
    /// the leader may be alive.
    private mutating func forgetLiveLeader() {
        let followers = liveIDs.filter { nodes[$0]?.raft?.role == .follower && nodes[$0]?.raft?.leader != 0 }
        guard let follower = pick(followers), let leader = nodes[follower]?.raft?.leader else { return }
        schedule(.forgetLeader(leader), on: follower, delay: 0)
    }

    private mutating func restart(_ id: NodeID) {
        guard var node = nodes[id], node.raft == nil, !removed.contains(id) else {
            nodes[id]?.restartAt = nil
            return
        }
        node.restartAt = nil
        node.incarnation += 1
        if node.disk.recover() != nil { report.tornTailsDiscarded += 1 }
        // As `RaftDriver.start`: a machine older than the snapshot (or gone) starts from the
        // snapshot, and Raft resumes applying after what the machine already applied.
        var machine = node.machineLost ? SimulatedStateMachine() : node.stateMachine
        if let snapshot = node.disk.durable.snapshot, machine.appliedIndex < snapshot.metadata.index {
            guard let restored = SimulatedStateMachine(snapshotData: snapshot.data) else {
                fail("recovery", "node \(id) has an unreadable snapshot")
                return
            }
            machine = restored
        }
        var config = raftConfig(for: id, incarnation: node.incarnation)
        config.applied = machine.appliedIndex
        do {
            var raft = try RaftNode(config: config, restoring: node.disk.persistentState)
            // As RaftDriver does when a member restarts.
            raft.advanceElectionTicks()
            node.raft = raft
        } catch {
            fail("recovery", "node \(id) could not restart: \(error)")
            return
        }
        node.stateMachine = machine
        node.machineLost = false
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
        for id in allIDs { nodes[id]?.armedCrash = nil }
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
