import ColmeiaPKI
import ColmeiaRaft
import ColmeiaRaftStorage
import ColmeiaStore
import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing
@testable import ColmeiaNode

/// Snapshots built off the driver thread: the heartbeats never wait for one, and what is
/// adopted is a snapshot a restart (or a follower) can use.
@Suite(.serialized) struct RaftDriverSnapshotTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-snapbuild-\(UUID().uuidString)"

    /// A store whose file holds `megabytes` of incompressible rows besides the read models:
    /// a copy of it takes a while.
    static func store(at path: String, ballastMegabytes megabytes: Int) throws -> ClusterStore {
        let store = try ClusterStore(path: path)
        try addBallast(megabytes, to: path)
        return store
    }

    /// Adds rows outside the read models (a store in use too: one megabyte per transaction,
    /// so that apply is never held up for long).
    static func addBallast(_ megabytes: Int, to path: String) throws {
        guard megabytes > 0 else { return }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS ballast(b BLOB)") }
        for _ in 0..<megabytes {
            try queue.write { db in try db.execute(sql: "INSERT INTO ballast VALUES (randomblob(1048576))") }
        }
        try queue.close()
    }

    func config(_ id: NodeID, snapshotInterval: UInt64, electionTicks: Int = 10) -> RaftDriverConfig {
        RaftDriverConfig(nodeID: id, raftDirectory: directory + "/\(id)/raft", tickInterval: .milliseconds(10),
                         electionTicks: electionTicks, snapshotInterval: snapshotInterval, retainedEntries: 5,
                         randomSeed: id)
    }

    @Test("a snapshot built off the driver thread is adopted, and a node that lost its read models restarts from it",
          arguments: [false, true])
    func backgroundSnapshotIsAdoptedAndRestartsTheNode(encrypted: Bool) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/1/state.db"
        var config = config(1, snapshotInterval: 20)
        config.cipher = encrypted ? LogCipher(key: DataEncryptionKey()) : nil
        let first = RaftDriver<ClusterStateMachine>(config: config)
        try first.start(machine: ClusterStateMachine(store: try Self.store(at: path, ballastMegabytes: 4)), bootstrapVoters: [1])
        for number in 0..<60 { _ = try await first.propose(Array("w\(number)".utf8)).get() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while first.status.snapshotIndex == 0 || first.status.snapshotBuilding, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let status = first.status
        #expect(status.snapshotIndex >= 20, "a snapshot was built (when 20 entries were applied, or later) and adopted")
        #expect(status.snapshotFailure == nil)
        first.stop()
        let snapDirectory = directory + "/1/raft/snap"
        let left = try FileManager.default.contentsOfDirectory(atPath: snapDirectory)
        #expect(!left.contains { $0.hasSuffix(".tmp") }, "nothing staged is left behind: \(left)")
        #expect(left.contains { $0.hasSuffix(".snap") })
        if encrypted {
            for name in left where name.hasSuffix(".snap") {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: snapDirectory + "/" + name)))
                #expect(bytes.count > 4 << 20)
                #expect(!containsBytes(bytes, Array("SQLite format 3".utf8)), "\(name) is sealed")
            }
        }
        let besideStore = try FileManager.default.contentsOfDirectory(atPath: directory + "/1")
        #expect(!besideStore.contains { $0.contains(".snapshot-") }, "no plaintext image is left: \(besideStore)")

        // The read models are lost: the snapshot and the log after it rebuild them.
        ClusterStoreFiles.remove(path)
        let store = try ClusterStore(path: path)
        #expect(store.applied.index == 0)
        let second = RaftDriver<ClusterStateMachine>(config: config)
        try second.start(machine: ClusterStateMachine(store: store), bootstrapVoters: [1])
        defer { second.stop() }
        _ = try await second.propose(Array("after".utf8)).get()
        #expect(store.applied.index > status.appliedIndex)
        var readOnly = Configuration()
        readOnly.readonly = true
        let ballast = try DatabaseQueue(path: path, configuration: readOnly)
        let rows = try await ballast.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ballast") }
        #expect(rows == 4, "the store came back from the snapshot, ballast and all")
        try ballast.close()
    }

    @Test("a follower too far behind is sent the leader's snapshot, read from its file off the driver thread, and restores from it")
    func laggingFollowerGetsTheSnapshotFromItsFile() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let board = Switchboard<ClusterStateMachine>()
        var drivers: [NodeID: RaftDriver<ClusterStateMachine>] = [:]
        var stores: [NodeID: ClusterStore] = [:]
        for id: NodeID in 1...3 {
            let driver = RaftDriver<ClusterStateMachine>(config: config(id, snapshotInterval: 20)) { board.deliver($0) }
            board.attach(driver, as: id)
            drivers[id] = driver
            stores[id] = try ClusterStore(path: directory + "/\(id)/state.db")
        }
        for (id, driver) in drivers {
            try driver.start(machine: ClusterStateMachine(store: try #require(stores[id])), bootstrapVoters: [1, 2, 3])
        }
        defer { for driver in drivers.values { driver.stop() } }
        var leader: NodeID = 0
        while leader == 0 || drivers.values.contains(where: { $0.status.leader != leader }) {
            try await Task.sleep(for: .milliseconds(10))
            leader = drivers[1]?.status.leader ?? 0
        }
        let leaderNode = try #require(drivers[leader])
        let laggard = try #require(drivers.keys.filter { $0 != leader }.min())
        // Only the leader's store has these rows: a follower gets them only from its snapshot.
        try Self.addBallast(3, to: directory + "/\(leader)/state.db")
        board.isolate(laggard)
        var number = 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        // Far enough that the entries the laggard needs are compacted away.
        while leaderNode.status.snapshotIndex < 60, ContinuousClock.now < deadline {
            number += 1
            _ = try await leaderNode.propose(Array("while away \(number)".utf8)).get()
        }
        #expect(leaderNode.status.snapshotIndex >= 60)
        board.heal()
        let target = leaderNode.status.commitIndex
        let laggardNode = try #require(drivers[laggard])
        while laggardNode.status.appliedIndex < target, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(laggardNode.status.appliedIndex >= target)
        #expect(laggardNode.status.receivedSnapshotIndex > 0, "it caught up from a snapshot")
        var readOnly = Configuration()
        readOnly.readonly = true
        let copy = try DatabaseQueue(path: directory + "/\(laggard)/state.db", configuration: readOnly)
        let rows = try await copy.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ballast") }
        try copy.close()
        #expect(rows == 3, "the laggard's store came from the leader's snapshot file")
    }

    @Test("a build cancelled while it copies (a stop, a storage recovery) is waited for and leaves nothing behind")
    func cancelledBuildLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (storage, _) = try RaftDiskStorage.open(directory: directory + "/raft")
        defer { storage.close() }
        let writer = GatedWriter()
        let image = directory + "/state.db.snapshot-test"
        let build = SnapshotBuild.start(writer: writer, imagePath: image, stager: storage.stager,
                                        confState: ConfState(voters: [1]), retaining: 0, name: "test-build") {}
        writer.started.wait()
        #expect(build.outcome == nil, "still copying")
        // The copy finishes while the driver waits on it.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) { writer.release.signal() }
        build.cancelAndWait()
        guard case .cancelled? = build.outcome else {
            Issue.record("expected a cancelled build, got \(String(describing: build.outcome))")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: image))
        let staged = try FileManager.default.contentsOfDirectory(atPath: directory + "/raft/snap")
        #expect(staged.isEmpty, "\(staged)")

        // One that finished but was never adopted: its staged file goes too.
        let done = GatedWriter()
        done.release.signal()
        let finished = SnapshotBuild.start(writer: done, imagePath: image, stager: storage.stager,
                                           confState: ConfState(voters: [1]), retaining: 0, name: "test-build") {}
        while finished.outcome == nil { Thread.sleep(forTimeInterval: 0.01) }
        guard case .built(let built)? = finished.outcome else {
            Issue.record("expected a built snapshot, got \(String(describing: finished.outcome))")
            return
        }
        #expect(FileManager.default.fileExists(atPath: built.stagedPath))
        #expect(built.metadata == SnapshotMetadata(index: 5, term: 2, confState: ConfState(voters: [1])))
        finished.cancelAndWait()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/raft/snap").isEmpty)
    }

    /// Heartbeats every tick, an election timeout of `electionTicks`; once elected, the
    /// leader's store is given `ballast` MB more (the followers' stay small, so that they
    /// never stall with it), and a snapshot is due every 30 entries: they are built one
    /// after the other for as long as writes go on. Returns what the test observed.
    func runCluster<Machine: ReplicatedStateMachine>(
        ballast: Int, electionTicks: Int, machine: @escaping (ClusterStore) -> Machine,
        snapshots wanted: Int, within limit: Duration
    ) async throws -> ClusterObservation {
        let board = Switchboard<Machine>()
        let clock = HeartbeatClock()
        var drivers: [NodeID: RaftDriver<Machine>] = [:]
        var stores: [NodeID: ClusterStore] = [:]
        for id: NodeID in 1...3 {
            let driver = RaftDriver<Machine>(config: config(id, snapshotInterval: 30, electionTicks: electionTicks)) {
                clock.record($0)
                board.deliver($0)
            }
            board.attach(driver, as: id)
            drivers[id] = driver
            stores[id] = try ClusterStore(path: directory + "/\(id)/state.db")
        }
        for (id, driver) in drivers {
            try driver.start(machine: machine(try #require(stores[id])), bootstrapVoters: [1, 2, 3])
        }
        defer { for driver in drivers.values { driver.stop() } }
        var leader: NodeID = 0
        while leader == 0 || drivers.values.contains(where: { $0.status.leader != leader }) {
            try await Task.sleep(for: .milliseconds(10))
            leader = drivers[1]?.status.leader ?? 0
        }
        let leaderNode = try #require(drivers[leader])
        try Self.addBallast(ballast, to: directory + "/\(leader)/state.db")
        let term = leaderNode.status.term
        var observation = ClusterObservation(leader: leader, term: term)
        clock.reset()
        let deadline = ContinuousClock.now.advanced(by: limit)
        var number = 0
        while ContinuousClock.now < deadline {
            number += 1
            _ = await leaderNode.propose(Array("write \(number)".utf8))
            for (id, driver) in drivers {
                let status = driver.status
                if status.leader != 0 { observation.leaders.insert(status.leader) }
                observation.terms.insert(status.term)
                observation.snapshotIndexes[id, default: []].insert(status.snapshotIndex)
                if status.snapshotBuilding { observation.sawBuilding = true }
            }
            if observation.snapshotIndexes.values.allSatisfy({ $0.count > wanted }) { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        observation.writes = number
        observation.longestHeartbeatGap = clock.longestGap(from: leader)
        observation.longestResponseGap = clock.longestResponseGap(to: leader)
        observation.peakResidentMegabytes = Self.peakResidentMegabytes()
        return observation
    }

    /// The process's peak resident memory so far (Linux `VmHWM`), for the figures; 0 elsewhere.
    static func peakResidentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kilobytes / 1024
    }

    @Test("heartbeats never wait on a snapshot build: while the leader's 120 MB store is snapshotted over and over, three managers keep one leader and one term")
    func heartbeatsDoNotWaitForSnapshots() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let observation = try await runCluster(ballast: 120, electionTicks: 30, machine: { ClusterStateMachine(store: $0) },
                                               snapshots: 3, within: .seconds(120))
        print("[snapshot-heartbeats] \(observation)")
        #expect(observation.sawBuilding)
        for (id, indexes) in observation.snapshotIndexes {
            #expect(indexes.count > 3, "node \(id) took at least three snapshots: \(indexes.sorted())")
        }
        #expect(observation.leaders == [observation.leader], "no other node ever led")
        #expect(observation.terms == [observation.term], "no election: the term never moved")
    }

    /// The same cluster with the snapshots taken on the driver thread, as before: figures
    /// to compare with (`COLMEIA_SNAPSHOT_BASELINE=1`); nothing is asserted.
    @Test("baseline: snapshots on the driver thread", .enabled(if: ProcessInfo.processInfo.environment["COLMEIA_SNAPSHOT_BASELINE"] != nil))
    func baselineOnTheDriverThread() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let observation = try await runCluster(ballast: 120, electionTicks: 30, machine: { OnThreadMachine(store: $0) },
                                               snapshots: 3, within: .seconds(120))
        print("[snapshot-heartbeats baseline] \(observation)")
    }

    @Test("a failed snapshot build is reported and retried at the next due point, and nothing it staged is left",
          .timeLimit(.minutes(1)))
    func failedBuildIsRetried() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/1/state.db"
        let failures = Countdown(2)
        let machine = FlakyWriterMachine(store: try Self.store(at: path, ballastMegabytes: 0), failures: failures)
        var config = config(1, snapshotInterval: 10)
        config.storageRetryInterval = .milliseconds(50)
        let driver = RaftDriver<FlakyWriterMachine>(config: config)
        try driver.start(machine: machine, bootstrapVoters: [1])
        defer { driver.stop() }
        var sawFailure = false
        var number = 0
        while driver.status.snapshotIndex == 0 {
            number += 1
            _ = try await driver.propose(Array("w\(number)".utf8)).get()
            if let why = driver.status.snapshotFailure {
                sawFailure = true
                #expect(why.contains("disk is full"))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(sawFailure, "the failure was visible in the status")
        #expect(failures.left.withLock { $0 } == 0)
        #expect(driver.status.snapshotFailure == nil, "cleared by the build that worked")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory + "/1/raft/snap")
        #expect(!left.contains { $0.hasSuffix(".tmp") }, "\(left)")
        let images = failures.paths.withLock { $0 }
        #expect(images.count >= 3)
        #expect(images.allSatisfy { $0.hasPrefix(path + ".snapshot-") },
                "plaintext images go beside state.db (in memory when it is), never beside the encrypted log: \(images)")
    }
}

