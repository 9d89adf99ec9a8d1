import ColmeiaModel
import Foundation

/// The body of `POST /containers/create` for a task, as Docker's swarm executor builds it
/// (moby `daemon/cluster/executor/container/container.go`): the container spec's settings,
/// the task's log driver, its mounts, its limits, and Swarm's labels.
enum DockerContainerConfig {
    /// `service.slot.taskid`, as Docker Swarm names task containers.
    static func containerName(_ task: SwarmTask) -> String {
        task.name.isEmpty ? "task.\(task.id)" : task.name
    }

    /// The service name, from the task name `service.slot.taskid`.
    static func serviceName(_ task: SwarmTask) -> String {
        let parts = task.name.split(separator: ".")
        return parts.count >= 3 ? parts.dropLast(2).joined(separator: ".") : task.serviceID
    }

    /// Checks the mounts as the swarm executor does before creating anything, in its words.
    static func validateMounts(_ mounts: [Mount]) throws(TaskFailure) {
        for mount in mounts {
            guard mount.target.hasPrefix("/") else {
                throw TaskFailure("invalid mount target, must be an absolute path: \(mount.target)")
            }
            switch mount.type.rawValue {
            case "bind":
                guard mount.source.hasPrefix("/") else {
                    throw TaskFailure("invalid bind mount source, must be an absolute path: \(mount.source)")
                }
                guard FileManager.default.fileExists(atPath: mount.source) else {
                    throw TaskFailure("invalid bind mount source, source path not found: \(mount.source)")
                }
            case "volume":
                guard !mount.source.hasPrefix("/") else {
                    throw TaskFailure("invalid volume mount source, must not be an absolute path: \(mount.source)")
                }
            case "tmpfs":
                guard mount.source.isEmpty else { throw TaskFailure("invalid tmpfs source, source must be empty") }
            case "npipe":
                throw TaskFailure("invalid mount type: npipe")
            default:
                throw TaskFailure("invalid mount type: \(mount.type.rawValue)")
            }
        }
    }

    /// Named volumes with a driver configuration, which the executor creates before the
    /// container (others are created by the engine with the container, with their labels).
    static func volumesToCreate(_ mounts: [Mount]) -> [[String: Any]] {
        mounts.compactMap { mount in
            guard mount.type.rawValue == "volume", !mount.source.isEmpty, let options = mount.volumeOptions,
                  let driver = options.driverConfig else { return nil }
            return ["Name": mount.source, "Driver": driver.name.isEmpty ? "local" : driver.name,
                    "DriverOpts": driver.options, "Labels": options.labels]
        }
    }

    static func body(for task: SwarmTask, extraMounts: [(path: String, target: String)] = []) throws(TaskFailure) -> [String: Any] {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        var labels = spec.labels
        labels["com.docker.swarm.service.id"] = task.serviceID
        labels["com.docker.swarm.service.name"] = serviceName(task)
        labels["com.docker.swarm.task"] = ""
        labels["com.docker.swarm.task.id"] = task.id
        labels["com.docker.swarm.task.name"] = containerName(task)
        labels["com.docker.swarm.node.id"] = task.nodeID
        var body: [String: Any] = ["Image": spec.image, "Labels": labels, "Env": spec.env, "Tty": spec.tty,
                                   "OpenStdin": spec.openStdin]
        if !spec.command.isEmpty { body["Entrypoint"] = spec.command }
        if !spec.args.isEmpty { body["Cmd"] = spec.args }
        if !spec.user.isEmpty { body["User"] = spec.user }
        if !spec.dir.isEmpty { body["WorkingDir"] = spec.dir }
        if !spec.hostname.isEmpty { body["Hostname"] = spec.hostname }
        if !spec.stopSignal.isEmpty { body["StopSignal"] = spec.stopSignal }
        // Docker's executor applies the grace period when it stops the container; it is
        // recorded on the container as well, so that `docker stop` on the node agrees.
        if let grace = spec.stopGracePeriod { body["StopTimeout"] = Int(grace / 1_000_000_000) }
        if let health = spec.healthcheck { body["Healthcheck"] = try json(health) }

        var host: [String: Any] = ["ReadonlyRootfs": spec.readOnly]
        var mounts: [Any] = spec.mounts.isEmpty ? [] : (try json(spec.mounts) as? [Any] ?? [])
        for file in extraMounts {
            mounts.append(["Type": "bind", "Source": file.path, "Target": file.target, "ReadOnly": true])
        }
        if !mounts.isEmpty { host["Mounts"] = mounts }
        if let initProcess = spec.initProcess { host["Init"] = initProcess }
        // Swarm's `Hosts` are /etc/hosts lines (`IP name [aliases…]`); the engine wants
        // `name:IP` (aliases are ignored, as in Docker).
        let extraHosts = spec.hosts.compactMap { entry -> String? in
            let fields = entry.split(whereSeparator: \.isWhitespace)
            return fields.count > 1 ? "\(fields[1]):\(fields[0])" : nil
        }
        if !extraHosts.isEmpty { host["ExtraHosts"] = extraHosts }
        if let dns = spec.dnsConfig {
            if !dns.nameservers.isEmpty { host["Dns"] = dns.nameservers }
            if !dns.search.isEmpty { host["DnsSearch"] = dns.search }
            if !dns.options.isEmpty { host["DnsOptions"] = dns.options }
        }
        if !spec.capabilityAdd.isEmpty { host["CapAdd"] = spec.capabilityAdd }
        if !spec.capabilityDrop.isEmpty { host["CapDrop"] = spec.capabilityDrop }
        if !spec.sysctls.isEmpty { host["Sysctls"] = spec.sysctls }
        if !spec.groups.isEmpty { host["GroupAdd"] = spec.groups }
        if spec.oomScoreAdj != 0 { host["OomScoreAdj"] = spec.oomScoreAdj }
        if !spec.isolation.isEmpty { host["Isolation"] = spec.isolation }
        if !spec.ulimits.isEmpty {
            host["Ulimits"] = spec.ulimits.map { ["Name": $0.name, "Soft": $0.soft, "Hard": $0.hard] as [String: Any] }
        }
        if let driver = task.spec.logDriver, !driver.name.isEmpty {
            host["LogConfig"] = ["Type": driver.name, "Config": driver.options] as [String: Any]
        }
        if let limits = task.spec.resources?.limits {
            if limits.nanoCPUs > 0 { host["NanoCpus"] = limits.nanoCPUs }
            if limits.memoryBytes > 0 { host["Memory"] = limits.memoryBytes }
            if limits.pids > 0 { host["PidsLimit"] = limits.pids }
        }
        body["HostConfig"] = host
        return body
    }

    private static func json(_ value: some Encodable) throws(TaskFailure) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
        } catch {
            throw TaskFailure("cannot convert the task spec for Docker: \(error)")
        }
    }

    /// The image reference as `POST /images/create` takes it: a digest reference whole in
    /// `fromImage`; otherwise the name in `fromImage` and the tag (default `latest`) apart.
    static func pullParameters(_ image: String) -> [(String, String)] {
        if image.contains("@") { return [("fromImage", image)] }
        let lastSlash = image.lastIndex(of: "/")
        if let colon = image.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            return [("fromImage", String(image[..<colon])), ("tag", String(image[image.index(after: colon)...]))]
        }
        return [("fromImage", image), ("tag", "latest")]
    }
}
