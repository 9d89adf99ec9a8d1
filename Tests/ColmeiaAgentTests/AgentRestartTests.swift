import ColmeiaAgent
import ColmeiaModel
import Foundation
import Logging
import Testing

/// What an agent does when it comes back after a restart and finds the node holding
/// containers the cluster has since stopped or deleted.
@Suite struct AgentRestartTests {
    @Test("a task stopped while the agent was away is stopped on the node and reported shutdown; a deleted task's container is removed")
    func leftoversAfterRestart() async throws {
        let kept = task("kept", desired: .running, state: .running)
        let stopped = task("stopped", desired: .shutdown, state: .running)
        let executor = RecordingExecutor(running: ["kept", "stopped", "deleted"])
        let dispatcher = ScriptedDispatcher(nodeID: "node-1", first: Assignments(tasks: [kept, stopped]))
        let agent = Agent(nodeID: "node-1", description: NodeDescription(), connection: dispatcher,
                          executor: executor, logger: Logger(label: "test"))
        let run = Task { await agent.run() }
        defer { run.cancel() }

        try await eventually { await dispatcher.reported("stopped").contains(.shutdown) }
        #expect(await executor.stopped == ["stopped"])
        try await eventually { await executor.leftoversRemoved == ["deleted"] }
        #expect(await executor.running == ["kept"], "the running task is adopted, not restarted or stopped")
        #expect(await executor.started.isEmpty)
        #expect(await dispatcher.reported("kept").isEmpty, "an adopted running task has nothing new to report")
    }

    @Test("a stopped task whose container is already gone is only reported shutdown")
    func stoppedAndGone() async throws {
        let executor = RecordingExecutor(running: [])
        let dispatcher = ScriptedDispatcher(nodeID: "node-1",
                                            first: Assignments(tasks: [task("gone", desired: .shutdown, state: .running)]))
        let agent = Agent(nodeID: "node-1", description: NodeDescription(), connection: dispatcher,
                          executor: executor, logger: Logger(label: "test"))
        let run = Task { await agent.run() }
        defer { run.cancel() }

        try await eventually { await dispatcher.reported("gone") == [.shutdown] }
        #expect(await executor.stopped.isEmpty)
    }

    @Test("an agent restarting while its engine is away keeps its tasks' state, and adopts them once the engine answers")
    func engineAwayAtRestart() async throws {
        let executor = RecordingExecutor(running: ["web1", "stopped"], engineAway: true)
        let dispatcher = ScriptedDispatcher(nodeID: "node-1", first: Assignments(tasks: [
            task("web1", desired: .running, state: .running), task("stopped", desired: .shutdown, state: .running)]))
        let agent = Agent(nodeID: "node-1", description: NodeDescription(), connection: dispatcher,
                          executor: executor, logger: Logger(label: "test"))
        let run = Task { await agent.run() }
        defer { run.cancel() }

        // Asked, unanswered, asked again: nothing is declared lost meanwhile.
        try await eventually { await executor.presenceQuestions >= 4 }
        #expect(await dispatcher.reported("web1").isEmpty, "a task must not be lost on an unanswered question")
        #expect(await dispatcher.reported("stopped").isEmpty)
        #expect(await executor.started.isEmpty)

        await executor.setEngineAway(false)
        try await eventually { await dispatcher.reported("stopped").contains(.shutdown) }
        #expect(await executor.stopped == ["stopped"])
        #expect(await executor.running == ["web1"], "the running task is adopted, not restarted")
        #expect(await executor.started.isEmpty)
        #expect(await dispatcher.reported("web1").isEmpty)
    }

    @Test("an engine that does not answer is unknown to the Docker executor, in words that name the engine; not absent")
    func dockerEngineAway() async throws {
        let root = FileManager.default.temporaryDirectory.path + "/colmeia-engine-away-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let executor = try DockerExecutor(host: "unix://\(root)/docker.sock", filesRoot: root + "/files")
        let presence = await executor.isRunning(task("web1", desired: .running, state: .running))
        guard case .unknown(let reason) = presence else {
            Issue.record("an unreachable engine must leave the question open, got \(presence)")
            return
        }
        #expect(reason.contains("Cannot connect to the Docker daemon"), "\(reason)")
    }

