import ArgumentParser
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation

/// Figures for the event-sourced store on one node with fsync, and the crash-test load
/// generator used by the tests. Prints figures; asserts nothing.
@main
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colmeia-store-bench",
        abstract: "Measure propose→apply on one Colmeia node, and rebuilding read models from the log.",
        discussion: """
            Examples:
              colmeia-store-bench throughput --proposers 1,64 --seconds 5
              colmeia-store-bench rebuild --events 100000
              colmeia-store-bench load --data-dir /tmp/n1     # prints "ack <command> <index>" until killed
            """,
        subcommands: [Throughput.self, Rebuild.self, Load.self]
    )
}

/// Builds distinct service-create commands, the most common write.
struct CommandMaker: Sendable {
    let prefix: String

    func serviceCreate(_ number: Int, tasks: Int = 0) -> ClusterCommand {
        let name = "\(prefix)-\(number)"
        let serviceID = "svc-\(name)"
        let service = Service(id: serviceID, spec: ServiceSpec(
            name: name, labels: ["bench": prefix],
            taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx:alpine")), mode: .replicated(Int64(tasks))))
        var events: [ClusterEvent] = [.serviceCreated(service)]
        for slot in 0..<tasks {
            events.append(.taskCreated(SwarmTask(id: "task-\(name)-\(slot)", spec: service.spec.taskTemplate,
                                                 serviceID: serviceID, slot: slot + 1, desiredState: .running)))
        }
        let now = Date().timeIntervalSince1970
        return ClusterCommand(
            envelope: CommandEnvelope(id: "cmd-\(name)", time: Timestamp(seconds: Int64(now), nanoseconds: 0),
                                      actor: .init(kind: .user, id: "bench")),
            preconditions: [.nameAbsent(kind: .service, name: name)], events: events)
    }
}

func temporaryDirectory(_ label: String) -> String {
    FileManager.default.temporaryDirectory.path + "/colmeia-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
}

func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
    guard !sorted.isEmpty else { return .zero }
    return sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1))]
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.3f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}
