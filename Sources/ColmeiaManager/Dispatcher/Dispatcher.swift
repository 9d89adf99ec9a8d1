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
    /// A flush is scheduled or running; one at a time, so a retried status never races a
    /// newer one of the same task.
    private var flushScheduled = false
    /// Failed proposals of the status now pending for a task (bounded by `maxStatusAttempts`).
    private var statusAttempts: [String: Int] = [:]
    /// Status batches that failed in a row: the next flush waits `retryDelay(after:)`.
    private var failedFlushes = 0
    /// After ``shutdown()`` nothing is proposed again.
    private var stopped = false
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
            guard let queued = pending[update.taskID] else {
                pendingOrder.append(update.taskID)
                pending[update.taskID] = (session.nodeID, update)
                continue
            }
            // A status waiting for a retry is never replaced by an older one.
            statusAttempts[update.taskID] = nil
            pending[update.taskID] = (session.nodeID, TaskStatusUpdate(
                taskID: update.taskID, status: Self.newer(queued.update.status, update.status)))
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
        stopped = true
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
        guard hasView, !stopped, !pending.isEmpty, !flushScheduled else { return }
        flushScheduled = true
        let interval = failedFlushes == 0 ? batchInterval : Self.retryDelay(after: failedFlushes, base: batchInterval)
        Task {
            try? await Task.sleep(for: interval)
            await self.flush()
        }
    }

    /// How many times a task's status is proposed before the dispatcher gives it up (the
    /// agent reports it again when it next changes, and the reconciler's own checks catch
    /// a task whose node went silent).
    public static let maxStatusAttempts = 5

    /// The wait before proposing again after `failures` failed batches in a row: the batch
    /// interval doubled each time, at most 5 s.
    static func retryDelay(after failures: Int, base: Duration) -> Duration {
        let doubled = base * (1 << min(max(failures, 1), 10))
        return min(doubled, .seconds(5))
    }

    /// Of two statuses reported for one task, the one to write: task states only move
    /// forward, so the later state wins, then the later timestamp; on a tie, `later` (the
    /// one reported after).
    static func newer(_ earlier: TaskStatus, _ later: TaskStatus) -> TaskStatus {
        if earlier.state != later.state { return earlier.state > later.state ? earlier : later }
        return earlier.timestamp > later.timestamp ? earlier : later
    }

    private func flush() async {
        defer {
            flushScheduled = false
            scheduleFlush()
        }
        guard !stopped else { return }
        let reports = pendingOrder.compactMap { pending[$0] }.filter { isAssigned($0.update.taskID, to: $0.nodeID) }
        pending.removeAll()
        pendingOrder.removeAll()
        guard !reports.isEmpty else { return }
        let nodes = Set(reports.compactMap { view.tasks[$0.update.taskID]?.nodeID })
        let actor = nodes.count == 1 ? (nodes.first ?? "dispatcher") : "dispatcher"
        var start = 0
        var failed = false
        while start < reports.count {
            let chunk = reports[start..<min(reports.count, start + 2_000)]
            start += chunk.count
            let command = ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: actor)),
                events: chunk.map { .taskStatusChanged(taskID: $0.update.taskID, status: $0.update.status) })
            do {
                _ = try await proposer.propose(command)
                for report in chunk { statusAttempts[report.update.taskID] = nil }
            } catch {
                failed = true
                let dropped = requeue(chunk)
                logger.warning("task status batch failed; proposing it again", metadata: [
                    "error": "\(error)", "updates": "\(chunk.count)", "givenUp": "\(dropped)",
                    "failuresInARow": "\(failedFlushes + 1)"])
            }
        }
        failedFlushes = failed ? failedFlushes + 1 : 0
    }

    /// Puts a failed batch back in the queue. A status reported for the same task while the
    /// batch was in flight is merged with it (the newer wins), and a status that has failed
    /// `maxStatusAttempts` times is given up. Returns how many were given up.
    private func requeue(_ reports: ArraySlice<(nodeID: String, update: TaskStatusUpdate)>) -> Int {
        var dropped = 0
        for report in reports {
            let taskID = report.update.taskID
            if let later = pending[taskID] {
                // A fresh report: it gets its own attempts, and keeps whichever status is newer.
                pending[taskID] = (later.nodeID, TaskStatusUpdate(
                    taskID: taskID, status: Self.newer(report.update.status, later.update.status)))
                statusAttempts[taskID] = nil
                continue
            }
            let attempts = (statusAttempts[taskID] ?? 0) + 1
            guard attempts < Self.maxStatusAttempts else {
                statusAttempts[taskID] = nil
                dropped += 1
                logger.error("gave up proposing a task status", metadata: [
                    "task": "\(taskID)", "state": "\(report.update.status.state)", "attempts": "\(attempts)"])
                continue
            }
            statusAttempts[taskID] = attempts
            pending[taskID] = report
            pendingOrder.append(taskID)
        }
        return dropped
    }
}
