import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import Logging
import Synchronization
import Testing
@testable import ColmeiaManager

/// A proposer in front of a real Raft node that fails task status batches on demand, and
/// can hold the first one until the test lets it go.
final class FlakyStatusProposer: CommandProposer {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "no quorum (test)" }
    }

    private struct State {
        var failures = 0
        var held: CheckedContinuation<Void, Never>?
        var holdNext = false
        var attempts = 0
        /// The states each successful status batch wrote, in order.
        var written: [TaskState] = []
    }

    let node: ClusterNode
    private let state = Mutex(State())

    init(node: ClusterNode) { self.node = node }

    func failNext(_ count: Int, holdingTheFirst hold: Bool = false) {
        state.withLock {
            $0.failures = count
            $0.holdNext = hold
        }
    }

    func release() {
        let held = state.withLock { state in
            defer { state.held = nil }
            return state.held
        }
        held?.resume()
    }

    var attempts: Int { state.withLock { $0.attempts } }
    var written: [TaskState] { state.withLock { $0.written } }
    var isHolding: Bool { state.withLock { $0.held != nil } }

    func propose(_ command: ClusterCommand) async throws -> ApplyOutcome {
        let statuses: [TaskState] = command.events.compactMap {
            if case .taskStatusChanged(_, let status) = $0 { status.state } else { nil }
        }
        guard !statuses.isEmpty else { return try await node.propose(command) }
        let (fail, hold) = state.withLock { state -> (Bool, Bool) in
            state.attempts += 1
            let hold = state.holdNext
            state.holdNext = false
            guard state.failures > 0 else { return (false, hold) }
            state.failures -= 1
            return (true, hold)
        }
        if hold {
            await withCheckedContinuation { continuation in state.withLock { $0.held = continuation } }
        }
        if fail { throw Refused() }
        let outcome = try await node.propose(command)
        state.withLock { $0.written += statuses }
        return outcome
    }
}

/// The dispatcher does not lose a task status when proposing its batch fails.
@Suite(.serialized) struct DispatcherRetryTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-dispatcher-\(UUID().uuidString)"
    let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    struct Setup {
        var node: ClusterNode
        var proposer: FlakyStatusProposer
        var dispatcher: Dispatcher
        var session: AgentSession
    }

    /// A node n1 running task t1, and a dispatcher with a session of n1.
    func start() async throws -> Setup {
        let node = try ClusterNode(dataDirectory: directory, nodeID: 1, tickInterval: .milliseconds(10))
        try node.start(bootstrap: true)
        let service = Fixture.service()
        let worker = Fixture.node("n1")
        _ = try await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .user, id: "test")),
            events: [.nodeCreated(worker), .serviceCreated(service),
                     .taskCreated(Fixture.task("t1", of: service, state: .assigned, at: .now()))]))
        let proposer = FlakyStatusProposer(node: node)
        let dispatcher = Dispatcher(proposer: proposer, store: node.store, logger: logger, heartbeatPeriod: .seconds(60))
        let session = try await dispatcher.register(nodeID: "n1", description: worker.description, addr: "127.0.0.1")
        await dispatcher.update(try ClusterView.load(from: node.store), touched: [])
        return Setup(node: node, proposer: proposer, dispatcher: dispatcher, session: session)
    }

    func until(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func status(_ state: TaskState, at time: Timestamp = .now()) -> [TaskStatusUpdate] {
        [TaskStatusUpdate(taskID: "t1", status: TaskStatus(timestamp: time, state: state, message: "\(state)"))]
    }

    @Test("a status batch that fails is proposed again, with back-off, until it lands")
    func failedBatchRetried() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = try await start()
        defer { setup.node.stop() }
        setup.proposer.failNext(2)
        try await setup.dispatcher.report(setup.session, status(.running))
        try await until("the status lands after two failed batches") {
            try setup.node.store.get(SwarmTask.self, "t1").status.state == .running
        }
        #expect(setup.proposer.attempts == 3)
        await setup.dispatcher.shutdown()
    }

    @Test("a newer status reported while a batch is in flight is merged: the retry never writes the older one over it")
    func newerStatusWins() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = try await start()
        defer { setup.node.stop() }
        setup.proposer.failNext(1, holdingTheFirst: true)
        try await setup.dispatcher.report(setup.session, status(.running))
        try await until("the first batch is in flight") { setup.proposer.isHolding }
        try await setup.dispatcher.report(setup.session, status(.failed))
        setup.proposer.release()
        try await until("the newer status lands") {
            try setup.node.store.get(SwarmTask.self, "t1").status.state == .failed
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try setup.node.store.get(SwarmTask.self, "t1").status.state == .failed)
        #expect(!setup.proposer.written.contains(.running), "written: \(setup.proposer.written)")
        await setup.dispatcher.shutdown()
    }

    @Test("retries are bounded: a status that keeps failing is given up")
    func retriesBounded() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = try await start()
        defer { setup.node.stop() }
        setup.proposer.failNext(Int.max)
        try await setup.dispatcher.report(setup.session, status(.running))
        try await until("the status is given up") { setup.proposer.attempts >= Dispatcher.maxStatusAttempts }
        try await Task.sleep(for: .seconds(6))
        #expect(setup.proposer.attempts == Dispatcher.maxStatusAttempts)
        #expect(try setup.node.store.get(SwarmTask.self, "t1").status.state == .assigned)
        await setup.dispatcher.shutdown()
    }

    @Test("of two statuses of a task the later state wins, then the later timestamp; back-off doubles up to 5 s")
    func mergeAndBackOff() {
        let running = TaskStatus(timestamp: Timestamp(seconds: 20), state: .running)
        let failed = TaskStatus(timestamp: Timestamp(seconds: 10), state: .failed)
        #expect(Dispatcher.newer(running, failed) == failed)
        #expect(Dispatcher.newer(failed, running) == failed)
        let later = TaskStatus(timestamp: Timestamp(seconds: 30), state: .running)
        #expect(Dispatcher.newer(later, running) == later)
        #expect(Dispatcher.newer(running, later) == later)
        #expect(Dispatcher.retryDelay(after: 1, base: .milliseconds(100)) == .milliseconds(200))
        #expect(Dispatcher.retryDelay(after: 3, base: .milliseconds(100)) == .milliseconds(800))
        #expect(Dispatcher.retryDelay(after: 40, base: .milliseconds(100)) == .seconds(5))
    }
}
