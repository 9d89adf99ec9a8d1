/// An object's version for optimistic concurrency (`?version=N`): the Raft index of the
/// command that last changed it.
public struct Version: Sendable, Hashable, PreservesUnknownFields {
    public var index: UInt64
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(index: UInt64 = 0, extra: [String: JSONValue] = [:]) {
        self.index = index
        self.extra = extra
    }
}

extension Version: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case index = "Index"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        index = try fields(.index, as: UInt64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(index, .index)
        try fields.extra(extra)
    }
}
