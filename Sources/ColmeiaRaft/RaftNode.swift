/// One Raft participant as a pure, deterministic state machine, in the manner of
/// etcd/raft's `RawNode`: it performs no I/O, reads no clock and draws randomness only from
/// the seed in its ``RaftConfig``.
///
/// The caller drives it:
/// ```swift
/// var node = try RaftNode.bootstrap(config: RaftConfig(id: 1), voters: [1, 2, 3])
/// node.tick()                          // every 100 ms
/// try node.step(messageFromPeer)       // for every message received
/// try node.propose(commandBytes)
/// while node.hasReady {
///     let ready = node.ready()
///     // persist ready.snapshot/entries/hardState (fsync), send ready.messages,
///     // install ready.snapshot, apply ready.committedEntries
///     node.advance(ready)
/// }
/// ```
public struct RaftNode: Sendable {
    public let id: NodeID
    let config: RaftConfig

    public internal(set) var term: UInt64 = 0
    /// Whom we voted for in `term`, or 0.
    public internal(set) var vote: NodeID = 0
    /// The leader we know for `term`, or 0.
    public internal(set) var leader: NodeID = 0
    public internal(set) var role: RaftRole = .follower

    var log: RaftLog
    var tracker: ProgressTracker
    var readIndexQueue = ReadIndexQueue()
    /// Read-index requests that arrived before this leader committed an entry of its own
    /// term; its commit index is not yet known to be current (thesis §6.4 step 1).
    var deferredReadIndex: [Message] = []
    var readStates: [ReadState] = []
    var outbox: [Message] = []

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// After `forgetLeader(campaignSoon:)`: ticks left during which an unanswered pre-vote is
    /// asked again every `quickPreVoteInterval` ticks.
    var quickCampaignTicksLeft = 0
    static let quickPreVoteInterval = 2
    var random: DeterministicRandom

    /// The log index of the newest membership change a leader proposed; another may not be
    /// proposed until this one is applied.
    var pendingConfIndex: UInt64 = 0
    /// The node leadership is being handed to, or 0.
    var leadTransferee: NodeID = 0

    var previousHardState: HardState
    var previousSoftState: SoftState

    /// Restarts a node from what it persisted, or starts a blank one (a node that will join
    /// an existing cluster and learn the log from its leader) when `state` is empty.
    public init(config: RaftConfig, restoring state: RaftPersistentState = RaftPersistentState()) throws(RaftError) {
        try config.validate()
        self.id = config.id
        self.config = config
        self.random = DeterministicRandom(seed: config.randomSeed ^ (config.id &* 0x9E37_79B9_7F4A_7C15))
        self.log = try RaftLog(restoring: state, applied: config.applied)
        self.tracker = ProgressTracker(maxInflight: config.maxInflightMessages)
        if let snapshot = state.snapshot {
            tracker.setConfiguration(snapshot.metadata.confState)
        }
        let hard = state.hardState
        guard hard.vote == 0 || hard.term > 0 else {
            throw .corruptState("a vote for \(hard.vote) is recorded without a term")
        }
        guard hard.term < Message.maximumValue else { throw .corruptState("term \(hard.term) is out of range") }
        // Entries and the hard state of one batch share one fsync; a crash mid-batch can keep
        // entries of a newer term without the hard state that moved to it. Nothing of that
        // batch was acknowledged (messages go out after the sync), so adopting the newer term
        // without its vote is safe.
        term = max(hard.term, log.lastTerm)
        vote = term == hard.term ? hard.vote : 0
        previousHardState = HardState(term: term, vote: vote, commit: log.committed)
        previousSoftState = SoftState(leader: 0, role: .follower)
        // Membership changes are applied as their entries are applied; replay those the
        // application already applied so the configuration is current at once.
        for entry in state.entries where entry.kind == .confChange && entry.index <= log.applied {
            if let change = ConfChange(encoded: entry.data) { tracker.apply(change) }
        }
        becomeFollower(term: term, leader: 0)
    }

