import Foundation
import Testing

@testable import ColmeiaModel

@Suite("ClusterCommand validation")
struct ClusterCommandValidationTests {
    static func command(_ events: [ClusterEvent]) -> ClusterCommand {
        ClusterCommand(
            envelope: CommandEnvelope(id: "c", time: CommandSamples.time, actor: .init(kind: .user, id: "u")),
            events: events)
    }

    @Test("commands with valid specs pass")
    func valid() throws {
        try CommandSamples.command.validate()
        try Self.command([
            .clusterCreated(try decode(Swarm.self, DockerPayloads.swarmInspect)),
            .secretCreated(Secret(id: "s", spec: try decode(SecretSpec.self, DockerPayloads.secretCreate))),
            .configCreated(try decode(Config.self, DockerPayloads.configInspect)),
            .networkCreated(try decode(Network.self, DockerPayloads.networkInspect)),
            .taskCreated(SwarmTask(id: "t")),
            .serviceRemoved(id: "gone"),
        ]).validate()
    }

    @Test("the first invalid spec carried by an event is reported")
    func invalid() {
        var service = CommandSamples.service
        service.spec.taskTemplate.containerSpec?.image = ""
        #expect(throws: ValidationError(field: "TaskTemplate.ContainerSpec.Image", message: "ContainerSpec: image reference must be provided")) {
            try Self.command([.serviceRemoved(id: "x"), .serviceUpdated(service)]).validate()
        }
        #expect(throws: ValidationError(field: "Availability", message: "invalid Availability: \"\"")) {
            try Self.command([.nodeUpdated(Node(id: "n", spec: NodeSpec(role: .worker)))]).validate()
        }
        #expect(throws: ValidationError(field: "Data", message: "secret data must be larger than 0 and less than 512000 bytes")) {
            try Self.command([.secretCreated(Secret(spec: SecretSpec(name: "pw")))]).validate()
        }
        #expect(throws: ValidationError(field: "Name", message: "name must be provided")) {
            try Self.command([.configUpdated(Config(spec: ConfigSpec(data: Data("x".utf8))))]).validate()
        }
        #expect(throws: ValidationError(field: "Name", message: "modification of cluster name is not allowed")) {
            try Self.command([.clusterUpdated(Swarm(spec: SwarmSpec(name: "mine")))]).validate()
        }
        #expect(throws: ValidationError(field: "Attachable", message: "ingress network cannot be attachable")) {
            try Self.command([.networkCreated(Network(name: "ingress", attachable: true, ingress: true))]).validate()
        }
        #expect(throws: ValidationError(field: "IPAM.Config[0].Subnet", message: "ipam configuration: invalid subnet x")) {
            try Self.command([.networkUpdated(Network(name: "n", ipam: IPAM(config: [.init(subnet: "x")])))]).validate()
        }
    }
}
