import ColmeiaRaft
import ColmeiaRaftStorage

/// A consistent cut of a manager's log: the newest snapshot it holds and every committed
/// entry after it, with the payloads the state machine applies (proposal frames removed).
/// Replaying `entries` onto `snapshot` gives the state at `lastIndex`, and every state in
/// between: what an online backup carries.
public struct LogExport: Sendable {
    /// The snapshot's index and term, 0 when the log starts at its first entry.
    public var baseIndex: UInt64
    public var baseTerm: UInt64
    /// The state machine's image at `baseIndex`; empty when there is no snapshot.
    public var baseData: [UInt8]
    /// The membership when the cut was taken.
    public var confState: ConfState
    /// Committed entries `baseIndex + 1 ... lastIndex`, in order.
    public var entries: [CommittedEntry]

    public var lastIndex: UInt64 { entries.last?.index ?? baseIndex }
    public var lastTerm: UInt64 { entries.last?.term ?? baseTerm }

    public init(baseIndex: UInt64, baseTerm: UInt64, baseData: [UInt8], confState: ConfState, entries: [CommittedEntry]) {
        self.baseIndex = baseIndex
        self.baseTerm = baseTerm
        self.baseData = baseData
        self.confState = confState
        self.entries = entries
    }

    /// Built from the driver thread's cut, off that thread: unwrapping every proposal
    /// frame of a long log would hold up Raft.
    init(_ cut: RaftLogCut) {
        let entries = cut.entries.map { entry in
            let frame = entry.kind == .normal && !entry.data.isEmpty ? ProposalFrame(decoding: entry.data) : nil
            return CommittedEntry(index: entry.index, term: entry.term, payload: frame?.payload)
        }
        self.init(baseIndex: cut.snapshot?.metadata.index ?? 0, baseTerm: cut.snapshot?.metadata.term ?? 0,
                  baseData: cut.snapshot?.data ?? [], confState: cut.confState, entries: entries)
    }
}

/// What the driver thread hands out for an export: its snapshot and committed entries as
/// Raft holds them (arrays shared copy-on-write, so taking them costs little).
struct RaftLogCut: Sendable {
    var snapshot: Snapshot?
    /// The snapshot's data, when it is in its file (the Raft log holds only its metadata).
    var snapshotFile: SnapshotFileReader?
    var entries: [Entry]
    var confState: ConfState

    init(raft: RaftNode) {
        snapshot = raft.snapshot
        entries = raft.entries(from: (raft.snapshot?.metadata.index ?? 0) + 1, through: raft.commitIndex)
        confState = raft.confState
    }
}
