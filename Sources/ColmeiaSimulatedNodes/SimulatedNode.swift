import ColmeiaAgent
import ColmeiaModel
import Logging

/// A node that exists only in this process: a real ``Agent`` with a
/// ``SimulatedExecutor``, talking to a dispatcher through any connection.
public final class SimulatedNode: Sendable {
    public let agent: Agent
    public let executor: SimulatedExecutor
    private let task: Task<Void, Never>

    public init(hostname: String, labels: [String: String] = [:], cpus: Int64 = 4, memoryGB: Int64 = 8,
                connection: any DispatcherConnection, failingImages: Set<String> = [], logger: Logger) {
        executor = SimulatedExecutor(failingImages: failingImages)
        let description = NodeDescription(
            hostname: hostname, platform: Platform(architecture: "x86_64", os: "linux"),
            resources: Resources(nanoCPUs: cpus * 1_000_000_000, memoryBytes: memoryGB << 30),
            engine: EngineDescription(engineVersion: "simulated", labels: labels))
        let agent = Agent(nodeID: nil, description: description, connection: connection, executor: executor, logger: logger)
        self.agent = agent
        task = Task { await agent.run() }
    }

    /// The node's id once its agent has registered.
    public var nodeID: String? { get async { await agent.nodeID } }

    /// Stops the agent (its heartbeats end; the dispatcher will mark the node down).
    public func stop() {
        task.cancel()
    }
}
