/// A published port.
public struct PortConfig: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var `protocol`: PortProtocol
    /// The port inside the container.
    public var targetPort: UInt32
    /// The port on the nodes (0: allocated from 30000–32767).
    public var publishedPort: UInt32
    public var publishMode: PublishMode
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        `protocol`: PortProtocol = "",
        targetPort: UInt32 = 0,
        publishedPort: UInt32 = 0,
        publishMode: PublishMode = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.`protocol` = `protocol`
        self.targetPort = targetPort
        self.publishedPort = publishedPort
        self.publishMode = publishMode
        self.extra = extra
    }
}

extension PortConfig: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case `protocol` = "Protocol"
        case targetPort = "TargetPort"
        case publishedPort = "PublishedPort"
        case publishMode = "PublishMode"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        `protocol` = try fields(.`protocol`, as: PortProtocol.self) ?? ""
        targetPort = try fields(.targetPort, as: UInt32.self) ?? 0
        publishedPort = try fields(.publishedPort, as: UInt32.self) ?? 0
        publishMode = try fields(.publishMode, as: PublishMode.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields.omitEmpty(`protocol`, .`protocol`)
        try fields.omitEmpty(targetPort, .targetPort)
        try fields.omitEmpty(publishedPort, .publishedPort)
        try fields.omitEmpty(publishMode, .publishMode)
        try fields.extra(extra)
    }
}
