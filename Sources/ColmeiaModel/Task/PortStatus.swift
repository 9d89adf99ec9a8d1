/// Host-mode ports a task published.
public struct PortStatus: Sendable, Hashable, PreservesUnknownFields {
    public var ports: [PortConfig]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(ports: [PortConfig] = [], extra: [String: JSONValue] = [:]) {
        self.ports = ports
        self.extra = extra
    }
}

extension PortStatus: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case ports = "Ports"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        ports = try fields(.ports, as: [PortConfig].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(ports, .ports)
        try fields.extra(extra)
    }
}
