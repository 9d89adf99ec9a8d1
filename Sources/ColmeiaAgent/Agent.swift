import ColmeiaMesh
import ColmeiaModel
import Logging

/// A node's agent (SwarmKit's agent): keeps a session with the dispatcher, applies each
/// assignment set idempotently through its executor, and reports task status. While the
/// dispatcher is unreachable, running tasks keep running and their reports are queued.
///
/// ```swift
/// let agent = Agent(nodeID: id, description: description, connection: dispatcher,
///                   executor: ProcessExecutor(root: dataDir + "/tasks"), logger: logger)
/// Task { await agent.run() }
/// ```
public actor Agent {
    public private(set) var nodeID: String?
    private let description: NodeDescription
    private let connection: any DispatcherConnection
    private let executor: any TaskExecutor
    private let logger: Logger
    private var session: AgentSession?
    private var runners: [String: TaskRunner] = [:]
    private var unsent: [String: TaskStatusUpdate] = [:]
    /// The state last reported for each task a runner holds (the agent's task gauges).
    private var reported: [String: TaskState] = [:]
    private var secrets: [String: Secret] = [:]
    private var configs: [String: Config] = [:]
    /// The last assignment set applied, and a pending re-application of it.
    private var latest: Assignments?
    private var reapply: Task<Void, Never>?
    /// The node's part of the data plane, routed by each set's mesh view.
    private let mesh: NodeMesh?
    /// How long a task of a service in the mesh keeps running, without new connections,
    /// before it is stopped.
    private let drainDelay: Duration

    public init(nodeID: String?, description: NodeDescription, connection: any DispatcherConnection,
                executor: any TaskExecutor, mesh: NodeMesh? = nil, drainDelay: Duration = .seconds(1), logger: Logger) {
        self.nodeID = nodeID
        self.description = description
        self.connection = connection
        self.executor = executor
        self.mesh = mesh
        self.drainDelay = drainDelay
        self.logger = logger
    }

    /// Keeps a session open until cancelled; on cancellation the tasks keep running
    /// (the daemon stops, the node's work does not).
    public func run() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let session = try await connection.register(nodeID: nodeID, description: description)
                self.session = session
                nodeID = session.nodeID
                backoff = .milliseconds(100)
                logger.debug("agent session opened", metadata: ["node": "\(session.nodeID)"])
                await flushUnsent()
                let heartbeats = Task { await self.beat(session) }
                defer { heartbeats.cancel() }
                var leftoversChecked = false
                for try await set in try await connection.assignments(session) {
                    logger.debug("assignments", metadata: ["tasks": "\(set.tasks.count)"])
                    await apply(set)
                    if !leftoversChecked {
                        // The first set of a session is complete: whatever this node still
                        // holds for a task outside it was deleted while we were away.
                        leftoversChecked = true
                        await executor.removeLeftovers(onNode: session.nodeID,
                                                       keeping: Set(set.tasks.map(\.id)).union(runners.keys))
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.info("agent session ended", metadata: ["error": "\(error)"])
                }
            }
            session = nil
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Stops every task this agent drives, when its executor's tasks cannot outlive it
    /// (the daemon is stopping or leaving the swarm).
    public func stopTasksIfTheyCannotOutlive(force: Bool = false) async {
        guard force || !executor.tasksOutliveAgent else { return }
        let all = runners.values
        runners.removeAll()
        await withTaskGroup(of: Void.self) { group in
            for runner in all { group.addTask { await runner.stopAndRemove() } }
        }
    }

    /// What a task on this node wrote (running or stopped, as long as it was not removed).
    public func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        try await executor.logs(task, options: options)
    }

    /// Lets the executor release what it holds (the daemon is stopping).
    public func closeExecutor() async {
        await executor.close()
    }

    /// What this node's executor holds, for `docker info`.
    public func executorCounts() async -> EngineCounts? {
        await executor.counts()
    }

    /// Tasks this agent currently drives.
    public var taskIDs: [String] { runners.keys.sorted() }

    /// Whether a session with the dispatcher is open now (a worker's readiness).
    public var hasSession: Bool { session != nil }

    private func beat(_ session: AgentSession) async {
        var period = Duration.nanoseconds(session.heartbeatPeriod)
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            guard !Task.isCancelled else { return }
            do {
                period = .nanoseconds(try await connection.heartbeat(session))
            } catch {
                logger.info("heartbeat failed", metadata: ["error": "\(error)"])
                period = .seconds(1)
            }
        }
    }

    /// Makes the node's tasks match the set: start new ones, pass on desired-state
    /// changes, stop and remove those no longer assigned. A task whose state the executor
    /// cannot find out (its engine is away) is left alone and the set is applied again
    /// shortly: it is never declared lost on an unanswered question.
    func apply(_ assignments: Assignments) async {
        // Only what current tasks need is kept: the rest is forgotten.
        secrets = Dictionary(assignments.secrets.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        configs = Dictionary(assignments.configs.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        latest = assignments
        if let mesh {
            if let nodeID { mesh.nodeID = nodeID }
            mesh.update(assignments.mesh)
        }
        let set = assignments.tasks
        let assigned = Set(set.map(\.id))
        var undecided = false
        for task in set {
            if let runner = runners[task.id] {
                await runner.update(task)
                continue
            }
            if task.hasEnded { continue }
            if task.desiredState > .complete {
                if task.status.state >= .starting, task.status.state <= .running, executor.tasksOutliveAgent {
                    switch await executor.isRunning(task) {
                    case .running:
                        // Stopped while this agent was away, but its container still runs: a
                        // runner adopts it only to stop it (and report shutdown).
                        await startRunner(for: task, adopt: true)
                        continue
                    case .unknown(let reason):
                        logger.info("cannot tell whether a task still runs; asking again", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
                        undecided = true
                        continue
                    case .absent:
                        break
                    }
                }
                if task.status.state < .shutdown {
                    await send(TaskStatusUpdate(taskID: task.id, status: TaskStatus(timestamp: .now(), state: .shutdown,
                                                                                     message: "shutdown")))
                }
                continue
            }
            let adopt = task.status.state >= .starting
            if adopt {
                switch await executor.isRunning(task) {
                case .running:
                    break
                case .unknown(let reason):
                    logger.info("cannot tell whether a task still runs; asking again", metadata: ["task": "\(task.id)", "reason": "\(reason)"])
                    undecided = true
                    continue
                case .absent:
                    await send(TaskStatusUpdate(taskID: task.id, status: TaskStatus(
                        timestamp: .now(), state: .failed, message: "started",
                        err: "task lost: the agent restarted and the task is no longer running")))
                    continue
                }
            }
            await startRunner(for: task, adopt: adopt)
        }
        for (id, runner) in runners where !assigned.contains(id) {
            logger.debug("task no longer assigned: stopping it", metadata: ["task": "\(id)"])
            runners[id] = nil
            reported[id] = nil
            Task { await runner.stopAndRemove() }
        }
        AgentMetrics.recordTasks(reported.values)
        if undecided { scheduleReapply() }
    }

    /// Applies the latest set again in a second (some task's state was unknown).
    private func scheduleReapply() {
        guard reapply == nil else { return }
        reapply = Task {
            try? await Task.sleep(for: .seconds(1))
            await self.reapplyLatest()
        }
    }

    private func reapplyLatest() async {
        reapply = nil
        guard !Task.isCancelled, let latest else { return }
        await apply(latest)
    }

    private func startRunner(for task: SwarmTask, adopt: Bool) async {
        let service = latest?.mesh.services.first { $0.id == task.serviceID }
        let context = TaskContext(serviceName: service?.name ?? "", ports: service?.ports ?? [],
                                  nodeID: nodeID ?? task.nodeID, nodeHostname: description.hostname,
                                  platform: description.platform)
        let files = TaskFiles(for: task, secrets: secrets, configs: configs, context: context)
        var drain: (@Sendable () async -> Void)?
        if service != nil, let mesh {
            let delay = drainDelay
            let id = task.id
            drain = {
                mesh.endpoints.remove(taskID: id)
                try? await Task.sleep(for: delay)
            }
        }
        var ports: TaskPorts?
        if let service, let mesh, service.ports.contains(where: { $0.publishMode == .host }) {
            let id = task.id
            ports = TaskPorts(
                publish: { previous throws(TaskFailure) in
                    var wanted = service.ports
                    // An adopted task takes again the numbers it had.
                    for (index, port) in wanted.enumerated() where port.publishMode == .host {
                        if let earlier = previous?.first(where: { $0.targetPort == port.targetPort && $0.protocol == port.protocol }) {
                            wanted[index].publishedPort = earlier.publishedPort
                        }
                    }
                    do throws(MeshPublishError) {
                        return try await mesh.publishHostPorts(taskID: id, serviceID: service.id, serviceName: service.name, ports: wanted)
                    } catch {
                        throw TaskFailure(error.description)
                    }
                },
                unpublish: { await mesh.unpublishHostPorts(taskID: id) })
        }
        let logger = self.logger
        let runner = TaskRunner(task: task, files: files, executor: executor, drain: drain, ports: ports) { [weak self] status in
            // As dockerd's "fatal task error": the reason a task did not run is in the
            // node's own log, not only in `docker service ps` on a manager.
            if !status.err.isEmpty, status.state == .failed || status.state == .rejected {
                logger.warning("task \(status.state.rawValue): \(status.err)",
                               metadata: ["task": "\(task.id)", "service": "\(task.serviceID)", "slot": "\(task.slot)"])
            }
            await self?.send(TaskStatusUpdate(taskID: task.id, status: status))
        }
        runners[task.id] = runner
        logger.debug(adopt ? "adopting a running task" : "starting a task", metadata: ["task": "\(task.id)"])
        await runner.start(adopt: adopt)
    }

    private func send(_ update: TaskStatusUpdate) async {
        if runners[update.taskID] != nil {
            reported[update.taskID] = update.status.state
            AgentMetrics.recordTasks(reported.values)
        }
        guard let session else {
            unsent[update.taskID] = update
            return
        }
        do {
            try await connection.report(session, [update])
        } catch {
            unsent[update.taskID] = update
        }
    }

    private func flushUnsent() async {
        guard let session, !unsent.isEmpty else { return }
        let updates = unsent.values.sorted { $0.status.timestamp < $1.status.timestamp }
        unsent.removeAll()
        do {
            try await connection.report(session, updates)
        } catch {
            for update in updates where unsent[update.taskID] == nil { unsent[update.taskID] = update }
        }
    }
}
