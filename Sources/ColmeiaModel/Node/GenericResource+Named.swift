extension GenericResource {
    /// One named unit of a generic resource.
    public struct Named: Sendable, Hashable, PreservesUnknownFields {
        public var kind: String
        public var value: String
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(kind: String = "", value: String = "", extra: [String: JSONValue] = [:]) {
            self.kind = kind
            self.value = value
            self.extra = extra
        }
    }
}

extension GenericResource.Named: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind = "Kind"
        case value = "Value"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        kind = try fields(.kind, as: String.self) ?? ""
        value = try fields(.value, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(kind, .kind)
        try fields.omitEmpty(value, .value)
        try fields.extra(extra)
    }
}
