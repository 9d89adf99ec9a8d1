/// A swarm-scoped network in the shape of `GET /networks/{id}` (note `Id`, `Created`).
public struct Network: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var id: String
    public var created: Timestamp
    /// `swarm` for cluster networks.
    public var scope: String
    /// `overlay` for cluster networks.
    public var driver: String
    public var enableIPv4: Bool
    public var enableIPv6: Bool
    public var ipam: IPAM
    public var `internal`: Bool
    public var attachable: Bool
    public var ingress: Bool
    public var configFrom: NetworkConfigReference
    public var configOnly: Bool
    public var containers: [String: JSONValue]
    public var options: [String: String]
    public var labels: [String: String]
    /// Colmeia's addition: the Raft index of the last change.
    public var version: Version?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        id: String = "",
        created: Timestamp = .zero,
        scope: String = "",
        driver: String = "",
        enableIPv4: Bool = false,
        enableIPv6: Bool = false,
        ipam: IPAM = IPAM(),
        `internal`: Bool = false,
        attachable: Bool = false,
        ingress: Bool = false,
        configFrom: NetworkConfigReference = NetworkConfigReference(),
        configOnly: Bool = false,
        containers: [String: JSONValue] = [:],
        options: [String: String] = [:],
        labels: [String: String] = [:],
        version: Version? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.id = id
        self.created = created
        self.scope = scope
        self.driver = driver
        self.enableIPv4 = enableIPv4
        self.enableIPv6 = enableIPv6
        self.ipam = ipam
        self.`internal` = `internal`
        self.attachable = attachable
        self.ingress = ingress
        self.configFrom = configFrom
        self.configOnly = configOnly
        self.containers = containers
        self.options = options
        self.labels = labels
        self.version = version
        self.extra = extra
    }
}

extension Network: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case id = "Id"
        case created = "Created"
        case scope = "Scope"
        case driver = "Driver"
        case enableIPv4 = "EnableIPv4"
        case enableIPv6 = "EnableIPv6"
        case ipam = "IPAM"
        case `internal` = "Internal"
        case attachable = "Attachable"
        case ingress = "Ingress"
        case configFrom = "ConfigFrom"
        case configOnly = "ConfigOnly"
        case containers = "Containers"
        case options = "Options"
        case labels = "Labels"
        case version = "Version"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        id = try fields(.id, as: String.self) ?? ""
        created = try fields(.created, as: Timestamp.self) ?? .zero
        scope = try fields(.scope, as: String.self) ?? ""
        driver = try fields(.driver, as: String.self) ?? ""
        enableIPv4 = try fields(.enableIPv4, as: Bool.self) ?? false
        enableIPv6 = try fields(.enableIPv6, as: Bool.self) ?? false
        ipam = try fields(.ipam, as: IPAM.self) ?? IPAM()
        `internal` = try fields(.`internal`, as: Bool.self) ?? false
        attachable = try fields(.attachable, as: Bool.self) ?? false
        ingress = try fields(.ingress, as: Bool.self) ?? false
        configFrom = try fields(.configFrom, as: NetworkConfigReference.self) ?? NetworkConfigReference()
        configOnly = try fields(.configOnly, as: Bool.self) ?? false
        containers = try fields(.containers, as: [String: JSONValue].self) ?? [:]
        options = try fields(.options, as: [String: String].self) ?? [:]
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        version = try fields(.version, as: Version.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(name, .name)
        try fields(id, .id)
        try fields(created, .created)
        try fields(scope, .scope)
        try fields(driver, .driver)
        try fields(enableIPv4, .enableIPv4)
        try fields(enableIPv6, .enableIPv6)
        try fields(ipam, .ipam)
        try fields(`internal`, .`internal`)
        try fields(attachable, .attachable)
        try fields(ingress, .ingress)
        try fields(configFrom, .configFrom)
        try fields(configOnly, .configOnly)
        try fields(containers, .containers)
        try fields(options, .options)
        try fields(labels, .labels)
        try fields.ifPresent(version, .version)
        try fields.extra(extra)
    }
}
