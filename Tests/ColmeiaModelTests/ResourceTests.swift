import Foundation
import Testing

@testable import ColmeiaModel

@Suite("Resources in Docker's JSON shape")
struct ResourceTests {
    @Test("service inspect")
    func service() throws {
        let service = try decode(Service.self, DockerPayloads.serviceInspect)
        #expect(service.id == "9mnpnzenvg8p8tdbtq4wvbkcz")
        #expect(service.version == Version(19))
        #expect(service.createdAt.rfc3339 == "2016-06-07T21:05:51.880065305Z")
        #expect(service.spec.name == "hopeful_cori")
        #expect(service.spec.rollbackConfig?.maxFailureRatio == 0.15)
        #expect(service.endpoint.virtualIPs.map(\.addr) == ["10.255.0.2/16", "10.255.0.3/16"])
        #expect(service.endpoint.ports.first?.publishedPort == 30001)
        #expect(service.updateStatus?.state == .completed)
        #expect(service.updateStatus?.startedAt?.rfc3339 == "2016-06-07T21:06:13.01Z")
        #expect(service.serviceStatus == ServiceStatus(runningTasks: 1, desiredTasks: 1, completedTasks: 0))
        #expect(service.previousSpec == nil)
        #expect(service.objectName == "hopeful_cori")
        #expect(Service.kind == .service)
    }

    @Test("a new service encodes its metadata like dockerd")
    func serviceMetadata() throws {
        let service = Service(
            id: "abc", version: Version(7), createdAt: Timestamp(seconds: 1, nanoseconds: 5),
            updatedAt: Timestamp(seconds: 2), spec: ServiceSpec(name: "web"))
        let json = try tree(of: service)
        #expect(json["ID"] == "abc")
        #expect(json["Version"] == ["Index": 7])
        #expect(json["CreatedAt"] == "1970-01-01T00:00:01.000000005Z")
        #expect(json["UpdatedAt"] == "1970-01-01T00:00:02Z")
        #expect(json["Endpoint"] == ["Spec": [:]])
        #expect(json["PreviousSpec"] == nil)
        #expect(json["UpdateStatus"] == nil)
    }

    @Test("task inspect, with its lifecycle state")
    func task() throws {
        let task = try decode(SwarmTask.self, DockerPayloads.taskInspect)
        #expect(task.status.state == .running)
        #expect(task.desiredState == .running)
        #expect(task.slot == 1)
        #expect(task.status.containerStatus?.pid == 677)
        #expect(task.status.timestamp.rfc3339 == "2016-06-07T21:07:31.290032978Z")
        let attachment = try #require(task.networksAttachments.first)
        #expect(attachment.network.spec.name == "ingress")
        #expect(attachment.network.spec.ingress)
        #expect(attachment.network.ipamOptions?.configs.first?.subnet == "10.255.0.0/16")
        #expect(attachment.addresses == ["10.255.0.10/16"])
        #expect(task.spec.containerSpec?.image == "redis:7")
    }

    @Test("task states are ordered along the lifecycle")
    func taskStateOrder() throws {
        let lifecycle: [TaskState] = [
            .new, .pending, .assigned, .accepted, .preparing, .ready, .starting, .running, .complete, .shutdown,
            .failed, .rejected, .remove, .orphaned,
        ]
        #expect(lifecycle == lifecycle.sorted())
        #expect(TaskState.allCases.sorted() == TaskState.allCases)
        #expect(TaskState.running > .assigned)
        #expect(TaskState.running.hasReached(.starting))
        #expect(!TaskState.pending.hasReached(.assigned))
        #expect(TaskState.failed.isTerminal && TaskState.complete.isTerminal && !TaskState.running.isTerminal)
        #expect(TaskState.allocated > .pending && TaskState.allocated < .assigned)
        #expect(try encodeText(TaskState.preparing) == #""preparing""#)
        #expect(throws: DecodingError.self) { try decode(TaskState.self, #""exploded""#) }
    }

    @Test("node inspect")
    func node() throws {
        let node = try decode(Node.self, DockerPayloads.nodeInspect)
        #expect(node.spec.role == .manager)
        #expect(node.spec.availability == .active)
        #expect(node.spec.labels == ["foo": "bar"])
        #expect(node.description.hostname == "bf3067039e47")
        #expect(node.description.platform == Platform(architecture: "x86_64", os: "linux"))
        #expect(node.description.resources.nanoCPUs == 4_000_000_000)
        #expect(node.description.resources.memoryBytes == 8_272_408_576)
        #expect(node.description.resources.genericResources.first?.namedResourceSpec?.value == "UUID1")
        #expect(node.description.engine.plugins.count == 3)
        #expect(node.description.tlsInfo.certIssuerSubject?.count == 21)
        #expect(node.description.tlsInfo.certIssuerPublicKey == Data(0..<91))
        #expect(node.status.state == .ready)
        #expect(node.status.addr == "172.17.0.2")
        #expect(node.managerStatus?.leader == true)
        #expect(node.managerStatus?.reachability == .reachable)
        #expect(node.objectName == "my-node")
    }

