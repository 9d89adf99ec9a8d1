import ColmeiaClient
import ColmeiaModel
import Foundation

/// Watches a service until its tasks converge, as docker does after create, update, scale
/// and rollback without `--detach`: one bar per slot (replicated) or node (global), then
/// `verify: Service converged` once the tasks stayed up for the monitor period.
public enum ServiceProgress {
    /// The progress lines for one look at the service, and whether it has converged.
    public struct Snapshot: Sendable, Equatable {
        public var lines: [ProgressLine]
        public var converged: Bool
    }

    /// Docker's numbered states: a task's step towards running (0: not on the way).
    static func step(_ state: TaskState) -> Int {
        switch state {
        case .new: 1
        case .allocated: 2
        case .pending: 3
        case .assigned: 4
        case .accepted: 5
        case .preparing: 6
        case .ready: 7
        case .starting: 8
        case .running: 9
        default: 0
        }
    }

    /// The bars for `service` given its tasks and the cluster's nodes.
    public static func snapshot(service: Service, tasks: [SwarmTask], nodes: [Node]) -> Snapshot {
        let template = service.spec.taskTemplate
        let activeNodes = Set(nodes.filter { $0.status.state != .down }.map(\.id))
        let current = tasks.filter { task in
            task.runs(template) && step(task.desiredState) > 0 && step(task.status.state) > 0
                && (task.nodeID.isEmpty || activeNodes.contains(task.nodeID))
        }
        func better(_ candidate: SwarmTask, than existing: SwarmTask?) -> Bool {
            guard let existing else { return true }
            if step(existing.desiredState) != step(candidate.desiredState) { return step(candidate.desiredState) > step(existing.desiredState) }
            if step(existing.status.state) != step(candidate.status.state) { return step(candidate.status.state) > step(existing.status.state) }
            return candidate.createdAt > existing.createdAt
        }
        func line(_ id: String, _ task: SwarmTask?) -> ProgressLine {
            guard let task else { return ProgressLine(id: id, text: "", step: 0) }
            if !task.status.err.isEmpty {
                return ProgressLine(id: id, text: String(task.status.err.prefix(40)), step: step(task.status.state))
            }
            return ProgressLine(id: id, text: task.status.state.rawValue, step: step(task.status.state))
        }
        if service.spec.mode.global != nil {
            var byNode: [String: SwarmTask] = [:]
            for task in current where !task.nodeID.isEmpty && better(task, than: byNode[task.nodeID]) { byNode[task.nodeID] = task }
            let running = byNode.values.filter { $0.status.state == .running }.count
            var lines = [ProgressLine(id: "overall progress", text: "\(running) out of \(byNode.count) tasks")]
            lines += byNode.keys.sorted().map { line(ResourceTables.shortID($0), byNode[$0]) }
            return Snapshot(lines: lines, converged: running == byNode.count && !byNode.isEmpty)
        }
        let replicas = Int(service.spec.mode.replicated?.replicas ?? 1)
        var bySlot: [Int: SwarmTask] = [:]
        for task in current where task.slot >= 1 && task.slot <= replicas && better(task, than: bySlot[task.slot]) {
            bySlot[task.slot] = task
        }
        let running = bySlot.values.filter { $0.status.state == .running }.count
        var lines = [ProgressLine(id: "overall progress", text: "\(running) out of \(replicas) tasks")]
        if replicas <= 50 {
            lines += (0..<replicas).map { line("\($0 + 1)/\(replicas)", bySlot[$0 + 1]) }
        }
        return Snapshot(lines: lines, converged: running == replicas)
    }

    /// Polls until converged and verified; throws when the update pauses or rolls back.
    public static func watch(client: ColmeiaClient, serviceID: String, terminal: Bool,
                             write: @escaping @Sendable (String) -> Void) async throws {
        var renderer = ProgressRenderer(terminal: terminal, write: write)
        var rollbackShown = false
        var convergedAt: Date?
        var extra: [ProgressLine] = []
        while true {
            let service = try await client.service(serviceID)
            if service.spec.mode.replicatedJob != nil || service.spec.mode.globalJob != nil { return }
            let tasks = try await client.tasks(filters: ["service": [service.id]])
            let nodes = try await client.nodes()
            var snapshot = snapshot(service: service, tasks: tasks, nodes: nodes)
            if let status = service.updateStatus {
                switch status.state {
                case .paused:
                    renderer.show(snapshot.lines + extra)
                    throw CLIError("service update paused: \(status.message)")
                case .rollbackPaused:
                    renderer.show(snapshot.lines + extra)
                    throw CLIError("service rollback paused: \(status.message)")
                case .rollbackStarted:
                    if !rollbackShown, !status.message.isEmpty {
                        extra = [ProgressLine(id: "rollback", text: status.message)]
                        rollbackShown = true
                    }
                    snapshot.converged = false
                case .rollbackCompleted:
                    if !snapshot.converged {
                        renderer.show(snapshot.lines + extra)
                        throw CLIError("service rolled back: \(status.message)")
                    }
                case .updating:
                    snapshot.converged = false
                default:
                    break
                }
            }
            let monitor = Double(service.spec.updateConfig?.monitor ?? 0) / 1e9
            let period = monitor > 0 ? monitor : 5
            if snapshot.converged {
                let since = convergedAt ?? Date()
                convergedAt = since
                let waited = Date().timeIntervalSince(since)
                if waited >= period {
                    renderer.show(snapshot.lines + extra + [ProgressLine(id: "verify", text: "Service converged")])
                    return
                }
                let left = max(1, Int((period - waited).rounded(.up)))
                renderer.show(snapshot.lines + extra
                    + [ProgressLine(id: "verify", text: "Waiting \(left) seconds to verify that tasks are stable...")])
            } else {
                convergedAt = nil
                renderer.show(snapshot.lines + extra)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
