import ColmeiaNode
import Foundation
import Metrics

/// A manager's Raft state as gauges, set by the upkeep loop from the driver's status
/// (swift-metrics; Prometheus names, after etcd's `etcd_server_*`).
enum ClusterMetrics {
    static let term = Gauge(label: "colmeia_raft_term")
    static let isLeader = Gauge(label: "colmeia_raft_is_leader")
    static let hasLeader = Gauge(label: "colmeia_raft_has_leader")
    /// Each time this manager saw a new leader after having known one.
    static let leaderChanges = Counter(label: "colmeia_raft_leader_changes_seen_total")
    static let commitIndex = Gauge(label: "colmeia_raft_commit_index")
    static let appliedIndex = Gauge(label: "colmeia_raft_applied_index")
    static let voters = Gauge(label: "colmeia_raft_voters")
    /// Managers this one heard from within a second, itself included (a follower hears
    /// only its leader).
    static let peersReachable = Gauge(label: "colmeia_raft_peers_reachable")
    /// `state.db` and its write-ahead file.
    static let readModelsSize = Gauge(label: "colmeia_store_read_models_size_bytes")
    /// 1 when `/readyz` would answer 200.
    static let ready = Gauge(label: "colmeia_node_ready")
}

extension ClusterManager {
    /// Sets the Raft gauges and counts leader changes.
    func recordRaftMetrics(_ status: RaftDriverStatus, selfID: UInt64) {
        ClusterMetrics.term.record(Int64(clamping: status.term))
        ClusterMetrics.isLeader.record(status.role == .leader ? 1 : 0)
        ClusterMetrics.hasLeader.record(status.leader != 0 ? 1 : 0)
        ClusterMetrics.commitIndex.record(Int64(clamping: status.commitIndex))
        ClusterMetrics.appliedIndex.record(Int64(clamping: status.appliedIndex))
        ClusterMetrics.voters.record(status.confState.voters.count)
        // A leader hears every voter; a follower, only its leader.
        let reachable = status.role == .leader
            ? status.confState.voters.filter { status.heardFrom($0, self: selfID, within: .seconds(1)) }.count
            : 1 + (status.leader != 0 && status.leaderSilence <= .seconds(1) ? 1 : 0)
        ClusterMetrics.peersReachable.record(reachable)
        if status.leader != 0 && status.leader != lastSeenLeader {
            if lastSeenLeader != 0 { ClusterMetrics.leaderChanges.increment() }
            lastSeenLeader = status.leader
        }
    }

    /// Sets the gauges that need the disk or the agent (every half second).
    func recordSlowMetrics(_ node: ClusterNode) async {
        let path = node.store.path
        var size: Int64 = 0
        for file in [path, path + "-wal"] {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: file), let bytes = attributes[.size] as? NSNumber {
                size += bytes.int64Value
            }
        }
        ClusterMetrics.readModelsSize.record(size)
        ClusterMetrics.ready.record(await readiness().ready ? 1 : 0)
    }
}
