import ColmeiaModel
import Foundation

/// `inspect --pretty`: docker's human-friendly layouts of services, nodes, secrets, configs.
public enum PrettyInspect {
    /// Lines `Label:<padding>value` aligned like docker's tabwriter output.
    struct Writer {
        var lines: [(String, String)] = []
        mutating func add(_ label: String, _ value: String = "") { lines.append((label, value)) }
        func render() -> String {
            let width = max(lines.filter { !$0.1.isEmpty }.map { $0.0.count + 1 }.max() ?? 0, 0)
            return lines.map { label, value in
                value.isEmpty ? label + "\n" : (label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + value + "\n"
            }.joined()
        }
    }

    public static func service(_ service: Service) -> String {
        var out = Writer()
        let spec = service.spec
        out.add("ID", service.id)
        out.add("Name", spec.name)
        if !spec.labels.isEmpty {
            out.add("Labels:")
            for key in spec.labels.keys.sorted() { out.add(" \(key)=\(spec.labels[key] ?? "")") }
        }
        if spec.mode.global != nil {
            out.add("Service Mode", "Global")
        } else {
            out.add("Service Mode", "Replicated")
            out.add(" Replicas", String(spec.mode.replicated?.replicas ?? 1))
        }
        if let status = service.updateStatus {
            out.add("UpdateStatus:")
            out.add(" State", status.state.rawValue)
            if let started = status.startedAt { out.add(" Started", RelativeTime.ago(started.date, now: Date())) }
            if let completed = status.completedAt { out.add(" Completed", RelativeTime.ago(completed.date, now: Date())) }
            out.add(" Message", status.message)
        }
        if let placement = spec.taskTemplate.placement, !placement.constraints.isEmpty || !placement.preferences.isEmpty {
            out.add("Placement:")
            if !placement.constraints.isEmpty { out.add(" Constraints", "[" + placement.constraints.joined(separator: " ") + "]") }
            if !placement.preferences.isEmpty {
                out.add(" Preferences", "[" + placement.preferences.compactMap { $0.spread.map { "spread=" + $0.spreadDescriptor } }.joined(separator: " ") + "]")
            }
        } else {
            out.add("Placement:")
        }
        for (title, config) in [("UpdateConfig", spec.updateConfig), ("RollbackConfig", spec.rollbackConfig)] {
            guard let config else { continue }
            out.add(title + ":")
            out.add(" Parallelism", String(config.parallelism))
            if config.delay > 0 { out.add(" Delay", GoDuration.format(config.delay)) }
            out.add(" On failure", config.failureAction.rawValue)
            out.add(" Monitoring Period", GoDuration.format(config.monitor))
            out.add(" Max failure ratio", String(format: "%g", config.maxFailureRatio))
            out.add(" \(title == "UpdateConfig" ? "Update" : "Rollback") order", config.order.rawValue)
        }
        out.add("ContainerSpec:")
        let container = spec.taskTemplate.containerSpec ?? ContainerSpec()
        out.add(" Image", container.image)
        if !container.command.isEmpty { out.add(" Command", container.command.joined(separator: " ")) }
        if !container.args.isEmpty { out.add(" Args", container.args.joined(separator: " ")) }
        if !container.env.isEmpty { out.add(" Env", container.env.joined(separator: " ")) }
        out.add(" Init", container.initProcess == true ? "true" : "false")
        if !container.secrets.isEmpty {
            out.add("Secrets:")
            for secret in container.secrets { out.add(" Target", secret.file?.name ?? "") ; out.add("  Source", secret.secretName) }
        }
        if !container.configs.isEmpty {
            out.add("Configs:")
            for config in container.configs { out.add(" Target", config.file?.name ?? ""); out.add("  Source", config.configName) }
        }
        if let resources = spec.taskTemplate.resources {
            out.add("Resources:")
            if let limits = resources.limits {
                out.add(" Limits:")
                if limits.nanoCPUs > 0 { out.add("  CPU", String(format: "%g", Double(limits.nanoCPUs) / 1e9)) }
                if limits.memoryBytes > 0 { out.add("  Memory", ByteSize.format(limits.memoryBytes)) }
            }
            if let reservations = resources.reservations {
                out.add(" Reservations:")
                if reservations.nanoCPUs > 0 { out.add("  CPU", String(format: "%g", Double(reservations.nanoCPUs) / 1e9)) }
                if reservations.memoryBytes > 0 { out.add("  Memory", ByteSize.format(reservations.memoryBytes)) }
            }
        } else {
            out.add("Resources:")
        }
        if !spec.taskTemplate.networks.isEmpty {
            out.add("Networks", spec.taskTemplate.networks.map(\.target).joined(separator: " "))
        }
        out.add("Endpoint Mode", (spec.endpointSpec?.mode.rawValue).flatMap { $0.isEmpty ? nil : $0 } ?? "vip")
        let ports = spec.endpointSpec?.ports ?? []
        if !ports.isEmpty {
            out.add("Ports:")
            for port in ports {
                out.add(" PublishedPort = \(port.publishedPort)")
                out.add("  Protocol = \(port.protocol.rawValue.isEmpty ? "tcp" : port.protocol.rawValue)")
                out.add("  TargetPort = \(port.targetPort)")
                out.add("  PublishMode = \(port.publishMode.rawValue.isEmpty ? "ingress" : port.publishMode.rawValue)")
            }
        }
        return out.render()
    }

