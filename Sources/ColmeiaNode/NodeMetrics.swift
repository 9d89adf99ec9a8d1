import Metrics

/// A manager's Raft and store instruments (swift-metrics; Prometheus names and units).
enum NodeMetrics {
    /// Proposals this node made (its API's writes, forwarded or not, and its reconcilers')
    /// that reached the log, whatever apply then decided.
    static let proposalsCommitted = Counter(label: "colmeia_raft_proposals_committed_total")
    /// Proposals that failed: no leader, a timeout, a stopped node.
    static let proposalsFailed = Counter(label: "colmeia_raft_proposals_failed_total")
    /// Peer messages dropped because the driver's inbox was full.
    static let messagesDropped = Counter(label: "colmeia_raft_messages_dropped_total")
    /// Proposals sent again to a new leader after a leader change left their fate open.
    static let proposalsResent = Counter(label: "colmeia_raft_proposals_resent_total")
    /// Applying one batch of committed entries to the read models (one SQLite transaction).
    static let apply = Timer(label: "colmeia_store_apply_duration_seconds")
    /// Building and saving one snapshot, and its size.
    static let snapshot = Timer(label: "colmeia_raft_snapshot_duration_seconds")
    static let snapshotSize = Gauge(label: "colmeia_raft_snapshot_size_bytes")
    /// Snapshot builds that failed (each is retried at the next due point).
    static let snapshotFailures = Counter(label: "colmeia_raft_snapshot_failures_total")
}
