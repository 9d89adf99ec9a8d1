import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaRaft
import ColmeiaStore
import Foundation
import Logging
import Synchronization
import Testing

/// Three managers in one process (real Raft drivers, WALs and read models), wired by a
/// switchboard that can cut a manager off or keep a commit index from reaching one.
final class ManagerSwitchboard: Sendable {
    private struct Rules {
        var isolated: Set<NodeID> = []
        /// Messages from `from` to `to` carry no commit index above the index of the first
        /// entry they sent that contains `marker` (the follower keeps the entries, but never
        /// learns that later ones committed: the leader's next heartbeat was lost).
        var hideCommits: (from: NodeID, to: NodeID, marker: [UInt8], clamp: UInt64?)?
    }

    private let nodes = Mutex<[NodeID: ClusterNode]>([:])
    private let rules = Mutex(Rules())

    func attach(_ node: ClusterNode) { nodes.withLock { $0[node.nodeID] = node } }
    func isolate(_ id: NodeID) { rules.withLock { _ = $0.isolated.insert(id) } }
    func reconnect(_ id: NodeID) { rules.withLock { _ = $0.isolated.remove(id) } }
    func hideCommits(from: NodeID, to: NodeID, after marker: String) {
        rules.withLock { $0.hideCommits = (from, to, Array(marker.utf8), nil) }
    }

    func deliver(_ messages: [Message]) {
        var delivered: [NodeID: [Message]] = [:]
        rules.withLock { rules in
            for var message in messages where !rules.isolated.contains(message.to) && !rules.isolated.contains(message.from) {
                if var hide = rules.hideCommits, hide.from == message.from, hide.to == message.to {
                    if hide.clamp == nil, let entry = message.entries.first(where: { $0.data.contains(hide.marker) }) {
                        hide.clamp = entry.index
                        rules.hideCommits = hide
                    }
                    if let clamp = hide.clamp { message.commit = min(message.commit, clamp) }
                }
                delivered[message.to, default: []].append(message)
            }
        }
        for (to, batch) in delivered { nodes.withLock { $0[to] }?.receive(batch) }
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<start + needle.count].elementsEqual(needle) }
    }
}

/// The hand-off window: the old leader commits task changes and dies before the follower
/// that succeeds it has applied them. The new leader's reconcilers must not act on that
/// incomplete view (they would fill the slots a second time, and then stop one task of
/// each pair): they start only once it has committed an entry of its own term and applied
/// everything up to it (``RaftDriverStatus/mayActAsLeader``, what the manager's upkeep waits for).
@Suite(.serialized) struct LeaderHandOffTests {
    let logger: Logger = {
        var logger = Logger(label: "handoff")
        logger.logLevel = .critical
        return logger
    }()

    static func command(_ id: String, _ events: [ClusterEvent], preconditions: [Precondition] = []) -> ClusterCommand {
        ClusterCommand(envelope: CommandEnvelope(id: id, time: .now(), actor: .init(kind: .user, id: "test")),
                       preconditions: preconditions, events: events)
    }

    func until(_ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("a new leader starts its reconcilers only on a complete view: no slot filled twice, no task stopped, over 50 seeded hand-offs")
    func handOffWindow() async throws {
        for seed in 0..<50 {
            try await handOff(seed: seed)
        }
    }

    func handOff(seed: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/colmeia-handoff-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let board = ManagerSwitchboard()
        var nodes: [NodeID: ClusterNode] = [:]
        for id: NodeID in 1...3 {
            let node = try ClusterNode(dataDirectory: directory + "/\(id)", nodeID: id, tickInterval: .milliseconds(10)) { board.deliver($0) }
            board.attach(node)
            nodes[id] = node
        }
        for node in nodes.values { try node.start(bootstrapVoters: [1, 2, 3]) }
        var services: [NodeID: LeaderServices] = [:]
        defer {
            for node in nodes.values { node.stop() }
        }

        // The first leader runs the reconcilers once it may.
        try await until("a first leader may act") { nodes.values.contains { $0.status.mayActAsLeader } }
        let first = try #require(nodes.values.first { $0.status.mayActAsLeader })
        services[first.nodeID] = await LeaderServices(store: first.store, proposer: first, logger: logger)
        let successor = try #require(nodes.keys.filter { $0 != first.nodeID }.sorted()[seed % 2 == 0 ? 0 : 1] as NodeID?)
        let bystander = try #require(nodes.keys.first { $0 != first.nodeID && $0 != successor })
        let replicas = Int64(2 + seed % 4)
        let added = Int64(1 + seed % 3)
        let service = Service(id: "svc-\(seed)", spec: ServiceSpec(
            name: "web", taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine")), mode: .replicated(replicas)))
        _ = try await first.propose(Self.command("create-\(seed)", [.serviceCreated(service)]))
        try await until("the first leader filled \(replicas) slots") {
            try first.store.list(SwarmTask.self).count == Int(replicas)
        }

        // Only the successor confirms the first leader's entries from now on; it learns that
        // the scale-up committed, but not that the tasks the first leader then created did.
        board.isolate(bystander)
        board.hideCommits(from: first.nodeID, to: successor, after: "scale-\(seed)")
        var scaled = try first.store.get(Service.self, service.id)
        scaled.spec.mode = .replicated(replicas + added)
        _ = try await first.propose(Self.command("scale-\(seed)", [.serviceUpdated(scaled)]))
        try await until("the first leader committed \(replicas + added) tasks") {
            try first.store.list(SwarmTask.self).count == Int(replicas + added)
        }
        let successorNode = try #require(nodes[successor])
        try await until("the successor has applied the scale-up") {
            (try? successorNode.store.get(Service.self, service.id).spec.mode) == .replicated(replicas + added)
        }
        // The first leader dies.
        board.isolate(first.nodeID)
        first.stop()
        await services.removeValue(forKey: first.nodeID)?.stop()
        board.reconnect(bystander)
        successorNode.forgetLeader(first.nodeID)
        nodes[bystander]?.forgetLeader(first.nodeID)

        // The manager's upkeep: the reconcilers start when the new leader may act.
        try await until("a new leader may act") {
            nodes.values.contains { $0.nodeID != first.nodeID && $0.status.mayActAsLeader }
        }
        let next = try #require(nodes.values.first { $0.nodeID != first.nodeID && $0.status.mayActAsLeader })
        let seenAtStart = try next.store.list(SwarmTask.self).count
        #expect(seenAtStart == Int(replicas + added), "seed \(seed): the new leader's view holds every committed task when its reconcilers start")
        services[next.nodeID] = await LeaderServices(store: next.store, proposer: next, logger: logger)
        // Give the reconcilers time to act on anything they would act on.
        try await Task.sleep(for: .milliseconds(150))
        _ = try await next.propose(Self.command("settle-\(seed)", []))
        try await Task.sleep(for: .milliseconds(50))
        await services.removeValue(forKey: next.nodeID)?.stop()

        let tasks = try next.store.list(SwarmTask.self).filter { $0.serviceID == service.id }
        let bySlot = Dictionary(grouping: tasks, by: \.slot)
        #expect(bySlot.count == Int(replicas + added), "seed \(seed): slots \(bySlot.keys.sorted())")
        for (slot, inSlot) in bySlot where inSlot.count != 1 {
            Issue.record("seed \(seed): slot \(slot) holds \(inSlot.count) tasks: \(inSlot.map(\.id))")
        }
        let stopped = tasks.filter { $0.desiredState != .running }
        #expect(stopped.isEmpty, "seed \(seed): no task is told to stop: \(stopped.map { "\($0.id) \($0.desiredState)" })")
    }
}
