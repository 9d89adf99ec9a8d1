import Foundation
import Testing

@testable import ColmeiaModel

/// One invalid service spec and the error dockerd/SwarmKit give for it.
struct ServiceSpecCase: Sendable, CustomTestStringConvertible {
    var message: String
    var field: String
    var change: @Sendable (inout ServiceSpec) -> Void

    var testDescription: String { message }
}

private func container(_ spec: inout ServiceSpec, _ change: (inout ContainerSpec) -> Void) {
    var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
    change(&container)
    spec.taskTemplate.containerSpec = container
}

private let secret = SecretReference(
    file: ReferenceFileTarget(name: "pw", uid: "0", gid: "0", mode: 0o444), secretID: "s1", secretName: "pw")
private let config = ConfigReference(
    file: ReferenceFileTarget(name: "/etc/app.conf", uid: "0", gid: "0", mode: 0o444), configID: "c1",
    configName: "app")

let serviceSpecCases: [ServiceSpecCase] = [
    // Names (SwarmKit validateAnnotations).
    .init(message: "meta: name must be provided", field: "Name") { $0.name = "" },
    .init(message: "name must be valid as a DNS name component", field: "Name") { $0.name = "-web" },
    .init(message: "name must be valid as a DNS name component", field: "Name") { $0.name = "web-" },
    .init(message: "name must be valid as a DNS name component", field: "Name") { $0.name = "web.app" },
    .init(message: "name must be valid as a DNS name component", field: "Name") { $0.name = "wéb" },
    .init(message: "name must be 63 characters or fewer", field: "Name") { $0.name = String(repeating: "a", count: 64) },
    // Runtime (dockerd).
    .init(message: "mismatched Runtime and *Spec fields", field: "TaskTemplate.ContainerSpec") {
        $0.taskTemplate.containerSpec = nil
    },
    .init(message: "unsupported runtime", field: "TaskTemplate.Runtime") { $0.taskTemplate.runtime = "attachment" },
    .init(message: "mismatched Runtime and *Spec fields", field: "TaskTemplate.PluginSpec") {
        $0.taskTemplate.runtime = .plugin
    },
    .init(message: "runtime type \"plugin\" only supported in experimental", field: "TaskTemplate.Runtime") {
        $0.taskTemplate.runtime = .plugin
        $0.taskTemplate.extra["PluginSpec"] = ["Name": "vieux/sshfs"]
    },
    // Restart policy.
    .init(message: "invalid RestartCondition: \"sometimes\"", field: "TaskTemplate.RestartPolicy.Condition") {
        $0.taskTemplate.restartPolicy?.condition = "sometimes"
    },
    .init(message: "TaskSpec: restart-delay cannot be negative", field: "TaskTemplate.RestartPolicy.Delay") {
        $0.taskTemplate.restartPolicy?.delay = -1
    },
    .init(message: "TaskSpec: restart-window cannot be negative", field: "TaskTemplate.RestartPolicy.Window") {
        $0.taskTemplate.restartPolicy?.window = -5_000_000_000
    },
    .init(message: "TaskSpec: restart-max-attempts cannot be negative", field: "TaskTemplate.RestartPolicy.MaxAttempts") {
        $0.taskTemplate.restartPolicy?.maxAttempts = -1
    },
    // Update and rollback config.
    .init(message: "unrecognized update failure action explode", field: "UpdateConfig.FailureAction") {
        $0.updateConfig?.failureAction = "explode"
    },
    .init(message: "unrecognized update order sideways", field: "UpdateConfig.Order") { $0.updateConfig?.order = "sideways" },
    .init(message: "unrecognized update failure action nope", field: "RollbackConfig.FailureAction") {
        $0.rollbackConfig = UpdateConfig(failureAction: "nope")
    },
    .init(message: "TaskSpec: update-delay cannot be negative", field: "UpdateConfig.Delay") { $0.updateConfig?.delay = -1 },
    .init(message: "TaskSpec: update-monitor cannot be negative", field: "UpdateConfig.Monitor") {
        $0.updateConfig?.monitor = -1
    },
    .init(message: "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1", field: "UpdateConfig.MaxFailureRatio") {
        $0.updateConfig?.maxFailureRatio = 1.5
    },
    .init(message: "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1", field: "UpdateConfig.MaxFailureRatio") {
        $0.updateConfig?.maxFailureRatio = -0.1
    },
    .init(message: "TaskSpec: rollback-delay cannot be negative", field: "RollbackConfig.Delay") {
        $0.rollbackConfig = UpdateConfig(delay: -3)
    },
    // Mode.
    .init(message: "must specify only one service mode", field: "Mode") { $0.mode.global = .init() },
    .init(message: "must specify only one service mode", field: "Mode") {
        $0.mode = ServiceMode(replicatedJob: .init(), globalJob: .init())
    },
    .init(message: "Number of replicas must be non-negative", field: "Mode.Replicated.Replicas") { $0.mode = .replicated(-1) },
    .init(message: "Maximum concurrent jobs must not be negative", field: "Mode.ReplicatedJob.MaxConcurrent") {
        $0.mode = ServiceMode(replicatedJob: .init(maxConcurrent: -2))
        $0.updateConfig = nil
    },
    .init(message: "Total completed jobs must not be negative", field: "Mode.ReplicatedJob.TotalCompletions") {
        $0.mode = ServiceMode(replicatedJob: .init(totalCompletions: -2))
        $0.updateConfig = nil
    },
    .init(message: "Jobs may not have an update config", field: "UpdateConfig") { $0.mode = ServiceMode(globalJob: .init()) },
    // Endpoint.
    .init(message: "invalid resolution mode: \"roundrobin\"", field: "EndpointSpec.Mode") {
        $0.endpointSpec?.mode = "roundrobin"
    },
    .init(message: "EndpointSpec: port published with ingress mode can't be used with dnsrr mode", field: "EndpointSpec.Ports[0].PublishMode") {
        $0.endpointSpec?.mode = .dnsrr
    },
    .init(message: "EndpointSpec: duplicate published ports provided", field: "EndpointSpec.Ports[1].PublishedPort") {
        $0.endpointSpec?.ports.append(PortConfig(protocol: .tcp, targetPort: 81, publishedPort: 8080, publishMode: .host))
    },
    .init(message: "EndpointSpec: duplicate published ports provided", field: "EndpointSpec.Ports[1].PublishedPort") {
        // An empty protocol means tcp.
        $0.endpointSpec?.ports.append(PortConfig(targetPort: 81, publishedPort: 8080))
    },
    .init(message: "EndpointSpec: invalid published port 70000: must be between 1 and 65535", field: "EndpointSpec.Ports[0].PublishedPort") {
        $0.endpointSpec?.ports[0].publishedPort = 70000
    },
    .init(message: "EndpointSpec: invalid target port 65536: must be between 1 and 65535", field: "EndpointSpec.Ports[0].TargetPort") {
        $0.endpointSpec?.ports[0].targetPort = 65536
    },
    .init(message: "EndpointSpec: invalid protocol \"icmp\"", field: "EndpointSpec.Ports[0].Protocol") {
        $0.endpointSpec?.ports[0].protocol = "icmp"
    },
    .init(message: "EndpointSpec: invalid publish mode \"everywhere\"", field: "EndpointSpec.Ports[0].PublishMode") {
        $0.endpointSpec?.ports[0].publishMode = "everywhere"
    },
    // Resources.
    .init(message: "invalid cpu value 0.0005: Must be at least 0.001", field: "TaskTemplate.Resources.Limits.NanoCPUs") {
        $0.taskTemplate.resources?.limits?.nanoCPUs = 500_000
    },
    .init(message: "invalid cpu value 1e-09: Must be at least 0.001", field: "TaskTemplate.Resources.Reservations.NanoCPUs") {
        $0.taskTemplate.resources?.reservations?.nanoCPUs = 1
    },
    .init(message: "invalid cpu value -2: Must be at least 0.001", field: "TaskTemplate.Resources.Limits.NanoCPUs") {
        $0.taskTemplate.resources?.limits?.nanoCPUs = -2_000_000_000
    },
    .init(message: "invalid memory value 1048576: Must be at least 4MiB", field: "TaskTemplate.Resources.Limits.MemoryBytes") {
        $0.taskTemplate.resources?.limits?.memoryBytes = 1_048_576
    },
    // Placement.
    .init(message: "constraint expected one operator from ==, !=", field: "TaskTemplate.Placement.Constraints") {
        $0.taskTemplate.placement?.constraints = ["node.role=manager"]
    },
    .init(message: "key 'x' is invalid", field: "TaskTemplate.Placement.Constraints") {
        $0.taskTemplate.placement?.constraints = ["x==y"]
    },
    .init(message: "value 'a>b' is invalid", field: "TaskTemplate.Placement.Constraints") {
        $0.taskTemplate.placement?.constraints = ["node.hostname!=a>b"]
    },
    // Container.
    .init(message: "ContainerSpec: image reference must be provided", field: "TaskTemplate.ContainerSpec.Image") {
        container(&$0) { $0.image = "" }
    },
    .init(message: "ContainerSpec: \"Nginx:latest\" is not a valid repository/tag", field: "TaskTemplate.ContainerSpec.Image") {
        container(&$0) { $0.image = "Nginx:latest" }
    },
    .init(message: "ContainerSpec: \"nginx:\" is not a valid repository/tag", field: "TaskTemplate.ContainerSpec.Image") {
        container(&$0) { $0.image = "nginx:" }
    },
    .init(message: "ContainerSpec: duplicate mount point: /data", field: "TaskTemplate.ContainerSpec.Mounts[1].Target") {
        container(&$0) {
            $0.mounts = [Mount(type: .volume, source: "a", target: "/data"), Mount(type: .bind, source: "/b", target: "/data")]
        }
    },
    .init(message: "ContainerSpec: Interval in HealthConfig cannot be less than 1ms", field: "TaskTemplate.ContainerSpec.Healthcheck.Interval") {
        container(&$0) { $0.healthcheck = HealthConfig(test: ["CMD", "true"], interval: 999_999) }
    },
    .init(message: "ContainerSpec: Timeout in HealthConfig cannot be less than 1ms", field: "TaskTemplate.ContainerSpec.Healthcheck.Timeout") {
        container(&$0) { $0.healthcheck = HealthConfig(timeout: -1) }
    },
    .init(message: "ContainerSpec: StartPeriod in HealthConfig cannot be less than 1ms", field: "TaskTemplate.ContainerSpec.Healthcheck.StartPeriod") {
        container(&$0) { $0.healthcheck = HealthConfig(startPeriod: 10) }
    },
    .init(message: "ContainerSpec: StartInterval in HealthConfig cannot be less than 1ms", field: "TaskTemplate.ContainerSpec.Healthcheck.StartInterval") {
        container(&$0) { $0.healthcheck = HealthConfig(startInterval: 10) }
    },
    .init(message: "ContainerSpec: Retries in HealthConfig cannot be negative", field: "TaskTemplate.ContainerSpec.Healthcheck.Retries") {
        container(&$0) { $0.healthcheck = HealthConfig(retries: -1) }
    },
    .init(message: "ContainerSpec: StopGracePeriod cannot be negative", field: "TaskTemplate.ContainerSpec.StopGracePeriod") {
        container(&$0) { $0.stopGracePeriod = -1 }
    },
    // Secret and config references.
    .init(message: "malformed secret reference", field: "TaskTemplate.ContainerSpec.Secrets[0]") {
        container(&$0) { $0.secrets = [SecretReference(file: secret.file, secretID: "", secretName: "pw")] }
    },
    .init(message: "malformed secret reference, no target provided", field: "TaskTemplate.ContainerSpec.Secrets[0].File") {
        container(&$0) { $0.secrets = [SecretReference(secretID: "s1", secretName: "pw")] }
    },
    .init(message: "malformed file secret reference, invalid target file name provided", field: "TaskTemplate.ContainerSpec.Secrets[0].File.Name") {
        container(&$0) { $0.secrets = [SecretReference(file: ReferenceFileTarget(), secretID: "s1", secretName: "pw")] }
    },
    .init(message: "secret references 'pw' and 'other' have a conflicting target: 'pw'", field: "TaskTemplate.ContainerSpec.Secrets[1].File.Name") {
        container(&$0) { $0.secrets = [secret, SecretReference(file: secret.file, secretID: "s2", secretName: "other")] }
    },
    .init(message: "malformed config reference", field: "TaskTemplate.ContainerSpec.Configs[0]") {
        container(&$0) { $0.configs = [ConfigReference(file: config.file, configID: "c1")] }
    },
    .init(message: "malformed config reference, no target provided", field: "TaskTemplate.ContainerSpec.Configs[0].File") {
        container(&$0) { $0.configs = [ConfigReference(configID: "c1", configName: "app")] }
    },
    .init(message: "malformed file config reference, invalid target file name provided", field: "TaskTemplate.ContainerSpec.Configs[0].File.Name") {
        container(&$0) { $0.configs = [ConfigReference(file: ReferenceFileTarget(), configID: "c1", configName: "app")] }
    },
    .init(message: "config references 'app' and 'app2' have a conflicting target: '/etc/app.conf'", field: "TaskTemplate.ContainerSpec.Configs[1].File.Name") {
        container(&$0) { $0.configs = [config, ConfigReference(file: config.file, configID: "c2", configName: "app2")] }
    },
]

