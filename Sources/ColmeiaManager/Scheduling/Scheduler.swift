import ColmeiaModel

/// Places pending tasks on nodes (SwarmKit's scheduler): filters nodes that are ready and
/// active, satisfy the placement constraints, have room for the reservations and are under
/// `MaxReplicas`; among those, follows the spread preferences, then picks the node with
/// the fewest tasks of the service, then the fewest tasks overall. Pure and deterministic.
///
/// ```swift
/// let decision = Scheduler.schedule(pendingTasks, in: view)
/// for (task, node) in decision.assignments { … }
/// ```
public enum Scheduler {
    public struct Decision: Sendable, Hashable {
        /// Task id → node id.
        public var assignments: [(task: String, node: String)] = []
        /// Task id → why it fits nowhere, in Docker's words (`no suitable node (…)`).
        public var unschedulable: [(task: String, reason: String)] = []

        public static func == (a: Decision, b: Decision) -> Bool {
            a.assignments.map { [$0.task, $0.node] } == b.assignments.map { [$0.task, $0.node] }
                && a.unschedulable.map { [$0.task, $0.reason] } == b.unschedulable.map { [$0.task, $0.reason] }
        }

        public func hash(into hasher: inout Hasher) {
            for (task, node) in assignments { hasher.combine(task); hasher.combine(node) }
        }
    }

    /// The reasons a node was filtered out, in the order SwarmKit's pipeline checks them.
    enum Filter: Int, CaseIterable {
        case notReady, resources, constraints, maxReplicas

        func explain(_ nodes: Int) -> String {
            let n = nodes == 1 ? "1 node" : "\(nodes) nodes"
            switch self {
            case .notReady: return "\(n) not available for new tasks"
            case .resources: return "insufficient resources on \(n)"
            case .constraints: return "scheduling constraints not satisfied on \(n)"
            case .maxReplicas: return "max replicas per node limit exceed"
            }
        }
    }

    /// What is already placed on a node.
    struct Load {
        var node: Node
        var cpu: Int64 = 0
        var memory: Int64 = 0
        var total = 0
        var byService: [String: Int] = [:]

        mutating func add(_ task: SwarmTask) {
            cpu += task.spec.resources?.reservations?.nanoCPUs ?? 0
            memory += task.spec.resources?.reservations?.memoryBytes ?? 0
            total += 1
            byService[task.serviceID, default: 0] += 1
        }

        func fits(_ task: SwarmTask) -> Bool {
            let wanted = task.spec.resources?.reservations
            let capacity = node.description.resources
            let cpu = wanted?.nanoCPUs ?? 0
            let memory = wanted?.memoryBytes ?? 0
            return (cpu == 0 || self.cpu + cpu <= capacity.nanoCPUs)
                && (memory == 0 || self.memory + memory <= capacity.memoryBytes)
        }
    }

    public static func schedule(_ pending: [SwarmTask], in view: ClusterView) -> Decision {
        var loads: [String: Load] = [:]
        for node in view.nodes.values { loads[node.id] = Load(node: node) }
        for task in view.tasks.values where task.isWanted && !task.hasEnded && !task.nodeID.isEmpty {
            loads[task.nodeID]?.add(task)
        }
        let nodeIDs = loads.keys.sorted()
        var decision = Decision()
        // Tasks of one service with one template share their static filtering.
        let ordered = pending.sorted { ($0.serviceID, $0.slot, $0.id) < ($1.serviceID, $1.slot, $1.id) }
        var index = 0
        while index < ordered.count {
            var end = index + 1
            while end < ordered.count, ordered[end].serviceID == ordered[index].serviceID,
                  ordered[end].spec == ordered[index].spec { end += 1 }
            place(ordered[index..<end], nodeIDs: nodeIDs, loads: &loads, decision: &decision)
            index = end
        }
        return decision
    }

    private static func place(_ tasks: ArraySlice<SwarmTask>, nodeIDs: [String], loads: inout [String: Load],
                              decision: inout Decision) {
        guard let first = tasks.first else { return }
        // Constraints were validated when the service was accepted; unparsable ones match nothing.
        let constraints = try? PlacementConstraint.parse(first.spec.placement?.constraints ?? [])
        let spreads = (first.spec.placement?.preferences ?? []).compactMap { $0.spread?.spreadDescriptor }
        let maxReplicas = Int(first.spec.placement?.maxReplicas ?? 0)
        let service = first.serviceID

        // Static filters: readiness and constraints do not change while we place.
        var staticFailures: [Filter: Int] = [:]
        var candidates: [String] = []
        for id in nodeIDs {
            guard let node = loads[id]?.node else { continue }
            if node.status.state != .ready || node.spec.availability != .active {
                staticFailures[.notReady, default: 0] += 1
            } else if !(constraints.map(node.satisfies) ?? false) {
                staticFailures[.constraints, default: 0] += 1
            } else {
                candidates.append(id)
            }
        }
        // Tasks of the service per spread value, per preference level.
        var spreadCounts: [[String: Int]] = spreads.map { descriptor in
            var counts: [String: Int] = [:]
            for id in candidates {
                guard let load = loads[id] else { continue }
                counts[load.node.attribute(descriptor).first ?? "", default: 0] += load.byService[service] ?? 0
            }
            return counts
        }

        for task in tasks {
            var failures = staticFailures
            var best: (id: String, key: [Int])?
            let pool = task.nodeID.isEmpty ? candidates : candidates.filter { $0 == task.nodeID }
            if !task.nodeID.isEmpty, !candidates.contains(task.nodeID) {
                // A global task belongs to one node; only that node's verdict explains it.
                failures = [:]
                if let load = loads[task.nodeID] {
                    let node = load.node
                    if node.status.state != .ready || node.spec.availability != .active {
                        failures[.notReady] = 1
                    } else {
                        failures[.constraints] = 1
                    }
                }
            }
            for id in pool {
                guard let load = loads[id] else { continue }
                guard load.fits(task) else { failures[.resources, default: 0] += 1; continue }
                let onNode = load.byService[service] ?? 0
                guard maxReplicas == 0 || onNode < maxReplicas else { failures[.maxReplicas, default: 0] += 1; continue }
                var key = spreads.indices.map { spreadCounts[$0][load.node.attribute(spreads[$0]).first ?? "", default: 0] }
                key.append(onNode)
                key.append(load.total)
                if let current = best, !key.lexicographicallyPrecedes(current.key) { continue }
                best = (id, key)
            }
            guard let chosen = best else {
                decision.unschedulable.append((task.id, explain(failures)))
                continue
            }
            loads[chosen.id]?.add(task)
            if let node = loads[chosen.id]?.node {
                for level in spreads.indices {
                    spreadCounts[level][node.attribute(spreads[level]).first ?? "", default: 0] += 1
                }
            }
            decision.assignments.append((task.id, chosen.id))
        }
    }

    /// `no suitable node (…)`, the reasons ordered by how many nodes they ruled out.
    static func explain(_ failures: [Filter: Int]) -> String {
        let reasons = failures.filter { $0.value > 0 }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { $0.key.explain($0.value) }
        return reasons.isEmpty ? "no suitable node" : "no suitable node (" + reasons.joined(separator: "; ") + ")"
    }
}
