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
        case notReady, resources, constraints, maxReplicas, hostPorts

        func explain(_ nodes: Int) -> String {
            let n = nodes == 1 ? "1 node" : "\(nodes) nodes"
            switch self {
            case .notReady: return "\(n) not available for new tasks"
            case .resources: return "insufficient resources on \(n)"
            case .constraints: return "scheduling constraints not satisfied on \(n)"
            case .maxReplicas: return "max replicas per node limit exceed"
            case .hostPorts: return "host-mode port already in use on \(n)"
            }
        }
    }

    /// What is already placed on a node: plain numbers, so the inner loop copies nothing.
    struct Load {
        var cpu: Int64 = 0
        var memory: Int64 = 0
        var capacityCPU: Int64
        var capacityMemory: Int64
        var total = 0

        init(_ node: Node) {
            capacityCPU = node.description.resources.nanoCPUs
            capacityMemory = node.description.resources.memoryBytes
        }

        func fits(cpu wantedCPU: Int64, memory wantedMemory: Int64) -> Bool {
            (wantedCPU == 0 || cpu + wantedCPU <= capacityCPU) && (wantedMemory == 0 || memory + wantedMemory <= capacityMemory)
        }
    }

    /// Nodes, their loads and their tasks per service, indexed alike.
    struct Placement {
        var nodes: [Node]
        var loads: [Load]
        var byService: [[String: Int]]
        var position: [String: Int]
        /// Host-mode ports (`tcp/8080`) each service publishes with a fixed number, and
        /// those taken on each node: two such tasks never share a node.
        var servicePorts: [String: Set<String>] = [:]
        var hostPorts: [Set<String>] = []

        mutating func add(_ task: SwarmTask, at index: Int) {
            loads[index].cpu += task.spec.resources?.reservations?.nanoCPUs ?? 0
            loads[index].memory += task.spec.resources?.reservations?.memoryBytes ?? 0
            loads[index].total += 1
            byService[index][task.serviceID, default: 0] += 1
            if let ports = servicePorts[task.serviceID] { hostPorts[index].formUnion(ports) }
        }
    }

    public static func schedule(_ pending: [SwarmTask], in view: ClusterView) -> Decision {
        let nodes = view.nodes.keys.sorted().compactMap { view.nodes[$0] }
        var placement = Placement(nodes: nodes, loads: nodes.map(Load.init), byService: nodes.map { _ in [:] },
                                  position: Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.id, $0) }))
        placement.hostPorts = nodes.map { _ in [] }
        for service in view.services.values {
            let ports = service.endpoint.ports.filter { $0.publishMode == .host && $0.publishedPort > 0 }
                .map { "\($0.protocol.rawValue.isEmpty ? "tcp" : $0.protocol.rawValue)/\($0.publishedPort)" }
            if !ports.isEmpty { placement.servicePorts[service.id] = Set(ports) }
        }
        for task in view.tasks.values where task.isWanted && !task.hasEnded && !task.nodeID.isEmpty {
            if let index = placement.position[task.nodeID] { placement.add(task, at: index) }
        }
        var decision = Decision()
        // Tasks of one service with one template share their static filtering.
        let ordered = pending.sorted { ($0.serviceID, $0.slot, $0.id) < ($1.serviceID, $1.slot, $1.id) }
        var index = 0
        while index < ordered.count {
            var end = index + 1
            while end < ordered.count, ordered[end].serviceID == ordered[index].serviceID,
                  ordered[end].spec == ordered[index].spec { end += 1 }
            place(ordered[index..<end], &placement, decision: &decision)
            index = end
        }
        return decision
    }

    private static func place(_ tasks: ArraySlice<SwarmTask>, _ placement: inout Placement, decision: inout Decision) {
        guard let first = tasks.first else { return }
        // Constraints were validated when the service was accepted; unparsable ones match nothing.
        let constraints = try? PlacementConstraint.parse(first.spec.placement?.constraints ?? [])
        let spreads = (first.spec.placement?.preferences ?? []).compactMap { $0.spread?.spreadDescriptor }
        let maxReplicas = Int(first.spec.placement?.maxReplicas ?? 0)
        let wantedCPU = first.spec.resources?.reservations?.nanoCPUs ?? 0
        let wantedMemory = first.spec.resources?.reservations?.memoryBytes ?? 0
        let service = first.serviceID
        let wantedPorts = placement.servicePorts[service] ?? []

        // Static filters: readiness and constraints do not change while we place.
        func verdict(_ node: Node) -> Filter? {
            if node.status.state != .ready || node.spec.availability != .active { return .notReady }
            if !(constraints.map(node.satisfies) ?? false) { return .constraints }
            return nil
        }
        var staticFailures: [Filter: Int] = [:]
        var candidates: [Int] = []
        for index in placement.nodes.indices {
            if let failure = verdict(placement.nodes[index]) {
                staticFailures[failure, default: 0] += 1
            } else {
                candidates.append(index)
            }
        }
        var onNode = candidates.map { placement.byService[$0][service] ?? 0 }
        // Each candidate's value for each spread level, and the service's tasks per value.
        let spreadValues: [[String]] = candidates.map { index in
            spreads.map { placement.nodes[index].attribute($0).first ?? "" }
        }
        var spreadCounts: [[String: Int]] = spreads.indices.map { level in
            var counts: [String: Int] = [:]
            for offset in candidates.indices { counts[spreadValues[offset][level], default: 0] += onNode[offset] }
            return counts
        }

        for task in tasks {
            var failures = staticFailures
            var pool = Array(candidates.indices)
            if !task.nodeID.isEmpty {
                // A global task belongs to one node; only that node's verdict explains it.
                pool = pool.filter { placement.nodes[candidates[$0]].id == task.nodeID }
                failures = [:]
                if pool.isEmpty, let index = placement.position[task.nodeID] {
                    failures[verdict(placement.nodes[index]) ?? .constraints] = 1
                }
            }
            var best = -1
            var bestSpread: [Int] = []
            var bestKey = (Int.max, Int.max)
            for offset in pool {
                let index = candidates[offset]
                guard placement.loads[index].fits(cpu: wantedCPU, memory: wantedMemory) else {
                    failures[.resources, default: 0] += 1
                    continue
                }
                guard maxReplicas == 0 || onNode[offset] < maxReplicas else {
                    failures[.maxReplicas, default: 0] += 1
                    continue
                }
                guard wantedPorts.isDisjoint(with: placement.hostPorts[index]) else {
                    failures[.hostPorts, default: 0] += 1
                    continue
                }
                let key = (onNode[offset], placement.loads[index].total)
                if spreads.isEmpty {
                    if key < bestKey { (best, bestKey) = (offset, key) }
                    continue
                }
                let spread = spreads.indices.map { spreadCounts[$0][spreadValues[offset][$0], default: 0] }
                if best < 0 || spread.lexicographicallyPrecedes(bestSpread) || (spread == bestSpread && key < bestKey) {
                    (best, bestSpread, bestKey) = (offset, spread, key)
                }
            }
            guard best >= 0 else {
                decision.unschedulable.append((task.id, explain(failures)))
                continue
            }
            let index = candidates[best]
            placement.add(task, at: index)
            onNode[best] += 1
            for level in spreads.indices { spreadCounts[level][spreadValues[best][level], default: 0] += 1 }
            decision.assignments.append((task.id, placement.nodes[index].id))
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
