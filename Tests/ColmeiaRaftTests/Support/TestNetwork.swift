import Testing
@testable import ColmeiaRaft

/// A deterministic in-memory cluster in the manner of etcd/raft's `network` test type.
///
/// Every node is driven like a well-behaved application would: after anything happens to it,
/// each `Ready` is persisted to the node's simulated disk, its messages are queued, its
/// snapshot and committed entries are applied to a tiny state machine (the list of applied
/// commands) and `advance` is called. ``deliverAll()`` then delivers the queued messages in
/// FIFO order until the cluster is quiet. Links can be cut, nodes isolated, crashed and
/// restarted from their disk, and individual messages dropped by a predicate.
///
/// Two of the paper's safety properties are checked on every step, for every test that uses
/// the network: Election Safety (at most one leader per term) and State Machine Safety (no
/// two nodes apply different entries at the same index).
struct TestNetwork {
    struct Peer {
        var node: RaftNode
        /// What the node persisted: newest snapshot, hard state and the entries after it.
        var disk: RaftPersistentState
        /// The replicated state machine: the commands (non-empty normal entries) applied so far.
        var stateMachine: [[UInt8]] = []
        var appliedIndex: UInt64 = 0
        var installedSnapshots: [Snapshot] = []
        var readStates: [ReadState] = []
        var isDown = false
    }

    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    private(set) var peers: [NodeID: Peer] = [:]
    private var queue: [Message] = []
    private var queueHead = 0
    private var cutLinks: Set<Link> = []
    /// Drops a message when it returns true; it sees the message and its receiver's state.
    var dropIf: ((Message, RaftNode) -> Bool)?
    /// Every message delivered (after filtering), in delivery order.
    private(set) var trace: [Message] = []
    /// Every message the network dropped (cut link, crashed or unknown receiver, `dropIf`).
    private(set) var dropped: [Message] = []
    /// Every entry applied anywhere, by index: the basis of the State Machine Safety check.
    private(set) var appliedByIndex: [UInt64: Entry] = [:]
    /// The leader seen in each term: the basis of the Election Safety check.
    private(set) var leaderOfTerm: [UInt64: NodeID] = [:]

    // MARK: Building

    /// A brand-new cluster: every node bootstrapped with the same voters.
    init(bootstrapping ids: [NodeID], config: (NodeID) -> RaftConfig = { paperConfig($0) }) throws {
        for id in ids {
            let node = try RaftNode.bootstrap(config: config(id), voters: ids)
            peers[id] = Peer(node: node, disk: RaftPersistentState())
            process(id)
        }
    }

    /// A cluster of nodes restarted from the given persisted states.
    init(restoring states: [NodeID: RaftPersistentState], config: (NodeID) -> RaftConfig = { paperConfig($0) }) throws {
        for id in states.keys.sorted() {
            try add(id, restoring: states[id]!, config: config(id))
        }
    }

    /// Adds a node (a blank one by default: a server about to join the cluster).
    mutating func add(_ id: NodeID, restoring state: RaftPersistentState = RaftPersistentState(),
                      config: RaftConfig? = nil) throws {
        let config = config ?? paperConfig(id)
        let node = try RaftNode(config: config, restoring: state)
        var peer = Peer(node: node, disk: state)
        peer.appliedIndex = node.appliedIndex
        peers[id] = peer
        process(id)
    }

    // MARK: Observing

    var ids: [NodeID] { peers.keys.sorted() }
    var liveIDs: [NodeID] { ids.filter { !peers[$0]!.isDown } }

    subscript(id: NodeID) -> RaftNode { peers[id]!.node }

    func peer(_ id: NodeID) -> Peer { peers[id]! }

    /// The live node that is leader in the highest term, if any.
    var leader: NodeID? {
        liveIDs.filter { peers[$0]!.node.role == .leader }.max { self[$0].term < self[$1].term }
    }

    /// Commands applied by `id`'s state machine, as strings.
    func applied(_ id: NodeID) -> [String] {
        peers[id]!.stateMachine.map { String(decoding: $0, as: UTF8.self) }
    }

    func delivered(_ type: MessageType) -> [Message] { trace.filter { $0.type == type } }

    mutating func clearTrace() {
        trace = []
        dropped = []
    }

    // MARK: Driving

