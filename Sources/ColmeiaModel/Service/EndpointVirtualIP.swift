/// A service's virtual IP on one network.
public struct EndpointVirtualIP: Sendable, Hashable, PreservesUnknownFields {
    public var networkID: String
    /// CIDR, e.g. `10.0.0.5/24`.
    public var addr: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(networkID: String = "", addr: String = "", extra: [String: JSONValue] = [:]) {
        self.networkID = networkID
        self.addr = addr
        self.extra = extra
    }
}

extension EndpointVirtualIP: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case networkID = "NetworkID"
        case addr = "Addr"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        networkID = try fields(.networkID, as: String.self) ?? ""
        addr = try fields(.addr, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(networkID, .networkID)
        try fields.omitEmpty(addr, .addr)
        try fields.extra(extra)
    }
}
