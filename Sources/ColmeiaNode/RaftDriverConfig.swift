import ColmeiaRaft

/// How a ``RaftDriver`` runs its node.
public struct RaftDriverConfig: Sendable {
    public var nodeID: NodeID
    /// Where the WAL (`raft/wal`) and snapshots (`raft/snap`) live.
    public var raftDirectory: String
    /// The length of one Raft tick (DESIGN.md: 100 ms).
    public var tickInterval: Duration
    public var electionTicks: Int
    public var heartbeatTicks: Int
    /// Applied entries between two snapshots of the state machine.
    public var snapshotInterval: UInt64
    /// Entries kept in the log behind a snapshot for followers that are slightly behind.
    public var retainedEntries: UInt64
    public var randomSeed: UInt64

    public init(
        nodeID: NodeID, raftDirectory: String, tickInterval: Duration = .milliseconds(100),
        electionTicks: Int = 10, heartbeatTicks: Int = 1, snapshotInterval: UInt64 = 10_000,
        retainedEntries: UInt64 = 500, randomSeed: UInt64 = 0
    ) {
        self.nodeID = nodeID
        self.raftDirectory = raftDirectory
        self.tickInterval = tickInterval
        self.electionTicks = electionTicks
        self.heartbeatTicks = heartbeatTicks
        self.snapshotInterval = snapshotInterval
        self.retainedEntries = retainedEntries
        self.randomSeed = randomSeed
    }
}

/// What the driver last observed of its node.
public struct RaftDriverStatus: Sendable, Hashable {
    public var leader: NodeID = 0
    public var role: RaftRole = .follower
    public var term: UInt64 = 0
    public var commitIndex: UInt64 = 0
    public var appliedIndex: UInt64 = 0
    public var snapshotIndex: UInt64 = 0
}
