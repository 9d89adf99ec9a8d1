/// IP address management of a network in the Swarm API's shape.
public struct IPAMOptions: Sendable, Hashable, PreservesUnknownFields {
    public var driver: Driver
    public var configs: [IPAMOptions.Config]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        driver: Driver = Driver(),
        configs: [IPAMOptions.Config] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.driver = driver
        self.configs = configs
        self.extra = extra
    }
}

extension IPAMOptions: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case driver = "Driver"
        case configs = "Configs"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        driver = try fields(.driver, as: Driver.self) ?? Driver()
        configs = try fields(.configs, as: [IPAMOptions.Config].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(driver, .driver)
        try fields.omitEmpty(configs, .configs)
        try fields.extra(extra)
    }
}
