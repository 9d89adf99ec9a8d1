import ColmeiaRaft
import Foundation
import Synchronization
import Testing
@testable import ColmeiaNode

/// A state machine that keeps an ordered list of applied payloads in memory and counts
/// how often each index was applied.
final class RecordingMachine: ReplicatedStateMachine {
    private(set) var appliedIndex: UInt64 = 0
    private(set) var values: [String] = []
    private(set) var applyCount: [UInt64: Int] = [:]

    func apply(_ entries: [CommittedEntry]) throws -> [Int] {
        entries.map { entry in
            appliedIndex = entry.index
            applyCount[entry.index, default: 0] += 1
            guard let payload = entry.payload else { return 0 }
            values.append(String(decoding: payload, as: UTF8.self))
            return values.count
        }
    }

    func snapshotData() throws -> [UInt8] {
        Array(values.joined(separator: "\n").utf8) + [0] + withUnsafeBytes(of: appliedIndex.littleEndian) { Array($0) }
    }

    func restore(_ snapshot: Snapshot) throws {
        let data = snapshot.data
        guard let zero = data.lastIndex(of: 0) else { throw CocoaError(.fileReadCorruptFile) }
        let text = String(decoding: data[..<zero], as: UTF8.self)
        values = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        appliedIndex = snapshot.metadata.index
    }
}

@Suite struct RaftDriverTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-driver-\(UUID().uuidString)"

    func config(snapshotInterval: UInt64 = 10_000) -> RaftDriverConfig {
        RaftDriverConfig(nodeID: 1, raftDirectory: directory, tickInterval: .milliseconds(10),
                         snapshotInterval: snapshotInterval, retainedEntries: 5)
    }

    @Test("a single-voter node elects itself and applies concurrent proposals exactly once")
    func singleVoterAppliesProposals() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let driver = RaftDriver<RecordingMachine>(config: config())
        try driver.start(machine: RecordingMachine(), bootstrapVoters: [1])
        let results = await withTaskGroup(of: Result<Int, RaftDriverError>.self) { group in
            for number in 0..<200 {
                group.addTask { await driver.propose(Array("v\(number)".utf8)) }
            }
            var collected: [Result<Int, RaftDriverError>] = []
            for await result in group { collected.append(result) }
            return collected
        }
        let positions = results.compactMap { try? $0.get() }
        #expect(positions.count == 200)
        #expect(Set(positions) == Set(1...200), "every proposal applied once, each at its own position")
        #expect(driver.status.role == .leader)
        driver.stop()
    }

    @Test("after a restart the WAL replays every acknowledged proposal")
    func restartReplaysTheLog() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = RaftDriver<RecordingMachine>(config: config(snapshotInterval: 40))
        try first.start(machine: RecordingMachine(), bootstrapVoters: [1])
        for number in 0..<100 {
            _ = try await first.propose(Array("k\(number)".utf8)).get()
        }
        first.stop()
        #expect(await first.propose([1]).isStoppedFailure)

        let second = RaftDriver<RecordingMachine>(config: config(snapshotInterval: 40))
        try second.start(machine: RecordingMachine(), bootstrapVoters: [1])
        let position = try await second.propose(Array("after".utf8)).get()
        #expect(position == 101, "the snapshot plus the WAL tail restore all 100 earlier values")
        #expect(second.status.snapshotIndex > 0)
        second.stop()
    }

    @Test("a log of large entries is snapshotted by size before the entry interval, and a restart still replays all of it")
    func largeEntriesAreSnapshottedBySize() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var sized = config(snapshotInterval: 10_000)
        sized.snapshotLogBytes = 64 << 10
        let first = RaftDriver<RecordingMachine>(config: sized)
        try first.start(machine: RecordingMachine(), bootstrapVoters: [1])
        let large = [UInt8](repeating: 0x61, count: 16 << 10)
        for _ in 0..<20 { _ = try await first.propose(large).get() }
        #expect(first.status.snapshotIndex > 0, "20 entries of 16 KiB pass 64 KiB long before 10,000 entries")
        first.stop()
        let second = RaftDriver<RecordingMachine>(config: sized)
        try second.start(machine: RecordingMachine(), bootstrapVoters: [1])
        #expect(try await second.propose(Array("after".utf8)).get() == 21)
        second.stop()
    }
}

extension Result where Failure == RaftDriverError {
    var isStoppedFailure: Bool {
        if case .failure(.stopped) = self { return true }
        return false
    }
}

extension Switchboard where Machine == RecordingMachine {
    /// Three drivers of one cluster wired to this board, started, once they agree on a
    /// leader: the drivers and that leader.
    func startThree(in directory: String, _ configure: (inout RaftDriverConfig) -> Void)
        async throws -> (drivers: [NodeID: RaftDriver<RecordingMachine>], leader: NodeID) {
        var drivers: [NodeID: RaftDriver<RecordingMachine>] = [:]
        for id: NodeID in 1...3 {
            var config = RaftDriverConfig(nodeID: id, raftDirectory: directory + "/\(id)", tickInterval: .milliseconds(10),
                                          snapshotInterval: 10_000, retainedEntries: 5, randomSeed: id)
            configure(&config)
            let driver = RaftDriver<RecordingMachine>(config: config) { self.deliver($0) }
            attach(driver, as: id)
            drivers[id] = driver
        }
        for driver in drivers.values { try driver.start(machine: RecordingMachine(), bootstrapVoters: [1, 2, 3]) }
        var leader: NodeID = 0
        while leader == 0 || drivers.values.contains(where: { $0.status.leader != leader }) {
            try await Task.sleep(for: .milliseconds(10))
            leader = drivers[1]?.status.leader ?? 0
        }
        return (drivers, leader)
    }
}

