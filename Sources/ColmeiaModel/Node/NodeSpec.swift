/// The user-settable part of a node (`docker node update`).
public struct NodeSpec: Sendable, Hashable, PreservesUnknownFields {
    public var name: String
    public var labels: [String: String]
    public var role: NodeRole
    public var availability: NodeAvailability
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        name: String = "",
        labels: [String: String] = [:],
        role: NodeRole = "",
        availability: NodeAvailability = "",
        extra: [String: JSONValue] = [:]
    ) {
        self.name = name
        self.labels = labels
        self.role = role
        self.availability = availability
        self.extra = extra
    }
}

extension NodeSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name"
        case labels = "Labels"
        case role = "Role"
        case availability = "Availability"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        name = try fields(.name, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        role = try fields(.role, as: NodeRole.self) ?? ""
        availability = try fields(.availability, as: NodeAvailability.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(name, .name)
        try fields(labels, .labels)
        try fields.omitEmpty(role, .role)
        try fields.omitEmpty(availability, .availability)
        try fields.extra(extra)
    }
}
