/// A container's resolver configuration.
public struct DNSConfig: Sendable, Hashable, PreservesUnknownFields {
    public var nameservers: [String]
    public var search: [String]
    public var options: [String]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        nameservers: [String] = [],
        search: [String] = [],
        options: [String] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.nameservers = nameservers
        self.search = search
        self.options = options
        self.extra = extra
    }
}

extension DNSConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case nameservers = "Nameservers"
        case search = "Search"
        case options = "Options"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        nameservers = try fields(.nameservers, as: [String].self) ?? []
        search = try fields(.search, as: [String].self) ?? []
        options = try fields(.options, as: [String].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(nameservers, .nameservers)
        try fields.omitEmpty(search, .search)
        try fields.omitEmpty(options, .options)
        try fields.extra(extra)
    }
}
