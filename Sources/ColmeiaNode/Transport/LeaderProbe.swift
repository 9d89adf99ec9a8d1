/// A follower's verdict on a leader it has not heard from for a while (docs/cluster.md,
/// "Fast failover"). One slow connect or one slow answer is not enough to depose a live
/// leader: a crashed process refuses at once, and a leader that says it no longer leads is
/// believed, but a probe that merely fails or times out counts only when the one before it
/// failed too.
public struct LeaderProbe: Sendable, Hashable {
    /// What one probe of the leader's port found.
    public enum Outcome: Sendable, Hashable {
        /// The leader answered that it still leads.
        case leads
        /// The leader answered, following another leader or none.
        case doesNotLead
        /// Nothing listens on the leader's port: the connection was refused at once.
        case refused
        /// The connect timed out, the answer did not come in time, or came garbled.
        case failed
    }

    /// Failed probes in a row that make the follower forget the leader.
    public static let failuresBeforeForgetting = 2

    /// The leader probed, and how many probes of it in a row have failed.
    public private(set) var leader: UInt64 = 0
    public private(set) var consecutiveFailures = 0

    public init() {}

    /// Records a probe of `leader`; true when the follower should forget it. Failures
    /// count per leader: a new leader starts from zero.
    public mutating func record(_ outcome: Outcome, of leader: UInt64) -> Bool {
        if leader != self.leader {
            self.leader = leader
            consecutiveFailures = 0
        }
        switch outcome {
        case .leads:
            consecutiveFailures = 0
            return false
        case .doesNotLead, .refused:
            consecutiveFailures = 0
            return true
        case .failed:
            consecutiveFailures += 1
            guard consecutiveFailures >= Self.failuresBeforeForgetting else { return false }
            consecutiveFailures = 0
            return true
        }
    }
}
