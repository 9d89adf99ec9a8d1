import Foundation
import Testing

@testable import ColmeiaModel

@Suite("ClusterCommand log encoding")
struct ClusterCommandTests {
    /// Written by the first version of the format (2026). Never edit: old logs must stay readable.
    static let formatV1Fixture = #"""
        {"envelope":{"actor":{"id":"admin","kind":"user"},"id":"cmd-1","requestID":"req-7","time":"2023-11-14T22:13:20.123456789Z"},"events":[{"object":{"CreatedAt":"2023-11-14T22:13:20.123456789Z","Endpoint":{"Spec":{"Mode":"vip"}},"ID":"9mnpnzenvg8p8tdbtq4wvbkcz","Spec":{"EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","PublishMode":"ingress","PublishedPort":8080,"TargetPort":80}]},"Labels":{"tier":"front"},"Mode":{"Replicated":{"Replicas":3}},"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:alpine","Privileges":{"NoNewPrivileges":true}},"ForceUpdate":0,"RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":3}}},"UpdatedAt":"2023-11-14T22:13:20.123456789Z","Version":{"Index":42}},"type":"service.created"},{"id":"task1","status":{"ContainerStatus":{"ContainerID":"c0ffee","ExitCode":0,"PID":42},"Message":"started","PortStatus":{},"State":"running","Timestamp":"2023-11-14T22:13:20.123456789Z"},"type":"task.status_changed"},{"object":{"CreatedAt":"0001-01-01T00:00:00Z","Description":{"Engine":{},"Platform":{},"Resources":{},"TLSInfo":{}},"ID":"node1","Spec":{"Availability":"drain","Labels":{},"Role":"worker"},"Status":{},"UpdatedAt":"0001-01-01T00:00:00Z","Version":{"Index":17}},"type":"node.updated"},{"id":"sec1","type":"secret.removed"}],"preconditions":[{"kind":"service","name":"web","type":"name_absent"},{"id":"9mnpnzenvg8p8tdbtq4wvbkcz","kind":"service","type":"object_absent"},{"id":"node1","index":17,"kind":"node","type":"object_version"},{"id":"net1","kind":"network","type":"object_exists"}],"v":1}
        """#

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a command written by format version 1 still decodes")
    func fixtureDecodes() throws {
        let command = try ClusterCommand(encoded: Self.bytes(Self.formatV1Fixture))
        #expect(command == CommandSamples.command)
        #expect(command.envelope.actor == .init(kind: .user, id: "admin"))
        #expect(command.envelope.time.rfc3339 == "2023-11-14T22:13:20.123456789Z")
        #expect(command.events.map(\.type) == ["service.created", "task.status_changed", "node.updated", "secret.removed"])
        guard case .serviceCreated(let service) = command.events[0] else {
            Issue.record("first event is not service.created")
            return
        }
        #expect(service.spec.taskTemplate.containerSpec?.extra["Privileges"] == ["NoNewPrivileges": true])
    }

    @Test("encoding is stable: today's bytes equal the fixture")
    func encodingIsStable() throws {
        let encoded = String(decoding: try CommandSamples.command.encoded(), as: UTF8.self)
        #expect(encoded == Self.formatV1Fixture)
        #expect(try CommandSamples.command.encoded() == CommandSamples.command.encoded())
    }

    @Test("every event and precondition round-trips")
    func everyEventRoundTrips() throws {
        let time = CommandSamples.time
        let secret = Secret(id: "s1", spec: SecretSpec(name: "pw", data: Data("hunter2".utf8)))
        let events: [ClusterEvent] = [
            .clusterCreated(try decode(Swarm.self, DockerPayloads.swarmInspect)),
            .clusterUpdated(Swarm(id: "c1")),
            .nodeCreated(try decode(Node.self, DockerPayloads.nodeInspect)),
            .nodeUpdated(Node(id: "n1")),
            .nodeRemoved(id: "n1"),
            .serviceCreated(try decode(Service.self, DockerPayloads.serviceInspect)),
            .serviceUpdated(CommandSamples.service),
            .serviceRemoved(id: "svc"),
            .taskCreated(try decode(SwarmTask.self, DockerPayloads.taskInspect)),
            .taskUpdated(SwarmTask(id: "t1", desiredState: .shutdown)),
            .taskRemoved(id: "t1"),
            .taskStatusChanged(taskID: "t1", status: TaskStatus(timestamp: time, state: .failed, err: "exit 1")),
            .secretCreated(secret),
            .secretUpdated(secret),
            .secretRemoved(id: "s1"),
            .configCreated(try decode(Config.self, DockerPayloads.configInspect)),
            .configUpdated(Config(id: "cf")),
            .configRemoved(id: "cf"),
            .networkCreated(try decode(Network.self, DockerPayloads.networkInspect)),
            .networkUpdated(Network(name: "n", id: "nw")),
            .networkRemoved(id: "nw"),
        ]
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: "c", time: time, actor: .init(kind: .reconciler, id: "orchestrator")),
            preconditions: [.objectVersion(kind: .service, id: "svc", index: UInt64.max)],
            events: events)
        let decoded = try ClusterCommand(encoded: command.encoded())
        #expect(decoded == command)
        #expect(decoded.envelope.requestID == nil)
        #expect(Set(events.map(\.type)).count == events.count)
    }

    @Test("events know their type, kind and object id")
    func eventMetadata() {
        #expect(ClusterEvent.serviceCreated(CommandSamples.service).type == "service.created")
        #expect(ClusterEvent.serviceCreated(CommandSamples.service).objectID == "9mnpnzenvg8p8tdbtq4wvbkcz")
        #expect(ClusterEvent.serviceCreated(CommandSamples.service).object?.objectName == "web")
        #expect(ClusterEvent.taskStatusChanged(taskID: "t9", status: TaskStatus()).type == "task.status_changed")
        #expect(ClusterEvent.taskStatusChanged(taskID: "t9", status: TaskStatus()).objectID == "t9")
        #expect(ClusterEvent.taskStatusChanged(taskID: "t9", status: TaskStatus()).objectKind == .task)
        #expect(ClusterEvent.networkRemoved(id: "n").type == "network.removed")
        #expect(ClusterEvent.networkRemoved(id: "n").object == nil)
        #expect(ClusterEvent.clusterUpdated(Swarm(id: "c")).objectKind == .cluster)
        #expect(ClusterEvent.configUpdated(Config(id: "x")).action == .updated)
    }

    @Test("redaction removes secret data from events")
    func redaction() throws {
        let secret = Secret(id: "s1", spec: SecretSpec(name: "pw", data: Data("hunter2".utf8)))
        let event = ClusterEvent.secretCreated(secret).redacted()
        guard case .secretCreated(let redacted) = event else {
            Issue.record("kind changed")
            return
        }
        #expect(redacted.spec.data == nil)
        #expect(redacted.spec.name == "pw")
        let text = try encodeText(event)
        #expect(!text.contains(Data("hunter2".utf8).base64EncodedString()))
        #expect(ClusterEvent.serviceRemoved(id: "x").redacted() == .serviceRemoved(id: "x"))
    }

    @Test("unknown members are ignored (forward compatible)")
    func unknownMembersIgnored() throws {
        let text = #"""
            {"v":1,"future":{"a":1},"envelope":{"id":"c","time":"2023-11-14T22:13:20Z","actor":{"kind":"node","id":"n1","extra":true},"trace":"x"},
             "events":[{"type":"service.removed","id":"s","reason":"gc"}],
             "preconditions":[{"type":"object_exists","kind":"service","id":"s","hint":1}]}
            """#
        let command = try ClusterCommand(encoded: Self.bytes(text))
        #expect(command.events == [.serviceRemoved(id: "s")])
        #expect(command.preconditions == [.objectExists(kind: .service, id: "s")])
        #expect(command.envelope.actor == .init(kind: .node, id: "n1"))
    }

    @Test("a newer format version is refused with a clear error")
    func futureVersion() {
        #expect(throws: CommandDecodingError.unsupportedVersion(2)) {
            try ClusterCommand(encoded: Self.bytes(#"{"v":2,"whatever":[]}"#))
        }
        #expect(throws: CommandDecodingError.unsupportedVersion(0)) {
            try ClusterCommand(encoded: Self.bytes(#"{"v":0}"#))
        }
        #expect(CommandDecodingError.unsupportedVersion(2).description.contains("format version 2 is not supported"))
    }

    @Test("bytes without a version are refused")
    func missingVersion() {
        for text in ["", "garbage", "[]", #"{"envelope":{}}"#, #"{"v":"1"}"#] {
            #expect(throws: CommandDecodingError.missingVersion) { try ClusterCommand(encoded: Self.bytes(text)) }
        }
    }

    @Test("unknown event and precondition types are refused, not skipped")
    func unknownTypes() {
        let envelope = #""envelope":{"id":"c","time":"2023-11-14T22:13:20Z","actor":{"kind":"user","id":"u"}}"#
        #expect(throws: CommandDecodingError.unknownEventType("volume.created")) {
            try ClusterCommand(encoded: Self.bytes(#"{"v":1,"# + envelope + #","events":[{"type":"volume.created","id":"x"}]}"#))
        }
        #expect(throws: CommandDecodingError.unknownPreconditionType("quorum_ok")) {
            try ClusterCommand(encoded: Self.bytes(#"{"v":1,"# + envelope + #","preconditions":[{"type":"quorum_ok","kind":"node"}]}"#))
        }
    }

    @Test("malformed version-1 commands are reported with a path")
    func malformed() throws {
        do {
            _ = try ClusterCommand(encoded: Self.bytes(#"{"v":1,"events":[]}"#))
            Issue.record("decoded without an envelope")
        } catch {
            #expect(error == .malformed("missing .envelope"))
        }
        do {
            _ = try ClusterCommand(
                encoded: Self.bytes(#"{"v":1,"envelope":{"id":"c","time":"later","actor":{"kind":"user","id":"u"}}}"#))
            Issue.record("decoded a bad time")
        } catch {
            guard case .malformed(let detail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(detail.contains("envelope.time"))
        }
    }

    @Test("preconditions describe their failure in Docker's words")
    func preconditionMessages() {
        #expect(Precondition.objectVersion(kind: .service, id: "s", index: 3).failureMessage == "update out of sequence")
        #expect(Precondition.nameAbsent(kind: .service, name: "web").failureMessage
            == "name conflicts with an existing object: service web already exists")
        #expect(Precondition.objectExists(kind: .node, id: "n1").failureMessage == "node n1 not found")
        #expect(Precondition.objectAbsent(kind: .secret, id: "s").failureMessage == "secret s already exists")
        #expect(Precondition.nameAbsent(kind: .config, name: "c").kind == .config)
    }
}
