/// The config-only network a network takes its configuration from.
public struct NetworkConfigReference: Sendable, Hashable, PreservesUnknownFields {
    public var network: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(network: String = "", extra: [String: JSONValue] = [:]) {
        self.network = network
        self.extra = extra
    }
}

extension NetworkConfigReference: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case network = "Network"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        network = try fields(.network, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(network, .network)
        try fields.extra(extra)
    }
}