    /// Creates the first node(s) of a brand-new cluster. Every initial voter must be
    /// bootstrapped with the same `voters`: their logs then start with identical
    /// membership entries (index 1..n, term 1), committed by construction.
    public static func bootstrap(config: RaftConfig, voters: [NodeID]) throws(RaftError) -> RaftNode {
        let ordered = Array(Set(voters)).sorted()
        guard !ordered.isEmpty, !ordered.contains(0) else {
            throw .invalidConfig("a cluster needs at least one voter and no voter may have id 0")
        }
        guard ordered.contains(config.id) else {
            throw .invalidConfig("node \(config.id) bootstraps a cluster it is not a voter of")
        }
        var entries: [Entry] = []
        for (offset, voter) in ordered.enumerated() {
            entries.append(Entry(term: 1, index: UInt64(offset + 1), kind: .confChange,
                                 data: ConfChange(.addNode, nodeID: voter).encoded()))
        }
        var node = try RaftNode(config: config)
        // Appended as unstable so the first Ready persists and applies them like any others.
        node.log.append(entries)
        node.log.commit(to: UInt64(entries.count))
        node.term = 1
        node.becomeFollower(term: 1, leader: 0)
        return node
    }

    // MARK: - Observing

    /// The current membership (as applied).
    public var confState: ConfState { tracker.confState }
    public var commitIndex: UInt64 { log.committed }
    public var appliedIndex: UInt64 { log.applied }
    public var lastIndex: UInt64 { log.lastIndex }
    public var lastTerm: UInt64 { log.lastTerm }
    public var firstIndex: UInt64 { log.firstIndex }
    public var softState: SoftState { SoftState(leader: leader, role: role) }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    /// The newest snapshot this node holds (taken locally or received).
    public var snapshot: Snapshot? { log.snapshot }
    /// The node leadership is being transferred to, or 0.
    public var transferee: NodeID { leadTransferee }

