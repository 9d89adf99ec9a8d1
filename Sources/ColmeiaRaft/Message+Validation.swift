extension Message {
    /// Terms and indexes at or above this value are refused: no real cluster reaches them,
    /// and refusing them keeps every `+ 1` in the algorithm free of overflow.
    public static let maximumValue: UInt64 = 1 << 62

    /// Whether the message is shaped like something a correct peer could send. Peers can be
    /// buggy or hostile; a message that fails this check is dropped before it has any effect.
    var isWellFormed: Bool {
        let limit = Self.maximumValue
        guard term < limit, logTerm < limit, index < limit, commit < limit, rejectHint < limit else { return false }
        guard entries.count < Int(limit) else { return false }
        switch type {
        case .append:
            // Entries follow `index` contiguously, with terms that never decrease, never
            // precede `logTerm` and never exceed the sender's term.
            guard logTerm <= term else { return false }
            var expected = index + 1
            var previousTerm = logTerm
            for entry in entries {
                guard entry.index == expected, entry.term >= max(previousTerm, 1), entry.term <= term else { return false }
                expected += 1
                previousTerm = entry.term
            }
        case .snapshot:
            // A real snapshot ends with an entry (term >= 1) of a cluster that has a voter.
            guard let metadata = snapshot?.metadata, metadata.index > 0, metadata.index < limit,
                  metadata.term > 0, metadata.term <= term, !metadata.confState.voters.isEmpty else { return false }
        case .propose:
            guard entries.allSatisfy({ $0.kind == .normal || ConfChange(encoded: $0.data) != nil }) else { return false }
        default:
            break
        }
        return true
    }
}
