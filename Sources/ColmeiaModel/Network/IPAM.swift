/// A network's IP address management, in Docker's network inspect shape.
public struct IPAM: Sendable, Hashable, PreservesUnknownFields {
    public var driver: String
    public var options: [String: String]
    public var config: [IPAM.Config]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        driver: String = "",
        options: [String: String] = [:],
        config: [IPAM.Config] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.driver = driver
        self.options = options
        self.config = config
        self.extra = extra
    }
}

extension IPAM: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case driver = "Driver"
        case options = "Options"
        case config = "Config"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        driver = try fields(.driver, as: String.self) ?? ""
        options = try fields(.options, as: [String: String].self) ?? [:]
        config = try fields(.config, as: [IPAM.Config].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(driver, .driver)
        try fields(options, .options)
        try fields(config, .config)
        try fields.extra(extra)
    }
}