    private func task(_ id: String, desired: TaskState, state: TaskState) -> SwarmTask {
        SwarmTask(id: id, name: "web.\(id)", serviceID: "web", nodeID: "node-1",
                  status: TaskStatus(state: state, containerStatus: ContainerStatus(containerID: "c-\(id)")),
                  desiredState: desired)
    }

    private func eventually(_ condition: () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met within 5 s")
    }
}

/// One session whose first assignment set is given; records every status report.
private actor ScriptedDispatcher: DispatcherConnection {
    let nodeID: String
    let first: Assignments
    private var reports: [TaskStatusUpdate] = []

    init(nodeID: String, first: Assignments) {
        self.nodeID = nodeID
        self.first = first
    }

    func reported(_ taskID: String) -> [TaskState] {
        reports.filter { $0.taskID == taskID }.map(\.status.state)
    }

    func register(nodeID: String?, description: NodeDescription) throws -> AgentSession {
        AgentSession(nodeID: self.nodeID, sessionID: "s1", heartbeatPeriod: 5_000_000_000)
    }

    func heartbeat(_ session: AgentSession) throws -> Int64 { 5_000_000_000 }

    func assignments(_ session: AgentSession) throws -> AsyncThrowingStream<Assignments, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Assignments, any Error>.makeStream()
        continuation.yield(first)
        // The stream stays open, as a live session's does.
        return stream
    }

    func report(_ session: AgentSession, _ updates: [TaskStatusUpdate]) {
        reports += updates
    }
}

/// An executor whose "containers" outlive the agent, as Docker's do, and which records
/// what the agent asks of it.
private actor RecordingExecutor: TaskExecutor {
    private(set) var running: Set<String>
    private(set) var started: [String] = []
    private(set) var stopped: [String] = []
    private(set) var leftoversRemoved: [String] = []
    private var exitWaiters: [String: [CheckedContinuation<Int, Never>]] = [:]
    /// While the engine is away, whether a task runs is unknown.
    private var engineAway: Bool
    private(set) var presenceQuestions = 0

    init(running: Set<String>, engineAway: Bool = false) {
        self.running = running
        self.engineAway = engineAway
    }

    func setEngineAway(_ away: Bool) { engineAway = away }

    nonisolated var tasksOutliveAgent: Bool { true }

    func prepare(_ task: SwarmTask, files: TaskFiles) throws(TaskFailure) {}

    func start(_ task: SwarmTask) throws(TaskFailure) -> ContainerStatus {
        started.append(task.id)
        running.insert(task.id)
        return ContainerStatus(containerID: "c-\(task.id)")
    }

    func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        guard running.contains(task.id) else { return 0 }
        return await withCheckedContinuation { exitWaiters[task.id, default: []].append($0) }
    }

    func stop(_ task: SwarmTask) {
        stopped.append(task.id)
        running.remove(task.id)
        for waiter in exitWaiters.removeValue(forKey: task.id) ?? [] { waiter.resume(returning: 143) }
    }

    func remove(_ task: SwarmTask) {}

    func isRunning(_ task: SwarmTask) -> TaskPresence {
        presenceQuestions += 1
        if engineAway { return .unknown("Cannot connect to the Docker daemon (test)") }
        return running.contains(task.id) ? .running : .absent
    }

    func logs(_ task: SwarmTask, options: LogOptions) throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        AsyncThrowingStream { $0.finish() }
    }

    func removeLeftovers(onNode nodeID: String, keeping taskIDs: Set<String>) {
        guard !engineAway else { return }
        for id in running.subtracting(taskIDs).sorted() {
            leftoversRemoved.append(id)
            running.remove(id)
        }
    }
}
