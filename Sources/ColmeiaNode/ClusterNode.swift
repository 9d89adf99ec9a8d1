import ColmeiaModel
import ColmeiaRaft
import ColmeiaStore
import Foundation

/// One manager node: its Raft driver, its WAL (`raft/`) and its read models (`state.db`)
/// under one data directory.
///
/// `state.db` is a cache of the log: when it is missing or older than the log, start-up
/// rebuilds it from the newest snapshot plus the WAL.
///
/// ```swift
/// let node = try ClusterNode(dataDirectory: "/var/lib/colmeia", nodeID: 1)
/// try node.start(bootstrap: true)
/// let outcome = try await node.propose(command)
/// let services = try node.store.list(Service.self)
/// ```
public final class ClusterNode: Sendable {
    public let dataDirectory: String
    public let nodeID: NodeID
    public let store: ClusterStore
    let driver: RaftDriver<ClusterStateMachine>

    public init(dataDirectory: String, nodeID: NodeID, tickInterval: Duration = .milliseconds(100),
                snapshotInterval: UInt64 = 10_000) throws {
        self.dataDirectory = dataDirectory
        self.nodeID = nodeID
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        store = try ClusterStore(path: dataDirectory + "/state.db")
        driver = RaftDriver(config: RaftDriverConfig(
            nodeID: nodeID, raftDirectory: dataDirectory + "/raft", tickInterval: tickInterval,
            snapshotInterval: snapshotInterval, randomSeed: nodeID))
    }

    /// Recovers the log, catches the read models up with it, and starts serving. With
    /// `bootstrap`, a node without state founds a single-voter cluster.
    public func start(bootstrap: Bool) throws {
        try driver.start(machine: ClusterStateMachine(store: store), bootstrapVoters: bootstrap ? [nodeID] : [])
    }

    /// Validates `command`, replicates it, and returns how apply judged it. A command that
    /// fails validation is never proposed.
    public func propose(_ command: ClusterCommand) async throws(ProposalError) -> ApplyOutcome {
        do {
            try command.validate()
        } catch {
            throw .invalid(error)
        }
        switch await driver.propose(command.encoded()) {
        case .success(let outcome): return outcome
        case .failure(let error): throw .replication(error)
        }
    }

    public var status: RaftDriverStatus { driver.status }

    /// Finishes the writes in flight, then stops.
    public func stop() {
        driver.stop()
    }
}
