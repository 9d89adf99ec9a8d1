/// A secret (`GET /secrets/{id}`). API output never carries the data: see
/// ``Secret/redactedForAPI()``.
public struct Secret: Sendable, Hashable, PreservesUnknownFields {
    public var id: String
    /// The Raft index of the command that last changed this object.
    public var version: Version
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var spec: SecretSpec
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        id: String = "",
        version: Version = Version(),
        createdAt: Timestamp = .zero,
        updatedAt: Timestamp = .zero,
        spec: SecretSpec = SecretSpec(),
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

extension Secret: Codable {
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
        spec = try fields(.spec, as: SecretSpec.self) ?? SecretSpec()
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
