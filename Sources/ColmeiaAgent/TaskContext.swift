import Foundation
import ColmeiaMesh
import ColmeiaModel

/// What the node tells a task besides its spec: its service's ports (a process task gets a
/// port of the node for each target port, in `COLMEIA_PORT_<target>`), and what Docker's
/// placeholders (`{{.Task.Name}}`, `{{.Node.Hostname}}`…) in its environment, hostname and
/// mounts expand to.
public struct TaskContext: Sendable, Hashable {
    public var serviceName: String
    public var serviceLabels: [String: String]
    public var ports: [MeshPort]
    public var nodeID: String
    public var nodeHostname: String
    public var platform: Platform

    public init(serviceName: String = "", serviceLabels: [String: String] = [:], ports: [MeshPort] = [],
                nodeID: String = "", nodeHostname: String = "", platform: Platform = Platform()) {
        self.serviceName = serviceName
        self.serviceLabels = serviceLabels
        self.ports = ports
        self.nodeID = nodeID
        self.nodeHostname = nodeHostname
        self.platform = platform
    }

    /// The distinct target ports of the service, in order.
    public var targetPorts: [UInt32] {
        var seen: Set<UInt32> = []
        return ports.map(\.targetPort).filter { $0 > 0 && seen.insert($0).inserted }
    }

    /// `text` with Docker's service placeholders filled in (SwarmKit's template context:
    /// `.Service.ID/Name/Labels`, `.Node.ID/Hostname/Platform.OS/Platform.Architecture`,
    /// `.Task.ID/Name/Slot`); anything else is left as written.
    public func expand(_ text: String, task: SwarmTask) -> String {
        guard text.contains("{{") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                result += rest[open.lowerBound...]
                return result
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            result += value(of: expression, task: task) ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    private func value(of expression: String, task: SwarmTask) -> String? {
        if expression.hasPrefix("index .Service.Labels ") {
            let key = expression.dropFirst("index .Service.Labels ".count).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            return serviceLabels[key] ?? ""
        }
        switch expression {
        case ".Service.ID": return task.serviceID
        case ".Service.Name": return serviceName.isEmpty ? Self.serviceName(ofTask: task) : serviceName
        case ".Node.ID": return nodeID.isEmpty ? task.nodeID : nodeID
        case ".Node.Hostname": return nodeHostname
        case ".Node.Platform.OS": return platform.os
        case ".Node.Platform.Architecture": return platform.architecture
        case ".Task.ID": return task.id
        case ".Task.Name": return task.name
        case ".Task.Slot": return String(task.slot)
        default: return nil
        }
    }

    /// `web` of the task `web.2.abc…` (the service's name, as the orchestrator names tasks).
    static func serviceName(ofTask task: SwarmTask) -> String {
        let parts = task.name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 3 ? parts.dropLast(2).joined(separator: ".") : task.name
    }
}
