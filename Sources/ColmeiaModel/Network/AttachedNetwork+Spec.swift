extension AttachedNetwork {
    /// The Swarm API's network spec.
    public struct Spec: Sendable, Hashable, PreservesUnknownFields {
        public var name: String
        public var labels: [String: String]
        public var driverConfiguration: Driver?
        public var ipv6Enabled: Bool
        public var `internal`: Bool
        public var attachable: Bool
        public var ingress: Bool
        public var ipamOptions: IPAMOptions?
        public var scope: String
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(
            name: String = "",
            labels: [String: String] = [:],
            driverConfiguration: Driver? = nil,
            ipv6Enabled: Bool = false,
            `internal`: Bool = false,
            attachable: Bool = false,
            ingress: Bool = false,
            ipamOptions: IPAMOptions? = nil,
            scope: String = "",
            extra: [String: JSONValue] = [:]
        ) {
            self.name = name
            self.labels = labels
            self.driverConfiguration = driverConfiguration
            self.ipv6Enabled = ipv6Enabled
            self.`internal` = `internal`
            self.attachable = attachable
            self.ingress = ingress
            self.ipamOptions = ipamOptions
            self.scope = scope
            self.extra = extra
        }
    }
}

extension AttachedNetwork.Spec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case driverConfiguration = "DriverConfiguration"
        case ipv6Enabled = "IPv6Enabled"
        case `internal` = "Internal"
        case attachable = "Attachable"
        case ingress = "Ingress"
        case ipamOptions = "IPAMOptions"
        case scope = "Scope"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        driverConfiguration = try fields(.driverConfiguration, as: Driver.self)
        ipv6Enabled = try fields(.ipv6Enabled, as: Bool.self) ?? false
        `internal` = try fields(.`internal`, as: Bool.self) ?? false
        attachable = try fields(.attachable, as: Bool.self) ?? false
        ingress = try fields(.ingress, as: Bool.self) ?? false
        ipamOptions = try fields(.ipamOptions, as: IPAMOptions.self)
        scope = try fields(.scope, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields.ifPresent(driverConfiguration, .driverConfiguration)
        try fields.omitEmpty(ipv6Enabled, .ipv6Enabled)
        try fields.omitEmpty(`internal`, .`internal`)
        try fields.omitEmpty(attachable, .attachable)
        try fields.omitEmpty(ingress, .ingress)
        try fields.ifPresent(ipamOptions, .ipamOptions)
        try fields.omitEmpty(scope, .scope)
        try fields.extra(extra)
    }
}
