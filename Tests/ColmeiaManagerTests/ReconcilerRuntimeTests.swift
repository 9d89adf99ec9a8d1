import ColmeiaAgent
import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaSimulatedNodes
import ColmeiaStore
import Foundation
import Logging
import Synchronization
import Testing

/// A connection to whichever dispatcher is current: the agents' view of "the leader".
final class LeaderConnection: DispatcherConnection {
    private let current: Mutex<Dispatcher>

    init(_ dispatcher: Dispatcher) { current = Mutex(dispatcher) }

    func switchTo(_ dispatcher: Dispatcher) { current.withLock { $0 = dispatcher } }

    private var target: LocalDispatcherConnection {
        LocalDispatcherConnection(dispatcher: current.withLock { $0 }, addr: "127.0.0.1")
    }

    func register(nodeID: String?, description: NodeDescription) async throws -> AgentSession {
        try await target.register(nodeID: nodeID, description: description)
    }

    func heartbeat(_ session: AgentSession) async throws -> Int64 { try await target.heartbeat(session) }

    func assignments(_ session: AgentSession) async throws -> AsyncThrowingStream<Assignments, any Error> {
        try await target.assignments(session)
    }

    func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) async throws {
        try await target.report(session, updates)
    }
}

/// The reconcilers and dispatcher on a real (single-voter) Raft node, with simulated
/// worker nodes whose agents speak the real dispatcher protocol in-process.
@Suite(.serialized) struct ReconcilerRuntimeTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-reconciler-\(UUID().uuidString)"
    let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    struct Cluster {
        var node: ClusterNode
        var leader: LeaderServices
        var workers: [SimulatedNode]
        var connection: LeaderConnection
    }

    /// Heartbeats every 2 s: a node is down after 6 s of silence, long enough that a busy
    /// test machine does not miss one by accident.
    static let heartbeat = Duration.seconds(2)

    func start(workers count: Int, failingImages: Set<String> = [], heartbeat: Duration = heartbeat) async throws -> Cluster {
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        let leader = await LeaderServices(store: node.store, proposer: node, logger: logger,
                                          heartbeatPeriod: heartbeat)
        let connection = LeaderConnection(leader.dispatcher)
        let workers = (1...count).map {
            SimulatedNode(hostname: "worker-\($0)", connection: connection, failingImages: failingImages, logger: logger)
        }
        try await until("every worker registered") { try node.store.list(Node.self).count == count }
        return Cluster(node: node, leader: leader, workers: workers, connection: connection)
    }

    func until(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func propose(_ node: ClusterNode, _ events: [ClusterEvent], preconditions: [Precondition] = []) async throws {
        let outcome = try await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "test")),
            preconditions: preconditions, events: events))
        guard case .applied = outcome else {
            Issue.record("command not applied: \(outcome)")
            return
        }
    }

    func service(_ name: String, replicas: Int64, image: String = "busybox") -> Service {
        Service(id: "id-" + name, spec: ServiceSpec(
            name: name, taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: image, args: ["sleep", "1000"]),
                                               restartPolicy: RestartPolicy(condition: .any, delay: 0)),
            mode: .replicated(replicas)))
    }

    func running(_ store: ClusterStore, _ serviceID: String) throws -> [SwarmTask] {
        try store.list(SwarmTask.self, filters: Filters(["service": [serviceID]]))
            .filter { $0.desiredState == .running && $0.status.state == .running }
    }

    @Test("tasks spread evenly over workers and move off a drained node")
    func spreadAndDrain() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Heartbeats far apart: no node can look silent here, however busy the machine.
        let cluster = try await start(workers: 3, heartbeat: .seconds(60))
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("web", replicas: 6))])
        try await until("6 tasks run") { try running(store, "id-web").count == 6 }
        let nodes = try store.list(Node.self).sorted { $0.description.hostname < $1.description.hostname }
        #expect(Dictionary(grouping: try running(store, "id-web"), by: \.nodeID).values.map(\.count) == [2, 2, 2])
        #expect(Set(try running(store, "id-web").map(\.slot)) == Set(1...6))

        var drained = nodes[0]
        drained.spec.availability = .drain
        try await propose(cluster.node, [.nodeUpdated(drained)])
        try await until("the drained node is empty") {
            let tasks = try running(store, "id-web")
            return tasks.count == 6 && !tasks.contains { $0.nodeID == drained.id }
        }
        let onDrained = try store.list(SwarmTask.self, filters: Filters(["node": [drained.id]]))
        #expect(onDrained.allSatisfy { $0.desiredState == .shutdown && $0.status.state == .shutdown })
        #expect(Set(try running(store, "id-web").map(\.nodeID)) == [nodes[1].id, nodes[2].id])
        await cluster.leader.stop()
    }

    @Test("a node whose agent stops heart-beating is marked down and its tasks run elsewhere")
    func nodeDown() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await start(workers: 2, heartbeat: .seconds(1))
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("web", replicas: 4))])
        try await until("4 tasks run") { try running(store, "id-web").count == 4 }
        let nodes = try store.list(Node.self).sorted { $0.description.hostname < $1.description.hostname }
        cluster.workers[1].stop()
        try await until("the silent node is down") {
            try store.get(Node.self, nodes[1].id).status.state == .down
        }
        #expect(try store.get(Node.self, nodes[1].id).status.message == "heartbeat failure")
        try await until("every task runs on the healthy node") {
            let tasks = try running(store, "id-web")
            return tasks.count == 4 && tasks.allSatisfy { $0.nodeID == nodes[0].id }
        }
        await cluster.leader.stop()
    }

    @Test("a node that registers again unchanged keeps its version; a down node registering is ready again")
    func reRegistration() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await start(workers: 1, heartbeat: .seconds(60))
        defer { cluster.node.stop() }
        let store = cluster.node.store
        let registered = try #require(try store.list(Node.self).first)
        try await until("the worker is ready") { try store.get(Node.self, registered.id).status.state == .ready }
        let ready = try store.get(Node.self, registered.id)
        // Its own agent would register again as soon as the test's registration ends its session.
        cluster.workers[0].stop()

        _ = try await cluster.connection.register(nodeID: ready.id, description: ready.description)
        #expect(try store.get(Node.self, ready.id).version == ready.version)

        var down = ready
        down.status.state = .down
        down.status.message = "heartbeat failure"
        try await propose(cluster.node, [.nodeUpdated(down)])
        _ = try await cluster.connection.register(nodeID: ready.id, description: ready.description)
        let again = try store.get(Node.self, ready.id)
        #expect(again.status.state == .ready && again.status.message.isEmpty)
        #expect(again.version.index > ready.version.index)
        await cluster.leader.stop()
    }

    @Test("an agent that registers before a new dispatcher has the reconciler's view waits for a complete first set; its reports are kept")
    func sessionBeforeTheFirstView() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await start(workers: 1, heartbeat: .seconds(60))
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("web", replicas: 2))])
        try await until("2 tasks run") { try running(store, "id-web").count == 2 }
        let tasks = Set(try running(store, "id-web").map(\.id))
        await cluster.leader.stop()
        cluster.workers[0].stop()

        // A leader just elected: its dispatcher exists, its reconciler has not loaded yet.
        // The agent takes its first set as complete and removes what the set leaves out.
        let dispatcher = Dispatcher(proposer: cluster.node, store: store, logger: logger, heartbeatPeriod: .seconds(60))
        let node = try #require(try store.list(Node.self).first)
        let session = try await dispatcher.register(nodeID: node.id, description: node.description, addr: "127.0.0.1")
        let sets = try await dispatcher.assignments(session)
        let first = Task { () -> Set<String>? in
            for try await set in sets { return Set(set.tasks.map(\.id)) }
            return nil
        }
        let victim = try #require(tasks.first)
        try await dispatcher.report(session, [TaskStatusUpdate(taskID: victim, status: TaskStatus(
            timestamp: .now(), state: .failed, message: "started", err: "task: non-zero exit (1)"))])
        try await Task.sleep(for: .milliseconds(300))
        #expect(try store.get(SwarmTask.self, victim).status.state == .running, "nothing is proposed without a view")

        await dispatcher.update(try ClusterView.load(from: store), touched: [])
        #expect(try await first.value == tasks, "the first set holds every task of the node")
        try await until("the report made before the view landed") {
            try store.get(SwarmTask.self, victim).status.state == .failed
        }
        await dispatcher.shutdown()
    }

    @Test("a task that dies is replaced in the same slot and keeps its exit error")
    func restart() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await start(workers: 1)
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("web", replicas: 2))])
        try await until("2 tasks run") { try running(store, "id-web").count == 2 }
        let victim = try running(store, "id-web").sorted { $0.slot < $1.slot }[0]
        await cluster.workers[0].executor.exit(victim.id, code: 137)
        try await until("slot 1 runs a replacement") {
            try running(store, "id-web").contains { $0.slot == 1 && $0.id != victim.id }
        }
        let failed = try store.get(SwarmTask.self, victim.id)
        #expect(failed.status.state == .failed)
        #expect(failed.status.err == "task: non-zero exit (137)")
        #expect(failed.status.containerStatus?.exitCode == 137)
        #expect(failed.desiredState == .shutdown)
        await cluster.leader.stop()
    }

    @Test("a new leader's reconciler continues without scheduling anything twice")
    func leaderChange() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var cluster = try await start(workers: 2)
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("web", replicas: 4))])
        try await until("4 tasks run") { try running(store, "id-web").count == 4 }
        let before = Set(try store.list(SwarmTask.self).map(\.id))

        await cluster.leader.stop()
        cluster.leader = await LeaderServices(store: store, proposer: cluster.node, logger: logger,
                                              heartbeatPeriod: Self.heartbeat)
        // The agents' sessions ended with the old leader; they register again with the new one.
        cluster.connection.switchTo(cluster.leader.dispatcher)
        try await until("the new reconciler ran") { await cluster.leader.reconciler.passes > 3 }
        try await Task.sleep(for: .milliseconds(300))
        let after = try store.list(SwarmTask.self)
        #expect(Set(after.map(\.id)) == before, "no task was created or removed by the new leader")
        #expect(after.filter(\.isWanted).count == 4)
        #expect(try running(store, "id-web").count == 4)
        #expect(try store.list(Node.self).allSatisfy { $0.status.state == .ready })
        var started = 0
        for worker in cluster.workers { started += await worker.executor.started }
        #expect(started == 4, "the agents kept their tasks instead of starting them again")
        await cluster.leader.stop()
    }

    @Test("an image that fails rejects the task with the executor's message and never blocks the others")
    func rejected() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try await start(workers: 1, failingImages: ["nosuch:image"])
        defer { cluster.node.stop() }
        let store = cluster.node.store
        try await propose(cluster.node, [.serviceCreated(service("bad", replicas: 1, image: "nosuch:image")),
                                         .serviceCreated(service("good", replicas: 2))])
        try await until("the good service runs") { try running(store, "id-good").count == 2 }
        try await until("the bad task was rejected") {
            try store.list(SwarmTask.self, filters: Filters(["service": ["id-bad"]])).contains { $0.status.state == .rejected }
        }
        let bad = try store.list(SwarmTask.self, filters: Filters(["service": ["id-bad"]]))
        #expect(bad.contains { $0.status.err == "No such image: nosuch:image" })
        // Restart policy any, delay 0: it is retried.
        try await until("the bad task was retried") {
            try store.list(SwarmTask.self, filters: Filters(["service": ["id-bad"]])).count >= 2
        }
        await cluster.leader.stop()
    }
}
