/// A named driver with options (log driver, secret driver, IPAM driver, templating).
public struct Driver: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var options: [String: String]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        options: [String: String] = [:],
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.options = options
        self.extra = extra
    }
}

extension Driver: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case options = "Options"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        options = try fields(.options, as: [String: String].self) ?? [:]
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields.omitEmpty(options, .options)
        try fields.extra(extra)
    }
}
