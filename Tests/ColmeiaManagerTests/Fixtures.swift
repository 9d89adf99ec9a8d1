import ColmeiaModel
@testable import ColmeiaManager

/// Builders for the reconcilers' inputs, and a clock tests move by hand.
enum Fixture {
    static let t0 = Timestamp(seconds: 1_800_000_000)

    static func at(_ seconds: Double) -> Timestamp {
        t0.adding(nanoseconds: Int64(seconds * 1e9))
    }

    static func node(_ id: String, hostname: String? = nil, role: NodeRole = "worker", labels: [String: String] = [:],
                     engineLabels: [String: String] = [:], state: NodeState = .ready,
                     availability: NodeAvailability = .active, cpus: Int64 = 4, memoryGB: Int64 = 8) -> Node {
        Node(id: id, version: Version(index: 1), spec: NodeSpec(labels: labels, role: role, availability: availability),
             description: NodeDescription(
                hostname: hostname ?? "host-\(id)", platform: Platform(architecture: "x86_64", os: "linux"),
                resources: Resources(nanoCPUs: cpus * 1_000_000_000, memoryBytes: memoryGB << 30),
                engine: EngineDescription(engineVersion: "28.2.2", labels: engineLabels)),
             status: NodeStatus(state: state, addr: "10.0.0.1"))
    }

    static func template(image: String = "busybox", constraints: [String] = [], spread: [String] = [],
                         restart: RestartPolicy? = nil, cpus: Double = 0, memoryMB: Int64 = 0,
                         maxReplicas: UInt64 = 0) -> TaskSpec {
        let reservations = cpus > 0 || memoryMB > 0
            ? Resources(nanoCPUs: Int64(cpus * 1e9), memoryBytes: memoryMB << 20) : nil
        return TaskSpec(
            containerSpec: ContainerSpec(image: image, args: ["sleep", "1000"]),
            resources: reservations.map { ResourceRequirements(reservations: $0) },
            restartPolicy: restart,
            placement: Placement(constraints: constraints,
                                 preferences: spread.map { PlacementPreference(spread: .init(spreadDescriptor: $0)) },
                                 maxReplicas: maxReplicas))
    }

    static func service(_ id: String = "svc", name: String = "web", replicas: Int64 = 1,
                        template: TaskSpec = template(), update: UpdateConfig? = nil,
                        rollback: UpdateConfig? = nil, global: Bool = false) -> Service {
        Service(id: id, version: Version(index: 10), createdAt: t0,
                spec: ServiceSpec(name: name, taskTemplate: template, mode: global ? .global : .replicated(replicas),
                                  updateConfig: update, rollbackConfig: rollback))
    }

    static func task(_ id: String, of service: Service, slot: Int = 1, node: String = "n1", state: TaskState = .running,
                     desired: TaskState = .running, at time: Timestamp = t0, created: Timestamp? = nil,
                     spec: TaskSpec? = nil, err: String = "") -> SwarmTask {
        SwarmTask(id: id, version: Version(index: 20), createdAt: created ?? time, updatedAt: time,
                  spec: spec ?? service.spec.taskTemplate, serviceID: service.id, slot: slot, nodeID: node,
                  status: TaskStatus(timestamp: time, state: state, err: err), desiredState: desired)
    }

    /// Sequential ids, so plans are deterministic.
    static func ids() -> () -> String {
        var next = 0
        return {
            next += 1
            return "new\(next)"
        }
    }
}

extension ReconcilePlan {
    var events: [ClusterEvent] { commands.flatMap(\.events) }

    var created: [SwarmTask] {
        events.compactMap { if case .taskCreated(let task) = $0 { task } else { nil } }
    }

    /// Task id → the desired state the plan moves it to.
    var desired: [String: TaskState] {
        var result: [String: TaskState] = [:]
        for case .taskDesiredStateChanged(let id, let state) in events { result[id] = state }
        return result
    }

    var assigned: [String: String] {
        var result: [String: String] = [:]
        for case .taskAssigned(let id, let node, _) in events { result[id] = node }
        return result
    }

    var removed: [String] {
        events.compactMap { if case .taskRemoved(let id) = $0 { id } else { nil } }
    }

    var serviceUpdates: [Service] {
        events.compactMap { if case .serviceUpdated(let service) = $0 { service } else { nil } }
    }
}
