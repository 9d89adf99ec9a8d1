/// A config (`GET /configs/{id}`): non-secret data mounted into containers.
public struct Config: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: ConfigSpec
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: ConfigSpec = ConfigSpec(),
        extra: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.spec = spec
        self.extra = extra
    }
}

extension Config: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id = "ID"
        case version = "Version"
        case createdAt = "CreatedAt"
        case updatedAt = "UpdatedAt"
        case spec = "Spec"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        id = try fields(.id, as: String.self) ?? ""
        version = try fields(.version, as: Version.self) ?? Version()
        createdAt = try fields(.createdAt, as: Timestamp.self) ?? .zero
        updatedAt = try fields(.updatedAt, as: Timestamp.self) ?? .zero
        spec = try fields(.spec, as: ConfigSpec.self) ?? ConfigSpec()
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(id, .id)
        try fields(version, .version)
        try fields(createdAt, .createdAt)
        try fields(updatedAt, .updatedAt)
        try fields(spec, .spec)
        try fields.extra(extra)
    }
}
