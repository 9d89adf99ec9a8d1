/// A resource limit of a container's processes.
public struct Ulimit: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var hard: Int64
    public var soft: Int64
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        hard: Int64 = 0,
        soft: Int64 = 0,
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.hard = hard
        self.soft = soft
        self.extra = extra
    }
}

extension Ulimit: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case hard = "Hard"
        case soft = "Soft"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        hard = try fields(.hard, as: Int64.self) ?? 0
        soft = try fields(.soft, as: Int64.self) ?? 0
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(name, .name)
        try fields(hard, .hard)
        try fields(soft, .soft)
        try fields.extra(extra)
    }
}