    /// Runs `body` against node `id`, then processes its `Ready` and delivers everything.
    @discardableResult
    mutating func on<T>(_ id: NodeID, deliver: Bool = true, _ body: (inout RaftNode) -> T) -> T {
        let result = body(&peers[id]!.node)
        process(id)
        if deliver { deliverAll() }
        return result
    }

    mutating func campaign(_ id: NodeID) { on(id) { $0.campaign() } }

    /// Proposes `command` on node `id` and (by default) delivers the consequences.
    mutating func propose(_ id: NodeID, _ command: String, deliver: Bool = true) throws(RaftError) {
        defer {
            process(id)
            if deliver { deliverAll() }
        }
        try peers[id]!.node.propose(bytes(command))
    }

    mutating func proposeConfChange(_ id: NodeID, _ change: ConfChange, deliver: Bool = true) throws(RaftError) {
        defer {
            process(id)
            if deliver { deliverAll() }
        }
        try peers[id]!.node.proposeConfChange(change)
    }

    /// Injects a message as if the transport had received it, and delivers the consequences.
    mutating func send(_ message: Message) {
        enqueue([message])
        deliverAll()
    }

    /// Ticks node `id` `times` times, delivering after each tick.
    mutating func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times {
            guard !peers[id]!.isDown else { return }
            on(id) { $0.tick() }
        }
    }

    /// Ticks every live node once per round, delivering after each round.
    mutating func tickAll(times: Int = 1) {
        for _ in 0..<times {
            for id in liveIDs {
                peers[id]!.node.tick()
                process(id)
            }
            deliverAll()
        }
    }

    /// Ticks all live nodes until `condition` holds; returns the rounds it took, or nil.
    @discardableResult
    mutating func tickAll(until condition: (TestNetwork) -> Bool, limit: Int = 500) -> Int? {
        for round in 0...limit {
            if condition(self) { return round }
            tickAll()
        }
        return nil
    }

    /// Campaigns with `id` until it leads (a node may need a second round to catch up with
    /// the cluster's term); records a test failure if it never does.
    @discardableResult
    mutating func elect(_ id: NodeID, attempts: Int = 3, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        for _ in 0..<attempts {
            campaign(id)
            if self[id].role == .leader { return true }
        }
        Issue.record("node \(id) could not be elected", sourceLocation: sourceLocation)
        return false
    }

    /// Delivers queued messages, FIFO, until no node has anything left to say.
    mutating func deliverAll() {
        for id in liveIDs { process(id) }
        var deliveries = 0
        while queueHead < queue.count {
            let message = queue[queueHead]
            queueHead += 1
            deliveries += 1
            if deliveries > 200_000 {
                Issue.record("the cluster did not quiesce")
                break
            }
            guard let receiver = peers[message.to], !receiver.isDown,
                  !cutLinks.contains(Link(from: message.from, to: message.to)),
                  dropIf?(message, receiver.node) != true
            else {
                dropped.append(message)
                continue
            }
            trace.append(message)
            peers[message.to]!.node.step(message)
            process(message.to)
        }
        queue = []
        queueHead = 0
    }

    // MARK: Faults

    /// Cuts both directions between `a` and `b`.
    mutating func cut(_ a: NodeID, _ b: NodeID) {
        cutLinks.insert(Link(from: a, to: b))
        cutLinks.insert(Link(from: b, to: a))
    }

    /// Cuts only the direction `from` → `to`.
    mutating func cutOneWay(from: NodeID, to: NodeID) { cutLinks.insert(Link(from: from, to: to)) }

    /// Cuts `id` from every other node (known now or added later up to id 16).
    mutating func isolate(_ id: NodeID) {
        for other in Set(ids).union(1...16) where other != id { cut(id, other) }
    }

    /// Restores every link and stops dropping messages.
    mutating func heal() {
        cutLinks = []
        dropIf = nil
    }

    /// The node stops: it neither ticks nor receives; its memory is gone, its disk stays.
    mutating func crash(_ id: NodeID) {
        peers[id]!.isDown = true
    }

    /// Restarts a crashed (or running) node from its disk, as a real server would: the state
    /// machine is rebuilt from the snapshot and committed entries are applied again.
    mutating func restart(_ id: NodeID) throws {
        var peer = peers[id]!
        let snapshotIndex = peer.disk.snapshot?.metadata.index ?? 0
        var config = peer.node.config
        config.applied = snapshotIndex
        peer.node = try RaftNode(config: config, restoring: peer.disk)
        peer.stateMachine = peer.disk.snapshot.map { StateMachineCodec.decode($0.data) } ?? []
        peer.appliedIndex = snapshotIndex
        peer.isDown = false
        peers[id] = peer
        process(id)
    }

    /// Takes a snapshot of `id`'s state machine at its applied index and compacts its log.
    @discardableResult
    mutating func compact(_ id: NodeID, retaining: UInt64 = 0) throws -> Snapshot {
        let data = StateMachineCodec.encode(peers[id]!.stateMachine)
        let snapshot = try peers[id]!.node.compact(snapshotData: data, retaining: retaining)
        peers[id]!.disk.snapshot = snapshot
        peers[id]!.disk.entries.removeAll { $0.index <= snapshot.metadata.index }
        process(id)
        return snapshot
    }

    // MARK: The application loop

    private mutating func enqueue(_ messages: [Message]) {
        queue.append(contentsOf: messages)
    }

    /// Handles every pending `Ready` of `id` in the documented order.
    private mutating func process(_ id: NodeID) {
        guard var peer = peers[id], !peer.isDown else { return }
        var rounds = 0
        while peer.node.hasReady {
            rounds += 1
            if rounds > 1_000 {
                Issue.record("node \(id) keeps producing Ready values")
                break
            }
            let ready = peer.node.ready()
            // 1. Persist.
            if let snapshot = ready.snapshot {
                peer.disk.snapshot = snapshot
                peer.disk.entries.removeAll { $0.index <= snapshot.metadata.index }
            }
            if let first = ready.entries.first {
                peer.disk.entries.removeAll { $0.index >= first.index }
                peer.disk.entries.append(contentsOf: ready.entries)
            }
            if let hard = ready.hardState { peer.disk.hardState = hard }
            // 2. Send.
            enqueue(ready.messages)
            // 3. Apply.
            if let snapshot = ready.snapshot {
                peer.installedSnapshots.append(snapshot)
                peer.stateMachine = StateMachineCodec.decode(snapshot.data)
                peer.appliedIndex = snapshot.metadata.index
            }
            for entry in ready.committedEntries {
                checkStateMachineSafety(entry, appliedBy: id)
                if entry.index != peer.appliedIndex + 1 {
                    Issue.record("node \(id) applied index \(entry.index) after \(peer.appliedIndex)")
                }
                peer.appliedIndex = entry.index
                if entry.kind == .normal && !entry.data.isEmpty { peer.stateMachine.append(entry.data) }
            }
            peer.readStates += ready.readStates
            peer.node.advance(ready)
        }
        if peer.node.role == .leader { checkElectionSafety(leader: id, term: peer.node.term) }
        peers[id] = peer
    }

    private mutating func checkStateMachineSafety(_ entry: Entry, appliedBy id: NodeID) {
        if let earlier = appliedByIndex[entry.index] {
            if earlier != entry {
                Issue.record("State Machine Safety: node \(id) applied \(entry) at an index where \(earlier) was applied")
            }
        } else {
            appliedByIndex[entry.index] = entry
        }
    }

    private mutating func checkElectionSafety(leader id: NodeID, term: UInt64) {
        if let other = leaderOfTerm[term], other != id {
            Issue.record("Election Safety: nodes \(other) and \(id) both lead term \(term)")
        }
        leaderOfTerm[term] = id
    }
}

/// The test state machine's snapshot format: each command as a 4-byte little-endian length
/// followed by its bytes. Undecodable data yields an empty state machine.
enum StateMachineCodec {
    static func encode(_ commands: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for command in commands {
            withUnsafeBytes(of: UInt32(command.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: command)
        }
        return out
    }

    static func decode(_ data: [UInt8]) -> [[UInt8]] {
        var commands: [[UInt8]] = []
        var position = 0
        while position + 4 <= data.count {
            var length = 0
            for offset in 0..<4 { length |= Int(data[position + offset]) << (8 * offset) }
            position += 4
            guard position + length <= data.count else { return [] }
            commands.append(Array(data[position..<(position + length)]))
            position += length
        }
        return position == data.count ? commands : []
    }
}
