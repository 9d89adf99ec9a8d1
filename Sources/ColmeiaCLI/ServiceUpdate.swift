import ArgumentParser
import ColmeiaClient
import ColmeiaModel
import Foundation

/// `colmeia service update`: changes only what the flags name, then shows progress.
struct ServiceUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Update a service",
        discussion: """
            Example:
              colmeia service update --image nginx:1.27 --update-delay 10s web
              colmeia service update --constraint-add node.role==worker web
              colmeia service update --secret-add db_password web
            """
    )

    @OptionGroup(visibility: .hidden) var global: GlobalOptions

    @Option(help: "Service image tag") var image: String?
    @Option(help: "Service command args (space separated)") var args: String?
    @Option(help: "Number of tasks") var replicas: UInt64?
    @Flag(help: "Force update even if no changes require it") var force = false
    @Flag(help: "Rollback to previous specification") var rollback = false
    @Option(name: .customLong("constraint-add"), help: "Add or update a placement constraint") var constraintAdd: [String] = []
    @Option(name: .customLong("constraint-rm"), help: "Remove a constraint") var constraintRemove: [String] = []
    @Option(name: .customLong("placement-pref-add"), help: "Add a placement preference") var placementPrefAdd: [String] = []
    @Option(name: .customLong("placement-pref-rm"), help: "Remove a placement preference") var placementPrefRemove: [String] = []
    @Option(name: .customLong("secret-add"), help: "Add or update a secret on a service") var secretAdd: [String] = []
    @Option(name: .customLong("secret-rm"), help: "Remove a secret") var secretRemove: [String] = []
    @Option(name: .customLong("config-add"), help: "Add or update a config file on a service") var configAdd: [String] = []
    @Option(name: .customLong("config-rm"), help: "Remove a configuration file") var configRemove: [String] = []
    @Option(name: .customLong("env-add"), help: "Add or update an environment variable") var envAdd: [String] = []
    @Option(name: .customLong("env-rm"), help: "Remove an environment variable") var envRemove: [String] = []
    @Option(name: .customLong("label-add"), help: "Add or update a service label") var labelAdd: [String] = []
    @Option(name: .customLong("label-rm"), help: "Remove a label by its key") var labelRemove: [String] = []
    @Option(name: .customLong("container-label-add"), help: "Add or update a container label") var containerLabelAdd: [String] = []
    @Option(name: .customLong("container-label-rm"), help: "Remove a container label by its key") var containerLabelRemove: [String] = []
    @Option(name: .customLong("publish-add"), help: "Add or update a published port") var publishAdd: [String] = []
    @Option(name: .customLong("publish-rm"), help: "Remove a published port by its target port") var publishRemove: [String] = []
    @Option(name: .customLong("network-add"), help: "Add a network") var networkAdd: [String] = []
    @Option(name: .customLong("network-rm"), help: "Remove a network") var networkRemove: [String] = []
    @Option(name: .customLong("mount-add"), help: "Add or update a mount on a service") var mountAdd: [String] = []
    @Option(name: .customLong("mount-rm"), help: "Remove a mount by its target path") var mountRemove: [String] = []
    @Flag(name: .customLong("read-only"), inversion: .prefixedNo, help: "Mount the container's root filesystem as read only")
    var readOnly: Bool?
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Exit immediately instead of waiting for the service to converge")
    var detach = false
    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Suppress progress output") var quiet = false
    @OptionGroup var policy: ServicePolicyOptions

    @Argument(help: "The service (name, id or id prefix)") var service: String

    /// Applies the flags to the service's current spec (secrets, configs and networks aside).
    func apply(to current: ServiceSpec) throws(CLIError) -> ServiceSpec {
        var spec = current
        var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
        if let image { container.image = image }
        if let args { container.args = args.split(separator: " ").map(String.init) }
        let removedEnv = Set(envRemove)
        container.env.removeAll { removedEnv.contains(String($0.split(separator: "=", maxSplits: 1).first ?? "")) }
        for entry in try ServiceSpecBuilder.environment(envAdd) {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            container.env.removeAll { $0.split(separator: "=", maxSplits: 1).first.map(String.init) == key }
            container.env.append(entry)
        }
        for key in containerLabelRemove { container.labels[key] = nil }
        container.labels.merge(ServiceSpecBuilder.labels(containerLabelAdd)) { _, new in new }
        container.secrets.removeAll { secretRemove.contains($0.secretName) || secretRemove.contains($0.secretID) }
        container.configs.removeAll { configRemove.contains($0.configName) || configRemove.contains($0.configID) }
        // As docker: a mount is removed by its target, and an added one replaces any at its target.
        container.mounts.removeAll { mountRemove.contains($0.target) }
        for text in mountAdd {
            let mount = try MountSpec.parse(text, flag: "mount-add")
            container.mounts.removeAll { $0.target == mount.target }
            container.mounts.append(mount)
        }
        if let readOnly { container.readOnly = readOnly }
        spec.taskTemplate.containerSpec = container

        for key in labelRemove { spec.labels[key] = nil }
        spec.labels.merge(ServiceSpecBuilder.labels(labelAdd)) { _, new in new }

        if let replicas {
            guard spec.mode.replicated != nil || spec.mode.global == nil else {
                throw CLIError("replicas can only be used with replicated or replicated-job mode")
            }
            spec.mode = ServiceMode(replicated: .init(replicas: Int64(replicas)))
        }

        let added = try ServiceSpecBuilder.constraints(constraintAdd, flag: "constraint-add")
        var placement = spec.taskTemplate.placement ?? Placement()
        placement.constraints.removeAll { constraintRemove.contains($0) }
        for constraint in added where !placement.constraints.contains(constraint) { placement.constraints.append(constraint) }
        for text in placementPrefRemove {
            let removed = try ServiceSpecBuilder.placementPreference(text, flag: "placement-pref-rm")
            placement.preferences.removeAll { $0.spread?.spreadDescriptor == removed.spread?.spreadDescriptor }
        }
        for text in placementPrefAdd { placement.preferences.append(try ServiceSpecBuilder.placementPreference(text, flag: "placement-pref-add")) }
        if placement != (spec.taskTemplate.placement ?? Placement()) { spec.taskTemplate.placement = placement }

        if !publishAdd.isEmpty || !publishRemove.isEmpty {
            var endpoint = spec.endpointSpec ?? EndpointSpec(mode: .vip)
            for text in publishRemove {
                let removed = try PortSpec.parse(text)
                endpoint.ports.removeAll { port in removed.contains { $0.targetPort == port.targetPort && $0.protocol == port.protocol } }
            }
            for text in publishAdd {
                var added = try PortSpec.parse(text)
                PortSpec.labelProxyProtocol(&added, labels: &spec.labels)
                for port in added {
                    endpoint.ports.removeAll { $0.publishedPort == port.publishedPort && port.publishedPort != 0 && $0.protocol == port.protocol }
                    endpoint.ports.append(port)
                }
            }
            spec.endpointSpec = endpoint
        }
        try ServiceSpecBuilder.apply(policy, to: &spec)
        if force { spec.taskTemplate.forceUpdate += 1 }
        return spec
    }

    func run() async throws {
        var secretRequests: [FileReferenceRequest] = []
        for text in secretAdd { secretRequests.append(try FileReferenceRequest(parsing: text, flag: "secret-add")) }
        var configRequests: [FileReferenceRequest] = []
        for text in configAdd { configRequests.append(try FileReferenceRequest(parsing: text, flag: "config-add")) }
        // Check every flag before asking the daemon anything.
        _ = try apply(to: ServiceSpec())
        try await global.withClient { client in
            let current = try await client.service(service)
            if rollback {
                try await client.updateService(current.id, version: current.version.index, spec: current.spec, rollback: true)
            } else {
                var spec = try apply(to: current.spec)
                let secrets = try await ServiceReferences.secrets(secretRequests, client: client)
                let configs = try await ServiceReferences.configs(configRequests, client: client)
                var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
                for secret in secrets {
                    container.secrets.removeAll { $0.secretName == secret.secretName || $0.file?.name == secret.file?.name }
                    container.secrets.append(secret)
                }
                for config in configs {
                    container.configs.removeAll { $0.configName == config.configName || $0.file?.name == config.file?.name }
                    container.configs.append(config)
                }
                spec.taskTemplate.containerSpec = container
                if !networkRemove.isEmpty {
                    var removed = Set(networkRemove)
                    for name in networkRemove { if let network = try? await client.network(name) { removed.insert(network.id) } }
                    spec.taskTemplate.networks.removeAll { removed.contains($0.target) }
                }
                for attachment in try await ServiceReferences.networks(networkAdd, client: client)
                where !spec.taskTemplate.networks.contains(where: { $0.target == attachment.target }) {
                    spec.taskTemplate.networks.append(attachment)
                }
                let warnings = try await client.updateService(current.id, version: current.version.index, spec: spec)
                for warning in warnings { Console.error(warning) }
            }
            Console.out(current.spec.name)
            try await ServiceWatch.follow(client: client, serviceID: current.id, detach: detach, quiet: quiet)
        }
    }
}
