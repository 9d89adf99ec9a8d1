extension IPAMOptions {
    /// One pool of addresses.
    public struct Config: Sendable, Hashable, PreservesUnknownFields {
        public var subnet: String
        public var range: String
        public var gateway: String
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            subnet: String = "",
            range: String = "",
            gateway: String = "",
            extra: [String: JSONValue] = [:]
        ) {
            self.subnet = subnet
            self.range = range
            self.gateway = gateway
            self.extra = extra
        }
    }
}

extension IPAMOptions.Config: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case subnet = "Subnet"
        case range = "Range"
        case gateway = "Gateway"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        subnet = try fields(.subnet, as: String.self) ?? ""
        range = try fields(.range, as: String.self) ?? ""
        gateway = try fields(.gateway, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(subnet, .subnet)
        try fields.omitEmpty(range, .range)
        try fields.omitEmpty(gateway, .gateway)
        try fields.extra(extra)
    }
}
