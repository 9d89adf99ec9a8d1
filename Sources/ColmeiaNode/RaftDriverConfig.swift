import ColmeiaRaft
import ColmeiaRaftStorage
import Logging

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
    /// Bytes of applied entries after which a snapshot is taken even before `snapshotInterval`
    /// entries: the log between snapshots is held in memory.
    public var snapshotLogBytes = 64 << 20
    /// Entries kept behind a snapshot taken for size (large entries: fewer of them).
    public var retainedEntriesAfterLargeLog: UInt64 = 50
    public var randomSeed: UInt64
    /// How long a write, read barrier or membership change may wait to be committed before
    /// its caller is told the cluster is unavailable.
    public var proposalTimeout: Duration = .seconds(5)
    /// Writes that may wait on this node at once (queued or in flight), and as many read
    /// barriers and membership changes; more are refused.
    public var maxQueuedProposals = 50_000
    /// Peer messages (and transport reports) the driver's inbox holds before it drops new
    /// ones (Raft retransmits).
    public var maxQueuedMessages = 16_384
    /// After a storage failure, how often the driver tries to reopen its log.
    public var storageRetryInterval: Duration = .seconds(1)
    /// Encrypts entry and snapshot data on disk (nil: stored as they are).
    public var cipher: (any PayloadCipher)?
    /// Where the driver says what it could not do on its own (a snapshot build that failed).
    public var logger = Logger(label: "colmeia.raft")

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
    public var confState = ConfState()
    /// The leader's view of each member's replication (empty on followers).
    public var progress: [NodeID: ReplicationStatus] = [:]
    /// Time since this node last heard from the leader it follows (zero on the leader).
    public var leaderSilence: Duration = .zero
    /// Time since each member last sent this node anything (members never heard from are
    /// missing).
    public var peerSilence: [NodeID: Duration] = [:]
    /// The index of the last snapshot this node received from a leader and restored (a
    /// follower too far behind for the log); 0 if none since start.
    public var receivedSnapshotIndex: UInt64 = 0
    /// Whether the entry at the commit index belongs to the current term. A new leader
    /// learns the true commit index (what earlier leaders committed) only once an entry of
    /// its own term commits (Raft §5.4.2); until then its view may lack committed entries.
    public var committedInTerm = false
    /// Why this node cannot persist (a full disk, an I/O error); nil when it can. While set,
    /// the node refuses writes and reopens its storage every few seconds.
    public var storageFailure: String?
    /// Proposals this node sent again after leader changes, since it started.
    public var resentProposals = 0
    /// Whether a snapshot is being built (off the driver thread) now.
    public var snapshotBuilding = false
    /// Why the last snapshot build failed; nil once one succeeds. Builds are retried at the
    /// next point a snapshot is due.
    public var snapshotFailure: String?

    public init() {}

    /// This node leads, has committed an entry of its term and applied everything up to
    /// it: its read models hold every change an earlier leader committed, so reconcilers and
    /// the dispatcher may act on them (SwarmKit waits for its leader to apply its log).
    public var mayActAsLeader: Bool {
        role == .leader && committedInTerm && appliedIndex >= commitIndex && storageFailure == nil
    }

    /// Whether `peer` answered within `window` (this node always counts as reachable).
    public func heardFrom(_ peer: NodeID, self id: NodeID, within window: Duration) -> Bool {
        peer == id || (peerSilence[peer].map { $0 <= window } ?? false)
    }

    public init(leader: NodeID, role: RaftRole, term: UInt64, commitIndex: UInt64, appliedIndex: UInt64,
                snapshotIndex: UInt64, confState: ConfState, progress: [NodeID: ReplicationStatus],
                leaderSilence: Duration, peerSilence: [NodeID: Duration]) {
        self.leader = leader
        self.role = role
        self.term = term
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.snapshotIndex = snapshotIndex
        self.confState = confState
        self.progress = progress
        self.leaderSilence = leaderSilence
        self.peerSilence = peerSilence
    }
}
