import Testing
@testable import ColmeiaRaft

// Builders for nodes and logs, in the spirit of etcd/raft's `newTestRaft` and
// `newTestMemoryStorage(withPeers(...))`.

/// The configuration the paper describes: no pre-vote and no check-quorum (both are thesis
/// extensions), an election timeout of 10 ticks and a heartbeat every tick.
func paperConfig(
    _ id: NodeID, electionTicks: Int = 10, heartbeatTicks: Int = 1, preVote: Bool = false,
    checkQuorum: Bool = false, maxBytesPerMessage: Int = 1 << 20, maxInflightMessages: Int = 256,
    applied: UInt64 = 0, seed: UInt64 = 0
) -> RaftConfig {
    RaftConfig(id: id, electionTicks: electionTicks, heartbeatTicks: heartbeatTicks, preVote: preVote,
               checkQuorum: checkQuorum, maxBytesPerMessage: maxBytesPerMessage,
               maxInflightMessages: maxInflightMessages, applied: applied, randomSeed: seed)
}

/// A normal entry whose payload is derived from its position, so that two logs holding an
/// entry with the same index and term also hold the same command (Log Matching).
func entry(_ index: UInt64, _ term: UInt64) -> Entry {
    Entry(term: term, index: index, data: Array("\(index)@\(term)".utf8))
}

/// Entries `first, first+1, …` with the given terms: `makeLog(terms: [1, 1, 4])` is Figure 7's notation.
func makeLog(terms: [UInt64], from first: UInt64 = 1) -> [Entry] {
    terms.enumerated().map { entry(first + UInt64($0.offset), $0.element) }
}

/// What a node would find on disk: membership carried by an empty (index 0) snapshot — as
/// etcd's `MemoryStorage` does with `withPeers` — followed by `entries`.
func persisted(
    voters: [NodeID], learners: [NodeID] = [], entries: [Entry] = [], term: UInt64? = nil,
    vote: NodeID = 0, commit: UInt64 = 0
) -> RaftPersistentState {
    let lastTerm = entries.last?.term ?? 0
    return RaftPersistentState(
        snapshot: Snapshot(metadata: SnapshotMetadata(index: 0, term: 0,
                                                      confState: ConfState(voters: voters, learners: learners))),
        hardState: HardState(term: term ?? lastTerm, vote: vote, commit: commit),
        entries: entries)
}

/// A node restarted from `state` (see ``persisted(voters:learners:entries:term:vote:commit:)``).
func restoredNode(_ id: NodeID, _ state: RaftPersistentState, config: RaftConfig? = nil) throws -> RaftNode {
    try RaftNode(config: config ?? paperConfig(id), restoring: state)
}

/// Everything a node handed to its application while being drained.
struct Drained {
    var messages: [Message] = []
    var entries: [Entry] = []
    var committedEntries: [Entry] = []
    var snapshots: [Snapshot] = []
    var readStates: [ReadState] = []
    var hardStates: [HardState] = []
    var softStates: [SoftState] = []
    var mustSync = false

    func messages(ofType type: MessageType) -> [Message] { messages.filter { $0.type == type } }
}

extension RaftNode {
    /// Plays a perfect application: takes every `Ready`, "persists" and "applies" it and
    /// calls `advance`, until nothing is left. Returns what was handed out.
    @discardableResult
    mutating func drain() -> Drained {
        var out = Drained()
        var rounds = 0
        while hasReady {
            rounds += 1
            if rounds > 1_000 {
                Issue.record("node \(id) keeps producing Ready values")
                break
            }
            let ready = ready()
            out.messages += ready.messages
            out.entries += ready.entries
            out.committedEntries += ready.committedEntries
            if let snapshot = ready.snapshot { out.snapshots.append(snapshot) }
            out.readStates += ready.readStates
            if let hard = ready.hardState { out.hardStates.append(hard) }
            if let soft = ready.softState { out.softStates.append(soft) }
            out.mustSync = out.mustSync || ready.mustSync
            advance(ready)
        }
        return out
    }

    /// The messages this node wants to send (and everything else drained away).
    mutating func readMessages() -> [Message] { drain().messages }

    /// Campaigns and receives granted votes from `voters`, then drains. The node is a leader
    /// afterwards if those votes form a majority.
    mutating func winElection(votesFrom voters: [NodeID]) {
        campaign()
        drain()
        for voter in voters {
            step(Message(type: .voteResponse, to: id, from: voter, term: term))
        }
    }

    /// The node's whole retained log.
    var allEntries: [Entry] { entries(from: firstIndex, through: lastIndex) }
}

/// The follower's successful answer to an append message (etcd's `acceptAndReply`).
func acceptAndReply(_ message: Message) -> Message {
    precondition(message.type == .append, "not an append")
    return Message(type: .appendResponse, to: message.from, from: message.to, term: message.term,
                   index: message.index + UInt64(message.entries.count))
}

/// Answers every append in `messages` as a follower that accepts it would (etcd's
/// `commitNoopEntry` without the bookkeeping), and drains the leader.
extension RaftNode {
    mutating func acknowledge(_ messages: [Message]) {
        for message in messages where message.type == .append && message.from == id {
            step(acceptAndReply(message))
        }
        drain()
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

extension RaftNode {
    /// On a leader: answers every append with success, as if every follower accepted
    /// everything, until the leader has nothing more to send.
    mutating func replicateToAll(except silent: Set<NodeID> = []) {
        for _ in 0..<100 {
            let appends = readMessages().filter { $0.type == .append && !silent.contains($0.to) }
            if appends.isEmpty { return }
            for message in appends { step(acceptAndReply(message)) }
        }
        Issue.record("leader \(id) kept sending appends")
    }
}
