extension GenericResource {
    /// A count of a generic resource.
    public struct Discrete: Sendable, Hashable, PreservesUnknownFields {
        public var kind: String
        public var value: Int64
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(kind: String = "", value: Int64 = 0, extra: [String: JSONValue] = [:]) {
            self.kind = kind
            self.value = value
            self.extra = extra
        }
    }
}

extension GenericResource.Discrete: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind = "Kind"
        case value = "Value"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        kind = try fields(.kind, as: String.self) ?? ""
        value = try fields(.value, as: Int64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(kind, .kind)
        try fields.omitEmpty(value, .value)
        try fields.extra(extra)
    }
}
