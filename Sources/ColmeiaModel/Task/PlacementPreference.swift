/// A scheduling preference: spread tasks over the values of a node attribute.
public struct PlacementPreference: Sendable, Hashable, PreservesUnknownFields {
    public var spread: PlacementPreference.Spread?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(spread: PlacementPreference.Spread? = nil, extra: [String: JSONValue] = [:]) {
        self.spread = spread
        self.extra = extra
    }
}

extension PlacementPreference: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case spread = "Spread"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        spread = try fields(.spread, as: PlacementPreference.Spread.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.ifPresent(spread, .spread)
        try fields.extra(extra)
    }
}