    /// The term of the entry at `index`, if it is still in the log.
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }

    /// Retained log entries in `[from, through]` (for inspection and tests).
    public func entries(from: UInt64, through: UInt64) -> [Entry] {
        guard from <= through, let all = log.entries(from: max(from, log.firstIndex), maxBytes: .max) else { return [] }
        return all.filter { $0.index <= through }
    }

    /// The leader's view of each member's replication, empty on other nodes.
    public var progress: [NodeID: ReplicationStatus] {
        guard role == .leader else { return [:] }
        return tracker.progress.mapValues {
            ReplicationStatus(match: $0.match, next: $0.next, state: $0.state.rawValue,
                              recentlyActive: $0.recentActive, isLearner: $0.isLearner)
        }
    }

    // MARK: - Driving

    /// Advances the logical clock by one tick.
    public mutating func tick() {
        if role == .leader { tickHeartbeat() } else { tickElection() }
    }

    /// Feeds a message received from a peer. Malformed, misaddressed and stale messages are
    /// dropped without effect; they never crash the node.
    public mutating func step(_ message: Message) {
        guard !message.type.isLocal, message.to == id, message.from != 0, message.from != id else { return }
        // Only proposals and read requests forwarded by followers travel without a term.
        guard message.term > 0 || message.type == .propose || message.type == .readIndex else { return }
        // Checked before the term rules, so a malformed message cannot even move our term.
        guard message.isWellFormed else { return }
        _ = stepInternal(message)
    }

    /// Proposes `data` for the log. Succeeds when the leader (this node, or the one a
    /// follower forwards to) accepted it; only an applied entry is committed.
    public mutating func propose(_ data: [UInt8]) throws(RaftError) {
        try stepLocalProposal(Entry(term: 0, index: 0, kind: .normal, data: data))
    }

    /// Proposes a single-server membership change. Only one may be pending at a time.
    public mutating func proposeConfChange(_ change: ConfChange) throws(RaftError) {
        if role == .leader { try validate(change) }
        try stepLocalProposal(Entry(term: 0, index: 0, kind: .confChange, data: change.encoded()))
    }

    /// Requests a linearizable read point. A ``ReadState`` carrying `context` appears in a
    /// later ``Ready`` once leadership is confirmed by a quorum.
    public mutating func readIndex(context: [UInt8]) throws(RaftError) {
        if let error = stepInternal(Message(type: .readIndex, to: id, from: id, context: context)) { throw error }
    }

    /// Asks the leader to hand leadership to `target` (Raft thesis §3.10).
    public mutating func transferLeadership(to target: NodeID) {
        _ = stepInternal(Message(type: .transferLeader, to: id, from: target))
    }

    /// Starts an election now (the application's "campaign" button; tests use it).
    public mutating func campaign() {
        _ = stepInternal(Message(type: .localHup, to: id, from: id))
    }

    /// The transport could not deliver to `peer`; stop streaming to it until it answers.
    public mutating func reportUnreachable(_ peer: NodeID) {
        _ = stepInternal(Message(type: .localUnreachable, to: id, from: peer))
    }

    /// The application learned that `peer`, which this follower believes leads, is gone (its
    /// process refuses connections or does not answer): stop honouring its lease, so this
    /// node grants votes at once (etcd's `ForgetLeader`). With `campaignSoon`, also start an
    /// election within `ticksToCampaign` ticks instead of a whole election timeout, and ask
    /// for pre-votes again every two ticks for one election timeout while none is won; the
    /// application staggers `ticksToCampaign` across the survivors so that two do not split
    /// the vote. Safety is unaffected: a live leader's next heartbeat restores it.
    public mutating func forgetLeader(_ peer: NodeID, campaignSoon: Bool = false, ticksToCampaign: Int = 2) {
        guard role == .follower, peer != 0, leader == peer else { return }
        leader = 0
        if campaignSoon {
            let ticks = max(1, ticksToCampaign)
            electionElapsed = max(electionElapsed, randomizedElectionTimeout - ticks)
            // The other survivors learn of the crash at about the same time, not at once: one
            // that still honours the lease ignores the first pre-vote. Asking again soon (a
            // pre-vote changes no term) beats waiting out a whole randomized timeout.
            quickCampaignTicksLeft = ticks + config.electionTicks
        }
    }

    /// Fast-forwards the election clock of a follower that knows no leader, so that it
    /// campaigns within `[1, electionTicks]` ticks instead of `[electionTicks,
    /// 2 * electionTicks)` (etcd's initial election tick advance). For a member restarting
    /// with its peers: managers restarted together elect a leader one election timeout
    /// sooner. The timeouts stay randomized, so two restarted members still rarely tie; and
    /// with PreVote and CheckQuorum a member that advances cannot disrupt a live leader,
    /// whose followers refuse its pre-votes while they hear from it.
    public mutating func advanceElectionTicks() {
        guard role == .follower, leader == 0 else { return }
        electionElapsed = max(electionElapsed, config.electionTicks - 1)
    }

    /// The transport finished sending a snapshot to `peer`, successfully or not.
    public mutating func reportSnapshot(to peer: NodeID, succeeded: Bool) {
        _ = stepInternal(Message(type: .localSnapshotStatus, to: id, from: peer, reject: !succeeded))
    }

    /// Records a snapshot of the state machine as of the applied index and drops log
    /// entries, keeping the newest `retaining` for followers that are only a little behind.
    @discardableResult
    public mutating func compact(snapshotData: [UInt8], retaining: UInt64 = 0) throws(RaftError) -> Snapshot {
        let index = log.applied
        let current = log.snapshot?.metadata.index ?? 0
        guard index > current else { throw .snapshotOutOfDate(requested: index, current: current) }
        guard let term = log.term(at: index) else { throw .snapshotOutOfDate(requested: index, current: log.compactedIndex) }
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, confState: tracker.confState),
                                data: snapshotData)
        log.installLocalSnapshot(snapshot, compactTo: index > retaining ? index - retaining : 0)
        return snapshot
    }

    /// Records a snapshot that the application built while the log moved on (off its
    /// driving thread): the image reflects `metadata.index` and `metadata.term`, at or below
    /// the applied index, and `metadata.confState` is the membership the builder saw when it
    /// started. Drops log entries up to that index, keeping the newest `retaining` of them.
    ///
    /// Refused without effect when the index is not above the current snapshot or not yet
    /// applied, when the log holds another term there, or when `metadata.confState` is not
    /// the membership in force at the index (a membership change applied after it): the
    /// application then builds a newer one.
    @discardableResult
    public mutating func compact(at metadata: SnapshotMetadata, snapshotData: [UInt8] = [],
                                 retaining: UInt64 = 0) throws(RaftError) -> Snapshot {
        let index = metadata.index
        let current = log.snapshot?.metadata.index ?? 0
        guard index > current, index > log.compactedIndex else {
            throw .snapshotOutOfDate(requested: index, current: max(current, log.compactedIndex))
        }
        guard index <= log.applied else { throw .snapshotIndexNotApplied(requested: index, applied: log.applied) }
        guard let term = log.term(at: index) else { throw .snapshotOutOfDate(requested: index, current: log.compactedIndex) }
        guard term == metadata.term else {
            throw .snapshotTermMismatch(index: index, requested: metadata.term, actual: term)
        }
        // Membership changes take effect when applied: the one in force at `index` is the
        // current one unless a change was applied after it.
        let changedSince = log.applied > index
            && (log.entries(from: index + 1, maxBytes: .max) ?? []).contains { $0.index <= log.applied && $0.kind == .confChange }
        guard !changedSince, metadata.confState == tracker.confState else { throw .snapshotMembershipChanged(index: index) }
        let snapshot = Snapshot(metadata: metadata, data: snapshotData)
        log.installLocalSnapshot(snapshot, compactTo: index > retaining ? index - retaining : 0)
        return snapshot
    }

    /// Forgets the data of the newest snapshot, keeping its metadata, once it is installed
    /// (never while a received one waits to be): for an application that keeps snapshots
    /// on disk and fills in the data of a ``Message`` of type `.snapshot` itself before
    /// sending it. Changes nothing else.
    public mutating func dropSnapshotData() {
        log.dropSnapshotData()
    }

    // MARK: - Internals shared by the role files

    func isPromotable() -> Bool { tracker.isVoter(id) && log.pendingSnapshot == nil }

    mutating func send(_ message: Message) {
        var message = message
        // Forwarded leadership-transfer requests keep their `from`: it names the target.
        if message.from == 0 { message.from = id }
        // Term is stamped on everything except proposals and local reads; pre-vote requests
        // and grants carry the future term they refer to.
        if message.term == 0 && message.type != .propose && message.type != .readIndex {
            message.term = term
        }
        outbox.append(message)
    }

    private mutating func stepLocalProposal(_ entry: Entry) throws(RaftError) {
        if let error = stepInternal(Message(type: .propose, to: id, from: id, entries: [entry])) { throw error }
    }

    func validate(_ change: ConfChange) throws(RaftError) {
        guard change.nodeID != 0 else { throw .invalidConfChange("node id 0 is reserved") }
        switch change.kind {
        case .addNode where tracker.isVoter(change.nodeID):
            throw .invalidConfChange("node \(change.nodeID) is already a voter")
        case .addLearner where tracker.learners.contains(change.nodeID):
            throw .invalidConfChange("node \(change.nodeID) is already a learner")
        case .removeNode where !tracker.members.contains(change.nodeID):
            throw .invalidConfChange("node \(change.nodeID) is not a member")
        case .removeNode where tracker.voters == [change.nodeID], .addLearner where tracker.voters == [change.nodeID]:
            throw .invalidConfChange("node \(change.nodeID) is the last voter")
        default:
            return
        }
    }
}

/// A leader's summary of one member's replication, for status pages.
public struct ReplicationStatus: Sendable, Hashable {
    public var match: UInt64
    public var next: UInt64
    public var state: String
    public var recentlyActive: Bool
    public var isLearner: Bool
}
