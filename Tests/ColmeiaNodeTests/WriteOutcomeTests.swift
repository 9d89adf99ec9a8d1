import ColmeiaModel
import ColmeiaRaft
import ColmeiaStore
import Foundation
import Synchronization
import Testing
@testable import ColmeiaNode

/// Three managers' drivers with the real state machine (SQLite read models), wired by a
/// switchboard: what a writer is told across leader changes, and how often its write lands.
@Suite(.serialized) struct WriteOutcomeTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-outcome-\(UUID().uuidString)"

    final class Cluster: Sendable {
        let board = Switchboard<ClusterStateMachine>()
        let drivers: [NodeID: RaftDriver<ClusterStateMachine>]
        let stores: [NodeID: ClusterStore]

        init(directory: String, proposalTimeout: Duration) throws {
            var drivers: [NodeID: RaftDriver<ClusterStateMachine>] = [:]
            var stores: [NodeID: ClusterStore] = [:]
            let board = self.board
            for id: NodeID in 1...3 {
                var config = RaftDriverConfig(nodeID: id, raftDirectory: directory + "/\(id)/raft", tickInterval: .milliseconds(10),
                                              snapshotInterval: 10_000, retainedEntries: 100, randomSeed: id)
                config.proposalTimeout = proposalTimeout
                drivers[id] = RaftDriver<ClusterStateMachine>(config: config) { board.deliver($0) }
                stores[id] = try ClusterStore(path: directory + "/\(id)/state.db", archiveDirectory: directory + "/\(id)/audit-archive")
            }
            self.drivers = drivers
            self.stores = stores
            for (id, driver) in drivers {
                board.attach(driver, as: id)
                guard let store = stores[id] else { continue }
                try driver.start(machine: ClusterStateMachine(store: store), bootstrapVoters: [1, 2, 3])
            }
        }

        func stop() { for driver in drivers.values { driver.stop() } }

        func driver(_ id: NodeID) throws -> RaftDriver<ClusterStateMachine> { try #require(drivers[id]) }

        /// The leader all three agree on.
        func agreedLeader() async throws -> NodeID {
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while ContinuousClock.now < deadline {
                let seen = Set(drivers.values.map(\.status.leader))
                if seen.count == 1, let leader = seen.first, leader != 0 { return leader }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CancellationError()
        }

        /// Waits until every store has applied the same index and it stays put.
        func converged() async throws {
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            var stableSince = ContinuousClock.now
            var last: [UInt64] = []
            while ContinuousClock.now < deadline {
                let indexes = stores.keys.sorted().compactMap { stores[$0]?.applied.index }
                if indexes != last { last = indexes; stableSince = .now }
                if Set(indexes).count == 1, ContinuousClock.now - stableSince > .milliseconds(300) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("the stores did not converge: \(last)")
        }

        /// How many audit rows each store holds for command `id` (one per applied event).
        func landings(of id: String) throws -> [Int] {
            try stores.keys.sorted().compactMap { node in
                try stores[node]?.audit(AuditQuery(limit: 100_000)).records.filter { $0.commandID == id && $0.outcome == "applied" }.count
            }
        }
    }

    static let service = Service(id: "svc-web", spec: ServiceSpec(name: "web", taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine"))))

    /// A write that lands once per apply (no precondition makes a second copy fail): the
    /// service's labels change, and each landing is an audit row.
    static func relabel(_ name: String) throws -> [UInt8] {
        var service = service
        service.spec.labels = ["write": name]
        return try ClusterCommand(envelope: CommandEnvelope(id: "cmd-\(name)", time: .now(), actor: .init(kind: .user, id: "test")),
                                  events: [.serviceUpdated(service)]).encoded()
    }

    static func create() throws -> [UInt8] {
        try ClusterCommand(envelope: CommandEnvelope(id: "cmd-create", time: .now(), actor: .init(kind: .user, id: "test")),
                           preconditions: [.nameAbsent(kind: .service, name: "web")], events: [.serviceCreated(service)]).encoded()
    }

    @Test("a write forwarded to a leader that dies is sent again to the next leader and acknowledged, long before the proposal timeout")
    func forwardedWriteFollowsTheNextLeader() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A timeout could never pass: only sending the write again can answer it.
        let cluster = try Cluster(directory: directory, proposalTimeout: .seconds(600))
        defer { cluster.stop() }
        let leader = try await cluster.agreedLeader()
        let follower = try #require(cluster.drivers.keys.filter { $0 != leader }.min())
        let other = try #require(cluster.drivers.keys.filter { $0 != leader && $0 != follower }.first)
        _ = try await cluster.driver(follower).propose(Self.create()).get()

        cluster.board.isolate(leader)
        let started = ContinuousClock.now
        let survivor = try cluster.driver(follower)
        let payload = try Self.relabel("lost-with-leader")
        async let forwarded = survivor.propose(payload)
        try await Task.sleep(for: .milliseconds(50))
        // What the transport does when the leader's port stops answering.
        try cluster.driver(follower).forgetLeader(leader)
        try cluster.driver(other).forgetLeader(leader)
        let outcome = await forwarded
        let waited = ContinuousClock.now - started
        guard case .success(.applied) = outcome else {
            Issue.record("expected the forwarded write to be applied under the next leader, got \(outcome)")
            return
        }
        #expect(waited < .seconds(30), "answered by the new leader, not by a timeout (\(waited))")
        #expect(try cluster.driver(follower).status.leader != leader)
        cluster.board.heal()
        try await cluster.converged()
        #expect(try cluster.landings(of: "cmd-lost-with-leader") == [1, 1, 1])
    }

    @Test("a forwarded write the old leader committed, which its proposer never saw, is sent again and still applied exactly once")
    func resentWriteThatHadCommittedAppliesOnce() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try Cluster(directory: directory, proposalTimeout: .seconds(600))
        defer { cluster.stop() }
        let leader = try await cluster.agreedLeader()
        let proposer = try #require(cluster.drivers.keys.filter { $0 != leader }.min())
        let witness = try #require(cluster.drivers.keys.filter { $0 != leader && $0 != proposer }.first)
        _ = try await cluster.driver(leader).propose(Self.create()).get()
        try await cluster.converged()

        // The proposer's write reaches the leader, which commits it with the witness; the
        // proposer hears heartbeats but never the entries, so it cannot know.
        cluster.board.starve(proposer)
        let proposing = try cluster.driver(proposer)
        let payload = try Self.relabel("committed-unseen")
        async let forwarded = proposing.propose(payload)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while try cluster.landings(of: "cmd-committed-unseen")[Int(witness) - 1] == 0 {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Then the leader is lost: the proposer sends its write again to the next leader.
        cluster.board.heal()
        cluster.board.isolate(leader)
        try cluster.driver(proposer).forgetLeader(leader)
        try cluster.driver(witness).forgetLeader(leader)
        let outcome = await forwarded
        guard case .success(.applied) = outcome else {
            Issue.record("expected success, got \(outcome)")
            return
        }
        cluster.board.heal()
        try await cluster.converged()
        #expect(proposing.status.resentProposals >= 1, "the write was sent again to the next leader")
        #expect(try cluster.landings(of: "cmd-committed-unseen") == [1, 1, 1], "the second copy is skipped on every manager")
        for store in cluster.stores.values {
            #expect(try store.get(Service.self, "web").spec.labels["write"] == "committed-unseen")
        }
    }

    @Test("the leader steps down with writes queued and in flight: each writer is told success or an unknown outcome, never a false failure, and each write lands at most once", arguments: 0..<3)
    func stepDownNeverReportsAFalseFailure(round: Int) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cluster = try Cluster(directory: directory, proposalTimeout: .seconds(5))
        defer { cluster.stop() }
        let leader = try await cluster.agreedLeader()
        let follower = try #require(cluster.drivers.keys.filter { $0 != leader }.min())
        let other = try #require(cluster.drivers.keys.filter { $0 != leader && $0 != follower }.first)
        _ = try await cluster.driver(leader).propose(Self.create()).get()

        let names = (0..<40).map { "r\(round)-w\($0)" }
        let outcomes = Outcomes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, name) in names.enumerated() {
                // Half through the leader (queued in its log), half forwarded to it.
                let driver = try cluster.driver(number % 2 == 0 ? leader : follower)
                let payload = try Self.relabel(name)
                group.addTask {
                    try await Task.sleep(for: .milliseconds(number))
                    let outcome = await driver.propose(payload)
                    outcomes.record(name, outcome)
                }
            }
            // The leader is cut off mid-stream; the others elect a new one; then it hears
            // of the higher term and steps down.
            try await Task.sleep(for: .milliseconds(10 + 5 * round))
            cluster.board.isolate(leader)
            try cluster.driver(follower).forgetLeader(leader)
            try cluster.driver(other).forgetLeader(leader)
            try await Task.sleep(for: .milliseconds(400))
            cluster.board.heal()
            try await group.waitForAll()
        }
        try await cluster.converged()
        var succeeded = 0
        var unknown = 0
        for name in names {
            let landings = try cluster.landings(of: "cmd-\(name)")
            switch outcomes[name] {
            case .success(.applied)?:
                succeeded += 1
                #expect(landings == [1, 1, 1], "\(name) was acknowledged, so it is on every manager once: \(landings)")
            case .failure(.outcomeUnknown)?:
                unknown += 1
                #expect(landings == [0, 0, 0] || landings == [1, 1, 1], "\(name): at most once, the same everywhere: \(landings)")
            case .failure(.unavailable)?:
                // Refused before it was proposed (no leader in time): a true failure.
                #expect(landings == [0, 0, 0], "\(name) was refused, so it is nowhere: \(landings)")
            case let other:
                Issue.record("\(name): a writer was told \(String(describing: other)), which is neither success nor an unknown outcome")
            }
        }
        #expect(succeeded + unknown == names.count)
        #expect(succeeded > 0)
    }
}

/// What each writer was told.
final class Outcomes: Sendable {
    private let seen = Mutex<[String: Result<ApplyOutcome, RaftDriverError>]>([:])

    func record(_ name: String, _ outcome: Result<ApplyOutcome, RaftDriverError>) { seen.withLock { $0[name] = outcome } }
    subscript(name: String) -> Result<ApplyOutcome, RaftDriverError>? { seen.withLock { $0[name] } }
}