    public static func node(_ node: Node) -> String {
        var out = Writer()
        out.add("ID", node.id)
        if !node.spec.name.isEmpty { out.add("Name", node.spec.name) }
        if !node.spec.labels.isEmpty {
            out.add("Labels:")
            for key in node.spec.labels.keys.sorted() { out.add(" - \(key)=\(node.spec.labels[key] ?? "")") }
        }
        out.add("Hostname", node.description.hostname)
        out.add("Joined at", node.createdAt.date.formatted(.iso8601))
        out.add("Status:")
        out.add(" State", ResourceTables.title(node.status.state.rawValue))
        out.add(" Availability", ResourceTables.title(node.spec.availability.rawValue))
        out.add(" Address", node.status.addr)
        if let manager = node.managerStatus {
            out.add("Manager Status:")
            out.add(" Address", manager.addr)
            out.add(" Raft Status", ResourceTables.title(manager.reachability.rawValue))
            out.add(" Leader", manager.leader ? "Yes" : "No")
        }
        out.add("Platform:")
        out.add(" Operating System", node.description.platform.os)
        out.add(" Architecture", node.description.platform.architecture)
        out.add("Resources:")
        out.add(" CPUs", String(node.description.resources.nanoCPUs / 1_000_000_000))
        out.add(" Memory", ByteSize.format(node.description.resources.memoryBytes))
        out.add("Engine Version", node.description.engine.engineVersion)
        return out.render()
    }

    public static func secret(_ secret: Secret) -> String {
        var out = Writer()
        out.add("ID", secret.id)
        out.add("Name", secret.spec.name)
        if !secret.spec.labels.isEmpty {
            out.add("Labels:")
            for key in secret.spec.labels.keys.sorted() { out.add(" - \(key)=\(secret.spec.labels[key] ?? "")") }
        }
        out.add("Driver", secret.spec.driver?.name ?? "")
        out.add("Created at", secret.createdAt.date.formatted(.iso8601))
        out.add("Updated at", secret.updatedAt.date.formatted(.iso8601))
        return out.render()
    }

    public static func config(_ config: Config) -> String {
        var out = Writer()
        out.add("ID", config.id)
        out.add("Name", config.spec.name)
        if !config.spec.labels.isEmpty {
            out.add("Labels:")
            for key in config.spec.labels.keys.sorted() { out.add(" - \(key)=\(config.spec.labels[key] ?? "")") }
        }
        out.add("Created at", config.createdAt.date.formatted(.iso8601))
        out.add("Updated at", config.updatedAt.date.formatted(.iso8601))
        out.add("Data:")
        return out.render() + String(decoding: config.spec.data ?? Data(), as: UTF8.self) + "\n"
    }
}
