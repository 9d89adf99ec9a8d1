extension ServiceMode {
    /// One run-to-completion task on every eligible node.
    public struct GlobalJob: Sendable, Hashable, PreservesUnknownFields {
        /// Members this type does not model, kept for round trips.
        public var extra: [String: JSONValue]

        public init(extra: [String: JSONValue] = [:]) {
            self.extra = extra
        }
    }
}

extension ServiceMode.GlobalJob: Codable {

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<NoCodingKeys>(decoder)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<NoCodingKeys>(encoder)
        try fields.extra(extra)
    }
}
