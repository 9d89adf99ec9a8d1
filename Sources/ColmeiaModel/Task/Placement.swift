/// Where a service's tasks may run.
public struct Placement: Sendable, Hashable, PreservesUnknownFields {
    /// Expressions such as `node.role==manager`.
    public var constraints: [String]
    public var preferences: [PlacementPreference]
    /// Tasks per node (0: unlimited).
    public var maxReplicas: UInt64
    public var platforms: [Platform]
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        constraints: [String] = [],
        preferences: [PlacementPreference] = [],
        maxReplicas: UInt64 = 0,
        platforms: [Platform] = [],
        extra: [String: JSONValue] = [:]
    ) {
        self.constraints = constraints
        self.preferences = preferences
        self.maxReplicas = maxReplicas
        self.platforms = platforms
        self.extra = extra
    }
}

extension Placement: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case constraints = "Constraints"
        case preferences = "Preferences"
        case maxReplicas = "MaxReplicas"
        case platforms = "Platforms"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        constraints = try fields(.constraints, as: [String].self) ?? []
        preferences = try fields(.preferences, as: [PlacementPreference].self) ?? []
        maxReplicas = try fields(.maxReplicas, as: UInt64.self) ?? 0
        platforms = try fields(.platforms, as: [Platform].self) ?? []
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(constraints, .constraints)
        try fields.omitEmpty(preferences, .preferences)
        try fields.omitEmpty(maxReplicas, .maxReplicas)
        try fields.omitEmpty(platforms, .platforms)
        try fields.extra(extra)
    }
}
