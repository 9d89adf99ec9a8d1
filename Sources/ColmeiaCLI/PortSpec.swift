import ColmeiaModel

/// `--publish` values: `80`, `8080:80`, `8080:80/udp`, or the long form
/// `published=8080,target=80,protocol=tcp,mode=host` (and Colmeia's `proxy-protocol=v2`).
public enum PortSpec {
    /// Where the long form's `proxy-protocol=v2` waits until ``labelProxyProtocol(_:labels:)``
    /// turns it into the service label the mesh reads.
    static let proxyProtocolMark = "ColmeiaProxyProtocol"

    /// Moves each port's `proxy-protocol=v2` to the service label
    /// `com.colmeia.proxy-protocol.<target>=v2`.
    public static func labelProxyProtocol(_ ports: inout [PortConfig], labels: inout [String: String]) {
        for index in ports.indices where ports[index].extra.removeValue(forKey: proxyProtocolMark) != nil {
            labels["\(MeshPort.proxyProtocolLabel).\(ports[index].targetPort)"] = "v2"
        }
    }

    public static func parse(_ text: String) throws(CLIError) -> [PortConfig] {
        if text.contains("=") { return [try parseLong(text)] }
        var rest = Substring(text)
        var proto: PortProtocol = .tcp
        if let slash = rest.lastIndex(of: "/") {
            let name = rest[rest.index(after: slash)...].lowercased()
            guard ["tcp", "udp", "sctp"].contains(name) else { throw invalid(text, "invalid proto: \(name)") }
            proto = PortProtocol(rawValue: name)
            rest = rest[..<slash]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let targetText = parts.last else { throw invalid(text, "too many colons") }
        let published = parts.count == 2 ? String(parts[0]) : ""
        let targets = try range(String(targetText), whole: text)
        var publishedPorts: [UInt32] = []
        if !published.isEmpty {
            publishedPorts = try range(published, whole: text)
            guard publishedPorts.count == targets.count || publishedPorts.count == 1 else {
                throw invalid(text, "published and target port ranges differ in size")
            }
        }
        return targets.enumerated().map { index, target in
            let publishedPort = publishedPorts.isEmpty ? 0 : (publishedPorts.count == 1 ? publishedPorts[0] : publishedPorts[index])
            return PortConfig(protocol: proto, targetPort: target, publishedPort: publishedPort, publishMode: .ingress)
        }
    }

    static func parseLong(_ text: String) throws(CLIError) -> PortConfig {
        var port = PortConfig(protocol: .tcp, publishMode: .ingress)
        for field in text.split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw invalid(text, "invalid field '\(field)' must be a key=value pair") }
            switch pair[0].lowercased() {
            case "target": port.targetPort = try number(pair[1], whole: text)
            case "published": port.publishedPort = try number(pair[1], whole: text)
            case "protocol":
                guard ["tcp", "udp", "sctp"].contains(pair[1].lowercased()) else { throw invalid(text, "invalid protocol value '\(pair[1])'") }
                port.protocol = PortProtocol(rawValue: pair[1].lowercased())
            case "mode":
                guard ["ingress", "host"].contains(pair[1].lowercased()) else { throw invalid(text, "invalid publish mode value (\(pair[1]))") }
                port.publishMode = PublishMode(rawValue: pair[1].lowercased())
            case "proxy-protocol":
                guard pair[1].lowercased() == "v2" else { throw invalid(text, "invalid proxy-protocol value '\(pair[1])': only v2 is supported") }
                port.extra[proxyProtocolMark] = .string("v2")
            default: throw invalid(text, "invalid field key '\(pair[0])'")
            }
        }
        guard port.targetPort != 0 else { throw invalid(text, "missing mandatory field 'target'") }
        return port
    }

    private static func range(_ text: String, whole: String) throws(CLIError) -> [UInt32] {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count <= 2 else { throw invalid(whole, "invalid range format") }
        let low = try number(bounds[0], whole: whole)
        let high = bounds.count == 2 ? try number(bounds[1], whole: whole) : low
        guard low <= high else { throw invalid(whole, "invalid range \(text)") }
        return Array(low...high)
    }

    private static func number(_ text: String, whole: String) throws(CLIError) -> UInt32 {
        guard let value = UInt32(text), value > 0, value <= 65_535 else {
            throw invalid(whole, "invalid port number '\(text)'")
        }
        return value
    }

    private static func invalid(_ text: String, _ reason: String) -> CLIError {
        CLIError("invalid argument \"\(text)\" for \"-p, --publish\" flag: \(reason)")
    }

    /// `*:8080->80/tcp` (ingress) or `8080->80/tcp` without the star for host mode, as docker lists them.
    public static func describe(_ port: PortConfig) -> String {
        let proto = port.protocol.rawValue.isEmpty ? "tcp" : port.protocol.rawValue
        let published = port.publishedPort == 0 ? "" : String(port.publishedPort)
        let prefix = port.publishMode == .host ? "" : "*"
        return "\(prefix):\(published)->\(port.targetPort)/\(proto)"
    }
}
