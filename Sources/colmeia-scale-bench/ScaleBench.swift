import ArgumentParser
import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaSimulatedNodes
import ColmeiaStore
import Foundation
import Logging

/// Registers many simulated nodes with a real manager (Raft, SQLite, reconcilers,
/// dispatcher, one agent per node) and times how long a large service takes to be
/// assigned and to run. No containers: the agents' executor only pretends.
@main
struct ScaleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colmeia-scale-bench",
        abstract: "Time scheduling and convergence of a large service on simulated nodes.",
        discussion: "Example: swift run -c release colmeia-scale-bench --nodes 1000 --replicas 10000")

    @Option(help: "Simulated nodes to register.") var nodes = 1_000
    @Option(help: "Replicas of the service.") var replicas = 10_000
    @Option(help: "Data directory (default: a fresh temporary one).") var dataDir: String?

    func run() async throws {
        schedulerAlone()
        var logger = Logger(label: "scale-bench")
        logger.logLevel = .error
        let directory = dataDir ?? FileManager.default.temporaryDirectory.path + "/colmeia-scale-\(UUID().uuidString)"
        defer { if dataDir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1)
        try node.start(bootstrap: true)
        defer { node.stop() }
        let store = node.store
        let leader = await LeaderServices(store: store, proposer: node, logger: logger)
        let connection = LocalDispatcherConnection(dispatcher: leader.dispatcher, addr: "127.0.0.1")

        let registerStart = ContinuousClock.now
        let workers = (1...nodes).map { SimulatedNode(hostname: "sim-\($0)", connection: connection, logger: logger) }
        try await until { try store.list(Node.self).count == nodes }
        print("registered \(nodes) nodes in \(seconds(ContinuousClock.now - registerStart)) s")

        let service = Service(id: "bench", spec: ServiceSpec(
            name: "bench", taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "busybox", args: ["sleep", "1000"])),
            mode: .replicated(Int64(replicas))))
        let start = ContinuousClock.now
        _ = try await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "bench")),
            events: [.serviceCreated(service)]))
        var assignedAt: Duration?
        while true {
            // Counted in SQL: decoding 10,000 tasks every poll would slow what we measure.
            let states = try store.taskStates(serviceID: service.id)
            let assigned = states.filter { $0.key >= .assigned }.values.reduce(0, +)
            let running = states[.running] ?? 0
            if assignedAt == nil, assigned == replicas {
                assignedAt = ContinuousClock.now - start
                print("all \(replicas) tasks assigned after \(seconds(assignedAt ?? .zero)) s")
            }
            if running == replicas { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let runningAt = ContinuousClock.now - start
        let perNode = Dictionary(grouping: try store.list(SwarmTask.self), by: \.nodeID).values.map(\.count)
        print("all \(replicas) tasks running after \(seconds(runningAt)) s")
        print("tasks per node: min \(perNode.min() ?? 0), max \(perNode.max() ?? 0)")
        print("reconcile passes: \(await leader.reconciler.passes); Raft index: \(store.applied.index)")
        print("peak resident memory: \(peakMemoryMB()) MB")
        for worker in workers { worker.stop() }
        await leader.stop()
    }

    /// The scheduling decision by itself (what SwarmKit's published figures time): pending
    /// tasks and ready nodes in memory, no Raft, no SQLite.
    func schedulerAlone() {
        let nodeList = (1...nodes).map { index in
            Node(id: "node-\(index)", spec: NodeSpec(role: "worker", availability: .active),
                 description: NodeDescription(hostname: "sim-\(index)",
                                              resources: Resources(nanoCPUs: 4_000_000_000, memoryBytes: 8 << 30)),
                 status: NodeStatus(state: .ready))
        }
        let template = TaskSpec(containerSpec: ContainerSpec(image: "busybox", args: ["sleep", "1000"]))
        let pending = (1...replicas).map { slot in
            SwarmTask(id: "task-\(slot)", spec: template, serviceID: "bench", slot: slot,
                      status: TaskStatus(state: .pending), desiredState: .running)
        }
        let view = ClusterView(nodes: nodeList)
        let start = ContinuousClock.now
        let decision = Scheduler.schedule(pending, in: view)
        print("scheduler alone: \(decision.assignments.count) tasks on \(nodes) nodes decided in \(seconds(ContinuousClock.now - start)) s")
    }

    func until(_ condition: () throws -> Bool) async throws {
        while try !condition() { try await Task.sleep(for: .milliseconds(20)) }
    }

    func seconds(_ duration: Duration) -> String {
        String(format: "%.2f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// VmHWM from /proc/self/status.
    func peakMemoryMB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
