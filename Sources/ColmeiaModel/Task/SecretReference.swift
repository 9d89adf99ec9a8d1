/// A secret given to a container.
public struct SecretReference: Sendable, Hashable, PreservesUnknownFields {
    public var file: ReferenceFileTarget?
    public var secretID: String
    public var secretName: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        file: ReferenceFileTarget? = nil,
        secretID: String = "",
        secretName: String = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.file = file
        self.secretID = secretID
        self.secretName = secretName
        self.extra = extra
    }
}

extension SecretReference: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case file = "File"
        case secretID = "SecretID"
        case secretName = "SecretName"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        file = try fields(.file, as: ReferenceFileTarget.self)
        secretID = try fields(.secretID, as: String.self) ?? ""
        secretName = try fields(.secretName, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(file, .file)
        try fields(secretID, .secretID)
        try fields(secretName, .secretName)
        try fields.extra(extra)
    }
}
