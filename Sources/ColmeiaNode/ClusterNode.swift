import ColmeiaModel
import ColmeiaPKI
import ColmeiaRaft
import ColmeiaStore
import Foundation

/// One manager node: its Raft driver, its WAL (`raft/`) and its read models (`state.db`)
/// under one data directory.
///
/// `state.db` is a cache of the log: start-up replays the entries the log has beyond it,
/// and rebuilds it from the newest snapshot plus the WAL when it is missing or older than
/// the snapshot. A node whose log is encrypted seals the secret fields of `state.db` under
/// the same data key (`FieldSealer`), and makes and restores snapshots (whose secret
/// fields are open) in `scratchDirectory`, memory where the manager has it.
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
    /// Carries Raft messages to the other managers; nil for a node that never has peers.
    public let transport: ClusterTransport?

    /// Where a corrupt `state.db` found at start was set aside (the read models are then
    /// rebuilt from the snapshot and the log); nil when it opened soundly.
    public let corruptReadModels: String?
    /// The key the Raft log and snapshots are encrypted with on disk (nil: in the clear).
    public let dataKey: DataEncryptionKey?
    /// Without an explicit snapshot interval, snapshots follow the swarm's `Spec.Raft`.
    private let followsSwarmSettings: Bool
    /// The index the read models held when they were opened (before any catch-up).
    public let readModelsIndexAtOpen: UInt64

    public convenience init(dataDirectory: String, nodeID: NodeID, tickInterval: Duration = .milliseconds(100),
                            snapshotInterval: UInt64? = nil, transport: ClusterTransport? = nil,
                            dataKey: DataEncryptionKey? = nil, readModelsPath: String? = nil, scratchDirectory: String? = nil) throws {
        try self.init(dataDirectory: dataDirectory, nodeID: nodeID, tickInterval: tickInterval, snapshotInterval: snapshotInterval,
                      transport: transport, dataKey: dataKey, readModelsPath: readModelsPath,
                      scratchDirectory: scratchDirectory) { messages in transport?.send(messages) }
    }

    /// A node whose Raft messages go to `send` instead of a transport (in-process clusters
    /// of tests and simulations).
    package init(dataDirectory: String, nodeID: NodeID, tickInterval: Duration = .milliseconds(100),
                 snapshotInterval: UInt64? = nil, transport: ClusterTransport? = nil,
                 dataKey: DataEncryptionKey? = nil, readModelsPath: String? = nil, scratchDirectory: String? = nil,
                 send: @escaping @Sendable ([Message]) -> Void) throws {
        self.dataDirectory = dataDirectory
        self.nodeID = nodeID
        self.transport = transport
        self.dataKey = dataKey
        followsSwarmSettings = snapshotInterval == nil
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        // The read models may live in memory; the audit archive stays with the log.
        (store, corruptReadModels) = try ClusterStore.openSettingAsideCorruption(
            path: readModelsPath ?? dataDirectory + "/state.db", archiveDirectory: dataDirectory + "/audit-archive",
            sealer: try dataKey.map { key throws(StoreError) in try FieldSealer(dataKey: key.bytes) }, scratchDirectory: scratchDirectory)
        readModelsIndexAtOpen = store.applied.index
        var config = RaftDriverConfig(nodeID: nodeID, raftDirectory: dataDirectory + "/raft", tickInterval: tickInterval,
                                      snapshotInterval: snapshotInterval ?? 10_000, randomSeed: nodeID)
        config.cipher = dataKey.map(LogCipher.init)
        driver = RaftDriver(config: config, send: send)
        transport?.attach(driver)
    }

    /// Recovers the log, catches the read models up with it, and starts serving. With
    /// `bootstrap`, a node without state founds a single-voter cluster; without it, an
    /// empty node waits for a leader to send it the log (a joining manager).
    public func start(bootstrap: Bool, forceNewCluster: Bool = false) throws {
        try start(bootstrapVoters: bootstrap ? [nodeID] : [], forceNewCluster: forceNewCluster)
    }

    /// Starts a node that, without state, founds a cluster of `bootstrapVoters` (in-process
    /// clusters of tests, whose members all start at once).
    package func start(bootstrapVoters: [NodeID], forceNewCluster: Bool = false) throws {
        try driver.start(machine: ClusterStateMachine(store: store, followsSwarmSettings: followsSwarmSettings),
                         bootstrapVoters: bootstrapVoters, forceNewCluster: forceNewCluster)
        transport?.logger.notice("\(openingReport)")
    }

    /// What start-up had to do to the read models: resume them (the entries of the log
    /// beyond them are replayed) or restore them from the snapshot first.
    public var openingReport: String {
        let status = driver.status
        let replaying = status.commitIndex > status.appliedIndex ? status.commitIndex - status.appliedIndex : 0
        let restored = status.appliedIndex > readModelsIndexAtOpen && status.appliedIndex == status.snapshotIndex
            ? ", restored from the snapshot at \(status.snapshotIndex)" : ""
        return "read models at index \(readModelsIndexAtOpen) on opening\(restored); replaying \(replaying) entries from the log"
    }

    /// The transport found the leader `peer` gone (or a test says so).
    package func forgetLeader(_ peer: NodeID) {
        driver.forgetLeader(peer)
    }

    /// Messages from a peer (the cluster port's `POST /raft/messages`). Messages addressed
    /// to another node are dropped.
    public func receive(_ messages: [Message]) {
        driver.receive(messages.filter { $0.to == nodeID })
    }

    /// Waits until this node has applied everything committed when it was called, as
    /// confirmed by a quorum: reads after it are linearizable.
    public func readBarrier() async throws(ProposalError) {
        if case .failure(let error) = await driver.readBarrier() { throw .replication(error) }
    }

    /// A consistent cut of the log (newest snapshot plus every committed entry after it),
    /// for an online backup; nil when the node has stopped.
    public func exportLog() async -> LogExport? {
        await driver.exportLog()
    }

    /// Adds, promotes or removes a Raft member; returns once the change is applied here.
    public func changeMembership(_ change: ConfChange) async throws(ProposalError) {
        if case .failure(let error) = await driver.proposeConfChange(change) { throw .replication(error) }
    }

    /// Hands leadership to `peer` (this node must lead).
    public func transferLeadership(to peer: NodeID) {
        driver.transferLeadership(to: peer)
    }

    /// Validates `command`, replicates it, and returns how apply judged it. A command that
    /// fails validation is never proposed.
    public func propose(_ command: ClusterCommand) async throws(ProposalError) -> ApplyOutcome {
        let bytes: [UInt8]
        do {
            try command.validate()
            bytes = try command.encoded()
        } catch {
            throw .invalid(error)
        }
        switch await driver.propose(bytes) {
        case .success(let outcome):
            NodeMetrics.proposalsCommitted.increment()
            return outcome
        case .failure(let error):
            NodeMetrics.proposalsFailed.increment()
            throw .replication(error)
        }
    }

    public var status: RaftDriverStatus { driver.status }

    /// When this node's recent log entries went through each stage of a write.
    public var writeStages: WriteStageLog { driver.stages }

    /// Finishes the writes in flight, then stops.
    public func stop() {
        driver.stop()
    }

    /// Stops, then closes the transport's connections.
    public func shutdown() async {
        driver.stop()
        await transport?.shutdown()
    }
}
