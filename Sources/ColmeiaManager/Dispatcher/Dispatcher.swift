import ColmeiaModel
import ColmeiaStore
import Foundation
import Logging

/// The leader's side of the agent protocol (SwarmKit's dispatcher): registers nodes,
/// tracks heartbeats and marks silent nodes down, streams each node its assignment set,
/// and batches task status reports into few commands.
public actor Dispatcher {
    /// SwarmKit's default heartbeat period.
    public static let defaultHeartbeatPeriod = Duration.seconds(5)
    /// Missed periods after which a node is down.
    public static let missedHeartbeats = 3

    private struct Session {
        var id: String
        var lastHeartbeat: ContinuousClock.Instant
        var continuation: AsyncThrowingStream<Assignments, any Error>.Continuation?
        var lastSent: Assignments?
    }

    private let proposer: any CommandProposer
    private let store: ClusterStore
    private let logger: Logger
    /// The period when the swarm spec does not set one (`docker swarm update --dispatcher-heartbeat`).
    private let defaultPeriod: Duration
    /// The swarm's `Dispatcher.HeartbeatPeriod`, or the default.
    private var heartbeatPeriod: Duration {
        let configured = view.swarm?.spec.dispatcher.heartbeatPeriod ?? 0
        return configured > 0 ? .nanoseconds(configured) : defaultPeriod
    }
    private let batchInterval: Duration
    private let clock = ContinuousClock()
    private let startedAt: ContinuousClock.Instant
    private var sessions: [String: Session] = [:]
    private var view = ClusterView()
    /// The routing mesh as of `view`: every node gets it, and all of them get a change.
    private var mesh = MeshView()
    /// Whether the reconciler has handed over its first view. Until then nothing is sent:
    /// an agent takes its first set as complete and removes whatever the set leaves out.
    private var hasView = false
    /// Reports by task, each with the node that sent it (checked against the view when
    /// proposed, so reports that arrive before the first view are not lost).
    private var pending: [String: (nodeID: String, update: TaskStatusUpdate)] = [:]
    private var pendingOrder: [String] = []
    private var flushScheduled = false
    /// Nodes being marked down or up, so the health check does not repeat itself.
    private var transitions: Set<String> = []

    public init(proposer: any CommandProposer, store: ClusterStore, logger: Logger,
                heartbeatPeriod: Duration = defaultHeartbeatPeriod, batchInterval: Duration = .milliseconds(100)) {
        self.proposer = proposer
        self.store = store
        self.logger = logger
        defaultPeriod = heartbeatPeriod
        self.batchInterval = batchInterval
        startedAt = clock.now
    }

    // MARK: Agent calls

    /// Registers a node: a new one becomes a worker node; a known one is ready again with
    /// its fresh description. Any earlier session of the node ends.
    public func register(nodeID: String?, description: NodeDescription, addr: String) async throws -> AgentSession {
        var random = SystemRandomNumberGenerator()
        let id = nodeID.flatMap { $0.isEmpty ? nil : $0 } ?? ObjectID.generate(using: &random)
        let now = Timestamp.now()
        let status = NodeStatus(state: .ready, addr: addr)
        let event: ClusterEvent?
        var preconditions: [Precondition] = []
        // The store, not the view: the view may not hold a down mark that has just landed.
        if let known = try? store.get(Node.self, id) {
            var node = known
            // Agents do not know their TLS state; the node reports it on its own (`POST /node/tls`).
            node.description = description
            if description.tlsInfo.trustRoot.isEmpty { node.description.tlsInfo = known.description.tlsInfo }
            // An agent that advertises an unspecified host (0.0.0.0) keeps the address the
            // node was admitted with, which names the host it was reached at.
            if description.clusterAddress.hasPrefix("0.0.0.0:") || description.clusterAddress.isEmpty {
                node.description.clusterAddress = known.description.clusterAddress
            }
            node.status = status
            // A node already ready as it describes itself is left alone (unless the health
            // check is marking it down right now): each write moves its version, and
            // `docker node update` fails on a version that moved between its read and write.
            event = node == known && !transitions.contains(id) ? nil : .nodeUpdated(node)
            preconditions = [.objectVersion(kind: .node, id: id, index: node.version.index)]
        } else if nodeID != nil && !(nodeID ?? "").isEmpty {
            throw DispatcherError.unavailable("node \(id) is not part of this cluster")
        } else {
            event = .nodeCreated(Node(id: id, spec: NodeSpec(role: "worker", availability: .active),
                                      description: description, status: status))
        }
        if let event {
            transitions.insert(id)
            defer { transitions.remove(id) }
            let outcome = try await proposer.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: now, actor: .init(kind: .node, id: id)),
                preconditions: preconditions, events: [event]))
            if case .rejected(_, let reason) = outcome {
                throw DispatcherError.unavailable("registration of node \(id) was refused: \(reason)")
            }
        }
        sessions[id]?.continuation?.finish(throwing: DispatcherError.sessionInvalid)
        let session = AgentSession(nodeID: id, sessionID: UUID().uuidString, heartbeatPeriod: heartbeatPeriod.nanoseconds)
        sessions[id] = Session(id: session.sessionID, lastHeartbeat: clock.now)
        return session
    }

    public func heartbeat(_ session: AgentSession) throws -> Int64 {
        guard sessions[session.nodeID]?.id == session.sessionID else { throw DispatcherError.sessionInvalid }
        sessions[session.nodeID]?.lastHeartbeat = clock.now
        return heartbeatPeriod.nanoseconds
    }

    /// The node's assignment set now, then each time it changes.
    public func assignments(_ session: AgentSession) throws -> AsyncThrowingStream<Assignments, any Error> {
        guard sessions[session.nodeID]?.id == session.sessionID else { throw DispatcherError.sessionInvalid }
        let (stream, continuation) = AsyncThrowingStream<Assignments, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
        sessions[session.nodeID]?.continuation?.finish()
        sessions[session.nodeID]?.continuation = continuation
        sessions[session.nodeID]?.lastSent = nil
        send(to: session.nodeID)
        return stream
    }

    /// Queues status reports; they are proposed together every `batchInterval`.
    public func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) throws {
        guard sessions[session.nodeID]?.id == session.sessionID else { throw DispatcherError.sessionInvalid }
        // Checked here too, not only at flush: a stale agent's report must not replace the
        // assigned node's pending report of the same task.
        for update in updates where !hasView || isAssigned(update.taskID, to: session.nodeID) {
            if pending[update.taskID] == nil { pendingOrder.append(update.taskID) }
            pending[update.taskID] = (session.nodeID, update)
        }
        scheduleFlush()
    }

    /// A task reported by a node it is not assigned to is ignored (a stale agent).
    private func isAssigned(_ taskID: String, to nodeID: String) -> Bool {
        view.tasks[taskID]?.nodeID == nodeID
    }

    // MARK: Leader side

    /// The reconciler's view changed; push new assignment sets to the nodes it touched.
    public func update(_ view: ClusterView, touched: Set<String>) {
        self.view = view
        // Sessions opened before the first view have been sent nothing yet.
        var waiting = hasView ? [] : Set(sessions.keys)
        hasView = true
        let mesh = MeshView(view)
        if mesh != self.mesh {
            self.mesh = mesh
            waiting = Set(sessions.keys)
        }
        for nodeID in touched.union(waiting) where sessions[nodeID] != nil { send(to: nodeID) }
        scheduleFlush()
    }

    /// Marks nodes down whose agents fell silent, and nodes that never opened a session
    /// with this leader within the grace period. Call periodically.
    public func checkHealth() async {
        let now = clock.now
        let grace = heartbeatPeriod * Self.missedHeartbeats
        var lost: [Node] = []
        for node in view.nodes.values where node.status.state != .down && !transitions.contains(node.id) {
            if let session = sessions[node.id] {
                if now - session.lastHeartbeat > grace { lost.append(node) }
            } else if now - startedAt > grace && !Self.isNewcomer(node, grace: grace) {
                lost.append(node)
            }
        }
        ManagerMetrics.sessions.record(sessions.count)
        for node in lost.sorted(by: { $0.id < $1.id }) {
            ManagerMetrics.heartbeatsMissed.increment()
            sessions.removeValue(forKey: node.id)?.continuation?.finish(throwing: DispatcherError.sessionInvalid)
            var down = node
            down.status.state = .down
            down.status.message = "heartbeat failure"
            transitions.insert(node.id)
            logger.notice("node is down: heartbeat failure", metadata: ["node": "\(node.id)"])
            _ = try? await proposer.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "dispatcher")),
                preconditions: [.objectVersion(kind: .node, id: node.id, index: node.version.index)],
                events: [.nodeUpdated(down)]))
            transitions.remove(node.id)
        }
    }

    /// A node admitted less than `grace` ago has not had its chance to open a session.
    static func isNewcomer(_ node: Node, grace: Duration) -> Bool {
        let age = Timestamp.now().seconds - node.createdAt.seconds
        return age >= 0 && age < grace.components.seconds + 1
    }

    /// Ends every session (the node stops being leader).
    public func shutdown() {
        for session in sessions.values { session.continuation?.finish(throwing: DispatcherError.unavailable("leadership lost")) }
        sessions.removeAll()
    }

    // MARK: Internals

    /// What a node must know: assigned tasks it should run, and tasks it should stop.
    static func assignmentSet(for nodeID: String, in view: ClusterView) -> [SwarmTask] {
        view.tasks(onNode: nodeID).filter { task in
            task.isWanted ? task.status.state >= .assigned : !task.hasEnded
        }
    }

    private func send(to nodeID: String) {
        guard hasView, let continuation = sessions[nodeID]?.continuation else { return }
        let tasks = Self.assignmentSet(for: nodeID, in: view)
        // Only the secrets and configs of tasks that may still run here.
        let live = tasks.filter { !$0.hasEnded }.compactMap(\.spec.containerSpec)
        var set = Assignments(tasks: tasks, mesh: mesh)
        for id in Set(live.flatMap { $0.secrets.map(\.secretID) }).sorted() {
            if let secret = try? store.get(Secret.self, id) { set.secrets.append(secret) }
        }
        for id in Set(live.flatMap { $0.configs.map(\.configID) }).sorted() {
            if let config = try? store.get(Config.self, id) { set.configs.append(config) }
        }
        guard sessions[nodeID]?.lastSent != set else { return }
        sessions[nodeID]?.lastSent = set
        continuation.yield(set)
        ManagerMetrics.assignmentSets.increment()
    }

    private func scheduleFlush() {
        guard hasView, !pending.isEmpty, !flushScheduled else { return }
        flushScheduled = true
        let interval = batchInterval
        Task {
            try? await Task.sleep(for: interval)
            await self.flush()
        }
    }

    private func flush() async {
        flushScheduled = false
        let updates = pendingOrder.compactMap { pending[$0] }.filter { isAssigned($0.update.taskID, to: $0.nodeID) }
            .map(\.update)
        pending.removeAll()
        pendingOrder.removeAll()
        guard !updates.isEmpty else { return }
        let nodes = Set(updates.compactMap { view.tasks[$0.taskID]?.nodeID })
        let actor = nodes.count == 1 ? (nodes.first ?? "dispatcher") : "dispatcher"
        var start = 0
        while start < updates.count {
            let chunk = updates[start..<min(updates.count, start + 2_000)]
            start += chunk.count
            let command = ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: actor)),
                events: chunk.map { .taskStatusChanged(taskID: $0.taskID, status: $0.status) })
            do {
                _ = try await proposer.propose(command)
            } catch {
                logger.warning("task status batch failed", metadata: ["error": "\(error)", "updates": "\(chunk.count)"])
            }
        }
    }
}