    @Test("swarm inspect, and the cluster info of GET /info")
    func swarm() throws {
        let swarm = try decode(Swarm.self, DockerPayloads.swarmInspect)
        #expect(swarm.spec.name == "default")
        #expect(swarm.spec.orchestration.taskHistoryRetentionLimit == 10)
        #expect(swarm.spec.raft.snapshotInterval == 10000)
        #expect(swarm.spec.raft.keepOldSnapshots == 0)
        #expect(swarm.spec.raft.electionTick == 3)
        #expect(swarm.spec.raft.heartbeatTick == 1)
        #expect(swarm.spec.dispatcher.heartbeatPeriod == 5_000_000_000)
        #expect(swarm.spec.caConfig.nodeCertExpiry == 7_776_000_000_000_000)
        #expect(swarm.spec.caConfig.externalCAs.first?.protocol == .cfssl)
        #expect(swarm.spec.taskDefaults.logDriver?.name == "json-file")
        #expect(!swarm.spec.encryptionConfig.autoLockManagers)
        #expect(swarm.defaultAddrPool == ["10.10.0.0/16", "20.20.0.0/16"])
        #expect(swarm.subnetSize == 24)
        #expect(swarm.dataPathPort == 4789)
        #expect(swarm.joinTokens.worker.hasPrefix("SWMTKN-1-"))
        let info = try tree(of: swarm.clusterInfo)
        #expect(info["JoinTokens"] == nil)
        #expect(info["ID"] == "abajmipo7b4xz5ip2nrla6b11")
        #expect(info["Spec"] == (try tree(of: swarm.spec)))
    }

    @Test("network inspect and create request")
    func network() throws {
        let network = try decode(Network.self, DockerPayloads.networkInspect)
        #expect(network.id.count == 64)
        #expect(network.scope == "swarm")
        #expect(network.driver == "overlay")
        #expect(network.ipam.config == [IPAM.Config(subnet: "10.0.9.0/24", gateway: "10.0.9.1")])
        #expect(network.attachable)
        #expect(network.version == nil)

        let request = try decode(NetworkCreateRequest.self, DockerPayloads.networkCreate)
        try request.validate()
        let created = Network(request: request, id: "nw1", created: Timestamp(seconds: 0))
        #expect(created.name == "shop_backend")
        #expect(created.scope == "swarm")
        #expect(created.driver == "overlay")
        #expect(created.ipam.driver == "default")
        #expect(created.attachable)
        #expect(created.enableIPv4 && !created.enableIPv6)
        let json = try tree(of: created)
        for key in ["Name", "Id", "Created", "Scope", "Driver", "EnableIPv6", "IPAM", "Internal", "Attachable",
            "Ingress", "Options", "Labels", "Containers"]
        {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["Version"] == nil)
        let defaulted = Network(request: NetworkCreateRequest(name: "n"), id: "x", created: .zero)
        #expect(defaulted.driver == "overlay")
        var versioned = created
        versioned.objectVersion = Version(12)
        #expect(try tree(of: versioned)["Version"] == ["Index": 12])
    }

    @Test("secret API output never includes Data")
    func secretRedaction() throws {
        let spec = try decode(SecretSpec.self, DockerPayloads.secretCreate)
        #expect(spec.data == Data("s3cr3t!".utf8))
        let secret = Secret(id: "s1", version: Version(3), spec: spec)
        #expect(try tree(of: secret)["Spec"]?["Data"] == "czNjcjN0IQ==")
        let output = try encodeText(secret.redactedForAPI())
        #expect(!output.contains("Data"))
        #expect(!output.contains("czNjcjN0IQ=="))
        #expect(try tree(output)["Spec"] == ["Name": "db_password", "Labels": [:]])
        // Even a client-supplied "data" member (any case) cannot sneak through extra.
        let sneaky = try decode(SecretSpec.self, #"{"Name":"x","data":"czNjcjN0IQ=="}"#)
        #expect(sneaky.extra.isEmpty)
        #expect(!(try encodeText(Secret(spec: sneaky).redactedForAPI())).contains("czNjcjN0IQ"))
    }

    @Test("config inspect keeps its data")
    func config() throws {
        let config = try decode(Config.self, DockerPayloads.configInspect)
        #expect(String(decoding: try #require(config.spec.data), as: UTF8.self) == "THIS IS NOT A REAL CERTIFICATE\n")
        #expect(config.spec.templating?.name == "golang")
        #expect(throws: DecodingError.self) { try decode(ConfigSpec.self, #"{"Data":"not base64!"}"#) }
    }

    @Test("open enumerations keep unknown values and know their canonical form")
    func openEnums() throws {
        let role = try decode(NodeRole.self, #""Boss""#)
        #expect(role.rawValue == "Boss")
        #expect(!role.isKnown)
        #expect(NodeRole("MANAGER").canonical == .manager)
        #expect(try encodeText(NodeAvailability.drain) == #""drain""#)
        #expect(UpdateState.rollbackCompleted.rawValue == "rollback_completed")
        #expect(RestartCondition.onFailure.description == "on-failure")
        #expect(FailureAction.knownValues == [.pause, .continue, .rollback])
    }
}
