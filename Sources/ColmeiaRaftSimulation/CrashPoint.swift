import ColmeiaRaft

/// Where, inside the handling of one `Ready`, a simulated node loses power. The steps are
/// those of `RaftDriver.handleReadies`: persist (one write, one fsync), send, install the
/// snapshot and apply, advance, then compact when due.
enum CrashPoint: CaseIterable {
    /// The `Ready` was taken; nothing of it was written.
    case beforePersist
    /// Written to the page cache, not fsynced: a prefix may survive, the next record torn.
    case midPersist
    /// Fsynced; no message sent.
    case beforeSend
    /// Some of the messages sent, not the others.
    case midSend
    /// Every message sent; nothing applied.
    case beforeApply
    /// Some committed entries applied, not the others.
    case midApply
    /// Applied, `advance` not called.
    case beforeAdvance
    /// After `advance`, while the compaction's snapshot marker is written (if one is due).
    case duringCompaction

    /// Whether the step this point interrupts has anything to do in `ready`, so that a
    /// crash there is not the same as a crash between two `Ready`s.
    func strikes(_ ready: Ready) -> Bool {
        switch self {
        case .beforePersist, .midPersist, .beforeSend:
            return ready.hardState != nil || !ready.entries.isEmpty || ready.snapshot != nil
        case .midSend:
            return !ready.messages.isEmpty
        case .beforeApply, .midApply, .beforeAdvance:
            return !ready.committedEntries.isEmpty || ready.snapshot != nil
        case .duringCompaction:
            return true
        }
    }
}
