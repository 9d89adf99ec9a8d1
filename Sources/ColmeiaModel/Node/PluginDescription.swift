/// A plugin installed on a node's engine.
public struct PluginDescription: Sendable, Hashable, PreservesUnknownFields {
    public var type: String
    public var name: String
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(type: String = "", name: String = "", extra: [String: JSONValue] = [:]) {
        self.type = type
        self.name = name
        self.extra = extra
    }
}

extension PluginDescription: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type = "Type"
        case name = "Name"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        type = try fields(.type, as: String.self) ?? ""
        name = try fields(.name, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(type, .type)
        try fields.omitEmpty(name, .name)
        try fields.extra(extra)
    }
}
