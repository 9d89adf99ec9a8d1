import Foundation
import Testing

@testable import ColmeiaModel

@Suite("Unknown fields are preserved")
struct UnknownFieldsTests {
    @Test("every Docker payload round-trips untouched")
    func payloadsRoundTrip() throws {
        _ = try expectRoundTrip(Service.self, DockerPayloads.serviceInspect)
        _ = try expectRoundTrip(SwarmTask.self, DockerPayloads.taskInspect)
        _ = try expectRoundTrip(Node.self, DockerPayloads.nodeInspect)
        _ = try expectRoundTrip(Swarm.self, DockerPayloads.swarmInspect)
        _ = try expectRoundTrip(Network.self, DockerPayloads.networkInspect)
        _ = try expectRoundTrip(NetworkCreateRequest.self, DockerPayloads.networkCreate)
        _ = try expectRoundTrip(SecretSpec.self, DockerPayloads.secretCreate)
        _ = try expectRoundTrip(Secret.self, DockerPayloads.secretInspect)
        _ = try expectRoundTrip(Config.self, DockerPayloads.configInspect)
    }

    @Test("members a type does not model land in extra, at every level")
    func extraAtEveryLevel() throws {
        let json = """
            {"Name":"web","Labels":{},"Future":1,"TaskTemplate":{"ForceUpdate":0,"Later":[true],"ContainerSpec":{"Image":"nginx","Privileges":{"NoNewPrivileges":true}}},
             "Mode":{"Replicated":{"Replicas":1,"Autoscale":{"Max":9}}},"EndpointSpec":{"Ports":[{"TargetPort":80,"Sticky":"yes"}]}}
            """
        let spec = try expectRoundTrip(ServiceSpec.self, json)
        #expect(spec.extra == ["Future": 1])
        #expect(spec.taskTemplate.extra == ["Later": [true]])
        #expect(spec.taskTemplate.containerSpec?.extra == ["Privileges": ["NoNewPrivileges": true]])
        #expect(spec.mode.replicated?.extra == ["Autoscale": ["Max": 9]])
        #expect(spec.endpointSpec?.ports.first?.extra == ["Sticky": "yes"])
    }

    @Test("unknown members of Node, Task, Network and requests are kept")
    func otherResources() throws {
        let node = try decode(Node.self, DockerPayloads.nodeInspect)
        #expect(node.description.extra["CSIInfo"]?.arrayValue?.count == 1)
        let task = try decode(SwarmTask.self, DockerPayloads.taskInspect)
        #expect(task.extra["AssignedGenericResources"] != nil)
        let network = try decode(Network.self, DockerPayloads.networkInspect)
        #expect(network.extra["Peers"]?.arrayValue?.first?["IP"] == "10.133.77.91")
        let request = try decode(NetworkCreateRequest.self, DockerPayloads.networkCreate)
        #expect(request.extra == ["CheckDuplicate": true])
    }

    @Test("an extra member that collides with a modelled key is not written twice")
    func modelledKeyWins() throws {
        var spec = ServiceSpec(name: "web")
        spec.extra = ["name": "shadow", "Name": "shadow", "Other": 1]
        let json = try encodeText(spec)
        #expect(json == #"{"Labels":{},"Mode":{},"Name":"web","Other":1,"TaskTemplate":{"ForceUpdate":0}}"#)
    }

    @Test("values survive a change of the modelled members")
    func editingKeepsExtra() throws {
        var spec = try decode(ServiceSpec.self, DockerPayloads.serviceCreateFull)
        spec.mode = .replicated(2)
        spec.taskTemplate.containerSpec?.image = "registry.example.com:5000/shop/api:1.5.0"
        let again = try decode(ServiceSpec.self, try encodeText(spec))
        #expect(again.taskTemplate.containerSpec?.extra["FutureOption"] != nil)
        #expect(again.taskTemplate.containerSpec?.extra["Privileges"] != nil)
        #expect(again.mode.replicated?.replicas == 2)
    }
}
