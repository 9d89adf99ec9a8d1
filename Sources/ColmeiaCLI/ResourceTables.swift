import ColmeiaModel
import Foundation

/// The columns docker prints for each kind of object, and the rows of a listing.
public enum ResourceTables {
    /// Docker's short ids: the first 12 characters.
    public static func shortID(_ id: String, noTrunc: Bool = false) -> String {
        noTrunc ? id : String(id.prefix(12))
    }

    /// The image without its `@sha256:…` digest, as docker lists it.
    public static func image(_ image: String, noTrunc: Bool = false) -> String {
        noTrunc ? image : String(image.split(separator: "@", maxSplits: 1).first ?? "")
    }

    /// "Running", "Shutdown": Go's `strings.Title` of a lower-case state.
    public static func title(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// `replicated`, `global`, `replicated job`, `global job`.
    public static func mode(_ mode: ServiceMode) -> String {
        if mode.global != nil { return "global" }
        if mode.replicatedJob != nil { return "replicated job" }
        if mode.globalJob != nil { return "global job" }
        return "replicated"
    }

    // MARK: services

    public static let serviceColumns: [ListOutput.Column] = [
        .init("ID", "ID"), .init("Name", "NAME"), .init("Mode", "MODE"), .init("Replicas", "REPLICAS"),
        .init("Image", "IMAGE"), .init("Ports", "PORTS"),
    ]

    /// `service ls` rows (services fetched with `status=true`), sorted by name.
    public static func serviceRows(_ services: [Service]) -> [[String: String]] {
        services.sorted { $0.spec.name < $1.spec.name }.map { service in
            let status = service.serviceStatus ?? ServiceStatus()
            var replicas = "\(status.runningTasks)/\(status.desiredTasks)"
            if let max = service.spec.taskTemplate.placement?.maxReplicas, max > 0 { replicas += " (max \(max) per node)" }
            let ports = (service.endpoint.ports.isEmpty ? service.spec.endpointSpec?.ports ?? [] : service.endpoint.ports)
                .filter { $0.publishMode != .host }
            return [
                "ID": shortID(service.id),
                "Name": service.spec.name,
                "Mode": mode(service.spec.mode),
                "Replicas": replicas,
                "Image": image(service.spec.taskTemplate.containerSpec?.image ?? ""),
                "Ports": ports.map(PortSpec.describe).joined(separator: ", "),
            ]
        }
    }

    // MARK: tasks

    public static let taskColumns: [ListOutput.Column] = [
        .init("ID", "ID"), .init("Name", "NAME"), .init("Image", "IMAGE"), .init("Node", "NODE"),
        .init("DesiredState", "DESIRED STATE"), .init("CurrentState", "CURRENT STATE"), .init("Error", "ERROR"),
        .init("Ports", "PORTS"),
    ]

    /// The task's name as `service ps` shows it: `web.1`, or `web.NODEID` for global services.
    public static func taskName(_ task: SwarmTask, serviceName: String, noTrunc: Bool) -> String {
        var name = task.slot != 0 ? "\(serviceName).\(task.slot)" : "\(serviceName).\(task.nodeID)"
        if noTrunc { name += "." + task.id }
        return name
    }

    /// `service ps` rows: grouped by slot (or node), newest first, older ones as ` \_ web.1`.
    public static func taskRows(_ tasks: [SwarmTask], serviceNames: [String: String], nodeNames: [String: String],
                                noTrunc: Bool, now: Date) -> [[String: String]] {
        struct Keyed {
            var task: SwarmTask
            var service: String
            var group: String
        }
        let keyed = tasks.map { task -> Keyed in
            let service = serviceNames[task.serviceID] ?? task.serviceID
            return Keyed(task: task, service: service, group: task.slot != 0 ? "" : task.nodeID)
        }.sorted { a, b in
            if a.service != b.service { return a.service < b.service }
            if a.task.slot != b.task.slot { return a.task.slot < b.task.slot }
            if a.group != b.group { return a.group < b.group }
            return a.task.createdAt > b.task.createdAt
        }
        var previous = ""
        return keyed.map { item in
            let task = item.task
            let groupName = taskName(task, serviceName: item.service, noTrunc: false)
            var name = taskName(task, serviceName: item.service, noTrunc: noTrunc)
            if groupName == previous { name = " \\_ " + name }
            previous = groupName
            var error = task.status.err
            if !noTrunc, error.count > 30 { error = String(error.prefix(29)) + "…" }
            if !error.isEmpty { error = "\"\(error)\"" }
            let state = title(task.status.state.rawValue) + " " + RelativeTime.ago(task.status.timestamp.date, now: now)
            return [
                "ID": shortID(task.id, noTrunc: noTrunc),
                "Name": name,
                "Image": image(task.spec.containerSpec?.image ?? "", noTrunc: noTrunc),
                "Node": nodeNames[task.nodeID] ?? "",
                "DesiredState": title(task.desiredState.rawValue),
                "CurrentState": state,
                "Error": error,
                "Ports": task.status.portStatus.ports.map(PortSpec.describe).joined(separator: ", "),
            ]
        }
    }

    // MARK: nodes

    public static let nodeColumns: [ListOutput.Column] = [
        .init("ID", "ID"), .init("Hostname", "HOSTNAME"), .init("Status", "STATUS"), .init("Availability", "AVAILABILITY"),
        .init("ManagerStatus", "MANAGER STATUS"), .init("EngineVersion", "ENGINE VERSION"),
    ]

    /// `node ls` rows sorted by hostname; the current node's id ends with ` *`.
    public static func nodeRows(_ nodes: [Node], currentNodeID: String) -> [[String: String]] {
        nodes.sorted { ($0.description.hostname, $0.id) < ($1.description.hostname, $1.id) }.map { node in
            var managerStatus = ""
            if let status = node.managerStatus {
                managerStatus = status.leader ? "Leader" : title(status.reachability.rawValue)
            }
            return [
                "ID": node.id + (node.id == currentNodeID ? " *" : ""),
                "Self": node.id == currentNodeID ? "true" : "false",
                "Hostname": node.description.hostname,
                "Status": title(node.status.state.rawValue),
                "Availability": title(node.spec.availability.rawValue),
                "ManagerStatus": managerStatus,
                "EngineVersion": node.description.engine.engineVersion,
                "TLSStatus": "Ready",
            ]
        }
    }

    // MARK: secrets, configs, networks, stacks

    public static let secretColumns: [ListOutput.Column] = [
        .init("ID", "ID"), .init("Name", "NAME"), .init("Driver", "DRIVER"), .init("CreatedAt", "CREATED"), .init("UpdatedAt", "UPDATED"),
    ]

    public static func secretRows(_ secrets: [Secret], now: Date) -> [[String: String]] {
        secrets.sorted { $0.spec.name < $1.spec.name }.map { secret in
            ["ID": secret.id, "Name": secret.spec.name, "Driver": secret.spec.driver?.name ?? "",
             "CreatedAt": RelativeTime.ago(secret.createdAt.date, now: now),
             "UpdatedAt": RelativeTime.ago(secret.updatedAt.date, now: now)]
        }
    }

    public static let configColumns: [ListOutput.Column] = [
        .init("ID", "ID"), .init("Name", "NAME"), .init("CreatedAt", "CREATED"), .init("UpdatedAt", "UPDATED"),
    ]

    public static func configRows(_ configs: [Config], now: Date) -> [[String: String]] {
        configs.sorted { $0.spec.name < $1.spec.name }.map { config in
            ["ID": config.id, "Name": config.spec.name,
             "CreatedAt": RelativeTime.ago(config.createdAt.date, now: now),
             "UpdatedAt": RelativeTime.ago(config.updatedAt.date, now: now)]
        }
    }

    public static let networkColumns: [ListOutput.Column] = [
        .init("ID", "NETWORK ID"), .init("Name", "NAME"), .init("Driver", "DRIVER"), .init("Scope", "SCOPE"),
    ]

    public static func networkRows(_ networks: [Network], noTrunc: Bool) -> [[String: String]] {
        networks.sorted { $0.name < $1.name }.map { network in
            ["ID": shortID(network.id, noTrunc: noTrunc), "Name": network.name, "Driver": network.driver, "Scope": network.scope]
        }
    }

    public static let stackColumns: [ListOutput.Column] = [.init("Name", "NAME"), .init("Services", "SERVICES")]

    /// `stack ls` rows: services counted by their `com.docker.stack.namespace` label.
    public static func stackRows(_ services: [Service]) -> [[String: String]] {
        var counts: [String: Int] = [:]
        for service in services {
            if let stack = service.spec.labels[StackLabels.namespace] { counts[stack, default: 0] += 1 }
        }
        return counts.keys.sorted().map { ["Name": $0, "Services": String(counts[$0] ?? 0)] }
    }
}
