import ColmeiaModel
import Foundation
import Yams

/// A YAML node (Yams), not a cluster node.
typealias YAMLNode = Yams.Node

/// Reads a compose v3 file into a ``ComposeProject``: YAML by Yams, `${VAR}` interpolation,
/// and every mistake reported as `FILE:LINE:COLUMN: message` before anything is sent.
public struct ComposeLoader {
    let fileName: String
    let directory: String
    let interpolation: ComposeInterpolation
    private let unset = UnsetVariables()

    /// Keys `docker stack deploy` ignores with a warning (docker/cli `UnsupportedProperties`).
    static let unsupportedServiceKeys: Set<String> = [
        "build", "cgroupns_mode", "cgroup_parent", "devices", "domainname", "external_links", "ipc", "links",
        "mac_address", "network_mode", "pid", "privileged", "restart", "security_opt", "shm_size", "userns_mode",
    ]

    /// Keys it ignores as deprecated, with its words.
    static let deprecatedServiceKeys: [String: String] = [
        "container_name": "Setting the container name is not supported.",
        "expose": "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ]

    /// Keys it refuses, with its words.
    static let forbiddenServiceKeys: [String: String] = [
        "extends": "Support for `extends` is not implemented yet.",
        "volume_driver": "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.",
        "volumes_from": "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
        "cpu_quota": "Set resource limits using deploy.resources",
        "cpu_shares": "Set resource limits using deploy.resources",
        "cpuset": "Set resource limits using deploy.resources",
        "mem_limit": "Set resource limits using deploy.resources",
        "memswap_limit": "Set resource limits using deploy.resources",
    ]

    /// Keys of the compose format a swarm has no use for (docker's schema accepts them).
    static let ignoredServiceKeys: Set<String> = [
        "depends_on", "isolation", "stdin_open", "credential_spec", "platform", "profiles", "pull_policy", "cpus",
        "runtime", "init_path", "oom_score_adj", "storage_opt", "userns_mode",
    ]

    /// Loads the file at `path`; `environment` feeds interpolation (plus a `.env` beside the file).
    public static func load(path: String, environment: [String: String]) throws(CLIError) -> ComposeProject {
        guard FileManager.default.fileExists(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("open \(path): no such file or directory")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var variables = dotEnv(at: (directory.isEmpty ? "." : directory) + "/.env")
        variables.merge(environment) { _, process in process }
        return try parse(String(decoding: data, as: UTF8.self), fileName: path, directory: directory.isEmpty ? "." : directory,
                         environment: variables)
    }

    /// Parses compose text; `directory` resolves relative `file:` paths.
    public static func parse(_ text: String, fileName: String, directory: String, environment: [String: String]) throws(CLIError) -> ComposeProject {
        let loader = ComposeLoader(fileName: fileName, directory: directory, interpolation: ComposeInterpolation(environment: environment))
        return try loader.translate(text)
    }

    /// `KEY=value` lines of a `.env` file (comments and blank lines skipped).
    static func dotEnv(at path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.count >= 2, (value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")) {
                value = String(value.dropFirst().dropLast())
            }
            values[String(trimmed[..<equals])] = value
        }
        return values
    }

    // MARK: translation

    func translate(_ text: String) throws(CLIError) -> ComposeProject {
        let root: YAMLNode
        do {
            guard let node = try Yams.compose(yaml: text) else { throw CLIError("\(fileName): empty compose file") }
            root = node
        } catch let error as YamlError {
            throw yamlError(error)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(fileName): \(error)")
        }
        var project = ComposeProject()
        let top = try mapping(root, "")
        for (key, value) in top {
            switch key {
            case "version":
                let version = try string(value, "version")
                guard version.hasPrefix("3") else {
                    throw located(value, "unsupported Compose file version: \(version); stack deploy needs version 3 or later")
                }
            case "services", "networks", "secrets", "configs", "volumes", "name": break
            default:
                if !key.hasPrefix("x-") { throw located(value, "Additional property \(key) is not allowed") }
            }
        }
        let topLevel = Dictionary(top, uniquingKeysWith: { first, _ in first })
        if let networks = topLevel["networks"], !isNull(networks) {
            for (key, value) in try mapping(networks, "networks") { project.networks.append(try network(key, value)) }
        }
        if let secrets = topLevel["secrets"], !isNull(secrets) {
            for (key, value) in try mapping(secrets, "secrets") { project.secrets.append(try fileObject(key, value, kind: "secrets")) }
        }
        if let configs = topLevel["configs"], !isNull(configs) {
            for (key, value) in try mapping(configs, "configs") { project.configs.append(try fileObject(key, value, kind: "configs")) }
        }
        if let volumes = topLevel["volumes"], !isNull(volumes) {
            for (key, value) in try mapping(volumes, "volumes") { project.volumes.append(try volume(key, value)) }
        }
        guard let services = topLevel["services"] else { throw located(root, "services must be defined") }
        var unsupported: Set<String> = []
        var deprecated: Set<String> = []
        var forbidden: Set<String> = []
        for (key, value) in try mapping(services, "services") {
            if case .mapping = value {
                for (field, _) in try mapping(value, "services.\(key)") {
                    if Self.unsupportedServiceKeys.contains(field) { unsupported.insert(field) }
                    if Self.deprecatedServiceKeys[field] != nil { deprecated.insert(field) }
                    if Self.forbiddenServiceKeys[field] != nil { forbidden.insert(field) }
                }
            }
        }
        // As `docker stack deploy`: forbidden keys stop everything, the others are named once.
        if !forbidden.isEmpty {
            throw CLIError("Compose file contains unsupported options:\n\n"
                + forbidden.sorted().map { "\($0): \(Self.forbiddenServiceKeys[$0] ?? "")" }.joined(separator: "\n\n") + "\n")
        }
        if !unsupported.isEmpty { project.warnings.append("Ignoring unsupported options: \(unsupported.sorted().joined(separator: ", "))\n") }
        if !deprecated.isEmpty {
            project.warnings.append("Ignoring deprecated options:\n\n"
                + deprecated.sorted().map { "\($0): \(Self.deprecatedServiceKeys[$0] ?? "")" }.joined(separator: "\n\n") + "\n")
        }
        for (key, value) in try mapping(services, "services") {
            project.services.append(try service(key, value, project: &project))
        }
        // Every reference must name a top-level object.
        let networkKeys = Set(project.networks.map(\.key) + ["default"])
        let secretKeys = Set(project.secrets.map(\.key))
        let configKeys = Set(project.configs.map(\.key))
        let volumeKeys = Set(project.volumes.map(\.key))
        for definition in project.services {
            for use in definition.mounts {
                if let key = use.volumeKey, !volumeKeys.contains(key) {
                    throw CLIError("\(fileName): service \"\(definition.key)\" refers to undefined volume \(key): invalid compose project")
                }
            }
            for attachment in definition.networks where !networkKeys.contains(attachment.key) {
                throw CLIError("\(fileName): service \"\(definition.key)\" refers to undefined network \(attachment.key): invalid compose project")
            }
            for secret in definition.secrets where !secretKeys.contains(secret.source) {
                throw CLIError("\(fileName): service \"\(definition.key)\" refers to undefined secret \(secret.source): invalid compose project")
            }
            for config in definition.configs where !configKeys.contains(config.source) {
                throw CLIError("\(fileName): service \"\(definition.key)\" refers to undefined config \(config.source): invalid compose project")
            }
        }
        project.warnings += unset.names.sorted().map { "The \"\($0)\" variable is not set. Defaulting to a blank string." }
        return project
    }

    func network(_ key: String, _ node: YAMLNode) throws(CLIError) -> ComposeProject.NetworkDefinition {
        var definition = ComposeProject.NetworkDefinition(key: key, name: nil, external: false,
                                                           request: NetworkCreateRequest(driver: "overlay"))
        guard !isNull(node) else { return definition }
        let path = "networks.\(key)"
        for (field, value) in try mapping(node, path) {
            switch field {
            case "driver": definition.request.driver = try string(value, path + ".driver")
            case "driver_opts": definition.request.options = try keyValues(value, path + ".driver_opts")
            case "attachable": definition.request.attachable = try bool(value, path + ".attachable")
            case "internal": definition.request.internal = try bool(value, path + ".internal")
            case "labels": definition.request.labels = try keyValues(value, path + ".labels")
            case "name": definition.name = try string(value, path + ".name")
            case "external":
                if case .mapping = value {
                    definition.external = true
                    if let name = value["name"] { definition.name = try string(name, path + ".external.name") }
                } else {
                    definition.external = try bool(value, path + ".external")
                }
            case "ipam":
                var ipam = IPAM(driver: "default")
                for (ipamField, ipamValue) in try mapping(value, path + ".ipam") {
                    switch ipamField {
                    case "driver": ipam.driver = try string(ipamValue, path + ".ipam.driver")
                    case "config":
                        for entry in try sequence(ipamValue, path + ".ipam.config") {
                            var config = IPAM.Config()
                            for (configField, configValue) in try mapping(entry, path + ".ipam.config") {
                                switch configField {
                                case "subnet": config.subnet = try string(configValue, path + ".ipam.config.subnet")
                                case "gateway": config.gateway = try string(configValue, path + ".ipam.config.gateway")
                                case "ip_range": config.ipRange = try string(configValue, path + ".ipam.config.ip_range")
                                default: throw located(configValue, "\(path).ipam.config Additional property \(configField) is not allowed")
                                }
                            }
                            ipam.config.append(config)
                        }
                    default: throw located(ipamValue, "\(path).ipam Additional property \(ipamField) is not allowed")
                    }
                }
                definition.request.ipam = ipam
            case "enable_ipv6": definition.request.enableIPv6 = try bool(value, path + ".enable_ipv6")
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        return definition
    }

    func fileObject(_ key: String, _ node: YAMLNode, kind: String) throws(CLIError) -> ComposeProject.FileObject {
        var object = ComposeProject.FileObject(key: key, name: nil, external: false, data: nil, labels: [:])
        let path = "\(kind).\(key)"
        var fileNode: YAMLNode?
        for (field, value) in try mapping(node, path) {
            switch field {
            case "file":
                fileNode = value
                let file = try string(value, path + ".file")
                let full = file.hasPrefix("/") ? file : directory + "/" + file
                guard let data = FileManager.default.contents(atPath: full) else {
                    throw located(value, "\(path).file: open \(full): no such file or directory")
                }
                object.data = data
            case "environment":
                let variable = try string(value, path + ".environment")
                guard let text = interpolation.environment[variable] else {
                    throw located(value, "\(path).environment: variable \(variable) is not set")
                }
                object.data = Data(text.utf8)
            case "content" where kind == "configs":
                object.data = Data(try string(value, path + ".content").utf8)
            case "name": object.name = try string(value, path + ".name")
            case "labels": object.labels = try keyValues(value, path + ".labels")
            case "template_driver", "driver": break
            case "external":
                if case .mapping = value {
                    object.external = true
                    if let name = value["name"] { object.name = try string(name, path + ".external.name") }
                } else {
                    object.external = try bool(value, path + ".external")
                }
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        if !object.external, object.data == nil {
            throw located(fileNode ?? node, "\(path): one of file, environment or external must be set")
        }
        return object
    }

    func service(_ key: String, _ node: YAMLNode, project: inout ComposeProject) throws(CLIError) -> ComposeProject.ServiceDefinition {
        let path = "services.\(key)"
        var spec = ServiceSpec(name: key)
        var container = ContainerSpec()
        var networks: [(key: String, aliases: [String])] = []
        var secrets: [FileReferenceRequest] = []
        var configs: [FileReferenceRequest] = []
        var sawImage = false
        var mounts: [ComposeProject.MountUse] = []
        var restartFallback: RestartPolicy?
        for (field, value) in try mapping(node, path) {
            let fieldPath = path + "." + field
            switch field {
            case "image":
                container.image = try string(value, fieldPath)
                sawImage = true
            case "command": container.args = try commandLine(value, fieldPath)
            case "entrypoint": container.command = try commandLine(value, fieldPath)
            case "environment":
                container.env = try keyValueList(value, fieldPath)
            case "env_file":
                for file in try strings(value, fieldPath) {
                    let full = file.hasPrefix("/") ? file : directory + "/" + file
                    guard FileManager.default.fileExists(atPath: full) else {
                        throw located(value, "\(fieldPath): open \(full): no such file or directory")
                    }
                    container.env = Self.dotEnv(at: full).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + container.env
                }
            case "labels": container.labels = try keyValues(value, fieldPath)
            case "hostname": container.hostname = try string(value, fieldPath)
            case "user": container.user = try string(value, fieldPath)
            case "working_dir": container.dir = try string(value, fieldPath)
            case "stop_signal": container.stopSignal = try string(value, fieldPath)
            case "stop_grace_period": container.stopGracePeriod = try duration(value, fieldPath)
            case "init": container.initProcess = try bool(value, fieldPath)
            case "tty": container.tty = try bool(value, fieldPath)
            case "healthcheck": container.healthcheck = try healthcheck(value, fieldPath)
            case "ports":
                var ports: [PortConfig] = []
                for entry in try sequence(value, fieldPath) {
                    if case .mapping = entry {
                        var port = PortConfig(protocol: .tcp, publishMode: .ingress)
                        for (portField, portValue) in try mapping(entry, fieldPath) {
                            switch portField {
                            case "target": port.targetPort = UInt32(try int(portValue, fieldPath + ".target", range: 1...65_535))
                            case "published": port.publishedPort = UInt32(try int(portValue, fieldPath + ".published", range: 0...65_535))
                            case "protocol": port.protocol = PortProtocol(rawValue: try string(portValue, fieldPath + ".protocol"))
                            case "mode": port.publishMode = PublishMode(rawValue: try string(portValue, fieldPath + ".mode"))
                            default: throw located(portValue, "\(fieldPath) Additional property \(portField) is not allowed")
                            }
                        }
                        ports.append(port)
                    } else {
                        let text = try string(entry, fieldPath)
                        do {
                            ports += try PortSpec.parse(text)
                        } catch {
                            throw located(entry, "\(fieldPath): invalid port \"\(text)\"")
                        }
                    }
                }
                spec.endpointSpec = EndpointSpec(mode: spec.endpointSpec?.mode ?? .vip, ports: ports)
            case "networks":
                if case .sequence = value {
                    networks = try strings(value, fieldPath).map { ($0, []) }
                } else {
                    for (name, settings) in try mapping(value, fieldPath) {
                        var aliases: [String] = []
                        if !isNull(settings), let list = try mapping(settings, fieldPath + "." + name).first(where: { $0.0 == "aliases" }) {
                            aliases = try strings(list.1, fieldPath + "." + name + ".aliases")
                        }
                        networks.append((name, aliases))
                    }
                }
            case "secrets": secrets = try references(value, fieldPath, kind: "secret")
            case "configs": configs = try references(value, fieldPath, kind: "config")
            case "deploy": try deploy(value, fieldPath, into: &spec)
            case "volumes":
                for entry in try sequence(value, fieldPath) { mounts.append(try serviceVolume(entry, fieldPath)) }
            case "tmpfs":
                // Docker's stack deploy drops this key; a tmpfs mount is what it asks for.
                for target in try strings(value, fieldPath) {
                    let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
                    var options = Mount.TmpfsOptions()
                    for option in parts.count > 1 ? parts[1].split(separator: ",") : [] where option.hasPrefix("size=") {
                        options.sizeBytes = ByteSize.parse(String(option.dropFirst(5))) ?? 0
                    }
                    mounts.append(.init(mount: Mount(type: "tmpfs", target: parts[0],
                                                     tmpfsOptions: options.sizeBytes > 0 ? options : nil), volumeKey: nil))
                }
            case "logging":
                var driver = Driver(name: "")
                for (loggingField, loggingValue) in try mapping(value, fieldPath) {
                    switch loggingField {
                    case "driver": driver.name = try string(loggingValue, fieldPath + ".driver")
                    case "options": driver.options = try keyValues(loggingValue, fieldPath + ".options")
                    default: throw located(loggingValue, "\(fieldPath) Additional property \(loggingField) is not allowed")
                    }
                }
                spec.taskTemplate.logDriver = driver
            case "extra_hosts":
                container.hosts = try extraHosts(value, fieldPath)
            case "cap_add": container.capabilityAdd = ContainerOptions.capabilities(try strings(value, fieldPath))
            case "cap_drop": container.capabilityDrop = ContainerOptions.capabilities(try strings(value, fieldPath))
            case "sysctls": container.sysctls = try keyValues(value, fieldPath)
            case "read_only": container.readOnly = try bool(value, fieldPath)
            case "ulimits": container.ulimits = try ulimits(value, fieldPath)
            case "dns": container.dnsConfig = dnsConfig(container.dnsConfig, nameservers: try strings(value, fieldPath))
            case "dns_search": container.dnsConfig = dnsConfig(container.dnsConfig, search: try strings(value, fieldPath))
            case "group_add": container.groups = try strings(value, fieldPath)
            case "restart":
                // Docker warns, then still uses it when `deploy.restart_policy` is absent.
                switch try string(value, fieldPath) {
                case "always", "unless-stopped": restartFallback = RestartPolicy(condition: .any)
                case let text where text.hasPrefix("on-failure"):
                    var policy = RestartPolicy(condition: .onFailure)
                    if let count = text.split(separator: ":").dropFirst().first.flatMap({ Int64($0) }) { policy.maxAttempts = count }
                    restartFallback = policy
                default: restartFallback = nil
                }
            default:
                if Self.unsupportedServiceKeys.contains(field) || Self.deprecatedServiceKeys[field] != nil
                    || Self.ignoredServiceKeys.contains(field) {
                    continue
                } else if !field.hasPrefix("x-") {
                    throw located(value, "\(path) Additional property \(field) is not allowed")
                }
            }
        }
        guard sawImage, !container.image.isEmpty else { throw located(node, "\(path): image must be set (a stack cannot build images)") }
        if spec.taskTemplate.restartPolicy == nil, let restartFallback { spec.taskTemplate.restartPolicy = restartFallback }
        spec.taskTemplate.containerSpec = container
        return ComposeProject.ServiceDefinition(key: key, spec: spec, networks: networks, secrets: secrets, configs: configs,
                                                mounts: mounts)
    }

    func deploy(_ node: YAMLNode, _ path: String, into spec: inout ServiceSpec) throws(CLIError) {
        var mode = "replicated"
        var replicas: Int64?
        for (field, value) in try mapping(node, path) {
            let fieldPath = path + "." + field
            switch field {
            case "mode":
                mode = try string(value, fieldPath)
                guard ["replicated", "global", "replicated-job", "global-job"].contains(mode) else {
                    throw located(value, "\(fieldPath) must be one of replicated, global, replicated-job, global-job")
                }
            case "replicas": replicas = Int64(try int(value, fieldPath, range: 0...Int.max))
            case "labels": spec.labels = try keyValues(value, fieldPath)
            case "endpoint_mode":
                let text = try string(value, fieldPath)
                guard text == "vip" || text == "dnsrr" else { throw located(value, "\(fieldPath) must be vip or dnsrr") }
                spec.endpointSpec = EndpointSpec(mode: ResolutionMode(rawValue: text), ports: spec.endpointSpec?.ports ?? [])
            case "placement":
                var placement = Placement()
                for (placementField, placementValue) in try mapping(value, fieldPath) {
                    switch placementField {
                    case "constraints":
                        placement.constraints = try strings(placementValue, fieldPath + ".constraints")
                        for (index, constraint) in placement.constraints.enumerated() {
                            do {
                                _ = try PlacementConstraint(parsing: constraint)
                            } catch {
                                let item = placementValue.sequence.flatMap { index < $0.count ? $0[index] : nil } ?? placementValue
                                throw located(item, "\(fieldPath).constraints: \(error.message): \"\(constraint)\"")
                            }
                        }
                    case "preferences":
                        for entry in try sequence(placementValue, fieldPath + ".preferences") {
                            for (kind, descriptor) in try mapping(entry, fieldPath + ".preferences") {
                                guard kind == "spread" else { throw located(entry, "\(fieldPath).preferences: only spread is supported") }
                                placement.preferences.append(PlacementPreference(spread: .init(spreadDescriptor: try string(descriptor, fieldPath))))
                            }
                        }
                    case "max_replicas_per_node":
                        placement.maxReplicas = UInt64(try int(placementValue, fieldPath + ".max_replicas_per_node", range: 0...Int.max))
                    default: throw located(placementValue, "\(fieldPath) Additional property \(placementField) is not allowed")
                    }
                }
                spec.taskTemplate.placement = placement
            case "update_config": spec.updateConfig = try updateConfig(value, fieldPath)
            case "rollback_config": spec.rollbackConfig = try updateConfig(value, fieldPath)
            case "restart_policy":
                var policy = RestartPolicy(condition: .any)
                for (policyField, policyValue) in try mapping(value, fieldPath) {
                    let policyPath = fieldPath + "." + policyField
                    switch policyField {
                    case "condition":
                        let text = try string(policyValue, policyPath)
                        guard ["none", "on-failure", "any"].contains(text) else { throw located(policyValue, "\(policyPath) must be one of none, on-failure, any") }
                        policy.condition = RestartCondition(rawValue: text)
                    case "delay": policy.delay = try duration(policyValue, policyPath)
                    case "max_attempts": policy.maxAttempts = Int64(try int(policyValue, policyPath, range: 0...Int.max))
                    case "window": policy.window = try duration(policyValue, policyPath)
                    default: throw located(policyValue, "\(fieldPath) Additional property \(policyField) is not allowed")
                    }
                }
                spec.taskTemplate.restartPolicy = policy
            case "resources":
                var resources = ResourceRequirements()
                for (resourceField, resourceValue) in try mapping(value, fieldPath) {
                    let resourcePath = fieldPath + "." + resourceField
                    var cpus: Int64?
                    var memory: Int64?
                    var pids: Int64?
                    for (item, itemValue) in try mapping(resourceValue, resourcePath) {
                        switch item {
                        case "cpus":
                            let text = try string(itemValue, resourcePath + ".cpus")
                            guard let value = Double(text), value >= 0 else { throw located(itemValue, "\(resourcePath).cpus must be a number: \"\(text)\"") }
                            cpus = Int64((value * 1e9).rounded())
                        case "memory":
                            let text = try string(itemValue, resourcePath + ".memory")
                            guard let value = ByteSize.parse(text) else { throw located(itemValue, "\(resourcePath).memory: invalid size \"\(text)\"") }
                            memory = value
                        case "pids": pids = Int64(try int(itemValue, resourcePath + ".pids", range: 0...Int.max))
                        case "generic_resources", "devices": break
                        default: throw located(itemValue, "\(resourcePath) Additional property \(item) is not allowed")
                        }
                    }
                    switch resourceField {
                    case "limits": resources.limits = Limit(nanoCPUs: cpus ?? 0, memoryBytes: memory ?? 0, pids: pids ?? 0)
                    case "reservations": resources.reservations = Resources(nanoCPUs: cpus ?? 0, memoryBytes: memory ?? 0)
                    default: throw located(resourceValue, "\(fieldPath) Additional property \(resourceField) is not allowed")
                    }
                }
                spec.taskTemplate.resources = resources
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        switch mode {
        case "global":
            if replicas != nil { throw located(node, "\(path): replicas can only be used with replicated mode") }
            spec.mode = ServiceMode(global: .init())
        case "replicated-job": spec.mode = ServiceMode(replicatedJob: .init(maxConcurrent: replicas ?? 1, totalCompletions: replicas ?? 1))
        case "global-job": spec.mode = ServiceMode(globalJob: .init())
        default: spec.mode = ServiceMode(replicated: .init(replicas: replicas ?? 1))
        }
    }

    /// A top-level volume.
    func volume(_ key: String, _ node: YAMLNode) throws(CLIError) -> ComposeProject.VolumeDefinition {
        var definition = ComposeProject.VolumeDefinition(key: key, name: nil, external: false, driver: nil, driverOptions: [:], labels: [:])
        guard !isNull(node) else { return definition }
        let path = "volumes.\(key)"
        for (field, value) in try mapping(node, path) {
            switch field {
            case "driver": definition.driver = try string(value, path + ".driver")
            case "driver_opts": definition.driverOptions = try keyValues(value, path + ".driver_opts")
            case "labels": definition.labels = try keyValues(value, path + ".labels")
            case "name": definition.name = try string(value, path + ".name")
            case "external":
                if case .mapping = value {
                    definition.external = true
                    if let name = value["name"] { definition.name = try string(name, path + ".external.name") }
                } else {
                    definition.external = try bool(value, path + ".external")
                }
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        // An external volume without a name is found by its key.
        if definition.external, definition.name == nil { definition.name = key }
        return definition
    }

    /// A service's `volumes:` entry, short (`SOURCE:TARGET[:MODE]`) or long.
    func serviceVolume(_ node: YAMLNode, _ path: String) throws(CLIError) -> ComposeProject.MountUse {
        if case .mapping = node {
            var mount = Mount(type: "volume")
            for (field, value) in try mapping(node, path) {
                let fieldPath = path + "." + field
                switch field {
                case "type":
                    let type = try string(value, fieldPath)
                    guard ["volume", "bind", "tmpfs", "npipe"].contains(type) else {
                        throw located(value, "\(fieldPath) must be one of volume, bind, tmpfs, npipe")
                    }
                    mount.type = MountType(rawValue: type)
                case "source": mount.source = try string(value, fieldPath)
                case "target": mount.target = try string(value, fieldPath)
                case "read_only": mount.readOnly = try bool(value, fieldPath)
                case "consistency": mount.consistency = try string(value, fieldPath)
                case "bind":
                    var options = Mount.BindOptions()
                    for (option, optionValue) in try mapping(value, fieldPath) {
                        switch option {
                        case "propagation": options.propagation = try string(optionValue, fieldPath + ".propagation")
                        case "create_host_path": options.createMountpoint = try bool(optionValue, fieldPath + ".create_host_path")
                        default: throw located(optionValue, "\(fieldPath) Additional property \(option) is not allowed")
                        }
                    }
                    mount.bindOptions = options
                case "volume":
                    var options = Mount.VolumeOptions()
                    for (option, optionValue) in try mapping(value, fieldPath) {
                        switch option {
                        case "nocopy": options.noCopy = try bool(optionValue, fieldPath + ".nocopy")
                        case "subpath": options.subpath = try string(optionValue, fieldPath + ".subpath")
                        default: throw located(optionValue, "\(fieldPath) Additional property \(option) is not allowed")
                        }
                    }
                    mount.volumeOptions = options
                case "tmpfs":
                    var options = Mount.TmpfsOptions()
                    for (option, optionValue) in try mapping(value, fieldPath) {
                        switch option {
                        case "size":
                            let text = try string(optionValue, fieldPath + ".size")
                            guard let size = ByteSize.parse(text) else { throw located(optionValue, "\(fieldPath).size: invalid size \"\(text)\"") }
                            options.sizeBytes = size
                        case "mode": options.mode = UInt32(try int(optionValue, fieldPath + ".mode", range: 0...0o7777))
                        default: throw located(optionValue, "\(fieldPath) Additional property \(option) is not allowed")
                        }
                    }
                    mount.tmpfsOptions = options
                default: throw located(value, "\(path) Additional property \(field) is not allowed")
                }
            }
            guard !mount.target.isEmpty else { throw located(node, "\(path): target is required") }
            return try resolved(mount, node)
        }
        // Short syntax: a source starting with `.`, `/` or `~` is a bind, another a volume.
        let text = try string(node, path)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var mount = Mount(type: "volume")
        switch parts.count {
        case 1:
            mount.target = parts[0]
        case 2, 3:
            mount.source = parts[0]
            mount.target = parts[1]
            for option in parts.count == 3 ? parts[2].split(separator: ",").map(String.init) : [] {
                switch option {
                case "ro": mount.readOnly = true
                case "rw": mount.readOnly = false
                case "nocopy": mount.volumeOptions = Mount.VolumeOptions(noCopy: true)
                case "rprivate", "private", "rshared", "shared", "rslave", "slave":
                    mount.bindOptions = Mount.BindOptions(propagation: option)
                default: break
                }
            }
        default:
            throw located(node, "\(path): invalid spec: \(text): too many colons")
        }
        if let first = mount.source.first, first == "." || first == "/" || first == "~" {
            mount.type = "bind"
            mount.volumeOptions = nil
        } else {
            mount.bindOptions = nil
        }
        return try resolved(mount, node)
    }

    /// Relative bind sources resolve against the compose file's directory; a named volume
    /// keeps its key for the deployer.
    private func resolved(_ mount: Mount, _ node: YAMLNode) throws(CLIError) -> ComposeProject.MountUse {
        var mount = mount
        switch mount.type.rawValue {
        case "bind":
            if mount.source.hasPrefix("~") {
                mount.source = (ProcessInfo.processInfo.environment["HOME"] ?? "") + mount.source.dropFirst()
            } else if !mount.source.hasPrefix("/") {
                let base = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
                mount.source = URL(fileURLWithPath: base + "/" + mount.source).standardizedFileURL.path
            }
            return .init(mount: mount, volumeKey: nil)
        case "volume" where !mount.source.isEmpty:
            return .init(mount: mount, volumeKey: mount.source)
        default:
            return .init(mount: mount, volumeKey: nil)
        }
    }

    /// `extra_hosts`: `host:ip` (or `host=ip`) entries, or a mapping, as swarm `IP host` lines.
    func extraHosts(_ node: YAMLNode, _ path: String) throws(CLIError) -> [String] {
        var pairs: [(String, String)] = []
        if case .mapping = node {
            for (host, value) in try mapping(node, path) { pairs.append((host, try string(value, path + "." + host))) }
        } else {
            for entry in try strings(node, path) {
                let separator: Character = entry.contains("=") ? "=" : ":"
                guard let split = entry.firstIndex(of: separator) else { throw located(node, "\(path): invalid extra host \"\(entry)\"") }
                pairs.append((String(entry[..<split]), String(entry[entry.index(after: split)...])))
            }
        }
        return pairs.map { host, address in
            let bare = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
            return bare + " " + host
        }
    }

    /// `ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}`, sorted by name.
    func ulimits(_ node: YAMLNode, _ path: String) throws(CLIError) -> [Ulimit] {
        var result: [Ulimit] = []
        for (name, value) in try mapping(node, path) {
            if case .mapping = value {
                var soft: Int64?
                var hard: Int64?
                for (field, limit) in try mapping(value, path + "." + name) {
                    switch field {
                    case "soft": soft = Int64(try int(limit, path + "." + name + ".soft", range: Int.min...Int.max))
                    case "hard": hard = Int64(try int(limit, path + "." + name + ".hard", range: Int.min...Int.max))
                    default: throw located(limit, "\(path).\(name) Additional property \(field) is not allowed")
                    }
                }
                guard let soft, let hard else { throw located(value, "\(path).\(name): soft and hard are required") }
                result.append(Ulimit(name: name, hard: hard, soft: soft))
            } else {
                let limit = Int64(try int(value, path + "." + name, range: Int.min...Int.max))
                result.append(Ulimit(name: name, hard: limit, soft: limit))
            }
        }
        return result.sorted { $0.name < $1.name }
    }

    private func dnsConfig(_ current: DNSConfig?, nameservers: [String]? = nil, search: [String]? = nil) -> DNSConfig {
        var config = current ?? DNSConfig()
        if let nameservers { config.nameservers = nameservers }
        if let search { config.search = search }
        return config
    }

    func updateConfig(_ node: YAMLNode, _ path: String) throws(CLIError) -> UpdateConfig {
        var config = UpdateConfig(parallelism: 1, failureAction: .pause, order: .stopFirst)
        for (field, value) in try mapping(node, path) {
            let fieldPath = path + "." + field
            switch field {
            case "parallelism": config.parallelism = UInt64(try int(value, fieldPath, range: 0...Int.max))
            case "delay": config.delay = try duration(value, fieldPath)
            case "monitor": config.monitor = try duration(value, fieldPath)
            case "max_failure_ratio":
                let text = try string(value, fieldPath)
                guard let ratio = Double(text), (0...1).contains(ratio) else { throw located(value, "\(fieldPath) must be a number between 0 and 1") }
                config.maxFailureRatio = ratio
            case "failure_action":
                let text = try string(value, fieldPath)
                guard ["pause", "continue", "rollback"].contains(text) else { throw located(value, "\(fieldPath) must be one of pause, continue, rollback") }
                config.failureAction = FailureAction(rawValue: text)
            case "order":
                let text = try string(value, fieldPath)
                guard ["start-first", "stop-first"].contains(text) else { throw located(value, "\(fieldPath) must be start-first or stop-first") }
                config.order = UpdateOrder(rawValue: text)
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        return config
    }

    func healthcheck(_ node: YAMLNode, _ path: String) throws(CLIError) -> HealthConfig {
        var health = HealthConfig()
        for (field, value) in try mapping(node, path) {
            let fieldPath = path + "." + field
            switch field {
            case "test":
                if case .sequence = value { health.test = try strings(value, fieldPath) } else { health.test = ["CMD-SHELL", try string(value, fieldPath)] }
            case "interval": health.interval = try duration(value, fieldPath)
            case "timeout": health.timeout = try duration(value, fieldPath)
            case "start_period": health.startPeriod = try duration(value, fieldPath)
            case "start_interval": health.startInterval = try duration(value, fieldPath)
            case "retries": health.retries = try int(value, fieldPath, range: 0...Int.max)
            case "disable": if try bool(value, fieldPath) { health.test = ["NONE"] }
            default: throw located(value, "\(path) Additional property \(field) is not allowed")
            }
        }
        return health
    }

    func references(_ node: YAMLNode, _ path: String, kind: String) throws(CLIError) -> [FileReferenceRequest] {
        var result: [FileReferenceRequest] = []
        for entry in try sequence(node, path) {
            if case .mapping = entry {
                var source = ""
                var target = ""
                var request = FileReferenceRequest(source: "", target: "")
                for (field, value) in try mapping(entry, path) {
                    switch field {
                    case "source": source = try string(value, path + ".source")
                    case "target": target = try string(value, path + ".target")
                    case "uid": request.uid = try string(value, path + ".uid")
                    case "gid": request.gid = try string(value, path + ".gid")
                    case "mode":
                        let text = try string(value, path + ".mode")
                        guard let mode = UInt32(text.hasPrefix("0") ? String(text.dropFirst()) : text, radix: text.hasPrefix("0") ? 8 : 10) ?? UInt32(text) else {
                            throw located(value, "\(path).mode must be a number")
                        }
                        request.mode = mode
                    default: throw located(value, "\(path) Additional property \(field) is not allowed")
                    }
                }
                guard !source.isEmpty else { throw located(entry, "\(path): source is required") }
                request.source = source
                request.target = target.isEmpty ? (kind == "config" ? "/" + source : source) : target
                result.append(request)
            } else {
                let name = try string(entry, path)
                result.append(FileReferenceRequest(source: name, target: kind == "config" ? "/" + name : name))
            }
        }
        return result
    }

    // MARK: scalar helpers

    func located(_ node: YAMLNode?, _ message: String) -> CLIError {
        guard let mark = node?.mark else { return CLIError("\(fileName): \(message)") }
        return CLIError("\(fileName):\(mark.line):\(mark.column): \(message)")
    }

    func yamlError(_ error: YamlError) -> CLIError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return CLIError("\(fileName):\(mark.line):\(mark.column): yaml: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return CLIError("\(fileName):\(context.mark.line):\(context.mark.column): yaml: duplicated keys \(duplicates.joined(separator: ", ")) \(context.text)")
        default:
            return CLIError("\(fileName): yaml: " + ColmeiaCommand.oneLine("\(error)"))
        }
    }

    func isNull(_ node: YAMLNode) -> Bool {
        if case .scalar(let scalar) = node { return scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" }
        return false
    }

    func mapping(_ node: YAMLNode, _ path: String) throws(CLIError) -> [(String, YAMLNode)] {
        guard case .mapping(let mapping) = node else {
            throw located(node, "\(path.isEmpty ? "top level" : path) must be a mapping")
        }
        var result: [(String, YAMLNode)] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw located(key, "\(path): keys must be strings") }
            guard seen.insert(scalar.string).inserted else { throw located(key, "\(path): duplicate key \(scalar.string)") }
            result.append((scalar.string, value))
        }
        return result
    }

    func sequence(_ node: YAMLNode, _ path: String) throws(CLIError) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw located(node, "\(path) must be a list") }
        return Array(sequence)
    }

    func string(_ node: YAMLNode, _ path: String) throws(CLIError) -> String {
        guard case .scalar(let scalar) = node else { throw located(node, "\(path) must be a string") }
        do {
            let interpolation = ComposeInterpolation(environment: interpolation.environment) { [unset] name in unset.add(name) }
            return try interpolation.apply(scalar.string)
        } catch {
            throw located(node, "\(path): \(error.message)")
        }
    }

    func strings(_ node: YAMLNode, _ path: String) throws(CLIError) -> [String] {
        if case .scalar = node { return [try string(node, path)] }
        var result: [String] = []
        for item in try sequence(node, path) { result.append(try string(item, path)) }
        return result
    }

    func commandLine(_ node: YAMLNode, _ path: String) throws(CLIError) -> [String] {
        if case .scalar = node { return try string(node, path).split(separator: " ").map(String.init) }
        return try strings(node, path)
    }

    func int(_ node: YAMLNode, _ path: String, range: ClosedRange<Int>) throws(CLIError) -> Int {
        let text = try string(node, path)
        guard let value = Int(text), range.contains(value) else {
            throw located(node, "\(path) must be an integer\(range.upperBound < Int.max ? " in \(range.lowerBound)…\(range.upperBound)" : range.lowerBound == 0 ? " ≥ 0" : ""): \"\(text)\"")
        }
        return value
    }

    func bool(_ node: YAMLNode, _ path: String) throws(CLIError) -> Bool {
        let text = try string(node, path).lowercased()
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw located(node, "\(path) must be a boolean: \"\(text)\"")
        }
    }

    func duration(_ node: YAMLNode, _ path: String) throws(CLIError) -> Int64 {
        let text = try string(node, path)
        guard let value = GoDuration.parse(text), value >= 0 else { throw located(node, "\(path): invalid duration \"\(text)\"") }
        return value
    }

    /// A map, or a list of `KEY=value`.
    func keyValues(_ node: YAMLNode, _ path: String) throws(CLIError) -> [String: String] {
        if case .sequence = node { return ServiceSpecBuilder.labels(try strings(node, path)) }
        var result: [String: String] = [:]
        for (key, value) in try mapping(node, path) { result[key] = isNull(value) ? "" : try string(value, path + "." + key) }
        return result
    }

    /// `environment:` as `KEY=value` entries (a map, or a list; `KEY` alone is taken from the environment).
    func keyValueList(_ node: YAMLNode, _ path: String) throws(CLIError) -> [String] {
        if case .sequence = node {
            return try strings(node, path).compactMap { entry in
                entry.contains("=") ? entry : interpolation.environment[entry].map { entry + "=" + $0 }
            }
        }
        var result: [String] = []
        for (key, value) in try mapping(node, path) {
            if isNull(value) {
                if let inherited = interpolation.environment[key] { result.append(key + "=" + inherited) }
            } else {
                result.append(key + "=" + (try string(value, path + "." + key)))
            }
        }
        return result
    }
}

/// Names of variables found unset while interpolating (shared by copies of the loader).
final class UnsetVariables: @unchecked Sendable {
    private let lock = NSLock()
    private var set: Set<String> = []

    func add(_ name: String) {
        lock.lock()
        set.insert(name)
        lock.unlock()
    }

    var names: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return set
    }
}
