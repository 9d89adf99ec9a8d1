import Foundation
import Testing

@testable import ColmeiaModel

@Suite("ServiceSpec JSON")
struct ServiceSpecTests {
    @Test("docker service create body decodes into the expected spec")
    func cliCreateBody() throws {
        let spec = try decode(ServiceSpec.self, DockerPayloads.serviceCreate)
        #expect(spec.name == "web")
        #expect(spec.mode.replicated?.replicas == 3)
        #expect(spec.mode.kind == .replicated(replicas: 3))
        #expect(spec.taskTemplate.containerSpec?.image.hasPrefix("nginx:alpine@sha256:") == true)
        #expect(spec.taskTemplate.containerSpec?.initProcess == false)
        #expect(spec.taskTemplate.containerSpec?.isolation == "default")
        #expect(spec.taskTemplate.placement?.constraints == ["node.role==manager"])
        #expect(spec.taskTemplate.restartPolicy?.condition == .onFailure)
        #expect(spec.taskTemplate.restartPolicy?.delay == 5_000_000_000)
        #expect(spec.taskTemplate.restartPolicy?.maxAttempts == 0)
        #expect(spec.taskTemplate.restartPolicy?.window == nil)
        #expect(spec.taskTemplate.runtime == .container)
        #expect(spec.updateConfig?.parallelism == 2)
        #expect(spec.updateConfig?.failureAction == .pause)
        #expect(spec.updateConfig?.order == .stopFirst)
        #expect(spec.updateConfig?.monitor == 5_000_000_000)
        #expect(spec.rollbackConfig == nil)
        #expect(spec.endpointSpec?.mode == .vip)
        let port = try #require(spec.endpointSpec?.ports.first)
        #expect(port.protocol == .tcp)
        #expect(port.targetPort == 80)
        #expect(port.publishedPort == 8080)
        #expect(port.publishMode == .ingress)
        #expect(spec.extra.isEmpty)
        try spec.validate()
    }

    @Test("docker service create bodies round-trip with no member lost or added")
    func roundTrips() throws {
        _ = try expectRoundTrip(ServiceSpec.self, DockerPayloads.serviceCreate)
        let full = try expectRoundTrip(ServiceSpec.self, DockerPayloads.serviceCreateFull)
        try full.validate()
    }

    @Test("the full body is modelled where Colmeia needs it")
    func fullBody() throws {
        let spec = try decode(ServiceSpec.self, DockerPayloads.serviceCreateFull)
        let container = try #require(spec.taskTemplate.containerSpec)
        #expect(container.command == ["/bin/api"])
        #expect(container.args == ["--port", "8080"])
        #expect(container.env == ["MODE=production", "LOG=info"])
        #expect(container.mounts.map(\.type) == [.volume, .bind, .tmpfs])
        #expect(container.mounts[0].volumeOptions?.noCopy == true)
        #expect(container.mounts[1].bindOptions?.propagation == "rprivate")
        #expect(container.mounts[2].tmpfsOptions?.sizeBytes == 67_108_864)
        #expect(container.mounts[2].tmpfsOptions?.extra["Options"] == [["noexec"]])
        #expect(container.stopGracePeriod == 30_000_000_000)
        #expect(container.healthcheck?.test == ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"])
        #expect(container.healthcheck?.retries == 3)
        #expect(container.secrets.first?.file?.mode == 0o444)
        #expect(container.secrets.first?.secretName == "db_password")
        #expect(container.configs[1].runtime != nil)
        #expect(container.configs[1].file == nil)
        #expect(container.ulimits == [Ulimit(name: "nofile", hard: 65536, soft: 32768)])
        #expect(container.oomScoreAdj == -500)
        #expect(container.extra["Privileges"]?["NoNewPrivileges"] == true)
        #expect(container.extra["FutureOption"]?["Nested"]?.arrayValue?.count == 6)
        let resources = try #require(spec.taskTemplate.resources)
        #expect(resources.limits?.nanoCPUs == 1_500_000_000)
        #expect(resources.limits?.pids == 100)
        #expect(resources.reservations?.genericResources.first?.discreteResourceSpec?.kind == "gpu")
        #expect(resources.swapBytes == 0)
        #expect(spec.taskTemplate.placement?.preferences.first?.spread?.spreadDescriptor == "node.labels.datacenter")
        #expect(spec.taskTemplate.placement?.platforms == [Platform(architecture: "amd64", os: "linux")])
        #expect(spec.taskTemplate.networks.first?.aliases == ["api"])
        #expect(spec.taskTemplate.logDriver?.options["max-size"] == "10m")
        #expect(spec.updateConfig?.maxFailureRatio == 0.25)
        #expect(spec.updateConfig?.order == .startFirst)
        #expect(spec.rollbackConfig?.parallelism == 1)
        #expect(spec.endpointSpec?.ports[1].publishMode == .host)
        #expect(spec.endpointSpec?.ports[1].protocol == .udp)
    }

    @Test("omitempty members are left out and Labels is always written, as Go does")
    func goEncodingConventions() throws {
        let spec = ServiceSpec(name: "web", taskTemplate: TaskSpec(containerSpec: ContainerSpec(image: "nginx")))
        let json = try encodeText(spec)
        #expect(json == #"{"Labels":{},"Mode":{},"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx"},"ForceUpdate":0}}"#)
    }

    @Test("keys match case-insensitively like Go's encoding/json, exact match preferred")
    func caseInsensitiveKeys() throws {
        let spec = try decode(ServiceSpec.self, #"{"name":"web","taskTemplate":{"containerspec":{"IMAGE":"nginx"}}}"#)
        #expect(spec.name == "web")
        #expect(spec.taskTemplate.containerSpec?.image == "nginx")
        #expect(spec.extra.isEmpty)
        let both = try decode(ServiceSpec.self, #"{"name":"lower","Name":"exact"}"#)
        #expect(both.name == "exact")
    }

    @Test("null members decode as absent")
    func nullMembers() throws {
        let spec = try decode(ServiceSpec.self, #"{"Name":"web","Labels":null,"UpdateConfig":null,"TaskTemplate":{"Networks":null}}"#)
        #expect(spec.labels.isEmpty)
        #expect(spec.updateConfig == nil)
        #expect(spec.taskTemplate.networks.isEmpty)
    }

    @Test("a wrongly typed member is a decoding error")
    func typeMismatch() {
        #expect(throws: DecodingError.self) {
            try decode(ServiceSpec.self, #"{"Name": 42}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(ServiceSpec.self, #"{"Mode": {"Replicated": {"Replicas": "three"}}}"#)
        }
    }

    @Test("mode defaults follow dockerd")
    func modeDefaults() {
        #expect(ServiceMode().kind == .replicated(replicas: 1))
        #expect(ServiceMode(replicated: .init()).kind == .replicated(replicas: 1))
        #expect(ServiceMode.global.kind == .global)
        #expect(ServiceMode(globalJob: .init()).kind == .globalJob)
        #expect(ServiceMode(replicatedJob: .init()).kind == .replicatedJob(maxConcurrent: 1, totalCompletions: 1))
        #expect(
            ServiceMode(replicatedJob: .init(maxConcurrent: 4)).kind == .replicatedJob(maxConcurrent: 4, totalCompletions: 4))
        #expect(ServiceMode(replicated: .init(replicas: 2), global: .init()).kind == nil)
        #expect(ServiceMode().normalized == .replicated(1))
        #expect(ServiceMode(globalJob: .init()).kind?.isJob == true)
    }
}
