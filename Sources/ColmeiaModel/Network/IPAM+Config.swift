extension IPAM {
    /// One subnet of a network.
    public struct Config: Sendable, Hashable, PreservesUnknownFields {
        public var subnet: String
        public var ipRange: String
        public var gateway: String
        public var auxiliaryAddresses: [String: String]
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            subnet: String = "",
            ipRange: String = "",
            gateway: String = "",
            auxiliaryAddresses: [String: String] = [:],
            extra: [String: JSONValue] = [:]
        ) {
            self.subnet = subnet
            self.ipRange = ipRange
            self.gateway = gateway
            self.auxiliaryAddresses = auxiliaryAddresses
            self.extra = extra
        }
    }
}

extension IPAM.Config: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case subnet = "Subnet"
        case ipRange = "IPRange"
        case gateway = "Gateway"
        case auxiliaryAddresses = "AuxiliaryAddresses"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        subnet = try fields(.subnet, as: String.self) ?? ""
        ipRange = try fields(.ipRange, as: String.self) ?? ""
        gateway = try fields(.gateway, as: String.self) ?? ""
        auxiliaryAddresses = try fields(.auxiliaryAddresses, as: [String: String].self) ?? [:]
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(subnet, .subnet)
        try fields.omitEmpty(ipRange, .ipRange)
        try fields.omitEmpty(gateway, .gateway)
        try fields.omitEmpty(auxiliaryAddresses, .auxiliaryAddresses)
        try fields.extra(extra)
    }
}