/// Drivers in one process, wired by a switchboard that can cut a node off.
final class Switchboard<Machine: ReplicatedStateMachine>: Sendable {
    private let drivers = Mutex<[NodeID: RaftDriver<Machine>]>([:])
    private let cut = Mutex<Set<NodeID>>([])
    private let starved = Mutex<Set<NodeID>>([])

    func attach(_ driver: RaftDriver<Machine>, as id: NodeID) { drivers.withLock { $0[id] = driver } }
    func isolate(_ id: NodeID) { cut.withLock { _ = $0.insert(id) } }
    /// `id` still hears heartbeats and answers, but receives no log entries or snapshots
    /// (as a manager removed from the group sees it).
    func starve(_ id: NodeID) { starved.withLock { _ = $0.insert(id) } }
    /// Every node hears and is heard again.
    func heal() {
        cut.withLock { $0 = [] }
        starved.withLock { $0 = [] }
    }

    func deliver(_ messages: [Message]) {
        let isolated = cut.withLock { $0 }
        let hungry = starved.withLock { $0 }
        let byNode = Dictionary(grouping: messages.filter {
            !isolated.contains($0.to) && !isolated.contains($0.from)
                && !(hungry.contains($0.to) && ($0.type == .append || $0.type == .snapshot))
        }, by: \.to)
        for (to, batch) in byNode {
            drivers.withLock { $0[to] }?.receive(batch)
        }
    }
}

@Suite struct RaftDriverBoundsTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-bounds-\(UUID().uuidString)"

    @Test("writes beyond the queue bound are refused at once, with nothing written, instead of queueing without limit")
    func proposalQueueIsBounded() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = RaftDriverConfig(nodeID: 1, raftDirectory: directory, tickInterval: .milliseconds(10),
                                      snapshotInterval: 10_000, retainedEntries: 5, randomSeed: 1)
        config.maxQueuedProposals = 3
        // One of three voters, alone: no leader, so writes wait (for two election timeouts).
        let driver = RaftDriver<RecordingMachine>(config: config)
        try driver.start(machine: RecordingMachine(), bootstrapVoters: [1, 2, 3])
        defer { driver.stop() }
        let waiting = (0..<3).map { number in Task { await driver.propose(Array("w\(number)".utf8)) } }
        try await Task.sleep(for: .milliseconds(20))
        let started = ContinuousClock.now
        let refused = await driver.propose(Array("one too many".utf8))
        #expect(ContinuousClock.now - started < .seconds(1), "refused at once")
        guard case .failure(.unavailable(let why)) = refused else {
            Issue.record("expected a refusal, got \(refused)")
            return
        }
        #expect(why.contains("already waiting"))
        for task in waiting { _ = await task.value }
    }

    @Test("read barriers beyond the same bound are refused at once instead of queueing without limit")
    func readBarrierQueueIsBounded() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A leader cut off from both followers: its reads wait for a quorum that never answers.
        let board = Switchboard<RecordingMachine>()
        let (drivers, leader) = try await board.startThree(in: directory) { $0.maxQueuedProposals = 3 }
        defer { for driver in drivers.values { driver.stop() } }
        let driver = try #require(drivers[leader])
        _ = try await driver.propose(Array("committed in this term".utf8)).get()
        for id in drivers.keys where id != leader { board.isolate(id) }
        let waiting = (0..<3).map { _ in Task { await driver.readBarrier() } }
        try await Task.sleep(for: .milliseconds(20))
        let started = ContinuousClock.now
        let refused = await driver.readBarrier()
        #expect(ContinuousClock.now - started < .seconds(1), "refused at once")
        guard case .failure(.unavailable(let why)) = refused else {
            Issue.record("expected a refusal, got \(refused)")
            return
        }
        #expect(why.contains("reads are already waiting"))
        for task in waiting { _ = await task.value }
    }
}

@Suite struct RaftDriverFailoverTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-failover-\(UUID().uuidString)"

    @Test("a read the leader confirms at an index this node never reaches fails at its deadline instead of waiting forever")
    func confirmedReadThatNeverAppliesExpires() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let board = Switchboard<RecordingMachine>()
        let (drivers, leader) = try await board.startThree(in: directory) { $0.proposalTimeout = .seconds(1) }
        defer { for driver in drivers.values { driver.stop() } }
        let starvedID = try #require(drivers.keys.filter { $0 != leader }.min())
        let starvedNode = try #require(drivers[starvedID])
        let leaderNode = try #require(drivers[leader])
        _ = try await leaderNode.propose(Array("seen by all".utf8)).get()
        board.starve(starvedID)
        _ = try await leaderNode.propose(Array("never reaches the starved node".utf8)).get()

        // Were the read to wait forever, stopping the node ends it (as `.stopped`) and the
        // test fails instead of hanging.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            starvedNode.stop()
        }
        let outcome = await starvedNode.readBarrier()
        watchdog.cancel()
        guard case .failure(.unavailable(let why)) = outcome else {
            Issue.record("expected the read to fail as unavailable, got \(outcome)")
            return
        }
        #expect(why.contains("did not catch up") || why.contains("no quorum"), "\(why)")
    }
}
