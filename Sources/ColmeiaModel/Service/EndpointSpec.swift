/// How a service is reached: resolution mode and published ports.
public struct EndpointSpec: Sendable, Hashable, PreservesUnknownFields {
    public var mode: ResolutionMode
    public var ports: [PortConfig]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        mode: ResolutionMode = "",
        ports: [PortConfig] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.mode = mode
        self.ports = ports
        self.extra = extra
    }
}

extension EndpointSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode = "Mode"
        case ports = "Ports"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        mode = try fields(.mode, as: ResolutionMode.self) ?? ""
        ports = try fields(.ports, as: [PortConfig].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(mode, .mode)
        try fields.omitEmpty(ports, .ports)
        try fields.extra(extra)
    }
}
