/// The body of `POST /networks/create`.
public struct NetworkCreateRequest: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var driver: String
    public var scope: String
    public var enableIPv4: Bool?
    public var enableIPv6: Bool?
    public var ipam: IPAM?
    public var `internal`: Bool
    public var attachable: Bool
    public var ingress: Bool
    public var configOnly: Bool
    public var configFrom: NetworkConfigReference?
    public var options: [String: String]
    public var labels: [String: String]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        driver: String = "",
        scope: String = "",
        enableIPv4: Bool? = nil,
        enableIPv6: Bool? = nil,
        ipam: IPAM? = nil,
        `internal`: Bool = false,
        attachable: Bool = false,
        ingress: Bool = false,
        configOnly: Bool = false,
        configFrom: NetworkConfigReference? = nil,
        options: [String: String] = [:],
        labels: [String: String] = [:],
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.driver = driver
        self.scope = scope
        self.enableIPv4 = enableIPv4
        self.enableIPv6 = enableIPv6
        self.ipam = ipam
        self.`internal` = `internal`
        self.attachable = attachable
        self.ingress = ingress
        self.configOnly = configOnly
        self.configFrom = configFrom
        self.options = options
        self.labels = labels
        self.extra = extra
    }
}

extension NetworkCreateRequest: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case driver = "Driver"
        case scope = "Scope"
        case enableIPv4 = "EnableIPv4"
        case enableIPv6 = "EnableIPv6"
        case ipam = "IPAM"
        case `internal` = "Internal"
        case attachable = "Attachable"
        case ingress = "Ingress"
        case configOnly = "ConfigOnly"
        case configFrom = "ConfigFrom"
        case options = "Options"
        case labels = "Labels"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        driver = try fields(.driver, as: String.self) ?? ""
        scope = try fields(.scope, as: String.self) ?? ""
        enableIPv4 = try fields(.enableIPv4, as: Bool.self)
        enableIPv6 = try fields(.enableIPv6, as: Bool.self)
        ipam = try fields(.ipam, as: IPAM.self)
        `internal` = try fields(.`internal`, as: Bool.self) ?? false
        attachable = try fields(.attachable, as: Bool.self) ?? false
        ingress = try fields(.ingress, as: Bool.self) ?? false
        configOnly = try fields(.configOnly, as: Bool.self) ?? false
        configFrom = try fields(.configFrom, as: NetworkConfigReference.self)
        options = try fields(.options, as: [String: String].self) ?? [:]
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(name, .name)
        try fields(driver, .driver)
        try fields(scope, .scope)
        try fields.ifPresent(enableIPv4, .enableIPv4)
        try fields.ifPresent(enableIPv6, .enableIPv6)
        try fields.ifPresent(ipam, .ipam)
        try fields(`internal`, .`internal`)
        try fields(attachable, .attachable)
        try fields(ingress, .ingress)
        try fields(configOnly, .configOnly)
        try fields.ifPresent(configFrom, .configFrom)
        try fields(options, .options)
        try fields(labels, .labels)
        try fields.extra(extra)
    }
}
