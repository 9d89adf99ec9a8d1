/// A network a task is attached to, with its addresses.
public struct NetworkAttachment: Sendable, Hashable, PreservesUnknownFields {
    public var network: AttachedNetwork
    /// CIDRs, e.g. `10.0.0.7/24`.
    public var addresses: [String]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        network: AttachedNetwork = AttachedNetwork(),
        addresses: [String] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.network = network
        self.addresses = addresses
        self.extra = extra
    }
}

extension NetworkAttachment: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case network = "Network"
        case addresses = "Addresses"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        network = try fields(.network, as: AttachedNetwork.self) ?? AttachedNetwork()
        addresses = try fields(.addresses, as: [String].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(network, .network)
        try fields.omitEmpty(addresses, .addresses)
        try fields.extra(extra)
    }
}
