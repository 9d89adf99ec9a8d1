/// What applying one committed command did.
public enum ApplyOutcome: Sendable, Hashable {
    /// Every event landed; the objects now carry `Version.Index == index`.
    case applied(index: UInt64)
    /// A precondition or an integrity rule failed: nothing changed. `reason` is in
    /// Docker's words (`update out of sequence`, a name conflict, …).
    case rejected(index: UInt64, reason: String)
    /// The read models already reflected this index (a replay after a crash).
    case alreadyApplied(index: UInt64)
}
