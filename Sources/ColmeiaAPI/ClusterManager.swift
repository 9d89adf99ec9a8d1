import ColmeiaAgent
import ColmeiaManager
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import Logging

/// The daemon's place in a swarm: outside one (`inactive`) until `POST /swarm/init`, then
/// a manager running a ``ClusterNode``. Survives restarts through the data directory.
public actor ClusterManager {
    public let dataDirectory: String
    public let hostname: String
    public nonisolated let logger: Logger
    private var node: ClusterNode?
    private var identity: NodeIdentity?
    /// Set while `initialize` waits for its first command: the actor is reentrant there,
    /// and a second init must not open the same WAL.
    private var initializing = false
    private let makeExecutor: @Sendable (String) -> any TaskExecutor
    private let heartbeatPeriod: Duration
    private var leader: LeaderServices?
    private var agentTask: Task<Void, Never>?
    private var agent: Agent?

    /// Opens the data directory; a node that was in a swarm rejoins it at once (its
    /// reconcilers and agent start with ``resume()``).
    ///
    /// - Parameter makeExecutor: builds the executor that runs this node's tasks, given the
    ///   data directory.
    public init(dataDirectory: String, hostname: String, logger: Logger,
                heartbeatPeriod: Duration = Dispatcher.defaultHeartbeatPeriod,
                makeExecutor: @escaping @Sendable (String) -> any TaskExecutor) throws {
        self.dataDirectory = dataDirectory
        self.hostname = hostname
        self.logger = logger
        self.makeExecutor = makeExecutor
        self.heartbeatPeriod = heartbeatPeriod
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        if let identity = try NodeIdentity.load(from: dataDirectory) {
            let node = try ClusterNode(dataDirectory: dataDirectory, nodeID: identity.raftID)
            try node.start(bootstrap: true)
            self.node = node
            self.identity = identity
            logger.info("rejoined swarm", metadata: ["node": "\(identity.nodeID)"])
        }
    }

    /// The running manager, or Docker's "not a swarm manager" error.
    func active() throws(DockerAPIError) -> (node: ClusterNode, identity: NodeIdentity) {
        guard let node, let identity else { throw .notManager }
        return (node, identity)
    }

    var isActive: Bool { node != nil }

    /// Creates a single-manager swarm: the cluster object, this node (manager, leader,
    /// ready) and the `ingress` network, in one command.
    func initialize(_ request: SwarmInitRequest) async throws -> String {
        guard node == nil, !initializing else { throw DockerAPIError.alreadyInSwarm }
        initializing = true
        defer { initializing = false }
        let spec = try (request.spec ?? SwarmSpec()).validatedForInit().withDockerDefaults()
        var random = SystemRandomNumberGenerator()
        let nodeID = ObjectID.generate(using: &random)
        let clusterID = ObjectID.generate(using: &random)
        let advertise = Self.advertiseAddress(request)
        let identity = NodeIdentity(nodeID: nodeID, raftID: UInt64.random(in: 1...UInt64(Int64.max)),
                                    advertiseAddress: advertise)
        let now = Timestamp.now()
        let swarm = Swarm(id: clusterID, spec: spec, defaultAddrPool: request.defaultAddrPool ?? ["10.0.0.0/8"],
                          subnetSize: request.subnetSize ?? 24, dataPathPort: request.dataPathPort ?? 4789,
                          joinTokens: JoinTokens(worker: Self.joinToken(&random), manager: Self.joinToken(&random)))
        let me = Node(
            id: nodeID,
            spec: NodeSpec(role: "manager", availability: NodeAvailability(rawValue: request.availability ?? "active")),
            description: localDescription,
            status: NodeStatus(state: "ready", addr: advertise.split(separator: ":").first.map(String.init) ?? advertise),
            managerStatus: ManagerStatus(leader: true, reachability: "reachable", addr: advertise))
        let ingress = Network(
            request: NetworkCreateRequest(name: "ingress", driver: "overlay", ingress: true,
                                          labels: [:]),
            id: ObjectID.generate(using: &random), created: now)
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: now, actor: .init(kind: .user, id: "swarm-init")),
            events: [.clusterCreated(swarm), .nodeCreated(me), .networkCreated(ingress)])
        // A request that cannot make a valid command (say, an unknown Availability) must not
        // leave a node behind holding the WAL: check it before any node exists.
        try command.validate()
        let node = try ClusterNode(dataDirectory: dataDirectory, nodeID: identity.raftID)
        try node.start(bootstrap: true)
        let outcome: ApplyOutcome
        do {
            outcome = try await node.propose(command)
        } catch {
            node.stop()
            eraseSwarmState()
            throw error
        }
        guard case .applied = outcome else {
            node.stop()
            eraseSwarmState()
            throw DockerAPIError(.internalServerError, "swarm init failed: \(outcome)")
        }
        try identity.save(to: dataDirectory)
        self.node = node
        self.identity = identity
        logger.info("swarm initialized", metadata: ["node": "\(nodeID)", "cluster": "\(clusterID)"])
        await startServices()
        return nodeID
    }

    /// This machine as a node of the swarm.
    var localDescription: NodeDescription {
        NodeDescription(hostname: hostname, platform: Platform(architecture: Self.architecture, os: "linux"),
                        resources: Resources(nanoCPUs: Int64(ProcessInfo.processInfo.activeProcessorCount) * 1_000_000_000,
                                             memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory)),
                        engine: EngineDescription(engineVersion: ColmeiaVersion.engine))
    }

    /// Starts what a manager runs besides Raft: the reconcilers and dispatcher (this is a
    /// single-manager swarm, so always its leader) and the node's own agent.
    public func resume() async {
        await startServices()
    }

    private func startServices() async {
        guard let node, let identity, leader == nil else { return }
        let leader = await LeaderServices(store: node.store, proposer: node, logger: logger,
                                          heartbeatPeriod: heartbeatPeriod)
        let address = String(identity.advertiseAddress.split(separator: ":").first ?? "127.0.0.1")
        let executor = makeExecutor(dataDirectory)
        let agent = Agent(nodeID: identity.nodeID, description: await executor.describe(localDescription),
                          connection: LocalDispatcherConnection(dispatcher: leader.dispatcher, addr: address),
                          executor: executor, logger: logger)
        self.leader = leader
        self.agent = agent
        agentTask = Task { await agent.run() }
    }

    /// Stops the agent and the leader's services. Leaving the swarm stops the node's tasks;
    /// a daemon that merely stops leaves containers running for its next start to adopt.
    private func stopServices(leaving: Bool = false) async {
        agentTask?.cancel()
        await agentTask?.value
        await agent?.stopTasksIfTheyCannotOutlive(force: leaving)
        await agent?.closeExecutor()
        agentTask = nil
        agent = nil
        await leader?.stop()
        leader = nil
    }

    /// The logs of these tasks, merged as lines arrive, each with its task. Tasks on other
    /// nodes have no agent here yet (remote workers come with the multi-manager issue).
    func logs(of tasks: [SwarmTask], options: LogOptions) throws(DockerAPIError)
        -> AsyncThrowingStream<(SwarmTask, LogEntry), any Error> {
        guard let agent, let identity else { throw .notManager }
        let local = tasks.filter { $0.nodeID == identity.nodeID }
        return AsyncThrowingStream { continuation in
            let reader = Task {
                await withTaskGroup(of: Void.self) { group in
                    for task in local {
                        group.addTask {
                            guard let entries = try? await agent.logs(task, options: options) else { return }
                            do {
                                for try await entry in entries { continuation.yield((task, entry)) }
                            } catch {
                                // One task's log ending badly does not end the others'.
                            }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// Leaves the swarm. The last manager leaving erases the swarm, so Docker demands `force`.
    func leave(force: Bool) async throws {
        guard let node else {
            throw DockerAPIError(.serviceUnavailable, "This node is not part of a swarm")
        }
        guard force else {
            throw DockerAPIError(.serviceUnavailable,
                                 "You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.")
        }
        await stopServices(leaving: true)
        node.stop()
        self.node = nil
        self.identity = nil
        eraseSwarmState()
        logger.info("left the swarm")
    }

    /// Removes the swarm's files from the data directory (its node must be stopped).
    private func eraseSwarmState() {
        for item in ["raft", "state.db", "state.db-wal", "state.db-shm", "node-identity.json"] {
            try? FileManager.default.removeItem(atPath: dataDirectory + "/" + item)
        }
    }

    /// Stops the node after the writes in flight are applied.
    public func shutdown() async {
        await stopServices()
        node?.stop()
        node = nil
    }

    /// `--init`: a fresh daemon creates a single-node swarm with default settings.
    public func initializeIfNeeded() async throws {
        guard node == nil else { return }
        _ = try await initialize(SwarmInitRequest())
    }

    static let architecture: String = {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "unknown"
        #endif
    }()

    private static func advertiseAddress(_ request: SwarmInitRequest) -> String {
        let raw = request.advertiseAddr.flatMap { $0.isEmpty ? nil : $0 }
            ?? request.listenAddr.flatMap { $0.isEmpty || $0.hasPrefix("0.0.0.0") ? nil : $0 }
            ?? "127.0.0.1"
        return raw.contains(":") ? raw : raw + ":2377"
    }

    /// A fresh join token (token rotation).
    static func newJoinToken() -> String {
        var random = SystemRandomNumberGenerator()
        return joinToken(&random)
    }

    /// `SWMTKN-1-<50 base-36>-<25 base-36>`. Until the cluster CA exists (multi-manager
    /// issue) the first part is random rather than the CA certificate's digest.
    private static func joinToken(_ random: inout SystemRandomNumberGenerator) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        func part(_ count: Int) -> String { String((0..<count).map { _ in alphabet[Int(random.next() % 36)] }) }
        return "SWMTKN-1-\(part(50))-\(part(25))"
    }
}

/// Versions Colmeia reports where dockerd reports its own.
public enum ColmeiaVersion {
    public static let engine = "28.2.2-colmeia"
    public static let colmeia = "0.1.0"
}
