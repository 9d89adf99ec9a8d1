import Foundation

@testable import ColmeiaModel

/// A command touching several kinds of object, used by the encoding tests.
enum CommandSamples {
    static let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)

    static var service: Service {
        Service(
            id: "9mnpnzenvg8p8tdbtq4wvbkcz", version: Version(42), createdAt: time, updatedAt: time,
            spec: ServiceSpec(
                name: "web", labels: ["tier": "front"],
                taskTemplate: TaskSpec(
                    containerSpec: ContainerSpec(image: "nginx:alpine", extra: ["Privileges": ["NoNewPrivileges": true]]),
                    restartPolicy: RestartPolicy(condition: .onFailure, delay: 5_000_000_000, maxAttempts: 3)),
                mode: .replicated(3),
                endpointSpec: EndpointSpec(mode: .vip, ports: [
                    PortConfig(protocol: .tcp, targetPort: 80, publishedPort: 8080, publishMode: .ingress)
                ])),
            endpoint: Endpoint(spec: EndpointSpec(mode: .vip)))
    }

    static var command: ClusterCommand {
        ClusterCommand(
            envelope: CommandEnvelope(
                id: "cmd-1", time: time, actor: .init(kind: .user, id: "admin"), requestID: "req-7"),
            preconditions: [
                .nameAbsent(kind: .service, name: "web"),
                .objectAbsent(kind: .service, id: "9mnpnzenvg8p8tdbtq4wvbkcz"),
                .objectVersion(kind: .node, id: "node1", index: 17),
                .objectExists(kind: .network, id: "net1"),
            ],
            events: [
                .serviceCreated(service),
                .taskStatusChanged(
                    taskID: "task1",
                    status: TaskStatus(
                        timestamp: time, state: .running, message: "started",
                        containerStatus: ContainerStatus(containerID: "c0ffee", pid: 42, exitCode: 0))),
                .nodeUpdated(Node(id: "node1", version: Version(17), spec: NodeSpec(role: .worker, availability: .drain))),
                .secretRemoved(id: "sec1"),
            ])
    }
}
