/// A service's allocated endpoint: the spec in force, the ports with their published
/// numbers, and the virtual IPs.
public struct Endpoint: Sendable, Hashable, PreservesUnknownFields {
    public var spec: EndpointSpec
    public var ports: [PortConfig]
    public var virtualIPs: [EndpointVirtualIP]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        spec: EndpointSpec = EndpointSpec(),
        ports: [PortConfig] = [],
        virtualIPs: [EndpointVirtualIP] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.spec = spec
        self.ports = ports
        self.virtualIPs = virtualIPs
        self.extra = extra
    }
}

extension Endpoint: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case spec = "Spec"
        case ports = "Ports"
        case virtualIPs = "VirtualIPs"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        spec = try fields(.spec, as: EndpointSpec.self) ?? EndpointSpec()
        ports = try fields(.ports, as: [PortConfig].self) ?? []
        virtualIPs = try fields(.virtualIPs, as: [EndpointVirtualIP].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(spec, .spec)
        try fields.omitEmpty(ports, .ports)
        try fields.omitEmpty(virtualIPs, .virtualIPs)
        try fields.extra(extra)
    }
}