/// What ``RaftDriverSnapshotTests/runCluster`` saw.
struct ClusterObservation: CustomStringConvertible {
    var leader: NodeID
    var term: UInt64
    var leaders: Set<NodeID> = []
    var terms: Set<UInt64> = []
    var snapshotIndexes: [NodeID: Set<UInt64>] = [:]
    var sawBuilding = false
    var writes = 0
    var longestHeartbeatGap: Duration = .zero
    var longestResponseGap: Duration = .zero
    var peakResidentMegabytes = 0

    var description: String {
        "leader \(leader) term \(term), leaders seen \(leaders.sorted()), terms seen \(terms.sorted()), "
            + "snapshots per node \(snapshotIndexes.mapValues { $0.count - 1 }), writes \(writes), "
            + "longest gap between the leader's messages to a follower \(longestHeartbeatGap), "
            + "longest gap between a follower's messages to the leader \(longestResponseGap), "
            + "peak resident memory of the test process \(peakResidentMegabytes) MB"
    }
}

/// When each node last sent each other node a message: a driver thread that stalls shows
/// as a gap.
final class HeartbeatClock: Sendable {
    private struct Gaps {
        var last: [Link: ContinuousClock.Instant] = [:]
        var longest: [Link: Duration] = [:]
    }

    private struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    private let state = Mutex(Gaps())

