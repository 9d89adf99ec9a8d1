import ColmeiaModel
import Metrics

/// The leader's reconciler and dispatcher instruments (swift-metrics; Prometheus names).
enum ManagerMetrics {
    /// One reconcile pass: plan and proposals.
    static let reconcilePass = Timer(label: "colmeia_reconcile_pass_duration_seconds")
    /// Tasks of the cluster by observed state, as the leader's view holds them.
    static let tasks: [TaskState: Gauge] = Dictionary(uniqueKeysWithValues: TaskState.allCases.map {
        ($0, Gauge(label: "colmeia_tasks", dimensions: [("state", $0.rawValue)]))
    })
    /// Tasks waiting because no node fits them (`no suitable node`).
    static let unschedulable = Gauge(label: "colmeia_scheduler_unschedulable_tasks")
    /// Agents with an open session to this leader's dispatcher.
    static let sessions = Gauge(label: "colmeia_dispatcher_sessions")
    /// Nodes marked down because their heartbeats stopped.
    static let heartbeatsMissed = Counter(label: "colmeia_dispatcher_heartbeats_missed_total")
    /// Assignment sets sent to agents.
    static let assignmentSets = Counter(label: "colmeia_dispatcher_assignment_sets_sent_total")

    /// Sets the task gauges from the view.
    static func recordTasks(of view: ClusterView) {
        var counts: [TaskState: Int] = [:]
        var waiting = 0
        for task in view.tasks.values {
            counts[task.status.state, default: 0] += 1
            if task.status.state == .pending && task.status.err.hasPrefix("no suitable node") { waiting += 1 }
        }
        for (state, gauge) in tasks { gauge.record(counts[state] ?? 0) }
        unschedulable.record(waiting)
    }
}
