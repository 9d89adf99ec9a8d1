/// Writes a state machine's snapshot to a file from any thread, while the driver thread
/// goes on applying entries (``ReplicatedStateMachine/snapshotWriter``).
public protocol StateMachineSnapshotWriter: Sendable {
    /// Writes a consistent image of the machine to a new file at `path` and returns the
    /// log position (index and term of the last entry) that image reflects. Called on a
    /// thread of its own; the machine's apply must not wait for it.
    func writeSnapshot(toFile path: String) throws -> (index: UInt64, term: UInt64)
}
