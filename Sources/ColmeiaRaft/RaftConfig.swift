/// Tunables of one Raft node. Ticks are abstract: the caller decides how long one is
/// (Colmeia's default is 100 ms).
public struct RaftConfig: Sendable {
    /// This node's id; never 0.
    public var id: NodeID
    /// Ticks a follower waits without hearing from a leader before it campaigns. The
    /// actual timeout is randomized in `[electionTicks, 2 * electionTicks)` (Raft §5.2).
    public var electionTicks: Int
    /// Ticks between leader heartbeats; must be smaller than `electionTicks`.
    public var heartbeatTicks: Int
    /// Run a pre-vote round before incrementing the term (Raft thesis §9.6), so a node
    /// rejoining after a partition cannot depose a healthy leader.
    public var preVote: Bool
    /// A leader steps down when it has not heard from a quorum for an election timeout,
    /// and followers ignore vote requests while they hear from a leader (thesis §6.2).
    public var checkQuorum: Bool
    /// Upper bound, in bytes of entry data, of one append message (batching).
    public var maxBytesPerMessage: Int
    /// Upper bound of append messages in flight to one follower (pipelining).
    public var maxInflightMessages: Int
    /// Upper bound, in bytes, of committed entries handed out by one ``Ready``.
    public var maxCommittedBytesPerReady: Int
    /// The highest index the application has already applied to durable state; on
    /// restart, entries up to here are not handed out again.
    public var applied: UInt64
    /// Seed for the election-timeout jitter, so runs are reproducible.
    public var randomSeed: UInt64

    public init(
        id: NodeID, electionTicks: Int = 10, heartbeatTicks: Int = 1, preVote: Bool = true,
        checkQuorum: Bool = true, maxBytesPerMessage: Int = 1 << 20, maxInflightMessages: Int = 256,
        maxCommittedBytesPerReady: Int = 16 << 20, applied: UInt64 = 0, randomSeed: UInt64 = 0
    ) {
        self.id = id
        self.electionTicks = electionTicks
        self.heartbeatTicks = heartbeatTicks
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxBytesPerMessage = maxBytesPerMessage
        self.maxInflightMessages = maxInflightMessages
        self.maxCommittedBytesPerReady = maxCommittedBytesPerReady
        self.applied = applied
        self.randomSeed = randomSeed
    }

    func validate() throws(RaftError) {
        guard id != 0 else { throw .invalidConfig("node id 0 is reserved for 'no node'") }
        guard heartbeatTicks > 0 else { throw .invalidConfig("heartbeat ticks must be positive") }
        guard electionTicks > heartbeatTicks else {
            throw .invalidConfig("election ticks (\(electionTicks)) must exceed heartbeat ticks (\(heartbeatTicks))")
        }
        guard maxInflightMessages > 0 else { throw .invalidConfig("max in-flight messages must be positive") }
        guard maxBytesPerMessage > 0 else { throw .invalidConfig("max bytes per message must be positive") }
    }
}
