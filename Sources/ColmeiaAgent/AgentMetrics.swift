import ColmeiaModel
import Metrics

/// A node's agent as Prometheus instruments (swift-metrics): the tasks it runs by the
/// state it last reported, and how long the Docker engine takes to answer.
enum AgentMetrics {
    static let tasks: [TaskState: Gauge] = Dictionary(uniqueKeysWithValues: TaskState.allCases.map {
        ($0, Gauge(label: "colmeia_agent_tasks", dimensions: [("state", $0.rawValue)]))
    })

    static func recordTasks(_ states: some Sequence<TaskState>) {
        var counts: [TaskState: Int] = [:]
        for state in states { counts[state, default: 0] += 1 }
        for (state, gauge) in tasks { gauge.record(counts[state] ?? 0) }
    }

    /// One engine request, by method and operation (`containers/{id}/start`): ids and image
    /// names are replaced so that the series stay few.
    static func engineCall(_ method: String, _ path: [String]) -> Timer {
        let verbs: Set<String> = ["create", "json", "prune"]
        let operation = path.prefix(3).enumerated().map { index, segment in
            index == 1 && !verbs.contains(segment) ? "{id}" : segment
        }.joined(separator: "/")
        return Timer(label: "colmeia_agent_engine_request_duration_seconds", dimensions: [("method", method), ("operation", operation)])
    }
}
