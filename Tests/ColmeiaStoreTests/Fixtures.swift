import ColmeiaModel
import Foundation
@testable import ColmeiaStore

/// Builds commands the way the API will: ids and times chosen by the proposer.
struct CommandFactory {
    var clock: Int64 = 1_700_000_000
    var sequence = 0

    mutating func envelope(actor: String = "alice") -> CommandEnvelope {
        sequence += 1
        clock += 1
        // Unique per factory start (the clock) as well: apply skips a command id it has applied.
        return CommandEnvelope(id: "cmd-\(clock)-\(sequence)", time: Timestamp(seconds: clock, nanoseconds: 123_456_789),
                               actor: .init(kind: .user, id: actor), requestID: "req-\(sequence)")
    }

    static func service(_ id: String, name: String, replicas: Int64 = 1, labels: [String: String] = [:],
                        image: String = "nginx:alpine") -> Service {
        Service(id: id, spec: ServiceSpec(name: name, labels: labels,
                                          taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: image)),
                                          mode: .replicated(replicas)))
    }

    static func task(_ id: String, service: String, slot: Int, node: String = "", state: TaskState = .running) -> SwarmTask {
        SwarmTask(id: id, name: "", spec: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine")),
                  serviceID: service, slot: slot, nodeID: node, status: TaskStatus(state: state), desiredState: .running)
    }

    mutating func createService(_ service: Service) -> ClusterCommand {
        ClusterCommand(envelope: envelope(), preconditions: [.nameAbsent(kind: .service, name: service.spec.name)],
                       events: [.serviceCreated(service)])
    }

    /// A realistic mixed log: services, tasks, secrets, updates with versions, removals,
    /// status changes and one rejected command.
    mutating func sampleLog() -> [ClusterCommand] {
        var log: [ClusterCommand] = []
        log.append(ClusterCommand(envelope: envelope(actor: "node1"), events: [.nodeCreated(Node(
            id: "node1", spec: NodeSpec(labels: ["az": "a"], role: "manager", availability: "active"),
            description: NodeDescription(hostname: "manager-1")))]))
        log.append(createService(Self.service("svc1", name: "web", replicas: 3, labels: ["tier": "front"])))
        log.append(createService(Self.service("svc2", name: "api", labels: ["tier": "back"])))
        log.append(ClusterCommand(envelope: envelope(actor: "orchestrator"), events: (1...3).map {
            .taskCreated(Self.task("task\($0)", service: "svc1", slot: $0, node: "node1"))
        }))
        log.append(ClusterCommand(envelope: envelope(), events: [.secretCreated(Secret(
            id: "sec1", spec: SecretSpec(name: "db-password", labels: ["env": "prod"], data: Data("hunter2".utf8))))]))
        var updated = Self.service("svc1", name: "web", replicas: 5, labels: ["tier": "front"])
        updated.spec.labels["rev"] = "2"
        // svc1 was created by the second command: it is at version 2.
        log.append(ClusterCommand(envelope: envelope(), preconditions: [.objectVersion(kind: .service, id: "svc1", index: 2)],
                                  events: [.serviceUpdated(updated)]))
        log.append(createService(Self.service("svc3", name: "web")))  // name conflict: rejected
        log.append(ClusterCommand(envelope: envelope(actor: "node1"), events: [
            .taskStatusChanged(taskID: "task2", status: TaskStatus(state: .failed, err: "task: non-zero exit (137)")),
        ]))
        log.append(ClusterCommand(envelope: envelope(), events: [.serviceRemoved(id: "svc2")]))
        return log
    }
}

func temporaryPath(_ name: String = "state.db") -> String {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-store-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory + "/" + name
}

func removeStore(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
}

/// Everything a client can read, as canonical JSON text, to compare two stores.
func dump(_ store: ClusterStore) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var parts: [String] = []
    parts.append(String(decoding: try encoder.encode(try store.list(Service.self)), as: UTF8.self))
    parts.append(String(decoding: try encoder.encode(try store.list(SwarmTask.self)), as: UTF8.self))
    parts.append(String(decoding: try encoder.encode(try store.list(Secret.self)), as: UTF8.self))
    parts.append(String(decoding: try encoder.encode(try store.list(Node.self)), as: UTF8.self))
    let audit = try store.audit(AuditQuery(limit: 10_000)).records
    parts += audit.map { "\($0.index)/\($0.ordinal) \($0.time) \($0.actor.id) \($0.type) \($0.objectID) \($0.payload)" }
    parts.append("applied=\(store.applied.index)")
    return parts.joined(separator: "\n")
}
