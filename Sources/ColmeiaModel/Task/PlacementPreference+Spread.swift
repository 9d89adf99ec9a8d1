extension PlacementPreference {
    /// Spread over the values of `SpreadDescriptor`, e.g. `node.labels.zone`.
    public struct Spread: Sendable, Hashable, PreservesUnknownFields {
        public var spreadDescriptor: String
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(spreadDescriptor: String = "", extra: [String: JSONValue] = [:]) {
            self.spreadDescriptor = spreadDescriptor
            self.extra = extra
        }
    }
}

extension PlacementPreference.Spread: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case spreadDescriptor = "SpreadDescriptor"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        spreadDescriptor = try fields(.spreadDescriptor, as: String.self) ?? ""
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields(spreadDescriptor, .spreadDescriptor)
        try fields.extra(extra)
    }
}
