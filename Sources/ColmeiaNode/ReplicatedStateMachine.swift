import ColmeiaRaft
import Foundation

/// The application that a ``RaftDriver`` keeps in step with the committed log.
///
/// Every method runs on the driver's own thread, in log order; implementations need no
/// locking of their own for the apply path. `apply` must be deterministic: it may read
/// only its arguments and its own state.
public protocol ReplicatedStateMachine: AnyObject, SendableMetatype {
    associatedtype Result: Sendable

    /// The last log index whose effects are durable in the machine. After a crash the
    /// driver re-applies from here; an index at or below it must be skipped.
    var appliedIndex: UInt64 { get }

    /// Applies consecutive committed entries (those of one Raft `Ready`), returning one
    /// result per entry. Applying them in one batch lets a machine commit once.
    ///
    /// The same payload may commit more than once: the driver sends a proposal again when
    /// a leader change leaves its fate unknown. A machine must recognise the repeat (by an
    /// id its payloads carry, remembered in its replicated state) and apply it once,
    /// answering the repeat with the first outcome.
    func apply(_ entries: [CommittedEntry]) throws -> [Result]

    /// A consistent image of the machine at ``appliedIndex``, to become a Raft snapshot.
    /// Runs on the driver thread: only for machines without a ``snapshotWriter``.
    func snapshotData() throws -> [UInt8]

    /// A path for a new file named after `name` where a plaintext image of the machine may
    /// be written (a snapshot being built or restored). It holds what the machine holds, so
    /// it belongs beside the machine's own state (which may live in memory, for secrecy),
    /// not with the encrypted log. The default is the temporary directory.
    func snapshotScratchPath(named name: String) -> String

    /// Writes snapshots off the driver thread, from a consistent read, while entries go on
    /// being applied; nil (the default) has the driver call ``snapshotData()`` on its thread.
    var snapshotWriter: (any StateMachineSnapshotWriter)? { get }

    /// Replaces the machine's state by a snapshot received from the leader or found on disk.
    func restore(_ snapshot: Snapshot) throws

    /// Replaces the machine's state by a snapshot whose data is the file at `path` (written
    /// by the ``snapshotWriter``, here or on another node); the file is only read. The
    /// default reads it into memory and calls ``restore(_:)``.
    func restore(_ metadata: SnapshotMetadata, fromFile path: String) throws

    /// Snapshot settings the replicated state itself holds (Docker's `SwarmSpec.Raft`), which
    /// then win over the driver's configuration; nil to use the configuration.
    var snapshotPolicy: SnapshotPolicy? { get }
}

extension ReplicatedStateMachine {
    public var snapshotPolicy: SnapshotPolicy? { nil }
    public var snapshotWriter: (any StateMachineSnapshotWriter)? { nil }

    public func snapshotScratchPath(named name: String) -> String {
        FileManager.default.temporaryDirectory.path + "/colmeia-snapshot-" + name
    }

    public func restore(_ metadata: SnapshotMetadata, fromFile path: String) throws {
        try restore(Snapshot(metadata: metadata, data: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
    }
}

/// When to snapshot, and how much log to keep behind a snapshot for slow followers.
public struct SnapshotPolicy: Sendable, Hashable {
    /// Applied entries between two snapshots.
    public var interval: UInt64
    /// Entries kept behind the snapshot; a follower further behind is sent the snapshot.
    public var retainedEntries: UInt64

    public init(interval: UInt64, retainedEntries: UInt64) {
        self.interval = interval
        self.retainedEntries = retainedEntries
    }
}

/// A committed log entry as the state machine sees it.
public struct CommittedEntry: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    /// What was proposed; nil for a leader's no-op or a membership change.
    public var payload: [UInt8]?

    public init(index: UInt64, term: UInt64, payload: [UInt8]?) {
        self.index = index
        self.term = term
        self.payload = payload
    }
}
