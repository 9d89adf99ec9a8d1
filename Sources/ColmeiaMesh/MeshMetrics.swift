import Metrics

/// The data plane's connections as Prometheus counters (swift-metrics), summed over the
/// services of ``MeshCounters``.
enum MeshMetrics {
    /// Connections by what became of them: `accepted` on a published port or a service
    /// address, sent `to_local_task` or `to_other_node`, received `from_other_node`, or
    /// `failed` because no task could take them.
    static let accepted = Counter(label: "colmeia_mesh_connections_total", dimensions: [("outcome", "accepted")])
    static let toLocalTask = Counter(label: "colmeia_mesh_connections_total", dimensions: [("outcome", "to_local_task")])
    static let toOtherNode = Counter(label: "colmeia_mesh_connections_total", dimensions: [("outcome", "to_other_node")])
    static let fromOtherNode = Counter(label: "colmeia_mesh_connections_total", dimensions: [("outcome", "from_other_node")])
    static let failed = Counter(label: "colmeia_mesh_connections_total", dimensions: [("outcome", "failed")])
    /// Connections relayed now.
    static let active = Gauge(label: "colmeia_mesh_connections_active")

    static func record(from before: MeshCounters.Service, to after: MeshCounters.Service, active total: Int?) {
        func add(_ counter: Counter, _ change: Int) { if change > 0 { counter.increment(by: change) } }
        add(accepted, after.accepted - before.accepted)
        add(toLocalTask, after.toLocalTask - before.toLocalTask)
        add(toOtherNode, after.toOtherNode - before.toOtherNode)
        add(fromOtherNode, after.fromOtherNode - before.fromOtherNode)
        add(failed, after.failed - before.failed)
        if let total { active.record(total) }
    }
}