    func record(_ messages: [Message]) {
        let now = ContinuousClock.now
        state.withLock { gaps in
            for message in messages {
                let link = Link(from: message.from, to: message.to)
                if let last = gaps.last[link] { gaps.longest[link] = max(gaps.longest[link] ?? .zero, now - last) }
                gaps.last[link] = now
            }
        }
    }

    func reset() { state.withLock { $0 = Gaps() } }

    func longestGap(from node: NodeID) -> Duration {
        state.withLock { $0.longest.filter { $0.key.from == node }.values.max() ?? .zero }
    }

    func longestResponseGap(to node: NodeID) -> Duration {
        state.withLock { $0.longest.filter { $0.key.to == node }.values.max() ?? .zero }
    }
}

/// The cluster machine, whose snapshot writer fails (as on a full disk) a given number of times.
final class FlakyWriterMachine: ReplicatedStateMachine {
    let machine: ClusterStateMachine
    let failures: Countdown

    init(store: ClusterStore, failures: Countdown) {
        machine = ClusterStateMachine(store: store)
        self.failures = failures
    }

    var appliedIndex: UInt64 { machine.appliedIndex }
    func apply(_ entries: [CommittedEntry]) throws -> [ApplyOutcome] { try machine.apply(entries) }
    func snapshotData() throws -> [UInt8] { try machine.snapshotData() }
    func restore(_ snapshot: Snapshot) throws { try machine.restore(snapshot) }
    func snapshotScratchPath(named name: String) -> String { machine.snapshotScratchPath(named: name) }
    var snapshotWriter: (any StateMachineSnapshotWriter)? {
        FlakyWriter(store: machine.store, failures: failures)
    }
}