@Suite("ServiceSpec validation")
struct ServiceSpecValidationTests {
    static func base() throws -> ServiceSpec {
        var spec = try decode(ServiceSpec.self, DockerPayloads.serviceCreate)
        spec.taskTemplate.resources = ResourceRequirements(limits: Limit(), reservations: Resources())
        return spec
    }

    @Test("the docker CLI's bodies are valid")
    func validSpecs() throws {
        try Self.base().validate()
        try decode(ServiceSpec.self, DockerPayloads.serviceCreateFull).validate()
        try decode(Service.self, DockerPayloads.serviceInspect).spec.validate()
    }

    @Test("each mistake gets Docker's message and names its field", arguments: serviceSpecCases)
    func invalid(_ testCase: ServiceSpecCase) throws {
        var spec = try Self.base()
        testCase.change(&spec)
        #expect(throws: ValidationError(field: testCase.field, message: testCase.message)) {
            try spec.validate()
        }
    }

    @Test("edge values that Docker accepts", arguments: [
        "web", "a", "stack_web", "my-service-2", "A1", String(repeating: "a", count: 63),
    ])
    func validNames(name: String) throws {
        var spec = try Self.base()
        spec.name = name
        try spec.validate()
    }

    @Test("valid variants pass")
    func validVariants() throws {
        var spec = try Self.base()
        spec.mode = .global
        try spec.validate()
        spec.mode = ServiceMode(replicatedJob: .init(maxConcurrent: 2, totalCompletions: 10))
        spec.updateConfig = nil
        try spec.validate()
        spec = try Self.base()
        spec.endpointSpec = EndpointSpec(mode: .dnsrr, ports: [PortConfig(targetPort: 80, publishedPort: 80, publishMode: .host)])
        try spec.validate()
        spec.endpointSpec?.ports.append(PortConfig(protocol: .udp, targetPort: 80, publishedPort: 80, publishMode: .host))
        try spec.validate()
        spec.endpointSpec?.ports.append(PortConfig(protocol: "TCP", targetPort: 81, publishMode: "HOST"))
        try spec.validate()
        spec.taskTemplate.resources = ResourceRequirements(limits: Limit(nanoCPUs: 1_000_000, memoryBytes: 4 * 1024 * 1024))
        try spec.validate()
        spec.taskTemplate.restartPolicy = RestartPolicy(condition: "")
        try spec.validate()
        spec.taskTemplate.runtime = ""
        try spec.validate()
        spec.taskTemplate.containerSpec?.healthcheck = HealthConfig(test: ["NONE"], interval: 0, timeout: 1_000_000)
        try spec.validate()
        spec.taskTemplate.containerSpec?.configs = [
            ConfigReference(runtime: .init(), configID: "c", configName: "credspec")
        ]
        try spec.validate()
    }

    @Test("ValidationError prints its message")
    func errorDescription() {
        let error = ValidationError(field: "Name", message: "meta: name must be provided")
        #expect(error.description == "meta: name must be provided")
        #expect("\(error)" == "meta: name must be provided")
    }
}
