/// A network a service's tasks attach to.
public struct NetworkAttachmentConfig: Sendable, Hashable, PreservesUnknownFields {
    /// Network ID or name.
    public var target: String
    public var aliases: [String]
    public var driverOpts: [String: String]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        target: String = "",
        aliases: [String] = [],
        driverOpts: [String: String] = [:],
        extra: [String: JSONValue] = [:]
    ) {
        self.target = target
        self.aliases = aliases
        self.driverOpts = driverOpts
        self.extra = extra
    }
}

extension NetworkAttachmentConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case target = "Target"
        case aliases = "Aliases"
        case driverOpts = "DriverOpts"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        target = try fields(.target, as: String.self) ?? ""
        aliases = try fields(.aliases, as: [String].self) ?? []
        driverOpts = try fields(.driverOpts, as: [String: String].self) ?? [:]
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(target, .target)
        try fields.omitEmpty(aliases, .aliases)
        try fields.omitEmpty(driverOpts, .driverOpts)
        try fields.extra(extra)
    }
}