/// The cluster machine without a snapshot writer: snapshots taken on the driver thread.
final class OnThreadMachine: ReplicatedStateMachine {
    let machine: ClusterStateMachine

    init(store: ClusterStore) { machine = ClusterStateMachine(store: store) }

    var appliedIndex: UInt64 { machine.appliedIndex }
    func apply(_ entries: [CommittedEntry]) throws -> [ApplyOutcome] { try machine.apply(entries) }
    func snapshotData() throws -> [UInt8] { try machine.snapshotData() }
    func restore(_ snapshot: Snapshot) throws { try machine.restore(snapshot) }
}

/// A writer that writes a small image, then waits to be released.
final class GatedWriter: StateMachineSnapshotWriter {
    let started = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)

    func writeSnapshot(toFile path: String) throws -> (index: UInt64, term: UInt64) {
        try Data(repeating: 7, count: 3 << 20).write(to: URL(fileURLWithPath: path))
        started.signal()
        release.wait()
        return (5, 2)
    }
}

/// How many more times something fails.
final class Countdown: Sendable {
    let left: Mutex<Int>
    /// Where each plaintext image was asked for.
    let paths = Mutex<[String]>([])

    init(_ count: Int) { left = Mutex(count) }

    /// Whether this time fails (and one fewer will).
    func fails() -> Bool {
        left.withLock { left in
            defer { left = max(0, left - 1) }
            return left > 0
        }
    }
}

struct DiskFull: Error, CustomStringConvertible {
    var description: String { "no space left: the disk is full" }
}

struct FlakyWriter: StateMachineSnapshotWriter {
    let store: ClusterStore
    let failures: Countdown

    func writeSnapshot(toFile path: String) throws -> (index: UInt64, term: UInt64) {
        failures.paths.withLock { $0.append(path) }
        if failures.fails() { throw DiskFull() }
        let position = try store.writeSnapshot(toFile: path)
        return (position.index, position.term)
    }
}

func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, haystack.count >= needle.count else { return false }
    var start = 0
    while let found = haystack[start...].firstIndex(of: first) {
        if found + needle.count > haystack.count { return false }
        if Array(haystack[found..<found + needle.count]) == needle { return true }
        start = found + 1
    }
    return false
}

/// Removes a store's files (the database, its WAL and shared memory).
enum ClusterStoreFiles {
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
