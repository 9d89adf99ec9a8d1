import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia service create`: docker's flags, progress until converged unless `--detach`.
struct ServiceCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new service",
        discussion: """
            Example:
              colmeia service create --name web --replicas 3 -p 8080:80 nginx
              colmeia service create --name agent --mode global busybox sleep 1000
              colmeia service create --name app --secret db_password myapp:1
            """
    )

    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    @Option(help: "Service name") var name: String?
    @Option(help: "Service mode (\"replicated\", \"global\", \"replicated-job\", \"global-job\")") var mode = "replicated"
    @Option(help: "Number of tasks") var replicas: UInt64?
    @Option(name: [.customShort("p"), .customLong("publish")], help: "Publish a port as a node port ([published:]target[/proto] or published=,target=,protocol=,mode=)")
    var publish: [String] = []
    @Option(help: "Placement constraints (node.role==manager, node.labels.zone!=east)") var constraint: [String] = []
    @Option(name: .customLong("placement-pref"), help: "Add a placement preference (spread=node.labels.zone)") var placementPref: [String] = []
    @Option(help: "Specify secrets to expose to the service (NAME or source=,target=,uid=,gid=,mode=)") var secret: [String] = []
    @Option(help: "Specify configurations to expose to the service") var config: [String] = []
    @Option(name: [.customShort("e"), .customLong("env")], help: "Set environment variables") var env: [String] = []
    @Option(name: [.customShort("l"), .customLong("label")], help: "Service labels") var label: [String] = []
    @Option(name: .customLong("container-label"), help: "Container labels") var containerLabel: [String] = []
    @Option(help: "Network attachments") var network: [String] = []
    @Flag(name: .customLong("init"), help: "Use an init inside each service container to forward signals and reap processes")
    var initProcess = false
    @Flag(name: [.customShort("t"), .customLong("tty")], help: "Allocate a pseudo-TTY") var tty = false
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the service to converge")
    var detach = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Suppress progress output") var quiet = false
    @Option(name: .customLong("max-concurrent"), help: "Number of job tasks to run concurrently (default equal to --replicas)")
    var maxConcurrent: UInt64?
    @OptionGroup var policy: ServicePolicyOptions
    @OptionGroup var containerOptions: ContainerOptions

    @Argument(help: "The image to run") var image: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments") var command: [String] = []

    /// The spec from the flags alone (secrets, configs and networks still by name).
    func makeSpec() throws(CLIError) -> ServiceSpec {
        var container = ContainerSpec(image: image)
        container.args = command
        container.env = try ServiceSpecBuilder.environment(env)
        container.labels = ServiceSpecBuilder.labels(containerLabel)
        if initProcess { container.initProcess = true }
        container.tty = tty
        var spec = ServiceSpec(name: name ?? "", labels: ServiceSpecBuilder.labels(label))
        spec.taskTemplate.containerSpec = container
        spec.mode = try ServiceSpecBuilder.mode(mode, replicas: replicas, maxConcurrent: maxConcurrent)
        var ports: [PortConfig] = []
        for text in publish { ports += try PortSpec.parse(text) }
        PortSpec.labelProxyProtocol(&ports, labels: &spec.labels)
        if !ports.isEmpty { spec.endpointSpec = EndpointSpec(mode: .vip, ports: ports) }
        let constraints = try ServiceSpecBuilder.constraints(constraint)
        var preferences: [PlacementPreference] = []
        for text in placementPref { preferences.append(try ServiceSpecBuilder.placementPreference(text)) }
        if !constraints.isEmpty || !preferences.isEmpty {
            spec.taskTemplate.placement = Placement(constraints: constraints, preferences: preferences)
        }
        try ServiceSpecBuilder.apply(policy, to: &spec)
        if spec.mode.isJob, spec.updateConfig != nil || spec.rollbackConfig != nil {
            throw CLIError("update and rollback configuration is not supported for jobs")
        }
        try containerOptions.apply(to: &spec)
        return spec
    }

    func run() async throws {
        var spec = try makeSpec()
        var secretRequests: [FileReferenceRequest] = []
        for text in secret { secretRequests.append(try FileReferenceRequest(parsing: text, flag: "secret")) }
        var configRequests: [FileReferenceRequest] = []
        for text in config { configRequests.append(try FileReferenceRequest(parsing: text, flag: "config")) }
        try await global.withClient { client in
            spec.taskTemplate.containerSpec?.secrets = try await ServiceReferences.secrets(secretRequests, client: client)
            spec.taskTemplate.containerSpec?.configs = try await ServiceReferences.configs(configRequests, client: client)
            spec.taskTemplate.networks = try await ServiceReferences.networks(network, client: client)
            let id = try await client.createService(spec)
            Console.out(id)
            try await ServiceWatch.follow(client: client, serviceID: id, detach: detach, quiet: quiet)
        }
    }
}
